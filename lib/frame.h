/*
 * frame: the ZeroMQ framing of protocol versions 1 and 2, the one place that
 * sends and receives a message (docs/protocol.md; wire.h encodes the bodies).
 *
 * A message is three frames: the tag "CHISO/1" or "CHISO/2", a command in capitals and a
 * JSON body; on a ROUTER socket the peer's routing id comes first.  The
 * receive side takes untrusted frames: it checks their count, the tag, the
 * command and the body's size before anyone reads the body, says what was
 * wrong in one line, and reads and drops any frames beyond the expected ones,
 * so a hostile peer costs a counter, never a crash or a desynchronised socket.
 */
#ifndef CHISO_FRAME_H
#define CHISO_FRAME_H

#include <stdbool.h>
#include <stddef.h>

#include "wire.h"

/* Frames kept of one message: routing id, tag, command, body. */
#define FRAME_MAX 4

/* What the receive side found, in the order it checks. */
enum frame_status {
	FRAME_OK,
	FRAME_BAD_COUNT,       /* not exactly tag, command, body */
	FRAME_BAD_TAG,	       /* the first frame is not a protocol tag at all */
	FRAME_BAD_VERSION,     /* a tag "CHISO/..." of a version we do not speak */
	FRAME_UNKNOWN_COMMAND, /* a command this version does not know */
	FRAME_TOO_BIG,	       /* the body is over the caller's limit */
};

/* One frame as received: bytes borrowed from the socket's message. */
struct frame_part {
	const void *data;
	size_t len;
};

/*
 * A message as the receive side hands it to its callback.  Every pointer is
 * borrowed and valid only during the callback: the frames are closed after it.
 */
struct frame_in {
	enum frame_status status;
	char err[160];	 /* why status is not FRAME_OK, one printable line; "" when it is */
	int nframes;	 /* frames after the routing id, extra ones counted */
	int version;	 /* the tag's version, 1 .. WIRE_VERSION_MAX; 0 before or without one */
	const void *rid; /* ROUTER: the peer's routing id; DEALER: NULL */
	size_t rid_len;
	const char *user; /* the ZAP User-Id of the message ("" if none) */
	int cmd;	  /* an enum wire_command, or -1 if status is before it */
	const char *body; /* the body frame when status is FRAME_OK or FRAME_TOO_BIG */
	size_t len;
};

/* Called once per message received; in and what it points to are borrowed. */
typedef void (*frame_fn)(const struct frame_in *in, void *ctx);

/*
 * Sends one message on sock: rid (ROUTER sockets; NULL on a DEALER), the tag
 * of version (wire_tag: 1 .. WIRE_VERSION_MAX), cmd's name and body[0..len).
 * flags is 0 or ZMQ_DONTWAIT.  Returns 0 once libzmq took the first frame (the
 * rest of a multipart message then follows atomically), -1 if it did not (no
 * peer, full queue: zmq_errno() says).
 */
int frame_send(void *sock, const void *rid, size_t rid_len, int version, enum wire_command cmd,
	       const char *body, size_t len, int flags);

/*
 * Checks the n frames of one message (parts[0] the routing id when router;
 * parts holds the first n or FRAME_MAX of them, whichever is fewer) against the protocol and a body
 * limit of max_body bytes (0: no limit but the socket's ZMQ_MAXMSGSIZE); fills *in except user.
 * Pure: no socket, so that it can be fuzzed.  Returns in->status.
 */
enum frame_status frame_check(const struct frame_part *parts, int n, bool router, size_t max_body,
			      struct frame_in *in);

/*
 * Reads one whole message from sock without waiting, checks it as frame_check
 * does and calls fn with the result, whatever the status.  Returns 1 if a
 * message was read, 0 if none was waiting, -1 on a socket error (zmq_errno()).
 */
int frame_recv(void *sock, bool router, size_t max_body, frame_fn fn, void *ctx);

/* "ok", "bad frame count", ...: a name for status in logs. */
const char *frame_status_name(enum frame_status status);

#endif
