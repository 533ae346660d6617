/*
 * test_outbox.h: what the unit tests of the outbox module share (test_outbox.c,
 * test_outbox_record.c, test_outbox_queue.c, test_outbox_write.c, one per file
 * of the module): a test directory per test, a render whose body is known from
 * the key alone, so any record can be checked, and the checks on what pending/
 * holds.
 */
#ifndef CHISO_TEST_OUTBOX_H
#define CHISO_TEST_OUTBOX_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "obfile.h"
#include "outbox.h"
#include "plat.h"
#include "testutil.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* How render behaves: pad makes the body longer, fail makes it return NULL. */
struct render_arg {
	const char *pad;
	bool fail;
	int calls;
};

/* The outbox_render_fn of every test: the body follows from the key (arg may be NULL). */
static inline char *render(uint64_t epoch, uint64_t seq, void *arg)
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

/* A fresh test directory (removed by done_dir); the outbox goes in <top>/ob. */
static inline void new_dir(char *top, size_t tsize, char *ob, size_t osize)
{
	snprintf(top, tsize, "/tmp/chiso-test-outbox-XXXXXX");
	assert_non_null(test_mkdtemp(top));
	snprintf(ob, osize, "%s/ob", top);
}

static inline void done_dir(const char *top)
{
	test_rm_rf(top);
}

static inline void rec_path(char *buf, size_t size, const char *ob, const char *sub, uint64_t seq)
{
	char name[OBFILE_NAME_SIZE];

	obfile_record_name(name, sizeof name, seq);
	snprintf(buf, size, "%s/%s/%s", ob, sub, name);
}

static inline bool exists(const char *path)
{
	return plat_exists(PLAT_CWD, path, false);
}

static inline struct outbox *open_ok(const char *ob, uint64_t max)
{
	char err[512] = "";
	struct outbox *o = outbox_open(ob, max, OUTBOX_LOCK_WAIT_MS, err, sizeof err);
	if (o == NULL)
		fail_msg("outbox_open(%s): %s", ob, err);
	return o;
}

static inline uint64_t put_ok(struct outbox *o, size_t nrows, const char *source,
			      struct render_arg *r)
{
	char err[512] = "";
	uint64_t seq = 0;

	if (outbox_put(o, nrows, source, render, r, &seq, err, sizeof err) != 0)
		fail_msg("outbox_put: %s", err);
	return seq;
}

/* Fails unless the listed seqs are exactly want[0..n). */
static inline void expect_list(struct outbox *o, const uint64_t *want, size_t n, const char *name)
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
static inline void expect_record(struct outbox *o, uint64_t seq, const char *name)
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
static inline size_t count_entries(const char *ob, const char *sub, const char *prefix)
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

#endif
