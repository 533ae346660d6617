/* outbox: records round trip, epoch and seq across reopen, damaged records moved
 * aside (never sent, never deleted), the size cap, failed renders. */
#include "testutil.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include "outbox.h"

static char *render_text(uint64_t epoch, uint64_t seq, void *arg)
{
	char *buf = malloc(256);
	snprintf(buf, 256, "{\"epoch\":%llu,\"seq\":%llu,\"rows\":[%s]}", (unsigned long long)epoch,
		 (unsigned long long)seq, (const char *)arg);
	return buf;
}

static char *render_fail(uint64_t epoch, uint64_t seq, void *arg)
{
	(void)epoch;
	(void)seq;
	(void)arg;
	return NULL;
}

static int count_files(const char *dir)
{
	DIR *d = opendir(dir);
	int n = 0;
	for (struct dirent *e; d && (e = readdir(d)) != NULL;)
		n += e->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

static void test_round_trip(void **state)
{
	char *dir = test_tmpdir(), err[512];
	uint64_t seq, *seqs, epoch;
	size_t n;
	(void)state;
	struct outbox *o = outbox_open(dir, 0, err, sizeof err);
	assert_non_null(o);
	epoch = outbox_epoch(o);
	assert_true(epoch > 0);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(
		    outbox_put(o, 2, "/x/a.csv", render_text, "{}", &seq, err, sizeof err), 0);
		assert_int_equal(seq, (uint64_t)i + 1);
	}
	assert_int_equal(outbox_list(o, &seqs, &n), 0);
	assert_int_equal(n, 3);
	assert_true(seqs[0] == 1 && seqs[2] == 3);
	free(seqs);
	struct outbox_record *r;
	assert_int_equal(outbox_read(o, 2, &r, err, sizeof err), 0);
	CHECK_STR("source", "/x/a.csv", r->source);
	assert_true(r->seq == 2 && r->epoch == epoch && r->nrows == 2);
	CHECK_HAS("body", "\"seq\":2", r->body);
	outbox_record_destroy(&r);
	outbox_record_destroy(&r);
	struct outbox_stats st;
	outbox_stats(o, &st);
	assert_int_equal(st.pending_batches, 3);
	assert_int_equal(st.pending_rows, 6);
	assert_int_equal(outbox_remove(o, 2), 0);
	assert_int_equal(outbox_remove(o, 2), 0); /* already gone is fine */
	outbox_close(&o);

	/* reopen: same epoch, seq goes on, removed record stays removed */
	o = outbox_open(dir, 0, err, sizeof err);
	assert_int_equal(outbox_epoch(o), epoch);
	assert_int_equal(outbox_put(o, 1, "", render_text, "{}", &seq, err, sizeof err), 0);
	assert_int_equal(seq, 4);
	assert_int_equal(outbox_list(o, &seqs, &n), 0);
	assert_int_equal(n, 3);
	free(seqs);
	outbox_close(&o);

	/* a new outbox never reuses the epoch */
	char *dir2 = strdup(test_tmpdir());
	struct outbox *o2 = outbox_open(dir2, 0, err, sizeof err);
	assert_true(outbox_epoch(o2) != epoch);
	outbox_close(&o2);
	test_rm_rf(dir2);
	free(dir2);
	test_rm_rf(dir);
}

