/*
 * wire: frames and control messages of protocol version 1 (see wire.h).
 *
 * Every decoder runs the same gate first (wire_open): size limit, nesting
 * limit, then jansson with duplicate keys refused.  Fields are read from a
 * small table of expected keys, so an unknown key is found by counting: an
 * object with more keys than the known ones that are present has a stranger.
 */
#include "wire.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

const struct wire_limits wire_default_limits = {
    .max_body = 4194304,
    .max_rows = 10000,
    .max_depth = 4,
};

static const char *const wire_names[] = {"HELLO", "WELCOME", "BATCH",	"ACK",	"RETRY",
					 "PING",  "PONG",    "CATALOG", "ERROR"};

const char *wire_command_name(enum wire_command c)
{
	return (unsigned)c < sizeof wire_names / sizeof wire_names[0] ? wire_names[c] : "?";
}

int wire_command_parse(const void *data, size_t len)
{
	for (size_t i = 0; i < sizeof wire_names / sizeof wire_names[0]; i++)
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
	bool in_string = false;

	for (size_t i = 0; i < len; i++) {
		char c = body[i];
		if (in_string) {
			if (c == '\\')
				i++; /* the escaped character cannot end the string */
			else if (c == '"')
				in_string = false;
		} else if (c == '"') {
			in_string = true;
		} else if (c == '{' || c == '[') {
			if (++depth > max_depth)
				return false;
		} else if (c == '}' || c == ']') {
			depth--;
		}
	}
	return true;
}

json_t *wire_open(const char *body, size_t len, const struct wire_limits *lim, char *err,
		  size_t errsize)
{
	json_error_t jerr;
	json_t *root;

	if (len > lim->max_body) {
		snprintf(err, errsize, "body too large: %zu bytes, limit %zu", len, lim->max_body);
		return NULL;
	}
	if (!wire_depth_ok(body, len, lim->max_depth)) {
		snprintf(err, errsize, "JSON nested deeper than %d", lim->max_depth);
		return NULL;
	}
	root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		snprintf(err, errsize, "not valid JSON: %s (column %d)", jerr.text, jerr.column);
		return NULL;
	}
	if (!json_is_object(root)) {
		snprintf(err, errsize, "the body must be a JSON object");
		json_decref(root);
		return NULL;
	}
	return root;
}

enum wire_kind { WK_UINT, WK_STRING };

struct wire_field {
	const char *key;
	enum wire_kind kind;
	bool required;
	void *dst;    /* uint64_t * or char * */
	size_t size;  /* string buffer size */
	uint64_t max; /* for WK_UINT */
};

/* Reads the listed fields of obj; refuses unknown keys.  0, or -1 with err. */
static int wire_fields(json_t *obj, const struct wire_field *f, size_t n, char *err, size_t errsize)
{
	size_t present = 0;

	for (size_t i = 0; i < n; i++) {
		json_t *v = json_object_get(obj, f[i].key);
		if (!v) {
			if (f[i].required) {
				snprintf(err, errsize, "missing field \"%s\"", f[i].key);
				return -1;
			}
			continue;
		}
		present++;
		if (f[i].kind == WK_UINT) {
			if (!json_is_integer(v) || json_integer_value(v) < 0 ||
			    (uint64_t)json_integer_value(v) > f[i].max) {
				snprintf(err, errsize,
					 "field \"%s\": expected an integer from 0 to %llu",
					 f[i].key, (unsigned long long)f[i].max);
				return -1;
			}
			*(uint64_t *)f[i].dst = (uint64_t)json_integer_value(v);
		} else {
			if (!json_is_string(v) || json_string_length(v) >= f[i].size) {
				snprintf(err, errsize,
					 "field \"%s\": expected a string of at most %zu bytes",
					 f[i].key, f[i].size - 1);
				return -1;
			}
			if (memchr(json_string_value(v), '\0', json_string_length(v))) {
				snprintf(err, errsize, "field \"%s\": NUL in string", f[i].key);
				return -1;
			}
			memcpy(f[i].dst, json_string_value(v), json_string_length(v) + 1);
		}
	}
	if (json_object_size(obj) != present) {
		const char *key;
		json_t *v;
		json_object_foreach(obj, key, v)
		{
			size_t i;
			for (i = 0; i < n && strcmp(key, f[i].key) != 0; i++)
				;
			if (i == n) {
				snprintf(err, errsize, "unknown field \"%.40s\"", key);
				return -1;
			}
		}
	}
	return 0;
}

static int wire_decode(const char *body, size_t len, const struct wire_limits *lim,
		       const struct wire_field *f, size_t n, char *err, size_t errsize)
{
	json_t *root = wire_open(body, len, lim, err, errsize);
	if (!root)
		return -1;
	int rc = wire_fields(root, f, n, err, errsize);
	json_decref(root);
	return rc;
}

