/*
 * Unit tests for wire: command and tag frames, the nesting scan, UTF-8 copies,
 * and every control message decoded from exact bodies (accepted ones are
 * re-encoded and compared byte for byte, refused ones by message fragment).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "period.h"
#include "wire.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void test_command_parse(void **state)
{
	static const struct {
		const char *data;
		size_t len;
		int expect;
	} cases[] = {
	    {"HELLO", 5, WIRE_HELLO}, {"WELCOME", 7, WIRE_WELCOME},
	    {"BATCH", 5, WIRE_BATCH}, {"ACK", 3, WIRE_ACK},
	    {"RETRY", 5, WIRE_RETRY}, {"PING", 4, WIRE_PING},
	    {"PONG", 4, WIRE_PONG},   {"CATALOG", 7, WIRE_CATALOG},
	    {"ERROR", 5, WIRE_ERROR}, {"hello", 5, -1},
	    {"HELLO ", 6, -1},	      {"HELL", 4, -1},
	    {"HELLO\0", 6, -1},	      {"", 0, -1},
	    {"CHISO/1", 7, -1},	      {"BATCHES", 7, -1},
	    {"PINGPONG", 8, -1},
	};
	(void)state;
	for (size_t i = 0; i < N(cases); i++) {
		int got = wire_command_parse(cases[i].data, cases[i].len);
		if (got != cases[i].expect)
			fail_msg("case %zu \"%.*s\": got %d, want %d", i, (int)cases[i].len,
				 cases[i].data, got, cases[i].expect);
		if (got >= 0)
			assert_string_equal(wire_command_name((enum wire_command)got),
					    cases[i].data);
	}
	assert_string_equal(wire_command_name((enum wire_command)99), "?");
}

static void test_tag(void **state)
{
	static const struct {
		const char *data;
		size_t len;
		int version; /* 0: not a tag spoken */
	} cases[] = {
	    {"CHISO/1", 7, 1},	{"CHISO/2", 7, 2},   {"CHISO/3", 7, 0},	 {"chiso/1", 7, 0},
	    {"CHISO/", 6, 0},	{"CHISO/1\0", 8, 0}, {"CHISO/2 ", 8, 0}, {"", 0, 0},
	    {"CHISO/10", 8, 0}, {"CHISO/0", 7, 0},
	};
	(void)state;
	for (size_t i = 0; i < N(cases); i++) {
		if (wire_tag_version(cases[i].data, cases[i].len) != cases[i].version ||
		    wire_tag_ok(cases[i].data, cases[i].len) != (cases[i].version != 0))
			fail_msg("case %zu \"%.*s\": want %d", i, (int)cases[i].len, cases[i].data,
				 cases[i].version);
	}
	assert_string_equal(wire_tag(1), "CHISO/1");
	assert_string_equal(wire_tag(2), "CHISO/2");
	assert_string_equal(wire_tag(0), "CHISO/1");
	assert_string_equal(wire_tag(WIRE_VERSION_MAX + 1), "CHISO/1");
}

static void test_depth(void **state)
{
	static const struct {
		const char *name, *body;
		int max;
		bool expect;
	} cases[] = {
	    {"empty text", "", 0, true},
	    {"object at 1", "{}", 1, true},
	    {"object at 0", "{}", 0, false},
	    {"three arrays", "[[[]]]", 3, true},
	    {"three arrays at 2", "[[[]]]", 2, false},
	    {"siblings do not add", "[[],[],[]]", 2, true},
	    {"brackets in a string", "{\"a\":\"[[[[{{\"}", 1, true},
	    {"escaped quote stays in string", "{\"a\":\"\\\"[[\"}", 1, true},
	    {"escaped backslash ends string", "{\"a\":\"\\\\\"}[[", 1, false},
	    {"escaped backslash then bracket", "{\"a\":\"\\\\\",\"b\":[1]}", 1, false},
	    {"closers never go negative", "]]]]{", 1, true},
	    {"closers then deep", "]]][[", 1, false},
	    {"batch shape at 3", "{\"rows\":[{\"v\":1}]}", 3, true},
	    {"batch shape at 2", "{\"rows\":[{\"v\":1}]}", 2, false},
	    {"unterminated string hides rest", "{\"a\":\"[[[[", 1, true},
	};
	(void)state;
	for (size_t i = 0; i < N(cases); i++)
		if (wire_depth_ok(cases[i].body, strlen(cases[i].body), cases[i].max) !=
		    cases[i].expect)
			fail_msg("case \"%s\": want %d", cases[i].name, cases[i].expect);
}

