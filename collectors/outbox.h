/*
 * outbox: the agent's durable queue of batches waiting for the daemon's ACK.
 *
 * `chiso-agent submit` puts batches in and returns; `chiso-agent run` (maybe at
 * the same time, in another process) sends them and removes each one only
 * after its ACK.  A put that returns 0 has its record on disk (file and
 * directory fsynced), so a power cut cannot lose it; a put that fails leaves
 * nothing behind and does not consume its sequence number.  Every record
 * carries a CRC: one that rots on disk is moved to corrupt/ (kept, never
 * deleted) instead of being sent.
 *
 * A submit of one file is one transaction (outbox_begin, outbox_txn_put,
 * outbox_commit): its batches are written as staged records, invisible to
 * senders, and all become pending at once when the state file, replaced
 * atomically, moves next_seq past them and records the file's identity.  So a
 * submit killed at any point has queued either the whole file or none of it,
 * and submitting the same file again is recognised (outbox_find_file) instead
 * of queuing its figures twice.
 *
 * On disk, under the outbox directory (created 0700 if missing):
 *   state                  epoch, next_seq, refused, the files submitted
 *                          last and a crc32, replaced atomically; a damaged
 *                          one is moved to corrupt/ at open and a new epoch
 *                          begins (never a guessed next_seq)
 *   lock                   flock()ed by writers while they assign a seq; a
 *                          writer waits for it at most outbox_open's bound,
 *                          a reader never (see outbox_open)
 *   pending/<seq:20>.batch one record per batch (format in obfile.h)
 *   pending/<seq:20>.staged a record of a submit not committed yet; removed at
 *                          the next open if the commit never came (seq at or
 *                          above next_seq), renamed to .batch if it did
 *   corrupt/               damaged records, moved aside for a person to look at
 *
 * The batch key (epoch, seq) is unique for the life of the outbox: the epoch
 * is random, drawn when the directory is created, and a seq is never handed
 * out twice.  A state file that went back in time (a backup restored, the
 * directory copied) breaks that: the province refuses such a key when its
 * content differs (key_reused), and outbox_rekey moves the record and every
 * later put to a new epoch.  All operations cost O(records) at most; the handle keeps
 * no list in memory, so another process's puts and removals are always seen.
 */
#ifndef CHISO_OUTBOX_H
#define CHISO_OUTBOX_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* A body larger than this is refused by put; a bigger file is treated as damaged. */
#define OUTBOX_RECORD_MAX (256u * 1024 * 1024)
/* Longest source path kept in a record, in bytes. */
#define OUTBOX_SOURCE_MAX 4096

struct outbox;

struct outbox_stats {
	uint64_t epoch;
	uint64_t next_seq;
	uint64_t pending_batches;
	uint64_t pending_rows;
	uint64_t pending_bytes; /* sizes of the record files, as counted against the cap */
	uint64_t corrupt;	/* files in corrupt/ */
	uint64_t acked;		/* files in acked/: acknowledged, kept for resend */
	uint64_t refused;	/* puts refused because the outbox was full, ever */
	int64_t oldest_created; /* Unix time of the oldest pending record, 0 if none */
};

/* A file submitted to the outbox: its content's identity and its batches. */
struct outbox_file {
	uint64_t hash;	      /* FNV-1a 64 of the file's bytes (outbox_hash) */
	uint64_t size;	      /* bytes */
	uint64_t first, last; /* seqs of its batches */
	int64_t when;	      /* Unix time of the commit */
};

/* One pending batch as read back from disk; every pointer is owned by the record. */
struct outbox_record {
	uint64_t epoch;
	uint64_t seq;
	size_t nrows;
	int64_t created; /* Unix time of the put */
	char *source;	 /* the input file, "" when none was given */
	char *body;	 /* the BATCH JSON body, NUL-terminated after body_len bytes */
	size_t body_len;
};

/*
 * Renders the BATCH body once the key is known; returns a malloc'd
 * NUL-terminated string that the outbox frees, or NULL on failure.
 */
typedef char *(*outbox_render_fn)(uint64_t epoch, uint64_t seq, void *arg);

/*
 * Opens (creating if needed) the outbox in dir, refusing puts that would take
 * the record files past max_bytes (0: no cap).  When no other process holds
 * the lock, removes files left by an interrupted put and moves damaged
 * records to corrupt/ (logged); when one does, leaves that to a later open
 * and returns at once, unless the outbox is still being created (no state
 * file yet).  lock_wait_ms bounds every wait for another process's lock,
 * that one and outbox_begin's; after it the failure names that process's
 * PID and command.  Returns the owned handle, or NULL with err filled.
 */
struct outbox *outbox_open(const char *dir, uint64_t max_bytes, long long lock_wait_ms, char *err,
			   size_t errsize);
/* The usual lock_wait_ms (agent.lock_wait_ms's default), in milliseconds. */
#define OUTBOX_LOCK_WAIT_MS 10000
/* Closes the outbox and sets *op to NULL; safe on NULL and twice. */
void outbox_close(struct outbox **op);
/* The outbox directory as given to outbox_open (borrowed). */
const char *outbox_dir(const struct outbox *o);
/* The epoch of this outbox: the first half of every batch key. */
uint64_t outbox_epoch(const struct outbox *o);
/*
 * Reserves the next seq, renders the body for it and writes the record
 * durably.  source (may be NULL) names the input for people.  Returns 0 with
 * *seq_out set, or -1 with err filled; after -1 nothing was written and the
 * seq was not consumed.  When the outbox is full the message says so and how
 * to fix it, and the refusal is counted.
 */
