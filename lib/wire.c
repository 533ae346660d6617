/*
 * wire: framing and the small control messages of protocol version 1, and the
 * strict JSON helpers that batch.c decodes with.
 *
 * Every decoder takes bytes from the network.  The order of checks matters:
 * the body length first (cheap, bounds everything after), then a one-pass
 * nesting scan (so jansson's recursive parser never sees deep input), then a
 * strict parse, then field by field with the field named in the message.  The
 * jansson handle lives only inside wire_decode_object; callbacks borrow it.
 */
#include "wire.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Room for a formatted error before it is cut to the caller's buffer. */
#define WIRE_ERR_SCRATCH 512
/* How much of a field name from the network an error message quotes. */
#define WIRE_KEY_QUOTE_MAX 64

const struct wire_limits wire_default_limits = {
    .max_body = 4194304,
    .max_rows = 10000,
    .max_depth = 4,
};

static const char *const wire_names[] = {
    [WIRE_HELLO] = "HELLO", [WIRE_WELCOME] = "WELCOME", [WIRE_BATCH] = "BATCH",
    [WIRE_ACK] = "ACK",	    [WIRE_RETRY] = "RETRY",	[WIRE_PING] = "PING",
    [WIRE_PONG] = "PONG",   [WIRE_CATALOG] = "CATALOG", [WIRE_ERROR] = "ERROR",
};
#define WIRE_NCOMMANDS (sizeof wire_names / sizeof wire_names[0])

const char *wire_command_name(enum wire_command c)
{
	if ((size_t)c >= WIRE_NCOMMANDS)
		return "?";
	return wire_names[c];
}

int wire_command_parse(const void *data, size_t len)
{
	for (size_t i = 0; i < WIRE_NCOMMANDS; i++)
		if (strlen(wire_names[i]) == len && memcmp(wire_names[i], data, len) == 0)
			return (int)i;
	return -1;
}

bool wire_tag_ok(const void *data, size_t len)
{
	return len == strlen(WIRE_PROTOCOL) && memcmp(data, WIRE_PROTOCOL, len) == 0;
}

bool wire_depth_ok(const char *body, size_t len, int max_depth)
{
	int depth = 0;
	bool in_string = false, escaped = false;

	for (size_t i = 0; i < len; i++) {
		char c = body[i];
		if (in_string) {
			/* A backslash hides the next byte, so "\"" does not end the string. */
			if (escaped)
				escaped = false;
			else if (c == '\\')
				escaped = true;
			else if (c == '"')
				in_string = false;
		} else if (c == '"') {
			in_string = true;
		} else if (c == '[' || c == '{') {
			if (++depth > max_depth)
				return false;
		} else if ((c == ']' || c == '}') && depth > 0) {
			depth--;
		}
	}
	return true;
}

/* Length of the valid UTF-8 sequence at s (n > 0 bytes left), or 0 if invalid. */
static size_t wire_utf8_len(const unsigned char *s, size_t n)
{
	uint32_t cp, min;
	size_t len;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2, cp = s[0] & 0x1fu, min = 0x80;
	} else if ((s[0] & 0xf0) == 0xe0) {
		len = 3, cp = s[0] & 0x0fu, min = 0x800;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4, cp = s[0] & 0x07u, min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3fu);
	}
	/* The same rules as jansson: no overlong forms, surrogates or > U+10FFFF. */
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/* true if s[0..n) is the start of a multi-byte character cut off by the end. */
static bool wire_utf8_cut(const unsigned char *s, size_t n)
{
	size_t need = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : 2;

	if (s[0] < 0xc2 || s[0] > 0xf4 || n >= need)
		return false;
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return false;
	return true;
}

size_t wire_utf8_copy(char *dst, size_t dstsize, const char *src, size_t srclen)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t in = 0, out = 0;

	if (dstsize == 0)
		return 0;
	while (in < srclen) {
		size_t n = s[in] ? wire_utf8_len(s + in, srclen - in) : 0;
		if (n == 0) {
			/* A text cut mid-character (snprintf) ends at the last whole one. */
			if (wire_utf8_cut(s + in, srclen - in))
				break;
			if (out + 1 > dstsize - 1)
				break;
			dst[out++] = '?';
			in++;
			continue;
		}
		if (out + n > dstsize - 1)
			break;
		memcpy(dst + out, s + in, n);
		out += n;
		in += n;
	}
	dst[out] = '\0';
	return out;
}

void wire_errorf(char *err, size_t errsize, const char *fmt, ...)
{
	char scratch[WIRE_ERR_SCRATCH];
	va_list ap;

	if (!err || errsize == 0)
		return;
	va_start(ap, fmt);
	int n = vsnprintf(scratch, sizeof scratch, fmt, ap);
	va_end(ap);
	if (n < 0)
		scratch[0] = '\0';
	wire_utf8_copy(err, errsize, scratch, strlen(scratch));
	/* Messages end up in logs: keep them on one line. */
	for (char *p = err; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
}

const char *wire_json_kind(const struct json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
	case JSON_REAL:
		return "a number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	case JSON_NULL:
		break;
	}
	return "null";
}

