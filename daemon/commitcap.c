/*
 * commitcap: the adaptive commit size (see commitcap.h).
 */
#include "commitcap.h"

static long long commitcap_floor(const struct commitcap *c)
{
	return c->max < COMMITCAP_FLOOR ? c->max : COMMITCAP_FLOOR;
}

void commitcap_init(struct commitcap *c, long long max, long long timeout_ms)
{
	c->cap = max;
	c->max = max;
	c->timeout_ms = timeout_ms;
	c->fast = 0;
	c->timeouts = 0;
}

long long commitcap_timeout(struct commitcap *c, uint64_t rows)
{
	long long half = (long long)(rows / 2);

	c->timeouts++;
	c->fast = 0;
	if (half < c->cap)
		c->cap = half;
	if (c->cap < commitcap_floor(c))
		c->cap = commitcap_floor(c);
	return c->cap;
}

long long commitcap_committed(struct commitcap *c, int64_t elapsed_ms)
{
	if (c->timeout_ms > 0 && elapsed_ms * 2 >= c->timeout_ms) {
		c->fast = 0; /* close to the timeout: stay at this size */
		return c->cap;
	}
	if (c->cap >= c->max || ++c->fast < COMMITCAP_GROW_AFTER)
		return c->cap;
	c->fast = 0;
	c->cap = c->cap > c->max / 2 ? c->max : c->cap * 2;
	return c->cap;
}

void commitcap_set_max(struct commitcap *c, long long max)
{
	c->max = max;
	if (c->cap > max)
		c->cap = max;
	if (c->cap < commitcap_floor(c))
		c->cap = commitcap_floor(c);
}