int outbox_put(struct outbox *o, size_t nrows, const char *source, outbox_render_fn render,
	       void *arg, uint64_t *seq_out, char *err, size_t errsize);
/*
 * A transaction: the batches of one file, all queued or none.  outbox_begin
 * takes the outbox's lock until outbox_commit or outbox_abort (other submits
 * wait, at most outbox_open's lock_wait_ms; senders do not).  NULL with err
 * filled (after the bound: the holder's PID and command).
 */
struct outbox_txn;
struct outbox_txn *outbox_begin(struct outbox *o, char *err, size_t errsize);
/*
 * Stages one batch, like outbox_put but invisible until the commit.  On -1
 * (outbox full, disk error) the caller aborts: nothing of the file is queued.
 */
int outbox_txn_put(struct outbox_txn *t, size_t nrows, const char *source, outbox_render_fn render,
		   void *arg, uint64_t *seq_out, char *err, size_t errsize);
/*
 * Makes every staged batch pending at once and, when file is not NULL (its
 * first, last and when are filled in here), remembers the file.  Frees the
 * transaction and sets *tp to NULL.  0, or -1 with err filled and nothing queued.
 */
int outbox_commit(struct outbox_txn **tp, struct outbox_file *file, char *err, size_t errsize);
/* Removes what was staged, frees the transaction and sets *tp to NULL; safe on NULL. */
void outbox_abort(struct outbox_txn **tp);
/*
 * Renders the BATCH body of old again under a new key; returns a malloc'd
 * NUL-terminated string that the outbox frees, or NULL on failure.
 */
typedef char *(*outbox_rekey_fn)(const struct outbox_record *old, uint64_t epoch, uint64_t seq,
				 void *arg);
/*
 * Gives pending record seq a batch key the province cannot have, after it
 * refused the record's key as reused (the outbox's state went back in time
 * and handed the key out twice).  When the record's epoch is the current one
 * a new random epoch is drawn and saved first, so no later put reuses a key
 * either; the record keeps its seq and is replaced in one rename by the body
 * render returns for (epoch, seq).  Only this record changes: others of the
 * old epoch may be committed with their ACK lost, and must keep their keys.
 * Returns 0 with *epoch_out, 1 if the record is gone, 2 if a submit holds
 * the outbox (nothing done: try again later), -1 with err filled (the record
 * is then under its old key or its new one, both safe).
 */
int outbox_rekey(struct outbox *o, uint64_t seq, outbox_rekey_fn render, void *arg,
		 uint64_t *epoch_out, char *err, size_t errsize);
/*
 * Looks for a file with this hash and size among the last OBFILE_STATE_FILES
 * submitted.  1 with *f filled, 0 if none, -1 on error (logged).
 */
int outbox_find_file(struct outbox *o, uint64_t hash, uint64_t size, struct outbox_file *f);
/* FNV-1a 64 over bytes, continuing from h (start with OUTBOX_HASH_INIT). */
#define OUTBOX_HASH_INIT 0xcbf29ce484222325ULL
uint64_t outbox_hash(uint64_t h, const void *bytes, size_t n);

/*
 * The seqs of pending records whose put has completed, ascending, rescanned
 * from the directory.  *seqs is the caller's to free() (NULL when *n is 0).
 * Returns 0 or -1 (logged).
 */
int outbox_list(struct outbox *o, uint64_t **seqs, size_t *n);
/*
 * Reads and checks one record; *rec becomes the caller's.  Returns -1 with err
 * filled if it is gone, unreadable, or damaged (a damaged record is moved to
 * corrupt/ so that it is never sent).
 */
int outbox_read(struct outbox *o, uint64_t seq, struct outbox_record **rec, char *err,
		size_t errsize);
/* Frees a record and sets *rp to NULL; safe on NULL and twice. */
void outbox_record_destroy(struct outbox_record **rp);
/*
 * Takes a record out of pending/ after its ACK, durably; one already gone is
 * fine.  With outbox_keep_acked it is moved to acked/ (its mtime set to now),
 * else deleted; either way, at most once an hour, records kept longer than
 * the setting are deleted.  0 or -1 (logged).
 */
int outbox_remove(struct outbox *o, uint64_t seq);
/*
 * Keep acknowledged records for seconds in acked/ (agent.keep_acked_days), so
 * that outbox_resend can queue them again after the province restored its
 * database to an earlier moment.  0 (the default): delete at the ACK.
 */
void outbox_keep_acked(struct outbox *o, long long seconds);
/* Deletes the records of acked/ acknowledged before now minus the setting; *removed (may be NULL).
 */
int outbox_prune_acked(struct outbox *o, time_t now, uint64_t *removed);
/*
 * Moves every record of acked/ back to pending/ under its own key, holding
 * the outbox's lock (waiting like a submit).  *moved says how many.  0, or -1
 * with err filled (what was moved stays moved).
 */
int outbox_resend(struct outbox *o, uint64_t *moved, char *err, size_t errsize);
/* Fills *st from the state file and a scan of the directories.  0 or -1 (logged). */
int outbox_stats(struct outbox *o, struct outbox_stats *st);

/*
 * Test hook: every fsync of a file or directory goes through fn (default: a
 * call to fsync), so tests can make a chosen fsync fail.  NULL restores it.
 */
void outbox_set_fsync(struct outbox *o, int (*fn)(int fd, void *arg), void *arg);

#endif
