/*
 * Unit tests for outbox, putting batches in (outbox_write.c): the size cap,
 * failing renders and failing fsyncs (each leaves nothing behind and consumes
 * no seq), re-keys with their own fsync failures, and transactions (a file's
 * batches all queued or none, whatever kills the submit).
 * Each test works in its own directory under /tmp.
 */
#include "test_outbox.h"

#include <errno.h>
#include <unistd.h>

#include "log.h"
#include "testproc.h"

static void test_cap(void **state)
{
	char top[64], ob[80], err[512];
	struct render_arg big = {NULL, false, 0};
	struct outbox_stats st;
	uint64_t seq;
	(void)state;

	char *pad = malloc(512 * 1024 + 1);
	assert_non_null(pad);
	memset(pad, 'x', 512 * 1024);
	pad[512 * 1024] = '\0';
	big.pad = pad;

	new_dir(top, sizeof top, ob, sizeof ob);
	struct outbox *o = open_ok(ob, 1024 * 1024);
	assert_int_equal(put_ok(o, 1, NULL, &big), 1);
	for (uint64_t refusals = 1; refusals <= 2; refusals++) {
		assert_int_equal(outbox_put(o, 1, NULL, render, &big, &seq, err, sizeof err), -1);
		assert_string_equal(err, "outbox full: 0.5 MiB pending of 1.0 MiB allowed; deliver "
					 "with `chiso-agent run` or raise agent.outbox_max_bytes");
		assert_int_equal(outbox_stats(o, &st), 0);
		assert_int_equal(st.refused, refusals);
		assert_int_equal(st.pending_batches, 1);
		assert_int_equal(count_entries(ob, "pending", ".tmp-"), 0);
	}
	expect_list(o, (uint64_t[]){1}, 1, "full");
	assert_int_equal(outbox_remove(o, 1), 0);
	assert_int_equal(put_ok(o, 1, NULL, &big), 2); /* refusals consumed no seq */
	outbox_close(&o);

	/* The count survives a reopen; a record that fits exactly is accepted. */
	o = open_ok(ob, 0);
	assert_int_equal(outbox_stats(o, &st), 0);
	assert_int_equal(st.refused, 2);
	uint64_t size = st.pending_bytes; /* the next record has the same length */
	outbox_close(&o);
	o = open_ok(ob, 2 * size);
	assert_int_equal(put_ok(o, 1, NULL, &big), 3);
	assert_int_equal(outbox_put(o, 1, NULL, render, &big, &seq, err, sizeof err), -1);
	assert_non_null(strstr(err, "outbox full: 1.0 MiB pending of 1.0 MiB allowed"));
	outbox_close(&o);
	free(pad);
	done_dir(top);
}

static void test_render_and_source_failures(void **state)
{
	static char longsrc[OUTBOX_SOURCE_MAX + 2];
	const struct {
		const char *name;
		bool fail_render;
		const char *source;
		const char *want;
	} cases[] = {
	    {"render returns NULL", true, NULL, "could not render batch 1; nothing was queued"},
	    {"source with a line break", false, "a\nb.csv", "source name has a line break"},
	    {"source too long", false, longsrc, "longer than 4096 bytes"},
	};
	char top[64], ob[80], err[512];
	(void)state;

	memset(longsrc, 'a', sizeof longsrc - 1);
	new_dir(top, sizeof top, ob, sizeof ob);
	struct outbox *o = open_ok(ob, 0);
	for (size_t i = 0; i < NELEM(cases); i++) {
		struct render_arg r = {NULL, cases[i].fail_render, 0};
		uint64_t seq = 99;
		err[0] = '\0';
		int rc = outbox_put(o, 1, cases[i].source, render, &r, &seq, err, sizeof err);
		if (rc != -1 || strstr(err, cases[i].want) == NULL || seq != 99)
			fail_msg("case %s: rc %d err \"%s\"", cases[i].name, rc, err);
		if (count_entries(ob, "pending", NULL) != 0 ||
		    count_entries(ob, "pending", ".tmp-") != 0)
			fail_msg("case %s: left a file behind", cases[i].name);
	}
	assert_int_equal(put_ok(o, 1, NULL, NULL), 1);
	outbox_close(&o);
	done_dir(top);
}

