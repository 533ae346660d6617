/*
 * metrics: chisod's live counters for Prometheus (metrics.listen).
 *
 * The same figures `chisoctl status` shows, rendered in the Prometheus text
 * exposition format 0.0.4 and served by a tiny HTTP/1.0 responder on a
 * ZeroMQ ZMQ_STREAM socket that the main loop polls with the others.  Every
 * request is answered from the counters as they are at that moment, then the
 * connection is closed.  There is no authentication: the endpoint belongs on
 * loopback, behind a local Prometheus or node exporter.  A client can cost at
 * most one bounded request buffer and never blocks the loop.
 */
#ifndef CHISOD_METRICS_H
#define CHISOD_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "stats.h"

/* Largest request accepted, headers included; a longer one gets 400. */
#define METRICS_REQUEST_MAX 4096

struct metrics;

/*
 * The counters of s as Prometheus text (caller frees); now is unix seconds, a
 * collector counts as connected if seen within connected_window_s.  NULL if out
 * of memory.
 */
char *metrics_render(const struct stats *s, int64_t now, int64_t connected_window_s);

/*
 * What to answer to the len bytes of a request received so far: 0 while the
 * header is incomplete, else the HTTP status (200, 400, 404 or 405).
 */
int metrics_request(const char *buf, size_t len);

/*
 * Binds a ZMQ_STREAM socket of ctx on endpoint (a tcp:// address: srvconf
 * refuses any other).  NULL with err on failure (the caller exits: a
 * configured endpoint must work).
 */
struct metrics *metrics_new(void *ctx, const char *endpoint, char *err, size_t errsize);
/* Closes the socket and frees everything; sets *mp to NULL; safe on NULL. */
void metrics_destroy(struct metrics **mp);
/* The socket to poll for ZMQ_POLLIN (borrowed). */
void *metrics_socket(const struct metrics *m);
/* Reads what has arrived and answers complete requests from s; never blocks. */
void metrics_handle(struct metrics *m, const struct stats *s, int64_t now,
		    int64_t connected_window_s);

#endif
