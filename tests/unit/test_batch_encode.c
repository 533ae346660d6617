/*
 * Unit tests for batch, encoding a BATCH body: the exact text a peer receives
 * from decoded rows and from rows an agent built, a row's size exact to the
 * byte, and round trips through decode and encode.
 */
#include "test_batch.h"

#define HEADER_BATCH                                                                               \
	"{\"epoch\":1732000000,\"seq\":7,\"rows\":["                                               \
	"{\"unit\":\"21298\",\"indicator\":\"internet_users\",\"period\":\"2024\","                \
	"\"value\":264,\"ref\":\"sonnham.csv:12\"},"                                               \
	"{\"unit\":\"21298\",\"indicator\":\"digital_skills_learners\",\"period\":\"2024\","       \
	"\"value\":2000,\"qualifier\":\"at_least\",\"note\":\"\u01b0\u1edbc t\u00ednh\"},"         \
	"{\"unit\":\"536\",\"indicator\":\"dossiers_received\",\"date\":\"2024-06-10\","           \
	"\"value\":3380}]}"

/* Decode then encode: the exact text a peer receives. */
static void test_encode_text(void **state)
{
	static const struct {
		const char *name, *in, *out;
	} cases[] = {
	    {"header example", HEADER_BATCH, HEADER_BATCH},
	    {"field order and spacing",
	     "{ \"rows\" : [ {\"value\":5.28,\"period\":\"2024\",\"indicator\":\"a\","
	     "\"unit\":\"1\"} ], \"seq\":2, \"epoch\":3 }",
	     "{\"epoch\":3,\"seq\":2,\"rows\":[{\"unit\":\"1\",\"indicator\":\"a\","
	     "\"period\":\"2024\",\"value\":5.28}]}"},
	    {"reals in canonical form",
	     "{\"epoch\":1,\"seq\":1,\"rows\":["
	     "{\"unit\":\"1\",\"indicator\":\"a\",\"period\":\"1\",\"value\":264.0},"
	     "{\"unit\":\"1\",\"indicator\":\"a\",\"period\":\"1\",\"value\":0.3000},"
	     "{\"unit\":\"1\",\"indicator\":\"a\",\"period\":\"1\",\"value\":1e-5},"
	     "{\"unit\":\"1\",\"indicator\":\"a\",\"period\":\"1\",\"value\":-0.0}]}",
	     "{\"epoch\":1,\"seq\":1,\"rows\":["
	     "{\"unit\":\"1\",\"indicator\":\"a\",\"period\":\"1\",\"value\":264},"
	     "{\"unit\":\"1\",\"indicator\":\"a\",\"period\":\"1\",\"value\":0.3},"
	     "{\"unit\":\"1\",\"indicator\":\"a\",\"period\":\"1\",\"value\":1e-5},"
	     "{\"unit\":\"1\",\"indicator\":\"a\",\"period\":\"1\",\"value\":0}]}"},
	    {"empty ref omitted",
	     "{\"epoch\":1,\"seq\":1,\"rows\":[{\"unit\":\"1\",\"indicator\":\"a\","
	     "\"period\":\"1\",\"value\":1,\"ref\":\"\"}]}",
	     "{\"epoch\":1,\"seq\":1,\"rows\":[{\"unit\":\"1\",\"indicator\":\"a\","
	     "\"period\":\"1\",\"value\":1}]}"},
	    {"empty note omitted, a note after ref",
	     "{\"epoch\":1,\"seq\":1,\"rows\":[{\"note\":\"\",\"unit\":\"1\",\"indicator\":\"a\","
	     "\"period\":\"1\",\"value\":1},{\"note\":\"n\",\"ref\":\"r\",\"unit\":\"1\","
	     "\"indicator\":\"a\",\"period\":\"1\",\"value\":1}]}",
	     "{\"epoch\":1,\"seq\":1,\"rows\":[{\"unit\":\"1\",\"indicator\":\"a\","
	     "\"period\":\"1\",\"value\":1},{\"unit\":\"1\",\"indicator\":\"a\","
	     "\"period\":\"1\",\"value\":1,\"ref\":\"r\",\"note\":\"n\"}]}"},
	};
	char err[256];
	(void)state;
	for (size_t i = 0; i < N(cases); i++) {
		struct batch *b = NULL;
		if (batch_decode(cases[i].in, strlen(cases[i].in), NULL, &b, err, sizeof err))
			fail_msg("case \"%s\": refused: %s", cases[i].name, err);
		char *text = batch_encode(b);
		if (!text || strcmp(text, cases[i].out) != 0)
			fail_msg("case \"%s\": encoded %s\nwant %s", cases[i].name, text,
				 cases[i].out);
		free(text);
		batch_destroy(&b);
	}
}