struct fault {
	int fail_at; /* the call that fails, counting from 1 */
	int calls;
};

static int faulty_fsync(int fd, void *arg)
{
	struct fault *f = arg;

	if (++f->calls == f->fail_at) {
		errno = EIO;
		return -1;
	}
	return plat_sync(fd);
}

static void test_fsync_failures(void **state)
{
	static const struct {
		const char *name;
		int fail_at;
		const char *want;
		uint64_t next; /* seq the next successful put gets */
	} cases[] = {
	    {"record file", 1, "cannot sync outbox record", 2},
	    {"pending directory", 2, "cannot sync the directory of outbox record", 2},
	    {"state file", 3, "cannot sync outbox state", 2},
	    /* The new state was already visible: the seq is skipped, never reused. */
	    {"state directory", 4, "cannot sync the directory of outbox state", 3},
	};
	char top[64], ob[80], err[512];
	(void)state;

	for (size_t i = 0; i < NELEM(cases); i++) {
		struct fault f = {cases[i].fail_at, 0};
		uint64_t seq;

		new_dir(top, sizeof top, ob, sizeof ob);
		struct outbox *o = open_ok(ob, 0);
		put_ok(o, 1, NULL, NULL);
		outbox_set_fsync(o, faulty_fsync, &f);
		err[0] = '\0';
		int rc = outbox_put(o, 1, NULL, render, NULL, &seq, err, sizeof err);
		if (rc != -1 || strstr(err, cases[i].want) == NULL ||
		    strstr(err, strerror(EIO)) == NULL)
			fail_msg("case %s: rc %d err \"%s\"", cases[i].name, rc, err);
		outbox_set_fsync(o, NULL, NULL);
		expect_list(o, (uint64_t[]){1}, 1, cases[i].name);
		if (count_entries(ob, "pending", NULL) != 1 ||
		    count_entries(ob, "pending", ".tmp-") != 0)
			fail_msg("case %s: left a file behind", cases[i].name);
		if (put_ok(o, 1, NULL, NULL) != cases[i].next)
			fail_msg("case %s: next seq is not %" PRIu64, cases[i].name, cases[i].next);
		outbox_close(&o);
		o = open_ok(ob, 0);
		if (put_ok(o, 1, NULL, NULL) != cases[i].next + 1)
			fail_msg("case %s: seq after reopen", cases[i].name);
		outbox_close(&o);
		done_dir(top);
	}

	/* A remove whose directory fsync fails reports it. */
	struct fault f = {1, 0};
	new_dir(top, sizeof top, ob, sizeof ob);
	struct outbox *o = open_ok(ob, 0);
	put_ok(o, 1, NULL, NULL);
	outbox_set_fsync(o, faulty_fsync, &f);
	assert_int_equal(outbox_remove(o, 1), -1);
	outbox_close(&o);
	done_dir(top);
}

/* The rerender of the re-key test: the test body, rendered for the new key. */
static char *rerender(const struct outbox_record *old, uint64_t epoch, uint64_t seq, void *arg)
{
	(void)old;
	return render(epoch, seq, arg);
}

/*
 * A re-key whose fsync fails, at each of its fsyncs in turn (the state's,
 * then the record's): it reports the failure and the record is still there,
 * under its old key or its new one, with no temporary file left.
 */
static void test_rekey_fsync_failures(void **state)
{
	static const int fail_at[] = {1, 2, 3, 4};
	char top[64], ob[80], err[512];
	(void)state;

	for (size_t i = 0; i < NELEM(fail_at); i++) {
		struct fault f = {fail_at[i], 0};
		uint64_t epoch;
		new_dir(top, sizeof top, ob, sizeof ob);
		struct outbox *o = open_ok(ob, 0);
		put_ok(o, 1, NULL, NULL);
		outbox_set_fsync(o, faulty_fsync, &f);
		err[0] = '\0';
		int rc = outbox_rekey(o, 1, rerender, NULL, &epoch, err, sizeof err);
		outbox_set_fsync(o, NULL, NULL);
		if (rc != -1 || strstr(err, strerror(EIO)) == NULL)
			fail_msg("fsync %d: rc %d err \"%s\"", fail_at[i], rc, err);
		struct outbox_record *rec;
		if (outbox_read(o, 1, &rec, err, sizeof err) != 0)
			fail_msg("fsync %d: the record is lost: %s", fail_at[i], err);
		outbox_record_destroy(&rec);
		if (count_entries(ob, "pending", ".tmp-") != 0)
			fail_msg("fsync %d: left a temporary file", fail_at[i]);
		outbox_close(&o);
		done_dir(top);
	}
}

