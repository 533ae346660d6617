/*
 * zapq: the ZAP requests waiting for a fresh read of the enrolments.
 *
 * A key enrolled by `chisoctl collector add` must be usable at once, but the
 * registry in memory learns of it only when PostgreSQL's notification reaches
 * the writer thread, which may be inside a commit; and libzmq never retries a
 * refused handshake.  So a request with a key (or, in development mode, an id)
 * the registry does not know is parked here and a read of the collectors is
 * asked for; it is answered from the first registry that knows the key, or
 * refused from the first read that began after it was parked and still does
 * not know it.  Everything is bounded, since anyone may knock: ZAPQ_MAX
 * parked (beyond: refused at once), one read in flight, at most
 * ZAPQ_READS_PER_S reads a second, and a request parked ZAPQ_WAIT_MS (the
 * database down, the writer stuck) is refused.
 *
 * Generations tie a read to the requests it may refuse: a parked request
 * needs the generation that the next read to be asked for will carry; a read
 * asked for carries that number and the next one is incremented; a registry
 * that comes back with generation g may refuse the requests that need g or
 * less.  A registry loaded for another reason (notification, timer, SIGHUP)
 * carries generation 0: it admits what it knows and refuses nothing unknown.
 * No sockets and no clock here: the caller gives the time and does the I/O.
 */
#ifndef CHISOD_ZAPQ_H
#define CHISOD_ZAPQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ratelimit.h"

#define ZAPQ_MAX	 64
#define ZAPQ_WAIT_MS	 5000
#define ZAPQ_READS_PER_S 5
#define ZAPQ_ID_MAX	 256

struct zapq_req {
	unsigned char rid[ZAPQ_ID_MAX]; /* the ZAP client's routing id (reply envelope) */
	size_t rid_len;
	unsigned char reqid[ZAPQ_ID_MAX]; /* the request id, echoed in the reply */
	size_t reqid_len;
	char who[64];	  /* what the registry is asked: a Z85 key, or a collector id */
	bool by_key;	  /* who is a key (CURVE), else an id (development mode) */
	char address[64]; /* the peer's address, for the log */
	/* set by zapq_park */
	int64_t parked_ms;
	uint64_t gen; /* the read generation that may refuse it */
};

/* What a registry says of a request's key or id. */
enum zapq_look {
	ZAPQ_ABSENT,   /* not enrolled (as far as this registry knows) */
	ZAPQ_ENROLLED, /* enrolled and not revoked */
	ZAPQ_REVOKED,
};

/* The answer given to a parked request. */
enum zapq_verdict {
	ZAPQ_ADMIT, /* enrolled, not revoked */
	ZAPQ_REFUSE_REVOKED,
	ZAPQ_REFUSE_UNKNOWN, /* a read begun after the request did not know it */
	ZAPQ_REFUSE_EXPIRED, /* no read answered within ZAPQ_WAIT_MS */
};

/* How a registry is asked, and where answers go (both with the caller's ctx). */
struct zapq_ops {
	void *ctx;
	enum zapq_look (*look)(void *ctx, const struct zapq_req *r);
	void (*answer)(void *ctx, const struct zapq_req *r, enum zapq_verdict v);
};

struct zapq {
	struct zapq_req req[ZAPQ_MAX];
	size_t n;
	uint64_t next_gen;     /* the generation the next read will carry (from 1) */
	bool inflight;	       /* a read was asked for and has not come back */
	uint64_t inflight_gen; /* its generation */
	struct ratelimit reads;
	/* counters */
	uint64_t parked, overflow, admitted_after_read, refused_after_read, expired;
};

/* Makes q empty, ready for use. */
void zapq_init(struct zapq *q);
/*
 * Parks a copy of *r at now_ms.  0, or -1 if ZAPQ_MAX are parked already
 * (counted in overflow: the caller refuses it as unknown at once).
 */
int zapq_park(struct zapq *q, const struct zapq_req *r, int64_t now_ms);
/*
 * True if a read must be asked for now (a parked request needs a generation
 * not yet asked for, none is in flight, and the rate allows); then *gen is
 * its generation and the read counts as in flight.
 */
bool zapq_read_due(struct zapq *q, int64_t now_ms, uint64_t *gen);
/* The read of generation gen failed or could not be asked for: none is in flight. */
void zapq_read_failed(struct zapq *q, uint64_t gen);
/*
 * A registry has arrived, read as generation gen (0: loaded for another
 * reason).  Answers through ops every parked request it knows, and refuses
 * as unknown those it does not know if its read began after they were parked.
 */
void zapq_registry(struct zapq *q, uint64_t gen, const struct zapq_ops *ops);
/* Refuses (ZAPQ_REFUSE_EXPIRED) the requests parked ZAPQ_WAIT_MS or more before now_ms. */
void zapq_expire(struct zapq *q, int64_t now_ms, const struct zapq_ops *ops);
/*
 * Milliseconds until zapq_expire or zapq_read_due has something to do, 0 if
 * it has now, -1 if nothing is parked.
 */
long zapq_timeout_ms(const struct zapq *q, int64_t now_ms);

#endif
