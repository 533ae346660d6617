/*
 * commitcap: how many rows chisod lets one group commit hold.
 *
 * A commit is sized by time, not by a fixed number of rows: the rows a
 * commit of database.statement_timeout_ms could hold vary a hundredfold
 * between a quiet and a loaded machine, and a commit that runs into the
 * timeout is all lost work.  chisod aims every commit at a target duration
 * (ingest.commit_target_ms; by default a quarter of the statement timeout,
 * never more than half of it) and turns it into rows with the rate at which
 * recent commits stored rows, a moving average (EWMA) of rows per
 * millisecond.  ingest.commit_max_rows stays the ceiling; the cap never falls
 * below COMMITCAP_FLOOR rows (a single batch larger than the cap still
 * commits alone) and at most doubles from one commit to the next, so one
 * lucky commit cannot make the next one time out.  The first commits, before
 * any rate is known, hold at most COMMITCAP_START rows.
 *
 * A commit of fewer than a quarter of the cap's rows that finished within
 * the target says little about larger ones (its time is mostly fixed cost),
 * so it leaves the rate alone; a slow one counts whatever its size.
 *
 * A commit that timed out makes the cap at most half of its rows, and at
 * most what it would have stored in the target at the rate it had (less than
 * its rows over the time it ran), and the rate what that cap needs: the server splits the batches
 * of such a commit and of the commits already queued to the new cap (ingest.c), so a slow database
 * is met with smaller commits at once, not after a queue of commits as large as the one that failed
 * has timed out too.
 *
 * The main thread owns the struct; the writer thread reports each commit's
 * figures in the job it hands back.
 */
#ifndef CHISOD_COMMITCAP_H
#define CHISOD_COMMITCAP_H

#include <stdbool.h>
#include <stdint.h>

#define COMMITCAP_FLOOR		 100
#define COMMITCAP_START		 2000 /* rows of the first commits, before any rate is known */
#define COMMITCAP_DEFAULT_TARGET 2000 /* ms, when there is no statement timeout */

struct commitcap {
	long long cap;	      /* rows a job may hold before it is sealed */
	long long max;	      /* ingest.commit_max_rows */
	long long timeout_ms; /* database.statement_timeout_ms; 0: none */
	long long target_ms;  /* the duration commits aim at (effective, see above) */
	double rate;	      /* rows per millisecond of recent commits; 0: none yet */
	uint64_t timeouts;    /* commits cancelled by a timeout since start */
	long long low;	      /* the cap the last timeout set, until recovered; 0: none */
};

/*
 * Starts at COMMITCAP_START rows (the ceiling max if lower), with the
 * statement timeout timeout_ms (0: none) and the target target_ms (0: a
 * quarter of the timeout).
 */
void commitcap_init(struct commitcap *c, long long max, long long timeout_ms, long long target_ms);
/* A commit of rows rows timed out after elapsed_ms; returns the new cap. */
long long commitcap_timeout(struct commitcap *c, uint64_t rows, int64_t elapsed_ms);
/* A commit of rows rows succeeded after elapsed_ms; returns the new cap. */
long long commitcap_committed(struct commitcap *c, uint64_t rows, int64_t elapsed_ms);
/*
 * True once after a timeout: at the first call that finds the cap doubled back
 * from what the timeout made it, or at the ceiling (the log says commits are
 * quick again).
 */
bool commitcap_recovered(struct commitcap *c);
/* A new ceiling and target (SIGHUP): the cap never exceeds the ceiling. */
void commitcap_set_max(struct commitcap *c, long long max, long long target_ms);

#endif
