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
 *
 * The module is four files under one prefix: this one (the handle, its lock,
 * the state file and the recovery at open), outbox_record.c (one record file),
 * outbox_queue.c (the views over pending/) and outbox_write.c (transactions,
 * puts and re-keys); outbox_impl.h is what they share.
 */
#include "outbox.h"
#include "outbox_impl.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "log.h"

void outbox_seterr(char *err, size_t errsize, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errsize == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errsize, fmt, ap);
	va_end(ap);
}

int outbox_sync_fd(struct outbox *o, int fd)
{
	return o->sync.fn(fd, o->sync.arg);
}

int outbox_lock_op(struct outbox *o, enum plat_lock how)
{
	return plat_lock(o->lock_fd, how, false);
}

/*
 * Takes the lock for writing, waiting at most o->lock_wait_ms: a writer
 * stopped with Ctrl-Z holds it for ever, and every other command must not
 * hang behind it.  0, or -1 with err naming the holder.
 */
int outbox_lock_wait(struct outbox *o, char *err, size_t errsize)
{
	int64_t start = clock_mono_ms();

	for (;;) {
		if (outbox_lock_op(o, PLAT_LOCK_EX) == 0)
			return 0;
		if (errno != EWOULDBLOCK) {
			outbox_seterr(err, errsize, "cannot lock %s/lock: %s", o->dir,
				      strerror(errno));
			return -1;
		}
		if (clock_mono_ms() - start >= o->lock_wait_ms)
			break;
		plat_sleep_ms(50);
	}
	char who[256];
	plat_lock_holder(o->lock_fd, who, sizeof who);
	outbox_seterr(
	    err, errsize,
	    "hàng đợi %s đang bị tiến trình %s giữ khoá (đã chờ %.1f giây): hãy chờ lệnh đó "
	    "chạy xong; nếu nó đã bị tạm dừng (Ctrl-Z) thì cho nó chạy tiếp bằng `fg` hoặc "
	    "dừng hẳn nó",
	    o->dir, *who ? who : "khác", (double)o->lock_wait_ms / 1000.0);
	return -1;
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
			outbox_seterr(err, errsize, "cannot read %s/state: %s", o->dir,
				      strerror(errno));
			return -1;
		}
		snprintf(why, sizeof why, "%s", strerror(errno));
	} else if (obfile_state_parse(buf, n, st, why, sizeof why) == 0) {
		free(buf);
		return 0;
	}
	free(buf);
	*damaged = true;
	outbox_seterr(err, errsize, "outbox state %s/state is damaged (%s)", o->dir, why);
	return -1;
}

/* State that must exist: every open creates it. */
int outbox_state_load(struct outbox *o, struct obfile_state *st, char *err, size_t errsize)
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
		outbox_seterr(err, errsize, "outbox state %s/state has disappeared", o->dir);
		return -1;
	}
	return 0;
}

/*
 * Replaces state atomically.  If only the last directory fsync failed the new
 * state is already visible: that costs at most a gap in the seqs, never a
 * reused one, so nothing is undone.
 */
int outbox_state_write(struct outbox *o, const struct obfile_state *st, char *err, size_t errsize)
{
	char buf[OBFILE_STATE_MAX];
	struct obio_part part = {buf, obfile_state_format(buf, sizeof buf, st)};
	const char *what;
	bool renamed;

	if (obio_replace(&o->sync, o->dir_fd, "state.tmp", "state", false, &part, 1, &renamed,
			 &what) != 0) {
		outbox_seterr(err, errsize, "cannot %s outbox state %s/state: %s", what, o->dir,
			      strerror(errno));
		return -1;
	}
	return 0;
}

