/*
 * inbox: the drop folder (agent.inbox_dir) that `chiso-agent run` watches, for
 * offices that prefer Explorer to a terminal.
 *
 * A file saved there is handed to submit (the caller's function: the same
 * entry point as `chiso-agent submit`) once it is complete: its size and
 * modification time have not changed for INBOX_SETTLE_MS, so a file Excel is
 * still writing is left alone.  Hidden files (".x"), Excel's lock files
 * ("~$x.xlsx"), temporary files ("x.tmp", "x~") and the reject files submit
 * writes ("x.csv.rejected.csv") are never taken, nor any name submit does not
 * read.  Then the file moves to done/ (queued) or refused/ (errors in it)
 * beside, under "YYYYMMDD-HHMMSS-name", with "....note.txt" beside it: in
 * Vietnamese, what was queued, or every error with its line, column and
 * rule, as submit wrote them, and the reject file submit wrote beside it
 * (not an older one of the same name).  The move comes after submit's outbox commit,
 * so a crash leaves an accepted file in the inbox (submitted again, it is
 * found waiting in the outbox and not queued twice), never a queued file
 * lost.  A submit that failed for a cause outside the file (a full outbox or
 * disk, the outbox lock) leaves it where it is, tried again INBOX_RETRY_MS
 * later.
 */
#ifndef CHISO_INBOX_H
#define CHISO_INBOX_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "submit.h"

#define INBOX_SETTLE_MS 2000
#define INBOX_RETRY_MS	60000
#define INBOX_FILES_MAX 256 /* files followed at once; the rest wait for a later scan */

struct inbox;

/*
 * Submits path, writing what the officer should read on out (the note's
 * stream), as submit_file does; returns its result (0 queued, -1 not) with res
 * filled (res->rejects_beside: the reject file beside path is this call's).
 */
typedef int (*inbox_submit_fn)(void *arg, const char *path, FILE *out, struct submit_result *res);

/*
 * Watches dir (created if missing, with done/ and refused/ inside); fn and arg
 * are borrowed.  NULL with err when dir cannot be made or opened.
 */
struct inbox *inbox_new(const char *dir, inbox_submit_fn fn, void *arg, char *err, size_t errsize);
/* Frees and sets *ip to NULL; safe on NULL. */
void inbox_destroy(struct inbox **ip);
/*
 * Scans the folder (at most once a second; now_ms is a monotonic clock) and
 * handles each file that has settled.  Returns the number of files moved.
 */
int inbox_poll(struct inbox *ib, int64_t now_ms);
/* 1 if a file of this name is one the inbox takes (see above), else 0. */
int inbox_takes(const char *name);

#endif