int wire_decode_object(const char *body, size_t len, const struct wire_limits *lim,
		       wire_object_fn fn, void *ctx, char *err, size_t errsize)
{
	json_error_t jerr;
	json_t *root = NULL;
	int rc = -1;

	if (!lim)
		lim = &wire_default_limits;
	if (!body)
		body = "";
	if (len > lim->max_body) {
		wire_errorf(err, errsize, "body too large: %zu bytes, limit %zu", len,
			    lim->max_body);
		goto fail;
	}
	if (!wire_depth_ok(body, len, lim->max_depth)) {
		wire_errorf(err, errsize, "JSON nested deeper than %d", lim->max_depth);
		goto fail;
	}
	root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		wire_errorf(err, errsize, "invalid JSON at line %d column %d: %s", jerr.line,
			    jerr.column, jerr.text);
		goto fail;
	}
	if (!json_is_object(root)) {
		wire_errorf(err, errsize, "body is %s, not a JSON object", wire_json_kind(root));
		goto fail;
	}
	rc = fn(root, ctx, err, errsize);
fail:
	json_decref(root);
	return rc;
}

/* The key as it may be quoted in a message: cut short, one line. */
static void wire_quote_key(char *dst, size_t dstsize, const char *key)
{
	wire_utf8_copy(dst, dstsize, key, strlen(key));
}

int wire_json_known(struct json_t *obj, const char *const *names, char *err, size_t errsize)
{
	const char *key;
	json_t *value;

	json_object_foreach(obj, key, value)
	{
		size_t i = 0;
		while (names[i] && strcmp(names[i], key) != 0)
			i++;
		if (!names[i]) {
			char quoted[WIRE_KEY_QUOTE_MAX + 1];
			wire_quote_key(quoted, sizeof quoted, key);
			wire_errorf(err, errsize, "unknown field \"%s\"", quoted);
			return -1;
		}
	}
	return 0;
}

int wire_json_uint(struct json_t *obj, const char *key, bool required, uint64_t min, uint64_t max,
		   uint64_t *out, char *err, size_t errsize)
{
	json_t *v = json_object_get(obj, key);

	if (!v) {
		if (!required)
			return 0;
		wire_errorf(err, errsize, "missing field \"%s\"", key);
		return -1;
	}
	if (!json_is_integer(v)) {
		wire_errorf(err, errsize, "field \"%s\": expected an unsigned integer, got %s", key,
			    json_is_real(v) ? "a number with a fraction or exponent"
					    : wire_json_kind(v));
		return -1;
	}
	json_int_t i = json_integer_value(v);
	if (i < 0 || (uint64_t)i < min || (uint64_t)i > max) {
		wire_errorf(err, errsize, "field \"%s\": %lld is out of range %llu..%llu", key,
			    (long long)i, (unsigned long long)min, (unsigned long long)max);
		return -1;
	}
	*out = (uint64_t)i;
	return 0;
}

int wire_json_str(struct json_t *obj, const char *key, bool required, size_t minlen, size_t maxlen,
		  const char *what, char *dst, size_t dstsize, char *err, size_t errsize)
{
	json_t *v = json_object_get(obj, key);

	if (!v) {
		if (!required)
			return 0;
		wire_errorf(err, errsize, "missing field \"%s\"", key);
		return -1;
	}
	if (!json_is_string(v)) {
		wire_errorf(err, errsize, "field \"%s\": expected %s, got %s", key,
			    what ? what : "a string", wire_json_kind(v));
		return -1;
	}
	size_t len = json_string_length(v);
	if (len < minlen) {
		wire_errorf(err, errsize, "field \"%s\": empty", key);
		return -1;
	}
	if (len > maxlen || len >= dstsize) {
		wire_errorf(err, errsize, "field \"%s\": %zu bytes, limit %zu", key, len, maxlen);
		return -1;
	}
	/* jansson refused NUL and invalid UTF-8, so this is a plain copy. */
	memcpy(dst, json_string_value(v), len);
	dst[len] = '\0';
	return 0;
}

/* A struct's fixed string field as a JSON string: bounded and valid UTF-8. */
static json_t *wire_string(const char *field, size_t fieldsize)
{
	char buf[256];
	size_t cap = fieldsize < sizeof buf ? fieldsize : sizeof buf;

	wire_utf8_copy(buf, cap, field, strnlen(field, fieldsize));
	return json_string(buf);
}