/* Rows built by an agent (from num_parse) rather than decoded. */
static void test_encode_built(void **state)
{
	static const struct {
		const char *name;
		struct num value;
		const char *json;
	} cases[] = {
	    {"integer text", {.value = 1463, .integer = true, .text = "1463"}, "1463"},
	    {"text wins over value", {.value = 1, .integer = true, .text = "1463"}, "1463"},
	    {"decimal text", {.value = 60.87, .integer = false, .text = "60.87"}, "60.87"},
	    {"no text: the double", {.value = 2.5, .integer = false, .text = ""}, "2.5"},
	    {"integer past 2^53 as real",
	     {.value = 1e16, .integer = true, .text = "10000000000000000"},
	     "1e16"},
	    {"negative", {.value = -12, .integer = true, .text = "-12"}, "-12"},
	};
	char want[256];
	(void)state;
	for (size_t i = 0; i < N(cases); i++) {
		struct batch *b = batch_new(1);
		assert_non_null(b);
		b->epoch = 9;
		b->seq = 1;
		snprintf(b->rows[0].unit, sizeof b->rows[0].unit, "21298");
		snprintf(b->rows[0].indicator, sizeof b->rows[0].indicator, "x");
		snprintf(b->rows[0].period, sizeof b->rows[0].period, "2024S1");
		snprintf(b->rows[0].date, sizeof b->rows[0].date, "2024-06-10"); /* period wins */
		b->rows[0].value = cases[i].value;
		snprintf(want, sizeof want,
			 "{\"epoch\":9,\"seq\":1,\"rows\":[{\"unit\":\"21298\",\"indicator\":\"x\","
			 "\"period\":\"2024S1\",\"value\":%s}]}",
			 cases[i].json);
		char *text = batch_encode(b);
		if (!text || strcmp(text, want) != 0)
			fail_msg("case \"%s\": encoded %s\nwant %s", cases[i].name, text, want);
		free(text);
		batch_destroy(&b);
	}

	struct batch *b = batch_new(1);
	b->epoch = b->seq = 1;
	b->rows[0].value.value = 1.0 / 0.0;
	assert_null(batch_encode(b)); /* not finite: refused, not sent */
	b->rows[0].value.value = 0;
	snprintf(b->rows[0].ref, sizeof b->rows[0].ref,
		 "a\xff"
		 "b");
	char *text = batch_encode(b);
	assert_string_equal(text,
			    "{\"epoch\":1,\"seq\":1,\"rows\":[{\"unit\":\"\","
			    "\"indicator\":\"\",\"period\":\"\",\"value\":0.0,\"ref\":\"a?b\"}]}");
	free(text);
	batch_destroy(&b);

	b = batch_new(0);
	assert_non_null(b);
	assert_int_equal(b->nrows, 0);
	assert_null(b->rows);
	batch_destroy(&b);
}

/* batch_row_size is exact, so that the agent can cut batches under max_body by it. */
static void test_row_size(void **state)
{
	static const char head[] = "{\"epoch\":9223372036854775807,\"seq\":9223372036854775807,"
				   "\"rows\":[]}";
	struct batch *b = batch_new(3);
	size_t sum = 0;
	(void)state;

	assert_non_null(b);
	b->epoch = b->seq = INT64_MAX;
	for (size_t i = 0; i < b->nrows; i++) {
		struct batch_row *r = &b->rows[i];
		snprintf(r->unit, sizeof r->unit, "1234567890123456");
		snprintf(r->indicator, sizeof r->indicator, "%s", A64);
		snprintf(r->period, sizeof r->period, "2024M12");
		snprintf(r->value.text, sizeof r->value.text, "-0.00000000000001");
		r->value.value = -1e-14;
		r->qualifier = QUAL_AT_LEAST;
		snprintf(r->ref, sizeof r->ref, "%s", i == 1 ? "\"quoted\\\"" : A128);
		snprintf(r->note, sizeof r->note, "%s", i == 2 ? "ước tính" : A240);
		sum += batch_row_size(r);
	}
	char *text = batch_encode(b);
	assert_non_null(text);
	assert_int_equal(strlen(text), strlen(head) + sum + b->nrows - 1);
	assert_true(strlen(head) <= BATCH_HEAD_MAX);
	free(text);
	batch_destroy(&b);
}

/* Whatever decodes cleanly decodes to the same rows after encoding. */
static void test_round_trip(void **state)
{
	static const char *const bodies[] = {
	    HEADER_BATCH,
	    "{\"epoch\":9223372036854775807,\"seq\":9223372036854775807,\"rows\":["
	    "{\"unit\":\"1\",\"indicator\":\"a\",\"period\":\"1\",\"value\":-1.2345e-11},"
	    "{\"unit\":\"1\",\"indicator\":\"a\",\"period\":\"1\",\"value\":999999999999999},"
	    "{\"unit\":\"1\",\"indicator\":\"a\",\"period\":\"1\",\"value\":0.123456789012345,"
	    "\"qualifier\":\"about\",\"ref\":\"x\\\"y\\\\z\",\"note\":\"\u01b0\u1edbc "
	    "\\\"t\u00ednh\\\"\"}]}",
	};
	char err[256];
	(void)state;
	for (size_t i = 0; i < N(bodies); i++) {
		struct batch *a = NULL, *b = NULL;
		assert_int_equal(
		    batch_decode(bodies[i], strlen(bodies[i]), NULL, &a, err, sizeof err), 0);
		char *text = batch_encode(a);
		assert_non_null(text);
		assert_int_equal(batch_decode(text, strlen(text), NULL, &b, err, sizeof err), 0);
		assert_true(a->epoch == b->epoch && a->seq == b->seq && a->nrows == b->nrows);
		for (size_t j = 0; j < a->nrows; j++) {
			const struct batch_row *x = &a->rows[j], *y = &b->rows[j];
			if (x->reason || y->reason || strcmp(x->unit, y->unit) ||
			    strcmp(x->indicator, y->indicator) || strcmp(x->period, y->period) ||
			    strcmp(x->date, y->date) || strcmp(x->value.text, y->value.text) ||
			    x->value.value != y->value.value ||
			    x->value.integer != y->value.integer || x->qualifier != y->qualifier ||
			    strcmp(x->ref, y->ref) || strcmp(x->note, y->note))
				fail_msg("body %zu row %zu differs after %s", i, j, text);
		}
		free(text);
		batch_destroy(&a);
		batch_destroy(&b);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_encode_text),
	    cmocka_unit_test(test_encode_built),
	    cmocka_unit_test(test_row_size),
	    cmocka_unit_test(test_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
