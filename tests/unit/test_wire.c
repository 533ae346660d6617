/* wire: command names, tag, nesting scan, control messages both ways. */
#include "testutil.h"

#include "wire.h"

static void test_commands(void **state)
{
	(void)state;
	for (int c = WIRE_HELLO; c <= WIRE_ERROR; c++) {
		const char *name = wire_command_name((enum wire_command)c);
		assert_int_equal(wire_command_parse(name, strlen(name)), c);
	}
	assert_int_equal(wire_command_parse("batch", 5), -1);
	assert_int_equal(wire_command_parse("BATCHX", 6), -1);
	assert_int_equal(wire_command_parse("", 0), -1);
	assert_true(wire_tag_ok("CHISO/1", 7));
	assert_false(wire_tag_ok("CHISO/2", 7));
	assert_false(wire_tag_ok("CHISO/1 ", 8));
}

static void test_depth(void **state)
{
	static const struct {
		const char *json;
		int max;
		int ok;
	} cases[] = {
	    {"{}", 1, 1},
	    {"{\"a\":[{}]}", 3, 1},
	    {"{\"a\":[{}]}", 2, 0},
	    {"{\"a\":\"[[[[[[\"}", 1, 1},
	    {"{\"a\":\"\\\"[[[[\"}", 1, 1},
	    {"[[[[[[[[[[", 4, 0},
	    {"]]]]{}", 1, 1},
	};
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		CHECK_INT(cases[i].json, cases[i].ok,
			  wire_depth_ok(cases[i].json, strlen(cases[i].json), cases[i].max));
}

static void test_round_trips(void **state)
{
	const struct wire_limits *lim = &wire_default_limits;
	char err[256];
	(void)state;

	struct wire_hello h = {"chiso-agent 0.1.0", 42, 3, 2500}, h2;
	char *j = wire_hello_encode(&h);
	assert_int_equal(wire_hello_decode(j, strlen(j), lim, &h2, err, sizeof err), 0);
	CHECK_STR("hello", h.agent, h2.agent);
	assert_true(h2.epoch == 42 && h2.backlog_batches == 3 && h2.backlog_rows == 2500);
	free(j);

	struct wire_welcome w = {"chisod 0.1.0", "xa-21298", "21298", 10000, 4194304, "2024.1"}, w2;
	j = wire_welcome_encode(&w);
	assert_int_equal(wire_welcome_decode(j, strlen(j), lim, &w2, err, sizeof err), 0);
	CHECK_STR("welcome", "xa-21298", w2.collector);
	CHECK_STR("welcome", "2024.1", w2.catalog_version);
	free(j);

	struct wire_retry r = {7, 9, 2000, "database unavailable"}, r2;
	j = wire_retry_encode(&r);
	assert_int_equal(wire_retry_decode(j, strlen(j), lim, &r2, err, sizeof err), 0);
	assert_true(r2.epoch == 7 && r2.seq == 9 && r2.after_ms == 2000);
	CHECK_STR("retry", r.reason, r2.reason);
	free(j);

	struct wire_ping p = {1, 2, 3}, p2;
	j = wire_ping_encode(&p);
	assert_int_equal(wire_ping_decode(j, strlen(j), lim, &p2, err, sizeof err), 0);
	assert_true(p2.backlog_batches == 1 && p2.backlog_rows == 2 && p2.oldest_age_s == 3);
	free(j);

	struct wire_error e = {"bad_body", "row 3: …"}, e2;
	j = wire_error_encode(&e);
	assert_int_equal(wire_error_decode(j, strlen(j), lim, &e2, err, sizeof err), 0);
	CHECK_STR("error", e.message, e2.message);
	free(j);
}

static void test_refusals(void **state)
{
	static const struct {
		const char *name, *body, *err;
	} cases[] = {
	    {"not json", "hello", "not valid JSON"},
	    {"array", "[]", "must be a JSON object"},
	    {"unknown field", "{\"agent\":\"x\",\"evil\":1}", "unknown field \"evil\""},
	    {"missing", "{\"epoch\":1}", "missing field \"agent\""},
	    {"wrong type", "{\"agent\":5}", "expected a string"},
	    {"negative", "{\"agent\":\"x\",\"epoch\":-1}", "expected an integer"},
	    {"real", "{\"agent\":\"x\",\"epoch\":1.5}", "expected an integer"},
	    {"too long",
	     "{\"agent\":"
	     "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}",
	     "at most 64 bytes"},
	    {"duplicate key", "{\"agent\":\"x\",\"agent\":\"y\"}", "not valid JSON"},
	    {"deep", "{\"agent\":\"x\",\"epoch\":[[[[[[1]]]]]]}", "nested deeper"},
	    {"bad utf-8", "{\"agent\":\"\xff\"}", "not valid JSON"},
	    {"nul", "{\"agent\":\"a\\u0000b\"}", "not valid JSON"},
	};
	struct wire_hello h;
	char err[256];
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		err[0] = '\0';
		if (wire_hello_decode(cases[i].body, strlen(cases[i].body), &wire_default_limits,
				      &h, err, sizeof err) == 0)
			fail_msg("%s: accepted", cases[i].name);
		CHECK_HAS(cases[i].name, cases[i].err, err);
	}
	struct wire_limits small = {16, 10, 4};
	assert_int_equal(
	    wire_hello_decode("{\"agent\":\"abcdefghij\"}", 22, &small, &h, err, sizeof err), -1);
	CHECK_HAS("size limit", "body too large", err);
	assert_int_equal(wire_empty_decode("{}", 2, &wire_default_limits, err, sizeof err), 0);
	assert_int_equal(wire_empty_decode("{\"x\":1}", 7, &wire_default_limits, err, sizeof err),
			 -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_commands),
	    cmocka_unit_test(test_depth),
	    cmocka_unit_test(test_round_trips),
	    cmocka_unit_test(test_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
