/*
 * sockmon: failures that happen below chisod's ROUTER socket, made visible.
 *
 * libzmq accepts connections on its own I/O threads.  When accept() fails
 * (EMFILE: the process has no file descriptor left; ENFILE, ENOBUFS, ENOMEM)
 * it drops the connection and tells no one but a socket monitor, so a daemon
 * past its LimitNOFILE would turn agents away without a word.  sockmon
 * listens to the ROUTER's monitor for these events, counts every one
 * (chiso_accept_failures_total) and logs them with the errno text, at most one
 * line per SOCKMON_LOG_MS, with the number held back since the last line:
 * libzmq retries a failing accept at once, thousands of times a second.
 */
#ifndef CHISOD_SOCKMON_H
#define CHISOD_SOCKMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SOCKMON_LOG_MS 10000

/* At most one line per interval; what was held back is said with the next one. */
struct sockmon_limit {
	int64_t last_ms; /* when the last line was allowed */
	bool said;	 /* a line was allowed already */
	uint64_t held;	 /* events held back since */
};

struct sockmon;

/*
 * Monitors router (borrowed) for accept failures; ctx is the ZeroMQ context
 * (borrowed).  NULL with err on failure.
 */
struct sockmon *sockmon_new(void *ctx, void *router, char *err, size_t errsize);
/*
 * Stops monitoring (reading the monitor's queue meanwhile, so that a flood of
 * events cannot hold it up), closes the monitor socket, sets *mp to NULL; safe
 * on NULL.  Call it before anything that keeps the main loop from reading.
 */
void sockmon_destroy(struct sockmon **mp);
/* The socket to poll for events. */
void *sockmon_socket(struct sockmon *m);
/* Reads the pending events: adds the accept failures to *failures and logs them (rate-limited). */
void sockmon_handle(struct sockmon *m, int64_t now_ms, uint64_t *failures);
/*
 * True if a line may be said at now_ms (none said within interval_ms); then
 * *held is how many were held back before it.  Otherwise counts one held back.
 */
bool sockmon_allow(struct sockmon_limit *l, int64_t now_ms, int64_t interval_ms, uint64_t *held);

#endif
