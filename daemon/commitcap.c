/*
 * commitcap: the commit size, adapted to how long commits take (see commitcap.h).
 */
#include "commitcap.h"

#define COMMITCAP_ALPHA 0.5 /* weight of the newest commit in the rate */

static long long commitcap_floor(const struct commitcap *c)
{
	return c->max < COMMITCAP_FLOOR ? c->max : COMMITCAP_FLOOR;
}

static long long commitcap_clamp(const struct commitcap *c, long long rows)
{
	if (rows > c->max)
		rows = c->max;
	if (rows < commitcap_floor(c))
		rows = commitcap_floor(c);
	return rows;
}

/* The target: as configured or a quarter of the timeout, at most half of it. */
static long long commitcap_target(long long timeout_ms, long long target_ms)
{
	long long t = target_ms > 0    ? target_ms
		      : timeout_ms > 0 ? timeout_ms / 4
				       : COMMITCAP_DEFAULT_TARGET;
	if (timeout_ms > 0 && t > timeout_ms / 2)
		t = timeout_ms / 2;
	return t < 1 ? 1 : t;
}

void commitcap_init(struct commitcap *c, long long max, long long timeout_ms, long long target_ms)
{
	c->max = max;
	c->cap = max < COMMITCAP_START ? max : COMMITCAP_START;
	c->timeout_ms = timeout_ms;
	c->target_ms = commitcap_target(timeout_ms, target_ms);
	c->rate = 0;
	c->timeouts = 0;
	c->low = 0;
}

long long commitcap_timeout(struct commitcap *c, uint64_t rows, int64_t elapsed_ms)
{
	long long want = (long long)(rows / 2);
	/* It stored rows at less than rows / elapsed_ms: the target holds at most that much. */
	double at_most =
	    (double)rows * (double)c->target_ms / (double)(elapsed_ms < 1 ? 1 : elapsed_ms);

	c->timeouts++;
	if (at_most < (double)want)
		want = (long long)at_most;
	if (want < c->cap)
		c->cap = want;
	c->cap = commitcap_clamp(c, c->cap);
	c->rate = (double)c->cap / (double)c->target_ms;
	c->low = c->cap;
	return c->cap;
}

bool commitcap_recovered(struct commitcap *c)
{
	if (!c->low || (c->cap < 2 * c->low && c->cap < c->max))
		return false;
	c->low = 0;
	return true;
}

long long commitcap_committed(struct commitcap *c, uint64_t rows, int64_t elapsed_ms)
{
	double ms = elapsed_ms < 1 ? 1.0 : (double)elapsed_ms;
	double sample = (double)rows / ms;

	if (rows == 0 || ((long long)rows * 4 < c->cap && elapsed_ms <= c->target_ms))
		return c->cap;
	c->rate = c->rate <= 0 ? sample : c->rate + COMMITCAP_ALPHA * (sample - c->rate);
	double want = c->rate * (double)c->target_ms;
	long long limit = c->cap > c->max / 2 ? c->max : c->cap * 2;
	c->cap = commitcap_clamp(c, want >= (double)limit ? limit : (long long)want);
	return c->cap;
}

void commitcap_set_max(struct commitcap *c, long long max, long long target_ms)
{
	c->max = max;
	c->target_ms = commitcap_target(c->timeout_ms, target_ms);
	c->cap = commitcap_clamp(c, c->cap);
}
