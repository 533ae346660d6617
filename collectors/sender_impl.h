/*
 * sender_impl.h: what the sender's two files share (not part of the API):
 * sender.c (the connection, the window, HELLO and WELCOME, the loop) and
 * sender_answer.c (what the province answered to a batch: ACK, RETRY, a key
 * used twice).
 */
#ifndef CHISO_SENDER_IMPL_H
#define CHISO_SENDER_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "agentconf.h"
#include "agentstate.h"
#include "keys.h"
#include "log.h"
#include "outbox.h"
#include "plat.h"
#include "srvkey.h"
#include "wire.h"

struct inflight {
	uint64_t seq;
	uint64_t epoch;	 /* of the record as last sent; its answers carry it (0: not sent) */
	int64_t sent_ms; /* 0: not sent yet (waiting for a RETRY pause) */
	int64_t not_before_ms;
	bool blocked; /* its refused rows could not be written: kept, asked again later */
};

struct sender {
	const struct agentconf *conf;
	struct outbox *ob;
	void *ctx, *dealer;
	void *mon;			   /* PAIR socket receiving the dealer's monitor events */
	unsigned mon_gen;		   /* each socket gets its own monitor endpoint */
	int64_t reopen_at_ms;		   /* 0, or when to replace a refused socket */
	int64_t reopen_pause_ms;	   /* the pause before the next replacement */
	uint64_t refusals;		   /* handshakes refused, for rate-limited warnings */
	struct srvkey keys;		   /* the province's current and next server keys */
	bool hs_refused;		   /* the last handshake was refused: try the other key */
	bool next_said;			   /* the switch to the next key was logged */
	char hello_next[KEYS_Z85_LEN + 1]; /* the next server key the last HELLO named, or "" */
	bool greeted;			   /* HELLO sent on the current connection */
	bool welcomed;		/* its WELCOME came: batches, PINGs and CATALOG may follow */
	int64_t hello_ms;	/* when the HELLO was sent; sent again if unanswered */
	int version;		/* the protocol version spoken on this connection (2, or 1) */
	bool fell_back;		/* this connection went down to version 1: a late refusal of a
				   version 2 message is stale */
	struct plat_stop *stop; /* SIGTERM, SIGINT (or the service manager) */
	struct inflight *fly;
	size_t nfly;
	uint64_t *pending;
	size_t npending;
	int64_t next_scan_ms, next_ping_ms, next_state_ms;
	struct agentstate st;
	uint64_t max_body; /* the largest body the province takes (WELCOME); 0: not known yet */
	bool refused;	   /* the province refused this agent (revoked, another protocol version) */
	struct wire_limits limits;
	void (*tick)(void *arg, int64_t now_ms); /* sender_set_tick, or NULL */
	void *tick_arg;
};

/* A random share of base, so that agents spread out instead of retrying in step. */
int64_t sender_jitter(int64_t base);
/* Logs a failure at level and keeps it (cut to fit) as the last error `status` shows. */
PLAT_PRINTF(3, 4) void sender_error(struct sender *s, enum log_level level, const char *fmt, ...);
/* The batch in flight under seq, or NULL. */
struct inflight *sender_find(struct sender *s, uint64_t seq);
/* Drops seq from the window. */
void sender_forget(struct sender *s, uint64_t seq);

/* An ACK from the province (sender_answer.c). */
void sender_ack(struct sender *s, const char *body, size_t len);
/* A RETRY from the province: the batch waits the pause it names, jittered. */
void sender_retry(struct sender *s, const char *body, size_t len, int64_t now);

#endif
