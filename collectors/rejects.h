/*
 * rejects: the rows the province refused, written where the officer looks.
 *
 * For an input file sonnham_2024.csv the refused rows go to
 * sonnham_2024.csv.rejected.csv beside it (appended, one header), with the
 * input line, the row as sent and the reason in words.  If that folder cannot
 * be written, the file goes to the outbox's rejected/ folder and the log says
 * where.
 */
#ifndef CHISO_REJECTS_H
#define CHISO_REJECTS_H

#include <stddef.h>

#include "batch.h"

/*
 * Appends the rejected rows of one acknowledged batch.  source is the input
 * file's absolute path (may be empty), fallback_dir the outbox directory.
 * where gets the path written.  0, or -1 with where holding the error.
 */
int rejects_write(const char *source, const char *fallback_dir, const struct batch *b,
		  const struct batch_ack *a, char *where, size_t wsize);

#endif
