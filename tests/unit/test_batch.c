/* batch: BATCH bodies (whole-batch and per-row refusals, values), ACK bodies. */
#include "testutil.h"

#include "batch.h"

static void test_rows(void **state)
{
	static const struct {
		const char *name, *row, *reason, *message, *value;
	} cases[] = {
	    {"count",
	     "{\"unit\":\"21298\",\"indicator\":\"population\",\"period\":\"2024\",\"value\":5000}",
	     NULL, NULL, "5000"},
	    {"real", "{\"unit\":\"1\",\"indicator\":\"x\",\"period\":\"2024\",\"value\":5.28}",
	     NULL, NULL, "5.28"},
	    {"tiny", "{\"unit\":\"1\",\"indicator\":\"x\",\"period\":\"2024\",\"value\":1e-05}",
	     NULL, NULL, "0.00001"},
	    {"real integer",
	     "{\"unit\":\"1\",\"indicator\":\"x\",\"period\":\"2024\",\"value\":12.0}", NULL, NULL,
	     "12"},
	    {"negative zero",
	     "{\"unit\":\"1\",\"indicator\":\"x\",\"period\":\"2024\",\"value\":-0.0}", NULL, NULL,
	     "0"},
	    {"date", "{\"unit\":\"1\",\"indicator\":\"x\",\"date\":\"2024-06-10\",\"value\":1}",
	     NULL, NULL, "1"},
	    {"qualifier",
	     "{\"unit\":\"1\",\"indicator\":\"x\",\"period\":\"2024\",\"value\":2000,"
	     "\"qualifier\":\"at_least\",\"ref\":\"a.csv:3\"}",
	     NULL, NULL, "2000"},
	    {"huge", "{\"unit\":\"1\",\"indicator\":\"x\",\"period\":\"2024\",\"value\":1e20}",
	     "bad_value", "at most 15 significant digits", NULL},
	    {"big integer",
	     "{\"unit\":\"1\",\"indicator\":\"x\",\"period\":\"2024\",\"value\":1000000000000000}",
	     "bad_value", "out of range", NULL},
	    {"string value",
	     "{\"unit\":\"1\",\"indicator\":\"x\",\"period\":\"2024\",\"value\":\"5\"}",
	     "bad_value", "expected a number, got a string", NULL},
	    {"numeric unit", "{\"unit\":21298,\"indicator\":\"x\",\"period\":\"2024\",\"value\":5}",
	     "bad_row", "field \"unit\": expected a string, got a number", NULL},
	    {"letters in unit",
	     "{\"unit\":\"2a\",\"indicator\":\"x\",\"period\":\"2024\",\"value\":5}", "bad_row",
	     "unexpected character", NULL},
	    {"upper indicator",
	     "{\"unit\":\"1\",\"indicator\":\"X\",\"period\":\"2024\",\"value\":5}", "bad_row",
	     "field \"indicator\"", NULL},
	    {"sql",
	     "{\"unit\":\"1\",\"indicator\":\"x'; DROP TABLE unit;--\",\"period\":\"2024\","
	     "\"value\":5}",
	     "bad_row", "unexpected character", NULL},
	    {"both",
	     "{\"unit\":\"1\",\"indicator\":\"x\",\"period\":\"2024\",\"date\":\"2024-01-01\","
	     "\"value\":5}",
	     "bad_row", "not both", NULL},
	    {"neither", "{\"unit\":\"1\",\"indicator\":\"x\",\"value\":5}", "bad_row",
	     "missing field \"period\"", NULL},
	    {"bad date", "{\"unit\":\"1\",\"indicator\":\"x\",\"date\":\"15/06/2024\",\"value\":5}",
	     "bad_row", "field \"date\"", NULL},
	    {"unknown field",
	     "{\"unit\":\"1\",\"indicator\":\"x\",\"period\":\"2024\",\"value\":5,"
	     "\"collector\":\"tinh-51\"}",
	     "bad_row", "unknown field \"collector\"", NULL},
	    {"bad qualifier",
	     "{\"unit\":\"1\",\"indicator\":\"x\",\"period\":\"2024\",\"value\":5,"
	     "\"qualifier\":\"hơn\"}",
	     "bad_row", "expected at_least, at_most or about", NULL},
	    {"not an object", "[1,2]", "bad_row", "expected an object, got an array", NULL},
	    {"missing value", "{\"unit\":\"1\",\"indicator\":\"x\",\"period\":\"2024\"}", "bad_row",
	     "missing field \"value\"", NULL},
	    {"long unit",
	     "{\"unit\":\"12345678901234567\",\"indicator\":\"x\",\"period\":\"2024\","
	     "\"value\":5}",
	     "bad_row", "expected 1 to 16 bytes", NULL},
	};
	char body[1024], err[256];
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct batch *b = NULL;
		snprintf(body, sizeof body, "{\"epoch\":7,\"seq\":1,\"rows\":[%s]}", cases[i].row);
		if (batch_decode(body, strlen(body), &wire_default_limits, &b, err, sizeof err) !=
		    0)
			fail_msg("%s: whole batch refused: %s", cases[i].name, err);
		assert_int_equal(b->nrows, 1);
		const struct batch_row *r = &b->rows[0];
		if (cases[i].reason) {
			if (!r->reason)
				fail_msg("%s: accepted", cases[i].name);
			CHECK_STR(cases[i].name, cases[i].reason, r->reason);
			CHECK_HAS(cases[i].name, cases[i].message, r->message);
			CHECK_HAS(cases[i].name, "row 0: ", r->message);
		} else {
			if (r->reason)
				fail_msg("%s: refused: %s", cases[i].name, r->message);
			CHECK_STR(cases[i].name, cases[i].value, r->value.text);
		}
		batch_destroy(&b);
		assert_null(b);
	}
}

