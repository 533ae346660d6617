/*
 * ratelimit: at most a few log lines per interval (see ratelimit.h).
 */
#include "ratelimit.h"

bool ratelimit_allow(struct ratelimit *r, int64_t now_ms, int64_t interval_ms, unsigned burst,
		     uint64_t *held)
{
	if (!r->started || now_ms - r->window_ms >= interval_ms) {
		r->started = true;
		r->window_ms = now_ms;
		r->count = 0;
	}
	if (r->count >= burst) {
		r->held++;
		return false;
	}
	r->count++;
	*held = r->held;
	r->held = 0;
	return true;
}