/* Damage done to record 1; record 2 stays good. */
static void test_damage(void **state)
{
	static const struct {
		const char *name;
		long truncate_at; /* -1: no truncation */
		long flip_at;	  /* byte to flip, -1 none; negative from end: -2 - offset */
	} cases[] = {
	    {"truncated in header", 20, -1},  {"truncated in body", 120, -1},
	    {"truncated crc", -3, -1},	      {"flipped magic", -1, 0},
	    {"flipped header digit", -1, 22}, {"flipped body byte", -1, 130},
	    {"flipped crc digit", -1, -4},    {"empty file", 0, -1},
	};
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *dir = test_tmpdir(), err[512], path[512], corrupt[512];
		uint64_t seq, *seqs;
		size_t n;
		struct outbox *o = outbox_open(dir, 0, err, sizeof err);
		outbox_put(o, 1, "/a.csv", render_text, "{\"unit\":\"1\",\"indicator\":\"x\"}",
			   &seq, err, sizeof err);
		outbox_put(o, 1, "/a.csv", render_text, "{}", &seq, err, sizeof err);
		outbox_close(&o);
		snprintf(path, sizeof path, "%s/pending/%020d.batch", dir, 1);
		FILE *fp = fopen(path, "r+b");
		fseek(fp, 0, SEEK_END);
		long size = ftell(fp);
		if (cases[i].flip_at != -1) {
			long at =
			    cases[i].flip_at >= 0 ? cases[i].flip_at : size + cases[i].flip_at;
			fseek(fp, at, SEEK_SET);
			int c = fgetc(fp);
			fseek(fp, at, SEEK_SET);
			fputc(c ^ 0x01, fp);
		}
		fclose(fp);
		if (cases[i].truncate_at != -1)
			assert_int_equal(truncate(path, cases[i].truncate_at >= 0
							    ? cases[i].truncate_at
							    : size + cases[i].truncate_at),
					 0);
		o = outbox_open(dir, 0, err, sizeof err);
		assert_non_null(o);
		assert_int_equal(outbox_list(o, &seqs, &n), 0);
		if (n != 1 || seqs[0] != 2)
			fail_msg("%s: %zu records pending after open", cases[i].name, n);
		free(seqs);
		snprintf(corrupt, sizeof corrupt, "%s/corrupt", dir);
		CHECK_INT(cases[i].name, 1, count_files(corrupt));
		struct outbox_stats st;
		outbox_stats(o, &st);
		CHECK_INT(cases[i].name, 1, st.corrupt);
		/* the next seq is never reused even though record 1 is gone */
		outbox_put(o, 1, "", render_text, "{}", &seq, err, sizeof err);
		CHECK_INT(cases[i].name, 3, seq);
		outbox_close(&o);
		test_rm_rf(dir);
	}
}

static void test_leftovers_and_cap(void **state)
{
	char *dir = test_tmpdir(), err[512], tmp[512], pending[512];
	uint64_t seq;
	(void)state;
	struct outbox *o = outbox_open(dir, 0, err, sizeof err);
	outbox_close(&o);
	snprintf(tmp, sizeof tmp, "%s/pending/.tmp-7-12345", dir);
	test_write(tmp, "half a rec", 10);
	o = outbox_open(dir, 2000, err, sizeof err);
	assert_int_not_equal(access(tmp, F_OK), 0); /* a crashed write's leftover is removed */
	int put = 0;
	while (outbox_put(o, 1, "", render_text, "{}", &seq, err, sizeof err) == 0)
		put++;
	assert_true(put >= 1 && put < 20);
	CHECK_HAS("cap message", "outbox full", err);
	CHECK_HAS("cap advice", "chiso-agent run", err);
	snprintf(pending, sizeof pending, "%s/pending", dir);
	assert_int_equal(count_files(pending), put); /* nothing partial left behind */
	struct outbox_stats st;
	outbox_stats(o, &st);
	assert_int_equal(st.refused, 1);
	assert_int_equal(outbox_remove(o, 1), 0);
	assert_int_equal(outbox_put(o, 1, "", render_text, "{}", &seq, err, sizeof err), 0);
	assert_int_equal(seq, (uint64_t)put + 1);
	/* a failing render consumes no seq */
	assert_int_equal(outbox_put(o, 1, "", render_fail, NULL, &seq, err, sizeof err), -1);
	outbox_remove(o, 2);
	assert_int_equal(outbox_put(o, 1, "", render_text, "{}", &seq, err, sizeof err), 0);
	assert_int_equal(seq, (uint64_t)put + 2);
	outbox_close(&o);
	test_rm_rf(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_round_trip),
	    cmocka_unit_test(test_damage),
	    cmocka_unit_test(test_leftovers_and_cap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
