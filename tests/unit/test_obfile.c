/*
 * Unit tests for obfile: the exact bytes of a record and of the state file,
 * and a table of damaged records (cut short, grown, bytes flipped, fields
 * malformed) each refused with the reason a person will read in the log.
 * Every table row names its case so a failure says which.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "obfile.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* The reference record; its crc was computed independently (Python's zlib.crc32). */
#define STD_HEADER                                                                                 \
	"CHISO-OUTBOX 1\nepoch 1234\nseq 7\nrows 41\ncreated 1732000000\n"                         \
	"source /data/sonnham.csv\nlength 10\n\n"
#define STD_BODY    "0123456789"
#define STD_TRAILER "\ncrc32 d0aea414\n"

static void test_format_golden(void **state)
{
	char hdr[OBFILE_HEADER_MAX], trailer[OBFILE_TRAILER_LEN + 1];
	(void)state;

	size_t n =
	    obfile_header_format(hdr, sizeof hdr, 1234, 7, 41, 1732000000, "/data/sonnham.csv", 10);
	assert_int_equal(n, strlen(STD_HEADER));
	assert_string_equal(hdr, STD_HEADER);
	obfile_trailer(trailer, hdr, n, STD_BODY, 10);
	assert_string_equal(trailer, STD_TRAILER);

	/* No source and a clock before 1970 still give a valid header. */
	n = obfile_header_format(hdr, sizeof hdr, 1, 2, 0, -5, NULL, 0);
	assert_string_equal(hdr, "CHISO-OUTBOX 1\nepoch 1\nseq 2\nrows 0\ncreated 0\n"
				 "source \nlength 0\n\n");
	assert_int_equal(n, strlen(hdr));
}

static void test_format_refused(void **state)
{
	static char longsrc[OUTBOX_SOURCE_MAX + 2];
	char hdr[OBFILE_HEADER_MAX], small[40];
	(void)state;

	memset(longsrc, 'a', sizeof longsrc - 1);
	const struct {
		const char *name;
		char *buf;
		size_t size;
		const char *source;
		size_t want;
	} cases[] = {
	    {"line break in source", hdr, sizeof hdr, "a\nb.csv", 0},
	    {"source one byte too long", hdr, sizeof hdr, longsrc, 0},
	    {"source at the limit", hdr, sizeof hdr, longsrc + 1, 1},
	    {"buffer too small", small, sizeof small, "x.csv", 0},
	};
	for (size_t i = 0; i < NELEM(cases); i++) {
		size_t n = obfile_header_format(cases[i].buf, cases[i].size, 1, 1, 1, 1,
						cases[i].source, 1);
		if ((n != 0) != (cases[i].want != 0))
			fail_msg("case %s: got length %zu", cases[i].name, n);
	}
}

static void test_names(void **state)
{
	const struct {
		const char *name;
		enum obfile_kind kind;
		uint64_t seq;
	} cases[] = {
	    {"00000000000000000007.batch", OBFILE_RECORD, 7},
	    {"18446744073709551615.batch", OBFILE_RECORD, UINT64_MAX},
	    {"18446744073709551616.batch", OBFILE_OTHER, 0},
	    {"00000000000000000000.batch", OBFILE_OTHER, 0},
	    {"0000000000000000007.batch", OBFILE_OTHER, 0},
	    {"000000000000000000007.batch", OBFILE_OTHER, 0},
	    {"00000000000000000007.batch.1", OBFILE_OTHER, 0},
	    {"0000000000000000000x.batch", OBFILE_OTHER, 0},
	    {"00000000000000000007.json", OBFILE_OTHER, 0},
	    {".tmp-7-1234", OBFILE_TMP, 0},
	    {".tmp-", OBFILE_TMP, 0},
	    {"notes.txt", OBFILE_OTHER, 0},
	};
	char buf[OBFILE_NAME_SIZE];
	(void)state;

	for (size_t i = 0; i < NELEM(cases); i++) {
		uint64_t seq = 0;
		enum obfile_kind k = obfile_classify(cases[i].name, &seq);
		if (k != cases[i].kind || (k == OBFILE_RECORD && seq != cases[i].seq))
			fail_msg("case %s: kind %d seq %llu", cases[i].name, (int)k,
				 (unsigned long long)seq);
		if (k == OBFILE_RECORD) {
			obfile_record_name(buf, sizeof buf, seq);
			if (strcmp(buf, cases[i].name) != 0)
				fail_msg("case %s: name round trip gave %s", cases[i].name, buf);
		}
	}
}

