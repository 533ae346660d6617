/*
 * outbox_acked: acknowledged records kept for a while (part of the outbox
 * module, outbox.h).
 *
 * The province's database can be restored to an earlier moment (a dump, or
 * point-in-time recovery); what it acknowledged after that moment is then
 * gone from it.  So an acknowledged record is not deleted but moved to
 * acked/ and kept agent.keep_acked_days, and `chiso-agent resend` moves them
 * back to pending/ under their own keys: the province answers those it holds
 * as duplicates and stores the others.  The file's mtime is the time of its
 * ACK (set just before the move), from which the days are counted.
 */
#include "outbox.h"
#include "outbox_impl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "plat.h"

/* How often an agent that keeps acknowledged records looks for expired ones. */
#define OUTBOX_PRUNE_EVERY_S 3600

void outbox_keep_acked(struct outbox *o, long long seconds)
{
	o->keep_acked_s = seconds > 0 ? seconds : 0;
	o->next_prune = 0;
}

/* A walk of acked/: what it counts, and the first failure. */
struct acked_walk {
	struct outbox *o;
	time_t cutoff; /* prune: records acknowledged at or before it go */
	uint64_t count;
	int failed_errno;
};

static int prune_entry(const char *name, void *arg)
{
	struct acked_walk *p = arg;
	struct plat_stat st;
	uint64_t seq;

	if (obfile_classify(name, &seq) != OBFILE_RECORD ||
	    plat_stat(p->o->acked_fd, name, false, &st) != 0 || st.mtime.tv_sec > p->cutoff)
		return 0;
	if (plat_unlink(p->o->acked_fd, name) == 0)
		p->count++;
	else if (errno != ENOENT)
		log_warn("outbox %s: cannot remove acked/%s: %s", p->o->dir, name, strerror(errno));
	return 0;
}

int outbox_prune_acked(struct outbox *o, time_t now, uint64_t *removed)
{
	struct acked_walk p = {o, now - (time_t)o->keep_acked_s, 0, 0};

	if (plat_dir_walk(o->acked_fd, prune_entry, &p) != 0) {
		log_err("outbox %s: cannot scan acked/: %s", o->dir, strerror(errno));
		return -1;
	}
	if (removed)
		*removed = p.count;
	return 0;
}

uint64_t outbox_drop_acked(struct outbox *o)
{
	struct acked_walk p = {o, (time_t)INT64_MAX, 0, 0};

	if (plat_dir_walk(o->acked_fd, prune_entry, &p) != 0)
		log_err("outbox %s: cannot scan acked/: %s", o->dir, strerror(errno));
	if (p.count)
		log_warn("outbox %s: the disk is full: %llu acknowledged batches kept for `resend` "
			 "were removed to make room",
			 o->dir, (unsigned long long)p.count);
	return p.count;
}

/* Moves acknowledged pending/name to acked/, stamped with the time of its ACK. */
static int keep_one(struct outbox *o, const char *name)
{
	int fd = plat_open(o->pending_fd, name, PLAT_O_WRITE | PLAT_O_NOFOLLOW, 0);

	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	int rc = plat_touch(fd);
	int e = errno;
	plat_close(fd);
	errno = e;
	if (rc != 0 || plat_rename(o->pending_fd, name, o->acked_fd, name) != 0)
		return errno == ENOENT ? 0 : -1;
	/* acked/ first: a power cut then leaves it in one of the two, never in neither. */
	if (outbox_sync_fd(o, o->acked_fd) != 0 || outbox_sync_fd(o, o->pending_fd) != 0)
		return -1;
	return 0;
}

int outbox_remove(struct outbox *o, uint64_t seq)
{
	char name[OBFILE_NAME_SIZE];
	time_t now = time(NULL);

	obfile_record_name(name, sizeof name, seq);
	if (o->keep_acked_s > 0) {
		if (keep_one(o, name) != 0) {
			log_err("outbox %s: cannot move pending/%s to acked/: %s", o->dir, name,
				strerror(errno));
			return -1;
		}
	} else if (plat_unlink(o->pending_fd, name) != 0 && errno != ENOENT) {
		log_err("outbox %s: cannot remove pending/%s: %s", o->dir, name, strerror(errno));
		return -1;
	} else if (outbox_sync_fd(o, o->pending_fd) != 0) {
		log_err("outbox %s: cannot sync pending/: %s", o->dir, strerror(errno));
		return -1;
	}
	/* Also with keeping off: what an earlier setting kept must not stay for ever. */
	if (now >= o->next_prune) {
		o->next_prune = now + OUTBOX_PRUNE_EVERY_S;
		(void)outbox_prune_acked(o, now, NULL);
	}
	return 0;
}

static int resend_entry(const char *name, void *arg)
{
	struct acked_walk *r = arg;
	uint64_t seq;

	if (obfile_classify(name, &seq) != OBFILE_RECORD)
		return 0;
	/* Still pending (sent again before its ACK was kept): the pending one is the one. */
	if (plat_exists(r->o->pending_fd, name, false)) {
		if (plat_unlink(r->o->acked_fd, name) != 0 && errno != ENOENT)
			r->failed_errno = errno;
		return 0;
	}
	if (plat_rename(r->o->acked_fd, name, r->o->pending_fd, name) == 0)
		r->count++;
	else if (errno != ENOENT)
		r->failed_errno = errno;
	return 0;
}

int outbox_resend(struct outbox *o, uint64_t *moved, char *err, size_t errsize)
{
	struct acked_walk r = {o, 0, 0, 0};
	int rc = -1;

	*moved = 0;
	if (outbox_lock_wait(o, err, errsize) != 0)
		return -1;
	if (plat_dir_walk(o->acked_fd, resend_entry, &r) != 0)
		r.failed_errno = errno;
	if (outbox_sync_fd(o, o->pending_fd) != 0 || outbox_sync_fd(o, o->acked_fd) != 0)
		r.failed_errno = errno;
	if (r.failed_errno)
		outbox_seterr(err, errsize, "cannot move %s/acked/ back to pending/: %s", o->dir,
			      strerror(r.failed_errno));
	else
		rc = 0;
	*moved = r.count;
	outbox_lock_op(o, PLAT_LOCK_UN);
	return rc;
}
