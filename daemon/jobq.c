/*
 * jobq: the queue of sealed jobs (see jobq.h).
 */
#include "jobq.h"

#include <assert.h>

void jobq_init(struct jobq *q)
{
	q->head = NULL;
	q->tail = &q->head;
	q->rows = 0;
	q->n = 0;
}

void jobq_clear(struct jobq *q)
{
	struct job *j;

	while ((j = jobq_pop(q)) != NULL)
		job_destroy(&j);
}

void jobq_push(struct jobq *q, struct job **jp)
{
	struct job *j = *jp;

	j->next = NULL;
	*q->tail = j;
	q->tail = &j->next;
	q->rows += j->rows;
	q->n++;
	*jp = NULL;
}

void jobq_push_front(struct jobq *q, struct job **chainp)
{
	struct job *last = NULL;

	if (!*chainp)
		return;
	for (struct job *j = *chainp; j; j = j->next) {
		q->rows += j->rows;
		q->n++;
		last = j;
	}
	last->next = q->head;
	if (!q->head)
		q->tail = &last->next;
	q->head = *chainp;
	*chainp = NULL;
}

struct job *jobq_pop(struct jobq *q)
{
	struct job *j = q->head;

	if (!j)
		return NULL;
	q->head = j->next;
	if (!q->head)
		q->tail = &q->head;
	j->next = NULL;
	q->rows -= j->rows;
	q->n--;
	return j;
}

int jobq_recut(struct jobq *q, uint64_t limit)
{
	struct job **link = &q->head;
	int cut = 0;

	while (*link) {
		struct job *j = *link, *chain = NULL, *last;
		if (j->rows <= limit || j->n < 2) {
			link = &j->next;
			continue;
		}
		if (job_split(j, limit, &chain) < 0)
			return -1;
		/* Every entry of a queued job is pending (only the writer marks entries done, and a
		   job it handed back is split by server_requeue before it is queued again), so j
		   is now empty and the chain, of two jobs at least, replaces it. */
		assert(chain && j->n == 0);
		for (last = chain; last->next; last = last->next)
			q->n++;
		last->next = j->next;
		if (q->tail == &j->next)
			q->tail = &last->next;
		*link = chain;
		link = &last->next;
		job_destroy(&j);
		cut++;
	}
	return cut;
}