static void test_default_limits(void **state)
{
	(void)state;
	assert_int_equal(wire_default_limits.max_body, 4194304);
	assert_int_equal(wire_default_limits.max_rows, 10000);
	assert_int_equal(wire_default_limits.max_depth, 4);
}

static void test_utf8_copy(void **state)
{
	static const struct {
		const char *name, *src;
		size_t srclen, dstsize;
		const char *expect;
	} cases[] = {
	    {"ascii fits", "abc", 3, 8, "abc"},
	    {"ascii cut", "abcdef", 6, 4, "abc"},
	    {"two-byte whole", "Vi\xe1\xbb\x87t", 6, 8, "Vi\xe1\xbb\x87t"},
	    {"cut before a 3-byte char", "Vi\xe1\xbb\x87t", 6, 4, "Vi"},
	    {"3-byte char just fits", "Vi\xe1\xbb\x87t", 6, 6, "Vi\xe1\xbb\x87"},
	    {"4-byte char", "\xf0\x9f\x98\x80x", 5, 8, "\xf0\x9f\x98\x80x"},
	    {"4-byte char cut", "a\xf0\x9f\x98\x80", 5, 4, "a"},
	    {"invalid byte",
	     "a\xff"
	     "b",
	     3, 8, "a?b"},
	    {"lone continuation", "\x80x", 2, 8, "?x"},
	    {"overlong slash", "\xc0\xaf", 2, 8, "??"},
	    {"surrogate", "\xed\xa0\x80", 3, 8, "???"},
	    {"above U+10FFFF", "\xf4\x90\x80\x80", 4, 8, "????"},
	    {"NUL inside", "a\0b", 3, 8, "a?b"},
	    {"source cut mid-char is dropped", "ab\xe1\xbb", 4, 8, "ab"},
	    {"broken mid-text is replaced", "\xe1\xbbz", 3, 8, "??z"},
	    {"room for nothing", "abc", 3, 1, ""},
	};
	char dst[16];
	(void)state;
	for (size_t i = 0; i < N(cases); i++) {
		memset(dst, 'Z', sizeof dst);
		size_t n = wire_utf8_copy(dst, cases[i].dstsize, cases[i].src, cases[i].srclen);
		if (strcmp(dst, cases[i].expect) != 0 || n != strlen(cases[i].expect))
			fail_msg("case \"%s\": got \"%s\" (%zu)", cases[i].name, dst, n);
	}
	memset(dst, 'Z', sizeof dst);
	assert_int_equal(wire_utf8_copy(dst, 0, "abc", 3), 0);
	assert_int_equal(dst[0], 'Z'); /* untouched */
}

static void test_errorf(void **state)
{
	char err[12];
	(void)state;
	wire_errorf(err, sizeof err, "a\nb\t%s", "c\x7f");
	assert_string_equal(err, "a?b?c?");
	wire_errorf(err, sizeof err, "%s", "0123456789\xe1\xbb\x87");
	assert_string_equal(err, "0123456789");
	wire_errorf(NULL, 0, "ignored %d", 1);
}

enum kind { K_HELLO, K_WELCOME, K_WELCOME2, K_PING, K_RETRY, K_ERROR, K_EMPTY };

