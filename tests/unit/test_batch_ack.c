/*
 * Unit tests for batch, the ACK body in both directions: encode and decode
 * (messages cut on a character boundary), the verdicts sorted by row, and
 * every way an ACK is refused.
 */
#include "test_batch.h"

#define ACK_OK                                                                                     \
	"{\"epoch\":1732000000,\"seq\":7,\"status\":\"committed\",\"accepted\":2,"                 \
	"\"rejected\":[{\"row\":2,\"code\":\"unit_out_of_scope\",\"message\":\"unit 536 is "       \
	"not in scope 21298\"}],\"flagged\":[{\"row\":0,\"code\":\"outlier\",\"message\":\"\"}]}"

static void test_ack_codec(void **state)
{
	struct batch_verdict rej[2] = {{.row = 4294967295u, .code = "bad_value"},
				       {.row = 0, .code = "unit_retired", .message = "x"}};
	struct batch_ack a = {.epoch = 5,
			      .seq = 6,
			      .status = ACK_DUPLICATE,
			      .accepted = 0,
			      .nrejected = 2,
			      .rejected = rej};
	char err[256], *text;
	(void)state;

	/* 238 bytes and a character cut mid-way: the partial character is dropped. */
	memset(rej[0].message, 'a', 238);
	memcpy(rej[0].message + 238, "\xe1\xbb", 2);
	text = batch_ack_encode(&a);
	assert_string_equal(text, "{\"epoch\":5,\"seq\":6,\"status\":\"duplicate\",\"accepted\":0,"
				  "\"rejected\":[{\"row\":4294967295,\"code\":\"bad_value\","
				  "\"message\":\"" A128 A64
				  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"},"
				  "{\"row\":0,\"code\":\"unit_retired\",\"message\":\"x\"}],"
				  "\"flagged\":[]}");
	struct batch_ack back;
	assert_int_equal(batch_ack_decode(text, strlen(text), NULL, &back, err, sizeof err), 0);
	assert_true(back.epoch == 5 && back.seq == 6 && back.status == ACK_DUPLICATE);
	assert_int_equal(back.nrejected, 2);
	assert_int_equal(back.rejected[0].row, 4294967295u);
	assert_int_equal(strlen(back.rejected[0].message), 238);
	assert_string_equal(back.rejected[1].code, "unit_retired");
	assert_int_equal(back.nflagged, 0);
	assert_null(back.flagged);
	batch_ack_clear(&back);
	batch_ack_clear(&back); /* safe twice */
	free(text);

	assert_int_equal(batch_ack_decode(ACK_OK, strlen(ACK_OK), NULL, &back, err, sizeof err), 0);
	assert_true(back.status == ACK_COMMITTED && back.accepted == 2);
	assert_string_equal(back.rejected[0].message, "unit 536 is not in scope 21298");
	assert_string_equal(back.flagged[0].code, "outlier");
	text = batch_ack_encode(&back);
	assert_string_equal(text, ACK_OK);
	free(text);
	batch_ack_clear(&back);

	/* A reused key: refused whole, one verdict for the batch, and back again. */
	static const char reused[] =
	    "{\"epoch\":9,\"seq\":3,\"status\":\"key_reused\",\"accepted\":0,\"rejected\":"
	    "[{\"row\":0,\"code\":\"key_reused\",\"message\":\"m\"}],\"flagged\":[]}";
	assert_int_equal(batch_ack_decode(reused, strlen(reused), NULL, &back, err, sizeof err), 0);
	assert_true(back.status == ACK_KEY_REUSED && back.accepted == 0 && back.nrejected == 1);
	assert_string_equal(back.rejected[0].code, "key_reused");
	text = batch_ack_encode(&back);
	assert_string_equal(text, reused);
	free(text);
	batch_ack_clear(&back);
}

