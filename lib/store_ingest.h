/*
 * store_ingest: chisod's group commit, the one hot path of the store module.
 *
 * The batches of a commit go to session staging tables by COPY and one call
 * of the SQL function ingest() checks, writes and answers them; see
 * sql/R_20_ingest.sql for the rules.
 */
#ifndef CHISO_STORE_INGEST_H
#define CHISO_STORE_INGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "batch.h"
#include "store.h"

struct store;

/* One batch of a group commit. */
struct store_item {
	int collector_id;
	int64_t received_us;	   /* microseconds since the epoch */
	const struct batch *batch; /* borrowed; rows already resolved to periods or refused */
	struct batch_ack ack;	   /* filled by store_ingest (arrays owned by the item) */
	bool done;		   /* ack is filled: the batch is committed (or was already) */
};

/*
 * Commits the items in one transaction and fills each item's ack.  Returns 0,
 * or -1 with *why and err; nothing is acked then (the batch keys make a retry
 * safe even if the COMMIT did happen).  After a timeout or a transient
 * failure the session's staging tables are dropped (they are made again by the
 * next commit): the rows of a rolled-back transaction stay in them as dead
 * rows until a commit succeeds (ON COMMIT DELETE ROWS empties them), nothing
 * vacuums them, and a database slow for an hour would otherwise leave them
 * gigabytes large.  A refused statement keeps them: the writer bisects such a
 * job, and each half would make them again.
 */
int store_ingest(struct store *s, struct store_item *items, size_t n, enum store_failure *why,
		 char *err, size_t errsize);

#endif