enum op { OP_NONE, OP_TRUNCATE, OP_FLIP, OP_SET, OP_APPEND, OP_OTHER_HEX };
enum from { FROM_START, FROM_BODY, FROM_END };

struct rec_case {
	const char *name;
	const char *header; /* NULL: STD_HEADER; the trailer is always computed to match */
	const char *body;   /* NULL: STD_BODY */
	enum op op;
	enum from from;
	long at;
	char ch;	  /* for OP_SET */
	uint64_t seq;	  /* the seq in the file name; 0 means 7 */
	const char *want; /* NULL: accepted; else a fragment of the reason */
};

static const struct rec_case rec_cases[] = {
    {"valid", NULL, NULL, OP_NONE, FROM_START, 0, 0, 0, NULL},
    {"valid, no source, empty body",
     "CHISO-OUTBOX 1\nepoch 1\nseq 7\nrows 0\ncreated 0\nsource \nlength 0\n\n", "", OP_NONE,
     FROM_START, 0, 0, 0, NULL},
    {"empty file", NULL, NULL, OP_TRUNCATE, FROM_START, 0, 0, 0, "empty file"},
    {"cut in the magic", NULL, NULL, OP_TRUNCATE, FROM_START, 5, 0, 0, "not an outbox record"},
    {"cut after the magic", NULL, NULL, OP_TRUNCATE, FROM_START, 15, 0, 0,
     "no complete \"epoch\" line"},
    {"cut in the source line", NULL, NULL, OP_TRUNCATE, FROM_START, 70, 0, 0,
     "no complete \"source\" line"},
    {"cut before the blank line", NULL, NULL, OP_TRUNCATE, FROM_START, 94, 0, 0,
     "no blank line after the header"},
    {"cut at the end of the header", NULL, NULL, OP_TRUNCATE, FROM_BODY, 0, 0, 0,
     "length 10 does not match the file size 95"},
    {"cut in the body", NULL, NULL, OP_TRUNCATE, FROM_BODY, 4, 0, 0,
     "does not match the file size 99"},
    {"cut before the crc line", NULL, NULL, OP_TRUNCATE, FROM_END, -16, 0, 0,
     "does not match the file size 105"},
    {"last newline missing", NULL, NULL, OP_TRUNCATE, FROM_END, -1, 0, 0,
     "does not match the file size 120"},
    {"a byte appended", NULL, NULL, OP_APPEND, FROM_START, 0, 0, 0,
     "does not match the file size 122"},
    {"flipped digit in the header", NULL, NULL, OP_FLIP, FROM_START, 37, 0, 0,
     "crc32 mismatch (stored d0aea414"},
    {"flipped byte in the body", NULL, NULL, OP_FLIP, FROM_BODY, 3, 0, 0, "crc32 mismatch"},
    {"other digit in the crc", NULL, NULL, OP_OTHER_HEX, FROM_END, -3, 0, 0, "crc32 mismatch"},
    {"uppercase crc digit", NULL, NULL, OP_SET, FROM_END, -3, 'F', 0, "bad \"crc32\" line"},
    {"crc line without its newline", NULL, NULL, OP_SET, FROM_END, -1, 'x', 0,
     "bad \"crc32\" line"},
    {"body not followed by a newline", NULL, NULL, OP_SET, FROM_END, -16, 'x', 0,
     "bad \"crc32\" line"},
    {"file name says another seq", NULL, NULL, OP_NONE, FROM_START, 0, 0, 8,
     "header says seq 7, file name says 8"},
    {"wrong magic", "CHISO-OUTBOX 2\nepoch 1\nseq 7\nrows 1\ncreated 1\nsource \nlength 10\n\n",
     NULL, OP_NONE, FROM_START, 0, 0, 0, "not an outbox record"},
    {"CRLF lines",
     "CHISO-OUTBOX 1\r\nepoch 1\r\nseq 7\r\nrows 1\r\ncreated 1\r\nsource \r\nlength 10\r\n\r\n",
     NULL, OP_NONE, FROM_START, 0, 0, 0, "not an outbox record"},
    {"length says more than the body",
     "CHISO-OUTBOX 1\nepoch 1\nseq 7\nrows 1\ncreated 1\nsource \nlength 11\n\n", NULL, OP_NONE,
     FROM_START, 0, 0, 0, "length 11 does not match"},
    {"length says less than the body",
     "CHISO-OUTBOX 1\nepoch 1\nseq 7\nrows 1\ncreated 1\nsource \nlength 9\n\n", NULL, OP_NONE,
     FROM_START, 0, 0, 0, "length 9 does not match"},
    {"length beyond the limit",
     "CHISO-OUTBOX 1\nepoch 1\nseq 7\nrows 1\ncreated 1\nsource \nlength 18446744073709551615\n\n",
     NULL, OP_NONE, FROM_START, 0, 0, 0, "does not match"},
    {"rows with a leading zero",
     "CHISO-OUTBOX 1\nepoch 1\nseq 7\nrows 041\ncreated 1\nsource \nlength 10\n\n", NULL, OP_NONE,
     FROM_START, 0, 0, 0, "bad \"rows\" line"},
    {"negative rows", "CHISO-OUTBOX 1\nepoch 1\nseq 7\nrows -1\ncreated 1\nsource \nlength 10\n\n",
     NULL, OP_NONE, FROM_START, 0, 0, 0, "bad \"rows\" line"},
    {"seq overflows",
     "CHISO-OUTBOX 1\nepoch 1\nseq 18446744073709551616\nrows 1\ncreated 1\nsource \n"
     "length 10\n\n",
     NULL, OP_NONE, FROM_START, 0, 0, 0, "bad \"seq\" line"},
    {"epoch zero", "CHISO-OUTBOX 1\nepoch 0\nseq 7\nrows 1\ncreated 1\nsource \nlength 10\n\n",
     NULL, OP_NONE, FROM_START, 0, 0, 0, "epoch or created out of range"},
    {"created past int64",
     "CHISO-OUTBOX 1\nepoch 1\nseq 7\nrows 1\ncreated 9223372036854775808\nsource \n"
     "length 10\n\n",
     NULL, OP_NONE, FROM_START, 0, 0, 0, "epoch or created out of range"},
    {"fields out of order",
     "CHISO-OUTBOX 1\nseq 7\nepoch 1\nrows 1\ncreated 1\nsource \nlength 10\n\n", NULL, OP_NONE,
     FROM_START, 0, 0, 0, "bad \"epoch\" line"},
    {"no source line", "CHISO-OUTBOX 1\nepoch 1\nseq 7\nrows 1\ncreated 1\nlength 10\n\n", NULL,
     OP_NONE, FROM_START, 0, 0, 0, "bad \"source\" line"},
    {"NUL in the source",
     "CHISO-OUTBOX 1\nepoch 1\nseq 7\nrows 1\ncreated 1\nsource a\0b\nlength 10\n\n", NULL, OP_NONE,
     FROM_START, 0, 0, 0, "bad \"source\" line"},
    {"extra field",
     "CHISO-OUTBOX 1\nepoch 1\nseq 7\nrows 1\ncreated 1\nsource \nlength 10\n"
     "extra 1\n\n",
     NULL, OP_NONE, FROM_START, 0, 0, 0, "no blank line after the header"},
};

