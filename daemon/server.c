/*
 * server: the main loop of chisod (see server.h).
 *
 * Order of start-up matters: signals are blocked before any thread exists so
 * that only the signalfd sees them; the ZAP handler is bound before the ROUTER
 * so that no handshake can happen without it; READY=1 is sent only once the
 * socket is bound, the writer has connected to PostgreSQL and the housekeeper
 * has recorded the deadlines.  What happens to a batch once decoded (group
 * commit, ACK, RETRY, timeouts, the stop) is ingest.c's, which reaches the
 * writer and the ROUTER only through the callbacks set up here.
 */
#include "server.h"

#include <errno.h>
#include <stdarg.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <systemd/sd-daemon.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "batch.h"
#include "catalog.h"
#include "housekeeper.h"
#include "ingest.h"
#include "keys.h"
#include "clock.h"
#include "frame.h"
#include "log.h"
#include "metrics.h"
#include "registry.h"
#include "sockmon.h"
#include "stats.h"
#include "wire.h"
#include "writer.h"
#include "zap.h"

/*
 * SIGTERM during a commit: it may finish for a grace, then its statement is
 * cancelled (ingest.h).  If the writer is still stuck after
 * SERVER_STOP_HARD_MS (a server that does not answer at all), chisod exits
 * without it: nothing of that commit was acked, and PostgreSQL rolls it back
 * when the connection closes.  All well under TimeoutStopSec=60.
 */
#define SERVER_STOP_HARD_MS 20000

struct server {
	struct srvconf *conf;
	void *ctx, *router, *zap;
	struct writer *writer;
	struct housekeeper *housekeeper;
	struct metrics *metrics; /* NULL unless metrics.listen is set */
	struct sockmon *mon;	 /* the ROUTER's accept failures */
	int sigfd;
	struct catalog *catalog;
	char *catalog_json;
	struct registry *registry;
	struct ingest ig; /* the batches' state machine; its sink is the writer */
	bool db_up, ready;
	bool settled; /* the housekeeper's first pass has recorded the deadlines */
	struct wire_limits limits;
	struct stats *stats;
	struct zap_counts zap_counts;
	struct zapq zapq; /* ZAP requests waiting for a look-up of their key */
	uint64_t watchdog_us;
	int64_t next_watchdog_ms, next_status_ms;
};

/* Development mode must never listen beyond this machine. */
static bool server_loopback(const char *endpoint)
{
	static const char *const ok[] = {"tcp://127.", "tcp://[::1]:", "tcp://localhost:", "ipc://",
					 "inproc://"};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
		if (strncmp(endpoint, ok[i], strlen(ok[i])) == 0)
			return true;
	return false;
}

static int server_setopt_int(void *sock, int opt, int value)
{
	return zmq_setsockopt(sock, opt, &value, sizeof value);
}

