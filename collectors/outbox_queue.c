/*
 * outbox_queue: the views over pending/ as a queue (part of the outbox
 * module, outbox.h): the committed seqs in order, the counts and bytes for
 * status and the outbox limit, and the index of files already submitted.
 * Each call rescans the directory, so it sees what another process did.
 */
#include "outbox.h"
#include "outbox_impl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

int outbox_usage_entry(const char *name, void *arg)
{
	struct outbox_usage *u = arg;
	struct plat_stat st;
	uint64_t seq;

	enum obfile_kind kind = obfile_classify(name, &seq);
	char renamed[OBFILE_NAME_SIZE];

	if (kind == OBFILE_STAGED && u->settle != 0) {
		if (outbox_settle_staged(u->o, name, seq, u->settle, &u->settled, &seq) != 0)
			return -1;
		if (seq == 0)
			return 0;
		obfile_record_name(renamed, sizeof renamed, seq);
		name = renamed;
	} else if (kind != OBFILE_RECORD) {
		return 0;
	}
	int fd = plat_open(u->o->pending_fd, name, PLAT_O_READ | PLAT_O_NOFOLLOW, 0);
	if (fd < 0 && errno == ENOENT)
		return 0; /* removed by a concurrent run */
	if (fd < 0 || plat_fstat(fd, &st) != 0) {
		int e = errno;
		if (fd >= 0)
			plat_close(fd);
		errno = e;
		return -1;
	}
	if (seq > u->max_seq)
		u->max_seq = seq;
	u->records++;
	u->bytes += st.size;
	if (u->headers) {
		char buf[OBFILE_HEADER_MAX];
		struct obfile_header h;
		ssize_t n = plat_read_full(fd, buf, sizeof buf);
		/* A damaged header still takes space; outbox_read will move it aside. */
		if (n > 0 && obfile_header_parse(buf, (size_t)n, &h, NULL, 0) == 0) {
			u->rows += h.rows;
			if (u->dated == 0 || h.created < u->oldest)
				u->oldest = h.created;
			u->dated++;
		}
	}
	plat_close(fd);
	return 0;
}

int outbox_find_file(struct outbox *o, uint64_t hash, uint64_t size, struct outbox_file *f)
{
	struct obfile_state st;
	char why[256];

	if (outbox_state_load(o, &st, why, sizeof why) != 0) {
		log_err("%s", why);
		return -1;
	}
	for (size_t i = st.nfiles; i-- > 0;) {
		if (st.files[i].hash == hash && st.files[i].size == size) {
			*f = st.files[i];
			return 1;
		}
	}
	return 0;
}

uint64_t outbox_hash(uint64_t h, const void *bytes, size_t n)
{
	const unsigned char *p = bytes;

	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

struct collect {
	struct outbox *o;
	bool settled;
	uint64_t below;
	uint64_t *seqs;
	size_t n, cap;
};

static int collect_entry(const char *name, void *arg)
{
	struct collect *c = arg;
	uint64_t seq;
	enum obfile_kind kind = obfile_classify(name, &seq);

	if ((kind != OBFILE_RECORD && kind != OBFILE_STAGED) || seq >= c->below)
		return 0;
	/* Committed, rename not done yet (its submit was killed just after the commit). */
	if (kind == OBFILE_STAGED &&
	    (outbox_settle_staged(c->o, name, seq, c->below, &c->settled, &seq) != 0 || seq == 0))
		return 0;
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;
		uint64_t *p = realloc(c->seqs, cap * sizeof *p);
		if (p == NULL) {
			errno = ENOMEM;
			return -1;
		}
		c->seqs = p;
		c->cap = cap;
	}
	c->seqs[c->n++] = seq;
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

int outbox_list(struct outbox *o, uint64_t **seqs, size_t *n)
{
	struct collect c = {o, false, 0, NULL, 0, 0};
	struct obfile_state st;
	char why[256];

	*seqs = NULL;
	*n = 0;
	/* State first: a record at or past next_seq belongs to a put not yet done. */
	if (outbox_state_load(o, &st, why, sizeof why) != 0) {
		log_err("%s", why);
		return -1;
	}
	c.below = st.next_seq;
	if (plat_dir_walk(o->pending_fd, collect_entry, &c) != 0) {
		log_err("outbox %s: cannot scan pending/: %s", o->dir, strerror(errno));
		free(c.seqs);
		return -1;
	}
	if (c.settled && outbox_sync_fd(o, o->pending_fd) != 0)
		log_err("outbox %s: cannot sync pending/: %s", o->dir, strerror(errno));
	if (c.n > 1)
		qsort(c.seqs, c.n, sizeof *c.seqs, cmp_u64);
	*seqs = c.seqs;
	*n = c.n;
	return 0;
}

static int count_entry(const char *name, void *arg)
{
	(void)name;
	(*(uint64_t *)arg)++;
	return 0;
}

int outbox_stats(struct outbox *o, struct outbox_stats *st)
{
	struct outbox_usage u = {.o = o, .headers = true};
	struct obfile_state s;
	uint64_t corrupt = 0, acked = 0;
	char why[256];
	int rc = -1;

	memset(st, 0, sizeof *st);
	/*
	 * Shared, so that no put is half done while we count; but a submit holds
	 * the lock for a whole file, and the sender must not wait for it: then the
	 * counts are taken as they are (staged records are not counted anyway).
	 */
	bool locked = outbox_lock_op(o, PLAT_LOCK_SH) == 0;
	if (outbox_state_load(o, &s, why, sizeof why) != 0) {
		log_err("%s", why);
		goto fail;
	}
	if (plat_dir_walk(o->pending_fd, outbox_usage_entry, &u) != 0 ||
	    plat_dir_walk(o->corrupt_fd, count_entry, &corrupt) != 0 ||
	    plat_dir_walk(o->acked_fd, count_entry, &acked) != 0) {
		log_err("outbox %s: cannot scan: %s", o->dir, strerror(errno));
		goto fail;
	}
	st->epoch = s.epoch;
	st->next_seq = s.next_seq;
	st->refused = s.refused;
	st->pending_batches = u.records;
	st->pending_rows = u.rows;
	st->pending_bytes = u.bytes;
	st->oldest_created = u.oldest;
	st->corrupt = corrupt;
	st->acked = acked;
	rc = 0;
fail:
	if (locked)
		outbox_lock_op(o, PLAT_LOCK_UN);
	return rc;
}