/* Decodes body as kind; on success re-encodes it into *text (caller frees). */
static int decode_as(enum kind k, const char *body, size_t len, const struct wire_limits *lim,
		     char **text, char *err, size_t errsize)
{
	struct wire_hello h;
	struct wire_welcome w;
	struct wire_ping p;
	struct wire_retry r;
	struct wire_error e;
	int rc = -1;

	*text = NULL;
	switch (k) {
	case K_HELLO:
		if ((rc = wire_hello_decode(body, len, lim, &h, err, errsize)) == 0)
			*text = wire_hello_encode(&h);
		break;
	case K_WELCOME:
	case K_WELCOME2:
		if ((rc = wire_welcome_decode(body, len, lim, k == K_WELCOME2 ? 2 : 1, &w, err,
					      errsize)) == 0)
			*text = wire_welcome_encode(&w);
		break;
	case K_PING:
		if ((rc = wire_ping_decode(body, len, lim, &p, err, errsize)) == 0)
			*text = wire_ping_encode(&p);
		break;
	case K_RETRY:
		if ((rc = wire_retry_decode(body, len, lim, &r, err, errsize)) == 0)
			*text = wire_retry_encode(&r);
		break;
	case K_ERROR:
		if ((rc = wire_error_decode(body, len, lim, &e, err, errsize)) == 0)
			*text = wire_error_encode(&e);
		break;
	case K_EMPTY:
		if ((rc = wire_empty_decode(body, len, lim, err, errsize)) == 0)
			*text = strdup("{}");
		break;
	}
	return rc;
}

#define HELLO_OK                                                                                   \
	"{\"agent\":\"chiso-agent 0.1.0\",\"epoch\":1732000000,\"backlog_batches\":2,"             \
	"\"backlog_rows\":17}"
#define WELCOME_OK                                                                                 \
	"{\"server\":\"chisod 0.1.0\",\"collector\":\"xa-21298\",\"scope\":\"21298\","             \
	"\"max_rows\":10000,\"max_body\":4194304,\"catalog_version\":\"2024.1\"}"
/* Version 2: the same and the unit and periods (docs/protocol.md §3). */
#define WELCOME2_HEAD                                                                              \
	"{\"server\":\"chisod 0.1.0\",\"collector\":\"xa-21298\",\"scope\":\"21298\","             \
	"\"max_rows\":10000,\"max_body\":4194304,\"catalog_version\":\"2024.1\","                  \
	"\"unit\":{\"code\":\"21298\",\"name_vi\":\"X\xc3\xa3 S\xc6\xa1n "                         \
	"Nham\",\"tier\":\"commune\"},"
#define P_S2                                                                                       \
	"{\"period\":\"2026S2\",\"type\":\"six-monthly\",\"calendar\":\"administrative\","         \
	"\"deadline\":\"2026-12-19\",\"closed\":false}"
#define P_2026                                                                                     \
	"{\"period\":\"2026\",\"type\":\"yearly\",\"calendar\":\"statistical\","                   \
	"\"deadline\":null,\"closed\":true}"
#define WELCOME2_OK WELCOME2_HEAD "\"periods\":[" P_S2 "," P_2026 "]}"
#define RETRY_OK                                                                                   \
	"{\"epoch\":1732000000,\"seq\":7,\"after_ms\":5000,\"reason\":\"database unavailable\"}"
#define A64  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define A240 A64 A64 A64 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