/*
 * A state that went back in time: the province refuses a key, and the record
 * alone moves to a new epoch, keeping its seq; later puts use the new epoch;
 * a second refused record of the old epoch joins it without another epoch.
 */
static void test_rekey(void **state)
{
	char top[64], ob[80], err[512];
	struct render_arg fail = {.fail = true};
	uint64_t epoch = 0, epoch2 = 0;
	(void)state;

	new_dir(top, sizeof top, ob, sizeof ob);
	struct outbox *o = open_ok(ob, 0);
	uint64_t old = outbox_epoch(o);
	for (int k = 0; k < 3; k++)
		put_ok(o, 1, NULL, NULL);
	/* A render that fails leaves the record as it was. */
	assert_int_equal(outbox_rekey(o, 2, rerender, &fail, &epoch, err, sizeof err), -1);
	struct outbox_record *rec;
	assert_int_equal(outbox_read(o, 2, &rec, err, sizeof err), 0);
	assert_true(rec->epoch == old && rec->seq == 2);
	outbox_record_destroy(&rec);
	uint64_t after_fail = outbox_epoch(o); /* the new epoch may already be saved */

	assert_int_equal(outbox_rekey(o, 2, rerender, NULL, &epoch, err, sizeof err), 0);
	assert_true(epoch != old && epoch == outbox_epoch(o));
	if (after_fail != old)
		assert_true(epoch == after_fail);
	expect_record(o, 2, "re-keyed");
	assert_int_equal(outbox_read(o, 1, &rec, err, sizeof err), 0);
	assert_true(rec->epoch == old); /* maybe committed, its ACK lost: untouched */
	outbox_record_destroy(&rec);

	assert_int_equal(outbox_rekey(o, 3, rerender, NULL, &epoch2, err, sizeof err), 0);
	assert_true(epoch2 == epoch);
	expect_record(o, 3, "second re-keyed");
	assert_int_equal(put_ok(o, 1, NULL, NULL), 4);
	expect_record(o, 4, "put after re-key");
	expect_list(o, (uint64_t[]){1, 2, 3, 4}, 4, "after re-key");
	assert_int_equal(outbox_rekey(o, 9, rerender, NULL, &epoch, err, sizeof err), 1);
	/* A submit in progress (another process): the sender is not held up. */
	struct outbox *o2 = open_ok(ob, 0);
	struct outbox_txn *t = outbox_begin(o, err, sizeof err);
	assert_non_null(t);
	assert_int_equal(outbox_rekey(o2, 1, rerender, NULL, &epoch2, err, sizeof err), 2);
	outbox_abort(&t);
	outbox_close(&o2);
	assert_int_equal(outbox_read(o, 1, &rec, err, sizeof err), 0);
	assert_true(rec->epoch == old);
	outbox_record_destroy(&rec);
	outbox_close(&o);

	/* The new epoch survives a reopen; no temporary is left behind. */
	o = open_ok(ob, 0);
	assert_true(outbox_epoch(o) == epoch);
	assert_int_equal(count_entries(ob, "pending", OBFILE_TMP_PREFIX), 0);
	outbox_close(&o);
	done_dir(top);
}

static size_t count_suffix(const char *ob, const char *suffix)
{
	char dir[256];
	size_t n = 0, sl = strlen(suffix);
	struct dirent *e;

	snprintf(dir, sizeof dir, "%s/pending", ob);
	DIR *d = opendir(dir);
	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		size_t l = strlen(e->d_name);
		if (l > sl && strcmp(e->d_name + l - sl, suffix) == 0)
			n++;
	}
	closedir(d);
	return n;
}

