/* agentstate and rejects (agent): the state file round trip, the refused-rows file. */
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agentstate.h"
#include "rejects.h"

static void test_state(void **state)
{
	char *dir = test_tmpdir();
	struct agentstate a = {0}, b;
	(void)state;
	assert_int_equal(agentstate_load(dir, &b), 0); /* missing file: zeros */
	assert_int_equal(b.acked_batches, 0);
	a.last_ack = 1732000000;
	a.acked_batches = 12;
	a.rejected_rows = 3;
	a.duplicate_acks = 1;
	snprintf(a.last_error, sizeof a.last_error, "the province refused a message: revoked");
	snprintf(a.collector, sizeof a.collector, "xa-21298");
	snprintf(a.scope, sizeof a.scope, "21298");
	snprintf(a.server_key, sizeof a.server_key, "rq:rM>}U?@Lns47E1%%kR.o@n%%FcmmsL/@{H8]yf7");
	assert_int_equal(agentstate_save(dir, &a), 0);
	assert_int_equal(agentstate_load(dir, &b), 0);
	assert_int_equal(b.last_ack, a.last_ack);
	assert_int_equal(b.acked_batches, 12);
	assert_int_equal(b.duplicate_acks, 1);
	CHECK_STR("error", a.last_error, b.last_error);
	CHECK_STR("scope", "21298", b.scope);
	CHECK_STR("server key", "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7", b.server_key);
	test_rm_rf(dir);
}

static void test_rejects(void **state)
{
	char *dir = test_tmpdir(), src[256], where[512], text[2048];
	(void)state;
	snprintf(src, sizeof src, "%s/lyson.csv", dir);
	struct batch *b = batch_new(2);
	snprintf(b->rows[1].unit, sizeof b->rows[1].unit, "536");
	snprintf(b->rows[1].indicator, sizeof b->rows[1].indicator,
		 "households_with_digital_address");
	snprintf(b->rows[1].period, sizeof b->rows[1].period, "2024S1");
	snprintf(b->rows[1].value.text, sizeof b->rows[1].value.text, "7779");
	snprintf(b->rows[1].ref, sizeof b->rows[1].ref, "lyson.csv:46");
	struct batch_verdict v = {1, "numerator_exceeds_denominator",
				  "7779 is larger than 6160, \"sent\""};
	struct batch_ack a = {1, 1, ACK_COMMITTED, 1, 1, &v, 0, NULL};
	assert_int_equal(rejects_write(src, dir, b, &a, where, sizeof where), 0);
	assert_int_equal(rejects_write(src, dir, b, &a, where, sizeof where), 0); /* appends */
	CHECK_HAS("beside the input", "lyson.csv.rejected.csv", where);
	FILE *fp = fopen(where, "r");
	size_t n = fread(text, 1, sizeof text - 1, fp);
	text[n] = '\0';
	fclose(fp);
	CHECK_STR(
	    "content",
	    "line,unit,indicator,period,value,qualifier,reason,message\n"
	    "46,536,households_with_digital_address,2024S1,7779,,numerator_exceeds_denominator,"
	    "\"7779 is larger than 6160, \"\"sent\"\"\"\n"
	    "46,536,households_with_digital_address,2024S1,7779,,numerator_exceeds_denominator,"
	    "\"7779 is larger than 6160, \"\"sent\"\"\"\n",
	    text);
	/* an input folder that cannot be written: the outbox's rejected/ folder */
	assert_int_equal(rejects_write("/nonexistent/x.csv", dir, b, &a, where, sizeof where), 0);
	CHECK_HAS("fallback", "/rejected/x.csv.rejected.csv", where);
	/* both places full or missing: -1, nothing written, both named */
	assert_int_equal(
	    rejects_write("/nonexistent/x.csv", "/nonexistent", b, &a, where, sizeof where), -1);
	CHECK_HAS("first place", "/nonexistent/x.csv.rejected.csv", where);
	CHECK_HAS("second place", "/nonexistent/rejected/x.csv.rejected.csv", where);
	batch_destroy(&b);
	test_rm_rf(dir);
}

/* A full disk (/dev/full answers every write with ENOSPC): the failure is seen. */
static void test_rejects_disk_full(void **state)
{
	char err[512] = "";
	const char *f[REJECTS_NCOLUMNS] = {"2", "21298", "population",	  "2031",
					   "5", "",	 "future_period", "kỳ chưa đến"};
	(void)state;
	struct rejects *r = rejects_open("/dev/full", err, sizeof err);
	if (!r)
		skip(); /* no /dev/full here */
	rejects_add(r, f);
	assert_int_equal(rejects_close(&r, err, sizeof err), -1);
	assert_null(r);
	CHECK_HAS("says the disk is full", "ổ đĩa đã đầy", err);
	CHECK_HAS("names the path", "/dev/full", err);
	CHECK_HAS("has strerror", "No space left on device", err);
}

/*
 * `run` and `submit` may append to the same reject file: a writer holds an
 * exclusive lock from rejects_open to rejects_close, so that a failure's
 * truncation and the header test see no one else's rows.
 */
static void test_rejects_lock(void **state)
{
	static const struct {
		const char *name;
		bool exists; /* the file is there before the writer opens it */
		bool closed; /* the writer has closed it when the lock is tried */
		bool granted;
	} cases[] = {
	    {"new file, writer open", false, false, false},
	    {"existing file, writer open", true, false, false},
	    {"writer closed", true, true, true},
	};
	char *dir = test_tmpdir(), path[256], err[512];
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		snprintf(path, sizeof path, "%s/%zu.csv.rejected.csv", dir, i);
		if (cases[i].exists)
			test_write(path, "line\n", 5);
		struct rejects *r = rejects_open(path, err, sizeof err);
		assert_non_null(r);
		if (cases[i].closed)
			assert_int_equal(rejects_close(&r, err, sizeof err), 0);
		int fd = plat_open(PLAT_CWD, path, PLAT_O_WRITE, 0);
		assert_true(fd >= 0);
		int rc = plat_lock(fd, PLAT_LOCK_EX, false);
		if (cases[i].granted ? rc != 0 : rc == 0 || errno != EWOULDBLOCK)
			fail_msg("case %s: flock %d", cases[i].name, rc);
		plat_close(fd);
		if (r)
			assert_int_equal(rejects_close(&r, err, sizeof err), 0);
	}
	test_rm_rf(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_state),
	    cmocka_unit_test(test_rejects),
	    cmocka_unit_test(test_rejects_disk_full),
	    cmocka_unit_test(test_rejects_lock),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
