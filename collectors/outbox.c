/*
 * outbox: the agent's durable queue of batches (layout in outbox.h, file
 * formats in obfile.h).
 *
 * A put is: take the lock, read state, render the body for seq = next_seq,
 * write the record to a temporary name, fsync it, rename it into place (never
 * over an existing record), fsync the directory, then replace state with
 * next_seq + 1.  A failure at any step removes what was written, so the seq
 * is not consumed.  Readers (outbox_list) show only records below the state's
 * next_seq: a record whose put is still running, or failed, is never sent.
 * A crash between the rename and the state write leaves a complete record at
 * next_seq; the next open or put moves next_seq past it rather than ever
 * writing over it.  The handle keeps no list in memory: every call rescans
 * the directory, so it sees what the other process did.
 */
#include "outbox.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "obfile.h"
#include "obio.h"

struct outbox {
	char *dir; /* as given, for messages */
	int dir_fd;
	int pending_fd;
	int corrupt_fd;
	int lock_fd;
	uint64_t epoch;
	uint64_t max_bytes;
	struct obio_sync sync;
};

/* Why a record could not be loaded: each calls for a different response. */
enum load_failure {
	LOAD_GONE,    /* no such record: removed after its ACK */
	LOAD_DAMAGED, /* the bytes are wrong: move it aside, never send it */
	LOAD_ERROR,   /* the system failed (I/O, memory): leave the record alone */
};

__attribute__((format(printf, 3, 4))) static void seterr(char *err, size_t errsize, const char *fmt,
							 ...)
{
	va_list ap;

	if (err == NULL || errsize == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errsize, fmt, ap);
	va_end(ap);
}

static int sync_fd(struct outbox *o, int fd)
{
	return o->sync.fn(fd, o->sync.arg);
}

static int lock_op(struct outbox *o, int op)
{
	int rc;

	do
		rc = flock(o->lock_fd, op);
	while (rc != 0 && errno == EINTR);
	return rc;
}

/* Loads and checks pending record seq; rec may be NULL to only check it. */
static int record_load(struct outbox *o, uint64_t seq, struct outbox_record **rec,
		       enum load_failure *failure, char *err, size_t errsize)
{
	char name[OBFILE_NAME_SIZE], *buf;
	struct obfile_header h;
	size_t size;

	obfile_record_name(name, sizeof name, seq);
	if (obio_slurp(o->pending_fd, name,
		       OUTBOX_RECORD_MAX + OBFILE_HEADER_MAX + OBFILE_TRAILER_LEN, &buf,
		       &size) != 0) {
		int e = errno;
		/* Not a regular file, or too big to be a record: as good as damaged. */
		if (e == ENOENT)
			*failure = LOAD_GONE;
		else if (e == ELOOP || e == EINVAL || e == EFBIG)
			*failure = LOAD_DAMAGED;
		else
			*failure = LOAD_ERROR;
		if (e == ENOENT)
			seterr(err, errsize, "no pending record %" PRIu64, seq);
		else
			seterr(err, errsize, "cannot read pending/%s: %s", name, strerror(e));
		return -1;
	}
	*failure = LOAD_DAMAGED;
	if (obfile_record_parse(buf, size, seq, &h, err, errsize) != 0)
		goto fail;
	*failure = LOAD_ERROR;
	if (rec != NULL) {
		struct outbox_record *r = calloc(1, sizeof *r);
		if (r == NULL || (r->source = strndup(h.source, h.source_len)) == NULL) {
			free(r);
			seterr(err, errsize, "out of memory reading pending/%s", name);
			goto fail;
		}
		r->epoch = h.epoch;
		r->seq = h.seq;
		r->nrows = (size_t)h.rows;
		r->created = h.created;
		r->body_len = (size_t)h.length;
		memmove(buf, buf + h.len, r->body_len); /* the body keeps the file's buffer */
		buf[r->body_len] = '\0';
		r->body = buf;
		*rec = r;
		return 0;
	}
	free(buf);
	return 0;
fail:
	free(buf);
	return -1;
}

