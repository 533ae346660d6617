/*
 * metrics: Prometheus text and its HTTP/1.0 responder (see metrics.h).
 *
 * A ZMQ_STREAM socket hands over raw TCP bytes as [routing id, data] pairs,
 * with an empty data frame when a connection opens or closes; sending the
 * routing id and an empty frame closes it.  That is all HTTP/1.0 needs, and it
 * keeps the responder inside the one zmq_poll of the main loop instead of a
 * thread or an HTTP library.  Requests are small and answered whole, so each
 * connection is a fixed buffer in a fixed table: a flood of connections evicts
 * the oldest, a request over the buffer is answered 400, and one still not
 * complete after METRICS_IDLE_MS is answered 408 the next time the socket wakes
 * the loop (an idle slot costs only its buffer until then, and is the first to
 * be evicted).
 */
#include "metrics.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "clock.h"
#include "log.h"

/* Connections with a request in progress; Prometheus needs one. */
#define METRICS_CONNS 16
/* A request not complete after this long is answered 408 and closed. */
#define METRICS_IDLE_MS 10000
/* libzmq's routing ids of STREAM peers are 5 bytes; anything longer is not one. */
#define METRICS_ID_MAX 32
/* Messages read per call, so that a busy client cannot starve the loop. */
#define METRICS_BURST 64

struct metrics_conn {
	unsigned char id[METRICS_ID_MAX];
	size_t idlen; /* 0: the slot is free */
	size_t len;
	int64_t since_ms;
	char buf[METRICS_REQUEST_MAX];
};

