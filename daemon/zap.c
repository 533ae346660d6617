/*
 * zap: answers ZAP requests from the registry (see zap.h).
 *
 * Request frames, after the ROUTER's envelope (the ZAP client's routing id and
 * the empty delimiter libzmq sends first): version "1.0", request id, domain,
 * address, routing id, mechanism, then the credentials (CURVE: the client's
 * 32-byte public key).  Reply frames, after the same envelope: version,
 * request id, status code, status text, user id, metadata.  Every frame is length-checked; a
 * request libzmq itself sends is well-formed, but nothing here assumes it.
 */
#include "zap.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <zmq.h>

#include "clock.h"
#include "log.h"

/* the ROUTER's envelope (routing id, empty delimiter), then up to 7 request frames */
#define ZAP_FRAMES    9
#define ZAP_FRAME_MAX ZAPQ_ID_MAX

struct zap_frame {
	size_t len;
	char data[ZAP_FRAME_MAX + 1];
};

/* Receives the whole multipart request; returns the frame count, or -1 on socket error. */
static int zap_recv(void *sock, struct zap_frame *f)
{
	int n = 0, more = 1;

	while (more) {
		zmq_msg_t msg;
		zmq_msg_init(&msg);
		if (zmq_msg_recv(&msg, sock, 0) < 0) {
			zmq_msg_close(&msg);
			return -1;
		}
		more = zmq_msg_more(&msg);
		if (n < ZAP_FRAMES) {
			size_t len = zmq_msg_size(&msg);
			f[n].len = len > ZAP_FRAME_MAX ? ZAP_FRAME_MAX : len;
			memcpy(f[n].data, zmq_msg_data(&msg), f[n].len);
			f[n].data[f[n].len] = '\0';
		}
		n++;
		zmq_msg_close(&msg);
	}
	return n;
}

/* Answers the request of routing id rid: a reply to a peer that is gone is dropped by libzmq. */
static int zap_reply(void *sock, const void *rid, size_t rid_len, const void *reqid,
		     size_t reqid_len, const char *code, const char *text, const char *user)
{
	if (zmq_send(sock, rid, rid_len, ZMQ_SNDMORE) < 0 ||
	    zmq_send(sock, "", 0, ZMQ_SNDMORE) < 0 || zmq_send(sock, "1.0", 3, ZMQ_SNDMORE) < 0 ||
	    zmq_send(sock, reqid, reqid_len, ZMQ_SNDMORE) < 0 ||
	    zmq_send(sock, code, strlen(code), ZMQ_SNDMORE) < 0 ||
	    zmq_send(sock, text, strlen(text), ZMQ_SNDMORE) < 0 ||
	    zmq_send(sock, user, strlen(user), ZMQ_SNDMORE) < 0 || zmq_send(sock, "", 0, 0) < 0)
		return -1;
	return 0;
}

#define ZAP_WARN_PER_MINUTE 20