/* Bodies that decode; expect is the re-encoded text (NULL: same as body). */
static void test_decode_ok(void **state)
{
	static const struct {
		const char *name;
		enum kind kind;
		const char *body, *expect;
	} cases[] = {
	    {"hello", K_HELLO, HELLO_OK, NULL},
	    {"hello spaces and order", K_HELLO,
	     " { \"backlog_rows\" : 17 , \"backlog_batches\":2,\"epoch\":1732000000,"
	     "\"agent\":\"chiso-agent 0.1.0\"}\n",
	     HELLO_OK},
	    {"hello max epoch", K_HELLO,
	     "{\"agent\":\"a\",\"epoch\":9223372036854775807,\"backlog_batches\":0,"
	     "\"backlog_rows\":0}",
	     NULL},
	    {"hello 64-byte agent", K_HELLO,
	     "{\"agent\":\"" A64 "\",\"epoch\":1,\"backlog_batches\":0,\"backlog_rows\":0}", NULL},
	    {"hello escaped Vietnamese", K_HELLO,
	     "{\"agent\":\"x\\u00e3\",\"epoch\":1,\"backlog_batches\":0,\"backlog_rows\":0}",
	     "{\"agent\":\"x\xc3\xa3\",\"epoch\":1,\"backlog_batches\":0,\"backlog_rows\":0}"},
	    /* Only the agent is required (issue 17): the rest defaults to 0 / not sent. */
	    {"hello agent only", K_HELLO, "{\"agent\":\"py 1\"}",
	     "{\"agent\":\"py 1\",\"backlog_batches\":0,\"backlog_rows\":0}"},
	    {"hello without backlog", K_HELLO,
	     "{\"agent\":\"a\",\"epoch\":1,\"backlog_batches\":3}",
	     "{\"agent\":\"a\",\"epoch\":1,\"backlog_batches\":3,\"backlog_rows\":0}"},
	    {"welcome", K_WELCOME, WELCOME_OK, NULL},
	    {"welcome without catalogue", K_WELCOME,
	     "{\"server\":\"s\",\"collector\":\"c\",\"scope\":\"51\",\"max_rows\":1,"
	     "\"max_body\":1,\"catalog_version\":\"\"}",
	     NULL},
	    {"welcome 2", K_WELCOME2, WELCOME2_OK, NULL},
	    {"welcome 2 without periods", K_WELCOME2, WELCOME2_HEAD "\"periods\":[]}", NULL},
	    {"ping full", K_PING,
	     "{\"backlog_batches\":3,\"backlog_rows\":120,\"oldest_age_s\":45}", NULL},
	    {"ping defaults", K_PING, "{}",
	     "{\"backlog_batches\":0,\"backlog_rows\":0,\"oldest_age_s\":0}"},
	    {"ping partial", K_PING, "{\"backlog_rows\":5}",
	     "{\"backlog_batches\":0,\"backlog_rows\":5,\"oldest_age_s\":0}"},
	    {"retry", K_RETRY, RETRY_OK, NULL},
	    {"retry max after_ms", K_RETRY,
	     "{\"epoch\":1,\"seq\":1,\"after_ms\":4294967295,\"reason\":\"overloaded\"}", NULL},
	    {"error", K_ERROR,
	     "{\"code\":\"bad_body\",\"message\":\"missing field \\\"epoch\\\"\"}", NULL},
	    {"error empty message", K_ERROR, "{\"code\":\"internal\",\"message\":\"\"}", NULL},
	    {"error 240-byte message", K_ERROR, "{\"code\":\"x\",\"message\":\"" A240 "\"}", NULL},
	    {"empty", K_EMPTY, "{}", NULL},
	    {"empty with spaces", K_EMPTY, " {\n} ", "{}"},
	};
	char err[256], *text;
	(void)state;
	for (size_t i = 0; i < N(cases); i++) {
		const char *body = cases[i].body;
		if (decode_as(cases[i].kind, body, strlen(body), NULL, &text, err, sizeof err))
			fail_msg("case \"%s\": refused: %s", cases[i].name, err);
		const char *want = cases[i].expect ? cases[i].expect : body;
		if (!text || strcmp(text, want) != 0)
			fail_msg("case \"%s\": encoded %s\nwant %s", cases[i].name, text, want);
		free(text);
	}
}

