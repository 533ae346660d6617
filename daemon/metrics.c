/*
 * metrics: Prometheus text and the HTTP server that serves it (see metrics.h).
 *
 * HTTP is libmicrohttpd's: it parses the requests (so this file has no parser
 * of its own and needs no fuzz target; the officer's form uses the same
 * library), bounds each connection's memory, the number of connections and
 * their idle time, and runs in a thread of its own.  This file only routes a
 * method and a path to a status, and renders the counters.
 *
 * The counters are written by the main thread without a lock, so they are
 * rendered there too: the request handler (on libmicrohttpd's thread) asks
 * through an eventfd that the main loop polls, and waits on a condition
 * variable for the text metrics_handle renders.  A main loop that does not
 * answer within METRICS_WAIT_S (or one that is stopping) gets the client a 503.
 */
#include "metrics.h"

#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

/* Connections at once; Prometheus needs one, idle ones are dropped on timeout. */
#define METRICS_CONNS 64
/* A connection silent this long is closed (seconds). */
#define METRICS_IDLE_S 10
/* How long a request waits for the main loop to render the counters. */
#define METRICS_WAIT_S 5

struct metrics {
	struct MHD_Daemon *d;
	int efd; /* eventfd: a request wants the counters */
	pthread_mutex_t lock;
	pthread_cond_t done;
	/* under lock: the request's wish, the main thread's answer */
	bool wanted, ready, stopping;
	char *text; /* NULL with ready: out of memory */
};

/* Rendering. */

static void metrics_family(FILE *f, const char *name, const char *type, const char *help)
{
	/* The help texts are constants here, without backslashes or newlines to escape. */
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A label value escaped as the exposition format requires: \\, \" and \n. */
static void metrics_label_value(FILE *f, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\')
			fputs("\\\\", f);
		else if (*v == '"')
			fputs("\\\"", f);
		else if (*v == '\n')
			fputs("\\n", f);
		else
			fputc(*v, f);
	}
}

static void metrics_labelled(FILE *f, const char *name, const char *label, const char *value,
			     unsigned long long n)
{
	fprintf(f, "%s{%s=\"", name, label);
	metrics_label_value(f, value);
	fprintf(f, "\"} %llu\n", n);
}

static uint64_t metrics_nonneg(int64_t v)
{
	return v > 0 ? (uint64_t)v : 0;
}

enum metrics_peer_field {
	PEER_LAST_SEEN,
	PEER_CONNECTED,
	PEER_BACKLOG_BATCHES,
	PEER_BACKLOG_ROWS,
	PEER_OLDEST_AGE,
	PEER_BATCHES,
	PEER_ROWS,
	PEER_REJECTED,
};

static uint64_t metrics_peer_value(const struct peer_stat *p, enum metrics_peer_field field,
				   int64_t now, int64_t window)
{
	switch (field) {
	case PEER_LAST_SEEN:
		return metrics_nonneg(p->last_seen);
	case PEER_CONNECTED:
		return now - p->last_seen <= window;
	case PEER_BACKLOG_BATCHES:
		return p->backlog_batches;
	case PEER_BACKLOG_ROWS:
		return p->backlog_rows;
	case PEER_OLDEST_AGE:
		return p->oldest_age_s;
	case PEER_BATCHES:
		return p->batches;
	case PEER_ROWS:
		return p->rows;
	case PEER_REJECTED:
		return p->rejected;
	}
	return 0;
}

/* The families with one sample per collector. */
static const struct {
	const char *name, *type, *help;
	enum metrics_peer_field field;
} metrics_per_peer[] = {
    {"chiso_collector_last_seen_seconds", "gauge",
     "When the collector was last heard from, unix seconds.", PEER_LAST_SEEN},
    {"chiso_collector_connected", "gauge",
     "1 if the collector was heard from within the last three heartbeats, else 0.", PEER_CONNECTED},
    {"chiso_collector_backlog_batches", "gauge",
     "Batches queued at the agent, as it last reported.", PEER_BACKLOG_BATCHES},
    {"chiso_collector_backlog_rows", "gauge", "Rows queued at the agent, as it last reported.",
     PEER_BACKLOG_ROWS},
    {"chiso_collector_oldest_age_seconds", "gauge",
     "Age of the oldest batch queued at the agent, as it last reported.", PEER_OLDEST_AGE},
    {"chiso_collector_batches_total", "counter", "Batches of the collector committed.",
     PEER_BATCHES},
    {"chiso_collector_rows_total", "counter",
     "Rows in the collector's committed batches, refused ones included.", PEER_ROWS},
    {"chiso_collector_rejected_rows_total", "counter",
     "Rows of the collector refused with a reason.", PEER_REJECTED},
};

