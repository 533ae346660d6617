/*
 * wire: the names and the JSON bodies of protocol versions 1 and 2
 * (docs/protocol.md is the normative text).
 *
 * A message is three ZeroMQ frames: the protocol tag "CHISO/1" or "CHISO/2"
 * (version 2 differs only in WELCOME, welcome.h), a command name
 * in capitals, and a JSON object (UTF-8); frame.h sends and receives them, and
 * this module names the tag and commands and encodes and decodes the bodies.
 * Every decoder here takes untrusted bytes: lengths are checked before
 * anything is parsed, JSON nesting is limited before jansson sees the text,
 * unknown fields are errors, and nothing here can crash or allocate more than
 * a bounded multiple of its input.
 */
#ifndef CHISO_WIRE_H
#define CHISO_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "plat.h" /* PLAT_PRINTF */
#include "welcome.h"

/* The tag of version 1, which every collector reads (an ERROR to an unknown version). */
#define WIRE_PROTOCOL "CHISO/1"
/* The versions spoken: 1 .. WIRE_VERSION_MAX. */
#define WIRE_VERSION_MAX 2
/* Every version's tag starts so: another version is told apart from noise. */
#define WIRE_TAG_FAMILY	 "CHISO/"
#define WIRE_COMMAND_MAX 16

enum wire_command {
	WIRE_HELLO,   /* agent -> daemon: who I am, my backlog */
	WIRE_WELCOME, /* daemon -> agent: collector id, scope, limits */
	WIRE_BATCH,   /* agent -> daemon: rows under a batch key */
	WIRE_ACK,     /* daemon -> agent: committed (or already had it), with rejections */
	WIRE_RETRY,   /* daemon -> agent: cannot commit now, back off */
	WIRE_PING,    /* agent -> daemon: keep-alive with backlog figures */
	WIRE_PONG,    /* daemon -> agent */
	WIRE_CATALOG, /* agent -> daemon: {} ; daemon -> agent: the catalogue */
	WIRE_ERROR,   /* daemon -> agent: a message it could not accept */
};

/*
 * The codes of an ERROR answer, one table (wire.c) that chisod answers by and
 * `chisod --codes` lists, so that no code is spelt twice.
 */
enum wire_error_code {
	WIRE_ERR_BAD_FRAMES,	      /* not 3 frames, or a first frame that is no tag */
	WIRE_ERR_UNSUPPORTED_VERSION, /* a tag "CHISO/<n>" of another version */
	WIRE_ERR_BAD_BODY,	      /* a body that does not decode, or too large */
	WIRE_ERR_TOO_MANY_ROWS,	      /* a batch of more than max_rows rows */
	WIRE_ERR_UNKNOWN_COMMAND,     /* a command chisod does not take */
	WIRE_ERR_REVOKED,	      /* the collector's key was revoked since its handshake */
	WIRE_ERR_INTERNAL,	      /* chisod cannot answer this now (no catalogue) */
	WIRE_ERR_NCODES
};

/* "bad_frames", ...; "internal" for a value outside the enum. */
const char *wire_error_code_name(enum wire_error_code c);

/*
 * max_body is the largest BODY frame a peer takes, as the application sees it.
 * On the socket a frame is bigger: CURVE's MESSAGE command adds
 * WIRE_CURVE_OVERHEAD bytes to every frame (its name, a nonce, a MAC and a
 * flags byte, measured: t_bad_input), and ZMQ_MAXMSGSIZE counts those too, so
 * a socket set to max_body silently drops bodies a few dozen bytes under the
 * limit it advertises.  Sockets are set to max_body + WIRE_CURVE_MARGIN +
 * WIRE_CURVE_OVERHEAD: a body of max_body + 1 .. max_body + WIRE_CURVE_MARGIN
 * bytes is delivered and answered ERROR bad_body by frame_check, naming the
 * limit; a larger frame is dropped by libzmq with its connection.
 */
#define WIRE_CURVE_OVERHEAD 33
#define WIRE_CURVE_MARGIN   256

/* Limits applied before and during decoding. */
struct wire_limits {
	size_t max_body; /* bytes of the JSON frame */
	size_t max_rows; /* rows in one batch */
	int max_depth;	 /* JSON nesting; a batch needs 3 */
};

/* The defaults documented in docs/protocol.md. */
extern const struct wire_limits wire_default_limits;

/* "HELLO", ...; "?" for a value outside the enum. */
const char *wire_command_name(enum wire_command c);
/* The command for a frame's bytes, or -1 if unknown. */
int wire_command_parse(const void *data, size_t len);
/* The version a frame is exactly the tag of (1 .. WIRE_VERSION_MAX), or 0. */
int wire_tag_version(const void *data, size_t len);
/* true if the frame is exactly the tag of a version spoken. */
bool wire_tag_ok(const void *data, size_t len);
/* "CHISO/1", "CHISO/2": the tag of version (1 .. WIRE_VERSION_MAX; others give version 1's). */
const char *wire_tag(int version);
/*
 * true if body[0..len) nests JSON objects and arrays at most max_depth deep
 * (a scan that honours strings and escapes; it does not validate the JSON).
 */
bool wire_depth_ok(const char *body, size_t len, int max_depth);

struct wire_hello {
	char agent[65]; /* software and version, "chiso-agent 0.1.0"; the one required field */
	uint64_t epoch; /* the agent's outbox epoch; 0: not sent (optional, 1.. when sent) */
	uint64_t backlog_batches; /* optional: 0 when not sent */
	uint64_t backlog_rows;
};

