/*
 * wire: framing and the small control messages of protocol versions 1 and 2, and the
 * strict JSON helpers that batch.c decodes with.
 *
 * Every decoder takes bytes from the network.  The order of checks matters:
 * the body length first (cheap, bounds everything after), then a one-pass
 * nesting scan (so jansson's recursive parser never sees deep input), then a
 * strict parse, then field by field with the field named in the message.  The
 * jansson handle lives only inside wire_decode_object; callbacks borrow it.
 */
#include "wire.h"

#include <assert.h>
#include <jansson.h>
#include <stddef.h>
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

static const char *const wire_error_codes[] = {
    [WIRE_ERR_BAD_FRAMES] = "bad_frames",
    [WIRE_ERR_UNSUPPORTED_VERSION] = "unsupported_version",
    [WIRE_ERR_BAD_BODY] = "bad_body",
    [WIRE_ERR_TOO_MANY_ROWS] = "too_many_rows",
    [WIRE_ERR_UNKNOWN_COMMAND] = "unknown_command",
    [WIRE_ERR_REVOKED] = "revoked",
    [WIRE_ERR_INTERNAL] = "internal",
};

const char *wire_error_code_name(enum wire_error_code c)
{
	if ((size_t)c >= sizeof wire_error_codes / sizeof wire_error_codes[0])
		return wire_error_codes[WIRE_ERR_INTERNAL];
	return wire_error_codes[c];
}

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

static const char *const wire_tags[WIRE_VERSION_MAX + 1] = {NULL, "CHISO/1", "CHISO/2"};

int wire_tag_version(const void *data, size_t len)
{
	for (int v = 1; v <= WIRE_VERSION_MAX; v++)
		if (len == strlen(wire_tags[v]) && memcmp(data, wire_tags[v], len) == 0)
			return v;
	return 0;
}

bool wire_tag_ok(const void *data, size_t len)
{
	return wire_tag_version(data, len) != 0;
}