/* Moves a damaged pending/name to corrupt/, where a person can look at it. */
static int move_corrupt(struct outbox *o, const char *name, const char *reason)
{
	char target[OBFILE_NAME_SIZE + 16];

	if (obio_move_aside(&o->sync, o->pending_fd, name, o->corrupt_fd, target, sizeof target) !=
	    0) {
		log_err("outbox %s: cannot move damaged pending/%s to corrupt/: %s", o->dir, name,
			strerror(errno));
		return -1;
	}
	log_warn("outbox %s: moved damaged record pending/%s to corrupt/%s: %s", o->dir, name,
		 target, reason);
	return 0;
}

/* Reads state; *missing is set (and 0 returned) when there is no state file. */
static int state_read(struct outbox *o, struct obfile_state *st, bool *missing, char *err,
		      size_t errsize)
{
	char *buf, why[96];
	size_t n;

	*missing = false;
	if (obio_slurp(o->dir_fd, "state", OBFILE_STATE_MAX, &buf, &n) != 0) {
		if (errno == ENOENT) {
			*missing = true;
			return 0;
		}
		if (errno != EFBIG && errno != EINVAL) {
			seterr(err, errsize, "cannot read %s/state: %s", o->dir, strerror(errno));
			return -1;
		}
		snprintf(why, sizeof why, "%s", strerror(errno));
	} else if (obfile_state_parse(buf, n, st, why, sizeof why) == 0) {
		free(buf);
		return 0;
	}
	free(buf);
	seterr(err, errsize,
	       "outbox state %s/state is damaged (%s); move it away to start a new epoch "
	       "(pending records are kept)",
	       o->dir, why);
	return -1;
}

/* State that must exist: every open creates it. */
static int state_load(struct outbox *o, struct obfile_state *st, char *err, size_t errsize)
{
	bool missing;

	if (state_read(o, st, &missing, err, errsize) != 0)
		return -1;
	if (missing) {
		seterr(err, errsize, "outbox state %s/state has disappeared", o->dir);
		return -1;
	}
	return 0;
}

/*
 * Replaces state atomically.  If only the last directory fsync failed the new
 * state is already visible: that costs at most a gap in the seqs, never a
 * reused one, so nothing is undone.
 */
static int state_write(struct outbox *o, const struct obfile_state *st, char *err, size_t errsize)
{
	char buf[OBFILE_STATE_MAX];
	struct obio_part part = {buf, obfile_state_format(buf, sizeof buf, st)};
	const char *what;
	bool renamed;

	if (obio_replace(&o->sync, o->dir_fd, "state.tmp", "state", false, &part, 1, &renamed,
			 &what) != 0) {
		seterr(err, errsize, "cannot %s outbox state %s/state: %s", what, o->dir,
		       strerror(errno));
		return -1;
	}
	return 0;
}

static int new_epoch(uint64_t *epoch, char *err, size_t errsize)
{
	uint64_t v = 0;

	while (v == 0) {
		ssize_t n = getrandom(&v, sizeof v, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n != (ssize_t)sizeof v) {
			seterr(err, errsize, "cannot get random bytes for the outbox epoch: %s",
			       n < 0 ? strerror(errno) : "short read");
			return -1;
		}
		v &= (uint64_t)INT64_MAX;
	}
	*epoch = v;
	return 0;
}

struct recovery {
	struct outbox *o;
	uint64_t max_seq;
	bool changed;
	bool failed; /* err is filled */
	char *err;
	size_t errsize;
};