/* Numbers on the wire are JSON integers, which jansson holds as long long. */
static json_t *wire_integer(uint64_t v)
{
	return json_integer(v > INT64_MAX ? INT64_MAX : (json_int_t)v);
}

/* Sets obj[key] = v (stolen); a NULL v (out of memory) fails the encoding. */
static int wire_put(json_t *obj, const char *key, json_t *v)
{
	return v ? json_object_set_new(obj, key, v) : -1;
}

/* Dumps obj compactly and releases it; NULL on failure. */
static char *wire_dump(json_t *obj, int failed)
{
	char *text = NULL;

	if (obj && !failed)
		text = json_dumps(obj, JSON_COMPACT);
	json_decref(obj);
	return text;
}

char *wire_hello_encode(const struct wire_hello *m)
{
	json_t *o = json_object();
	int bad = !o;

	bad = bad || wire_put(o, "agent", wire_string(m->agent, sizeof m->agent));
	bad = bad || wire_put(o, "epoch", wire_integer(m->epoch));
	bad = bad || wire_put(o, "backlog_batches", wire_integer(m->backlog_batches));
	bad = bad || wire_put(o, "backlog_rows", wire_integer(m->backlog_rows));
	return wire_dump(o, bad);
}

static int wire_hello_fields(json_t *o, void *ctx, char *err, size_t errsize)
{
	static const char *const names[] = {"agent", "epoch", "backlog_batches", "backlog_rows",
					    NULL};
	struct wire_hello *m = ctx;

	if (wire_json_known(o, names, err, errsize) ||
	    wire_json_str(o, "agent", true, 1, sizeof m->agent - 1, NULL, m->agent, sizeof m->agent,
			  err, errsize) ||
	    wire_json_uint(o, "epoch", true, 1, INT64_MAX, &m->epoch, err, errsize) ||
	    wire_json_uint(o, "backlog_batches", true, 0, INT64_MAX, &m->backlog_batches, err,
			   errsize) ||
	    wire_json_uint(o, "backlog_rows", true, 0, INT64_MAX, &m->backlog_rows, err, errsize))
		return -1;
	return 0;
}

int wire_hello_decode(const char *body, size_t len, const struct wire_limits *lim,
		      struct wire_hello *m, char *err, size_t errsize)
{
	memset(m, 0, sizeof *m);
	return wire_decode_object(body, len, lim, wire_hello_fields, m, err, errsize);
}

char *wire_welcome_encode(const struct wire_welcome *m)
{
	json_t *o = json_object();
	int bad = !o;

	bad = bad || wire_put(o, "server", wire_string(m->server, sizeof m->server));
	bad = bad || wire_put(o, "collector", wire_string(m->collector, sizeof m->collector));
	bad = bad || wire_put(o, "scope", wire_string(m->scope, sizeof m->scope));
	bad = bad || wire_put(o, "max_rows", wire_integer(m->max_rows));
	bad = bad || wire_put(o, "max_body", wire_integer(m->max_body));
	bad = bad || wire_put(o, "catalog_version",
			      wire_string(m->catalog_version, sizeof m->catalog_version));
	return wire_dump(o, bad);
}

static int wire_welcome_fields(json_t *o, void *ctx, char *err, size_t errsize)
{
	static const char *const names[] = {"server",	"collector",	   "scope", "max_rows",
					    "max_body", "catalog_version", NULL};
	struct wire_welcome *m = ctx;

	if (wire_json_known(o, names, err, errsize) ||
	    wire_json_str(o, "server", true, 1, sizeof m->server - 1, NULL, m->server,
			  sizeof m->server, err, errsize) ||
	    wire_json_str(o, "collector", true, 1, sizeof m->collector - 1, NULL, m->collector,
			  sizeof m->collector, err, errsize) ||
	    wire_json_str(o, "scope", true, 1, sizeof m->scope - 1, NULL, m->scope, sizeof m->scope,
			  err, errsize) ||
	    wire_json_uint(o, "max_rows", true, 1, INT64_MAX, &m->max_rows, err, errsize) ||
	    wire_json_uint(o, "max_body", true, 1, INT64_MAX, &m->max_body, err, errsize) ||
	    wire_json_str(o, "catalog_version", true, 0, sizeof m->catalog_version - 1, NULL,
			  m->catalog_version, sizeof m->catalog_version, err, errsize))
		return -1;
	if (strspn(m->scope, "0123456789") != strlen(m->scope)) {
		wire_errorf(err, errsize, "field \"scope\": expected a unit code of digits");
		return -1;
	}
	return 0;
}

int wire_welcome_decode(const char *body, size_t len, const struct wire_limits *lim,
			struct wire_welcome *m, char *err, size_t errsize)
{
	memset(m, 0, sizeof *m);
	return wire_decode_object(body, len, lim, wire_welcome_fields, m, err, errsize);
}

