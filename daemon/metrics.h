/*
 * metrics: chisod's live counters for Prometheus (metrics.listen).
 *
 * The same figures `chisoctl status` shows, rendered in the Prometheus text
 * exposition format 0.0.4 and served over HTTP/1.0 by libmicrohttpd on a
 * thread of its own; the text is rendered on the main thread, which polls
 * metrics_fd with its sockets.  Every request is answered from the counters as
 * they are at that moment, then the connection is closed.  There is no
 * authentication: the endpoint belongs on loopback, behind a local Prometheus
 * or node exporter.  A client can cost at most one bounded request buffer and
 * never blocks the loop.
 */
#ifndef CHISOD_METRICS_H
#define CHISOD_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "stats.h"

/* Memory for one connection's request, headers included; a longer one is refused. */
#define METRICS_REQUEST_MAX 4096

struct metrics;

/*
 * The counters of s as Prometheus text (caller frees); now is unix seconds, a
 * collector counts as connected if seen within connected_window_s.  NULL if out
 * of memory.
 */
char *metrics_render(const struct stats *s, int64_t now, int64_t connected_window_s);

/* The HTTP status for a request's method and path (no query): 200, 404 or 405. */
int metrics_route(const char *method, const char *path);

/*
 * Listens on endpoint (tcp://HOST:PORT: srvconf refuses any other).  NULL with
 * err on failure (the caller exits: a configured endpoint must work).
 */
struct metrics *metrics_new(const char *endpoint, char *err, size_t errsize);
/* Stops the server and frees everything; sets *mp to NULL; safe on NULL. */
void metrics_destroy(struct metrics **mp);
/* The descriptor to poll for reading: a request waits for the counters (borrowed). */
int metrics_fd(const struct metrics *m);
/* Renders s for a waiting request, if any, on the thread that writes s; never blocks. */
void metrics_handle(struct metrics *m, const struct stats *s, int64_t now,
		    int64_t connected_window_s);

#endif