/* Header literals may hold a NUL (one case does): measure up to the blank line. */
static size_t header_len(const char *h)
{
	for (size_t i = 0;; i++) {
		if (h[i] == '\n' && h[i + 1] == '\n')
			return i + 2;
		if (h[i] == '\n' && h[i + 1] == '\r' && h[i + 2] == '\n')
			return i + 3; /* the CRLF case */
	}
}

static void test_record_parse(void **state)
{
	char buf[512], err[200];
	(void)state;

	for (size_t i = 0; i < NELEM(rec_cases); i++) {
		const struct rec_case *c = &rec_cases[i];
		const char *hdr = c->header ? c->header : STD_HEADER;
		const char *body = c->body ? c->body : STD_BODY;
		size_t hl = header_len(hdr), bl = strlen(body), size;
		struct obfile_header h;

		memcpy(buf, hdr, hl);
		memcpy(buf + hl, body, bl);
		obfile_trailer(buf + hl + bl, buf, hl, body, bl);
		size = hl + bl + OBFILE_TRAILER_LEN;
		size_t at = c->from == FROM_START  ? (size_t)c->at
			    : c->from == FROM_BODY ? hl + (size_t)c->at
						   : (size_t)((long)size + c->at);
		switch (c->op) {
		case OP_NONE:
			break;
		case OP_TRUNCATE:
			size = at;
			break;
		case OP_FLIP:
			buf[at] ^= 0x01;
			break;
		case OP_SET:
			buf[at] = c->ch;
			break;
		case OP_APPEND:
			buf[size++] = 'x';
			break;
		case OP_OTHER_HEX:
			buf[at] = buf[at] == '0' ? '1' : '0';
			break;
		}
		err[0] = '\0';
		int rc = obfile_record_parse(buf, size, c->seq ? c->seq : 7, &h, err, sizeof err);
		if (c->want == NULL && rc != 0)
			fail_msg("case %s: refused: %s", c->name, err);
		if (c->want != NULL && (rc != -1 || strstr(err, c->want) == NULL))
			fail_msg("case %s: rc %d, err \"%s\", want \"%s\"", c->name, rc, err,
				 c->want);
		if (c->want == NULL && (h.len != hl || h.length != bl || h.seq != 7))
			fail_msg("case %s: header fields wrong", c->name);
	}
}

