/*
 * zapq: the ZAP requests waiting for a fresh read of the enrolments (see zapq.h).
 *
 * The requests are kept in arrival order in a fixed array: at most ZAPQ_MAX,
 * so a linear pass is cheaper than anything cleverer.
 */
#include "zapq.h"

#include <string.h>

void zapq_init(struct zapq *q)
{
	memset(q, 0, sizeof *q);
	q->next_gen = 1;
}

int zapq_park(struct zapq *q, const struct zapq_req *r, int64_t now_ms)
{
	if (q->n >= ZAPQ_MAX) {
		q->overflow++;
		return -1;
	}
	q->req[q->n] = *r;
	q->req[q->n].parked_ms = now_ms;
	q->req[q->n].gen = q->next_gen;
	q->n++;
	q->parked++;
	return 0;
}

/* Whether a parked request waits for a read not asked for yet. */
static bool zapq_needs_read(const struct zapq *q)
{
	for (size_t i = 0; i < q->n; i++)
		if (q->req[i].gen >= q->next_gen)
			return true;
	return false;
}

/* Whether the rate allows a read at now_ms, without using it up. */
static long zapq_rate_wait(const struct zapq *q, int64_t now_ms)
{
	const struct ratelimit *r = &q->reads;

	if (!r->started || now_ms - r->window_ms >= 1000 || r->count < ZAPQ_READS_PER_S)
		return 0;
	return (long)(r->window_ms + 1000 - now_ms);
}

bool zapq_read_due(struct zapq *q, int64_t now_ms, uint64_t *gen)
{
	uint64_t held;

	if (q->inflight || !zapq_needs_read(q) || zapq_rate_wait(q, now_ms) > 0)
		return false;
	ratelimit_allow(&q->reads, now_ms, 1000, ZAPQ_READS_PER_S, &held);
	q->inflight = true;
	q->inflight_gen = q->next_gen++;
	*gen = q->inflight_gen;
	return true;
}

void zapq_read_failed(struct zapq *q, uint64_t gen)
{
	if (q->inflight && q->inflight_gen == gen)
		q->inflight = false;
	/* The requests it was for wait for the next read. */
	for (size_t i = 0; i < q->n; i++)
		if (q->req[i].gen <= gen)
			q->req[i].gen = q->next_gen;
}

/* Answers and removes the i-th request. */
static void zapq_answer(struct zapq *q, size_t i, enum zapq_verdict v, const struct zapq_ops *ops)
{
	ops->answer(ops->ctx, &q->req[i], v);
	memmove(&q->req[i], &q->req[i + 1], (q->n - i - 1) * sizeof q->req[0]);
	q->n--;
}

void zapq_registry(struct zapq *q, uint64_t gen, const struct zapq_ops *ops)
{
	if (gen && q->inflight && q->inflight_gen == gen)
		q->inflight = false;
	for (size_t i = 0; i < q->n;) {
		enum zapq_look look = ops->look(ops->ctx, &q->req[i]);
		if (look == ZAPQ_ENROLLED) {
			q->admitted_after_read++;
			zapq_answer(q, i, ZAPQ_ADMIT, ops);
		} else if (look == ZAPQ_REVOKED) {
			q->refused_after_read++;
			zapq_answer(q, i, ZAPQ_REFUSE_REVOKED, ops);
		} else if (gen && q->req[i].gen <= gen) {
			q->refused_after_read++;
			zapq_answer(q, i, ZAPQ_REFUSE_UNKNOWN, ops);
		} else {
			i++;
		}
	}
}

void zapq_expire(struct zapq *q, int64_t now_ms, const struct zapq_ops *ops)
{
	for (size_t i = 0; i < q->n;) {
		if (now_ms - q->req[i].parked_ms >= ZAPQ_WAIT_MS) {
			q->expired++;
			zapq_answer(q, i, ZAPQ_REFUSE_EXPIRED, ops);
		} else {
			i++;
		}
	}
}

long zapq_timeout_ms(const struct zapq *q, int64_t now_ms)
{
	long t;

	if (q->n == 0)
		return -1;
	/* the oldest is first: requests are parked in time order */
	t = (long)(q->req[0].parked_ms + ZAPQ_WAIT_MS - now_ms);
	if (t < 0)
		t = 0;
	if (!q->inflight && zapq_needs_read(q)) {
		long w = zapq_rate_wait(q, now_ms);
		if (w < t)
			t = w;
	}
	return t;
}
