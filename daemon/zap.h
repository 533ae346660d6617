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
 */
#ifndef CHISOD_ZAP_H
#define CHISOD_ZAP_H

#include <stdbool.h>
#include <stdint.h>

#include "ratelimit.h"
#include "registry.h"

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
 * Reads one request from the REP socket sock and answers it.  Returns 0, or -1
 * if the socket failed (a malformed request is answered and counted, not an error).
 */
int zap_handle(void *sock, const struct registry *reg, bool insecure, struct zap_counts *counts);

#endif
