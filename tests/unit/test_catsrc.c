/*
 * Unit tests for lib/catsrc.c: one table of members read from a JSON entry,
 * each with what the reader must give (absent, present and its value, or the
 * refusal), and the same entry read from a libconfig group, whose messages
 * name the file and line.
 */
#include "testutil.h"

#include "catsrc.h"

static const char *const tiers[] = {"province", "district", "commune"};

struct member_case {
	const char *name;
	const char *json; /* the entry */
	const char *key;
	char type;	  /* 's' string, 'n' number, 'b' boolean, 'l' list of tiers */
	int rc;		  /* 0 absent (strings: also present), 1 present, -1 refused */
	const char *want; /* the value as text, or the start of the message */
};

static const struct member_case member_cases[] = {
    {"string", "{\"code\": \"a_b\"}", "code", 's', 0, "a_b"},
    {"string absent", "{}", "code", 's', 0, "(absent)"},
    {"string not a string", "{\"code\": 3}", "code", 's', -1,
     "catalogue JSON: code: expected a string"},
    {"number int", "{\"min\": 3}", "min", 'n', 1, "3"},
    {"number real", "{\"min\": 2.5}", "min", 'n', 1, "2.5"},
    {"number absent", "{}", "min", 'n', 0, ""},
    {"number as string", "{\"min\": \"3\"}", "min", 'n', -1,
     "catalogue JSON: min: expected a number"},
    {"bool", "{\"share\": false}", "share", 'b', 1, "false"},
    {"bool as int", "{\"share\": 0}", "share", 'b', -1,
     "catalogue JSON: share: expected true or false"},
    {"names", "{\"levels\": [\"commune\", \"district\"]}", "levels", 'l', 1, "6 first 2"},
    {"names unknown", "{\"levels\": [\"ward\"]}", "levels", 'l', -1,
     "catalogue JSON: levels: unknown name"},
    {"names empty", "{\"levels\": []}", "levels", 'l', -1, "catalogue JSON: levels: empty list"},
    {"names absent", "{}", "levels", 'l', 0, ""},
};

/* Reads the case's member; returns the reader's result and its value as text in out. */
static int read_member(const struct member_case *c, const struct catsrc *s, char *out, size_t size,
		       char *err, size_t errsize)
{
	const char *str;
	double d;
	bool b;
	unsigned bits;
	int first, rc = -1;

	out[0] = '\0';
	switch (c->type) {
	case 's':
		if ((rc = catsrc_string(s, c->key, &str, err, errsize)) == 0)
			snprintf(out, size, "%s", str ? str : "(absent)");
		break;
	case 'n':
		if ((rc = catsrc_number(s, c->key, &d, err, errsize)) == 1)
			snprintf(out, size, "%g", d);
		break;
	case 'b':
		if ((rc = catsrc_bool(s, c->key, &b, err, errsize)) == 1)
			snprintf(out, size, "%s", b ? "true" : "false");
		break;
	case 'l':
		if ((rc = catsrc_names(s, c->key, tiers, 3, &bits, &first, err, errsize)) == 1)
			snprintf(out, size, "%u first %d", bits, first);
		break;
	}
	return rc;
}

static void test_json_members(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof member_cases / sizeof member_cases[0]; i++) {
		const struct member_case *c = &member_cases[i];
		json_t *js = json_loads(c->json, 0, NULL);
		struct catsrc s = {NULL, js, NULL};
		char out[64], err[256] = "";
		assert_non_null(js);
		int rc = read_member(c, &s, out, sizeof out, err, sizeof err);
		CHECK_INT(c->name, c->rc, rc);
		if (rc < 0)
			CHECK_HAS(c->name, c->want, err);
		else
			CHECK_STR(c->name, c->want, out);
		json_decref(js);
	}
}

static void test_known_keys(void **state)
{
	static const char *const known[] = {"code", "name_vi", NULL};
	char err[256] = "";
	(void)state;
	json_t *ok = json_loads("{\"code\": \"a\", \"name_vi\": \"b\"}", 0, NULL);
	json_t *bad = json_loads("{\"code\": \"a\", \"colour\": \"b\"}", 0, NULL);
	struct catsrc s_ok = {NULL, ok, NULL}, s_bad = {NULL, bad, NULL};
	CHECK_INT("known", 0, catsrc_known(&s_ok, known, err, sizeof err));
	CHECK_INT("has", 1, catsrc_has(&s_ok, "name_vi"));
	CHECK_INT("has not", 0, catsrc_has(&s_ok, "colour"));
	CHECK_INT("unknown", -1, catsrc_known(&s_bad, known, err, sizeof err));
	CHECK_HAS("unknown", "unknown key \"colour\"", err);
	json_decref(ok);
	json_decref(bad);
}

/* The same readers on a libconfig group name the file and the member's line. */
static void test_config_lines(void **state)
{
	config_t cf;
	char err[256] = "";
	const char *str;
	(void)state;
	config_init(&cf);
	assert_int_equal(
	    config_read_string(&cf, "entry = {\n  code = \"a\";\n  min = \"x\";\n};\n"),
	    CONFIG_TRUE);
	struct catsrc s = {config_lookup(&cf, "entry"), NULL, "catalog.conf"};
	CHECK_INT("string", 0, catsrc_string(&s, "code", &str, err, sizeof err));
	CHECK_STR("string", "a", str);
	double d;
	CHECK_INT("number", -1, catsrc_number(&s, "min", &d, err, sizeof err));
	CHECK_STR("number", "catalog.conf:3: min: expected a number", err);
	config_destroy(&cf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_json_members),
	    cmocka_unit_test(test_known_keys),
	    cmocka_unit_test(test_config_lines),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