static size_t list_n(struct outbox *o, uint64_t *first)
{
	uint64_t *seqs;
	size_t n;

	assert_int_equal(outbox_list(o, &seqs, &n), 0);
	if (first != NULL)
		*first = n ? seqs[0] : 0;
	free(seqs);
	return n;
}

/*
 * Each case stages `puts` batches in one transaction, then ends it one way,
 * and checks what a sender sees (listed), what a reopened outbox sees, and the
 * seq the next put gets.
 */
enum txn_end {
	END_COMMIT,	   /* outbox_commit */
	END_ABORT,	   /* outbox_abort */
	END_KILLED,	   /* the submitting process dies before the commit */
	END_KILLED_RENAME, /* ... after the commit, before its renames */
	END_FULL,	   /* the cap refuses the last put; the caller aborts */
};

struct txn_case {
	const char *name;
	int puts;
	enum txn_end end;
	size_t listed;	   /* batches a sender lists afterwards */
	uint64_t next_put; /* seq of the next single put */
};

static const struct txn_case txn_cases[] = {
    {"commit three", 3, END_COMMIT, 3, 5},
    {"commit none", 0, END_COMMIT, 0, 2},
    {"abort three", 3, END_ABORT, 0, 2},
    {"killed before commit", 3, END_KILLED, 0, 2},
    {"killed between commit and renames", 3, END_KILLED_RENAME, 3, 5},
    {"outbox full on the third", 3, END_FULL, 0, 2},
};

/* The parent's handle, which a forked child uses as the tests always did. */
static struct outbox *parent_outbox;

/*
 * The child of END_KILLED, arg "PUTS OB": stages PUTS puts and exits without
 * ending the transaction.  Through the parent's handle where it is a fork;
 * on Windows, which has no fork, through its own open of OB.
 */
static int stage_and_die(const char *arg)
{
	char ob[80], err[512];
	int puts;
	uint64_t seq;

	if (sscanf(arg, "%d %79s", &puts, ob) != 2)
		return 4;
	struct outbox *o =
	    TEST_FORKS ? parent_outbox : outbox_open(ob, 0, OUTBOX_LOCK_WAIT_MS, err, sizeof err);
	struct outbox_txn *t = o ? outbox_begin(o, err, sizeof err) : NULL;
	for (int k = 0; t && k < puts; k++)
		if (outbox_txn_put(t, 1, "f.csv", render, NULL, &seq, err, sizeof err) != 0)
			return 2;
	return t ? 0 : 3; /* no commit, no abort: killed */
}

static const struct test_role roles[] = {{"stage_and_die", stage_and_die}, {NULL, NULL}};

/* END_KILLED: a child process stages the puts and dies without ending the transaction. */
static void txn_killed(struct outbox *o, const char *ob, const struct txn_case *tc)
{
	char arg[128];
	struct test_child child = {0, NULL};

	parent_outbox = o;
	snprintf(arg, sizeof arg, "%d %s", tc->puts, ob);
	assert_int_equal(test_child_start(&roles[0], arg, &child), 0);
	assert_int_equal(test_child_wait(&child), 0);
	if (count_suffix(ob, ".staged") != (size_t)tc->puts)
		fail_msg("case %s: staged records not left behind", tc->name);
	/* Not visible to a sender of the same process either. */
	if (list_n(o, NULL) != 1)
		fail_msg("case %s: a sender sees uncommitted batches", tc->name);
}

