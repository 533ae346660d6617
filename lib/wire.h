/*
 * wire: framing and the small control messages of protocol version 1
 * (docs/protocol.md is the normative text).
 *
 * A message is three ZeroMQ frames: the protocol tag "CHISO/1", a command name
 * in capitals, and a JSON object (UTF-8).  On the daemon's ROUTER socket the
 * peer's routing id comes first.  Every decoder here takes untrusted bytes:
 * lengths are checked before anything is parsed, JSON nesting is limited before
 * jansson sees the text, unknown fields are errors, and nothing here can crash
 * or allocate more than a bounded multiple of its input.
 */
#ifndef CHISO_WIRE_H
#define CHISO_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WIRE_PROTOCOL	 "CHISO/1"
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

/* Limits applied before and during decoding. */
struct wire_limits {
	size_t max_body; /* bytes of the JSON frame */
	size_t max_rows; /* rows in one batch */
	int max_depth;	 /* JSON nesting; a batch needs 3 */
};

/* The defaults documented in docs/protocol.md. */
extern const struct wire_limits wire_default_limits;

/* "HELLO", ... */
const char *wire_command_name(enum wire_command c);
/* The command for a frame's bytes, or -1 if unknown. */
int wire_command_parse(const void *data, size_t len);
/* 1 if the frame is exactly the protocol tag. */
bool wire_tag_ok(const void *data, size_t len);
/*
 * 1 if body[0..len) nests JSON objects and arrays at most max_depth deep
 * (a scan that honours strings and escapes; it does not validate the JSON).
 */
bool wire_depth_ok(const char *body, size_t len, int max_depth);

struct json_t;
/*
 * The gate every decoder passes: the size limit, the nesting limit, then
 * jansson with duplicate keys refused.  Returns the top-level object (the
 * caller json_decref's it) or NULL with err.
 */
struct json_t *wire_open(const char *body, size_t len, const struct wire_limits *lim, char *err,
			 size_t errsize);

struct wire_hello {
	char agent[65]; /* software and version, "chiso-agent 0.1.0" */
	uint64_t epoch; /* the agent's outbox epoch */
	uint64_t backlog_batches;
	uint64_t backlog_rows;
};

struct wire_welcome {
	char server[65];
	char collector[65]; /* the collector id the key maps to */
	char scope[17];	    /* unit code of the collector's scope */
	uint64_t max_rows;
	uint64_t max_body;
	char catalog_version[65];
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
 * Encoders return a JSON text the caller frees, or NULL when out of memory.
 * Decoders return 0, or -1 with err filled ("field \"epoch\": not an unsigned
 * integer"); they apply wire_depth_ok with lim->max_depth and the body limit.
 */
char *wire_hello_encode(const struct wire_hello *m);
int wire_hello_decode(const char *body, size_t len, const struct wire_limits *lim,
		      struct wire_hello *m, char *err, size_t errsize);
char *wire_welcome_encode(const struct wire_welcome *m);
int wire_welcome_decode(const char *body, size_t len, const struct wire_limits *lim,
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

#endif
