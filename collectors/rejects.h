/*
 * rejects: the rows refused, written where the officer looks.
 *
 * For an input file sonnham_2024.csv the refused rows go to
 * sonnham_2024.csv.rejected.csv beside it (appended, one header), with the
 * input line, the row as sent and the reason: the rows the province refused
 * (from its ACK) and the rows `submit` refused here.  If that folder cannot
 * be written, they go to the outbox's rejected/ folder and the message says
 * where.
 *
 * A reject file is durable before anyone relies on it: every write, the
 * fflush, the fsync (and the directory's, for a new file) and the close are
 * checked, and a failure takes the file back to what it was before (a new
 * file is removed), so a full disk leaves neither an empty file nor half a
 * batch's rows.  The caller then keeps what the rows came from (the batch
 * stays in the outbox) and says so.
 */
#ifndef CHISO_REJECTS_H
#define CHISO_REJECTS_H

#include <stddef.h>

#include "batch.h"

/* The columns of a reject file, in order. */
enum rejects_column {
	REJECTS_LINE,
	REJECTS_UNIT,
	REJECTS_INDICATOR,
	REJECTS_PERIOD,
	REJECTS_VALUE,
	REJECTS_QUALIFIER,
	REJECTS_REASON,
	REJECTS_MESSAGE,
	REJECTS_NCOLUMNS
};

struct rejects;

/*
 * Opens path for appending (creating it with its header) and holds an
 * exclusive flock on it until rejects_close, waiting for another writer (a
 * `run` and a `submit` may share the file); returns the owned writer, or NULL
 * with err filled (the officer's message: path and strerror, "disk full" when
 * it is).
 */
struct rejects *rejects_open(const char *path, char *err, size_t errsize);
/* Appends one row; a NULL field is empty.  0, or -1 (reported by rejects_close). */
int rejects_add(struct rejects *r, const char *const fields[REJECTS_NCOLUMNS]);
/*
 * Makes what was added durable, closes, frees and sets *rp to NULL.  0, or -1
 * with err filled and the file back as it was before rejects_open.
 */
int rejects_close(struct rejects **rp, char *err, size_t errsize);
/* The path of the reject file beside source ("source.rejected.csv"); buf returned. */
const char *rejects_path(const char *source, char *buf, size_t size);

/*
 * Opens the reject file of source (may be NULL or empty): beside it
 * (rejects_path), else in outbox/rejected/ (made if missing), named after
 * source's last component ("batches" without one).  err on entry is "" or
 * why the place beside source failed already (then only the fallback is
 * tried).  path gets the path opened.  Returns the owned writer with err
 * holding why the place beside failed if it did, or NULL with err naming
 * both places.
 */
struct rejects *rejects_open_for(const char *source, const char *outbox, char *path, size_t psize,
				 char *err, size_t errsize);

/*
 * Appends the rejected rows of one acknowledged batch, durably.  source is the
 * input file's absolute path (may be empty), fallback_dir the outbox
 * directory.  where gets the path written.  0, or -1 with where holding the
 * error (both places tried; the record must stay in the outbox).
 */
int rejects_write(const char *source, const char *fallback_dir, const struct batch *b,
		  const struct batch_ack *a, char *where, size_t wsize);

#endif