struct wire_welcome {
	char server[65];
	char collector[65]; /* the collector id the key maps to */
	char scope[17];	    /* unit code of the collector's scope */
	uint64_t max_rows;
	uint64_t max_body;
	char catalog_version[65];
	/* Version 2 only (version >= 2): the collector's unit and its open periods. */
	int version; /* not on the wire: the version encoded or decoded; 0 is 1 */
	struct welcome_unit unit;
	struct welcome_period periods[WELCOME_PERIODS_MAX];
	size_t nperiods;
};

struct wire_ping {
	uint64_t backlog_batches;
	uint64_t backlog_rows;
	uint64_t oldest_age_s; /* age of the oldest unacked batch, seconds */
};

struct wire_retry {
	uint64_t epoch;
	uint64_t seq;
	uint32_t after_ms; /* do not resend before this */
	char reason[161];
};

struct wire_error {
	char code[33];
	char message[241];
};

/*
 * Encoders return a compact JSON text the caller frees, or NULL when out of
 * memory; strings are cut to their field's limit on a UTF-8 boundary and
 * invalid bytes become '?', so the output is always valid.  Numbers above
 * 2^63-1 (never valid in the protocol) are written as 2^63-1.
 * Decoders zero *m, then return 0, or -1 with err filled ("field \"epoch\":
 * expected an unsigned integer, got a string"); they check the body limit and
 * wire_depth_ok with lim->max_depth first (lim NULL: the defaults).
 */
char *wire_hello_encode(const struct wire_hello *m);
int wire_hello_decode(const char *body, size_t len, const struct wire_limits *lim,
		      struct wire_hello *m, char *err, size_t errsize);
/* m->version >= 2 adds unit and periods; decoding takes exactly version's fields. */
char *wire_welcome_encode(const struct wire_welcome *m);
int wire_welcome_decode(const char *body, size_t len, const struct wire_limits *lim, int version,
			struct wire_welcome *m, char *err, size_t errsize);
char *wire_ping_encode(const struct wire_ping *m);
int wire_ping_decode(const char *body, size_t len, const struct wire_limits *lim,
		     struct wire_ping *m, char *err, size_t errsize);
char *wire_retry_encode(const struct wire_retry *m);
int wire_retry_decode(const char *body, size_t len, const struct wire_limits *lim,
		      struct wire_retry *m, char *err, size_t errsize);
char *wire_error_encode(const struct wire_error *m);
int wire_error_decode(const char *body, size_t len, const struct wire_limits *lim,
		      struct wire_error *m, char *err, size_t errsize);
/* An empty object body "{}" is valid for PONG and the CATALOG request. */
int wire_empty_decode(const char *body, size_t len, const struct wire_limits *lim, char *err,
		      size_t errsize);

/*
 * Helpers shared by the decoders of wire.c and batch.c.  A jansson handle is
 * only ever lent to a callback: wire_decode_object loads the body, passes the
 * object to fn and releases it before returning, so no handle escapes.
 * Every err written here is valid UTF-8, truncated on a character boundary.
 */
struct json_t;

/* Decodes one object; fn returns 0, or -1 with err filled. */
typedef int (*wire_object_fn)(struct json_t *obj, void *ctx, char *err, size_t errsize);

/*
 * Checks the body limit, the nesting limit, parses strictly (duplicate keys,
 * invalid UTF-8 and NUL refused), requires an object and calls fn on it.
 * lim NULL means wire_default_limits.  Returns fn's result, or -1 with err.
 */
int wire_decode_object(const char *body, size_t len, const struct wire_limits *lim,
		       wire_object_fn fn, void *ctx, char *err, size_t errsize);
/* 0 if every key of obj is in the NULL-terminated names, else -1: unknown field "x". */
int wire_json_known(struct json_t *obj, const char *const *names, char *err, size_t errsize);
/*
 * Reads obj[key] as an integer in min..max into *out.  A missing key is an
 * error when required, else *out is left alone.  0, or -1 with err.
 */
int wire_json_uint(struct json_t *obj, const char *key, bool required, uint64_t min, uint64_t max,
		   uint64_t *out, char *err, size_t errsize);
/*
 * Copies the string obj[key] (minlen..maxlen bytes, dstsize > maxlen) into dst;
 * what names the expected kind in messages (NULL: "a string").  A missing key
 * is an error when required, else dst is left alone.  0, or -1 with err.
 */
int wire_json_str(struct json_t *obj, const char *key, bool required, size_t minlen, size_t maxlen,
		  const char *what, char *dst, size_t dstsize, char *err, size_t errsize);
/* "a string", "a number", "an object"...: the JSON kind of v for messages. */
const char *wire_json_kind(const struct json_t *v);
/* Formats into err (if errsize > 0): valid UTF-8, control characters as '?'. */
void wire_errorf(char *err, size_t errsize, const char *fmt, ...) PLAT_PRINTF(3, 4);
/*
 * Copies at most dstsize - 1 bytes of src[0..srclen) into dst, never splitting
 * a UTF-8 character; invalid bytes and NUL become '?', a character cut off by
 * the end of src is dropped.  Returns bytes written.
 */
size_t wire_utf8_copy(char *dst, size_t dstsize, const char *src, size_t srclen);

#endif
