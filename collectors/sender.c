/*
 * sender: the delivery loop of chiso-agent (see sender.h).
 *
 * In flight means "sent, no answer yet".  ZMQ_IMMEDIATE keeps messages from
 * queueing on a connection that does not exist yet, so a batch counts as sent
 * only when libzmq took it for a live peer; after a reconnect, batches whose
 * answer never came are resent at their timeout and the batch key makes the
 * second delivery harmless.
 *
 * libzmq gives up on a connection for good when its handshake fails (the
 * province's ZAP refused the key, say because chisod had just restarted and
 * not yet read its enrolments): a socket monitor sees that, and the sender
 * closes the socket and opens a new one after a growing, jittered pause.
 * Every new connection gets a HELLO and an immediate resend of the batches
 * still in flight.
 */
#include "sender.h"
#include "sender_impl.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "agentstate.h"
#include "batch.h"
#include "catalog.h"
#include "keys.h"
#include "clock.h"
#include "frame.h"
#include "log.h"
#include "plat.h"
#include "rejects.h"
#include "srvkey.h"
#include "wire.h"

#define SENDER_SCAN_MS 1000

/* A random share of base, so that agents spread out instead of retrying in step. */
int64_t sender_jitter(int64_t base)
{
	uint32_t r = 0;
	if (plat_random(&r, sizeof r) != 0)
		r = (uint32_t)time(NULL);
	return base ? (int64_t)(r % (uint32_t)base) : 0;
}

