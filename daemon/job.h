/*
 * job: the batches of one group commit and who is waiting for their answers.
 *
 * The main thread adds decoded batches to the open job while the writer thread
 * commits the previous one; when the writer is free the whole job is handed
 * over (ownership passes with the pointer) and comes back with an ack per
 * batch, or with RETRY if nothing could be committed.  This is group commit:
 * under load many batches share one transaction, at rest a batch waits at most
 * ingest.commit_max_delay_ms.  A job that reaches ingest.commit_max_rows is
 * sealed and queued, and a new one opened, so no transaction grows past it.
 */
#ifndef CHISOD_JOB_H
#define CHISOD_JOB_H

#include <stddef.h>
#include <stdint.h>

#include "batch.h"
#include "catalog.h"
#include "store.h"

#define JOB_ROUTING_ID_MAX 255

enum job_result {
	JOB_PENDING,
	JOB_COMMITTED, /* every entry's item.ack is filled */
	JOB_RETRY,     /* nothing committed: tell the senders to retry */
};

struct job_entry {
	unsigned char routing_id[JOB_ROUTING_ID_MAX];
	size_t routing_id_len;
	int version; /* the protocol version of the BATCH: its ACK or RETRY is tagged so */
	char collector[65];
	struct batch *batch;	/* owned */
	struct store_item item; /* item.batch points at batch */
};

struct job {
	size_t n, cap;
	struct job_entry *entries;
	uint64_t rows;
	int64_t first_us; /* when the first batch joined */
	enum job_result result;
	char error[256];
	enum store_failure failure; /* why the writer gave up, STORE_FAIL_NONE if it did not */
	uint64_t commit_rows;	    /* rows of the writer's last commit attempt */
	int64_t commit_ms;	    /* and how long it took (to the failure, if it failed) */
	struct job *next;	    /* chisod's queue of full jobs waiting for the writer */
};

/* An empty job; NULL if out of memory. */
struct job *job_new(void);
/* Frees the job, its batches and acks, and sets *jp to NULL; safe on NULL. */
void job_destroy(struct job **jp);
/* Adds a batch that came tagged version (takes ownership of *bp, sets it to NULL); 0, or -1 if
 * out of memory. */
int job_add(struct job *j, const void *routing_id, size_t routing_id_len, int version,
	    int collector_id, const char *collector, struct batch **bp, int64_t now_us);
/*
 * Moves the entries of j that are not done into new jobs of at most limit
 * rows each (one entry at least), in their order, chained by next; *chain is
 * the first (the caller owns the chain), NULL if every entry is done.  j
 * keeps its done entries.  Returns the number of new jobs (0 if every entry
 * is done), or -1 if out of memory, with j unchanged.
 */
int job_split(struct job *j, uint64_t limit, struct job **chain);
/*
 * The checks chisod makes before the database sees a row: the period parses,
 * or a date is turned into the period of the indicator's native type and
 * calendar.  Refused rows get a reason and a message and are kept.
 */
void job_prepare(struct batch *b, const struct catalog *cat);

#endif