/* Logs a refusal unless this minute's share is used up (then counts it). */
static void zap_warn(struct zap_counts *counts, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void zap_warn(struct zap_counts *counts, const char *fmt, ...)
{
	uint64_t held;
	char msg[400];
	va_list ap;

	if (!ratelimit_allow(&counts->warn, clock_mono_ms(), 60000, ZAP_WARN_PER_MINUTE, &held))
		return;
	if (held)
		log_warn("ZAP: %llu more refusals held back in the last minute",
			 (unsigned long long)held);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	log_warn("%s", msg);
}

/* What the registry says of a request's key or id. */
static const struct store_collector *zap_find(const struct registry *reg, const struct zapq_req *r)
{
	return r->by_key ? registry_by_key(reg, r->who) : registry_by_name(reg, r->who);
}

/* The key or id as the log names it. */
static void zap_who(const struct zapq_req *r, char *buf, size_t size)
{
	if (r->by_key)
		snprintf(buf, size, "%s", r->who);
	else
		snprintf(buf, size, "(none, id \"%.40s\")", r->who);
}

/* Answers a request whose collector c (or NULL: not enrolled) is known; why_unknown, added to
 * the refusal of an unknown key, says how that was found out. */
static int zap_decide(void *sock, const struct zapq_req *r, const struct store_collector *c,
		      const char *why_unknown, struct zap_counts *counts)
{
	char who[64];

	if (!c) {
		counts->refused_unknown++;
		zap_who(r, who, sizeof who);
		zap_warn(counts, "ZAP: peer %s: key %s is not enrolled: refused%s", r->address, who,
			 why_unknown);
		return zap_reply(sock, r->rid, r->rid_len, r->reqid, r->reqid_len, "400",
				 "unknown key", "");
	}
	if (c->revoked) {
		counts->refused_revoked++;
		zap_warn(counts, "collector %s: peer %s: key revoked: refused", c->name,
			 r->address);
		return zap_reply(sock, r->rid, r->rid_len, r->reqid, r->reqid_len, "400", "revoked",
				 "");
	}
	counts->accepted++;
	log_debug("collector %s: handshake from %s accepted", c->name, r->address);
	return zap_reply(sock, r->rid, r->rid_len, r->reqid, r->reqid_len, "200", "OK", c->name);
}

int zap_handle(void *sock, const struct registry *reg, bool insecure, struct zapq *q,
	       int64_t now_ms, struct zap_counts *counts)
{
	struct zap_frame f[ZAP_FRAMES];
	struct zapq_req r;
	int n = zap_recv(sock, f);
	const struct store_collector *c = NULL;

	if (n < 0)
		return -1;
	/* libzmq's ZAP client sends an empty delimiter first; without it, nobody to answer */
	if (n < 2 || f[1].len != 0) {
		counts->malformed++;
		zap_warn(counts, "ZAP: request of %d frames without an envelope dropped", n);
		return 0;
	}
	memset(&r, 0, sizeof r);
	memcpy(r.rid, f[0].data, f[0].len);
	r.rid_len = f[0].len;
	if (n >= 4) {
		memcpy(r.reqid, f[3].data, f[3].len);
		r.reqid_len = f[3].len;
	}
	if (n < 8 || f[2].len != 3 || memcmp(f[2].data, "1.0", 3) != 0) {
		counts->malformed++;
		zap_warn(counts, "ZAP: malformed request of %d frames refused", n - 2);
		return zap_reply(sock, r.rid, r.rid_len, r.reqid, r.reqid_len, "400",
				 "malformed request", "");
	}
	const char *mechanism = f[7].data;
	snprintf(r.address, sizeof r.address, "%s", f[5].data);
	if (strcmp(mechanism, "CURVE") == 0 && n >= 9 && f[8].len == 32) {
		r.by_key = true;
		if (!zmq_z85_encode(r.who, (const uint8_t *)f[8].data, 32))
			r.who[0] = '\0';
	} else if (insecure && strcmp(mechanism, "NULL") == 0) {
		snprintf(r.who, sizeof r.who, "%s", f[6].data);
	} else {
		counts->malformed++;
		zap_warn(counts, "ZAP: peer %s: mechanism %s refused", r.address, mechanism);
		return zap_reply(sock, r.rid, r.rid_len, r.reqid, r.reqid_len, "400",
				 "mechanism not allowed", "");
	}
	c = zap_find(reg, &r);
	/* Unknown: perhaps enrolled a moment ago; the database is asked before refusing. */
	if (!c && q && *r.who) {
		if (zapq_park(q, &r, now_ms) == 0)
			return 0;
		return zap_decide(sock, &r, NULL, " (too many handshakes waiting for a look-up)",
				  counts);
	}
	return zap_decide(sock, &r, c, "", counts);
}

struct zap_settle_ctx {
	void *sock;
	const struct registry *reg;
	struct zap_counts *counts;
};

static enum zapq_look zap_look(void *ctx, const struct zapq_req *r)
{
	const struct zap_settle_ctx *z = ctx;
	const struct store_collector *c = zap_find(z->reg, r);

	return !c ? ZAPQ_ABSENT : c->revoked ? ZAPQ_REVOKED : ZAPQ_ENROLLED;
}

static void zap_answer(void *ctx, const struct zapq_req *r, enum zapq_verdict v)
{
	const struct zap_settle_ctx *z = ctx;
	const struct store_collector *c =
	    v == ZAPQ_ADMIT || v == ZAPQ_REFUSE_REVOKED ? zap_find(z->reg, r) : NULL;
	const char *why = v == ZAPQ_REFUSE_EXPIRED ? " (no answer from the database in time)"
						   : " (looked up in the database)";

	zap_decide(z->sock, r, c, why, z->counts);
}

void zap_settle(void *sock, struct zapq *q, const struct registry *reg, uint64_t gen,
		struct zap_counts *counts)
{
	struct zap_settle_ctx z = {sock, reg, counts};
	const struct zapq_ops ops = {&z, zap_look, zap_answer};

	zapq_registry(q, gen, &ops);
}

void zap_expire(void *sock, struct zapq *q, int64_t now_ms, struct zap_counts *counts)
{
	struct zap_settle_ctx z = {sock, NULL, counts};
	const struct zapq_ops ops = {&z, zap_look, zap_answer};

	zapq_expire(q, now_ms, &ops);
}
