/*
 * zap: chisod's ZeroMQ Authentication Protocol handler (RFC 27).
 *
 * libzmq 4.3 accepts any CURVE client when no handler is bound, so the
 * handler is bound before the ROUTER socket and checked at start.  A CURVE
 * client is admitted only if its public key is enrolled and not revoked; the
 * reply's User-Id is the collector id, which the main loop reads from every
 * message (zmq_msg_gets "User-Id"): identity comes from the handshake, never
 * from a message body.  In development mode (insecure, loopback only) there is
 * no key: the peer's routing id names the collector.
 *
 * The socket is a ROUTER, so that a request may be answered later: a key the
 * registry does not know is parked (zapq.h) until a fresh read of the
 * enrolments says whether it was enrolled a moment ago.  libzmq's handshake
 * waits for the answer meanwhile; the peer sees nothing of it but the delay.
 */
#ifndef CHISOD_ZAP_H
#define CHISOD_ZAP_H

#include <stdbool.h>
#include <stdint.h>

#include "ratelimit.h"
#include "registry.h"
#include "zapq.h"

#define ZAP_ENDPOINT "inproc://zeromq.zap.01"

struct zap_counts {
	uint64_t accepted;
	uint64_t refused_unknown;
	uint64_t refused_revoked;
	uint64_t malformed;
	/* refusals are logged at most ZAP_WARN_PER_MINUTE a minute (anyone may knock) */
	struct ratelimit warn;
};

/*
 * Reads one request from the ROUTER socket sock and answers it from reg; a
 * key (or development-mode id) reg does not know is parked in q for a
 * look-up (the caller then asks zapq_read_due), or refused at once if q is
 * NULL (the self-check, before any registry).  Returns 0, or -1 if the
 * socket failed (a malformed request is answered and counted, not an error).
 */
int zap_handle(void *sock, const struct registry *reg, bool insecure, struct zapq *q,
	       int64_t now_ms, struct zap_counts *counts);
/* Answers the parked requests reg settles; gen is the read generation of reg (zapq.h). */
void zap_settle(void *sock, struct zapq *q, const struct registry *reg, uint64_t gen,
		struct zap_counts *counts);
/* Refuses the parked requests that waited too long. */
void zap_expire(void *sock, struct zapq *q, int64_t now_ms, struct zap_counts *counts);

#endif