/* Logs a failure at level and keeps it (cut to fit) as the last error `status` shows. */
void sender_error(struct sender *s, enum log_level level, const char *fmt, ...)
{
	char msg[4400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	snprintf(s->st.last_error, sizeof s->st.last_error, "%s", msg);
	s->st.last_error_at = time(NULL);
	log_msg(level, "%s", msg);
}

static int sender_setint(void *sock, int opt, int v)
{
	return zmq_setsockopt(sock, opt, &v, sizeof v);
}

static int sender_socket(struct sender *s, char *err, size_t errsize)
{
	const struct agentconf *c = s->conf;
	int hb = (int)c->heartbeat_ms;

	s->dealer = zmq_socket(s->ctx, ZMQ_DEALER);
	if (!s->dealer || sender_setint(s->dealer, ZMQ_IMMEDIATE, 1) < 0 ||
	    sender_setint(s->dealer, ZMQ_LINGER, 0) < 0 ||
	    sender_setint(s->dealer, ZMQ_HEARTBEAT_IVL, hb) < 0 ||
	    sender_setint(s->dealer, ZMQ_HEARTBEAT_TIMEOUT, 3 * hb) < 0 ||
	    sender_setint(s->dealer, ZMQ_HEARTBEAT_TTL, 3 * hb) < 0 ||
	    sender_setint(s->dealer, ZMQ_RECONNECT_IVL,
			  (int)(c->reconnect_min_ms + sender_jitter(c->reconnect_min_ms))) < 0 ||
	    sender_setint(s->dealer, ZMQ_RECONNECT_IVL_MAX, (int)c->reconnect_max_ms) < 0 ||
	    sender_setint(s->dealer, ZMQ_TCP_KEEPALIVE, 1) < 0) {
		snprintf(err, errsize, "socket: %s", zmq_strerror(zmq_errno()));
		return -1;
	}
	if (c->insecure) {
		if (!*c->collector) {
			snprintf(err, errsize, "agent.insecure needs agent.collector");
			return -1;
		}
		zmq_setsockopt(s->dealer, ZMQ_ROUTING_ID, c->collector, strlen(c->collector));
		log_warn("DEVELOPMENT MODE (agent.insecure = true): no CURVE");
	} else {
		struct keypair kp;
		bool was_next = srvkey_is_next(&s->keys);
		if (keys_read_secret(c->secret_key_file, &kp, err, errsize) < 0 ||
		    srvkey_load(&s->keys, c->server_public_key_file, c->server_public_key_next_file,
				s->hs_refused, err, errsize) < 0)
			return -1;
		s->hs_refused = false;
		if (s->keys.next_err[0])
			log_warn("%s: set aside, using server.public_key_file only",
				 s->keys.next_err);
		if (srvkey_is_next(&s->keys) != was_next)
			log_info("trying the province's %s server key (%s)",
				 was_next ? "current" : "next",
				 was_next ? c->server_public_key_file
					  : c->server_public_key_next_file);
		if (zmq_setsockopt(s->dealer, ZMQ_CURVE_SERVERKEY, srvkey_chosen(&s->keys), 41) <
			0 ||
		    zmq_setsockopt(s->dealer, ZMQ_CURVE_PUBLICKEY, kp.public_key, 41) < 0 ||
		    zmq_setsockopt(s->dealer, ZMQ_CURVE_SECRETKEY, kp.secret_key, 41) < 0) {
			snprintf(err, errsize, "CURVE: %s", zmq_strerror(zmq_errno()));
			return -1;
		}
		memset(&kp, 0, sizeof kp);
	}
	char monep[64];
	snprintf(monep, sizeof monep, "inproc://chiso-agent-monitor-%u", ++s->mon_gen);
	if (zmq_socket_monitor(s->dealer, monep,
			       ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH |
				   ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |
				   ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL | ZMQ_EVENT_DISCONNECTED) <
		0 ||
	    (s->mon = zmq_socket(s->ctx, ZMQ_PAIR)) == NULL || zmq_connect(s->mon, monep) < 0) {
		snprintf(err, errsize, "socket monitor: %s", zmq_strerror(zmq_errno()));
		return -1;
	}
	if (zmq_connect(s->dealer, c->endpoint) < 0) {
		snprintf(err, errsize, "cannot connect to %s: %s", c->endpoint,
			 zmq_strerror(zmq_errno()));
		return -1;
	}
	return 0;
}

static void sender_close_socket(struct sender *s)
{
	if (s->dealer) {
		zmq_socket_monitor(s->dealer, NULL, 0);
		zmq_close(s->dealer);
		s->dealer = NULL;
	}
	if (s->mon) {
		zmq_close(s->mon);
		s->mon = NULL;
	}
}

struct sender *sender_new(const struct agentconf *conf, struct outbox *ob, char *err,
			  size_t errsize)
{
	struct sender *s = calloc(1, sizeof *s);

	if (!s || (s->fly = calloc((size_t)conf->window, sizeof *s->fly)) == NULL) {
		snprintf(err, errsize, "out of memory");
		free(s);
		return NULL;
	}
	s->conf = conf;
	s->ob = ob;
	s->limits = wire_default_limits;
	s->version = WIRE_VERSION_MAX;
	s->reopen_pause_ms = conf->reconnect_min_ms;
	agentstate_load(conf->outbox_dir, &s->st);
	/* Only a guess at the first key to try: srvkey uses it only if a key file holds it. */
	memcpy(s->keys.last, s->st.server_key, sizeof s->keys.last);
	if ((s->stop = plat_stop_new(err, errsize)) == NULL)
		goto fail;
	if ((s->ctx = zmq_ctx_new()) == NULL || sender_socket(s, err, errsize) < 0)
		goto fail;
	return s;
fail:
	sender_destroy(&s);
	return NULL;
}

void sender_destroy(struct sender **sp)
{
	struct sender *s;

	if (!sp || !*sp)
		return;
	s = *sp;
	agentstate_save(s->conf->outbox_dir, &s->st);
	sender_close_socket(s);
	if (s->ctx)
		zmq_ctx_term(s->ctx);
	plat_stop_destroy(&s->stop);
	free(s->fly);
	free(s->pending);
	free(s);
	*sp = NULL;
}

/* Sends one message; 0 if libzmq took it for a connected peer, -1 otherwise. */
static int sender_send(struct sender *s, enum wire_command cmd, const char *body, size_t len)
{
	return frame_send(s->dealer, NULL, 0, s->version, cmd, body, len, ZMQ_DONTWAIT);
}

struct inflight *sender_find(struct sender *s, uint64_t seq)
{
	for (size_t i = 0; i < s->nfly; i++)
		if (s->fly[i].seq == seq)
			return &s->fly[i];
	return NULL;
}

void sender_forget(struct sender *s, uint64_t seq)
{
	struct inflight *f = sender_find(s, seq);
	if (f)
		*f = s->fly[--s->nfly];
}

static void sender_transmit(struct sender *s, struct inflight *f, int64_t now)
{
	struct outbox_record *rec = NULL;
	char err[512];

	if (outbox_read(s->ob, f->seq, &rec, err, sizeof err) < 0) {
		sender_error(s, LOGL_WARNING, "outbox: %s", err);
		sender_forget(s, f->seq); /* moved to corrupt/ or gone: nothing to send */
		return;
	}
	if (s->max_body && rec->body_len > s->max_body) {
		/* Sent, it would be refused (or dropped with the connection) for ever. */
		sender_error(s, LOGL_ERR,
			     "batch %llu is %zu bytes, more than the %llu bytes the province "
			     "takes (its server.max_message_bytes): it stays in the outbox",
			     (unsigned long long)f->seq, (size_t)rec->body_len,
			     (unsigned long long)s->max_body);
		f->sent_ms = now; /* said again after resend_timeout_ms, not at every turn */
	} else if (sender_send(s, WIRE_BATCH, rec->body, rec->body_len) == 0) {
		f->sent_ms = now;
		f->epoch = rec->epoch;
		log_debug("sent batch %llu (%zu rows)", (unsigned long long)f->seq,
			  (size_t)rec->nrows);
	}
	outbox_record_destroy(&rec);
}

/* Keeps the window full and resends what timed out; sends only once the connection's WELCOME came,
 * since a batch is tagged with the version the WELCOME answered. */
static void sender_pump(struct sender *s, int64_t now)
{
	if (now >= s->next_scan_ms) {
		free(s->pending);
		s->pending = NULL;
		s->npending = 0;
		if (outbox_list(s->ob, &s->pending, &s->npending) < 0)
			sender_error(s, LOGL_WARNING, "outbox: %s", "cannot list pending batches");
		s->next_scan_ms = now + SENDER_SCAN_MS;
	}
	for (size_t i = 0; i < s->npending && s->nfly < (size_t)s->conf->window; i++) {
		if (sender_find(s, s->pending[i]))
			continue;
		s->fly[s->nfly++] = (struct inflight){.seq = s->pending[i]};
	}
	for (size_t i = 0; s->welcomed && i < s->nfly; i++) {
		struct inflight *f = &s->fly[i];
		if (now < f->not_before_ms)
			continue;
		if (f->sent_ms == 0 || now - f->sent_ms >= s->conf->resend_timeout_ms)
			sender_transmit(s, f, now);
	}
}

/*
 * The WELCOME to our HELLO, of the version it was tagged with.  Version 2's
 * unit and periods are kept durably beside the catalogue (agentstate.h), so
 * that the form shows the deadlines offline; a version 1 WELCOME (an older
 * province server) leaves what an earlier one said.  Then the catalogue is
 * asked for, and batches may go.
 */
static void sender_welcome(struct sender *s, int version, const char *body, size_t len)
{
	struct wire_welcome w;
	char err[256];

	if (wire_welcome_decode(body, len, &s->limits, version, &w, err, sizeof err) < 0) {
		sender_error(s, LOGL_WARNING, "the province's WELCOME is not valid: %s", err);
		return;
	}
	if (version >= 2 &&
	    agentstate_file_save(s->conf->outbox_dir, "welcome.json", body, len) < 0)
		sender_error(s, LOGL_WARNING, "cannot keep the deadlines in %s/welcome.json: %s",
			     s->conf->outbox_dir, strerror(errno));
	if (!s->welcomed)
		sender_send(s, WIRE_CATALOG, "{}", 2);
	s->welcomed = true;
	s->max_body = w.max_body;
	snprintf(s->st.collector, sizeof s->st.collector, "%s", w.collector);
	snprintf(s->st.scope, sizeof s->st.scope, "%s", w.scope);
	snprintf(s->st.catalog_version, sizeof s->st.catalog_version, "%s", w.catalog_version);
	log_info("connected to %s as collector %s (unit %s)", w.server, w.collector, w.scope);
}

/* Keeps the province's catalogue so that `submit` can check rows before queueing. */
static void sender_catalog(struct sender *s, const char *body, size_t len)
{
	char err[512];
	struct catalog *c = catalog_from_json(body, len, err, sizeof err);

	if (!c) {
		sender_error(s, LOGL_WARNING, "the province's catalogue is not valid: %s", err);
		return;
	}
	if (agentstate_file_save(s->conf->outbox_dir, "catalog.json", body, len) < 0)
		sender_error(s, LOGL_WARNING, "cannot keep the catalogue in %s/catalog.json: %s",
			     s->conf->outbox_dir, strerror(errno));
	log_debug("catalogue %s saved (%zu indicators)", c->version, c->nindicators);
	catalog_destroy(&c);
}

/*
 * An ERROR unsupported_version to our HELLO of version 2: the province runs a
 * chisod older than version 2 (docs/protocol.md §9).  This connection speaks
 * version 1 from now on: the HELLO again, and then the batches, which waited
 * for a WELCOME; the next connection tries version 2 again.
 */
static void sender_fall_back(struct sender *s, const char *why)
{
	log_info("the province speaks protocol %s only (%s): this connection uses it, without "
		 "deadlines from the province",
		 WIRE_PROTOCOL, why);
	s->version = 1;
	s->fell_back = true;
	s->greeted = false;
	s->welcomed = false;
}

/* What sender_dispatch needs besides the message. */
struct sender_rx {
	struct sender *s;
	int64_t now;
};

/* Acts on one message from the province (frame_recv's callback). */
static void sender_dispatch(const struct frame_in *in, void *ctx)
{
	struct sender *s = ((struct sender_rx *)ctx)->s;
	int64_t now = ((struct sender_rx *)ctx)->now;

	s->st.last_contact = time(NULL);
	/* Messages that break the framing, and commands newer than this agent, are ignored. */
	if (in->status == FRAME_OK) {
		const char *data = in->body;
		size_t len = in->len;
		switch (in->cmd) {
		case WIRE_ACK:
			sender_ack(s, data, len);
			break;
		case WIRE_RETRY:
			sender_retry(s, data, len, now);
			break;
		case WIRE_WELCOME:
			sender_welcome(s, in->version, data, len);
			break;
		case WIRE_CATALOG:
			sender_catalog(s, data, len);
			break;
		case WIRE_ERROR: {
			struct wire_error e;
			char err[256];
			if (wire_error_decode(data, len, &s->limits, &e, err, sizeof err) == 0) {
				const char *revoked = wire_error_code_name(WIRE_ERR_REVOKED);
				const char *version =
				    wire_error_code_name(WIRE_ERR_UNSUPPORTED_VERSION);
				if (strcmp(e.code, version) == 0 && s->version > 1) {
					sender_fall_back(s, e.message);
				} else if (strcmp(e.code, version) == 0 && s->fell_back &&
					   !s->welcomed) {
					/* The answer to a version 2 message sent before the
					   fall-back (two HELLOs cross a new connection's
					   monitor event); the version 1 HELLO's WELCOME comes
					   after it, in order. */
					log_debug("a refusal of a version 2 message sent before "
						  "the fall-back: %s",
						  e.message);
				} else if (strcmp(e.code, version) == 0) {
					/* Version 1 is spoken by every province server, so
					   something between (a proxy) rewrote the tag:
					   resending cannot help. */
					sender_error(s, LOGL_ERR,
						     "the province does not speak this agent's "
						     "protocol %s (%s): stopping; check what "
						     "stands between this machine and the province",
						     WIRE_PROTOCOL, e.message);
					s->refused = true;
				} else {
					sender_error(s, LOGL_WARNING,
						     "the province refused a message: %s",
						     e.message);
					s->refused = s->refused || strcmp(e.code, revoked) == 0;
				}
			}
			break;
		}
		default:
			break; /* PONG */
		}
	}
}

/* Reads one message from the province and acts on it. */
static void sender_message(struct sender *s, int64_t now)
{
	struct sender_rx rx = {s, now};

	frame_recv(s->dealer, false, 0, sender_dispatch, &rx);
}

/* The next server key the files hold now ("" for none; never with agent.insecure). */
static void sender_next_key(const struct sender *s, char out[KEYS_Z85_LEN + 1])
{
	out[0] = '\0';
	if (!s->conf->insecure)
		srvkey_peek_next(s->conf->server_public_key_file,
				 s->conf->server_public_key_next_file, out);
}

/*
 * Greets the province (the catalogue is asked for on its WELCOME); 0 once sent, -1 while
 * unconnected.  The agent string names the first 8 characters of the next server key the
 * agent holds, so that the province's log shows who is ready for a rotation of its key
 * (the field is free text: no protocol change).
 */
static int sender_hello(struct sender *s)
{
	struct outbox_stats st;
	struct wire_hello h = {0};
	int rc = -1;

	outbox_stats(s->ob, &st);
	sender_next_key(s, s->hello_next);
	if (s->hello_next[0])
		snprintf(h.agent, sizeof h.agent, "chiso-agent %s next-key %.8s", CHISO_VERSION,
			 s->hello_next);
	else
		snprintf(h.agent, sizeof h.agent, "chiso-agent %s", CHISO_VERSION);
	h.epoch = st.epoch;
	h.backlog_batches = st.pending_batches;
	h.backlog_rows = st.pending_rows;
	char *body = wire_hello_encode(&h);
	if (body && sender_send(s, WIRE_HELLO, body, strlen(body)) == 0)
		rc = 0;
	free(body);
	return rc;
}

/* Tells the province the backlog, and greets it again when the next server key held changed. */
static void sender_ping(struct sender *s)
{
	struct outbox_stats st;
	struct wire_ping p = {0};
	char next[KEYS_Z85_LEN + 1];

	outbox_stats(s->ob, &st);
	p.backlog_batches = st.pending_batches;
	p.backlog_rows = st.pending_rows;
	if (st.pending_batches && st.oldest_created)
		p.oldest_age_s = (uint64_t)(time(NULL) - st.oldest_created);
	char *body = wire_ping_encode(&p);
	if (body) {
		sender_send(s, WIRE_PING, body, strlen(body));
		free(body);
	}
	/* A next key copied in (or removed) while connected: say so now, not at a reconnection. */
	sender_next_key(s, next);
	if (strcmp(next, s->hello_next) != 0)
		sender_hello(s);
}

/*
 * The connection ended (or a new socket replaces it): the next one is greeted
 * again, tries version 2 again, and resends at once what had no answer.  Done
 * when a connection ends, not when the next one's handshake is reported: with
 * ZMQ_IMMEDIATE the HELLO leaves as soon as the new connection exists, often
 * before the monitor's event is read, and a reset then sent a second HELLO on
 * the same connection (seen under wine's timing by test_sender).
 */
static void sender_connection_reset(struct sender *s)
{
	s->greeted = false;
	s->welcomed = false;
	s->version = WIRE_VERSION_MAX;
	s->fell_back = false;
	for (size_t i = 0; i < s->nfly; i++)
		if (s->fly[i].not_before_ms == 0)
			s->fly[i].sent_ms = 0;
}

/* Reads one monitor event (two frames: event and value, endpoint). */
static void sender_monitor(struct sender *s, int64_t now)
{
	uint8_t head[6];
	char addr[256];
	int n = zmq_recv(s->mon, head, sizeof head, ZMQ_DONTWAIT);
	int more = 0;
	size_t len = sizeof more;

	if (n < 0)
		return;
	if (zmq_getsockopt(s->mon, ZMQ_RCVMORE, &more, &len) == 0 && more)
		zmq_recv(s->mon, addr, sizeof addr - 1, 0);
	if (n < 2)
		return;
	uint16_t event;
	memcpy(&event, head, sizeof event);
	if (event == ZMQ_EVENT_HANDSHAKE_SUCCEEDED) {
		if (srvkey_is_next(&s->keys) && !s->next_said) {
			s->next_said = true;
			log_warn("connected with the province's next server key (%s): the province "
				 "has switched to it; copy that file over %s when convenient",
				 s->conf->server_public_key_next_file,
				 s->conf->server_public_key_file);
		}
		memcpy(s->st.server_key, srvkey_chosen(&s->keys), sizeof s->st.server_key);
		s->reopen_pause_ms = s->conf->reconnect_min_ms;
		return;
	}
	if (event == ZMQ_EVENT_DISCONNECTED) {
		sender_connection_reset(s);
		return;
	}
	/* A refused handshake: libzmq will not try this socket again. */
	s->refusals++;
	s->hs_refused = true;
	if (s->reopen_at_ms == 0) {
		int64_t pause = s->reopen_pause_ms + sender_jitter(s->reopen_pause_ms);
		s->reopen_at_ms = now + pause;
		if (s->reopen_pause_ms < s->conf->reconnect_max_ms / 2)
			s->reopen_pause_ms *= 2;
		else
			s->reopen_pause_ms = s->conf->reconnect_max_ms;
		if ((s->refusals & (s->refusals - 1)) == 0) {
			char why[200];
			if (event == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH)
				snprintf(why, sizeof why,
					 "the province refused this agent's key (%llu times so "
					 "far): is it enrolled and not revoked? trying again",
					 (unsigned long long)s->refusals);
			else
				snprintf(why, sizeof why,
					 "the connection broke during its handshake (%llu times so "
					 "far); trying again",
					 (unsigned long long)s->refusals);
			sender_error(s, LOGL_WARNING, "%s", why);
		}
	}
}

/* Replaces a socket whose handshake was refused. */
static void sender_reopen(struct sender *s)
{
	char err[256];

	sender_close_socket(s);
	s->reopen_at_ms = 0;
	if (sender_socket(s, err, sizeof err) < 0) {
		sender_error(s, LOGL_WARNING, "cannot open a new connection: %s", err);
		sender_close_socket(s);
		s->reopen_at_ms = clock_mono_ms() + s->conf->reconnect_max_ms;
		return;
	}
	sender_connection_reset(s);
}

/* Whether everything in flight waits for room to write its refused rows. */
static bool sender_all_blocked(const struct sender *s)
{
	for (size_t i = 0; i < s->nfly; i++)
		if (!s->fly[i].blocked)
			return false;
	return s->nfly > 0;
}

void sender_set_tick(struct sender *s, void (*fn)(void *arg, int64_t now_ms), void *arg)
{
	s->tick = fn;
	s->tick_arg = arg;
}

int sender_run(struct sender *s, bool until_empty, long long timeout_ms)
{
	int64_t start = clock_mono_ms(), now;
	int rc = 0;

	for (;;) {
		now = clock_mono_ms();
		if (timeout_ms && now - start >= timeout_ms) {
			rc = s->nfly || s->npending ? 1 : 0;
			break;
		}
		if (s->refused) {
			rc = 2;
			break;
		}
		if (s->reopen_at_ms && now >= s->reopen_at_ms)
			sender_reopen(s);
		if (!s->dealer) { /* no socket until the reopen works */
			plat_sleep_ms(200);
			continue;
		}
		/* With ZMQ_IMMEDIATE the HELLO only leaves once a connection exists. */
		if (!s->greeted && sender_hello(s) == 0) {
			s->greeted = true;
			s->hello_ms = now;
			s->next_ping_ms = now + s->conf->ping_interval_ms;
		}
		/* A HELLO without answer (lost with a connection) is sent again. */
		if (s->greeted && !s->welcomed && now - s->hello_ms >= s->conf->resend_timeout_ms)
			s->greeted = false;
		sender_pump(s, now);
		if (s->welcomed && now >= s->next_ping_ms) {
			sender_ping(s);
			s->next_ping_ms = now + s->conf->ping_interval_ms;
		}
		if (now >= s->next_state_ms) {
			agentstate_save(s->conf->outbox_dir, &s->st);
			s->next_state_ms = now + 2000;
		}
		if (s->tick)
			s->tick(s->tick_arg, now);
		if (until_empty && s->nfly == 0 && s->npending == 0)
			break;
		if (until_empty && sender_all_blocked(s)) {
			log_err(
			    "ổ đĩa đầy: %zu lô có dòng bị từ chối chưa ghi được vẫn nằm trong "
			    "hàng đợi %s; hãy giải phóng chỗ trống rồi chạy lại `chiso-agent run`",
			    s->nfly, s->conf->outbox_dir);
			rc = 1;
			break;
		}
		/* Without a descriptor to poll, a stop is looked for at every turn (200 ms at
		 * most). */
		int stop_fd = plat_stop_fd(s->stop);
		zmq_pollitem_t items[] = {{s->dealer, 0, ZMQ_POLLIN, 0},
					  {s->mon, 0, ZMQ_POLLIN, 0},
					  {NULL, stop_fd, ZMQ_POLLIN, 0}};
		if (zmq_poll(items, stop_fd >= 0 ? 3 : 2, 200) < 0 && zmq_errno() != EINTR)
			break;
		if (items[1].revents & ZMQ_POLLIN)
			sender_monitor(s, clock_mono_ms());
		if ((stop_fd < 0 || (items[2].revents & ZMQ_POLLIN)) &&
		    plat_stop_requested(s->stop)) {
			log_info("stopping; %zu batches stay in the outbox for next time",
				 s->npending);
			break;
		}
		for (int i = 0; i < 256; i++) {
			int events;
			size_t elen = sizeof events;
			if (zmq_getsockopt(s->dealer, ZMQ_EVENTS, &events, &elen) < 0 ||
			    !(events & ZMQ_POLLIN))
				break;
			sender_message(s, clock_mono_ms());
		}
	}
	agentstate_save(s->conf->outbox_dir, &s->st);
	return rc;
}
