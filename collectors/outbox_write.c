/*
 * outbox_write: putting batches into the outbox (part of the outbox module,
 * outbox.h).  A transaction stages one submitted file's records and commits
 * them with the state write alone; outbox_put is a transaction of one record;
 * outbox_rekey gives a record refused by the province a new epoch.  The crash
 * rules these follow are in outbox.c.
 */
#include "outbox.h"
#include "outbox_impl.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"

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
		if (plat_unlink(t->o->pending_fd, name) != 0 && errno != ENOENT)
			log_err("outbox %s: cannot remove pending/%s: %s (the next open will)",
				t->o->dir, name, strerror(errno));
	}
	if (t->next > t->first && outbox_sync_fd(t->o, t->o->pending_fd) != 0)
		log_err("outbox %s: cannot sync pending/: %s", t->o->dir, strerror(errno));
	t->next = t->first;
}

struct outbox_txn *outbox_begin(struct outbox *o, char *err, size_t errsize)
{
	struct outbox_txn *t = calloc(1, sizeof *t);

	if (t == NULL) {
		outbox_seterr(err, errsize, "out of memory");
		return NULL;
	}
	t->o = o;
	if (outbox_lock_wait(o, err, errsize) != 0) {
		free(t);
		return NULL;
	}
	if (outbox_state_load(o, &t->st, err, errsize) != 0)
		goto fail;
	/* A submit killed since our open may have left staged records: settle them. */
	struct outbox_usage u = {.o = o, .settle = t->st.next_seq};
	if (plat_dir_walk(o->pending_fd, outbox_usage_entry, &u) != 0) {
		outbox_seterr(err, errsize, "cannot scan %s/pending: %s", o->dir, strerror(errno));
		goto fail;
	}
	if (u.settled && outbox_sync_fd(o, o->pending_fd) != 0) {
		outbox_seterr(err, errsize, "cannot sync %s/pending: %s", o->dir, strerror(errno));
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
	outbox_lock_op(o, PLAT_LOCK_UN);
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
		outbox_seterr(err, errsize,
			      "could not render batch %" PRIu64 "; nothing was queued", seq);
		return -1;
	}
	size_t body_len = strlen(body);
	if (body_len > OUTBOX_RECORD_MAX) {
		outbox_seterr(err, errsize,
			      "a batch of %zu bytes is larger than an outbox record may be",
			      body_len);
		goto out;
	}
	time_t now = time(NULL);
	size_t hdr_len = obfile_header_format(hdr, sizeof hdr, t->st.epoch, seq, nrows,
					      (int64_t)now, source, body_len);
	if (hdr_len == 0) {
		outbox_seterr(err, errsize,
			      "source name has a line break or is longer than %d bytes",
			      OUTBOX_SOURCE_MAX);
		goto out;
	}
	uint64_t size = hdr_len + body_len + OBFILE_TRAILER_LEN;
	if (o->max_bytes != 0 && t->bytes + size > o->max_bytes) {
		/* next_seq is unchanged: the staged records stay invisible. */
		t->st.refused++;
		if (outbox_state_write(o, &t->st, why, sizeof why) != 0)
			log_err("%s", why);
		outbox_seterr(err, errsize,
			      "outbox full: %.1f MiB pending of %.1f MiB allowed; deliver with "
			      "`chiso-agent run` or raise agent.outbox_max_bytes",
			      (double)t->bytes / 1048576.0, (double)o->max_bytes / 1048576.0);
		goto out;
	}
	int wrc =
	    outbox_record_write(o, seq, true, false, hdr, hdr_len, body, body_len, err, errsize);
	/* Batches already delivered never stand in the way of new figures. */
	if (wrc != 0 && errno == ENOSPC && outbox_drop_acked(o) > 0)
		wrc = outbox_record_write(o, seq, true, false, hdr, hdr_len, body, body_len, err,
					  errsize);
	if (wrc != 0)
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
	if (outbox_state_write(o, &t->st, err, errsize) != 0) {
		txn_unstage(t);
		goto out;
	}
	for (uint64_t seq = t->first; seq < t->next; seq++) {
		obfile_staged_name(staged, sizeof staged, seq);
		obfile_record_name(name, sizeof name, seq);
		/* ENOENT: a sender listing the outbox finished this rename first. */
		if (plat_rename(o->pending_fd, staged, o->pending_fd, name) != 0 && errno != ENOENT)
			log_err("outbox %s: cannot rename pending/%s: %s (the next open will)",
				o->dir, staged, strerror(errno));
	}
	if (outbox_sync_fd(o, o->pending_fd) != 0)
		log_err("outbox %s: cannot sync pending/: %s (the batches are committed)", o->dir,
			strerror(errno));
	rc = 0;
out:
	outbox_lock_op(o, PLAT_LOCK_UN);
	free(t);
	return rc;
}

void outbox_abort(struct outbox_txn **tp)
{
	if (tp == NULL || *tp == NULL)
		return;
	txn_unstage(*tp);
	outbox_lock_op((*tp)->o, PLAT_LOCK_UN);
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
	enum outbox_load_failure failure;
	char hdr[OBFILE_HEADER_MAX], why[256];
	char *body = NULL;
	int rc = -1;

	/* The sender calls this: it must not wait for a submit of a whole file. */
	if (outbox_lock_op(o, PLAT_LOCK_EX) != 0) {
		if (errno == EWOULDBLOCK)
			return 2;
		outbox_seterr(err, errsize, "cannot lock %s/lock: %s", o->dir, strerror(errno));
		return -1;
	}
	if (outbox_state_load(o, &st, err, errsize) != 0)
		goto out;
	if (outbox_record_load(o, seq, &rec, &failure, why, sizeof why) != 0) {
		if (failure == OUTBOX_LOAD_GONE)
			rc = 1;
		else
			outbox_seterr(err, errsize, "outbox %s: %s", o->dir, why);
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
			if (outbox_new_epoch(&st.epoch, err, errsize) != 0)
				goto out;
		while (st.epoch == old);
		if (outbox_state_write(o, &st, err, errsize) != 0)
			goto out;
		log_warn("outbox %s: the province already has batch keys of epoch %" PRIu64
			 " that this outbox was about to hand out again (its state went back in "
			 "time); new epoch %" PRIu64,
			 o->dir, old, st.epoch);
	}
	o->epoch = st.epoch;
	/* The seq stays: it is unique in this outbox, so also under the new epoch. */
	if ((body = render(rec, st.epoch, seq, arg)) == NULL) {
		outbox_seterr(err, errsize, "could not render batch %" PRIu64 " again", seq);
		goto out;
	}
	size_t body_len = strlen(body);
	size_t hdr_len = obfile_header_format(hdr, sizeof hdr, st.epoch, seq, rec->nrows,
					      rec->created, rec->source, body_len);
	if (hdr_len == 0 || body_len > OUTBOX_RECORD_MAX) {
		outbox_seterr(err, errsize, "batch %" PRIu64 " does not fit an outbox record again",
			      seq);
		goto out;
	}
	/* Replaced in one rename: the record is under its old key or its new one. */
	if (outbox_record_write(o, seq, false, true, hdr, hdr_len, body, body_len, err, errsize) !=
	    0)
		goto out;
	*epoch_out = st.epoch;
	rc = 0;
out:
	free(body);
	outbox_record_destroy(&rec);
	outbox_lock_op(o, PLAT_LOCK_UN);
	return rc;
}