/* The families with one sample for the whole daemon. */
static void metrics_scalars(FILE *f, const struct stats *s, int64_t now, int64_t connected_window_s)
{
	size_t connected = 0;

	for (size_t i = 0; i < s->npeers; i++)
		connected += now - s->peers[i].last_seen <= connected_window_s;
	/* doubles, so that a duration is in seconds as Prometheus names want it */
	const struct {
		const char *name, *type, *help;
		double value;
	} scalars[] = {
	    {"chiso_start_time_seconds", "gauge", "When chisod started, unix seconds.",
	     metrics_nonneg(s->started)},
	    {"chiso_uptime_seconds", "gauge", "Seconds since chisod started.",
	     metrics_nonneg(now - s->started)},
	    {"chiso_db_up", "gauge", "1 while chisod is connected to PostgreSQL, else 0.",
	     s->db_up},
	    {"chiso_collectors_enrolled", "gauge",
	     "Collectors in the registry, revoked ones included.", s->collectors_enrolled},
	    {"chiso_collectors_connected", "gauge",
	     "Collectors heard from within the last three heartbeats.", connected},
	    {"chiso_batches_received_total", "counter",
	     "Well-formed batches received, resent ones included.", s->batches_received},
	    {"chiso_rows_received_total", "counter", "Rows in the batches received.",
	     s->rows_received},
	    {"chiso_batches_committed_total", "counter", "Batches committed and acknowledged.",
	     s->batches_committed},
	    {"chiso_batches_duplicate_total", "counter",
	     "Batches received again after their commit, acknowledged without storing them.",
	     s->batches_duplicate},
	    {"chiso_batches_key_reused_total", "counter",
	     "Batches whose key was committed before with other rows, refused whole.",
	     s->batches_key_reused},
	    {"chiso_rows_accepted_total", "counter", "Rows stored by committed batches.",
	     s->rows_accepted},
	    {"chiso_rows_rejected_total", "counter",
	     "Rows of committed batches refused with a reason.", s->rows_rejected},
	    {"chiso_commits_total", "counter", "Group commits to PostgreSQL.", s->commits},
	    {"chiso_last_commit_time_seconds", "gauge",
	     "When the last group commit ended, unix seconds; 0: none yet.",
	     metrics_nonneg(s->last_commit)},
	    {"chiso_pending_rows", "gauge", "Rows waiting for a commit or in one.",
	     s->pending_rows},
	    {"chiso_commit_cap_rows", "gauge",
	     "Most rows a group commit may hold now: what recent commits stored in "
	     "ingest.commit_target_ms, at most ingest.commit_max_rows.",
	     s->commit_cap_rows},
	    {"chiso_commit_target_seconds", "gauge",
	     "The duration group commits are sized for (ingest.commit_target_ms).",
	     (double)s->commit_target_ms / 1000.0},
	    {"chiso_commit_timeouts_total", "counter",
	     "Group commits cancelled by a statement or lock timeout, split and tried again.",
	     s->commit_timeouts},
	    {"chiso_db_connect_failures_total", "counter",
	     "Failed attempts to connect to PostgreSQL (the reason is in the log).",
	     s->db_connect_failures},
	    {"chiso_accept_failures_total", "counter",
	     "Collector connections that could not be accepted (EMFILE: raise LimitNOFILE).",
	     s->accept_failures},
	    {"chiso_retries_total", "counter",
	     "RETRY answers sent (database down, overload, shutting down, failed commit).",
	     s->retries},
	    {"chiso_bad_messages_total", "counter", "Messages refused as malformed.",
	     s->bad_messages},
	    {"chiso_replies_lost_total", "counter",
	     "Replies that could not be sent: the peer was gone or not reading.", s->replies_lost},
	};

	for (size_t i = 0; i < sizeof scalars / sizeof scalars[0]; i++) {
		metrics_family(f, scalars[i].name, scalars[i].type, scalars[i].help);
		fprintf(f, "%s %.15g\n", scalars[i].name, scalars[i].value);
	}
}

