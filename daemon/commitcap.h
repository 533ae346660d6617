/*
 * commitcap: how many rows chisod lets one group commit hold.
 *
 * ingest.commit_max_rows is the ceiling, but a commit of that size may take
 * longer than database.statement_timeout_ms on a busy or slow database, and
 * the timeout cancels all of it.  Splitting such a commit in halves to find a
 * bad batch would only run the same slow work again, so a timed-out commit is
 * answered RETRY instead, and the commits after it are made smaller: the cap
 * drops to half the rows of the commit that timed out (never below
 * COMMITCAP_FLOOR rows; a single batch larger than the cap still commits
 * alone).  It doubles again after COMMITCAP_GROW_AFTER commits in a row that
 * each took less than half the timeout, up to the ceiling.  Halving from the
 * failed commit's size rather than from the current cap keeps the queued
 * commits sealed before the timeout, which may time out too, from shrinking
 * the cap once each.
 *
 * The main thread owns the struct; the writer thread reports each commit's
 * figures in the job it hands back.
 */
#ifndef CHISOD_COMMITCAP_H
#define CHISOD_COMMITCAP_H

#include <stdint.h>

#define COMMITCAP_FLOOR	     100
#define COMMITCAP_GROW_AFTER 4

struct commitcap {
	long long cap;	      /* rows a job may hold before it is sealed */
	long long max;	      /* ingest.commit_max_rows */
	long long timeout_ms; /* database.statement_timeout_ms; 0: none */
	unsigned fast;	      /* quick commits in a row since the cap last changed */
	uint64_t timeouts;    /* commits cancelled by a timeout since start */
};

/* Starts at the ceiling max with the statement timeout timeout_ms (0: none). */
void commitcap_init(struct commitcap *c, long long max, long long timeout_ms);
/* A commit of rows rows timed out; returns the new cap. */
long long commitcap_timeout(struct commitcap *c, uint64_t rows);
/* A commit succeeded after elapsed_ms; returns the new cap. */
long long commitcap_committed(struct commitcap *c, int64_t elapsed_ms);
/* A new ceiling (SIGHUP): the cap never exceeds it, and grows back to it. */
void commitcap_set_max(struct commitcap *c, long long max);

#endif
