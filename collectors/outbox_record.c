/*
 * outbox_record: one record file of pending/ (part of the outbox module,
 * outbox.h): load and check it, write it under its final name, finish or undo
 * the rename of a staged one, move a damaged one to corrupt/ (one that was
 * acknowledged: outbox_acked.c).  The crash rules these follow are in outbox.c.
 */
#include "outbox.h"
#include "outbox_impl.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "plat.h"

/* Loads and checks pending record seq; rec may be NULL to only check it. */
int outbox_record_load(struct outbox *o, uint64_t seq, struct outbox_record **rec,
		       enum outbox_load_failure *failure, char *err, size_t errsize)
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
			*failure = OUTBOX_LOAD_GONE;
		else if (e == ELOOP || e == EINVAL || e == EFBIG)
			*failure = OUTBOX_LOAD_DAMAGED;
		else
			*failure = OUTBOX_LOAD_ERROR;
		if (e == ENOENT)
			outbox_seterr(err, errsize, "no pending record %" PRIu64, seq);
		else
			outbox_seterr(err, errsize, "cannot read pending/%s: %s", name,
				      strerror(e));
		return -1;
	}
	*failure = OUTBOX_LOAD_DAMAGED;
	if (obfile_record_parse(buf, size, seq, &h, err, errsize) != 0)
		goto fail;
	*failure = OUTBOX_LOAD_ERROR;
	if (rec != NULL) {
		struct outbox_record *r = calloc(1, sizeof *r);
		if (r == NULL || (r->source = plat_strndup(h.source, h.source_len)) == NULL) {
			free(r);
			outbox_seterr(err, errsize, "out of memory reading pending/%s", name);
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
int outbox_move_corrupt(struct outbox *o, const char *name, const char *reason)
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
 * A staged record found in pending/: below next_seq its transaction committed
 * and the rename to .batch is finished here (*seq_out = seq); otherwise the
 * transaction never committed and the record goes (*seq_out = 0).  Either
 * way *changed is set.  Several processes may settle the same record: the
 * loser of a race finds it gone, which is fine.
 */
int outbox_settle_staged(struct outbox *o, const char *name, uint64_t seq, uint64_t next_seq,
			 bool *changed, uint64_t *seq_out)
{
	char target[OBFILE_NAME_SIZE];

	*seq_out = 0;
	if (seq < next_seq) {
		obfile_record_name(target, sizeof target, seq);
		if (plat_rename(o->pending_fd, name, o->pending_fd, target) != 0) {
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
	if (plat_unlink(o->pending_fd, name) != 0) {
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

/*
 * Writes the record for seq under its final name.  A new one (replace
 * false) leaves nothing on failure; one that replaces the record already
 * there (rekey) does so in one rename, and a failure after the rename (the
 * directory's fsync) leaves it under its new content, the old being gone.
 */
int outbox_record_write(struct outbox *o, uint64_t seq, bool staged, bool replace, const char *hdr,
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
	snprintf(tmp, sizeof tmp, OBFILE_TMP_PREFIX "%" PRIu64 "-%ld", seq, plat_pid());
	obfile_trailer(trailer, hdr, hdr_len, body, body_len);
	struct obio_part parts[] = {
	    {hdr, hdr_len}, {body, body_len}, {trailer, OBFILE_TRAILER_LEN}};
	if (obio_replace(&o->sync, o->pending_fd, tmp, name, !replace, parts, 3, &renamed, &what) ==
	    0)
		return 0;
	int e = errno;
	if (renamed && !replace) {
		plat_unlink(o->pending_fd, name);
		outbox_sync_fd(o, o->pending_fd);
	}
	outbox_seterr(err, errsize, "cannot %s outbox record %s/pending/%s: %s", what, o->dir,
		      renamed ? name : tmp, strerror(e));
	errno = e; /* ENOSPC lets outbox_txn_put make room */
	return -1;
}

int outbox_read(struct outbox *o, uint64_t seq, struct outbox_record **rec, char *err,
		size_t errsize)
{
	char why[256], name[OBFILE_NAME_SIZE];
	enum outbox_load_failure failure;

	*rec = NULL;
	if (outbox_record_load(o, seq, rec, &failure, why, sizeof why) == 0)
		return 0;
	if (failure != OUTBOX_LOAD_DAMAGED) {
		outbox_seterr(err, errsize, "outbox %s: %s", o->dir, why);
		return -1;
	}
	obfile_record_name(name, sizeof name, seq);
	if (outbox_move_corrupt(o, name, why) != 0)
		outbox_seterr(err, errsize,
			      "outbox record %s is damaged (%s) and could not be moved", name, why);
	else
		outbox_seterr(
		    err, errsize,
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