/* Refused bodies of each message kind, with a fragment of the error. */
static const struct wire_limits small_body = {.max_body = 10, .max_rows = 1, .max_depth = 4};
static const struct {
	const char *name;
	enum kind kind;
	const char *body;
	size_t len; /* 0: strlen */
	const struct wire_limits *lim;
	const char *fragment;
} refused_cases[] = {
    {"not JSON", K_HELLO, "nope", 0, NULL, "invalid JSON at line 1"},
    {"empty body", K_PING, "", 0, NULL, "invalid JSON"},
    {"trailing garbage", K_EMPTY, "{} x", 0, NULL, "invalid JSON"},
    {"top-level array", K_PING, "[]", 0, NULL, "body is an array, not a JSON object"},
    {"top-level string", K_PING, "\"x\"", 0, NULL, "invalid JSON"},
    {"body limit", K_EMPTY, "{         }", 0, &small_body, "body too large: 11 bytes, limit 10"},
    {"depth limit", K_PING, "{\"a\":[[[[]]]]}", 0, NULL, "JSON nested deeper than 4"},
    {"duplicate key", K_PING, "{\"backlog_rows\":1,\"backlog_rows\":2}", 0, NULL,
     "duplicate object key"},
    {"invalid UTF-8", K_ERROR, "{\"code\":\"a\xff\",\"message\":\"\"}", 0, NULL, "invalid JSON"},
    {"NUL escape", K_ERROR, "{\"code\":\"a\\u0000b\",\"message\":\"\"}", 0, NULL, "invalid JSON"},
    {"raw NUL byte", K_EMPTY, "{}\0", 3, NULL, "invalid JSON: a NUL byte at offset 2"},
    {"raw NUL byte after a number", K_PING, "{\"backlog_rows\":3\0}", 18, NULL,
     "invalid JSON: a NUL byte at offset 17"},
    {"integer beyond 64 bits", K_PING, "{\"backlog_rows\":9223372036854775808}", 0, NULL,
     "invalid JSON"},
    {"hello unknown field", K_HELLO,
     "{\"agent\":\"a\",\"epoch\":1,\"backlog_batches\":0,\"backlog_rows\":0,\"x\":1}", 0, NULL,
     "unknown field \"x\""},
    {"hello missing agent", K_HELLO, "{\"epoch\":1,\"backlog_batches\":0,\"backlog_rows\":0}", 0,
     NULL, "missing field \"agent\""},
    {"hello epoch 0", K_HELLO,
     "{\"agent\":\"a\",\"epoch\":0,\"backlog_batches\":0,\"backlog_rows\":0}", 0, NULL,
     "field \"epoch\": 0 is out of range 1..9223372036854775807"},
    {"hello negative epoch", K_HELLO,
     "{\"agent\":\"a\",\"epoch\":-5,\"backlog_batches\":0,\"backlog_rows\":0}", 0, NULL,
     "field \"epoch\": -5 is out of range"},
    {"hello epoch string", K_HELLO,
     "{\"agent\":\"a\",\"epoch\":\"5\",\"backlog_batches\":0,\"backlog_rows\":0}", 0, NULL,
     "field \"epoch\": expected an unsigned integer, got a string"},
    {"hello epoch real", K_HELLO,
     "{\"agent\":\"a\",\"epoch\":5.0,\"backlog_batches\":0,\"backlog_rows\":0}", 0, NULL,
     "field \"epoch\": expected an unsigned integer, got a number with a fraction"},
    {"hello epoch null", K_HELLO,
     "{\"agent\":\"a\",\"epoch\":null,\"backlog_batches\":0,\"backlog_rows\":0}", 0, NULL,
     "expected an unsigned integer, got null"},
    {"hello empty agent", K_HELLO,
     "{\"agent\":\"\",\"epoch\":1,\"backlog_batches\":0,\"backlog_rows\":0}", 0, NULL,
     "field \"agent\": empty"},
    {"hello 65-byte agent", K_HELLO,
     "{\"agent\":\"" A64 "b\",\"epoch\":1,\"backlog_batches\":0,\"backlog_rows\":0}", 0, NULL,
     "field \"agent\": 65 bytes, limit 64"},
    {"hello agent number", K_HELLO,
     "{\"agent\":1,\"epoch\":1,\"backlog_batches\":0,\"backlog_rows\":0}", 0, NULL,
     "field \"agent\": expected a string, got a number"},
    /* Each version takes exactly its own fields. */
    {"welcome 1 with a unit", K_WELCOME, WELCOME2_OK, 0, NULL, "unknown field \"unit\""},
    {"welcome 2 without unit", K_WELCOME2, WELCOME_OK, 0, NULL, "field \"unit\" is required"},
    {"welcome 2 without periods", K_WELCOME2, WELCOME2_HEAD "\"x\":1}", 0, NULL,
     "unknown field \"x\""},
    {"welcome 2 periods missing", K_WELCOME2,
     "{\"server\":\"s\",\"collector\":\"c\",\"scope\":\"51\",\"max_rows\":1,\"max_body\":1,"
     "\"catalog_version\":\"\",\"unit\":{\"code\":\"51\",\"name_vi\":\"T\",\"tier\":\"province\"}}",
     0, NULL, "field \"periods\" is required"},
    {"welcome 2 unit of another scope", K_WELCOME2,
     "{\"server\":\"s\",\"collector\":\"c\",\"scope\":\"51\",\"max_rows\":1,\"max_body\":1,"
     "\"catalog_version\":\"\",\"unit\":{\"code\":\"52\",\"name_vi\":\"T\",\"tier\":\"province\"},"
     "\"periods\":[]}",
     0, NULL, "\"unit.code\": 52 is not the scope 51"},
    {"welcome 2 unknown tier", K_WELCOME2,
     "{\"server\":\"s\",\"collector\":\"c\",\"scope\":\"51\",\"max_rows\":1,\"max_body\":1,"
     "\"catalog_version\":\"\",\"unit\":{\"code\":\"51\",\"name_vi\":\"T\",\"tier\":\"village\"},"
     "\"periods\":[]}",
     0, NULL, "\"unit.tier\": expected province, district or commune"},
    {"welcome 2 unit letters", K_WELCOME2,
     "{\"server\":\"s\",\"collector\":\"c\",\"scope\":\"51\",\"max_rows\":1,\"max_body\":1,"
     "\"catalog_version\":\"\",\"unit\":{\"code\":\"5x\",\"name_vi\":\"T\",\"tier\":\"province\"},"
     "\"periods\":[]}",
     0, NULL, "\"unit.code\": expected a unit code of digits"},
    {"welcome 2 unit not an object", K_WELCOME2,
     "{\"server\":\"s\",\"collector\":\"c\",\"scope\":\"51\",\"max_rows\":1,\"max_body\":1,"
     "\"catalog_version\":\"\",\"unit\":\"51\",\"periods\":[]}",
     0, NULL, "field \"unit\": expected an object, got a string"},
    {"welcome 2 period of another type", K_WELCOME2,
     WELCOME2_HEAD "\"periods\":[{\"period\":\"2026S2\",\"type\":\"yearly\",\"calendar\":"
		   "\"statistical\",\"deadline\":null,\"closed\":false}]}",
     0, NULL, "period \"2026S2\": not a period of type yearly"},
    {"welcome 2 unknown calendar", K_WELCOME2,
     WELCOME2_HEAD "\"periods\":[{\"period\":\"2026\",\"type\":\"yearly\",\"calendar\":"
		   "\"lunar\",\"deadline\":null,\"closed\":false}]}",
     0, NULL, "calendar \"lunar\""},
    {"welcome 2 bad deadline", K_WELCOME2,
     WELCOME2_HEAD "\"periods\":[{\"period\":\"2026\",\"type\":\"yearly\",\"calendar\":"
		   "\"statistical\",\"deadline\":\"2026-02-31\",\"closed\":false}]}",
     0, NULL, "deadline \"2026-02-31\" is not a date"},
    {"welcome 2 deadline a number", K_WELCOME2,
     WELCOME2_HEAD "\"periods\":[{\"period\":\"2026\",\"type\":\"yearly\",\"calendar\":"
		   "\"statistical\",\"deadline\":5,\"closed\":false}]}",
     0, NULL, "field \"deadline\": expected a date or null"},
    {"welcome 2 closed missing", K_WELCOME2,
     WELCOME2_HEAD "\"periods\":[{\"period\":\"2026\",\"type\":\"yearly\",\"calendar\":"
		   "\"statistical\",\"deadline\":null}]}",
     0, NULL, "field \"closed\": expected true or false"},
    {"welcome 2 period unknown field", K_WELCOME2,
     WELCOME2_HEAD "\"periods\":[{\"period\":\"2026\",\"type\":\"yearly\",\"calendar\":"
		   "\"statistical\",\"deadline\":null,\"closed\":false,\"x\":1}]}",
     0, NULL, "unknown field \"x\""},
    {"welcome 2 periods not an array", K_WELCOME2, WELCOME2_HEAD "\"periods\":{}}", 0, NULL,
     "field \"periods\": expected an array"},
    {"welcome scope letters", K_WELCOME,
     "{\"server\":\"s\",\"collector\":\"c\",\"scope\":\"2a\",\"max_rows\":1,"
     "\"max_body\":1,\"catalog_version\":\"\"}",
     0, NULL, "field \"scope\": expected a unit code of digits"},
    {"welcome max_rows 0", K_WELCOME,
     "{\"server\":\"s\",\"collector\":\"c\",\"scope\":\"2\",\"max_rows\":0,"
     "\"max_body\":1,\"catalog_version\":\"\"}",
     0, NULL, "field \"max_rows\": 0 is out of range"},
    {"welcome missing catalog_version", K_WELCOME,
     "{\"server\":\"s\",\"collector\":\"c\",\"scope\":\"2\",\"max_rows\":1,\"max_body\":1}", 0,
     NULL, "missing field \"catalog_version\""},
    {"ping negative", K_PING, "{\"oldest_age_s\":-1}", 0, NULL,
     "field \"oldest_age_s\": -1 is out of range"},
    {"ping boolean", K_PING, "{\"backlog_rows\":true}", 0, NULL,
     "field \"backlog_rows\": expected an unsigned integer, got a boolean"},
    {"ping unknown", K_PING, "{\"backlog\":1}", 0, NULL, "unknown field \"backlog\""},
    {"retry after_ms too big", K_RETRY,
     "{\"epoch\":1,\"seq\":1,\"after_ms\":4294967296,\"reason\":\"r\"}", 0, NULL,
     "field \"after_ms\": 4294967296 is out of range 0..4294967295"},
    {"retry seq 0", K_RETRY, "{\"epoch\":1,\"seq\":0,\"after_ms\":1,\"reason\":\"r\"}", 0, NULL,
     "field \"seq\": 0 is out of range"},
    {"retry missing reason", K_RETRY, "{\"epoch\":1,\"seq\":1,\"after_ms\":1}", 0, NULL,
     "missing field \"reason\""},
    {"error message too long", K_ERROR, "{\"code\":\"x\",\"message\":\"" A240 "b\"}", 0, NULL,
     "field \"message\": 241 bytes, limit 240"},
    {"error code too long", K_ERROR,
     "{\"code\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\",\"message\":\"\"}", 0, NULL,
     "field \"code\": 33 bytes, limit 32"},
    {"empty with a field", K_EMPTY, "{\"a\":1}", 0, NULL, "unknown field \"a\""},
    {"unknown key with newline", K_EMPTY, "{\"a\\nb\":1}", 0, NULL, "unknown field \"a?b\""},
    {"empty is array", K_EMPTY, "[]", 0, NULL, "body is an array"},
};