static void test_record_fields(void **state)
{
	const char *img = STD_HEADER STD_BODY STD_TRAILER;
	struct obfile_header h;
	char err[200];
	(void)state;

	assert_int_equal(obfile_record_parse(img, strlen(img), 7, &h, err, sizeof err), 0);
	assert_int_equal(h.epoch, 1234);
	assert_int_equal(h.seq, 7);
	assert_int_equal(h.rows, 41);
	assert_int_equal(h.created, 1732000000);
	assert_int_equal(h.length, 10);
	assert_int_equal(h.len, 95);
	assert_int_equal(h.source_len, strlen("/data/sonnham.csv"));
	assert_memory_equal(h.source, "/data/sonnham.csv", h.source_len);
	assert_memory_equal(img + h.len, STD_BODY, h.length);
}

/* State files as read: accepted with their fields, or refused with a fragment of the reason. */
static const struct {
	const char *name;
	const char *text;
	const char *want; /* NULL: accepted */
	uint64_t epoch, next_seq, refused;
	size_t nfiles;
} state_cases[] = {
    {"valid", "epoch 42\nnext_seq 7\nrefused 3\n", NULL, 42, 7, 3, 0},
    {"one file", "epoch 42\nnext_seq 7\nrefused 3\nfile 00ff00ff00ff00ff 1234 2 6 1732000000\n",
     NULL, 42, 7, 3, 1},
    {"two files",
     "epoch 4\nnext_seq 9\nrefused 0\nfile 0123456789abcdef 10 1 1 1\n"
     "file fedcba9876543210 99 2 8 1732000000\n",
     NULL, 4, 9, 0, 2},
    {"file hash short", "epoch 4\nnext_seq 9\nrefused 0\nfile 0123 10 1 1 1\n", "bad line 1 after",
     0, 0, 0, 0},
    {"file hash upper case", "epoch 4\nnext_seq 9\nrefused 0\nfile 0123456789ABCDEF 10 1 1 1\n",
     "bad line 1 after", 0, 0, 0, 0},
    {"file last before first", "epoch 4\nnext_seq 9\nrefused 0\nfile 0123456789abcdef 10 5 4 1\n",
     "bad line 1 after", 0, 0, 0, 0},
    {"file first zero", "epoch 4\nnext_seq 9\nrefused 0\nfile 0123456789abcdef 10 0 4 1\n",
     "bad line 1 after", 0, 0, 0, 0},
    {"file field missing", "epoch 4\nnext_seq 9\nrefused 0\nfile 0123456789abcdef 10 1 4\n",
     "bad line 1 after", 0, 0, 0, 0},
    {"file field extra", "epoch 4\nnext_seq 9\nrefused 0\nfile 0123456789abcdef 10 1 4 5 6\n",
     "bad line 1 after", 0, 0, 0, 0},
    {"file line cut", "epoch 4\nnext_seq 9\nrefused 0\nfile 0123456789abcdef 10 1 4 5",
     "bad line 1 after", 0, 0, 0, 0},
    {"second file bad", "epoch 4\nnext_seq 9\nrefused 0\nfile 0123456789abcdef 10 1 4 5\nfile x\n",
     "bad line 2 after", 0, 0, 0, 0},
    {"largest epoch", "epoch 9223372036854775807\nnext_seq 1\nrefused 0\n", NULL, INT64_MAX, 1, 0,
     0},
    {"epoch past 2^63-1", "epoch 9223372036854775808\nnext_seq 1\nrefused 0\n", "out of range", 0,
     0, 0, 0},
    {"epoch zero", "epoch 0\nnext_seq 1\nrefused 0\n", "out of range", 0, 0, 0, 0},
    {"next_seq zero", "epoch 1\nnext_seq 0\nrefused 0\n", "out of range", 0, 0, 0, 0},
    {"empty", "", "no complete \"epoch\" line", 0, 0, 0, 0},
    {"cut short", "epoch 1\nnext_seq 2\nrefused 0", "no complete \"refused\" line", 0, 0, 0, 0},
    {"extra line", "epoch 1\nnext_seq 2\nrefused 0\nx\n", "bad line 1 after", 0, 0, 0, 0},
    {"leading zero", "epoch 1\nnext_seq 02\nrefused 0\n", "bad \"next_seq\" line", 0, 0, 0, 0},
    {"trailing space", "epoch 1 \nnext_seq 2\nrefused 0\n", "bad \"epoch\" line", 0, 0, 0, 0},
    {"wrong key", "epoch 1\nnext 2\nrefused 0\n", "bad \"next_seq\" line", 0, 0, 0, 0},
};

