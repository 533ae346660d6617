/* formbody (agent): the form's POST bodies, decoded or refused with a reason. */
#include "testutil.h"

#include "formbody.h"

static void test_cases(void **state)
{
	static const struct {
		const char *name, *body;
		size_t n;		/* fields, when accepted */
		const char *get, *want; /* a field looked up and its value */
		const char *err;	/* a part of the reason, when refused */
	} cases[] = {
	    {"empty", "", 0, "a", NULL, NULL},
	    {"one", "a=1", 1, "a", "1", NULL},
	    {"plus and escape", "note=c%C3%B4ng+ch%E1%BB%A9c", 1, "note", "công chức", NULL},
	    {"vi number", "v=1.463%2C5", 1, "v", "1.463,5", NULL},
	    {"empty value", "a=&b=2", 2, "a", "", NULL},
	    {"first wins", "a=1&a=2", 2, "a", "1", NULL},
	    {"double amp", "a=1&&b=2&", 2, "b", "2", NULL},
	    {"equals in value", "k=a=b", 1, "k", "a=b", NULL},
	    {"no equals", "a=1&b", 0, NULL, NULL, "field 2: no '='"},
	    {"bad escape", "a=%G1", 0, NULL, NULL, "field 1: bad %-escape"},
	    {"cut escape", "a=%4", 0, NULL, NULL, "bad %-escape"},
	    {"escape at end", "a=%", 0, NULL, NULL, "bad %-escape"},
	    {"nul byte", "a=%00", 0, NULL, NULL, "control character"},
	    {"newline", "a=x%0Ay", 0, NULL, NULL, "control character"},
	    {"bidi override", "a=%E2%80%AE", 0, NULL, NULL, "control character"},
	    {"bad utf8", "a=%C3", 0, NULL, NULL, "not UTF-8"},
	    {"overlong", "a=%C0%AF", 0, NULL, NULL, "not UTF-8"},
	};
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char err[128] = "";
		struct formbody *f =
		    formbody_parse(cases[i].body, strlen(cases[i].body), err, sizeof err);
		if (cases[i].err) {
			if (f)
				fail_msg("%s: accepted", cases[i].name);
			CHECK_HAS(cases[i].name, cases[i].err, err);
			continue;
		}
		if (!f)
			fail_msg("%s: refused: %s", cases[i].name, err);
		CHECK_INT(cases[i].name, cases[i].n, formbody_count(f));
		const char *got = formbody_get(f, cases[i].get);
		if (cases[i].want)
			CHECK_STR(cases[i].name, cases[i].want, got ? got : "(none)");
		else if (got)
			fail_msg("%s: found %s", cases[i].name, got);
		formbody_destroy(&f);
		formbody_destroy(&f); /* safe twice */
	}
}

/* The bounds: a long value and too many fields are refused, not truncated. */
static void test_bounds(void **state)
{
	char err[128];
	size_t len = 10 * FORMBODY_FIELDS_MAX;
	char *body = malloc(len + 2 * FORMBODY_TEXT_MAX + 8);
	(void)state;
	assert_non_null(body);
	strcpy(body, "a=");
	memset(body + 2, 'x', FORMBODY_TEXT_MAX + 1);
	body[FORMBODY_TEXT_MAX + 3] = '\0';
	assert_null(formbody_parse(body, strlen(body), err, sizeof err));
	CHECK_HAS("long", "too long", err);
	body[FORMBODY_TEXT_MAX + 2] = '\0';
	struct formbody *f = formbody_parse(body, strlen(body), err, sizeof err);
	assert_non_null(f);
	formbody_destroy(&f);
	body[0] = '\0';
	for (size_t i = 0; i <= FORMBODY_FIELDS_MAX; i++)
		strcat(body, "a=1&");
	assert_null(formbody_parse(body, strlen(body), err, sizeof err));
	CHECK_HAS("many", "too many fields", err);
	free(body);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cases),
	    cmocka_unit_test(test_bounds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