/* Verdicts as "row:code,..." for comparing an ACK after batch_ack_sort. */
static void verdicts_text(const struct batch_verdict *v, size_t n, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%u:%s", i ? "," : "", v[i].row,
					v[i].code);
}

/* rejected and flagged by row ascending, a row once in rejected, never in both. */
static void test_ack_sort(void **state)
{
	static const struct {
		const char *name;
		const char *rejected, *flagged; /* "row:code,..." as read from SQL */
		const char *want_rejected, *want_flagged;
	} cases[] = {
	    {"empty", "", "", "", ""},
	    {"already sorted", "0:bad_row,2:bad_value", "1:outlier", "0:bad_row,2:bad_value",
	     "1:outlier"},
	    {"reversed", "9:bad_row,4:unknown_unit,1:bad_value", "7:outlier,3:superseded",
	     "1:bad_value,4:unknown_unit,9:bad_row", "3:superseded,7:outlier"},
	    {"a row twice in rejected", "5:unknown_unit,5:bad_row,2:bad_row", "",
	     "2:bad_row,5:bad_row", ""},
	    {"a rejected row is not flagged", "3:bad_row", "3:outlier,1:outlier,3:sum_mismatch",
	     "3:bad_row", "1:outlier"},
	    {"several flags of one row kept, by code", "", "4:sum_mismatch,4:outlier,0:outlier", "",
	     "0:outlier,4:outlier,4:sum_mismatch"},
	};
	(void)state;
	for (size_t i = 0; i < N(cases); i++) {
		struct batch_verdict rej[8] = {{0}}, flag[8] = {{0}};
		struct batch_ack a = {.rejected = rej, .flagged = flag};
		const char *lists[2] = {cases[i].rejected, cases[i].flagged};
		struct batch_verdict *into[2] = {rej, flag};
		size_t *counts[2] = {&a.nrejected, &a.nflagged};
		char got[256];
		for (int k = 0; k < 2; k++) {
			char copy[256], *save = NULL;
			snprintf(copy, sizeof copy, "%s", lists[k]);
			for (char *t = strtok_r(copy, ",", &save); t;
			     t = strtok_r(NULL, ",", &save)) {
				struct batch_verdict *v = &into[k][(*counts[k])++];
				v->row = (uint32_t)strtoul(t, NULL, 10);
				snprintf(v->code, sizeof v->code, "%s", strchr(t, ':') + 1);
			}
		}
		batch_ack_sort(&a);
		verdicts_text(a.rejected, a.nrejected, got, sizeof got);
		if (strcmp(got, cases[i].want_rejected) != 0)
			fail_msg("case \"%s\": rejected %s", cases[i].name, got);
		verdicts_text(a.flagged, a.nflagged, got, sizeof got);
		if (strcmp(got, cases[i].want_flagged) != 0)
			fail_msg("case \"%s\": flagged %s", cases[i].name, got);
	}
}

