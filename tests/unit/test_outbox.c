/*
 * Unit tests for outbox, the handle and its files (outbox.c): the put/list/
 * read/remove round trip, keys that stay unique across reopen, an interrupted
 * submit adopted by the next put or open, a bad or lost state file, open
 * errors, and the writers' lock (waited for within its bound, its holder
 * named).  The other parts of the module have their own files:
 * test_outbox_record.c, test_outbox_queue.c, test_outbox_write.c.
 * Each test works in its own directory under /tmp.
 */
#include "test_outbox.h"

#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "testproc.h"

static void test_round_trip(void **state)
{
	static const struct {
		size_t nrows;
		const char *source; /* NULL: none */
		const char *want_source;
	} puts_[] = {
	    {41, "/data/sonnham.csv", "/data/sonnham.csv"},
	    {0, NULL, ""},
	    {1000, "/data/Sơn Nham báo cáo 2024.csv", "/data/Sơn Nham báo cáo 2024.csv"},
	};
	char top[64], ob[80], path[256], err[512];
	struct outbox_record *rec = NULL;
	struct outbox_stats st;
	uint64_t bytes = 0, rows = 0;
	(void)state;

	new_dir(top, sizeof top, ob, sizeof ob);
	time_t t0 = time(NULL);
	struct outbox *o = open_ok(ob, 0);
	assert_true(outbox_epoch(o) >= 1 && outbox_epoch(o) <= INT64_MAX);
	for (size_t i = 0; i < NELEM(puts_); i++) {
		uint64_t seq = put_ok(o, puts_[i].nrows, puts_[i].source, NULL);
		if (seq != i + 1)
			fail_msg("put %zu got seq %" PRIu64, i, seq);
		struct plat_stat sb;
		rec_path(path, sizeof path, ob, "pending", seq);
		assert_int_equal(plat_stat(PLAT_CWD, path, true, &sb), 0);
		/* On Windows plat_stat says 0600 for every file: its access list is what counts. */
		assert_int_equal(sb.perm & 0777, 0600);
		bytes += sb.size;
		rows += puts_[i].nrows;
	}
	time_t t1 = time(NULL);
	expect_list(o, (uint64_t[]){1, 2, 3}, 3, "after three puts");
	for (size_t i = 0; i < NELEM(puts_); i++) {
		assert_int_equal(outbox_read(o, i + 1, &rec, err, sizeof err), 0);
		assert_int_equal(rec->nrows, puts_[i].nrows);
		assert_string_equal(rec->source, puts_[i].want_source);
		assert_true(rec->created >= t0 && rec->created <= t1);
		outbox_record_destroy(&rec);
		outbox_record_destroy(&rec); /* safe twice */
		expect_record(o, i + 1, "round trip");
	}
	assert_int_equal(outbox_stats(o, &st), 0);
	assert_int_equal(st.epoch, outbox_epoch(o));
	assert_int_equal(st.next_seq, 4);
	assert_int_equal(st.pending_batches, 3);
	assert_int_equal(st.pending_rows, rows);
	assert_int_equal(st.pending_bytes, bytes);
	assert_true(st.oldest_created >= t0 && st.oldest_created <= t1);
	assert_int_equal(st.corrupt, 0);
	assert_int_equal(st.refused, 0);

	assert_int_equal(outbox_remove(o, 2), 0);
	assert_int_equal(outbox_remove(o, 2), 0); /* already gone is fine */
	expect_list(o, (uint64_t[]){1, 3}, 2, "after remove");
	assert_int_equal(outbox_read(o, 2, &rec, err, sizeof err), -1);
	assert_non_null(strstr(err, "no pending record 2"));
	assert_null(rec);
	assert_int_equal(count_entries(ob, "corrupt", NULL), 0);
	outbox_close(&o);
	outbox_close(&o); /* safe twice */
	assert_null(o);
	done_dir(top);
}