/* Refused bodies: err must contain the fragment. */
static void test_decode_refused(void **state)
{
	char err[256], *text;
	(void)state;
	for (size_t i = 0; i < N(refused_cases); i++) {
		size_t len =
		    refused_cases[i].len ? refused_cases[i].len : strlen(refused_cases[i].body);
		err[0] = '\0';
		int rc = decode_as(refused_cases[i].kind, refused_cases[i].body, len,
				   refused_cases[i].lim, &text, err, sizeof err);
		free(text);
		if (rc != -1)
			fail_msg("case \"%s\": accepted", refused_cases[i].name);
		if (!strstr(err, refused_cases[i].fragment))
			fail_msg("case \"%s\": error \"%s\" lacks \"%s\"", refused_cases[i].name,
				 err, refused_cases[i].fragment);
	}
}

static void test_decode_fields(void **state)
{
	struct wire_hello h;
	struct wire_welcome w;
	struct wire_retry r;
	char err[128];
	(void)state;

	assert_int_equal(wire_hello_decode(HELLO_OK, strlen(HELLO_OK), NULL, &h, err, sizeof err),
			 0);
	assert_string_equal(h.agent, "chiso-agent 0.1.0");
	assert_true(h.epoch == 1732000000 && h.backlog_batches == 2 && h.backlog_rows == 17);
	assert_int_equal(
	    wire_welcome_decode(WELCOME_OK, strlen(WELCOME_OK), NULL, 1, &w, err, sizeof err), 0);
	assert_string_equal(w.collector, "xa-21298");
	assert_string_equal(w.scope, "21298");
	assert_true(w.max_rows == 10000 && w.max_body == 4194304);
	assert_int_equal(wire_retry_decode(RETRY_OK, strlen(RETRY_OK), NULL, &r, err, sizeof err),
			 0);
	assert_true(r.epoch == 1732000000 && r.seq == 7 && r.after_ms == 5000);
	assert_string_equal(r.reason, "database unavailable");
	/* A refused body leaves the struct zeroed, not half-filled garbage. */
	assert_int_equal(
	    wire_hello_decode("{\"agent\":\"a\",\"epoch\":0}", 23, NULL, &h, err, sizeof err), -1);
	assert_int_equal(h.epoch, 0);
	/* err may be absent. */
	assert_int_equal(wire_ping_decode("[", 1, NULL, &(struct wire_ping){0}, NULL, 0), -1);
}