char *wire_ping_encode(const struct wire_ping *m)
{
	json_t *o = json_object();
	int bad = !o;

	bad = bad || wire_put(o, "backlog_batches", wire_integer(m->backlog_batches));
	bad = bad || wire_put(o, "backlog_rows", wire_integer(m->backlog_rows));
	bad = bad || wire_put(o, "oldest_age_s", wire_integer(m->oldest_age_s));
	return wire_dump(o, bad);
}

static int wire_ping_fields(json_t *o, void *ctx, char *err, size_t errsize)
{
	static const char *const names[] = {"backlog_batches", "backlog_rows", "oldest_age_s",
					    NULL};
	struct wire_ping *m = ctx;

	if (wire_json_known(o, names, err, errsize) ||
	    wire_json_uint(o, "backlog_batches", false, 0, INT64_MAX, &m->backlog_batches, err,
			   errsize) ||
	    wire_json_uint(o, "backlog_rows", false, 0, INT64_MAX, &m->backlog_rows, err,
			   errsize) ||
	    wire_json_uint(o, "oldest_age_s", false, 0, INT64_MAX, &m->oldest_age_s, err, errsize))
		return -1;
	return 0;
}

int wire_ping_decode(const char *body, size_t len, const struct wire_limits *lim,
		     struct wire_ping *m, char *err, size_t errsize)
{
	memset(m, 0, sizeof *m);
	return wire_decode_object(body, len, lim, wire_ping_fields, m, err, errsize);
}

char *wire_retry_encode(const struct wire_retry *m)
{
	json_t *o = json_object();
	int bad = !o;

	bad = bad || wire_put(o, "epoch", wire_integer(m->epoch));
	bad = bad || wire_put(o, "seq", wire_integer(m->seq));
	bad = bad || wire_put(o, "after_ms", wire_integer(m->after_ms));
	bad = bad || wire_put(o, "reason", wire_string(m->reason, sizeof m->reason));
	return wire_dump(o, bad);
}

static int wire_retry_fields(json_t *o, void *ctx, char *err, size_t errsize)
{
	static const char *const names[] = {"epoch", "seq", "after_ms", "reason", NULL};
	struct wire_retry *m = ctx;
	uint64_t after_ms = 0;

	if (wire_json_known(o, names, err, errsize) ||
	    wire_json_uint(o, "epoch", true, 1, INT64_MAX, &m->epoch, err, errsize) ||
	    wire_json_uint(o, "seq", true, 1, INT64_MAX, &m->seq, err, errsize) ||
	    wire_json_uint(o, "after_ms", true, 0, UINT32_MAX, &after_ms, err, errsize) ||
	    wire_json_str(o, "reason", true, 1, sizeof m->reason - 1, NULL, m->reason,
			  sizeof m->reason, err, errsize))
		return -1;
	m->after_ms = (uint32_t)after_ms;
	return 0;
}

int wire_retry_decode(const char *body, size_t len, const struct wire_limits *lim,
		      struct wire_retry *m, char *err, size_t errsize)
{
	memset(m, 0, sizeof *m);
	return wire_decode_object(body, len, lim, wire_retry_fields, m, err, errsize);
}

char *wire_error_encode(const struct wire_error *m)
{
	json_t *o = json_object();
	int bad = !o;

	bad = bad || wire_put(o, "code", wire_string(m->code, sizeof m->code));
	bad = bad || wire_put(o, "message", wire_string(m->message, sizeof m->message));
	return wire_dump(o, bad);
}

static int wire_error_fields(json_t *o, void *ctx, char *err, size_t errsize)
{
	static const char *const names[] = {"code", "message", NULL};
	struct wire_error *m = ctx;

	if (wire_json_known(o, names, err, errsize) ||
	    wire_json_str(o, "code", true, 1, sizeof m->code - 1, NULL, m->code, sizeof m->code,
			  err, errsize) ||
	    wire_json_str(o, "message", true, 0, sizeof m->message - 1, NULL, m->message,
			  sizeof m->message, err, errsize))
		return -1;
	return 0;
}

int wire_error_decode(const char *body, size_t len, const struct wire_limits *lim,
		      struct wire_error *m, char *err, size_t errsize)
{
	memset(m, 0, sizeof *m);
	return wire_decode_object(body, len, lim, wire_error_fields, m, err, errsize);
}

static int wire_empty_fields(json_t *o, void *ctx, char *err, size_t errsize)
{
	static const char *const names[] = {NULL};

	(void)ctx;
	return wire_json_known(o, names, err, errsize);
}

int wire_empty_decode(const char *body, size_t len, const struct wire_limits *lim, char *err,
		      size_t errsize)
{
	return wire_decode_object(body, len, lim, wire_empty_fields, NULL, err, errsize);
}