static void test_keys_across_reopen(void **state)
{
	char top[64], ob[80], top2[64], ob2[80];
	(void)state;

	new_dir(top, sizeof top, ob, sizeof ob);
	struct outbox *o = open_ok(ob, 0);
	uint64_t epoch = outbox_epoch(o);
	assert_int_equal(put_ok(o, 1, NULL, NULL), 1);
	assert_int_equal(put_ok(o, 1, NULL, NULL), 2);
	assert_int_equal(outbox_remove(o, 1), 0);
	assert_int_equal(outbox_remove(o, 2), 0);
	outbox_close(&o);

	/* Emptied and reopened: same epoch, and seqs go on rather than restart. */
	o = open_ok(ob, 0);
	assert_int_equal(outbox_epoch(o), epoch);
	assert_int_equal(put_ok(o, 1, NULL, NULL), 3);
	expect_list(o, (uint64_t[]){3}, 1, "reopened");
	expect_record(o, 3, "reopened");
	outbox_close(&o);

	new_dir(top2, sizeof top2, ob2, sizeof ob2);
	struct outbox *o2 = open_ok(ob2, 0);
	assert_int_not_equal(outbox_epoch(o2), epoch);
	assert_int_equal(put_ok(o2, 1, NULL, NULL), 1);
	outbox_close(&o2);
	done_dir(top);
	done_dir(top2);
}

/* Writes a valid record for seq straight into pending/, as a crashed submit leaves it. */
static void plant_record(const char *ob, uint64_t epoch, uint64_t seq)
{
	char hdr[OBFILE_HEADER_MAX], trailer[OBFILE_TRAILER_LEN + 1], path[256];
	char *body = render(epoch, seq, NULL);
	size_t hl =
	    obfile_header_format(hdr, sizeof hdr, epoch, seq, 1, time(NULL), "", strlen(body));

	obfile_trailer(trailer, hdr, hl, body, strlen(body));
	rec_path(path, sizeof path, ob, "pending", seq);
	FILE *fp = fopen(path, "wb");
	assert_non_null(fp);
	fprintf(fp, "%s%s%s", hdr, body, trailer);
	fclose(fp);
	free(body);
}

static void test_interrupted_submit(void **state)
{
	char top[64], ob[80];
	struct outbox_stats st;
	(void)state;

	/* Seen by a put in another handle: the record is kept and next_seq moves past it. */
	new_dir(top, sizeof top, ob, sizeof ob);
	struct outbox *o = open_ok(ob, 0);
	put_ok(o, 1, NULL, NULL);
	plant_record(ob, outbox_epoch(o), 2);
	expect_list(o, (uint64_t[]){1}, 1, "record at next_seq is not listed");
	assert_int_equal(put_ok(o, 1, NULL, NULL), 3);
	expect_list(o, (uint64_t[]){1, 2, 3}, 3, "adopted by the next put");
	expect_record(o, 2, "adopted by the next put");
	outbox_close(&o);
	done_dir(top);

	/* Seen at open. */
	new_dir(top, sizeof top, ob, sizeof ob);
	o = open_ok(ob, 0);
	put_ok(o, 1, NULL, NULL);
	plant_record(ob, outbox_epoch(o), 2);
	outbox_close(&o);
	o = open_ok(ob, 0);
	assert_int_equal(outbox_stats(o, &st), 0);
	assert_int_equal(st.next_seq, 3);
	expect_list(o, (uint64_t[]){1, 2}, 2, "adopted at open");
	outbox_close(&o);
	done_dir(top);
}