/*
 * The open periods' units, as the housekeeper last counted them (once a pass,
 * a minute at most old): none before its first count, and no deadline sample
 * for a period type without one.
 */
static void metrics_periods(FILE *f, const struct stats *s)
{
	metrics_family(f, "chiso_period_units_expected", "gauge",
		       "Units expected to report for an open period.");
	for (size_t i = 0; i < s->nperiods; i++)
		metrics_labelled(f, "chiso_period_units_expected", "period", s->periods[i].code,
				 s->periods[i].expected);
	metrics_family(f, "chiso_period_units_missing", "gauge",
		       "Units expected for an open period that have sent nothing for it yet.");
	for (size_t i = 0; i < s->nperiods; i++)
		metrics_labelled(f, "chiso_period_units_missing", "period", s->periods[i].code,
				 s->periods[i].missing);
	metrics_family(f, "chiso_period_deadline_timestamp_seconds", "gauge",
		       "The end of an open period's deadline day (deadline.*), unix seconds.");
	for (size_t i = 0; i < s->nperiods; i++)
		if (s->periods[i].due > 0)
			metrics_labelled(f, "chiso_period_deadline_timestamp_seconds", "period",
					 s->periods[i].code, (unsigned long long)s->periods[i].due);
}

char *metrics_render(const struct stats *s, int64_t now, int64_t connected_window_s)
{
	size_t size = 0;
	char *text = NULL;
	FILE *f;

	if ((f = open_memstream(&text, &size)) == NULL)
		return NULL;
	metrics_family(f, "chiso_build_info", "gauge",
		       "Always 1; the version of chisod as a label.");
	metrics_labelled(f, "chiso_build_info", "version", CHISO_VERSION, 1);
	metrics_scalars(f, s, now, connected_window_s);
	metrics_family(f, "chiso_handshakes_total", "counter",
		       "CURVE handshakes decided by the ZAP handler, by result.");
	metrics_labelled(f, "chiso_handshakes_total", "result", "accepted", s->zap_accepted);
	metrics_labelled(f, "chiso_handshakes_total", "result", "refused", s->zap_refused);
	metrics_family(f, "chiso_handshake_lookups_total", "counter",
		       "Handshakes of a key the registry did not know, decided after a look-up of "
		       "the enrolments in the database, by result.");
	metrics_labelled(f, "chiso_handshake_lookups_total", "result", "admitted",
			 s->zap_admitted_after_read);
	metrics_labelled(f, "chiso_handshake_lookups_total", "result", "refused",
			 s->zap_refused_after_read);
	metrics_family(f, "chiso_rejections_total", "counter", "Rows refused, by reason code.");
	for (size_t i = 0; i < s->nreasons; i++)
		metrics_labelled(f, "chiso_rejections_total", "reason", s->reasons[i].code,
				 s->reasons[i].count);
	/* The exposition format wants the samples of one family together. */
	for (size_t k = 0; k < sizeof metrics_per_peer / sizeof metrics_per_peer[0]; k++) {
		metrics_family(f, metrics_per_peer[k].name, metrics_per_peer[k].type,
			       metrics_per_peer[k].help);
		for (size_t i = 0; i < s->npeers; i++)
			metrics_labelled(f, metrics_per_peer[k].name, "collector", s->peers[i].name,
					 metrics_peer_value(&s->peers[i], metrics_per_peer[k].field,
							    now, connected_window_s));
	}
	metrics_periods(f, s);
	if (ferror(f)) {
		fclose(f);
		free(text);
		return NULL;
	}
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

/* The request. */

int metrics_route(const char *method, const char *path)
{
	if (strcmp(method, "GET") != 0)
		return 405;
	/* libmicrohttpd has cut off the query string: Prometheus may add one. */
	if (strcmp(path, "/") == 0 || strcmp(path, "/metrics") == 0)
		return 200;
	return 404;
}

static const char *metrics_reason(int status)
{
	switch (status) {
	case 200:
		return "OK";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 503:
		return "Service Unavailable";
	}
	return "Internal Server Error";
}

/*
 * The counters rendered by the main thread (caller frees), on libmicrohttpd's
 * thread; *status becomes 500 or 503 when there are none.  One request at a
 * time: libmicrohttpd runs the handlers on its one thread.
 */
static char *metrics_fetch(struct metrics *m, int *status)
{
	struct timespec until;
	uint64_t one = 1;
	char *text = NULL;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += METRICS_WAIT_S;
	pthread_mutex_lock(&m->lock);
	m->wanted = true;
	m->ready = false;
	if (write(m->efd, &one, sizeof one) < 0)
		log_debug("metrics: eventfd: %s", strerror(errno));
	while (!m->ready && !m->stopping)
		if (pthread_cond_timedwait(&m->done, &m->lock, &until) == ETIMEDOUT)
			break;
	if (m->ready) {
		text = m->text;
		*status = text ? 200 : 500;
	} else {
		*status = 503;
	}
	m->text = NULL;
	m->wanted = m->ready = false;
	pthread_mutex_unlock(&m->lock);
	return text;
}

/* Answers one request whole at its first call: HTTP/1.0, the connection closed after it. */
static enum MHD_Result metrics_answer(void *cls, struct MHD_Connection *conn, const char *url,
				      const char *method, const char *version,
				      const char *upload_data, size_t *upload_size, void **con_cls)
{
	struct metrics *m = cls;
	int status = metrics_route(method, url);
	char *body = NULL, line[64];
	struct MHD_Response *r;

	(void)version, (void)upload_data, (void)upload_size, (void)con_cls;
	if (status == 200)
		body = metrics_fetch(m, &status);
	snprintf(line, sizeof line, "%d %s\n", status, metrics_reason(status));
	if (body)
		r = MHD_create_response_from_buffer(strlen(body), body, MHD_RESPMEM_MUST_FREE);
	else
		r = MHD_create_response_from_buffer(strlen(line), line, MHD_RESPMEM_MUST_COPY);
	if (!r) {
		free(body);
		return MHD_NO;
	}
	MHD_set_response_options(r, MHD_RF_HTTP_1_0_SERVER, MHD_RO_END);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
				status == 200 ? "text/plain; version=0.0.4; charset=utf-8"
					      : "text/plain; charset=utf-8");
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
	if (status == 405)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET");
	if (status != 200)
		log_debug("metrics: answered %d %s", status, metrics_reason(status));
	enum MHD_Result rc = MHD_queue_response(conn, (unsigned)status, r);
	MHD_destroy_response(r);
	return rc;
}

