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
 * writing over it.  A transaction (one submitted file) writes its records as
 * .staged and commits with the state write alone, so its crash rule is the
 * opposite: staged records at or past next_seq were never committed and are
 * removed; those below it were, and only their renames are finished.  The handle keeps no list in
 * memory: every call rescans the directory, so it sees what the other process did.
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
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "obfile.h"
#include "obio.h"

struct outbox {
	char *dir; /* as given, for messages */
	int dir_fd;
	int pending_fd;
	int corrupt_fd;
	int lock_fd;
	long long lock_wait_ms; /* how long a writer waits for another's lock */
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

/*
 * Who holds our lock, from /proc/locks (flock entries name the process that
 * took them): "PID 1234 (chiso-agent submit x.csv)", or "" when none is listed.
 */
static void lock_holder(struct outbox *o, char *buf, size_t size)
{
	struct stat st;
	char line[256], want[64], cmd[160], path[64];
	FILE *fp;

	buf[0] = '\0';
	if (fstat(o->lock_fd, &st) != 0 || (fp = fopen("/proc/locks", "re")) == NULL)
		return;
	snprintf(want, sizeof want, "%02x:%02x:%llu", major(st.st_dev), minor(st.st_dev),
		 (unsigned long long)st.st_ino);
	while (fgets(line, sizeof line, fp)) {
		char kind[16], dev[64];
		int pid;
		/* "1: FLOCK  ADVISORY  WRITE 1234 00:2d:5678 0 EOF"; waiters have "->" */
		if (strstr(line, "->") ||
		    sscanf(line, "%*d: %15s %*s %*s %d %63s", kind, &pid, dev) != 3 ||
		    strcmp(kind, "FLOCK") != 0 || strcmp(dev, want) != 0 || pid == getpid())
			continue;
		snprintf(path, sizeof path, "/proc/%d/cmdline", pid);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		ssize_t n = fd >= 0 ? read(fd, cmd, sizeof cmd - 1) : -1;
		if (fd >= 0)
			close(fd);
		if (n < 0)
			n = 0;
		cmd[n] = '\0';
		for (ssize_t i = 0; i + 1 < n; i++)
			if (cmd[i] == '\0')
				cmd[i] = ' ';
		snprintf(buf, size, "PID %d (%s)", pid, n > 0 ? cmd : "?");
		break;
	}
	fclose(fp);
}

/*
 * Takes the lock for writing, waiting at most o->lock_wait_ms: a writer
 * stopped with Ctrl-Z holds it for ever, and every other command must not
 * hang behind it.  0, or -1 with err naming the holder.
 */
static int lock_wait(struct outbox *o, char *err, size_t errsize)
{
	int64_t start = clock_mono_ms();

	for (;;) {
		if (lock_op(o, LOCK_EX | LOCK_NB) == 0)
			return 0;
		if (errno != EWOULDBLOCK) {
			seterr(err, errsize, "cannot lock %s/lock: %s", o->dir, strerror(errno));
			return -1;
		}
		if (clock_mono_ms() - start >= o->lock_wait_ms)
			break;
		usleep(50000);
	}
	char who[256];
	lock_holder(o, who, sizeof who);
	seterr(err, errsize,
	       "hàng đợi %s đang bị tiến trình %s giữ khoá (đã chờ %.1f giây): hãy chờ lệnh đó "
	       "chạy xong; nếu nó đã bị tạm dừng (Ctrl-Z) thì cho nó chạy tiếp bằng `fg` hoặc "
	       "dừng hẳn nó",
	       o->dir, *who ? who : "khác", (double)o->lock_wait_ms / 1000.0);
	return -1;
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

/*
 * Reads state; *missing is set (and 0 returned) when there is no state file.
 * On -1, damaged tells a damaged file from a failed read.
 */
static int state_read(struct outbox *o, struct obfile_state *st, bool *missing, bool *damaged,
		      char *err, size_t errsize)
{
	char *buf, why[96];
	size_t n;

	*missing = false;
	*damaged = false;
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
	*damaged = true;
	seterr(err, errsize, "outbox state %s/state is damaged (%s)", o->dir, why);
	return -1;
}

/* State that must exist: every open creates it. */
static int state_load(struct outbox *o, struct obfile_state *st, char *err, size_t errsize)
{
	bool missing, damaged;

	if (state_read(o, st, &missing, &damaged, err, errsize) != 0) {
		if (damaged && err != NULL && strlen(err) + 1 < errsize)
			snprintf(err + strlen(err), errsize - strlen(err),
				 "; stop and start chiso-agent: it keeps the file in corrupt/ and "
				 "continues with a new epoch");
		return -1;
	}
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

/*
 * A staged record found in pending/: below next_seq its transaction committed
 * and the rename to .batch is finished here (*seq_out = seq); otherwise the
 * transaction never committed and the record goes (*seq_out = 0).  Either
 * way *changed is set.  Several processes may settle the same record: the
 * loser of a race finds it gone, which is fine.
 */
static int settle_staged(struct outbox *o, const char *name, uint64_t seq, uint64_t next_seq,
			 bool *changed, uint64_t *seq_out)
{
	char target[OBFILE_NAME_SIZE];

	*seq_out = 0;
	if (seq < next_seq) {
		obfile_record_name(target, sizeof target, seq);
		if (renameat(o->pending_fd, name, o->pending_fd, target) != 0) {
			if (errno == ENOENT)
				return 0;
			log_err("outbox %s: cannot rename committed pending/%s: %s", o->dir, name,
				strerror(errno));
			return -1;
		}
		*changed = true;
		*seq_out = seq;
		return 0;
	}
	if (unlinkat(o->pending_fd, name, 0) != 0) {
		if (errno == ENOENT)
			return 0;
		log_err("outbox %s: cannot remove uncommitted pending/%s: %s", o->dir, name,
			strerror(errno));
		return -1;
	}
	log_warn("outbox %s: removed batch %" PRIu64 " of a submit that did not finish: "
		 "nothing of its file was queued; submit the file again",
		 o->dir, seq);
	*changed = true;
	return 0;
}

struct recovery {
	struct outbox *o;
	uint64_t next_seq; /* from the state file; 1 if there was none */
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
	case OBFILE_STAGED:
		if (settle_staged(o, name, seq, r->next_seq, &r->changed, &seq) != 0) {
			seterr(r->err, r->errsize, "outbox %s: cannot settle pending/%s", o->dir,
			       name);
			r->failed = true;
			return -1;
		}
		if (seq > r->max_seq)
			r->max_seq = seq;
		return 0;
	case OBFILE_OTHER:
		log_warn("outbox %s: ignoring pending/%s: not an outbox record name", o->dir, name);
		return 0;
	}
	return 0;
}

/*
 * A damaged state file is never reset in place: the epoch and next_seq it
 * held are unknown, and guessing them could hand out a batch key the province
 * already has.  It is kept in corrupt/ for a person, said loudly, and the
 * caller continues as if there were none: a new random epoch, so no key of
 * the old one can come again, and next_seq past every pending record, whose
 * own keys stay as written.  What is lost is the list of files submitted
 * last (a file submitted again is queued again; its values are the same).
 */
static int state_set_aside(struct outbox *o, const char *why, char *err, size_t errsize)
{
	char target[OBFILE_NAME_SIZE + 16];

	if (obio_move_aside(&o->sync, o->dir_fd, "state", o->corrupt_fd, target, sizeof target) !=
	    0) {
		seterr(err, errsize, "%s; and it cannot be moved to corrupt/: %s", why,
		       strerror(errno));
		return -1;
	}
	log_err("outbox %s: %s; kept as %s/corrupt/%s, continuing with a new epoch and the "
		"pending records under their own keys",
		o->dir, why, o->dir, target);
	return 0;
}

/* Runs under the lock at open: state, stale temporaries, damaged records. */
static int recover(struct outbox *o, char *err, size_t errsize)
{
	struct recovery r = {o, 1, 0, false, false, err, errsize};
	struct obfile_state st;
	bool missing, damaged, legacy = false;
	char why[512];

	if (state_read(o, &st, &missing, &damaged, why, sizeof why) != 0) {
		if (!damaged || state_set_aside(o, why, err, errsize) != 0) {
			if (!damaged)
				seterr(err, errsize, "%s", why);
			return -1;
		}
		missing = true; /* and said so: a new epoch, next_seq past every record */
	} else if (!missing) {
		legacy = st.legacy;
	}
	if (missing) {
		memset(&st, 0, sizeof st);
		if (new_epoch(&st.epoch, err, errsize) != 0)
			return -1;
		st.next_seq = 1;
	}
	r.next_seq = st.next_seq;
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
	if (legacy)
		log_info("outbox %s: state file of an older agent; rewritten with a checksum",
			 o->dir);
	if ((missing || behind || legacy) && state_write(o, &st, err, errsize) != 0)
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

struct outbox *outbox_open(const char *dir, uint64_t max_bytes, long long lock_wait_ms, char *err,
			   size_t errsize)
{
	struct outbox *o = calloc(1, sizeof *o);
	bool locked = false;

	if (o == NULL || (o->dir = strdup(dir)) == NULL) {
		seterr(err, errsize, "out of memory");
		goto fail;
	}
	o->dir_fd = o->pending_fd = o->corrupt_fd = o->lock_fd = -1;
	o->max_bytes = max_bytes;
	o->lock_wait_ms = lock_wait_ms;
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
	if (o->lock_fd < 0) {
		seterr(err, errsize, "cannot open %s/lock: %s", dir, strerror(errno));
		goto fail;
	}
	/* pending/ and corrupt/ must survive a power cut before any record relies on them. */
	if (sync_fd(o, o->dir_fd) != 0) {
		seterr(err, errsize, "cannot sync %s: %s", dir, strerror(errno));
		goto fail;
	}
	/*
	 * The clean-up is opportunistic: when another process holds the lock
	 * (a submit in the middle of a file, or one stopped with Ctrl-Z) it is
	 * left to the next open, because status and run must never wait for a
	 * writer.  Without it a reader still sees only committed records (those
	 * below next_seq).  Only an outbox still being created is waited for.
	 */
	if (lock_op(o, LOCK_EX | LOCK_NB) == 0) {
		locked = true;
	} else if (errno != EWOULDBLOCK) {
		seterr(err, errsize, "cannot lock %s/lock: %s", dir, strerror(errno));
		goto fail;
	} else if (faccessat(o->dir_fd, "state", F_OK, 0) == 0) {
		struct obfile_state st;
		if (state_load(o, &st, err, errsize) != 0)
			goto fail;
		o->epoch = st.epoch;
		return o;
	} else if (lock_wait(o, err, errsize) != 0) {
		goto fail;
	} else {
		locked = true;
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

const char *outbox_dir(const struct outbox *o)
{
	return o->dir;
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
	bool headers;	 /* also read each header for rows and created */
	uint64_t settle; /* nonzero: settle staged records against this next_seq */
	bool settled;	 /* a staged record was settled */
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

	enum obfile_kind kind = obfile_classify(name, &seq);
	char renamed[OBFILE_NAME_SIZE];

	if (kind == OBFILE_STAGED && u->settle != 0) {
		if (settle_staged(u->o, name, seq, u->settle, &u->settled, &seq) != 0)
			return -1;
		if (seq == 0)
			return 0;
		obfile_record_name(renamed, sizeof renamed, seq);
		name = renamed;
	} else if (kind != OBFILE_RECORD) {
		return 0;
	}
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

/*
 * Writes the record for seq under its final name.  A new one (replace
 * false) leaves nothing on failure; one that replaces the record already
 * there (rekey) does so in one rename, and a failure after the rename (the
 * directory's fsync) leaves it under its new content, the old being gone.
 */
static int record_write(struct outbox *o, uint64_t seq, bool staged, bool replace, const char *hdr,
			size_t hdr_len, const char *body, size_t body_len, char *err,
			size_t errsize)
{
	char tmp[64], name[OBFILE_NAME_SIZE], trailer[OBFILE_TRAILER_LEN + 1];
	const char *what;
	bool renamed;

	if (staged)
		obfile_staged_name(name, sizeof name, seq);
	else
		obfile_record_name(name, sizeof name, seq);
	snprintf(tmp, sizeof tmp, OBFILE_TMP_PREFIX "%" PRIu64 "-%ld", seq, (long)getpid());
	obfile_trailer(trailer, hdr, hdr_len, body, body_len);
	struct obio_part parts[] = {
	    {hdr, hdr_len}, {body, body_len}, {trailer, OBFILE_TRAILER_LEN}};
	if (obio_replace(&o->sync, o->pending_fd, tmp, name, !replace, parts, 3, &renamed, &what) ==
	    0)
		return 0;
	int e = errno;
	if (renamed && !replace) {
		unlinkat(o->pending_fd, name, 0);
		sync_fd(o, o->pending_fd);
	}
	seterr(err, errsize, "cannot %s outbox record %s/pending/%s: %s", what, o->dir,
	       renamed ? name : tmp, strerror(e));
	return -1;
}

struct outbox_txn {
	struct outbox *o;
	struct obfile_state st;
	uint64_t bytes; /* record files pending plus those staged here */
	uint64_t first; /* seq of the first staged record */
	uint64_t next;	/* seq the next staged record gets */
};

/* Removes the records staged by t (the transaction is not committed). */
static void txn_unstage(struct outbox_txn *t)
{
	char name[OBFILE_NAME_SIZE];

	for (uint64_t seq = t->first; seq < t->next; seq++) {
		obfile_staged_name(name, sizeof name, seq);
		if (unlinkat(t->o->pending_fd, name, 0) != 0 && errno != ENOENT)
			log_err("outbox %s: cannot remove pending/%s: %s (the next open will)",
				t->o->dir, name, strerror(errno));
	}
	if (t->next > t->first && sync_fd(t->o, t->o->pending_fd) != 0)
		log_err("outbox %s: cannot sync pending/: %s", t->o->dir, strerror(errno));
	t->next = t->first;
}

struct outbox_txn *outbox_begin(struct outbox *o, char *err, size_t errsize)
{
	struct outbox_txn *t = calloc(1, sizeof *t);

	if (t == NULL) {
		seterr(err, errsize, "out of memory");
		return NULL;
	}
	t->o = o;
	if (lock_wait(o, err, errsize) != 0) {
		free(t);
		return NULL;
	}
	if (state_load(o, &t->st, err, errsize) != 0)
		goto fail;
	/* A submit killed since our open may have left staged records: settle them. */
	struct usage u = {.o = o, .settle = t->st.next_seq};
	if (obio_walk(o->pending_fd, usage_entry, &u) != 0) {
		seterr(err, errsize, "cannot scan %s/pending: %s", o->dir, strerror(errno));
		goto fail;
	}
	if (u.settled && sync_fd(o, o->pending_fd) != 0) {
		seterr(err, errsize, "cannot sync %s/pending: %s", o->dir, strerror(errno));
		goto fail;
	}
	if (u.max_seq >= t->st.next_seq) {
		log_warn("outbox %s: record %" PRIu64 " was written by a submit that did not "
			 "finish; it is kept and will be sent",
			 o->dir, u.max_seq);
		t->st.next_seq = u.max_seq + 1;
	}
	t->bytes = u.bytes;
	t->first = t->next = t->st.next_seq;
	return t;
fail:
	lock_op(o, LOCK_UN);
	free(t);
	return NULL;
}

int outbox_txn_put(struct outbox_txn *t, size_t nrows, const char *source, outbox_render_fn render,
		   void *arg, uint64_t *seq_out, char *err, size_t errsize)
{
	struct outbox *o = t->o;
	char hdr[OBFILE_HEADER_MAX], why[256];
	uint64_t seq = t->next;
	char *body = render(t->st.epoch, seq, arg);
	int rc = -1;

	if (body == NULL) {
		seterr(err, errsize, "could not render batch %" PRIu64 "; nothing was queued", seq);
		return -1;
	}
	size_t body_len = strlen(body);
	if (body_len > OUTBOX_RECORD_MAX) {
		seterr(err, errsize, "a batch of %zu bytes is larger than an outbox record may be",
		       body_len);
		goto out;
	}
	time_t now = time(NULL);
	size_t hdr_len = obfile_header_format(hdr, sizeof hdr, t->st.epoch, seq, nrows,
					      (int64_t)now, source, body_len);
	if (hdr_len == 0) {
		seterr(err, errsize, "source name has a line break or is longer than %d bytes",
		       OUTBOX_SOURCE_MAX);
		goto out;
	}
	uint64_t size = hdr_len + body_len + OBFILE_TRAILER_LEN;
	if (o->max_bytes != 0 && t->bytes + size > o->max_bytes) {
		/* next_seq is unchanged: the staged records stay invisible. */
		t->st.refused++;
		if (state_write(o, &t->st, why, sizeof why) != 0)
			log_err("%s", why);
		seterr(err, errsize,
		       "outbox full: %.1f MiB pending of %.1f MiB allowed; deliver with "
		       "`chiso-agent run` or raise agent.outbox_max_bytes",
		       (double)t->bytes / 1048576.0, (double)o->max_bytes / 1048576.0);
		goto out;
	}
	if (record_write(o, seq, true, false, hdr, hdr_len, body, body_len, err, errsize) != 0)
		goto out;
	t->bytes += size;
	t->next = seq + 1;
	*seq_out = seq;
	rc = 0;
out:
	free(body);
	return rc;
}

int outbox_commit(struct outbox_txn **tp, struct outbox_file *file, char *err, size_t errsize)
{
	struct outbox_txn *t = *tp;
	struct outbox *o = t->o;
	char staged[OBFILE_NAME_SIZE], name[OBFILE_NAME_SIZE];
	int rc = -1;

	*tp = NULL;
	if (t->next == t->first) { /* nothing staged: nothing to commit */
		rc = 0;
		goto out;
	}
	t->st.next_seq = t->next;
	if (file != NULL) {
		file->first = t->first;
		file->last = t->next - 1;
		file->when = (int64_t)time(NULL);
		obfile_state_add_file(&t->st, file);
	}
	/* The commit point: from here the batches exist, whatever happens next. */
	if (state_write(o, &t->st, err, errsize) != 0) {
		txn_unstage(t);
		goto out;
	}
	for (uint64_t seq = t->first; seq < t->next; seq++) {
		obfile_staged_name(staged, sizeof staged, seq);
		obfile_record_name(name, sizeof name, seq);
		/* ENOENT: a sender listing the outbox finished this rename first. */
		if (renameat(o->pending_fd, staged, o->pending_fd, name) != 0 && errno != ENOENT)
			log_err("outbox %s: cannot rename pending/%s: %s (the next open will)",
				o->dir, staged, strerror(errno));
	}
	if (sync_fd(o, o->pending_fd) != 0)
		log_err("outbox %s: cannot sync pending/: %s (the batches are committed)", o->dir,
			strerror(errno));
	rc = 0;
out:
	lock_op(o, LOCK_UN);
	free(t);
	return rc;
}

void outbox_abort(struct outbox_txn **tp)
{
	if (tp == NULL || *tp == NULL)
		return;
	txn_unstage(*tp);
	lock_op((*tp)->o, LOCK_UN);
	free(*tp);
	*tp = NULL;
}

int outbox_put(struct outbox *o, size_t nrows, const char *source, outbox_render_fn render,
	       void *arg, uint64_t *seq_out, char *err, size_t errsize)
{
	struct outbox_txn *t = outbox_begin(o, err, errsize);

	if (t == NULL)
		return -1;
	if (outbox_txn_put(t, nrows, source, render, arg, seq_out, err, errsize) != 0) {
		outbox_abort(&t);
		return -1;
	}
	return outbox_commit(&t, NULL, err, errsize);
}

int outbox_rekey(struct outbox *o, uint64_t seq, outbox_rekey_fn render, void *arg,
		 uint64_t *epoch_out, char *err, size_t errsize)
{
	struct outbox_record *rec = NULL;
	struct obfile_state st;
	enum load_failure failure;
	char hdr[OBFILE_HEADER_MAX], why[256];
	char *body = NULL;
	int rc = -1;

	/* The sender calls this: it must not wait for a submit of a whole file. */
	if (lock_op(o, LOCK_EX | LOCK_NB) != 0) {
		if (errno == EWOULDBLOCK)
			return 2;
		seterr(err, errsize, "cannot lock %s/lock: %s", o->dir, strerror(errno));
		return -1;
	}
	if (state_load(o, &st, err, errsize) != 0)
		goto out;
	if (record_load(o, seq, &rec, &failure, why, sizeof why) != 0) {
		if (failure == LOAD_GONE)
			rc = 1;
		else
			seterr(err, errsize, "outbox %s: %s", o->dir, why);
		goto out;
	}
	/*
	 * Every key of the current epoch from this seq on may be one the province
	 * has: leave the epoch.  The new one is saved before any record uses it,
	 * so a crash from here on leaves the record under its old key, refused
	 * again and re-keyed again, never a record under a key state does not know.
	 */
	if (rec->epoch == st.epoch) {
		uint64_t old = st.epoch;
		do
			if (new_epoch(&st.epoch, err, errsize) != 0)
				goto out;
		while (st.epoch == old);
		if (state_write(o, &st, err, errsize) != 0)
			goto out;
		log_warn("outbox %s: the province already has batch keys of epoch %" PRIu64
			 " that this outbox was about to hand out again (its state went back in "
			 "time); new epoch %" PRIu64,
			 o->dir, old, st.epoch);
	}
	o->epoch = st.epoch;
	/* The seq stays: it is unique in this outbox, so also under the new epoch. */
	if ((body = render(rec, st.epoch, seq, arg)) == NULL) {
		seterr(err, errsize, "could not render batch %" PRIu64 " again", seq);
		goto out;
	}
	size_t body_len = strlen(body);
	size_t hdr_len = obfile_header_format(hdr, sizeof hdr, st.epoch, seq, rec->nrows,
					      rec->created, rec->source, body_len);
	if (hdr_len == 0 || body_len > OUTBOX_RECORD_MAX) {
		seterr(err, errsize, "batch %" PRIu64 " does not fit an outbox record again", seq);
		goto out;
	}
	/* Replaced in one rename: the record is under its old key or its new one. */
	if (record_write(o, seq, false, true, hdr, hdr_len, body, body_len, err, errsize) != 0)
		goto out;
	*epoch_out = st.epoch;
	rc = 0;
out:
	free(body);
	outbox_record_destroy(&rec);
	lock_op(o, LOCK_UN);
	return rc;
}

int outbox_find_file(struct outbox *o, uint64_t hash, uint64_t size, struct outbox_file *f)
{
	struct obfile_state st;
	char why[256];

	if (state_load(o, &st, why, sizeof why) != 0) {
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
	    (settle_staged(c->o, name, seq, c->below, &c->settled, &seq) != 0 || seq == 0))
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
	if (c.settled && sync_fd(o, o->pending_fd) != 0)
		log_err("outbox %s: cannot sync pending/: %s", o->dir, strerror(errno));
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
	/*
	 * Shared, so that no put is half done while we count; but a submit holds
	 * the lock for a whole file, and the sender must not wait for it: then the
	 * counts are taken as they are (staged records are not counted anyway).
	 */
	bool locked = lock_op(o, LOCK_SH | LOCK_NB) == 0;
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
	if (locked)
		lock_op(o, LOCK_UN);
	return rc;
}