static void test_ack_refused(void **state)
{
	static const struct wire_limits one = {.max_body = 4096, .max_rows = 1, .max_depth = 4};
#define ACK_HEAD "{\"epoch\":1,\"seq\":2,\"status\":\"committed\",\"accepted\":1,"
#define V0	 "{\"row\":0,\"code\":\"outlier\",\"message\":\"m\"}"
	static const struct {
		const char *name, *body;
		const struct wire_limits *lim;
		const char *fragment;
	} cases[] = {
	    {"not JSON", "{", NULL, "invalid JSON"},
	    {"status unknown",
	     "{\"epoch\":1,\"seq\":2,\"status\":\"ok\",\"accepted\":1,\"rejected\":[],"
	     "\"flagged\":[]}",
	     NULL, "field \"status\": expected \"committed\", \"duplicate\" or \"key_reused\""},
	    {"status number",
	     "{\"epoch\":1,\"seq\":2,\"status\":1,\"accepted\":1,\"rejected\":[],\"flagged\":[]}",
	     NULL, "field \"status\": expected \"committed\", \"duplicate\" or \"key_reused\""},
	    {"status missing",
	     "{\"epoch\":1,\"seq\":2,\"accepted\":1,\"rejected\":[],\"flagged\":[]}", NULL,
	     "missing field \"status\""},
	    {"epoch 0",
	     "{\"epoch\":0,\"seq\":2,\"status\":\"committed\",\"accepted\":1,\"rejected\":[],"
	     "\"flagged\":[]}",
	     NULL, "field \"epoch\": 0 is out of range"},
	    {"accepted negative",
	     "{\"epoch\":1,\"seq\":2,\"status\":\"committed\",\"accepted\":-1,\"rejected\":[],"
	     "\"flagged\":[]}",
	     NULL, "field \"accepted\": -1 is out of range"},
	    {"rejected missing", ACK_HEAD "\"flagged\":[]}", NULL, "missing field \"rejected\""},
	    {"flagged missing", ACK_HEAD "\"rejected\":[]}", NULL, "missing field \"flagged\""},
	    {"rejected object", ACK_HEAD "\"rejected\":{},\"flagged\":[]}", NULL,
	     "field \"rejected\": expected an array, got an object"},
	    {"too many verdicts", ACK_HEAD "\"rejected\":[" V0 "," V0 "],\"flagged\":[]}", &one,
	     "field \"rejected\": 2 verdicts, limit 1"},
	    {"verdict not object", ACK_HEAD "\"rejected\":[3],\"flagged\":[]}", NULL,
	     "rejected[0]: expected an object, got a number"},
	    {"verdict row too big",
	     ACK_HEAD "\"rejected\":[{\"row\":4294967296,\"code\":\"x\",\"message\":\"\"}],"
		      "\"flagged\":[]}",
	     NULL, "rejected[0]: field \"row\": 4294967296 is out of range 0..4294967295"},
	    {"verdict code too long",
	     ACK_HEAD "\"rejected\":[],\"flagged\":[" V0 ",{\"row\":1,\"code\":"
		      "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\",\"message\":\"\"}]}",
	     NULL, "flagged[1]: field \"code\": 33 bytes, limit 32"},
	    {"verdict message too long",
	     ACK_HEAD "\"rejected\":[{\"row\":1,\"code\":\"x\",\"message\":\"" A240 "b\"}],"
		      "\"flagged\":[]}",
	     NULL, "rejected[0]: field \"message\": 241 bytes, limit 240"},
	    {"verdict unknown field",
	     ACK_HEAD "\"rejected\":[{\"row\":1,\"code\":\"x\",\"message\":\"\",\"raw\":1}],"
		      "\"flagged\":[]}",
	     NULL, "rejected[0]: unknown field \"raw\""},
	    {"verdict code missing",
	     ACK_HEAD "\"rejected\":[{\"row\":1,\"message\":\"\"}],\"flagged\":[]}", NULL,
	     "rejected[0]: missing field \"code\""},
	    {"unknown top field", ACK_HEAD "\"rejected\":[],\"flagged\":[],\"x\":1}", NULL,
	     "unknown field \"x\""},
	};
#undef ACK_HEAD
#undef V0
	char err[256];
	(void)state;
	for (size_t i = 0; i < N(cases); i++) {
		struct batch_ack a;
		err[0] = '\0';
		if (batch_ack_decode(cases[i].body, strlen(cases[i].body), cases[i].lim, &a, err,
				     sizeof err) != -1)
			fail_msg("case \"%s\": accepted", cases[i].name);
		if (a.rejected || a.flagged || a.nrejected || a.nflagged)
			fail_msg("case \"%s\": arrays left behind", cases[i].name);
		if (!strstr(err, cases[i].fragment))
			fail_msg("case \"%s\": error \"%s\" lacks \"%s\"", cases[i].name, err,
				 cases[i].fragment);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ack_codec),
	    cmocka_unit_test(test_ack_sort),
	    cmocka_unit_test(test_ack_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
