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

#include <stddef.h>
#include <stdint.h>

#define SOCKMON_LOG_MS 10000

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
#endif