static int server_router(struct server *s, struct keypair *kp, char *err, size_t errsize)
{
	const struct srvconf *c = s->conf;
	/* A body of exactly max_body bytes must get through CURVE, and one a little
	   over it be answered, not dropped (wire.h). */
	int64_t maxmsg = c->max_message_bytes + WIRE_CURVE_MARGIN + WIRE_CURVE_OVERHEAD;
	int hb = (int)c->heartbeat_ms;

	s->router = zmq_socket(s->ctx, ZMQ_ROUTER);
	if (!s->router || server_setopt_int(s->router, ZMQ_ROUTER_MANDATORY, 1) < 0 ||
	    zmq_setsockopt(s->router, ZMQ_MAXMSGSIZE, &maxmsg, sizeof maxmsg) < 0 ||
	    server_setopt_int(s->router, ZMQ_RCVHWM, 16) < 0 ||
	    server_setopt_int(s->router, ZMQ_SNDHWM, 1000) < 0 ||
	    server_setopt_int(s->router, ZMQ_HEARTBEAT_IVL, hb) < 0 ||
	    server_setopt_int(s->router, ZMQ_HEARTBEAT_TIMEOUT, 3 * hb) < 0 ||
	    server_setopt_int(s->router, ZMQ_HEARTBEAT_TTL, 3 * hb) < 0 ||
	    server_setopt_int(s->router, ZMQ_TCP_KEEPALIVE, 1) < 0 ||
	    /* thousands of agents reconnect at once after a restart; the default queue of
	       100 pending connections overflows and they time out and retry in waves */
	    server_setopt_int(s->router, ZMQ_BACKLOG, 4096) < 0 ||
	    server_setopt_int(s->router, ZMQ_LINGER, 2000) < 0 ||
	    zmq_setsockopt(s->router, ZMQ_ZAP_DOMAIN, "chiso", 5) < 0) {
		snprintf(err, errsize, "ROUTER socket: %s", zmq_strerror(zmq_errno()));
		return -1;
	}
	if (c->insecure) {
		if (!server_loopback(c->endpoint)) {
			snprintf(
			    err, errsize,
			    "server.insecure is set but %s is not a loopback endpoint: refusing "
			    "to accept unauthenticated collectors from the network",
			    c->endpoint);
			return -1;
		}
		log_warn("DEVELOPMENT MODE (server.insecure = true): no CURVE, collectors are "
			 "not authenticated; listening on %s only",
			 c->endpoint);
	} else {
		int one = 1;
		if (keys_read_secret(c->secret_key_file, kp, err, errsize) < 0)
			return -1;
		if (zmq_setsockopt(s->router, ZMQ_CURVE_SERVER, &one, sizeof one) < 0 ||
		    zmq_setsockopt(s->router, ZMQ_CURVE_SECRETKEY, kp->secret_key, 41) < 0) {
			snprintf(err, errsize, "CURVE: %s", zmq_strerror(zmq_errno()));
			return -1;
		}
	}
	return 0;
}

static int server_bind(struct server *s, char *err, size_t errsize)
{
	if (zmq_bind(s->router, s->conf->endpoint) < 0) {
		snprintf(err, errsize, "cannot bind %s: %s", s->conf->endpoint,
			 zmq_strerror(zmq_errno()));
		return -1;
	}
	return 0;
}

/* The self-check's probe must never reach the ROUTER: any message that does is noted. */
static void server_probe_arrived(const struct frame_in *in, void *ctx)
{
	(void)in;
	*(bool *)ctx = true;
}

/*
 * libzmq accepts every CURVE client when no ZAP handler answers, so before
 * accepting anything the daemon connects to itself with a throwaway key and
 * requires that key to be refused by its own handler and no message of it to
 * arrive.  A daemon that fails this check must not run.  The ROUTER is bound
 * for this to a private loopback port, not to server.endpoint: agents that
 * reconnect after a restart must not reach a handler that, knowing no
 * enrolments yet, would refuse them (libzmq never retries a refused key).
 * With no registry yet there is nothing to look a key up in: the handler
 * refuses the throwaway key at once instead of parking it.
 */
