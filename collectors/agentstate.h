/*
 * agentstate: what `chiso-agent run` last knew, for `chiso-agent status`.
 *
 * A small key=value file in the outbox directory, replaced atomically
 * (write, fsync, rename) so that a reader never sees half of it: the last
 * acknowledgement, the last error, totals, and what the province said in its
 * WELCOME (collector id, scope, catalogue version), and which server key
 * worked last, so that an agent restarted after a rotation of the province's
 * key starts with the key that works.
 *
 * Beside it, replaced the same way, what the officer's form needs offline
 * after one contact: the province's catalogue (catalog.json) and its last
 * WELCOME of protocol version 2 (welcome.json: the unit's tier and the open
 * periods with their deadlines), each the body as the province sent it.
 */
#ifndef CHISO_AGENTSTATE_H
#define CHISO_AGENTSTATE_H

#include <stdint.h>

#include "catalog.h"
#include "wire.h"

struct agentstate {
	int64_t last_ack;     /* unix seconds, 0 = never */
	int64_t last_contact; /* last message from the province */
	int64_t last_error_at;
	char last_error[240];
	uint64_t acked_batches, acked_rows, rejected_rows, duplicate_acks, retries;
	uint64_t rekeyed_batches; /* refused as key_reused and sent again under a new key */
	char collector[65];
	char scope[17];
	char catalog_version[65];
	char server_key[41]; /* the server key of the last handshake that worked (srvkey) */
};

/* Reads dir/agent.state; a missing file gives zeros.  0, or -1 if unreadable. */
int agentstate_load(const char *dir, struct agentstate *st);
/* Writes dir/agent.state atomically; 0 or -1. */
int agentstate_save(const char *dir, const struct agentstate *st);
/* Replaces dir/name with text[0..len) atomically and durably (write, fsync, rename); 0 or -1. */
int agentstate_file_save(const char *dir, const char *name, const char *text, size_t len);
/*
 * The last WELCOME of version 2 `run` kept in dir/welcome.json, decoded into *w
 * (w->version 2); 0, or -1 when there is none or it does not decode (an agent
 * that never met a version 2 server: no deadlines, every indicator expected).
 */
int agentstate_welcome(const char *dir, struct wire_welcome *w);

/* The province's catalogue as the last `run` saved it in dir/catalog.json, or NULL; the caller's.
 */
struct catalog *agentstate_catalog(const char *dir);

#endif
