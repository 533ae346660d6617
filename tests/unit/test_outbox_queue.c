/*
 * Unit tests for outbox, the views over pending/ (outbox_queue.c): two
 * writers in separate processes racing a reader that lists, reads and
 * removes, and the index of submitted files with its hash.
 * Each test works in its own directory under /tmp.
 */
#include "test_outbox.h"

#include <time.h>

#include "log.h"
#include "testproc.h"

/*
 * A writer (a child process), arg "N OB OUT": puts N records through its own
 * handle on OB, writing each seq into the file OUT, which the test reads once
 * the writers are done (a file rather than a pipe: Windows starts the child
 * afresh, without the parent's descriptors).
 */
static int writer(const char *arg)
{
	char ob[80], out[96], err[512];
	int n;

	if (sscanf(arg, "%d %79s %95s", &n, ob, out) != 3)
		return 4;
	int fd = plat_open(PLAT_CWD, out, PLAT_O_WRITE | PLAT_O_CREATE | PLAT_O_TRUNC, 0600);
	struct outbox *o = outbox_open(ob, 0, OUTBOX_LOCK_WAIT_MS, err, sizeof err);
	if (fd < 0 || o == NULL)
		return 2;
	for (int i = 0; i < n; i++) {
		uint64_t seq;
		if (outbox_put(o, 1, NULL, render, NULL, &seq, err, sizeof err) != 0 ||
		    plat_write_all(fd, &seq, sizeof seq) != 0) {
			fprintf(stderr, "writer: put %d: %s\n", i, err);
			return 3;
		}
	}
	outbox_close(&o);
	return plat_close(fd) == 0 ? 0 : 3;
}

static const struct test_role roles[] = {{"writer", writer}, {NULL, NULL}};

static void test_writers_and_reader(void **state)
{
	enum { WRITERS = 2, EACH = 25, TOTAL = WRITERS * EACH };
	char top[64], ob[80], err[512], arg[256], out[WRITERS][96];
	bool put_seen[TOTAL + 1] = {false}, sent[TOTAL + 1] = {false};
	int nsent = 0;
	struct test_child kids[WRITERS] = {{0, NULL}};
	(void)state;

	new_dir(top, sizeof top, ob, sizeof ob);
	struct outbox *o = open_ok(ob, 0);
	for (int w = 0; w < WRITERS; w++) {
		snprintf(out[w], sizeof out[w], "%s/seqs%d", top, w);
		snprintf(arg, sizeof arg, "%d %s %s", EACH, ob, out[w]);
		assert_int_equal(test_child_start(&roles[0], arg, &kids[w]), 0);
	}
	/* The reader: what run does, list, read, "send", remove, until all came through. */
	time_t give_up = time(NULL) + 60;
	while (nsent < TOTAL && time(NULL) < give_up) {
		uint64_t *seqs;
		size_t n;
		assert_int_equal(outbox_list(o, &seqs, &n), 0);
		if (n == 0)
			plat_sleep_ms(1);
		for (size_t i = 0; i < n; i++) {
			struct outbox_record *rec;
			if (outbox_read(o, seqs[i], &rec, err, sizeof err) != 0)
				fail_msg("read %" PRIu64 ": %s", seqs[i], err);
			char *want = render(outbox_epoch(o), seqs[i], NULL);
			assert_string_equal(rec->body, want);
			free(want);
			outbox_record_destroy(&rec);
			if (seqs[i] < 1 || seqs[i] > TOTAL || sent[seqs[i]])
				fail_msg("seq %" PRIu64 " listed again or out of range (sent %d)",
					 seqs[i], nsent);
			sent[seqs[i]] = true;
			nsent++;
			assert_int_equal(outbox_remove(o, seqs[i]), 0);
		}
		free(seqs);
	}
	for (int w = 0; w < WRITERS; w++)
		assert_int_equal(test_child_wait(&kids[w]), 0);
	uint64_t seq;
	int nput = 0;
	for (int w = 0; w < WRITERS; w++) {
		int fd = plat_open(PLAT_CWD, out[w], PLAT_O_READ, 0);
		assert_true(fd >= 0);
		while (plat_read(fd, &seq, sizeof seq) == (ssize_t)sizeof seq) {
			assert_true(seq >= 1 && seq <= TOTAL && !put_seen[seq]);
			put_seen[seq] = true;
			nput++;
		}
		plat_close(fd);
	}
	assert_int_equal(nput, TOTAL);
	assert_int_equal(nsent, TOTAL);
	expect_list(o, NULL, 0, "all sent");
	outbox_close(&o);
	done_dir(top);
}

/* Files are remembered across reopen, newest found first, the oldest forgotten. */
static void test_submitted_files(void **state)
{
	char top[64], ob[80], err[512];
	struct outbox_file f;
	uint64_t seq;
	(void)state;

	new_dir(top, sizeof top, ob, sizeof ob);
	struct outbox *o = open_ok(ob, 0);
	assert_int_equal(outbox_find_file(o, 1, 1, &f), 0);
	for (uint64_t k = 1; k <= OBFILE_STATE_FILES + 1; k++) {
		struct outbox_txn *t = outbox_begin(o, err, sizeof err);
		assert_non_null(t);
		assert_int_equal(outbox_txn_put(t, 1, NULL, render, NULL, &seq, err, sizeof err),
				 0);
		f = (struct outbox_file){.hash = k, .size = 10 * k};
		assert_int_equal(outbox_commit(&t, &f, err, sizeof err), 0);
	}
	outbox_close(&o);
	o = open_ok(ob, 0);
	assert_int_equal(outbox_find_file(o, 1, 10, &f), 0); /* the oldest, forgotten */
	assert_int_equal(outbox_find_file(o, 2, 20, &f), 1);
	assert_int_equal(f.first, 2);
	assert_int_equal(f.last, 2);
	assert_int_equal(outbox_find_file(o, 2, 21, &f), 0); /* same hash, other size */
	assert_int_equal(
	    outbox_find_file(o, OBFILE_STATE_FILES + 1, 10 * (OBFILE_STATE_FILES + 1), &f), 1);
	assert_true(f.when > 0);
	/* The hash is FNV-1a 64, in pieces or at once. */
	assert_true(outbox_hash(OUTBOX_HASH_INIT, "", 0) == OUTBOX_HASH_INIT);
	assert_true(outbox_hash(OUTBOX_HASH_INIT, "a", 1) == 0xaf63dc4c8601ec8cULL);
	assert_true(outbox_hash(outbox_hash(OUTBOX_HASH_INIT, "foo", 3), "bar", 3) ==
		    outbox_hash(OUTBOX_HASH_INIT, "foobar", 6));
	outbox_close(&o);
	done_dir(top);
}

int main(int argc, char **argv)
{
	test_child_main(argc, argv, roles);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_writers_and_reader),
	    cmocka_unit_test(test_submitted_files),
	};
	/* Warnings about moved records are expected here; keep the output to cmocka's. */
	log_init("test_outbox_queue", LOGL_ERR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