const char *wire_tag(int version)
{
	return version >= 1 && version <= WIRE_VERSION_MAX ? wire_tags[version] : wire_tags[1];
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
	/* JSON has no raw NUL byte, and jansson lets one pass between tokens
	   ("3e1\0}"), where jscan (batch.c's literals) would not: refused here. */
	const char *nul = memchr(body, '\0', len);
	if (nul) {
		wire_errorf(err, errsize, "invalid JSON: a NUL byte at offset %zu",
			    (size_t)(nul - body));
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

/*
 * The control messages are flat objects of strings and unsigned integers, so
 * one table per message says each field's name, type, bounds and place in
 * its struct, and one encoder and one decoder walk the tables.  A field's
 * order in its table is its order on the wire and the order its errors are
 * found in.
 */
enum wire_kind { WIRE_STR, WIRE_U64, WIRE_U32 };

struct wire_field {
	const char *name;
	enum wire_kind kind;
	bool required;
	uint64_t min; /* a string's least length, a number's least value */
	uint64_t max; /* a number's greatest value; a string's is its field's size - 1 */
	size_t offset;
	size_t size;
};

/* The most fields a control message has; a table ends with a NULL name. */
#define WIRE_MAX_FIELDS 8

struct wire_message {
	size_t size; /* of the struct, zeroed before decoding */
	const struct wire_field *fields;
	/* Checks that the field table cannot say; NULL if there are none. */
	int (*check)(const void *m, char *err, size_t errsize);
	/* Fields beyond the flat table (a WELCOME of version 2), NULL-terminated; NULL: none. */
	const char *const *more_names;
	/* Decodes them after the table's; required when more_names is set. */
	int (*more)(json_t *o, void *m, char *err, size_t errsize);
};

/* A table ends with a field without a name (every member given: clang -Wextra -Werror). */
#define WIRE_END                                                                                   \
	{                                                                                          \
		NULL, WIRE_STR, false, 0, 0, 0, 0                                                  \
	}
#define WIRE_STRING(type, f, req, minlen)                                                          \
	{                                                                                          \
#f, WIRE_STR, req, minlen, 0, offsetof(type, f), sizeof((type *)0)->f              \
	}
#define WIRE_NUMBER(type, f, req, lo, hi)                                                          \
	{                                                                                          \
#f, sizeof((type *)0)->f == 4 ? WIRE_U32 : WIRE_U64, req, lo, hi,                  \
		    offsetof(type, f), 0                                                           \
	}

/*
 * Only the agent is required: a client without an outbox (docs/examples) has
 * no epoch and no backlog to tell, and an absent backlog is 0.
 */
static const struct wire_field wire_hello_table[] = {
    WIRE_STRING(struct wire_hello, agent, true, 1),
    WIRE_NUMBER(struct wire_hello, epoch, false, 1, INT64_MAX),
    WIRE_NUMBER(struct wire_hello, backlog_batches, false, 0, INT64_MAX),
    WIRE_NUMBER(struct wire_hello, backlog_rows, false, 0, INT64_MAX),
    WIRE_END,
};

static const struct wire_field wire_welcome_table[] = {
    WIRE_STRING(struct wire_welcome, server, true, 1),
    WIRE_STRING(struct wire_welcome, collector, true, 1),
    WIRE_STRING(struct wire_welcome, scope, true, 1),
    WIRE_NUMBER(struct wire_welcome, max_rows, true, 1, INT64_MAX),
    WIRE_NUMBER(struct wire_welcome, max_body, true, 1, INT64_MAX),
    WIRE_STRING(struct wire_welcome, catalog_version, true, 0),
    WIRE_END,
};

/* A PING may come from an agent that knows nothing of its backlog yet. */
static const struct wire_field wire_ping_table[] = {
    WIRE_NUMBER(struct wire_ping, backlog_batches, false, 0, INT64_MAX),
    WIRE_NUMBER(struct wire_ping, backlog_rows, false, 0, INT64_MAX),
    WIRE_NUMBER(struct wire_ping, oldest_age_s, false, 0, INT64_MAX),
    WIRE_END,
};

static const struct wire_field wire_retry_table[] = {
    WIRE_NUMBER(struct wire_retry, epoch, true, 1, INT64_MAX),
    WIRE_NUMBER(struct wire_retry, seq, true, 1, INT64_MAX),
    WIRE_NUMBER(struct wire_retry, after_ms, true, 0, UINT32_MAX),
    WIRE_STRING(struct wire_retry, reason, true, 1),
    WIRE_END,
};

static const struct wire_field wire_error_table[] = {
    WIRE_STRING(struct wire_error, code, true, 1),
    WIRE_STRING(struct wire_error, message, true, 0),
    WIRE_END,
};

static const struct wire_field wire_empty_table[] = {
    WIRE_END,
};

/* The scope is a unit code, which the string bounds alone do not make sure of. */
static int wire_welcome_check(const void *msg, char *err, size_t errsize)
{
	const struct wire_welcome *m = msg;

	if (strspn(m->scope, "0123456789") != strlen(m->scope)) {
		wire_errorf(err, errsize, "field \"scope\": expected a unit code of digits");
		return -1;
	}
	return 0;
}

static const struct wire_message wire_hello_msg = {.size = sizeof(struct wire_hello),
						   .fields = wire_hello_table};
static const struct wire_message wire_welcome_msg = {
    .size = sizeof(struct wire_welcome), .fields = wire_welcome_table, .check = wire_welcome_check};

/* Version 2's unit and periods, both required: a WELCOME of version 2 always has them. */
static int wire_welcome_more(json_t *o, void *msg, char *err, size_t errsize)
{
	struct wire_welcome *m = msg;
	json_t *u = json_object_get(o, "unit"), *p = json_object_get(o, "periods");

	m->version = 2;
	if (!u || !p) {
		wire_errorf(err, errsize, "field \"%s\" is required", u ? "periods" : "unit");
		return -1;
	}
	if (welcome_unit_decode(u, &m->unit, err, errsize) < 0 ||
	    welcome_periods_decode(p, m->periods, &m->nperiods, err, errsize) < 0)
		return -1;
	if (strcmp(m->unit.code, m->scope) != 0) {
		wire_errorf(err, errsize, "field \"unit.code\": %s is not the scope %s",
			    m->unit.code, m->scope);
		return -1;
	}
	return 0;
}

static const char *const wire_welcome2_names[] = {"unit", "periods", NULL};
static const struct wire_message wire_welcome2_msg = {.size = sizeof(struct wire_welcome),
						      .fields = wire_welcome_table,
						      .check = wire_welcome_check,
						      .more_names = wire_welcome2_names,
						      .more = wire_welcome_more};
static const struct wire_message wire_ping_msg = {.size = sizeof(struct wire_ping),
						  .fields = wire_ping_table};
static const struct wire_message wire_retry_msg = {.size = sizeof(struct wire_retry),
						   .fields = wire_retry_table};
static const struct wire_message wire_error_msg = {.size = sizeof(struct wire_error),
						   .fields = wire_error_table};
static const struct wire_message wire_empty_msg = {.size = 0, .fields = wire_empty_table};

static uint64_t wire_field_number(const struct wire_field *f, const void *m)
{
	const char *p = (const char *)m + f->offset;

	if (f->kind == WIRE_U32)
		return *(const uint32_t *)(const void *)p;
	return *(const uint64_t *)(const void *)p;
}

/* The flat fields of m as an object; *bad set when out of memory. */
static json_t *wire_message_object(const struct wire_message *def, const void *m, int *bad)
{
	json_t *o = json_object();

	*bad = !o;
	for (const struct wire_field *f = def->fields; f->name && !*bad; f++) {
		const char *p = (const char *)m + f->offset;
		/* An optional number below its least value was absent (a HELLO without
		   epoch): written as 0 it would not decode again. */
		if (f->kind != WIRE_STR && !f->required && wire_field_number(f, m) < f->min)
			continue;
		json_t *v = f->kind == WIRE_STR ? wire_string(p, f->size)
						: wire_integer(wire_field_number(f, m));
		*bad = wire_put(o, f->name, v);
	}
	return o;
}

static char *wire_message_encode(const struct wire_message *def, const void *m)
{
	int bad;
	json_t *o = wire_message_object(def, m, &bad);
	return wire_dump(o, bad);
}

static int wire_field_decode(json_t *o, const struct wire_field *f, void *m, char *err,
			     size_t errsize)
{
	char *p = (char *)m + f->offset;
	uint64_t v = 0;

	if (f->kind == WIRE_STR)
		return wire_json_str(o, f->name, f->required, f->min, f->size - 1, NULL, p, f->size,
				     err, errsize);
	if (wire_json_uint(o, f->name, f->required, f->min, f->max, &v, err, errsize))
		return -1;
	if (f->kind == WIRE_U32)
		*(uint32_t *)(void *)p = (uint32_t)v;
	else
		*(uint64_t *)(void *)p = v;
	return 0;
}

/* What wire_message_fields is handed through wire_decode_object's ctx. */
struct wire_decoding {
	const struct wire_message *def;
	void *m;
};

static int wire_message_fields(json_t *o, void *ctx, char *err, size_t errsize)
{
	const struct wire_decoding *d = ctx;
	const char *names[WIRE_MAX_FIELDS + 1];
	size_t n = 0;

	for (const struct wire_field *f = d->def->fields; f->name; f++) {
		assert(n < WIRE_MAX_FIELDS);
		names[n++] = f->name;
	}
	for (size_t i = 0; d->def->more_names && d->def->more_names[i]; i++) {
		assert(n < WIRE_MAX_FIELDS);
		names[n++] = d->def->more_names[i];
	}
	names[n] = NULL;
	if (wire_json_known(o, names, err, errsize))
		return -1;
	for (const struct wire_field *f = d->def->fields; f->name; f++)
		if (wire_field_decode(o, f, d->m, err, errsize))
			return -1;
	if (d->def->check && d->def->check(d->m, err, errsize))
		return -1;
	return d->def->more ? d->def->more(o, d->m, err, errsize) : 0;
}

static int wire_message_decode(const struct wire_message *def, const char *body, size_t len,
			       const struct wire_limits *lim, void *m, char *err, size_t errsize)
{
	struct wire_decoding d = {def, m};

	if (m)
		memset(m, 0, def->size);
	return wire_decode_object(body, len, lim, wire_message_fields, &d, err, errsize);
}

char *wire_hello_encode(const struct wire_hello *m)
{
	return wire_message_encode(&wire_hello_msg, m);
}

int wire_hello_decode(const char *body, size_t len, const struct wire_limits *lim,
		      struct wire_hello *m, char *err, size_t errsize)
{
	return wire_message_decode(&wire_hello_msg, body, len, lim, m, err, errsize);
}

char *wire_welcome_encode(const struct wire_welcome *m)
{
	int bad;
	json_t *o = wire_message_object(&wire_welcome_msg, m, &bad);

	/* Version 1's fields first and alone: a version 1 WELCOME is as it always was. */
	if (o && !bad && m->version >= 2) {
		size_t n = m->nperiods < WELCOME_PERIODS_MAX ? m->nperiods : WELCOME_PERIODS_MAX;
		bad = wire_put(o, "unit", welcome_unit_json(&m->unit)) ||
		      wire_put(o, "periods", welcome_periods_json(m->periods, n));
	}
	return wire_dump(o, bad);
}

int wire_welcome_decode(const char *body, size_t len, const struct wire_limits *lim, int version,
			struct wire_welcome *m, char *err, size_t errsize)
{
	int rc = wire_message_decode(version >= 2 ? &wire_welcome2_msg : &wire_welcome_msg, body,
				     len, lim, m, err, errsize);
	if (rc == 0 && version < 2)
		m->version = 1;
	return rc;
}

char *wire_ping_encode(const struct wire_ping *m)
{
	return wire_message_encode(&wire_ping_msg, m);
}

int wire_ping_decode(const char *body, size_t len, const struct wire_limits *lim,
		     struct wire_ping *m, char *err, size_t errsize)
{
	return wire_message_decode(&wire_ping_msg, body, len, lim, m, err, errsize);
}

char *wire_retry_encode(const struct wire_retry *m)
{
	return wire_message_encode(&wire_retry_msg, m);
}

int wire_retry_decode(const char *body, size_t len, const struct wire_limits *lim,
		      struct wire_retry *m, char *err, size_t errsize)
{
	return wire_message_decode(&wire_retry_msg, body, len, lim, m, err, errsize);
}

char *wire_error_encode(const struct wire_error *m)
{
	return wire_message_encode(&wire_error_msg, m);
}

int wire_error_decode(const char *body, size_t len, const struct wire_limits *lim,
		      struct wire_error *m, char *err, size_t errsize)
{
	return wire_message_decode(&wire_error_msg, body, len, lim, m, err, errsize);
}

int wire_empty_decode(const char *body, size_t len, const struct wire_limits *lim, char *err,
		      size_t errsize)
{
	return wire_message_decode(&wire_empty_msg, body, len, lim, NULL, err, errsize);
}
