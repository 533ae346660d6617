/*
 * outbox: the agent's durable queue of batches.
 *
 * A commune PC loses power and network; whatever `chiso-agent submit`
 * reported as queued must survive until the province acknowledges it.  Each
 * batch is one file written to a temporary name, fsync'ed, renamed into
 * pending/ and the directory fsync'ed, so a record is either wholly there or
 * not there at all; its CRC-32 catches a record damaged later on disk, which
 * is moved aside to corrupt/ (never deleted, never sent).  The epoch, drawn at
 * random when the outbox is created, and the sequence number make each
 * batch's key unique, so an outbox recreated from scratch can never reuse a
 * key the province has already committed.
 *
 *   <dir>/state                 epoch, next_seq, refused (atomically replaced)
 *   <dir>/lock                  flock while a seq is assigned and written
 *   <dir>/pending/<seq>.batch   one record per batch (format in outbox.c)
 *   <dir>/corrupt/              records that failed their check, kept for people
 */
#ifndef CHISO_OUTBOX_H
#define CHISO_OUTBOX_H

#include <stddef.h>
#include <stdint.h>

struct outbox;

struct outbox_stats {
	uint64_t epoch, next_seq;
	uint64_t pending_batches, pending_rows, pending_bytes;
	uint64_t corrupt;	/* records kept aside in corrupt/ */
	uint64_t refused;	/* submissions refused because the outbox was full */
	int64_t oldest_created; /* unix seconds of the oldest pending record, 0 if none */
};

struct outbox_record {
	uint64_t epoch, seq, nrows;
	int64_t created;
	char *source; /* absolute path of the input file, may be "" */
	char *body;   /* the BATCH JSON body, NUL-terminated */
	size_t body_len;
};

/* The BATCH body for a seq, rendered once the seq is known; malloc'd, NULL on failure. */
typedef char *(*outbox_render_fn)(uint64_t epoch, uint64_t seq, void *arg);

/*
 * Opens (creating if needed, mode 0700) the outbox in dir.  Leftover temporary
 * files of a crashed write are removed; records failing their check are moved
 * to corrupt/.  max_bytes caps the pending records (0 = no cap).  NULL with err.
 */
struct outbox *outbox_open(const char *dir, uint64_t max_bytes, char *err, size_t errsize);
/* Closes and sets *op to NULL; safe on NULL. */
void outbox_close(struct outbox **op);
/* The outbox's epoch (fixed for its lifetime). */
uint64_t outbox_epoch(const struct outbox *o);
/*
 * Assigns the next seq and writes the record durably.  Fails, consuming no seq
 * and leaving nothing behind, when the cap would be exceeded (a clear message,
 * and the refused counter grows), when render fails, or when any write, fsync
 * or rename fails (the message names the call and the error).
 */
int outbox_put(struct outbox *o, size_t nrows, const char *source, outbox_render_fn render,
	       void *arg, uint64_t *seq_out, char *err, size_t errsize);
/* The pending seqs in ascending order (rescans the directory); caller frees *seqs. */
int outbox_list(struct outbox *o, uint64_t **seqs, size_t *n);
/* Reads and checks one record; a damaged one is moved to corrupt/ and -1 returned. */
int outbox_read(struct outbox *o, uint64_t seq, struct outbox_record **rec, char *err,
		size_t errsize);
/* Frees a record and sets *rp to NULL; safe on NULL. */
void outbox_record_destroy(struct outbox_record **rp);
/* Deletes an acknowledged record (unlink, fsync of the directory); a missing one is fine. */
int outbox_remove(struct outbox *o, uint64_t seq);
/* Current figures (scans pending/ headers). */
int outbox_stats(struct outbox *o, struct outbox_stats *st);

#endif