static int recover_entry(const char *name, void *arg)
{
	struct recovery *r = arg;
	struct outbox *o = r->o;
	enum load_failure failure;
	char why[160];
	uint64_t seq;

	switch (obfile_classify(name, &seq)) {
	case OBFILE_TMP:
		/* Writers hold the lock while a temporary exists, and so do we: it is stale. */
		if (unlinkat(o->pending_fd, name, 0) != 0 && errno != ENOENT) {
			seterr(r->err, r->errsize, "cannot remove %s/pending/%s: %s", o->dir, name,
			       strerror(errno));
			r->failed = true;
			return -1;
		}
		log_info("outbox %s: removed pending/%s left by an interrupted submit", o->dir,
			 name);
		r->changed = true;
		return 0;
	case OBFILE_RECORD:
		if (record_load(o, seq, NULL, &failure, why, sizeof why) == 0) {
			if (seq > r->max_seq)
				r->max_seq = seq;
			return 0;
		}
		if (failure == LOAD_GONE)
			return 0; /* removed by a concurrent run */
		if (failure == LOAD_DAMAGED && move_corrupt(o, name, why) == 0)
			return 0;
		if (failure == LOAD_DAMAGED)
			seterr(r->err, r->errsize,
			       "outbox %s: cannot move damaged pending/%s aside", o->dir, name);
		else
			seterr(r->err, r->errsize, "outbox %s: %s", o->dir, why);
		r->failed = true;
		return -1;
	case OBFILE_OTHER:
		log_warn("outbox %s: ignoring pending/%s: not an outbox record name", o->dir, name);
		return 0;
	}
	return 0;
}

/* Runs under the lock at open: state, stale temporaries, damaged records. */
static int recover(struct outbox *o, char *err, size_t errsize)
{
	struct recovery r = {o, 0, false, false, err, errsize};
	struct obfile_state st;
	bool missing;

	if (state_read(o, &st, &missing, err, errsize) != 0)
		return -1;
	if (missing) {
		if (new_epoch(&st.epoch, err, errsize) != 0)
			return -1;
		st.next_seq = 1;
		st.refused = 0;
	}
	if (obio_walk(o->pending_fd, recover_entry, &r) != 0) {
		if (!r.failed)
			seterr(err, errsize, "cannot scan %s/pending: %s", o->dir, strerror(errno));
		return -1;
	}
	if (r.changed && sync_fd(o, o->pending_fd) != 0) {
		seterr(err, errsize, "cannot sync %s/pending: %s", o->dir, strerror(errno));
		return -1;
	}
	if (missing && r.max_seq > 0)
		log_warn("outbox %s: state file missing; new epoch %" PRIu64 ", the records "
			 "already pending keep their own keys",
			 o->dir, st.epoch);
	bool behind = r.max_seq >= st.next_seq;
	if (behind) {
		if (!missing)
			log_warn("outbox %s: record %" PRIu64 " was written by a submit that did "
				 "not finish; it is kept and will be sent",
				 o->dir, r.max_seq);
		st.next_seq = r.max_seq + 1;
	}
	if ((missing || behind) && state_write(o, &st, err, errsize) != 0)
		return -1;
	o->epoch = st.epoch;
	return 0;
}