void metrics_handle(struct metrics *m, const struct stats *s, int64_t now,
		    int64_t connected_window_s)
{
	uint64_t n;

	if (read(m->efd, &n, sizeof n) < 0)
		return; /* EAGAIN: nothing asked */
	pthread_mutex_lock(&m->lock);
	if (m->wanted && !m->ready) {
		m->text = metrics_render(s, now, connected_window_s);
		if (!m->text)
			log_err("metrics: out of memory rendering the counters");
		m->ready = true;
		pthread_cond_signal(&m->done);
	}
	pthread_mutex_unlock(&m->lock);
}

/* Setting up. */

/* libmicrohttpd's own complaints (a refused connection, a malformed request). */
static void metrics_mhd_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	log_vmsg(LOGL_DEBUG, fmt, ap);
}

/* The address is served without authentication: say so if it leaves this machine. */
static bool metrics_loopback(const char *endpoint)
{
	static const char *const ok[] = {"tcp://127.", "tcp://[::1]:", "tcp://localhost:"};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
		if (strncmp(endpoint, ok[i], strlen(ok[i])) == 0)
			return true;
	return false;
}

/*
 * The socket address of tcp://HOST:PORT (srvconf has checked the form; HOST
 * may be *, a name, an IPv4 address or an IPv6 one in brackets); *res is the
 * caller's (freeaddrinfo).
 */