int outbox_new_epoch(uint64_t *epoch, char *err, size_t errsize)
{
	uint64_t v = 0;

	while (v == 0) {
		if (plat_random(&v, sizeof v) != 0) {
			outbox_seterr(err, errsize,
				      "cannot get random bytes for the outbox epoch: %s",
				      strerror(errno));
			return -1;
		}
		v &= (uint64_t)INT64_MAX;
	}
	*epoch = v;
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
	enum outbox_load_failure failure;
	char why[160];
	uint64_t seq;

	switch (obfile_classify(name, &seq)) {
	case OBFILE_TMP:
		/* Writers hold the lock while a temporary exists, and so do we: it is stale. */
		if (plat_unlink(o->pending_fd, name) != 0 && errno != ENOENT) {
			outbox_seterr(r->err, r->errsize, "cannot remove %s/pending/%s: %s", o->dir,
				      name, strerror(errno));
			r->failed = true;
			return -1;
		}
		log_info("outbox %s: removed pending/%s left by an interrupted submit", o->dir,
			 name);
		r->changed = true;
		return 0;
	case OBFILE_RECORD:
		if (outbox_record_load(o, seq, NULL, &failure, why, sizeof why) == 0) {
			if (seq > r->max_seq)
				r->max_seq = seq;
			return 0;
		}
		if (failure == OUTBOX_LOAD_GONE)
			return 0; /* removed by a concurrent run */
		if (failure == OUTBOX_LOAD_DAMAGED && outbox_move_corrupt(o, name, why) == 0)
			return 0;
		if (failure == OUTBOX_LOAD_DAMAGED)
			outbox_seterr(r->err, r->errsize,
				      "outbox %s: cannot move damaged pending/%s aside", o->dir,
				      name);
		else
			outbox_seterr(r->err, r->errsize, "outbox %s: %s", o->dir, why);
		r->failed = true;
		return -1;
	case OBFILE_STAGED:
		if (outbox_settle_staged(o, name, seq, r->next_seq, &r->changed, &seq) != 0) {
			outbox_seterr(r->err, r->errsize, "outbox %s: cannot settle pending/%s",
				      o->dir, name);
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
		outbox_seterr(err, errsize, "%s; and it cannot be moved to corrupt/: %s", why,
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
				outbox_seterr(err, errsize, "%s", why);
			return -1;
		}
		missing = true; /* and said so: a new epoch, next_seq past every record */
	} else if (!missing) {
		legacy = st.legacy;
	}
	if (missing) {
		memset(&st, 0, sizeof st);
		if (outbox_new_epoch(&st.epoch, err, errsize) != 0)
			return -1;
		st.next_seq = 1;
	}
	r.next_seq = st.next_seq;
	if (plat_dir_walk(o->pending_fd, recover_entry, &r) != 0) {
		if (!r.failed)
			outbox_seterr(err, errsize, "cannot scan %s/pending: %s", o->dir,
				      strerror(errno));
		return -1;
	}
	if (r.changed && outbox_sync_fd(o, o->pending_fd) != 0) {
		outbox_seterr(err, errsize, "cannot sync %s/pending: %s", o->dir, strerror(errno));
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
	if ((missing || behind || legacy) && outbox_state_write(o, &st, err, errsize) != 0)
		return -1;
	o->epoch = st.epoch;
	return 0;
}

static int open_subdir(struct outbox *o, const char *sub, int *fd, char *err, size_t errsize)
{
	if (plat_mkdir(o->dir_fd, sub, 0700) != 0 && errno != EEXIST) {
		outbox_seterr(err, errsize, "cannot create %s/%s: %s", o->dir, sub,
			      strerror(errno));
		return -1;
	}
	*fd = plat_open(o->dir_fd, sub, PLAT_O_DIR, 0);
	if (*fd < 0) {
		outbox_seterr(err, errsize, "cannot open %s/%s: %s", o->dir, sub, strerror(errno));
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
		outbox_seterr(err, errsize, "out of memory");
		goto fail;
	}
	o->dir_fd = o->pending_fd = o->corrupt_fd = o->acked_fd = o->lock_fd = -1;
	o->max_bytes = max_bytes;
	o->lock_wait_ms = lock_wait_ms;
	o->sync.fn = obio_fsync;
	if (plat_mkdir(PLAT_CWD, dir, 0700) != 0 && errno != EEXIST) {
		outbox_seterr(err, errsize, "cannot create outbox directory %s: %s", dir,
			      strerror(errno));
		goto fail;
	}
	o->dir_fd = plat_open(PLAT_CWD, dir, PLAT_O_DIR, 0);
	if (o->dir_fd < 0) {
		outbox_seterr(err, errsize, "cannot open outbox directory %s: %s", dir,
			      strerror(errno));
		goto fail;
	}
	if (open_subdir(o, "pending", &o->pending_fd, err, errsize) != 0 ||
	    open_subdir(o, "corrupt", &o->corrupt_fd, err, errsize) != 0 ||
	    open_subdir(o, "acked", &o->acked_fd, err, errsize) != 0)
		goto fail;
	o->lock_fd = plat_open(o->dir_fd, "lock", PLAT_O_RDWR | PLAT_O_CREATE, 0600);
	if (o->lock_fd < 0) {
		outbox_seterr(err, errsize, "cannot open %s/lock: %s", dir, strerror(errno));
		goto fail;
	}
	/* pending/, corrupt/ and acked/ must survive a power cut before any record relies on them.
	 */
	if (outbox_sync_fd(o, o->dir_fd) != 0) {
		outbox_seterr(err, errsize, "cannot sync %s: %s", dir, strerror(errno));
		goto fail;
	}
	/*
	 * The clean-up is opportunistic: when another process holds the lock
	 * (a submit in the middle of a file, or one stopped with Ctrl-Z) it is
	 * left to the next open, because status and run must never wait for a
	 * writer.  Without it a reader still sees only committed records (those
	 * below next_seq).  Only an outbox still being created is waited for.
	 */
	if (outbox_lock_op(o, PLAT_LOCK_EX) == 0) {
		locked = true;
	} else if (errno != EWOULDBLOCK) {
		outbox_seterr(err, errsize, "cannot lock %s/lock: %s", dir, strerror(errno));
		goto fail;
	} else if (plat_exists(o->dir_fd, "state", true)) {
		struct obfile_state st;
		if (outbox_state_load(o, &st, err, errsize) != 0)
			goto fail;
		o->epoch = st.epoch;
		return o;
	} else if (outbox_lock_wait(o, err, errsize) != 0) {
		goto fail;
	} else {
		locked = true;
	}
	if (recover(o, err, errsize) != 0)
		goto fail;
	outbox_lock_op(o, PLAT_LOCK_UN);
	return o;
fail:
	if (locked)
		outbox_lock_op(o, PLAT_LOCK_UN);
	outbox_close(&o);
	return NULL;
}

void outbox_close(struct outbox **op)
{
	struct outbox *o;

	if (op == NULL || *op == NULL)
		return;
	o = *op;
	int fds[] = {o->dir_fd, o->pending_fd, o->corrupt_fd, o->acked_fd, o->lock_fd};
	for (size_t i = 0; i < sizeof fds / sizeof fds[0]; i++)
		if (fds[i] >= 0)
			plat_close(fds[i]);
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
