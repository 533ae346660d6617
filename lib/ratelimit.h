/*
 * ratelimit: at most a few log lines per interval, and how many were held back.
 *
 * chisod must not let anyone flood its journal: a hostile collector sending
 * broken messages, strangers knocking at the ZAP handler, libzmq retrying a
 * failing accept thousands of times a second.  Each such source keeps one
 * struct ratelimit; a line is said while the current window's share lasts, and
 * the first line said after some were held back says how many.  A zeroed
 * struct is ready to use.
 */
#ifndef CHISO_RATELIMIT_H
#define CHISO_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

struct ratelimit {
	int64_t window_ms; /* when the current window began */
	unsigned count;	   /* lines said in it */
	bool started;	   /* a window has begun */
	uint64_t held;	   /* lines held back since the last one said */
};

/*
 * True if a line may be said at now_ms: fewer than burst said in the window of
 * interval_ms that began with the first line after the last window; then *held
 * is how many were held back before it (to be said with it).  Otherwise counts
 * one held back and returns false.
 */
bool ratelimit_allow(struct ratelimit *r, int64_t now_ms, int64_t interval_ms, unsigned burst,
		     uint64_t *held);

#endif
