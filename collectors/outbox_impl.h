/*
 * outbox_impl: what the files of the outbox module share (outbox.c,
 * outbox_record.c, outbox_queue.c, outbox_write.c).  Not for callers: they
 * use outbox.h, whose handle stays opaque to them.
 */
#ifndef CHISO_OUTBOX_IMPL_H
#define CHISO_OUTBOX_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "obfile.h"
#include "obio.h"
#include "outbox.h"
#include "plat.h"

/* The handle: only directory descriptors and settings, never a list of records. */
struct outbox {
	char *dir; /* as given, for messages */
	int dir_fd;
	int pending_fd;
	int corrupt_fd;
	int acked_fd; /* acknowledged records kept for `resend` (outbox_acked.c) */
	int lock_fd;
	long long keep_acked_s; /* 0: an acknowledged record is deleted */
	int64_t next_prune;	/* time(): when outbox_remove next looks for expired ones */
	long long lock_wait_ms; /* how long a writer waits for another's lock */
	uint64_t epoch;
	uint64_t max_bytes;
	struct obio_sync sync;
};

/* Why a record could not be loaded: each calls for a different response. */
enum outbox_load_failure {
	OUTBOX_LOAD_GONE,    /* no such record: removed after its ACK */
	OUTBOX_LOAD_DAMAGED, /* the bytes are wrong: move it aside, never send it */
	OUTBOX_LOAD_ERROR,   /* the system failed (I/O, memory): leave the record alone */
};

/* What a scan of pending/ (outbox_usage_entry) found. */
struct outbox_usage {
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

/* outbox.c */
/* Formats into err (if errsize > 0). */
void outbox_seterr(char *err, size_t errsize, const char *fmt, ...) PLAT_PRINTF(3, 4);
/* fsync(fd) through the hook outbox_set_fsync installed; 0 or -1 with errno. */
int outbox_sync_fd(struct outbox *o, int fd);
/* plat_lock(how) on the outbox's lock file, never waiting; 0 or -1 with errno. */
int outbox_lock_op(struct outbox *o, enum plat_lock how);
/* Takes the lock for writing, waiting at most o->lock_wait_ms; 0, or -1 with err. */
int outbox_lock_wait(struct outbox *o, char *err, size_t errsize);
/* Reads the state file, which must exist; 0, or -1 with err. */
int outbox_state_load(struct outbox *o, struct obfile_state *st, char *err, size_t errsize);
/* Replaces the state file atomically; 0, or -1 with err. */
int outbox_state_write(struct outbox *o, const struct obfile_state *st, char *err, size_t errsize);
/* A fresh random epoch in 1..2^63-1; 0, or -1 with err. */
int outbox_new_epoch(uint64_t *epoch, char *err, size_t errsize);

/* outbox_record.c */
/* Loads and checks pending record seq (rec NULL: only checks); 0, or -1 with *failure and err. */
int outbox_record_load(struct outbox *o, uint64_t seq, struct outbox_record **rec,
		       enum outbox_load_failure *failure, char *err, size_t errsize);
/* Moves a damaged pending/name to corrupt/ and says so in the log; 0 or -1. */
int outbox_move_corrupt(struct outbox *o, const char *name, const char *reason);
/* Finishes (below next_seq) or removes (at or past it) a staged record; 0 or -1. */
int outbox_settle_staged(struct outbox *o, const char *name, uint64_t seq, uint64_t next_seq,
			 bool *changed, uint64_t *seq_out);
/* Writes the record for seq under its final name (staged or not, new or replacing). */
int outbox_record_write(struct outbox *o, uint64_t seq, bool staged, bool replace, const char *hdr,
			size_t hdr_len, const char *body, size_t body_len, char *err,
			size_t errsize);

/* outbox_acked.c */
/* The disk is full: deletes every kept acknowledged record (logged); how many. */
uint64_t outbox_drop_acked(struct outbox *o);

/* outbox_queue.c */
/* plat_dir_walk callback over pending/ that fills a struct outbox_usage. */
int outbox_usage_entry(const char *name, void *arg);

#endif