static void test_state(void **state)
{
	char buf[OBFILE_STATE_MAX], err[200];
	(void)state;

	for (size_t i = 0; i < NELEM(state_cases); i++) {
		struct obfile_state st;
		memset(&st, 0, sizeof st);
		err[0] = '\0';
		int rc = obfile_state_parse(state_cases[i].text, strlen(state_cases[i].text), &st,
					    err, sizeof err);
		if (state_cases[i].want != NULL) {
			if (rc != -1 || strstr(err, state_cases[i].want) == NULL)
				fail_msg("case %s: rc %d err \"%s\"", state_cases[i].name, rc, err);
			continue;
		}
		if (rc != 0 || st.epoch != state_cases[i].epoch ||
		    st.next_seq != state_cases[i].next_seq ||
		    st.refused != state_cases[i].refused || st.nfiles != state_cases[i].nfiles)
			fail_msg("case %s: rc %d err \"%s\"", state_cases[i].name, rc, err);
		if (!st.legacy)
			fail_msg("case %s: not taken as an older agent's file",
				 state_cases[i].name);
		/* Formatted: the magic line, the same lines, and a crc that parses back. */
		size_t n = obfile_state_format(buf, sizeof buf, &st);
		size_t m = strlen(OBFILE_STATE_MAGIC) + 1, t = strlen(state_cases[i].text);
		if (n != m + t + (OBFILE_TRAILER_LEN - 1) ||
		    memcmp(buf + m, state_cases[i].text, t) != 0)
			fail_msg("case %s: formatted as \"%s\"", state_cases[i].name, buf);
		struct obfile_state back;
		if (obfile_state_parse(buf, n, &back, err, sizeof err) != 0 || back.legacy ||
		    back.epoch != st.epoch || back.nfiles != st.nfiles)
			fail_msg("case %s: formatted text does not parse back: %s",
				 state_cases[i].name, err);
	}
}