static void test_whole_batch(void **state)
{
	static const struct {
		const char *name, *body, *err;
	} cases[] = {
	    {"no rows", "{\"epoch\":1,\"seq\":1,\"rows\":[]}", "non-empty array"},
	    {"rows not array", "{\"epoch\":1,\"seq\":1,\"rows\":{}}", "non-empty array"},
	    {"seq zero", "{\"epoch\":1,\"seq\":0,\"rows\":[{}]}", "from 1"},
	    {"epoch string", "{\"epoch\":\"1\",\"seq\":1,\"rows\":[{}]}", "from 1"},
	    {"stranger", "{\"epoch\":1,\"seq\":1,\"rows\":[{}],\"collector\":\"x\"}",
	     "unknown field \"collector\""},
	    {"truncated", "{\"epoch\":1,\"seq\":1,\"rows\":[{\"unit\":", "not valid JSON"},
	    {"deep", "{\"epoch\":1,\"seq\":1,\"rows\":[{\"a\":[[1]]}]}", "nested deeper"},
	};
	char err[256];
	struct batch *b;
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		err[0] = '\0';
		b = NULL;
		if (batch_decode(cases[i].body, strlen(cases[i].body), &wire_default_limits, &b,
				 err, sizeof err) == 0)
			fail_msg("%s: accepted", cases[i].name);
		assert_null(b);
		CHECK_HAS(cases[i].name, cases[i].err, err);
	}
	struct wire_limits lim = wire_default_limits;
	lim.max_rows = 2;
	const char *three = "{\"epoch\":1,\"seq\":1,\"rows\":[{},{},{}]}";
	assert_int_equal(batch_decode(three, strlen(three), &lim, &b, err, sizeof err), -1);
	CHECK_HAS("row limit", "too many rows: 3, limit 2", err);
}

