/*
 * jobq: chisod's queue of sealed jobs waiting for the writer, oldest first.
 *
 * The writer commits one job at a time; jobs sealed meanwhile wait here.
 * When a commit times out its batches come back to the head of the queue cut
 * in smaller jobs, and the jobs already waiting are cut to the new commit cap
 * too (jobq_recut): sealed for a database that was quicker, they would
 * otherwise time out one after the other, each a whole statement timeout of
 * nothing committed.
 */
#ifndef CHISOD_JOBQ_H
#define CHISOD_JOBQ_H

#include <stddef.h>
#include <stdint.h>

#include "job.h"

struct jobq {
	struct job *head, **tail;
	uint64_t rows; /* rows of all the jobs queued */
	size_t n;      /* jobs queued */
};

/* An empty queue. */
void jobq_init(struct jobq *q);
/* Frees every job queued. */
void jobq_clear(struct jobq *q);
/* Appends *jp (takes ownership, sets *jp to NULL). */
void jobq_push(struct jobq *q, struct job **jp);
/* Puts the chain *chainp (jobs linked by next) at the head, in its order; takes ownership. */
void jobq_push_front(struct jobq *q, struct job **chainp);
/* Takes the oldest job out (the caller owns it); NULL if the queue is empty. */
struct job *jobq_pop(struct jobq *q);
/*
 * Cuts every queued job of more than limit rows and more than one batch into
 * jobs of at most limit rows (job_split), in place and in order.  Returns the
 * number of jobs cut, or -1 if out of memory (the jobs not yet cut stay whole).
 */
int jobq_recut(struct jobq *q, uint64_t limit);

#endif
