/*
 * Unit tests for jscan: the literal of each row's "value" as written in the
 * body, through escaped keys, nesting, whitespace and other members, and -1
 * (never a read past the end) on text that is not well-formed.
 */
#include "testutil.h"

#include "jscan.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void test_values(void **state)
{
	static const struct {
		const char *name, *body;
		long rows;
		const char *want; /* the literals found, "|"-separated, "-" for none */
	} cases[] = {
	    {"one row", "{\"epoch\":1,\"seq\":1,\"rows\":[{\"value\":1e+16}]}", 1, "1e+16"},
	    {"rows first", "{\"rows\":[{\"unit\":\"1\",\"value\":-0.5E-3,\"x\":[1,{}]}],\"seq\":2}",
	     1, "-0.5E-3"},
	    {"several", "{\"rows\":[{\"value\":5000.000},{\"value\":\"264\"},{},7,{\"value\":0}]}",
	     5, "5000.000|-|-|-|0"},
	    {"whitespace", " \r\n{ \"rows\" :\t[ { \"value\" : 12 } , { \"value\":3 } ] }\n", 2,
	     "12|3"},
	    {"escaped keys", "{\"\\u0072ows\":[{\"v\\u0061lue\":42,\"value2\":1}]}", 1, "42"},
	    {"a key that only looks alike", "{\"rows\":[{\"valu\\u00e9\":1,\"values\":2}]}", 1,
	     "-"},
	    {"nested value is not the row's", "{\"rows\":[{\"note\":{\"value\":9},\"value\":8}]}",
	     1, "8"},
	    {"value inside a string", "{\"rows\":[{\"ref\":\"\\\"value\\\":1\",\"value\":null}]}",
	     1, "-"},
	    {"rows elsewhere", "{\"x\":{\"rows\":[{\"value\":1}]},\"rows\":[{\"value\":2}]}", 1,
	     "2"},
	    {"no rows", "{\"epoch\":1}", 0, ""},
	    {"rows not an array", "{\"rows\":{\"value\":1}}", 0, ""},
	    {"empty rows", "{\"rows\":[]}", 0, ""},
	    {"empty object", "{}", 0, ""},
	    {"true false null", "{\"a\":true,\"b\":false,\"rows\":[{\"value\":false}],\"c\":null}",
	     1, "-"},
	};
	(void)state;
	for (size_t i = 0; i < N(cases); i++) {
		struct jscan_span spans[8];
		const char *body = cases[i].body;
		long got = jscan_row_values(body, strlen(body), spans, N(spans));
		char text[256] = "";
		size_t len = 0;
		CHECK_INT(cases[i].name, cases[i].rows, got);
		for (long r = 0; r < got && r < (long)N(spans); r++)
			len += (size_t)snprintf(text + len, sizeof text - len, "%s%.*s",
						r ? "|" : "", spans[r].len ? (int)spans[r].len : 1,
						spans[r].len ? body + spans[r].off : "-");
		CHECK_STR(cases[i].name, cases[i].want, text);
	}
}

/* More rows than spans: the count is right, only the first n are filled. */
static void test_fewer_spans(void **state)
{
	static const char body[] = "{\"rows\":[{\"value\":1},{\"value\":22},{\"value\":333}]}";
	struct jscan_span spans[2];
	(void)state;

	assert_int_equal(jscan_row_values(body, strlen(body), spans, 2), 3);
	assert_int_equal(spans[1].len, 2);
	assert_int_equal(jscan_row_values(body, strlen(body), NULL, 0), 3);
}

static void test_malformed(void **state)
{
	static const char *const bodies[] = {
	    "",
	    "[]",
	    "{",
	    "{\"rows\":[{\"value\":1}]",
	    "{\"rows\":[{\"value\":1},]}",
	    "{\"rows\":[{\"value\":-}]}",
	    "{\"rows\":[{\"value\":1.}]}",
	    "{\"rows\":[{\"value\":0521}]}",
	    "{\"rows\":[{\"value\":1e}]}",
	    "{\"rows\":[{\"value\":tru}]}",
	    "{\"rows\":[{\"value\":\"a\\x\"}]}",
	    "{\"rows\":[{\"value\":\"\\u12\"}]}",
	    "{\"rows\" [1]}",
	    "{\"rows\":[1] x",
	    "{\"a\":\"unterminated}",
	    "{\"a\":\"\\",
	    "{\"a\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]"
	    "]}",
	};
	(void)state;
	for (size_t i = 0; i < N(bodies); i++) {
		struct jscan_span spans[4];
		/* Copied to a buffer of its own length, so a read past it is caught by ASan. */
		size_t len = strlen(bodies[i]);
		char *copy = malloc(len ? len : 1);
		memcpy(copy, bodies[i], len);
		if (jscan_row_values(copy, len, spans, N(spans)) != -1)
			fail_msg("\"%s\": not refused", bodies[i]);
		free(copy);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_values),
	    cmocka_unit_test(test_fewer_spans),
	    cmocka_unit_test(test_malformed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