static int metrics_address(const char *endpoint, struct addrinfo **res, char *err, size_t errsize)
{
	char host[256];
	const char *h = endpoint + strlen("tcp://"), *colon = strrchr(endpoint, ':');
	struct addrinfo hints = {.ai_family = AF_UNSPEC,
				 .ai_socktype = SOCK_STREAM,
				 .ai_flags = AI_PASSIVE | AI_NUMERICSERV};

	if (strncmp(endpoint, "tcp://", 6) != 0 || colon < h ||
	    (size_t)(colon - h) >= sizeof host) {
		snprintf(err, errsize, "metrics.listen: %s is not tcp://HOST:PORT", endpoint);
		return -1;
	}
	if (*h == '[' && colon > h + 1 && colon[-1] == ']')
		snprintf(host, sizeof host, "%.*s", (int)(colon - h - 2), h + 1);
	else
		snprintf(host, sizeof host, "%.*s", (int)(colon - h), h);
	int rc = getaddrinfo(strcmp(host, "*") == 0 ? NULL : host, colon + 1, &hints, res);
	if (rc != 0) {
		snprintf(err, errsize, "metrics.listen: cannot resolve %s: %s", endpoint,
			 gai_strerror(rc));
		return -1;
	}
	return 0;
}

/* libmicrohttpd listening on ai, with its thread and its bounds. */
static struct MHD_Daemon *metrics_start(struct metrics *m, const struct addrinfo *ai)
{
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ERROR_LOG;

	if (ai->ai_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	return MHD_start_daemon(flags, 0, NULL, NULL, metrics_answer, m, MHD_OPTION_SOCK_ADDR,
				ai->ai_addr, MHD_OPTION_CONNECTION_LIMIT, (unsigned)METRICS_CONNS,
				MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)METRICS_IDLE_S,
				MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)METRICS_REQUEST_MAX,
				MHD_OPTION_EXTERNAL_LOGGER, metrics_mhd_log, NULL, MHD_OPTION_END);
}

struct metrics *metrics_new(const char *endpoint, char *err, size_t errsize)
{
	struct metrics *m = calloc(1, sizeof *m);
	struct addrinfo *ai = NULL;

	if (!m) {
		snprintf(err, errsize, "out of memory");
		return NULL;
	}
	m->efd = -1;
	pthread_mutex_init(&m->lock, NULL);
	pthread_cond_init(&m->done, NULL);
	if ((m->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) < 0) {
		snprintf(err, errsize, "metrics.listen: eventfd: %s", strerror(errno));
		goto fail;
	}
	if (metrics_address(endpoint, &ai, err, errsize) < 0)
		goto fail;
	m->d = metrics_start(m, ai);
	freeaddrinfo(ai);
	if (!m->d) {
		snprintf(err, errsize, "metrics.listen: cannot bind %s", endpoint);
		goto fail;
	}
	if (!metrics_loopback(endpoint))
		log_warn("metrics.listen = %s is not a loopback address: anyone who can reach it "
			 "reads the counters and the collectors' names without authentication",
			 endpoint);
	log_info("metrics: Prometheus text on %s (GET /metrics)", endpoint);
	return m;
fail:
	metrics_destroy(&m);
	return NULL;
}

void metrics_destroy(struct metrics **mp)
{
	struct metrics *m;

	if (!mp || !*mp)
		return;
	m = *mp;
	/* A request waiting for the main thread, which is here, gives up at once. */
	pthread_mutex_lock(&m->lock);
	m->stopping = true;
	pthread_cond_broadcast(&m->done);
	pthread_mutex_unlock(&m->lock);
	if (m->d)
		MHD_stop_daemon(m->d);
	if (m->efd >= 0)
		close(m->efd);
	free(m->text);
	pthread_cond_destroy(&m->done);
	pthread_mutex_destroy(&m->lock);
	free(m);
	*mp = NULL;
}

int metrics_fd(const struct metrics *m)
{
	return m->efd;
}