/* Reads ob/state into buf (NUL-terminated); returns its length. */
static size_t read_state(const char *ob, char *buf, size_t size)
{
	char path[256];
	snprintf(path, sizeof path, "%s/state", ob);
	FILE *fp = fopen(path, "rb");
	assert_non_null(fp);
	size_t n = fread(buf, 1, size - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	return n;
}

static void write_state(const char *ob, const char *text, size_t len)
{
	char path[256];
	snprintf(path, sizeof path, "%s/state", ob);
	FILE *fp = fopen(path, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(text, 1, len, fp), len);
	fclose(fp);
}

/* One byte longer than a state file may be (filled in by test_state_file). */
static char state_toolong[OBFILE_STATE_MAX + 2];

/*
 * Damaged states: each is kept in corrupt/, said loudly, and the outbox
 * goes on under a new epoch with next_seq past every pending record, so
 * no key it hands out can be one the province has.  edit: what to do to
 * a good state file ("" to write text instead).
 */
static const struct {
	const char *name;
	const char *text;
	const char *edit;
} state_bad[] = {
    {"garbage", "hello\n", ""},
    {"empty", "", ""},
    {"epoch zero", "epoch 0\nnext_seq 4\nrefused 0\n", ""},
    {"too long", state_toolong, ""},
    {"a digit of next_seq changed", NULL, "next_seq"},
    {"crc line lost", NULL, "cut"},
    {"crc not hex", NULL, "crc"},
};

/* Damages the state file of ob (two records put) as state_bad[i] says. */
static void state_damage(const char *ob, size_t i)
{
	char text[OBFILE_STATE_MAX];
	size_t n = read_state(ob, text, sizeof text);

	if (state_bad[i].text != NULL) {
		write_state(ob, state_bad[i].text, strlen(state_bad[i].text));
	} else if (strcmp(state_bad[i].edit, "next_seq") == 0) {
		char *p = strstr(text, "next_seq 3\n");
		assert_non_null(p);
		p[9] = '2'; /* back in time by one: exactly what must not pass */
		write_state(ob, text, n);
	} else if (strcmp(state_bad[i].edit, "cut") == 0) {
		write_state(ob, text, n - (OBFILE_TRAILER_LEN - 1));
	} else {
		text[n - 2] = 'g';
		write_state(ob, text, n);
	}
}

static void state_damaged_cases(void)
{
	char top[64], ob[80], path[256], err[512];

	for (size_t i = 0; i < NELEM(state_bad); i++) {
		new_dir(top, sizeof top, ob, sizeof ob);
		struct outbox *o = open_ok(ob, 0);
		uint64_t old = outbox_epoch(o);
		put_ok(o, 1, NULL, NULL);
		put_ok(o, 1, NULL, NULL);
		outbox_close(&o);
		state_damage(ob, i);
		o = outbox_open(ob, 0, OUTBOX_LOCK_WAIT_MS, err, sizeof err);
		if (o == NULL)
			fail_msg("case %s: not opened: %s", state_bad[i].name, err);
		if (outbox_epoch(o) == old)
			fail_msg("case %s: the epoch was kept", state_bad[i].name);
		/* next_seq past both records, which keep their keys. */
		assert_int_equal(put_ok(o, 1, NULL, NULL), 3);
		struct outbox_record *rec;
		assert_int_equal(outbox_read(o, 2, &rec, err, sizeof err), 0);
		assert_true(rec->epoch == old);
		outbox_record_destroy(&rec);
		expect_list(o, (uint64_t[]){1, 2, 3}, 3, state_bad[i].name);
		snprintf(path, sizeof path, "%s/corrupt/state", ob);
		if (!exists(path))
			fail_msg("case %s: the damaged state was not kept", state_bad[i].name);
		outbox_close(&o);
		done_dir(top);
	}
}

/* A lost state file: a new epoch, seqs past the records, which keep their keys. */
static void state_lost(void)
{
	char top[64], ob[80], path[256], err[512];

	new_dir(top, sizeof top, ob, sizeof ob);
	struct outbox *o = open_ok(ob, 0);
	uint64_t old = outbox_epoch(o);
	for (int k = 0; k < 3; k++)
		put_ok(o, 1, NULL, NULL);
	outbox_close(&o);
	snprintf(path, sizeof path, "%s/state", ob);
	assert_int_equal(unlink(path), 0);
	o = open_ok(ob, 0);
	assert_int_not_equal(outbox_epoch(o), old);
	assert_int_equal(put_ok(o, 1, NULL, NULL), 4);
	struct outbox_record *rec;
	assert_int_equal(outbox_read(o, 2, &rec, err, sizeof err), 0);
	assert_int_equal(rec->epoch, old);
	outbox_record_destroy(&rec);
	expect_list(o, (uint64_t[]){1, 2, 3, 4}, 4, "lost state");
	outbox_close(&o);
	done_dir(top);
}

/* An older agent's state (no magic, no crc): read, kept, rewritten with a crc. */
static void state_legacy(void)
{
	char top[64], ob[80], text[OBFILE_STATE_MAX];

	new_dir(top, sizeof top, ob, sizeof ob);
	struct outbox *o = open_ok(ob, 0);
	put_ok(o, 1, NULL, NULL);
	outbox_close(&o);
	snprintf(text, sizeof text, "epoch 77\nnext_seq 5\nrefused 2\n");
	write_state(ob, text, strlen(text));
	o = open_ok(ob, 0);
	assert_int_equal(outbox_epoch(o), 77);
	read_state(ob, text, sizeof text);
	if (strncmp(text, OBFILE_STATE_MAGIC "\nepoch 77\nnext_seq 5\nrefused 2\ncrc32 ",
		    strlen(OBFILE_STATE_MAGIC) + 37) != 0)
		fail_msg("legacy state rewritten as \"%s\"", text);
	assert_int_equal(put_ok(o, 1, NULL, NULL), 5);
	outbox_close(&o);
	done_dir(top);
}

static void test_state_file(void **state)
{
	(void)state;
	memset(state_toolong, 'x', OBFILE_STATE_MAX + 1);
	memcpy(state_toolong, "epoch 1\nnext_seq 4\nrefused 0\n", 29);
	state_damaged_cases();
	state_lost();
	state_legacy();
}

static void test_open_errors(void **state)
{
	char top[64], ob[80], path[256], err[512];
	(void)state;

	new_dir(top, sizeof top, ob, sizeof ob);
	snprintf(path, sizeof path, "%s/file", top);
	FILE *fp = fopen(path, "wb");
	assert_non_null(fp);
	fclose(fp);
	const struct {
		const char *name;
		const char *suffix;
		const char *want;
	} cases[] = {
	    {"parent missing", "/missing/ob", "cannot create outbox directory"},
	    {"parent is a file", "/file/ob", "Not a directory"},
	    {"the outbox is a file", "/file", "cannot open outbox directory"},
	};
	for (size_t i = 0; i < NELEM(cases); i++) {
		snprintf(path, sizeof path, "%s%s", top, cases[i].suffix);
		err[0] = '\0';
		struct outbox *o = outbox_open(path, 0, OUTBOX_LOCK_WAIT_MS, err, sizeof err);
		if (o != NULL || strstr(err, cases[i].want) == NULL || strstr(err, path) == NULL)
			fail_msg("case %s: err \"%s\"", cases[i].name, err);
	}
	done_dir(top);
}

/*
 * An outbox still being created (its lock held, no state file yet): open
 * waits for it, within the bound it was given, and then names the holder
 * and the time waited.  The holder here is this process through another
 * open file, which flock treats as another owner.
 */
static void test_open_lock_wait(void **state)
{
	static const struct {
		long long bound_ms;
		const char *want;
	} cases[] = {{0, "đã chờ 0.0 giây"}, {300, "đã chờ 0.3 giây"}};
	char top[64], ob[80], path[128], err[512];
	(void)state;

	for (size_t i = 0; i < NELEM(cases); i++) {
		new_dir(top, sizeof top, ob, sizeof ob);
		assert_int_equal(plat_mkdir(PLAT_CWD, ob, 0700), 0);
		snprintf(path, sizeof path, "%s/lock", ob);
		int fd = plat_open(PLAT_CWD, path, PLAT_O_RDWR | PLAT_O_CREATE, 0600);
		assert_true(fd >= 0);
		assert_int_equal(plat_lock(fd, PLAT_LOCK_EX, true), 0);
		err[0] = '\0';
		struct outbox *o = outbox_open(ob, 0, cases[i].bound_ms, err, sizeof err);
		assert_null(o);
		if (strstr(err, cases[i].want) == NULL)
			fail_msg("bound %lld: %s", cases[i].bound_ms, err);
		plat_close(fd);
		done_dir(top);
	}
}

/*
 * The lock holder (a child): opens <top>/ob, begins a transaction, says it is
 * ready with <top>/ready and waits to be killed.
 */
static int hold_lock(const char *top)
{
	char ob[80], ready[80], err[512];

	snprintf(ob, sizeof ob, "%s/ob", top);
	snprintf(ready, sizeof ready, "%s/ready", top);
	struct outbox *h = outbox_open(ob, 0, OUTBOX_LOCK_WAIT_MS, err, sizeof err);
	struct outbox_txn *t = h ? outbox_begin(h, err, sizeof err) : NULL;
	if (t == NULL || test_child_ready(ready) != 0)
		return 2;
	for (;;)
		plat_sleep_ms(1000);
}

static const struct test_role roles[] = {{"hold_lock", hold_lock}, {NULL, NULL}};

/*
 * A writer stopped while it holds the lock (Ctrl-Z): an open returns at once
 * (its clean-up is skipped), stats answer, and another writer gives up after
 * its bound with a message naming the holder's PID.
 */
static void test_lock_held(void **state)
{
	static const long long bounds_ms[] = {0, 300};
	char top[64], ob[80], ready[80], err[512];
	struct test_child child = {0, NULL};
	(void)state;

	new_dir(top, sizeof top, ob, sizeof ob);
	struct outbox *o = open_ok(ob, 0);
	put_ok(o, 1, NULL, NULL);
	outbox_close(&o);
	snprintf(ready, sizeof ready, "%s/ready", top);
	assert_int_equal(test_child_start(&roles[0], top, &child), 0);
	assert_true(test_wait_file(ready, 60));
	for (size_t i = 0; i < sizeof bounds_ms / sizeof bounds_ms[0]; i++) {
		o = outbox_open(ob, 0, bounds_ms[i], err, sizeof err);
		if (o == NULL)
			fail_msg("open while the lock is held: %s", err);
		struct outbox_stats st;
		assert_int_equal(outbox_stats(o, &st), 0);
		assert_int_equal(st.pending_batches, 1);
		struct timespec a, b;
		clock_gettime(CLOCK_MONOTONIC, &a);
		struct outbox_txn *t = outbox_begin(o, err, sizeof err);
		clock_gettime(CLOCK_MONOTONIC, &b);
		long long waited = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
		assert_null(t);
		char want[32];
		snprintf(want, sizeof want, "PID %ld", child.pid);
		/* Skipped on Windows: plat_lock_holder names no holder there (no Restart Manager).
		 */
		if (TEST_FORKS && strstr(err, want) == NULL)
			fail_msg("the holder not named (%s): %s", want, err);
		/* At least the bound (monotonic clock); no upper bound, which would be a
		 * speed: a writer that waited for ever is caught by the test's timeout. */
		if (waited < bounds_ms[i])
			fail_msg("waited %lld ms for a bound of %lld", waited, bounds_ms[i]);
		outbox_close(&o);
	}
	test_child_kill(&child);
	/* The holder gone, the lock is free again. */
	o = open_ok(ob, 0);
	struct outbox_txn *t = outbox_begin(o, err, sizeof err);
	assert_non_null(t);
	outbox_abort(&t);
	outbox_close(&o);
	done_dir(top);
}

int main(int argc, char **argv)
{
	test_child_main(argc, argv, roles);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_round_trip),	       cmocka_unit_test(test_keys_across_reopen),
	    cmocka_unit_test(test_interrupted_submit), cmocka_unit_test(test_state_file),
	    cmocka_unit_test(test_open_lock_wait),     cmocka_unit_test(test_open_errors),
	    cmocka_unit_test(test_lock_held),
	};
	/* Warnings about moved records are expected here; keep the output to cmocka's. */
	log_init("test_outbox", LOGL_ERR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