static int open_subdir(struct outbox *o, const char *sub, int *fd, char *err, size_t errsize)
{
	if (mkdirat(o->dir_fd, sub, 0700) != 0 && errno != EEXIST) {
		seterr(err, errsize, "cannot create %s/%s: %s", o->dir, sub, strerror(errno));
		return -1;
	}
	*fd = openat(o->dir_fd, sub, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (*fd < 0) {
		seterr(err, errsize, "cannot open %s/%s: %s", o->dir, sub, strerror(errno));
		return -1;
	}
	return 0;
}

struct outbox *outbox_open(const char *dir, uint64_t max_bytes, char *err, size_t errsize)
{
	struct outbox *o = calloc(1, sizeof *o);
	bool locked = false;

	if (o == NULL || (o->dir = strdup(dir)) == NULL) {
		seterr(err, errsize, "out of memory");
		goto fail;
	}
	o->dir_fd = o->pending_fd = o->corrupt_fd = o->lock_fd = -1;
	o->max_bytes = max_bytes;
	o->sync.fn = obio_fsync;
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		seterr(err, errsize, "cannot create outbox directory %s: %s", dir, strerror(errno));
		goto fail;
	}
	o->dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (o->dir_fd < 0) {
		seterr(err, errsize, "cannot open outbox directory %s: %s", dir, strerror(errno));
		goto fail;
	}
	if (open_subdir(o, "pending", &o->pending_fd, err, errsize) != 0 ||
	    open_subdir(o, "corrupt", &o->corrupt_fd, err, errsize) != 0)
		goto fail;
	o->lock_fd = openat(o->dir_fd, "lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (o->lock_fd < 0 || lock_op(o, LOCK_EX) != 0) {
		seterr(err, errsize, "cannot lock %s/lock: %s", dir, strerror(errno));
		goto fail;
	}
	locked = true;
	/* pending/ and corrupt/ must survive a power cut before any record relies on them. */
	if (sync_fd(o, o->dir_fd) != 0) {
		seterr(err, errsize, "cannot sync %s: %s", dir, strerror(errno));
		goto fail;
	}
	if (recover(o, err, errsize) != 0)
		goto fail;
	lock_op(o, LOCK_UN);
	return o;
fail:
	if (locked)
		lock_op(o, LOCK_UN);
	outbox_close(&o);
	return NULL;
}

