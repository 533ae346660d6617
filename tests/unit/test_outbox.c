/*
 * Unit tests for outbox: the put/list/read/remove round trip, keys that stay
 * unique across reopen, a table of damaged files found at open, a record
 * rotting while open, the size cap, failing renders and failing fsyncs (each
 * leaves nothing behind and consumes no seq), an interrupted submit, a bad or
 * lost state file, two writers racing a reader in separate processes, and
 * transactions (a file's batches all queued or none, whatever kills the
 * submit, and a file recognised when it is submitted again).
 * Each test works in its own directory under /tmp.
 */
#define _XOPEN_SOURCE 700 /* nftw, to clean up the test directories */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "obfile.h"
#include "outbox.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

struct render_arg {
	const char *pad;
	bool fail;
	int calls;
};

static char *render(uint64_t epoch, uint64_t seq, void *arg)
{
	struct render_arg *r = arg;
	const char *pad = r && r->pad ? r->pad : "";
	size_t n = strlen(pad) + 96;
	char *b;

	if (r)
		r->calls++;
	if (r && r->fail)
		return NULL;
	b = malloc(n);
	assert_non_null(b);
	snprintf(b, n, "{\"epoch\":%" PRIu64 ",\"seq\":%" PRIu64 ",\"rows\":[],\"pad\":\"%s\"}",
		 epoch, seq, pad);
	return b;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* A fresh test directory (removed by done_dir); the outbox goes in <top>/ob. */
static void new_dir(char *top, size_t tsize, char *ob, size_t osize)
{
	snprintf(top, tsize, "/tmp/chiso-test-outbox-XXXXXX");
	assert_non_null(mkdtemp(top));
	snprintf(ob, osize, "%s/ob", top);
}

static void done_dir(const char *top)
{
	nftw(top, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void rec_path(char *buf, size_t size, const char *ob, const char *sub, uint64_t seq)
{
	char name[OBFILE_NAME_SIZE];

	obfile_record_name(name, sizeof name, seq);
	snprintf(buf, size, "%s/%s/%s", ob, sub, name);
}

static bool exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

static struct outbox *open_ok(const char *ob, uint64_t max)
{
	char err[512] = "";
	struct outbox *o = outbox_open(ob, max, OUTBOX_LOCK_WAIT_MS, err, sizeof err);
	if (o == NULL)
		fail_msg("outbox_open(%s): %s", ob, err);
	return o;
}

static uint64_t put_ok(struct outbox *o, size_t nrows, const char *source, struct render_arg *r)
{
	char err[512] = "";
	uint64_t seq = 0;

	if (outbox_put(o, nrows, source, render, r, &seq, err, sizeof err) != 0)
		fail_msg("outbox_put: %s", err);
	return seq;
}

/* Fails unless the listed seqs are exactly want[0..n). */
static void expect_list(struct outbox *o, const uint64_t *want, size_t n, const char *name)
{
	uint64_t *seqs;
	size_t got;

	if (outbox_list(o, &seqs, &got) != 0)
		fail_msg("case %s: outbox_list failed", name);
	if (got != n)
		fail_msg("case %s: %zu pending, want %zu", name, got, n);
	for (size_t i = 0; i < n; i++)
		if (seqs[i] != want[i])
			fail_msg("case %s: pending[%zu] = %" PRIu64 ", want %" PRIu64, name, i,
				 seqs[i], want[i]);
	free(seqs);
}

/* Fails unless record seq reads back with the body render() gives for it. */
static void expect_record(struct outbox *o, uint64_t seq, const char *name)
{
	struct outbox_record *rec;
	char err[512] = "";

	if (outbox_read(o, seq, &rec, err, sizeof err) != 0)
		fail_msg("case %s: read %" PRIu64 ": %s", name, seq, err);
	char *want = render(outbox_epoch(o), seq, NULL);
	if (rec->seq != seq || rec->epoch != outbox_epoch(o) || strcmp(rec->body, want) != 0 ||
	    rec->body_len != strlen(want))
		fail_msg("case %s: record %" PRIu64 " reads back wrong: %s", name, seq, rec->body);
	free(want);
	outbox_record_destroy(&rec);
}

/* Entries of ob/sub whose name starts with prefix (NULL: all of them). */
static size_t count_entries(const char *ob, const char *sub, const char *prefix)
{
	char path[512];
	struct dirent *e;
	size_t n = 0;

	snprintf(path, sizeof path, "%s/%s", ob, sub);
	DIR *d = opendir(path);
	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (prefix == NULL || strncmp(e->d_name, prefix, strlen(prefix)) == 0)
			n++;
	}
	closedir(d);
	return n;
}

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
		struct stat sb;
		rec_path(path, sizeof path, ob, "pending", seq);
		assert_int_equal(stat(path, &sb), 0);
		assert_int_equal(sb.st_mode & 0777, 0600);
		bytes += (uint64_t)sb.st_size;
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

enum damage { D_TRUNCATE, D_FLIP, D_OTHER_HEX, D_SET, D_APPEND, D_SYMLINK, D_TMP, D_FOREIGN };
enum from { FROM_START, FROM_BODY, FROM_END };

static void damage_record(const char *path, enum damage d, enum from from, long at, char ch)
{
	char buf[4096];
	int fd = open(path, O_RDWR);
	assert_true(fd >= 0);
	ssize_t n = read(fd, buf, sizeof buf);
	assert_true(n > 0);
	long body = 0;
	while (body + 1 < n && !(buf[body] == '\n' && buf[body + 1] == '\n'))
		body++;
	body += 2; /* just past the blank line */
	long off = from == FROM_START ? at : from == FROM_BODY ? body + at : (long)n + at;

	switch (d) {
	case D_TRUNCATE:
		assert_int_equal(ftruncate(fd, off), 0);
		break;
	case D_FLIP:
		buf[off] ^= 0x01;
		break;
	case D_OTHER_HEX:
		buf[off] = buf[off] == '0' ? '1' : '0';
		break;
	case D_SET:
		buf[off] = ch;
		break;
	case D_APPEND:
		assert_int_equal(pwrite(fd, "x", 1, n), 1);
		break;
	default:
		break;
	}
	if (d == D_FLIP || d == D_OTHER_HEX || d == D_SET)
		assert_int_equal(pwrite(fd, buf + off, 1, off), 1);
	close(fd);
}

static void test_damage_at_open(void **state)
{
	static const struct {
		const char *name;
		enum damage d;
		enum from from;
		long at;
		char ch;
		size_t corrupt; /* files expected in corrupt/ */
	} cases[] = {
	    {"truncated to nothing", D_TRUNCATE, FROM_START, 0, 0, 1},
	    {"truncated in the header", D_TRUNCATE, FROM_START, 30, 0, 1},
	    {"truncated at the end of the header", D_TRUNCATE, FROM_BODY, 0, 0, 1},
	    {"truncated in the body", D_TRUNCATE, FROM_BODY, 5, 0, 1},
	    {"truncated before the crc line", D_TRUNCATE, FROM_END, -16, 0, 1},
	    {"truncated by one byte", D_TRUNCATE, FROM_END, -1, 0, 1},
	    {"header byte flipped", D_FLIP, FROM_START, 20, 0, 1},
	    {"body byte flipped", D_FLIP, FROM_BODY, 2, 0, 1},
	    {"crc digit changed", D_OTHER_HEX, FROM_END, -3, 0, 1},
	    {"wrong magic", D_SET, FROM_START, 13, '2', 1},
	    {"length mismatch (a byte appended)", D_APPEND, FROM_START, 0, 0, 1},
	    {"symlink instead of a record", D_SYMLINK, FROM_START, 0, 0, 1},
	    {"stray temporary file", D_TMP, FROM_START, 0, 0, 0},
	    {"file that is not a record", D_FOREIGN, FROM_START, 0, 0, 0},
	};
	(void)state;

	for (size_t i = 0; i < NELEM(cases); i++) {
		char top[64], ob[80], path[256], other[256];
		struct outbox_stats st;
		const char *name = cases[i].name;

		new_dir(top, sizeof top, ob, sizeof ob);
		struct outbox *o = open_ok(ob, 0);
		for (int k = 0; k < 3; k++)
			put_ok(o, 5, "/x.csv", NULL);
		outbox_close(&o);

		rec_path(path, sizeof path, ob, "pending", 2);
		if (cases[i].d == D_SYMLINK) {
			rec_path(other, sizeof other, ob, "pending", 1);
			assert_int_equal(unlink(path), 0);
			assert_int_equal(symlink(other, path), 0);
		} else if (cases[i].d == D_TMP || cases[i].d == D_FOREIGN) {
			snprintf(other, sizeof other, "%s/pending/%s", ob,
				 cases[i].d == D_TMP ? ".tmp-4-99999" : "notes.txt");
			FILE *fp = fopen(other, "w");
			assert_non_null(fp);
			fputs("CHISO-OUTBOX 1\nepoch 1\n", fp); /* half written */
			fclose(fp);
		} else {
			damage_record(path, cases[i].d, cases[i].from, cases[i].at, cases[i].ch);
		}

		o = open_ok(ob, 0);
		assert_int_equal(outbox_stats(o, &st), 0);
		if (st.corrupt != cases[i].corrupt)
			fail_msg("case %s: %" PRIu64 " corrupt", name, st.corrupt);
		if (cases[i].corrupt) {
			rec_path(other, sizeof other, ob, "corrupt", 2);
			if (exists(path) || !exists(other))
				fail_msg("case %s: record 2 not moved to corrupt/", name);
			expect_list(o, (uint64_t[]){1, 3}, 2, name);
		} else {
			expect_list(o, (uint64_t[]){1, 2, 3}, 3, name);
			expect_record(o, 2, name);
		}
		if (count_entries(ob, "pending", ".tmp-") != 0)
			fail_msg("case %s: a temporary file survived open", name);
		if (cases[i].d == D_FOREIGN && count_entries(ob, "pending", "notes") != 1)
			fail_msg("case %s: a foreign file was touched", name);
		expect_record(o, 1, name);
		expect_record(o, 3, name);
		if (put_ok(o, 1, NULL, NULL) != 4)
			fail_msg("case %s: next seq is not 4", name);
		outbox_close(&o);
		done_dir(top);
	}
}

static void test_rot_while_open(void **state)
{
	char top[64], ob[80], path[256], moved[256], err[512] = "";
	struct outbox_record *rec = NULL;
	struct outbox_stats st;
	(void)state;

	new_dir(top, sizeof top, ob, sizeof ob);
	struct outbox *o = open_ok(ob, 0);
	put_ok(o, 1, NULL, NULL);
	put_ok(o, 1, NULL, NULL);
	/* A file of that name already in corrupt/ is kept; the new one gets ".1". */
	rec_path(moved, sizeof moved, ob, "corrupt", 1);
	FILE *fp = fopen(moved, "w");
	assert_non_null(fp);
	fclose(fp);
	rec_path(path, sizeof path, ob, "pending", 1);
	damage_record(path, D_FLIP, FROM_BODY, 3, 0);

	assert_int_equal(outbox_read(o, 1, &rec, err, sizeof err), -1);
	assert_null(rec);
	assert_non_null(strstr(err, "is damaged (crc32 mismatch"));
	assert_non_null(strstr(err, "moved to corrupt/, it will not be sent"));
	strcat(moved, ".1");
	assert_true(exists(moved));
	assert_false(exists(path));
	expect_list(o, (uint64_t[]){2}, 1, "after rot");
	assert_int_equal(outbox_stats(o, &st), 0);
	assert_int_equal(st.corrupt, 2);
	assert_int_equal(st.pending_batches, 1);
	outbox_close(&o);
	done_dir(top);
}

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
	return fsync(fd);
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

/* Writes a valid record for seq straight into pending/, as a crashed submit leaves it. */
static void plant_record(const char *ob, uint64_t epoch, uint64_t seq)
{
	char hdr[OBFILE_HEADER_MAX], trailer[OBFILE_TRAILER_LEN + 1], path[256];
	char *body = render(epoch, seq, NULL);
	size_t hl =
	    obfile_header_format(hdr, sizeof hdr, epoch, seq, 1, time(NULL), "", strlen(body));

	obfile_trailer(trailer, hdr, hl, body, strlen(body));
	rec_path(path, sizeof path, ob, "pending", seq);
	FILE *fp = fopen(path, "w");
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
	FILE *fp = fopen(path, "r");
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
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	assert_int_equal(fwrite(text, 1, len, fp), len);
	fclose(fp);
}

static void test_state_file(void **state)
{
	/* One byte longer than a state file may be. */
	static char toolong[OBFILE_STATE_MAX + 2];
	memset(toolong, 'x', OBFILE_STATE_MAX + 1);
	memcpy(toolong, "epoch 1\nnext_seq 4\nrefused 0\n", 29);
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
	} bad[] = {
	    {"garbage", "hello\n", ""},
	    {"empty", "", ""},
	    {"epoch zero", "epoch 0\nnext_seq 4\nrefused 0\n", ""},
	    {"too long", toolong, ""},
	    {"a digit of next_seq changed", NULL, "next_seq"},
	    {"crc line lost", NULL, "cut"},
	    {"crc not hex", NULL, "crc"},
	};
	char top[64], ob[80], path[256], err[512], text[OBFILE_STATE_MAX];
	(void)state;

	for (size_t i = 0; i < NELEM(bad); i++) {
		new_dir(top, sizeof top, ob, sizeof ob);
		struct outbox *o = open_ok(ob, 0);
		uint64_t old = outbox_epoch(o);
		put_ok(o, 1, NULL, NULL);
		put_ok(o, 1, NULL, NULL);
		outbox_close(&o);
		size_t n = read_state(ob, text, sizeof text);
		if (bad[i].text != NULL) {
			write_state(ob, bad[i].text, strlen(bad[i].text));
		} else if (strcmp(bad[i].edit, "next_seq") == 0) {
			char *p = strstr(text, "next_seq 3\n");
			assert_non_null(p);
			p[9] = '2'; /* back in time by one: exactly what must not pass */
			write_state(ob, text, n);
		} else if (strcmp(bad[i].edit, "cut") == 0) {
			write_state(ob, text, n - (OBFILE_TRAILER_LEN - 1));
		} else {
			text[n - 2] = 'g';
			write_state(ob, text, n);
		}
		o = outbox_open(ob, 0, OUTBOX_LOCK_WAIT_MS, err, sizeof err);
		if (o == NULL)
			fail_msg("case %s: not opened: %s", bad[i].name, err);
		if (outbox_epoch(o) == old)
			fail_msg("case %s: the epoch was kept", bad[i].name);
		/* next_seq past both records, which keep their keys. */
		assert_int_equal(put_ok(o, 1, NULL, NULL), 3);
		struct outbox_record *rec;
		assert_int_equal(outbox_read(o, 2, &rec, err, sizeof err), 0);
		assert_true(rec->epoch == old);
		outbox_record_destroy(&rec);
		expect_list(o, (uint64_t[]){1, 2, 3}, 3, bad[i].name);
		snprintf(path, sizeof path, "%s/corrupt/state", ob);
		if (!exists(path))
			fail_msg("case %s: the damaged state was not kept", bad[i].name);
		outbox_close(&o);
		done_dir(top);
	}

	/* A lost state file: a new epoch, seqs past the records, which keep their keys. */
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

	/* An older agent's state (no magic, no crc): read, kept, rewritten with a crc. */
	new_dir(top, sizeof top, ob, sizeof ob);
	o = open_ok(ob, 0);
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

static void test_open_errors(void **state)
{
	char top[64], ob[80], path[256], err[512];
	(void)state;

	new_dir(top, sizeof top, ob, sizeof ob);
	snprintf(path, sizeof path, "%s/file", top);
	FILE *fp = fopen(path, "w");
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
		assert_int_equal(mkdir(ob, 0700), 0);
		snprintf(path, sizeof path, "%s/lock", ob);
		int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		assert_true(fd >= 0);
		assert_int_equal(flock(fd, LOCK_EX), 0);
		err[0] = '\0';
		struct outbox *o = outbox_open(ob, 0, cases[i].bound_ms, err, sizeof err);
		assert_null(o);
		if (strstr(err, cases[i].want) == NULL)
			fail_msg("bound %lld: %s", cases[i].bound_ms, err);
		close(fd);
		done_dir(top);
	}
}

/*
 * A writer stopped while it holds the lock (Ctrl-Z): an open returns at once
 * (its clean-up is skipped), stats answer, and another writer gives up after
 * its bound with a message naming the holder's PID.
 */
static void test_lock_held(void **state)
{
	static const long long bounds_ms[] = {0, 300};
	char top[64], ob[80], err[512];
	int pfd[2];
	char c;
	(void)state;

	new_dir(top, sizeof top, ob, sizeof ob);
	struct outbox *o = open_ok(ob, 0);
	put_ok(o, 1, NULL, NULL);
	outbox_close(&o);
	assert_int_equal(pipe(pfd), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct outbox *h = outbox_open(ob, 0, OUTBOX_LOCK_WAIT_MS, err, sizeof err);
		struct outbox_txn *t = h ? outbox_begin(h, err, sizeof err) : NULL;
		if (t == NULL || write(pfd[1], "x", 1) != 1)
			_exit(2);
		pause();
		_exit(0);
	}
	close(pfd[1]);
	assert_int_equal(read(pfd[0], &c, 1), 1);
	close(pfd[0]);
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
		snprintf(want, sizeof want, "PID %d", (int)pid);
		if (strstr(err, want) == NULL)
			fail_msg("the holder not named (%s): %s", want, err);
		/* At least the bound (monotonic clock); no upper bound, which would be a
		 * speed: a writer that waited for ever is caught by the test's timeout. */
		if (waited < bounds_ms[i])
			fail_msg("waited %lld ms for a bound of %lld", waited, bounds_ms[i]);
		outbox_close(&o);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	/* The holder gone, the lock is free again. */
	o = open_ok(ob, 0);
	struct outbox_txn *t = outbox_begin(o, err, sizeof err);
	assert_non_null(t);
	outbox_abort(&t);
	outbox_close(&o);
	done_dir(top);
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

static void test_transaction(void **state)
{
	static const struct {
		const char *name;
		int puts;
		enum txn_end end;
		size_t listed;	   /* batches a sender lists afterwards */
		uint64_t next_put; /* seq of the next single put */
	} cases[] = {
	    {"commit three", 3, END_COMMIT, 3, 5},
	    {"commit none", 0, END_COMMIT, 0, 2},
	    {"abort three", 3, END_ABORT, 0, 2},
	    {"killed before commit", 3, END_KILLED, 0, 2},
	    {"killed between commit and renames", 3, END_KILLED_RENAME, 3, 5},
	    {"outbox full on the third", 3, END_FULL, 0, 2},
	};
	char top[64], ob[80], err[512], from[256], to[256];
	(void)state;

	for (size_t i = 0; i < NELEM(cases); i++) {
		new_dir(top, sizeof top, ob, sizeof ob);
		/* A cap that holds the first put and two staged ones, not three. */
		struct outbox *o = open_ok(ob, cases[i].end == END_FULL ? 600 : 0);
		uint64_t first, seq;
		put_ok(o, 1, NULL, NULL); /* seq 1: pending before the transaction */
		if (cases[i].end == END_KILLED) {
			pid_t pid = fork();
			assert_true(pid >= 0);
			if (pid == 0) {
				struct outbox_txn *t = outbox_begin(o, err, sizeof err);
				for (int k = 0; t && k < cases[i].puts; k++)
					if (outbox_txn_put(t, 1, "f.csv", render, NULL, &seq, err,
							   sizeof err) != 0)
						_exit(2);
				_exit(t ? 0 : 3); /* no commit, no abort: killed */
			}
			int status;
			assert_int_equal(waitpid(pid, &status, 0), pid);
			assert_int_equal(WEXITSTATUS(status), 0);
			if (count_suffix(ob, ".staged") != (size_t)cases[i].puts)
				fail_msg("case %s: staged records not left behind", cases[i].name);
			/* Not visible to a sender of the same process either. */
			if (list_n(o, NULL) != 1)
				fail_msg("case %s: a sender sees uncommitted batches",
					 cases[i].name);
		} else {
			struct outbox_txn *t = outbox_begin(o, err, sizeof err);
			assert_non_null(t);
			int failed = 0;
			for (int k = 0; k < cases[i].puts; k++) {
				if (outbox_txn_put(t, 1, "f.csv", render, NULL, &seq, err,
						   sizeof err) != 0) {
					failed++;
					if (cases[i].end != END_FULL ||
					    strstr(err, "outbox full") == NULL)
						fail_msg("case %s: put %d: %s", cases[i].name, k,
							 err);
				}
			}
			if (cases[i].end == END_FULL && failed != 1)
				fail_msg("case %s: %d puts refused, wanted 1", cases[i].name,
					 failed);
			/* Before the end, a sender sees only the batch put earlier. */
			if (list_n(o, NULL) != 1)
				fail_msg("case %s: a sender sees staged batches", cases[i].name);
			if (cases[i].end == END_COMMIT || cases[i].end == END_KILLED_RENAME) {
				struct outbox_file f = {.hash = 0x1234, .size = 99};
				if (outbox_commit(&t, &f, err, sizeof err) != 0)
					fail_msg("case %s: commit: %s", cases[i].name, err);
				assert_null(t);
				if (cases[i].puts > 0 &&
				    (f.first != 2 || f.last != (uint64_t)cases[i].puts + 1))
					fail_msg("case %s: file batches %" PRIu64 "-%" PRIu64,
						 cases[i].name, f.first, f.last);
			} else {
				outbox_abort(&t);
				assert_null(t);
			}
		}
		if (cases[i].end == END_KILLED_RENAME) {
			/* Put the commit's renames back, as if it died before them. */
			for (uint64_t q = 2; q < 2 + (uint64_t)cases[i].puts; q++) {
				rec_path(from, sizeof from, ob, "pending", q);
				snprintf(to, sizeof to, "%.*s.staged", (int)(strlen(from) - 6),
					 from);
				assert_int_equal(rename(from, to), 0);
			}
			/* A sender listing now finishes them. */
			if (list_n(o, NULL) != cases[i].listed + 1)
				fail_msg("case %s: listed after the commit", cases[i].name);
		}
		if (list_n(o, &first) != cases[i].listed + 1 || first != 1)
			fail_msg("case %s: listed %zu", cases[i].name, list_n(o, NULL));
		outbox_close(&o);
		/* A reopen removes what was never committed, keeps what was. */
		o = open_ok(ob, 0);
		if (count_suffix(ob, ".staged") != 0)
			fail_msg("case %s: staged records left after reopen", cases[i].name);
		if (list_n(o, NULL) != cases[i].listed + 1)
			fail_msg("case %s: listed after reopen", cases[i].name);
		seq = put_ok(o, 1, NULL, NULL);
		if (seq != cases[i].next_put)
			fail_msg("case %s: next put got seq %" PRIu64 ", wanted %" PRIu64,
				 cases[i].name, seq, cases[i].next_put);
		outbox_close(&o);
		done_dir(top);
	}
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
	    cmocka_unit_test(test_round_trip),
	    cmocka_unit_test(test_keys_across_reopen),
	    cmocka_unit_test(test_damage_at_open),
	    cmocka_unit_test(test_rot_while_open),
	    cmocka_unit_test(test_cap),
	    cmocka_unit_test(test_render_and_source_failures),
	    cmocka_unit_test(test_fsync_failures),
	    cmocka_unit_test(test_interrupted_submit),
	    cmocka_unit_test(test_state_file),
	    cmocka_unit_test(test_rekey),
	    cmocka_unit_test(test_open_lock_wait),
	    cmocka_unit_test(test_rekey_fsync_failures),
	    cmocka_unit_test(test_open_errors),
	    cmocka_unit_test(test_writers_and_reader),
	    cmocka_unit_test(test_lock_held),
	    cmocka_unit_test(test_transaction),
	    cmocka_unit_test(test_submitted_files),
	};
	/* Warnings about moved records are expected here; keep the output to cmocka's. */
	log_init("test_outbox", LOGL_ERR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
