/*
 * sender: `chiso-agent run`, delivering the outbox to the province.
 *
 * A DEALER socket with CURVE connects to chisod.  Up to agent.window batches
 * are in flight; each stays in the outbox until its ACK, and is sent again
 * when no answer came within agent.resend_timeout_ms, or after the pause a
 * RETRY asked for (plus random jitter, so that a hundred agents do not retry
 * in step).  ACKs may list refused rows: they are written beside the input
 * file, durably, before the batch leaves the outbox; when they cannot be (a
 * full disk) the batch stays and is asked again after the resend timeout.  With until_empty the
 * loop ends once the outbox is empty, which is how the demo and a scheduled one-shot agent use it.
 */
#ifndef CHISO_SENDER_H
#define CHISO_SENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "agentconf.h"
#include "outbox.h"

struct sender;

/* Sets up keys and the socket; NULL with err on a start-up failure. */
struct sender *sender_new(const struct agentconf *conf, struct outbox *ob, char *err,
			  size_t errsize);
/*
 * Runs until SIGTERM/SIGINT, or with until_empty until nothing is pending, or
 * until timeout_ms (0 = none) passes.  Returns 0 when stopped or emptied, 1 on
 * timeout with batches still pending or, with until_empty, when every batch in
 * flight waits for room to write its refused rows; 2 when the province refuses
 * this agent (revoked, or ERROR unsupported_version to version 1, which every province server
 * speaks).  The agent speaks protocol version 2 and falls back to version 1 for the rest of a
 * connection when the province answers version 2 with ERROR unsupported_version (an older
 * chisod); the WELCOME of version 2 is kept in agentstate (agentstate_welcome).
 */
int sender_run(struct sender *s, bool until_empty, long long timeout_ms);
/*
 * Has sender_run call fn(arg, now_ms) on every turn of its loop (a few times a
 * second, now_ms on the monotonic clock), between deliveries: the drop folder
 * submits there, into the outbox the sender reads.  fn and arg are borrowed.
 */
void sender_set_tick(struct sender *s, void (*fn)(void *arg, int64_t now_ms), void *arg);
/* Frees everything and sets *sp to NULL; safe on NULL. */
void sender_destroy(struct sender **sp);

#endif