/* The checked state file: every damage to it is named, none passes. */
static void test_state_crc(void **state)
{
	struct obfile_state st = {.epoch = 42, .next_seq = 7, .refused = 1};
	char buf[OBFILE_STATE_MAX], copy[OBFILE_STATE_MAX], err[200];
	(void)state;

	size_t n = obfile_state_format(buf, sizeof buf, &st);
	assert_true(n > 0);
	assert_string_equal(buf, OBFILE_STATE_MAGIC "\nepoch 42\nnext_seq 7\nrefused 1\n"
						    "crc32 413b3bec\n");
	const struct {
		const char *name;
		size_t at; /* byte to change (SIZE_MAX: none) */
		char to;
		size_t len; /* bytes kept */
		const char *want;
	} cases[] = {
	    {"good", SIZE_MAX, 0, n, NULL},
	    {"next_seq back in time", 39, '6', n, "crc32 mismatch"},
	    {"crc digit", n - 2, '0', n, "crc32 mismatch"},
	    {"crc not hex", n - 3, 'x', n, "bad \"crc32\" line"},
	    {"crc line cut", SIZE_MAX, 0, n - 1, "bad \"crc32\" line"},
	    {"crc line lost", SIZE_MAX, 0, n - (OBFILE_TRAILER_LEN - 1), "bad \"crc32\" line"},
	    {"no newline before the crc", n - 16, ' ', n, "bad \"crc32\" line"},
	    {"shorter than a crc line", SIZE_MAX, 0, strlen(OBFILE_STATE_MAGIC) + 14,
	     "no complete \"crc32\" line"},
	    {"only the magic", SIZE_MAX, 0, strlen(OBFILE_STATE_MAGIC) + 1,
	     "no complete \"crc32\" line"},
	};
	for (size_t i = 0; i < NELEM(cases); i++) {
		memcpy(copy, buf, n);
		if (cases[i].at != SIZE_MAX)
			copy[cases[i].at] = cases[i].to;
		struct obfile_state got;
		err[0] = '\0';
		int rc = obfile_state_parse(copy, cases[i].len, &got, err, sizeof err);
		if (cases[i].want == NULL ? rc != 0 || got.next_seq != 7 || got.legacy
					  : rc != -1 || strstr(err, cases[i].want) == NULL)
			fail_msg("case %s: rc %d err \"%s\"", cases[i].name, rc, err);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_format_golden), cmocka_unit_test(test_format_refused),
	    cmocka_unit_test(test_names),	  cmocka_unit_test(test_record_parse),
	    cmocka_unit_test(test_record_fields), cmocka_unit_test(test_state),
	    cmocka_unit_test(test_state_crc),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
