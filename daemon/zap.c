/*
 * zap: answers ZAP requests from the registry (see zap.h).
 *
 * Request frames: version "1.0", request id, domain, address, routing id,
 * mechanism, then the credentials (CURVE: the client's 32-byte public key).
 * Reply frames: version, request id, status code, status text, user id,
 * metadata.  Every frame is length-checked; a request libzmq itself sends is
 * well-formed, but nothing here assumes it.
 */
#include "zap.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <zmq.h>

#include "clock.h"
#include "log.h"

#define ZAP_FRAMES    8
#define ZAP_FRAME_MAX 256

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

static int zap_reply(void *sock, const struct zap_frame *request_id, const char *code,
		     const char *text, const char *user)
{
	if (zmq_send(sock, "1.0", 3, ZMQ_SNDMORE) < 0 ||
	    zmq_send(sock, request_id->data, request_id->len, ZMQ_SNDMORE) < 0 ||
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

int zap_handle(void *sock, const struct registry *reg, bool insecure, struct zap_counts *counts)
{
	struct zap_frame f[ZAP_FRAMES];
	static const struct zap_frame none = {0, ""};
	int n = zap_recv(sock, f);
	const struct store_collector *c = NULL;
	char key[64] = "";

	if (n < 0)
		return -1;
	if (n < 6 || f[0].len != 3 || memcmp(f[0].data, "1.0", 3) != 0) {
		counts->malformed++;
		zap_warn(counts, "ZAP: malformed request of %d frames refused", n);
		return zap_reply(sock, n >= 2 ? &f[1] : &none, "400", "malformed request", "");
	}
	const char *address = f[3].data, *mechanism = f[5].data;
	if (strcmp(mechanism, "CURVE") == 0 && n >= 7 && f[6].len == 32) {
		if (!zmq_z85_encode(key, (const uint8_t *)f[6].data, 32))
			key[0] = '\0';
		c = registry_by_key(reg, key);
	} else if (insecure && strcmp(mechanism, "NULL") == 0) {
		c = registry_by_name(reg, f[4].data);
		snprintf(key, sizeof key, "(none, id \"%.40s\")", f[4].data);
	} else {
		counts->malformed++;
		zap_warn(counts, "ZAP: peer %s: mechanism %s refused", address, mechanism);
		return zap_reply(sock, &f[1], "400", "mechanism not allowed", "");
	}
	if (!c) {
		counts->refused_unknown++;
		zap_warn(counts, "ZAP: peer %s: key %s is not enrolled: refused", address, key);
		return zap_reply(sock, &f[1], "400", "unknown key", "");
	}
	if (c->revoked) {
		counts->refused_revoked++;
		zap_warn(counts, "collector %s: peer %s: key revoked: refused", c->name, address);
		return zap_reply(sock, &f[1], "400", "revoked", "");
	}
	counts->accepted++;
	log_debug("collector %s: handshake from %s accepted", c->name, address);
	return zap_reply(sock, &f[1], "200", "OK", c->name);
}