/* Every other end: stage the puts in this process, then commit or abort. */
static void txn_stage_and_end(struct outbox *o, const struct txn_case *tc)
{
	char err[512];
	uint64_t seq;
	struct outbox_txn *t = outbox_begin(o, err, sizeof err);
	int failed = 0;

	assert_non_null(t);
	for (int k = 0; k < tc->puts; k++) {
		if (outbox_txn_put(t, 1, "f.csv", render, NULL, &seq, err, sizeof err) != 0) {
			failed++;
			if (tc->end != END_FULL || strstr(err, "outbox full") == NULL)
				fail_msg("case %s: put %d: %s", tc->name, k, err);
		}
	}
	if (tc->end == END_FULL && failed != 1)
		fail_msg("case %s: %d puts refused, wanted 1", tc->name, failed);
	/* Before the end, a sender sees only the batch put earlier. */
	if (list_n(o, NULL) != 1)
		fail_msg("case %s: a sender sees staged batches", tc->name);
	if (tc->end == END_COMMIT || tc->end == END_KILLED_RENAME) {
		struct outbox_file f = {.hash = 0x1234, .size = 99};
		if (outbox_commit(&t, &f, err, sizeof err) != 0)
			fail_msg("case %s: commit: %s", tc->name, err);
		assert_null(t);
		if (tc->puts > 0 && (f.first != 2 || f.last != (uint64_t)tc->puts + 1))
			fail_msg("case %s: file batches %" PRIu64 "-%" PRIu64, tc->name, f.first,
				 f.last);
	} else {
		outbox_abort(&t);
		assert_null(t);
	}
}

/* END_KILLED_RENAME: puts the commit's renames back, as if it died before them. */
static void txn_undo_renames(struct outbox *o, const char *ob, const struct txn_case *tc)
{
	char from[256], to[256];

	for (uint64_t q = 2; q < 2 + (uint64_t)tc->puts; q++) {
		rec_path(from, sizeof from, ob, "pending", q);
		snprintf(to, sizeof to, "%.*s.staged", (int)(strlen(from) - 6), from);
		assert_int_equal(rename(from, to), 0);
	}
	/* A sender listing now finishes them. */
	if (list_n(o, NULL) != tc->listed + 1)
		fail_msg("case %s: listed after the commit", tc->name);
}

/* What a sender, a reopen and the next put see once the transaction ended. */
static void txn_check_after(struct outbox **op, const char *ob, const struct txn_case *tc)
{
	uint64_t first, seq;

	if (list_n(*op, &first) != tc->listed + 1 || first != 1)
		fail_msg("case %s: listed %zu", tc->name, list_n(*op, NULL));
	outbox_close(op);
	/* A reopen removes what was never committed, keeps what was. */
	struct outbox *o = open_ok(ob, 0);
	if (count_suffix(ob, ".staged") != 0)
		fail_msg("case %s: staged records left after reopen", tc->name);
	if (list_n(o, NULL) != tc->listed + 1)
		fail_msg("case %s: listed after reopen", tc->name);
	seq = put_ok(o, 1, NULL, NULL);
	if (seq != tc->next_put)
		fail_msg("case %s: next put got seq %" PRIu64 ", wanted %" PRIu64, tc->name, seq,
			 tc->next_put);
	outbox_close(&o);
}

static void test_transaction(void **state)
{
	char top[64], ob[80];
	(void)state;

	for (size_t i = 0; i < NELEM(txn_cases); i++) {
		const struct txn_case *tc = &txn_cases[i];

		new_dir(top, sizeof top, ob, sizeof ob);
		/* A cap that holds the first put and two staged ones, not three. */
		struct outbox *o = open_ok(ob, tc->end == END_FULL ? 600 : 0);
		put_ok(o, 1, NULL, NULL); /* seq 1: pending before the transaction */
		if (tc->end == END_KILLED)
			txn_killed(o, ob, tc);
		else
			txn_stage_and_end(o, tc);
		if (tc->end == END_KILLED_RENAME)
			txn_undo_renames(o, ob, tc);
		txn_check_after(&o, ob, tc);
		done_dir(top);
	}
}

int main(int argc, char **argv)
{
	test_child_main(argc, argv, roles);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cap),
	    cmocka_unit_test(test_render_and_source_failures),
	    cmocka_unit_test(test_fsync_failures),
	    cmocka_unit_test(test_rekey),
	    cmocka_unit_test(test_rekey_fsync_failures),
	    cmocka_unit_test(test_transaction),
	};
	/* Warnings about moved records are expected here; keep the output to cmocka's. */
	log_init("test_outbox_write", LOGL_ERR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