void outbox_close(struct outbox **op)
{
	struct outbox *o;

	if (op == NULL || *op == NULL)
		return;
	o = *op;
	int fds[] = {o->dir_fd, o->pending_fd, o->corrupt_fd, o->lock_fd};
	for (size_t i = 0; i < sizeof fds / sizeof fds[0]; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	free(o->dir);
	free(o);
	*op = NULL;
}

uint64_t outbox_epoch(const struct outbox *o)
{
	return o->epoch;
}

void outbox_set_fsync(struct outbox *o, int (*fn)(int fd, void *arg), void *arg)
{
	o->sync.fn = fn != NULL ? fn : obio_fsync;
	o->sync.arg = fn != NULL ? arg : NULL;
}

struct usage {
	struct outbox *o;
	bool headers; /* also read each header for rows and created */
	uint64_t max_seq;
	uint64_t records;
	uint64_t bytes;
	uint64_t rows;
	int64_t oldest;
	uint64_t dated; /* records whose header gave a created time */
};

static int usage_entry(const char *name, void *arg)
{
	struct usage *u = arg;
	struct stat st;
	uint64_t seq;

	if (obfile_classify(name, &seq) != OBFILE_RECORD)
		return 0;
	int fd = openat(u->o->pending_fd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 && errno == ENOENT)
		return 0; /* removed by a concurrent run */
	if (fd < 0 || fstat(fd, &st) != 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		errno = e;
		return -1;
	}
	if (seq > u->max_seq)
		u->max_seq = seq;
	u->records++;
	u->bytes += (uint64_t)st.st_size;
	if (u->headers) {
		char buf[OBFILE_HEADER_MAX];
		struct obfile_header h;
		ssize_t n = obio_read_full(fd, buf, sizeof buf);
		/* A damaged header still takes space; outbox_read will move it aside. */
		if (n > 0 && obfile_header_parse(buf, (size_t)n, &h, NULL, 0) == 0) {
			u->rows += h.rows;
			if (u->dated == 0 || h.created < u->oldest)
				u->oldest = h.created;
			u->dated++;
		}
	}
	close(fd);
	return 0;
}

/* Writes the record for seq under its final name; leaves nothing on failure. */
static int record_write(struct outbox *o, uint64_t seq, const char *hdr, size_t hdr_len,
			const char *body, size_t body_len, char *err, size_t errsize)
{
	char tmp[64], name[OBFILE_NAME_SIZE], trailer[OBFILE_TRAILER_LEN + 1];
	const char *what;
	bool renamed;

	obfile_record_name(name, sizeof name, seq);
	snprintf(tmp, sizeof tmp, OBFILE_TMP_PREFIX "%" PRIu64 "-%ld", seq, (long)getpid());
	obfile_trailer(trailer, hdr, hdr_len, body, body_len);
	struct obio_part parts[] = {
	    {hdr, hdr_len}, {body, body_len}, {trailer, OBFILE_TRAILER_LEN}};
	if (obio_replace(&o->sync, o->pending_fd, tmp, name, true, parts, 3, &renamed, &what) == 0)
		return 0;
	int e = errno;
	if (renamed) {
		unlinkat(o->pending_fd, name, 0);
		sync_fd(o, o->pending_fd);
	}
	seterr(err, errsize, "cannot %s outbox record %s/pending/%s: %s", what, o->dir,
	       renamed ? name : tmp, strerror(e));
	return -1;
}

int outbox_put(struct outbox *o, size_t nrows, const char *source, outbox_render_fn render,
	       void *arg, uint64_t *seq_out, char *err, size_t errsize)
{
	char hdr[OBFILE_HEADER_MAX], why[256];
	struct usage u = {.o = o};
	struct obfile_state st;
	char *body = NULL;
	bool locked = false;
	int rc = -1;

	if (lock_op(o, LOCK_EX) != 0) {
		seterr(err, errsize, "cannot lock %s/lock: %s", o->dir, strerror(errno));
		goto fail;
	}
	locked = true;
	if (state_load(o, &st, err, errsize) != 0)
		goto fail;
	if (obio_walk(o->pending_fd, usage_entry, &u) != 0) {
		seterr(err, errsize, "cannot scan %s/pending: %s", o->dir, strerror(errno));
		goto fail;
	}
	if (u.max_seq >= st.next_seq) {
		log_warn("outbox %s: record %" PRIu64 " was written by a submit that did not "
			 "finish; it is kept and will be sent",
			 o->dir, u.max_seq);
		st.next_seq = u.max_seq + 1;
	}
	uint64_t seq = st.next_seq;
	body = render(st.epoch, seq, arg);
	if (body == NULL) {
		seterr(err, errsize, "could not render batch %" PRIu64 "; nothing was queued", seq);
		goto fail;
	}
	size_t body_len = strlen(body);
	if (body_len > OUTBOX_RECORD_MAX) {
		seterr(err, errsize, "a batch of %zu bytes is larger than an outbox record may be",
		       body_len);
		goto fail;
	}
	time_t now = time(NULL);
	size_t hdr_len = obfile_header_format(hdr, sizeof hdr, st.epoch, seq, nrows, (int64_t)now,
					      source, body_len);
	if (hdr_len == 0) {
		seterr(err, errsize, "source name has a line break or is longer than %d bytes",
		       OUTBOX_SOURCE_MAX);
		goto fail;
	}
	uint64_t size = hdr_len + body_len + OBFILE_TRAILER_LEN;
	if (o->max_bytes != 0 && u.bytes + size > o->max_bytes) {
		st.refused++;
		if (state_write(o, &st, why, sizeof why) != 0)
			log_err("%s", why);
		seterr(err, errsize,
		       "outbox full: %.1f MiB pending of %.1f MiB allowed; deliver with "
		       "`chiso-agent run` or raise outbox.max_bytes",
		       (double)u.bytes / 1048576.0, (double)o->max_bytes / 1048576.0);
		goto fail;
	}
	if (record_write(o, seq, hdr, hdr_len, body, body_len, err, errsize) != 0)
		goto fail;
	st.next_seq = seq + 1;
	if (state_write(o, &st, err, errsize) != 0) {
		/* Readers list only seqs below next_seq, so nobody has sent this one. */
		char name[OBFILE_NAME_SIZE];
		obfile_record_name(name, sizeof name, seq);
		if (unlinkat(o->pending_fd, name, 0) != 0 || sync_fd(o, o->pending_fd) != 0)
			log_err("outbox %s: cannot remove pending/%s after a failed put: %s",
				o->dir, name, strerror(errno));
		goto fail;
	}
	*seq_out = seq;
	rc = 0;
fail:
	if (locked)
		lock_op(o, LOCK_UN);
	free(body);
	return rc;
}

struct collect {
	uint64_t below;
	uint64_t *seqs;
	size_t n, cap;
};

static int collect_entry(const char *name, void *arg)
{
	struct collect *c = arg;
	uint64_t seq;

	if (obfile_classify(name, &seq) != OBFILE_RECORD || seq >= c->below)
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
	struct collect c = {0, NULL, 0, 0};
	struct obfile_state st;
	char why[256];

	*seqs = NULL;
	*n = 0;
	/* State first: a record at or past next_seq belongs to a put not yet done. */
	if (state_load(o, &st, why, sizeof why) != 0) {
		log_err("%s", why);
		return -1;
	}
	c.below = st.next_seq;
	if (obio_walk(o->pending_fd, collect_entry, &c) != 0) {
		log_err("outbox %s: cannot scan pending/: %s", o->dir, strerror(errno));
		free(c.seqs);
		return -1;
	}
	if (c.n > 1)
		qsort(c.seqs, c.n, sizeof *c.seqs, cmp_u64);
	*seqs = c.seqs;
	*n = c.n;
	return 0;
}

int outbox_read(struct outbox *o, uint64_t seq, struct outbox_record **rec, char *err,
		size_t errsize)
{
	char why[256], name[OBFILE_NAME_SIZE];
	enum load_failure failure;

	*rec = NULL;
	if (record_load(o, seq, rec, &failure, why, sizeof why) == 0)
		return 0;
	if (failure != LOAD_DAMAGED) {
		seterr(err, errsize, "outbox %s: %s", o->dir, why);
		return -1;
	}
	obfile_record_name(name, sizeof name, seq);
	if (move_corrupt(o, name, why) != 0)
		seterr(err, errsize, "outbox record %s is damaged (%s) and could not be moved",
		       name, why);
	else
		seterr(err, errsize,
		       "outbox record %s is damaged (%s); moved to corrupt/, it will not be sent",
		       name, why);
	return -1;
}

void outbox_record_destroy(struct outbox_record **rp)
{
	if (rp == NULL || *rp == NULL)
		return;
	free((*rp)->source);
	free((*rp)->body);
	free(*rp);
	*rp = NULL;
}

int outbox_remove(struct outbox *o, uint64_t seq)
{
	char name[OBFILE_NAME_SIZE];

	obfile_record_name(name, sizeof name, seq);
	if (unlinkat(o->pending_fd, name, 0) != 0 && errno != ENOENT) {
		log_err("outbox %s: cannot remove pending/%s: %s", o->dir, name, strerror(errno));
		return -1;
	}
	if (sync_fd(o, o->pending_fd) != 0) {
		log_err("outbox %s: cannot sync pending/: %s", o->dir, strerror(errno));
		return -1;
	}
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
	struct usage u = {.o = o, .headers = true};
	struct obfile_state s;
	uint64_t corrupt = 0;
	char why[256];
	int rc = -1;

	memset(st, 0, sizeof *st);
	/* Shared: no put is half done while we count. */
	if (lock_op(o, LOCK_SH) != 0) {
		log_err("outbox %s: cannot lock: %s", o->dir, strerror(errno));
		return -1;
	}
	if (state_load(o, &s, why, sizeof why) != 0) {
		log_err("%s", why);
		goto fail;
	}
	if (obio_walk(o->pending_fd, usage_entry, &u) != 0 ||
	    obio_walk(o->corrupt_fd, count_entry, &corrupt) != 0) {
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
	rc = 0;
fail:
	lock_op(o, LOCK_UN);
	return rc;
}
