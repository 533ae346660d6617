/* srvkey (agent): which server key a connection uses while the province rotates its key. */
#include "testutil.h"

#include "srvkey.h"

/* Three valid keys and the files that hold them. */
static const char *const key_text[] = {
    "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7", /* A */
    "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6", /* B */
    "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID", /* C */
};

/* A file of the table: a key by letter, "bad" (no key line), "absent" or "" (no path). */
static void test_file(const char *dir, const char *name, const char *what, char *path, size_t size)
{
	if (!*what) {
		path[0] = '\0';
		return;
	}
	snprintf(path, size, "%s/%s", dir, name);
	unlink(path);
	if (strcmp(what, "absent") == 0)
		return;
	char text[128];
	if (strcmp(what, "bad") == 0)
		snprintf(text, sizeof text, "# not a key\n");
	else
		snprintf(text, sizeof text, "public-key = \"%s\"\n", key_text[what[0] - 'A']);
	assert_int_equal(test_write(path, text, strlen(text)), 0);
}

static void test_choice(void **state)
{
	static const struct {
		const char *name, *current, *next, *last;
		bool refused;
		const char *want; /* the chosen key's letter, or the start of the error */
		bool is_next;
	} cases[] = {
	    {"no rotation: the current key", "A", "absent", "", false, "A", false},
	    {"no rotation, refused: still the current key", "A", "absent", "A", true, "A", false},
	    {"no next path at all", "A", "", "A", true, "A", false},
	    {"next given: the current key first", "A", "B", "", false, "A", false},
	    {"next given, the current worked: kept", "A", "B", "A", false, "A", false},
	    {"current refused: the next key", "A", "B", "A", true, "B", true},
	    {"next refused too: back to the current", "A", "B", "B", true, "A", false},
	    {"the next key worked: kept for the next connection", "A", "B", "B", false, "B", true},
	    {"next equal to current: one key", "A", "A", "A", true, "A", false},
	    {"files changed under the agent: the current key", "C", "A", "B", true, "C", false},
	    {"the files were swapped after the switch", "B", "A", "B", false, "B", false},
	    {"next file without a key: set aside", "A", "bad", "A", true, "A", false},
	    {"current file missing", "absent", "B", "", false, "server.public_key_file: ", false},
	};
	char *dir = test_tmpdir();
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char cur[512], next[512], err[1024] = "";
		struct srvkey k = {0};
		test_file(dir, "server.pub", cases[i].current, cur, sizeof cur);
		test_file(dir, "server-next.pub", cases[i].next, next, sizeof next);
		if (*cases[i].last)
			snprintf(k.last, sizeof k.last, "%s", key_text[cases[i].last[0] - 'A']);
		int rc = srvkey_load(&k, cur, next, cases[i].refused, err, sizeof err);
		if (strlen(cases[i].want) > 1) {
			CHECK_INT(cases[i].name, -1, rc);
			CHECK_HAS(cases[i].name, cases[i].want, err);
			continue;
		}
		CHECK_INT(cases[i].name, 0, rc);
		CHECK_STR(cases[i].name, key_text[cases[i].want[0] - 'A'], srvkey_chosen(&k));
		CHECK_INT(cases[i].name, cases[i].is_next, srvkey_is_next(&k));
		CHECK_STR(cases[i].name, srvkey_chosen(&k), k.last);
		if (strcmp(cases[i].next, "bad") == 0)
			CHECK_HAS(cases[i].name, "server.public_key_next_file: ", k.next_err);
		else
			CHECK_STR(cases[i].name, "", k.next_err);
	}
	test_rm_rf(dir);
}

/* Connection after connection, refused each time the wrong key was tried. */
static void test_follow_switch(void **state)
{
	char *dir = test_tmpdir(), cur[512], next[512], err[1024];
	struct srvkey k = {0};
	(void)state;
	test_file(dir, "server.pub", "A", cur, sizeof cur);
	test_file(dir, "server-next.pub", "absent", next, sizeof next);
	assert_int_equal(srvkey_load(&k, cur, next, false, err, sizeof err), 0);
	CHECK_STR("before the rotation", key_text[0], srvkey_chosen(&k));
	CHECK_STR("no next key held", "", srvkey_next(&k));
	/* the operator hands out the next key while the agent runs */
	test_file(dir, "server-next.pub", "B", next, sizeof next);
	assert_int_equal(srvkey_load(&k, cur, next, false, err, sizeof err), 0);
	CHECK_STR("next key handed out", key_text[0], srvkey_chosen(&k));
	CHECK_STR("next key held", key_text[1], srvkey_next(&k));
	char peek[KEYS_Z85_LEN + 1];
	srvkey_peek_next(cur, next, peek);
	CHECK_STR("next key peeked", key_text[1], peek);
	srvkey_peek_next(cur, "", peek);
	CHECK_STR("no next path: nothing peeked", "", peek);
	/* chisod restarts with the next key: the current one is refused */
	assert_int_equal(srvkey_load(&k, cur, next, true, err, sizeof err), 0);
	CHECK_STR("after the switch", key_text[1], srvkey_chosen(&k));
	/* a later reconnection (chisod restarted again) keeps the key that works */
	assert_int_equal(srvkey_load(&k, cur, next, false, err, sizeof err), 0);
	CHECK_STR("kept", key_text[1], srvkey_chosen(&k));
	test_rm_rf(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_choice),
	    cmocka_unit_test(test_follow_switch),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