struct metrics {
	void *sock;
	struct metrics_conn conns[METRICS_CONNS];
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

char *metrics_render(const struct stats *s, int64_t now, int64_t connected_window_s)
{
	static const struct {
		const char *name, *type, *help;
		enum metrics_peer_field field;
	} per_peer[] = {
	    {"chiso_collector_last_seen_seconds", "gauge",
	     "When the collector was last heard from, unix seconds.", PEER_LAST_SEEN},
	    {"chiso_collector_connected", "gauge",
	     "1 if the collector was heard from within the last three heartbeats, else 0.",
	     PEER_CONNECTED},
	    {"chiso_collector_backlog_batches", "gauge",
	     "Batches queued at the agent, as it last reported.", PEER_BACKLOG_BATCHES},
	    {"chiso_collector_backlog_rows", "gauge",
	     "Rows queued at the agent, as it last reported.", PEER_BACKLOG_ROWS},
	    {"chiso_collector_oldest_age_seconds", "gauge",
	     "Age of the oldest batch queued at the agent, as it last reported.", PEER_OLDEST_AGE},
	    {"chiso_collector_batches_total", "counter", "Batches of the collector committed.",
	     PEER_BATCHES},
	    {"chiso_collector_rows_total", "counter",
	     "Rows in the collector's committed batches, refused ones included.", PEER_ROWS},
	    {"chiso_collector_rejected_rows_total", "counter",
	     "Rows of the collector refused with a reason.", PEER_REJECTED},
	};
	size_t connected = 0, size = 0;
	char *text = NULL;
	FILE *f;

	for (size_t i = 0; i < s->npeers; i++)
		connected += now - s->peers[i].last_seen <= connected_window_s;
	const struct {
		const char *name, *type, *help;
		uint64_t value;
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
	    {"chiso_commit_target_ms", "gauge", "The duration group commits are sized for.",
	     s->commit_target_ms},
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

	if ((f = open_memstream(&text, &size)) == NULL)
		return NULL;
	metrics_family(f, "chiso_build_info", "gauge",
		       "Always 1; the version of chisod as a label.");
	metrics_labelled(f, "chiso_build_info", "version", CHISO_VERSION, 1);
	for (size_t i = 0; i < sizeof scalars / sizeof scalars[0]; i++) {
		metrics_family(f, scalars[i].name, scalars[i].type, scalars[i].help);
		fprintf(f, "%s %llu\n", scalars[i].name, (unsigned long long)scalars[i].value);
	}
	metrics_family(f, "chiso_handshakes_total", "counter",
		       "CURVE handshakes decided by the ZAP handler, by result.");
	metrics_labelled(f, "chiso_handshakes_total", "result", "accepted", s->zap_accepted);
	metrics_labelled(f, "chiso_handshakes_total", "result", "refused", s->zap_refused);
	metrics_family(f, "chiso_rejections_total", "counter", "Rows refused, by reason code.");
	for (size_t i = 0; i < s->nreasons; i++)
		metrics_labelled(f, "chiso_rejections_total", "reason", s->reasons[i].code,
				 s->reasons[i].count);
	/* The exposition format wants the samples of one family together. */
	for (size_t k = 0; k < sizeof per_peer / sizeof per_peer[0]; k++) {
		metrics_family(f, per_peer[k].name, per_peer[k].type, per_peer[k].help);
		for (size_t i = 0; i < s->npeers; i++)
			metrics_labelled(f, per_peer[k].name, "collector", s->peers[i].name,
					 metrics_peer_value(&s->peers[i], per_peer[k].field, now,
							    connected_window_s));
	}
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

/*
 * Whether the header has ended: a line break followed by an empty line, CRLF
 * or, leniently, LF alone as HTTP/1.1 allows.
 */
static bool metrics_header_ended(const char *buf, size_t len)
{
	for (size_t i = 0; i + 1 < len; i++)
		if (buf[i] == '\n' && (buf[i + 1] == '\n' ||
				       (buf[i + 1] == '\r' && i + 2 < len && buf[i + 2] == '\n')))
			return true;
	return false;
}

int metrics_request(const char *buf, size_t len)
{
	if (!metrics_header_ended(buf, len))
		return len >= METRICS_REQUEST_MAX ? 400 : 0;

	const char *eol = memchr(buf, '\n', len);
	size_t linelen = (size_t)(eol - buf);
	if (linelen > 0 && buf[linelen - 1] == '\r')
		linelen--;
	/* method SP request-target SP HTTP-version */
	const char *sp1 = memchr(buf, ' ', linelen);
	if (!sp1 || sp1 == buf)
		return 400;
	const char *target = sp1 + 1;
	const char *sp2 = memchr(target, ' ', linelen - (size_t)(target - buf));
	if (!sp2 || sp2 == target)
		return 400;
	const char *version = sp2 + 1;
	size_t vlen = linelen - (size_t)(version - buf);
	if (vlen != 8 || memcmp(version, "HTTP/1.", 7) != 0 || version[7] < '0' || version[7] > '9')
		return 400;
	for (const char *p = buf; p < sp1; p++)
		if (*p < 'A' || *p > 'Z')
			return 400;
	if (sp1 - buf != 3 || memcmp(buf, "GET", 3) != 0)
		return 405;
	/* The query string does not matter: Prometheus may add one. */
	const char *q = memchr(target, '?', (size_t)(sp2 - target));
	size_t tlen = (size_t)((q ? q : sp2) - target);
	if ((tlen == 1 && target[0] == '/') || (tlen == 8 && memcmp(target, "/metrics", 8) == 0))
		return 200;
	return 404;
}

/* The connections. */

static struct metrics_conn *metrics_find(struct metrics *m, const void *id, size_t idlen)
{
	for (size_t i = 0; i < METRICS_CONNS; i++)
		if (m->conns[i].idlen == idlen && memcmp(m->conns[i].id, id, idlen) == 0)
			return &m->conns[i];
	return NULL;
}

/* Closes the connection (routing id, then an empty frame) and frees its slot. */
static void metrics_close(struct metrics *m, struct metrics_conn *c)
{
	/* A peer already gone makes the first send fail; there is nothing else to do. */
	if (zmq_send(m->sock, c->id, c->idlen, ZMQ_SNDMORE | ZMQ_DONTWAIT) == (int)c->idlen)
		zmq_send(m->sock, "", 0, ZMQ_DONTWAIT);
	c->idlen = 0;
	c->len = 0;
}

/* A slot for a new connection; when all are taken the oldest is closed for it. */
static struct metrics_conn *metrics_open(struct metrics *m, const void *id, size_t idlen,
					 int64_t now_ms)
{
	struct metrics_conn *c = NULL;

	if (idlen == 0 || idlen > METRICS_ID_MAX)
		return NULL;
	for (size_t i = 0; i < METRICS_CONNS && !c; i++)
		if (m->conns[i].idlen == 0)
			c = &m->conns[i];
	if (!c) {
		c = &m->conns[0];
		for (size_t i = 1; i < METRICS_CONNS; i++)
			if (m->conns[i].since_ms < c->since_ms)
				c = &m->conns[i];
		log_debug("metrics: %d connections open, closing the oldest", METRICS_CONNS);
		metrics_close(m, c);
	}
	memcpy(c->id, id, idlen);
	c->idlen = idlen;
	c->len = 0;
	c->since_ms = now_ms;
	return c;
}

static const char *metrics_reason(int status)
{
	switch (status) {
	case 200:
		return "OK";
	case 400:
		return "Bad Request";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 408:
		return "Request Timeout";
	}
	return "Internal Server Error";
}

/* Sends the whole answer in one frame, then closes the connection. */
static void metrics_reply(struct metrics *m, struct metrics_conn *c, int status,
			  const struct stats *s, int64_t now, int64_t window)
{
	char *body = NULL, head[256], line[64];
	zmq_msg_t msg;

	if (status == 200 && (body = metrics_render(s, now, window)) == NULL) {
		log_err("metrics: out of memory rendering the counters");
		status = 500;
	}
	snprintf(line, sizeof line, "%d %s\n", status, metrics_reason(status));
	const char *payload = body ? body : line;
	size_t blen = strlen(payload);
	int hlen = snprintf(head, sizeof head,
			    "HTTP/1.0 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n%s"
			    "Connection: close\r\n\r\n",
			    status, metrics_reason(status),
			    status == 200 ? "text/plain; version=0.0.4; charset=utf-8"
					  : "text/plain; charset=utf-8",
			    blen, status == 405 ? "Allow: GET\r\n" : "");
	if (zmq_msg_init_size(&msg, (size_t)hlen + blen) == 0) {
		memcpy(zmq_msg_data(&msg), head, (size_t)hlen);
		memcpy((char *)zmq_msg_data(&msg) + hlen, payload, blen);
		if (zmq_send(m->sock, c->id, c->idlen, ZMQ_SNDMORE | ZMQ_DONTWAIT) == (int)c->idlen)
			zmq_msg_send(&msg, m->sock, ZMQ_DONTWAIT);
		zmq_msg_close(&msg);
	}
	if (status != 200)
		log_debug("metrics: answered %d %s", status, metrics_reason(status));
	free(body);
	metrics_close(m, c);
}

/* Data (or libzmq's empty notice of an opened or closed connection) from one peer. */
static void metrics_input(struct metrics *m, const void *id, size_t idlen, const char *data,
			  size_t len, const struct stats *s, int64_t now, int64_t window,
			  int64_t now_ms)
{
	struct metrics_conn *c = metrics_find(m, id, idlen);

	if (len == 0) {
		/* Routing ids are never reused, so a known one is a peer that left. */
		if (c)
			c->idlen = 0;
		else
			metrics_open(m, id, idlen, now_ms);
		return;
	}
	if (!c && (c = metrics_open(m, id, idlen, now_ms)) == NULL)
		return;
	size_t n = len < sizeof c->buf - c->len ? len : sizeof c->buf - c->len;
	memcpy(c->buf + c->len, data, n);
	c->len += n;
	/* A full buffer without the end of the header makes metrics_request say 400. */
	int status = metrics_request(c->buf, c->len);
	if (status)
		metrics_reply(m, c, status, s, now, window);
}

void metrics_handle(struct metrics *m, const struct stats *s, int64_t now,
		    int64_t connected_window_s)
{
	int64_t now_ms = clock_mono_ms();

	for (size_t i = 0; i < METRICS_CONNS; i++)
		if (m->conns[i].idlen && now_ms - m->conns[i].since_ms > METRICS_IDLE_MS)
			metrics_reply(m, &m->conns[i], 408, s, now, connected_window_s);
	for (int i = 0; i < METRICS_BURST; i++) {
		zmq_msg_t id, data;
		zmq_msg_init(&id);
		if (zmq_msg_recv(&id, m->sock, ZMQ_DONTWAIT) < 0) {
			zmq_msg_close(&id);
			break;
		}
		zmq_msg_init(&data);
		if (zmq_msg_more(&id) && zmq_msg_recv(&data, m->sock, ZMQ_DONTWAIT) >= 0) {
			/* A STREAM message is two frames; drop anything beyond. */
			while (zmq_msg_more(&data)) {
				zmq_msg_t extra;
				zmq_msg_init(&extra);
				int rc = zmq_msg_recv(&extra, m->sock, ZMQ_DONTWAIT);
				int more = rc >= 0 && zmq_msg_more(&extra);
				zmq_msg_close(&extra);
				if (!more)
					break;
			}
			metrics_input(m, zmq_msg_data(&id), zmq_msg_size(&id), zmq_msg_data(&data),
				      zmq_msg_size(&data), s, now, connected_window_s, now_ms);
		}
		zmq_msg_close(&data);
		zmq_msg_close(&id);
	}
}

/* Setting up. */

/* The address is served without authentication: say so if it leaves this machine. */
static bool metrics_loopback(const char *endpoint)
{
	static const char *const ok[] = {"tcp://127.", "tcp://[::1]:", "tcp://localhost:"};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
		if (strncmp(endpoint, ok[i], strlen(ok[i])) == 0)
			return true;
	return false;
}

struct metrics *metrics_new(void *ctx, const char *endpoint, char *err, size_t errsize)
{
	struct metrics *m = calloc(1, sizeof *m);
	char bound[256];
	size_t blen = sizeof bound;
	int zero = 0, one = 1;

	if (!m) {
		snprintf(err, errsize, "out of memory");
		return NULL;
	}
	/* LINGER 0: at shutdown an answer not yet sent is dropped rather than waited for. */
	m->sock = zmq_socket(ctx, ZMQ_STREAM);
	if (!m->sock || zmq_setsockopt(m->sock, ZMQ_LINGER, &zero, sizeof zero) < 0 ||
	    zmq_setsockopt(m->sock, ZMQ_STREAM_NOTIFY, &one, sizeof one) < 0) {
		snprintf(err, errsize, "metrics.listen: STREAM socket: %s",
			 zmq_strerror(zmq_errno()));
		goto fail;
	}
	if (zmq_bind(m->sock, endpoint) < 0) {
		snprintf(err, errsize, "metrics.listen: cannot bind %s: %s", endpoint,
			 zmq_strerror(zmq_errno()));
		goto fail;
	}
	if (zmq_getsockopt(m->sock, ZMQ_LAST_ENDPOINT, bound, &blen) < 0)
		snprintf(bound, sizeof bound, "%s", endpoint);
	if (!metrics_loopback(endpoint))
		log_warn("metrics.listen = %s is not a loopback address: anyone who can reach it "
			 "reads the counters and the collectors' names without authentication",
			 endpoint);
	log_info("metrics: Prometheus text on %s (GET /metrics)", bound);
	return m;
fail:
	metrics_destroy(&m);
	return NULL;
}

void metrics_destroy(struct metrics **mp)
{
	if (!mp || !*mp)
		return;
	if ((*mp)->sock)
		zmq_close((*mp)->sock);
	free(*mp);
	*mp = NULL;
}

void *metrics_socket(const struct metrics *m)
{
	return m->sock;
}