static void test_encode_round_trip(void **state)
{
	struct batch *b = batch_new(3), *back = NULL;
	char err[256];
	(void)state;
	b->epoch = 123456789012345ULL;
	b->seq = 42;
	const char *texts[] = {"5000", "5.28", "2115025641"};
	for (int i = 0; i < 3; i++) {
		struct batch_row *r = &b->rows[i];
		snprintf(r->unit, sizeof r->unit, "21298");
		snprintf(r->indicator, sizeof r->indicator, "ind_%d", i);
		if (i == 1)
			snprintf(r->date, sizeof r->date, "2024-06-10");
		else
			snprintf(r->period, sizeof r->period, "2024");
		snprintf(r->value.text, sizeof r->value.text, "%s", texts[i]);
		r->value.value = strtod(texts[i], NULL);
		r->value.integer = i != 1;
		r->qualifier = i == 2 ? QUAL_ABOUT : QUAL_NONE;
		snprintf(r->ref, sizeof r->ref, "f.csv:%d", i + 2);
	}
	char *json = batch_encode(b);
	assert_int_equal(
	    batch_decode(json, strlen(json), &wire_default_limits, &back, err, sizeof err), 0);
	assert_true(back->epoch == b->epoch && back->seq == 42 && back->nrows == 3);
	for (int i = 0; i < 3; i++) {
		assert_null(back->rows[i].reason);
		CHECK_STR("value", texts[i], back->rows[i].value.text);
		CHECK_STR("ref", b->rows[i].ref, back->rows[i].ref);
		CHECK_STR("date", b->rows[i].date, back->rows[i].date);
		assert_int_equal(back->rows[i].qualifier, b->rows[i].qualifier);
	}
	free(json);
	batch_destroy(&b);
	batch_destroy(&back);
	batch_destroy(&back); /* safe twice */
}

static void test_ack(void **state)
{
	struct batch_verdict rej[2] = {{3, "unit_out_of_scope", "unit 536 is outside"},
				       {5, "future_period", "period 2031 starts on 2030-12-15"}};
	struct batch_verdict flag[1] = {{1, "superseded", "older"}};
	struct batch_ack a = {9, 4, ACK_DUPLICATE, 10, 2, rej, 1, flag}, back;
	char err[256];
	(void)state;
	char *json = batch_ack_encode(&a);
	assert_int_equal(
	    batch_ack_decode(json, strlen(json), &wire_default_limits, &back, err, sizeof err), 0);
	assert_true(back.epoch == 9 && back.seq == 4 && back.status == ACK_DUPLICATE &&
		    back.accepted == 10 && back.nrejected == 2 && back.nflagged == 1);
	CHECK_STR("code", "future_period", back.rejected[1].code);
	assert_int_equal(back.rejected[1].row, 5);
	CHECK_STR("flag", "superseded", back.flagged[0].code);
	batch_ack_clear(&back);
	free(json);

	static const char *const bad[] = {
	    "{\"epoch\":1,\"seq\":1,\"status\":\"maybe\",\"accepted\":0,\"rejected\":[],"
	    "\"flagged\":[]}",
	    "{\"epoch\":1,\"seq\":1,\"status\":\"committed\",\"accepted\":0,\"rejected\":[{}],"
	    "\"flagged\":[]}",
	    "{\"epoch\":1,\"seq\":1,\"status\":\"committed\",\"accepted\":-1,\"rejected\":[],"
	    "\"flagged\":[]}",
	    "{\"epoch\":1,\"seq\":1,\"status\":\"committed\",\"accepted\":0,\"rejected\":[]}",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(batch_ack_decode(bad[i], strlen(bad[i]), &wire_default_limits,
						  &back, err, sizeof err),
				 -1);
}

static void test_qualifiers(void **state)
{
	(void)state;
	for (int q = QUAL_AT_LEAST; q <= QUAL_ABOUT; q++)
		assert_int_equal(batch_qualifier_parse(batch_qualifier_name((enum qualifier)q)), q);
	CHECK_STR("none", "", batch_qualifier_name(QUAL_NONE));
	assert_int_equal(batch_qualifier_parse("approximately"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rows),
	    cmocka_unit_test(test_whole_batch),
	    cmocka_unit_test(test_encode_round_trip),
	    cmocka_unit_test(test_ack),
	    cmocka_unit_test(test_qualifiers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
