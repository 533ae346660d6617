/*
 * progress: a one-line progress display for long operations on a terminal.
 *
 * "Đang nạp: 120 000 / 184 000 dòng (65%)" redrawn at most ten times a second
 * on stderr when it is a terminal; nothing at all otherwise, so logs under
 * systemd and test output stay clean.  The final summary is the caller's log line.
 */
#ifndef CHISO_PROGRESS_H
#define CHISO_PROGRESS_H

#include <stdint.h>

struct progress;

/* Starts a display for what ("importing units"), total items (0 = unknown). NULL if
 * stderr is not a terminal or out of memory; every function accepts NULL. */
struct progress *progress_new(const char *what, const char *unit, uint64_t total);
/* Records that done items are finished; redraws if due. */
void progress_update(struct progress *p, uint64_t done);
/* Clears the line, frees, sets *pp to NULL; safe on NULL. */
void progress_done(struct progress **pp);

#endif
