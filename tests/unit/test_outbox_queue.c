/*
 * Unit tests for outbox, the views over pending/ (outbox_queue.c): two
 * writers in separate processes racing a reader that lists, reads and
 * removes, and the index of submitted files with its hash.
 * Each test works in its own directory under /tmp.
 */
#include "test_outbox.h"

#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

/* A child process: puts n records through its own handle, reporting each seq on fd. */
static void writer(const char *ob, int n, int fd)
{
	char err[512];
	struct outbox *o = outbox_open(ob, 0, OUTBOX_LOCK_WAIT_MS, err, sizeof err);
	if (o == NULL)
		_exit(2);
	for (int i = 0; i < n; i++) {
		uint64_t seq;
		if (outbox_put(o, 1, NULL, render, NULL, &seq, err, sizeof err) != 0 ||
		    write(fd, &seq, sizeof seq) != (ssize_t)sizeof seq)
			_exit(3);
	}
	outbox_close(&o);
	_exit(0);
}

static void test_writers_and_reader(void **state)
{
	enum { WRITERS = 2, EACH = 25, TOTAL = WRITERS * EACH };
	char top[64], ob[80], err[512];
	bool put_seen[TOTAL + 1] = {false}, sent[TOTAL + 1] = {false};
	int pfd[2], nsent = 0;
	pid_t pids[WRITERS];
	(void)state;

	new_dir(top, sizeof top, ob, sizeof ob);
	struct outbox *o = open_ok(ob, 0);
	assert_int_equal(pipe(pfd), 0);
	for (int w = 0; w < WRITERS; w++) {
		pids[w] = fork();
		assert_true(pids[w] >= 0);
		if (pids[w] == 0) {
			close(pfd[0]);
			writer(ob, EACH, pfd[1]);
		}
	}
	close(pfd[1]);
	/* The reader: what run does, list, read, "send", remove, until all came through. */
	time_t give_up = time(NULL) + 60;
	while (nsent < TOTAL && time(NULL) < give_up) {
		uint64_t *seqs;
		size_t n;
		assert_int_equal(outbox_list(o, &seqs, &n), 0);
		if (n == 0)
			usleep(1000);
		for (size_t i = 0; i < n; i++) {
			struct outbox_record *rec;
			if (outbox_read(o, seqs[i], &rec, err, sizeof err) != 0)
				fail_msg("read %" PRIu64 ": %s", seqs[i], err);
			char *want = render(outbox_epoch(o), seqs[i], NULL);
			assert_string_equal(rec->body, want);
			free(want);
			outbox_record_destroy(&rec);
			assert_true(seqs[i] >= 1 && seqs[i] <= TOTAL && !sent[seqs[i]]);
			sent[seqs[i]] = true;
			nsent++;
			assert_int_equal(outbox_remove(o, seqs[i]), 0);
		}
		free(seqs);
	}
	for (int w = 0; w < WRITERS; w++) {
		int status;
		assert_int_equal(waitpid(pids[w], &status, 0), pids[w]);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	uint64_t seq;
	int nput = 0;
	while (read(pfd[0], &seq, sizeof seq) == (ssize_t)sizeof seq) {
		assert_true(seq >= 1 && seq <= TOTAL && !put_seen[seq]);
		put_seen[seq] = true;
		nput++;
	}
	close(pfd[0]);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_writers_and_reader),
	    cmocka_unit_test(test_submitted_files),
	};
	/* Warnings about moved records are expected here; keep the output to cmocka's. */
	log_init("test_outbox_queue", LOGL_ERR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