static int server_selfcheck(struct server *s, struct keypair *server_keys, char *err,
			    size_t errsize)
{
	char endpoint[256], pub[41], sec[41];
	size_t elen = sizeof endpoint;
	uint64_t refused = s->zap_counts.refused_unknown;
	bool arrived = false;
	void *probe = NULL;
	int rc = -1;

	if (zmq_bind(s->router, "tcp://127.0.0.1:*") < 0 ||
	    zmq_getsockopt(s->router, ZMQ_LAST_ENDPOINT, endpoint, &elen) < 0 ||
	    zmq_curve_keypair(pub, sec) != 0) {
		snprintf(err, errsize, "self-check: %s", zmq_strerror(zmq_errno()));
		return -1;
	}
	probe = zmq_socket(s->ctx, ZMQ_DEALER);
	if (!probe || server_setopt_int(probe, ZMQ_LINGER, 0) < 0 ||
	    zmq_setsockopt(probe, ZMQ_CURVE_SERVERKEY, server_keys->public_key, 41) < 0 ||
	    zmq_setsockopt(probe, ZMQ_CURVE_PUBLICKEY, pub, 41) < 0 ||
	    zmq_setsockopt(probe, ZMQ_CURVE_SECRETKEY, sec, 41) < 0 ||
	    zmq_connect(probe, endpoint) < 0) {
		snprintf(err, errsize, "self-check: cannot connect to %s: %s", endpoint,
			 zmq_strerror(zmq_errno()));
		goto done;
	}
	frame_send(probe, NULL, 0, 1, WIRE_PING, "{}", 2, ZMQ_DONTWAIT);
	/* Wait until the handler has refused the key, then a little longer for strays. */
	int64_t until = clock_mono_ms() + 5000, settled = 0;
	while (clock_mono_ms() < until && !(settled && clock_mono_ms() > settled)) {
		zmq_pollitem_t items[] = {{s->zap, 0, ZMQ_POLLIN, 0},
					  {s->router, 0, ZMQ_POLLIN, 0}};
		if (zmq_poll(items, 2, 50) < 0)
			continue;
		if (items[0].revents & ZMQ_POLLIN)
			zap_handle(s->zap, NULL, s->conf->insecure, NULL, clock_mono_ms(),
				   &s->zap_counts);
		if (items[1].revents & ZMQ_POLLIN)
			while (frame_recv(s->router, true, 0, server_probe_arrived, &arrived) > 0)
				;
		if (!settled && s->zap_counts.refused_unknown > refused)
			settled = clock_mono_ms() + 300;
	}
	if (arrived || s->zap_counts.refused_unknown == refused) {
		snprintf(err, errsize,
			 "self-check failed: a throwaway CURVE key was %s; refusing to run with "
			 "authentication that does not work",
			 arrived ? "admitted" : "never submitted to the ZAP handler");
		goto done;
	}
	log_info("self-check passed: the ZAP handler refuses unknown keys");
	rc = 0;
done:
	if (probe)
		zmq_close(probe);
	if (zmq_unbind(s->router, endpoint) < 0 && rc == 0) {
		snprintf(err, errsize, "self-check: unbind %s: %s", endpoint,
			 zmq_strerror(zmq_errno()));
		rc = -1;
	}
	return rc;
}

static int server_ingest_init(struct server *s);

struct server *server_new(struct srvconf **confp, char *err, size_t errsize)
{
	struct server *s = calloc(1, sizeof *s);
	sigset_t mask;

	if (!s || (s->stats = stats_new()) == NULL) {
		snprintf(err, errsize, "out of memory");
		goto fail;
	}
	s->conf = *confp;
	*confp = NULL;
	s->sigfd = -1;
	s->stats->started = time(NULL);
	s->limits = wire_default_limits;
	s->limits.max_body = (size_t)s->conf->max_message_bytes;
	s->limits.max_rows = (size_t)s->conf->max_rows;
	if (server_ingest_init(s) < 0) {
		snprintf(err, errsize, "out of memory");
		goto fail;
	}

	/* Before any thread: only the signalfd receives these. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0 ||
	    (s->sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK)) < 0) {
		snprintf(err, errsize, "signalfd: %s", strerror(errno));
		goto fail;
	}
	signal(SIGPIPE, SIG_IGN);
	if ((s->ctx = zmq_ctx_new()) == NULL) {
		snprintf(err, errsize, "zmq_ctx_new: %s", zmq_strerror(zmq_errno()));
		goto fail;
	}
	/* Before the first socket: libzmq starts its I/O threads with it. */
	if (zmq_ctx_set(s->ctx, ZMQ_IO_THREADS, (int)s->conf->io_threads) < 0) {
		snprintf(err, errsize, "server.io_threads = %lld: %s", s->conf->io_threads,
			 zmq_strerror(zmq_errno()));
		goto fail;
	}
	/* A ROUTER, not a REP: a request for an unknown key is answered after a look-up
	   (zapq.h), while others are answered meanwhile. */
	zapq_init(&s->zapq);
	s->zap = zmq_socket(s->ctx, ZMQ_ROUTER);
	if (!s->zap || zmq_bind(s->zap, ZAP_ENDPOINT) < 0) {
		snprintf(err, errsize, "ZAP handler: %s", zmq_strerror(zmq_errno()));
		goto fail;
	}
	struct keypair kp;
	memset(&kp, 0, sizeof kp);
	int rc = server_router(s, &kp, err, errsize);
	if (rc == 0 && !s->conf->insecure)
		rc = server_selfcheck(s, &kp, err, errsize);
	if (rc == 0 && (s->mon = sockmon_new(s->ctx, s->router, err, errsize)) == NULL)
		rc = -1;
	if (rc == 0)
		rc = server_bind(s, err, errsize);
	memset(&kp, 0, sizeof kp); /* the secret key stays in libzmq only */
	if (rc < 0)
		goto fail;
	if (*s->conf->metrics_listen &&
	    (s->metrics = metrics_new(s->conf->metrics_listen, err, errsize)) == NULL)
		goto fail;
	if ((s->writer = writer_start(s->ctx, s->conf, err, errsize)) == NULL ||
	    (s->housekeeper = housekeeper_start(s->conf, err, errsize)) == NULL)
		goto fail;
	if (sd_watchdog_enabled(0, &s->watchdog_us) <= 0)
		s->watchdog_us = 0;
	log_info("chisod %s listening on %s", CHISO_VERSION, s->conf->endpoint);
	return s;
fail:
	server_destroy(&s);
	return NULL;
}