static void test_encode(void **state)
{
	struct wire_error e = {.code = "bad_body"};
	struct wire_ping p = {.backlog_batches = UINT64_MAX, .backlog_rows = 1, .oldest_age_s = 2};
	struct wire_hello h = {.agent = "ag\xff"
					"ent",
			       .epoch = 1};
	char *text;
	(void)state;

	/* A message cut by snprintf mid-character loses the partial character. */
	memset(e.message, 'a', 238);
	memcpy(e.message + 238, "\xe1\xbb", 2); /* the first two bytes of U+1EC7 */
	e.message[240] = '\0';
	text = wire_error_encode(&e);
	assert_non_null(text);
	assert_int_equal(strlen(text), strlen("{\"code\":\"bad_body\",\"message\":\"\"}") + 238);
	free(text);

	text = wire_ping_encode(&p);
	assert_string_equal(text, "{\"backlog_batches\":9223372036854775807,\"backlog_rows\":1,"
				  "\"oldest_age_s\":2}");
	free(text);

	text = wire_hello_encode(&h);
	assert_string_equal(text, "{\"agent\":\"ag?ent\",\"epoch\":1,\"backlog_batches\":0,"
				  "\"backlog_rows\":0}");
	free(text);
}

/* The periods a WELCOME of version 2 may list: the one before today's and today's. */
static void test_welcome_candidates(void **state)
{
	static const struct {
		int y, m, d;
		const char *calendar, *type, *expect;
	} cases[] = {
	    {2026, 12, 7, "administrative", "six-monthly", "2026S1,2026S2"},
	    {2026, 12, 7, "administrative", "yearly", "2025,2026"},
	    {2026, 12, 7, "statistical", "yearly", "2025,2026"},
	    /* Decree 09 cuts on the 14th: the administrative year 2027 began on 15/12/2026. */
	    {2026, 12, 15, "administrative", "yearly", "2026,2027"},
	    {2026, 12, 15, "administrative", "six-monthly", "2026S2,2027S1"},
	    {2026, 12, 15, "statistical", "six-monthly", "2026S1,2026S2"},
	    {2026, 12, 15, "statistical", "monthly", "202611,202612"},
	    {2026, 1, 10, "statistical", "quarterly", "2025Q4,2026Q1"},
	    {2026, 1, 10, "statistical", "daily", "20260109,20260110"},
	    {2026, 1, 1, "statistical", "weekly", "2025W52,2026W1"},
	};
	struct welcome_period p[WELCOME_PERIODS_MAX];
	(void)state;

	for (size_t i = 0; i < N(cases); i++) {
		size_t n = welcome_candidates(date_from_ymd(cases[i].y, cases[i].m, cases[i].d), p);
		char got[64] = "";
		if (n != 24)
			fail_msg("%s: %zu candidates, want 24", cases[i].expect, n);
		for (size_t k = 0; k < n; k++) {
			if (strcmp(p[k].calendar, cases[i].calendar) ||
			    strcmp(p[k].type, cases[i].type))
				continue;
			if (p[k].deadline[0] || p[k].closed)
				fail_msg("%s: a candidate comes without deadline, open",
					 p[k].period);
			snprintf(got + strlen(got), sizeof got - strlen(got), "%s%s",
				 got[0] ? "," : "", p[k].period);
		}
		if (strcmp(got, cases[i].expect) != 0)
			fail_msg("%d-%02d-%02d %s %s: got %s, want %s", cases[i].y, cases[i].m,
				 cases[i].d, cases[i].calendar, cases[i].type, got,
				 cases[i].expect);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_command_parse),
	    cmocka_unit_test(test_tag),
	    cmocka_unit_test(test_welcome_candidates),
	    cmocka_unit_test(test_depth),
	    cmocka_unit_test(test_default_limits),
	    cmocka_unit_test(test_utf8_copy),
	    cmocka_unit_test(test_errorf),
	    cmocka_unit_test(test_decode_ok),
	    cmocka_unit_test(test_decode_refused),
	    cmocka_unit_test(test_decode_fields),
	    cmocka_unit_test(test_encode),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