static char *wire_dump(json_t *root)
{
	char *text = root ? json_dumps(root, JSON_COMPACT) : NULL;
	json_decref(root);
	return text;
}

#define U63 0x7fffffffffffffffull
#define U(key, req, dst)                                                                           \
	{                                                                                          \
		key, WK_UINT, req, dst, 0, U63                                                     \
	}
#define S(key, req, dst)                                                                           \
	{                                                                                          \
		key, WK_STRING, req, dst, sizeof(dst), 0                                           \
	}

char *wire_hello_encode(const struct wire_hello *m)
{
	return wire_dump(json_pack("{s:s, s:I, s:I, s:I}", "agent", m->agent, "epoch",
				   (json_int_t)m->epoch, "backlog_batches",
				   (json_int_t)m->backlog_batches, "backlog_rows",
				   (json_int_t)m->backlog_rows));
}

int wire_hello_decode(const char *body, size_t len, const struct wire_limits *lim,
		      struct wire_hello *m, char *err, size_t errsize)
{
	memset(m, 0, sizeof *m);
	const struct wire_field f[] = {S("agent", true, m->agent), U("epoch", false, &m->epoch),
				       U("backlog_batches", false, &m->backlog_batches),
				       U("backlog_rows", false, &m->backlog_rows)};
	return wire_decode(body, len, lim, f, sizeof f / sizeof f[0], err, errsize);
}

char *wire_welcome_encode(const struct wire_welcome *m)
{
	return wire_dump(json_pack("{s:s, s:s, s:s, s:I, s:I, s:s}", "server", m->server,
				   "collector", m->collector, "scope", m->scope, "max_rows",
				   (json_int_t)m->max_rows, "max_body", (json_int_t)m->max_body,
				   "catalog_version", m->catalog_version));
}

int wire_welcome_decode(const char *body, size_t len, const struct wire_limits *lim,
			struct wire_welcome *m, char *err, size_t errsize)
{
	memset(m, 0, sizeof *m);
	const struct wire_field f[] = {
	    S("server", true, m->server),	S("collector", true, m->collector),
	    S("scope", true, m->scope),		U("max_rows", false, &m->max_rows),
	    U("max_body", false, &m->max_body), S("catalog_version", false, m->catalog_version)};
	return wire_decode(body, len, lim, f, sizeof f / sizeof f[0], err, errsize);
}

char *wire_ping_encode(const struct wire_ping *m)
{
	return wire_dump(json_pack(
	    "{s:I, s:I, s:I}", "backlog_batches", (json_int_t)m->backlog_batches, "backlog_rows",
	    (json_int_t)m->backlog_rows, "oldest_age_s", (json_int_t)m->oldest_age_s));
}

int wire_ping_decode(const char *body, size_t len, const struct wire_limits *lim,
		     struct wire_ping *m, char *err, size_t errsize)
{
	memset(m, 0, sizeof *m);
	const struct wire_field f[] = {U("backlog_batches", false, &m->backlog_batches),
				       U("backlog_rows", false, &m->backlog_rows),
				       U("oldest_age_s", false, &m->oldest_age_s)};
	return wire_decode(body, len, lim, f, sizeof f / sizeof f[0], err, errsize);
}

char *wire_retry_encode(const struct wire_retry *m)
{
	return wire_dump(json_pack("{s:I, s:I, s:I, s:s}", "epoch", (json_int_t)m->epoch, "seq",
				   (json_int_t)m->seq, "after_ms", (json_int_t)m->after_ms,
				   "reason", m->reason));
}

int wire_retry_decode(const char *body, size_t len, const struct wire_limits *lim,
		      struct wire_retry *m, char *err, size_t errsize)
{
	uint64_t after = 0;
	memset(m, 0, sizeof *m);
	const struct wire_field f[] = {U("epoch", true, &m->epoch),
				       U("seq", true, &m->seq),
				       {"after_ms", WK_UINT, false, &after, 0, 3600000},
				       S("reason", false, m->reason)};
	int rc = wire_decode(body, len, lim, f, sizeof f / sizeof f[0], err, errsize);
	m->after_ms = (uint32_t)after;
	return rc;
}

char *wire_error_encode(const struct wire_error *m)
{
	return wire_dump(json_pack("{s:s, s:s}", "code", m->code, "message", m->message));
}

int wire_error_decode(const char *body, size_t len, const struct wire_limits *lim,
		      struct wire_error *m, char *err, size_t errsize)
{
	memset(m, 0, sizeof *m);
	const struct wire_field f[] = {S("code", true, m->code), S("message", false, m->message)};
	return wire_decode(body, len, lim, f, sizeof f / sizeof f[0], err, errsize);
}

int wire_empty_decode(const char *body, size_t len, const struct wire_limits *lim, char *err,
		      size_t errsize)
{
	return wire_decode(body, len, lim, NULL, 0, err, errsize);
}