void server_destroy(struct server **sp)
{
	struct server *s;

	if (!sp || !*sp)
		return;
	s = *sp;
	/* The monitor first: while accepts fail, libzmq's I/O thread may be waiting on its
	   queue, and it must not wait through the writer's stop (sockmon_destroy). */
	sockmon_destroy(&s->mon);
	housekeeper_stop(&s->housekeeper);
	writer_stop(&s->writer);
	if (s->router)
		zmq_close(s->router);
	if (s->zap)
		zmq_close(s->zap);
	metrics_destroy(&s->metrics);
	if (s->ctx)
		zmq_ctx_term(s->ctx);
	if (s->sigfd >= 0)
		close(s->sigfd);
	ingest_clear(&s->ig);
	catalog_destroy(&s->catalog);
	free(s->catalog_json);
	registry_destroy(&s->registry);
	stats_destroy(&s->stats);
	srvconf_destroy(&s->conf);
	free(s);
	*sp = NULL;
}

#define WARN_PER_MINUTE 10

/*
 * A warning about a peer, at most WARN_PER_MINUTE a minute per peer: a hostile
 * collector sending ten thousand broken messages must not flood the journal.
 * What was held back is summed up when the next minute begins.
 */
static void server_peer_warn(struct server *s, const char *peer, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void server_peer_warn(struct server *s, const char *peer, const char *fmt, ...)
{
	struct peer_stat *p = stats_peer(s->stats, *peer ? peer : "(unknown)");
	uint64_t held = 0;
	char msg[512];
	va_list ap;

	if (p && !ratelimit_allow(&p->warn, clock_mono_ms(), 60000, WARN_PER_MINUTE, &held))
		return;
	if (held)
		log_warn("collector %s: %llu more warnings held back in the last minute", p->name,
			 (unsigned long long)held);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	log_warn("collector %s: %s", *peer ? peer : "(unknown)", msg);
}

/* Sends one reply; a peer that is gone or not reading costs a counter, nothing more. */
static void server_reply(struct server *s, const void *rid, size_t rid_len, int version,
			 enum wire_command cmd, const char *body)
{
	const char *name = wire_command_name(cmd);

	if (!body) {
		log_err("out of memory encoding a %s reply", name);
		return;
	}
	if (frame_send(s->router, rid, rid_len, version, cmd, body, strlen(body), ZMQ_DONTWAIT) < 0)
		s->stats->replies_lost++;
}

static void server_peer_reply(void *ctx, const void *rid, size_t rid_len, int version,
			      enum wire_command cmd, const char *body)
{
	server_reply(ctx, rid, rid_len, version, cmd, body);
}

static void server_peer_say(void *ctx, const char *collector, const char *msg)
{
	server_peer_warn(ctx, collector, "%s", msg);
}

static int server_sink_submit(void *ctx, struct job **jp)
{
	struct server *s = ctx;
	return writer_submit(s->writer, jp);
}

static void server_sink_cancel(void *ctx)
{
	struct server *s = ctx;
	writer_cancel(s->writer);
}

/* The batches' state machine, with the writer thread as its sink and the ROUTER as its peer. */
static int server_ingest_init(struct server *s)
{
	const struct ingest_sink sink = {s, server_sink_submit, server_sink_cancel};
	const struct ingest_peer peer = {s, server_peer_reply, server_peer_say};
	const struct ingest_limits limits = {s->conf->commit_max_delay_ms,
					     s->conf->pending_max_rows};
	struct commitcap cap;

	commitcap_init(&cap, s->conf->commit_max_rows, s->conf->statement_timeout_ms,
		       s->conf->commit_target_ms);
	return ingest_init(&s->ig, &sink, &peer, s->stats, &limits, &cap);
}

/* A CATALOG request: its body is "{}", like every body strict (docs/protocol.md §3). */
static void server_catalog(struct server *s, const struct frame_in *in)
{
	char err[256];

	if (wire_empty_decode(in->body, in->len, &s->limits, err, sizeof err) < 0) {
		s->stats->bad_messages++;
		ingest_error(&s->ig, in->rid, in->rid_len, in->version, WIRE_ERR_BAD_BODY, err);
	} else if (s->catalog_json) {
		server_reply(s, in->rid, in->rid_len, in->version, WIRE_CATALOG, s->catalog_json);
	} else {
		ingest_error(&s->ig, in->rid, in->rid_len, in->version, WIRE_ERR_INTERNAL,
			     "no catalogue loaded yet");
	}
}

/* Dispatches one message the ROUTER received (frame_recv's callback). */
static void server_dispatch(const struct frame_in *in, void *ctx)
{
	struct server *s = ctx;
	const void *rid = in->rid;
	size_t rid_len = in->rid_len;
	const struct store_collector *c = registry_by_name(s->registry, in->user);
	/* Answered in the message's version; a message without a tag spoken, in version 1. */
	int v = in->version ? in->version : 1;
	size_t nperiods;
	const struct welcome_period *periods = registry_periods(s->registry, &nperiods);

	if (!rid)
		return;
	/* Each fault is logged as what it is: in->err names it (frame.c). */
	if (in->status == FRAME_BAD_COUNT || in->status == FRAME_BAD_TAG) {
		s->stats->bad_messages++;
		server_peer_warn(s, in->user, "%s", in->err);
		ingest_error(&s->ig, rid, rid_len, v, WIRE_ERR_BAD_FRAMES,
			     "a message is 3 frames: \"" WIRE_PROTOCOL
			     "\", a command, a JSON body");
	} else if (in->status == FRAME_BAD_VERSION) {
		s->stats->bad_messages++;
		server_peer_warn(s, in->user, "message refused: %s", in->err);
		ingest_error(&s->ig, rid, rid_len, v, WIRE_ERR_UNSUPPORTED_VERSION, in->err);
	} else if (!c || c->revoked) {
		/* The handshake admitted it, but the registry changed since. */
		ingest_error(&s->ig, rid, rid_len, v, WIRE_ERR_REVOKED,
			     "this collector's key has been revoked");
	} else if (in->status == FRAME_TOO_BIG) {
		s->stats->bad_messages++;
		server_peer_warn(s, in->user, "%s refused: %s", wire_command_name(in->cmd),
				 in->err);
		ingest_error(&s->ig, rid, rid_len, v, WIRE_ERR_BAD_BODY, in->err);
	} else if (in->status == FRAME_UNKNOWN_COMMAND) {
		s->stats->bad_messages++;
		server_peer_warn(s, in->user, "%s", in->err);
		ingest_error(&s->ig, rid, rid_len, v, WIRE_ERR_UNKNOWN_COMMAND,
			     "commands are HELLO, BATCH, PING and CATALOG");
	} else {
		const char *body = in->body;
		size_t len = in->len;
		switch (in->cmd) {
		case WIRE_BATCH:
			ingest_batch(&s->ig, rid, rid_len, v, c, body, len, &s->limits, s->catalog);
			break;
		case WIRE_HELLO:
			ingest_hello(&s->ig, rid, rid_len, v, c, body, len, &s->limits, s->catalog,
				     periods, nperiods);
			break;
		case WIRE_PING:
			ingest_ping(&s->ig, rid, rid_len, v, c, body, len, &s->limits);
			break;
		case WIRE_CATALOG:
			server_catalog(s, in);
			break;
		default:
			/* A command of the protocol that only chisod sends (WELCOME, ACK...). */
			s->stats->bad_messages++;
			server_peer_warn(s, in->user, "%s message refused: only chisod sends it",
					 wire_command_name(in->cmd));
			ingest_error(&s->ig, rid, rid_len, v, WIRE_ERR_UNKNOWN_COMMAND,
				     "commands are HELLO, BATCH, PING and CATALOG");
		}
	}
}

/* Reads one message from the ROUTER and dispatches it. */
static void server_message(struct server *s)
{
	frame_recv(s->router, true, s->limits.max_body, server_dispatch, s);
}

/* READY=1 once the writer is connected and the housekeeper has set up the periods. */
static void server_ready(struct server *s)
{
	if (s->ready || !s->db_up || !s->settled)
		return;
	s->ready = true;
	sd_notify(0, "READY=1");
	log_info("ready: database connected, accepting batches");
}

static void server_writer_event(struct server *s)
{
	struct writer_msg m;

	if (writer_recv(s->writer, &m) < 0)
		return;
	switch (m.type) {
	case WRITER_JOB_DONE: {
		struct job *j = m.ptr;
		ingest_done(&s->ig, &j);
		break;
	}
	case WRITER_DB_UP:
		s->db_up = true;
		s->ig.db_up = s->settled;
		s->stats->db_error[0] = '\0';
		s->next_status_ms = 0; /* record it now: `chisoctl status` right after a start */
		server_ready(s);
		break;
	case WRITER_DB_DOWN:
		s->db_up = false;
		s->ig.db_up = false;
		snprintf(s->stats->db_error, sizeof s->stats->db_error, "%s", m.text);
		break;
	case WRITER_CONNECT_FAILED:
		s->stats->db_connect_failures++;
		snprintf(s->stats->db_error, sizeof s->stats->db_error, "%s", m.text);
		break;
	case WRITER_CATALOG:
		catalog_destroy(&s->catalog);
		free(s->catalog_json);
		s->catalog = m.ptr;
		s->catalog_json = m.ptr2;
		log_info("catalogue %s loaded: %zu indicators", s->catalog->version,
			 s->catalog->nindicators);
		break;
	case WRITER_REGISTRY:
		if (!m.ptr) { /* a look-up that failed: the parked requests wait for the next */
			zapq_read_failed(&s->zapq, m.gen);
			break;
		}
		registry_destroy(&s->registry);
		s->registry = m.ptr;
		s->stats->collectors_enrolled = registry_count(s->registry);
		zap_settle(s->zap, &s->zapq, s->registry, m.gen, &s->zap_counts);
		break;
	}
}

static void server_reload(struct server *s)
{
	char err[512];
	struct srvconf *fresh;

	sd_notify(0, "RELOADING=1");
	fresh = srvconf_load(s->conf->path, err, sizeof err);
	if (!fresh) {
		log_err("reload refused, keeping the running configuration: %s", err);
	} else {
		/* An edit that a reload cannot apply is named, not silently kept for later. */
		for (size_t i = 0; i < srvconf_nkeys; i++) {
			const struct cfg_key *k = &srvconf_keys[i];
			if (!(k->flags & CFG_RELOAD) && !cfg_same(k, s->conf, fresh))
				log_warn("reload: %s changed in %s; it takes effect at the next "
					 "restart (systemctl restart chisod)",
					 k->path, s->conf->path);
		}
		log_set_level((enum log_level)log_level_from_name(fresh->log_level));
		s->limits.max_rows = (size_t)fresh->max_rows;
		s->conf->max_rows = fresh->max_rows;
		s->conf->commit_max_rows = fresh->commit_max_rows;
		s->conf->commit_target_ms = fresh->commit_target_ms;
		commitcap_set_max(&s->ig.cap, fresh->commit_max_rows, fresh->commit_target_ms);
		s->conf->commit_max_delay_ms = fresh->commit_max_delay_ms;
		s->conf->pending_max_rows = fresh->pending_max_rows;
		s->ig.limits.commit_max_delay_ms = fresh->commit_max_delay_ms;
		s->ig.limits.pending_max_rows = fresh->pending_max_rows;
		s->conf->status_interval_ms = fresh->status_interval_ms;
		srvconf_destroy(&fresh);
		log_info("configuration reloaded");
	}
	writer_reload(s->writer);
	housekeeper_kick(s->housekeeper);
	sd_notify(0, "READY=1");
}

/*
 * SIGTERM: a stop must end within systemd's TimeoutStopSec whatever the
 * database does: what waits is answered RETRY at once, the commit in progress
 * cancelled after its grace (ingest_stop_begin).  The housekeeper is stopped
 * at once: no agent waits for it.
 */
static void server_stop_begin(struct server *s)
{
	sd_notify(0, "STOPPING=1");
	housekeeper_cancel(s->housekeeper);
	ingest_stop_begin(&s->ig, clock_mono_ms());
}

/* While stopping: the commit's cancel (ingest_stop_tick), and giving up on a writer that
 * cannot be reached at all. */
static void server_stop_tick(struct server *s, int64_t now)
{
	if (s->ig.draining && s->ig.busy && now - s->ig.stop_ms >= SERVER_STOP_HARD_MS) {
		log_err("stopping: the database call of the commit in progress did not end %d ms "
			"after SIGTERM, cancelled or not; exiting without it (nothing of it was "
			"acked, and PostgreSQL rolls it back with the connection)",
			SERVER_STOP_HARD_MS);
		_exit(1);
	}
	ingest_stop_tick(&s->ig, now);
}

static void server_signal(struct server *s)
{
	struct signalfd_siginfo si;

	while (read(s->sigfd, &si, sizeof si) == (ssize_t)sizeof si) {
		if (si.ssi_signo == SIGHUP)
			server_reload(s);
		else if (!s->ig.draining)
			server_stop_begin(s);
	}
}

/*
 * The ZAP handler's parked requests: those that waited too long are refused,
 * and a look-up of the collectors is asked for when one is due (coalesced and
 * rate-limited by zapq).  Not before the first registry: ZAP is not served yet.
 */
static void server_zap_tick(struct server *s, int64_t now)
{
	uint64_t gen;

	zap_expire(s->zap, &s->zapq, now, &s->zap_counts);
	if (s->registry && zapq_read_due(&s->zapq, now, &gen) &&
	    writer_collectors(s->writer, gen) < 0) {
		log_warn("ZAP: cannot ask the writer for the collectors");
		zapq_read_failed(&s->zapq, gen);
	}
}

/* Copies the figures kept outside the counters into them, before any rendering. */
static void server_stats_refresh(struct server *s)
{
	s->stats->db_up = s->db_up;
	s->stats->pending_rows = ingest_pending_rows(&s->ig);
	s->stats->zap_accepted = s->zap_counts.accepted;
	s->stats->zap_refused =
	    s->zap_counts.refused_unknown + s->zap_counts.refused_revoked + s->zap_counts.malformed;
	s->stats->zap_parked = s->zapq.parked;
	s->stats->zap_admitted_after_read = s->zapq.admitted_after_read;
	s->stats->zap_refused_after_read = s->zapq.refused_after_read + s->zapq.expired;
	s->stats->commit_cap_rows = (uint64_t)s->ig.cap.cap;
	s->stats->commit_timeouts = s->ig.cap.timeouts;
	s->stats->commit_target_ms = (uint64_t)s->ig.cap.target_ms;
	s->stats->nperiods = housekeeper_progress(s->housekeeper, s->stats->periods,
						  STATS_PERIODS_MAX, &s->stats->periods_known);
}

/* Seconds within which a collector counts as connected: three heartbeats and some slack. */
static int64_t server_connected_window(const struct server *s)
{
	return 3 * s->conf->heartbeat_ms / 1000 + 5;
}

static void server_status(struct server *s, int64_t now)
{
	char line[256];

	if (s->watchdog_us && now >= s->next_watchdog_ms) {
		sd_notify(0, "WATCHDOG=1");
		s->next_watchdog_ms = now + (int64_t)(s->watchdog_us / 2000);
	}
	if (now < s->next_status_ms)
		return;
	s->next_status_ms = now + s->conf->status_interval_ms;
	server_stats_refresh(s);
	stats_tick(s->stats, now);
	stats_line(s->stats, line, sizeof line);
	sd_notifyf(0, "STATUS=%s", line);
	char *json = stats_json(s->stats, time(NULL), server_connected_window(s));
	if (json && s->db_up && writer_status(s->writer, &json) < 0)
		log_warn("cannot hand the status to the writer");
	free(json);
}

int server_run(struct server *s)
{
	while (!ingest_stopped(&s->ig)) {
		int64_t now = clock_mono_ms();
		long timeout = ingest_timeout_ms(&s->ig), zt = zapq_timeout_ms(&s->zapq, now);
		zmq_pollitem_t items[] = {
		    {s->router, 0, ZMQ_POLLIN, 0},
		    /*
		     * Authentication waits for the enrolments: answered
		     * before the first registry load (the moment after a
		     * restart, or while the database is down at start) every
		     * key would be refused, and libzmq never retries a refused
		     * handshake.  A handshake left waiting completes once the
		     * registry arrives, or times out and is retried.
		     */
		    {s->zap, 0, s->registry ? ZMQ_POLLIN : 0, 0},
		    {writer_socket(s->writer), 0, ZMQ_POLLIN, 0},
		    {NULL, s->sigfd, ZMQ_POLLIN, 0},
		    {sockmon_socket(s->mon), 0, ZMQ_POLLIN, 0},
		    {NULL, housekeeper_fd(s->housekeeper), s->settled ? 0 : ZMQ_POLLIN, 0},
		    {NULL, s->metrics ? metrics_fd(s->metrics) : -1, ZMQ_POLLIN, 0},
		};

		if (zt >= 0 && (timeout < 0 || zt < timeout))
			timeout = zt;

		if (zmq_poll(items, s->metrics ? 7 : 6, timeout) < 0) {
			if (zmq_errno() == EINTR)
				continue;
			log_err("poll: %s", zmq_strerror(zmq_errno()));
			return 1;
		}
		if (items[3].revents & ZMQ_POLLIN)
			server_signal(s);
		if (items[1].revents & ZMQ_POLLIN)
			zap_handle(s->zap, s->registry, s->conf->insecure, &s->zapq, now,
				   &s->zap_counts);
		if (items[2].revents & ZMQ_POLLIN)
			server_writer_event(s);
		if (items[4].revents & ZMQ_POLLIN)
			sockmon_handle(s->mon, clock_mono_ms(), &s->stats->accept_failures);
		if ((items[5].revents & ZMQ_POLLIN) && housekeeper_settled(s->housekeeper)) {
			s->settled = true;
			s->ig.db_up = s->db_up;
			server_ready(s);
		}
		if (s->metrics && (items[6].revents & ZMQ_POLLIN)) {
			server_stats_refresh(s);
			metrics_handle(s->metrics, s->stats, time(NULL),
				       server_connected_window(s));
		}
		/* A bounded number of messages per turn keeps commits and ZAP flowing. */
		for (int i = 0; i < 256 && (items[0].revents & ZMQ_POLLIN); i++) {
			int events;
			size_t elen = sizeof events;
			if (zmq_getsockopt(s->router, ZMQ_EVENTS, &events, &elen) < 0 ||
			    !(events & ZMQ_POLLIN))
				break;
			server_message(s);
		}
		now = clock_mono_ms();
		server_zap_tick(s, now);
		ingest_flush(&s->ig, clock_real_us());
		server_status(s, now);
		server_stop_tick(s, now);
	}
	log_info("stopped %lld ms after SIGTERM: %llu batches committed",
		 (long long)(clock_mono_ms() - s->ig.stop_ms),
		 (unsigned long long)s->stats->batches_committed);
	return 0;
}
