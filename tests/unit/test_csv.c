/*
 * Unit tests for lib/csv.c: tables of inputs, each with the exact sequence of
 * results csv_next must give.  A result is written as a string so that a case
 * reads like what an officer would see: "2: a|b|c" is a record starting on
 * line 2 with fields a, b and c; "! t.csv:3: ..." is the exact error.  Runs of
 * 16 or more equal bytes in a field are written "{4096 x}".  After the listed
 * results every case must reach the end of input, twice.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"

#define MAX_RESULTS 8
#define DESC_MAX    (CSV_FIELDS_MAX * (CSV_FIELD_MAX + 1) + 64)
#define RUN_MIN	    16

struct csv_case {
	const char *name;
	const char *in; /* may hold NUL bytes: inlen counts them */
	size_t inlen;
	char fill; /* nfill copies of fill follow in, then post */
	size_t nfill;
	const char *post;
	char delim; /* expected delimiter; 0 means ',' */
	const char *out[MAX_RESULTS + 1];
};

#define IN(s)	  .in = (s), .inlen = sizeof(s) - 1
#define UTF8_HINT "save the file as \"CSV UTF-8\""
#define UTF16_MSG "file is UTF-16: save it from Excel as \"CSV UTF-8 (Comma delimited)\""

/* 8, 56 and 64 fields "a,": the limit on fields per record. */
#define A8  "a,a,a,a,a,a,a,a,"
#define A56 A8 A8 A8 A8 A8 A8 A8
#define A64 A56 A8
#define J8  "a|a|a|a|a|a|a|a|"
#define J56 J8 J8 J8 J8 J8 J8 J8

static const struct csv_case cases[] = {
    /* Line endings and blank lines. */
    {"LF", IN("unit,indicator,period,value\nxa-21298,internet_users,2024,264\n"),
     .out = {"1: unit|indicator|period|value", "2: xa-21298|internet_users|2024|264"}},
    {"CRLF", IN("unit,indicator,period,value\r\nxa-21298,internet_users,2024,264\r\n"),
     .out = {"1: unit|indicator|period|value", "2: xa-21298|internet_users|2024|264"}},
    {"lone CR (old Mac)", IN("a,b\rc,d\r"), .out = {"1: a|b", "2: c|d"}},
    {"last line without newline", IN("a,b\nc,d"), .out = {"1: a|b", "2: c|d"}},
    {"trailing delimiter at end of input", IN("a,"), .out = {"1: a|"}},
    {"empty input", IN(""), .out = {NULL}},
    {"only blank lines", IN("\n\r\n\r\n"), .out = {NULL}},
    {"blank lines skipped but counted", IN("\n\na,b\n\r\n\nc,d\n\n"), .out = {"3: a|b", "6: c|d"}},
    {"spaces are not blank and not trimmed", IN("a, b \n  \n"), .out = {"1: a| b ", "2:   "}},
    {"empty fields", IN(",,\na,,b\n"), .out = {"1: ||", "2: a||b"}},
    {"trailing delimiter gives an empty last field", IN("a,b,\n"), .out = {"1: a|b|"}},

    /* Byte-order marks. */
    {"UTF-8 BOM skipped", IN("\xEF\xBB\xBFunit,name\n21298,Xã Sơn Nham\n"),
     .out = {"1: unit|name", "2: 21298|Xã Sơn Nham"}},
    {"UTF-8 BOM only", IN("\xEF\xBB\xBF"), .out = {NULL}},
    {"Excel VN export: BOM, semicolons, CRLF",
     IN("\xEF\xBB\xBFunit;indicator;period;value\r\n21298;internet_users;2024;264\r\n\r\n"),
     .delim = ';', .out = {"1: unit|indicator|period|value", "2: 21298|internet_users|2024|264"}},
    {"UTF-16 LE refused", IN("\xFF\xFEu\0n\0i\0t\0"), .out = {"! t.csv:1: " UTF16_MSG}},
    {"UTF-16 BE refused", IN("\xFE\xFF\0u\0n"), .out = {"! t.csv:1: " UTF16_MSG}},
    {"partial BOM is bad UTF-8",
     IN("\xEF\xBB"
	"a\n"),
     .out = {"! t.csv:1: field 1: not valid UTF-8 (byte 0xEF at column 1): " UTF8_HINT}},
    {"UTF-16 BOM after the start is bad UTF-8", IN("a\n\xFF\xFE\n"),
     .out = {"1: a", "! t.csv:2: field 1: not valid UTF-8 (byte 0xFF at column 1): " UTF8_HINT}},

    /* Quotes. */
    {"quoted with comma", IN("\"Huyện Sơn Hà, Quảng Ngãi\",x\n"),
     .out = {"1: Huyện Sơn Hà, Quảng Ngãi|x"}},
    {"quoted with semicolon", IN("a,\"b;c\"\n"), .out = {"1: a|b;c"}},
    {"escaped quotes", IN("\"Trang \"\"TTĐT\"\" xã\",\"\"\"\"\n"),
     .out = {"1: Trang \"TTĐT\" xã|\""}},
    {"quoted empty fields", IN("\"\",\"\"\n"), .out = {"1: |"}},
    {"quoted empty field at end of input", IN("a,\"\""), .out = {"1: a|"}},
    {"quoted field at end of input", IN("a,\"b\""), .out = {"1: a|b"}},
    {"quoted newline", IN("a,\"dòng 1\ndòng 2\"\nb,c\n"), .out = {"1: a|dòng 1\ndòng 2", "3: b|c"}},
    {"quoted CRLF becomes LF", IN("a,\"x\r\ny\"\r\nb,c\r\n"), .out = {"1: a|x\ny", "3: b|c"}},
    {"quoted lone CR becomes LF", IN("\"a\rb\",c\rd\r"), .out = {"1: a\nb|c", "3: d"}},
    {"line numbers after multi-line quoted fields",
     IN("h1,h2\n\"1\n2\n3\",x\n\nlast,\"p\nq\"\nz,z\n"),
     .out = {"1: h1|h2", "2: 1\n2\n3|x", "6: last|p\nq", "8: z|z"}},

    /* Delimiter. */
    {"semicolon detected", IN("unit;indicator;period;value\nxa;a;2024;\"1,5\"\n"), .delim = ';',
     .out = {"1: unit|indicator|period|value", "2: xa|a|2024|1,5"}},
    {"comma inside quotes does not count", IN("\"a,b\";c\n1;2\n"), .delim = ';',
     .out = {"1: a,b|c", "2: 1|2"}},
    {"comma wins over semicolon", IN("a;b,c\n"), .out = {"1: a;b|c"}},
    {"decided on the first non-blank record", IN("\n\na;b\nc,d;e\n"), .delim = ';',
     .out = {"3: a|b", "4: c,d|e"}},
    {"semicolon in data only stays comma", IN("unit,value\nx;y,1\n"),
     .out = {"1: unit|value", "2: x;y|1"}},
    {"single column", IN("unit\nx\n"), .out = {"1: unit", "2: x"}},

    /* Invalid UTF-8; columns count characters on the line. */
    {"overlong C0 80", IN("a,b\nx,\xC0\x80y\nc,d\n"),
     .out = {"1: a|b", "! t.csv:2: field 2: not valid UTF-8 (byte 0xC0 at column 3): " UTF8_HINT,
	     "3: c|d"}},
    {"overlong E0 80 80", IN("\xE0\x80\x80\n"),
     .out = {"! t.csv:1: field 1: not valid UTF-8 (byte 0xE0 at column 1): " UTF8_HINT}},
    {"surrogate ED A0 80", IN("S\xED\xA0\x80m\n"),
     .out = {"! t.csv:1: field 1: not valid UTF-8 (byte 0xED at column 2): " UTF8_HINT}},
    {"beyond U+10FFFF", IN("\xF4\x90\x80\x80\n"),
     .out = {"! t.csv:1: field 1: not valid UTF-8 (byte 0xF4 at column 1): " UTF8_HINT}},
    {"lone continuation byte", IN("Xã,\x80\n"),
     .out = {"! t.csv:1: field 2: not valid UTF-8 (byte 0x80 at column 4): " UTF8_HINT}},
    {"Windows-1258 S\\xf5n", IN("S\xf5n\n"),
     .out = {"! t.csv:1: field 1: not valid UTF-8 (byte 0xF5 at column 2): " UTF8_HINT}},
    {"Windows-1258 X\\xe3 then a good line", IN("unit,name\n21298,X\xe3 S\xf5n Nham\nok,1\n"),
     .out = {"1: unit|name",
	     "! t.csv:2: field 2: not valid UTF-8 (byte 0xE3 at column 8): " UTF8_HINT, "3: ok|1"}},
    {"sequence cut by the closing quote", IN("\"ab\xe1\",c\n"),
     .out = {"! t.csv:1: field 1: not valid UTF-8 (byte 0xE1 at column 4): " UTF8_HINT}},
    {"sequence cut by the delimiter", IN("a\xe1,c\n"),
     .out = {"! t.csv:1: field 1: not valid UTF-8 (byte 0xE1 at column 2): " UTF8_HINT}},
    {"bad byte on a later line of a quoted field", IN("a,\"ok\nbad \xff\"\nz\n"),
     .out = {"! t.csv:2: field 2: not valid UTF-8 (byte 0xFF at column 5): " UTF8_HINT, "3: z"}},
    {"four-byte character is valid", IN("x,\xF0\x9F\x98\x80\n"), .out = {"1: x|\xF0\x9F\x98\x80"}},

    /* Other errors in a record, each followed by recovery. */
    {"NUL byte", IN("a,b\0c\nd,e\n"), .out = {"! t.csv:1: field 2: NUL byte in field", "2: d|e"}},
    {"text after closing quote", IN("\"a\"b,c\nd,e\n"),
     .out = {"! t.csv:1: field 1: text after closing quote", "2: d|e"}},
    {"rest of record skipped by the grammar", IN("\"a\" ,\"x\ny\"\nd\n"),
     .out = {"! t.csv:1: field 1: text after closing quote", "3: d"}},
    {"quote inside an unquoted field", IN("ab\"c,d\ne,f\n"),
     .out = {"! t.csv:1: field 1: quote inside an unquoted field", "2: e|f"}},
    {"recovery after several bad records", IN("ok,1\nbad\"x,2\n\"y\"z,3\nok,4\n"),
     .out = {"1: ok|1", "! t.csv:2: field 1: quote inside an unquoted field",
	     "! t.csv:3: field 1: text after closing quote", "4: ok|4"}},
    {"first error of a record wins", IN("a\"b,\"c\"d\n"),
     .out = {"! t.csv:1: field 1: quote inside an unquoted field"}},
    {"unterminated quote at end of input", IN("a,b\nc,\"open\nmore\n"),
     .out = {"1: a|b", "! t.csv:2: field 2: unterminated quoted field starting at line 2"}},
    {"unterminated quote opened on a later line", IN("a,\"x\ny\",\"z\n"),
     .out = {"! t.csv:1: field 3: unterminated quoted field starting at line 2"}},
    {"unterminated quote wins over an earlier error", IN("a\"b,\"z\n"),
     .out = {"! t.csv:1: field 2: unterminated quoted field starting at line 1"}},

    /* Limits. */
    {"field of CSV_FIELD_MAX bytes", .fill = 'x', .nfill = CSV_FIELD_MAX, .post = "\nb\n",
     .out = {"1: {4096 x}", "2: b"}},
    {"field one byte too long", .fill = 'x', .nfill = CSV_FIELD_MAX + 1, .post = "\nb\n",
     .out = {"! t.csv:1: field 1: longer than 4096 bytes", "2: b"}},
    {"quoted field one byte too long", IN("a,\""), .fill = 'x', .nfill = CSV_FIELD_MAX + 1,
     .post = "\"\nb\n", .out = {"! t.csv:1: field 2: longer than 4096 bytes", "2: b"}},
    {"quoted field too long across lines", IN("a,\""), .fill = '\n', .nfill = CSV_FIELD_MAX + 1,
     .post = "\"\nb\n", .out = {"! t.csv:1: field 2: longer than 4096 bytes", "4099: b"}},
    {"64 fields", IN(A56 "a,a,a,a,a,a,a,a\n"), .out = {"1: " J56 "a|a|a|a|a|a|a|a"}},
    {"65 fields (trailing delimiter)", IN(A64 "\nb\n"),
     .out = {"! t.csv:1: field 65: too many fields (at most 64)", "2: b"}},
    {"too many fields, then a quoted newline", IN(A64 A8 "\"x\ny\"\nb\n"),
     .out = {"! t.csv:1: field 65: too many fields (at most 64)", "3: b"}},
    {"CRLF split across read chunks", .fill = 'x', .nfill = 4095, .post = "\r\nb\r\n",
     .out = {"1: {4095 x}", "2: b"}},
    {"lone CR at the end of a read chunk", .fill = 'x', .nfill = 4095, .post = "\rb\r",
     .out = {"1: {4095 x}", "2: b"}},
    {"semicolon found in a long first record", .fill = 'y', .nfill = 9000, .post = ";b\nc;d\n",
     .delim = ';', .out = {"! t.csv:1: field 1: longer than 4096 bytes", "2: c|d"}},
};

/* Appends s to d[*n], writing runs of RUN_MIN or more equal bytes as "{N c}". */
static void describe_field(char *d, size_t *n, const char *s, size_t len)
{
	for (size_t i = 0; i < len;) {
		size_t j = i;

		while (j < len && s[j] == s[i])
			j++;
		if (j - i >= RUN_MIN) {
			*n += (size_t)sprintf(d + *n, "{%zu %c}", j - i, s[i]);
		} else {
			memcpy(d + *n, s + i, j - i);
			*n += j - i;
		}
		i = j;
	}
	d[*n] = '\0';
}

/* The result of one csv_next call as the tables write it. */
static void describe(char *d, int rc, const struct csv_record *rec, const struct csv_reader *r)
{
	size_t n;

	if (rc < 0) {
		snprintf(d, DESC_MAX, "! %s", csv_error(r));
		return;
	}
	if (rc == 0) {
		snprintf(d, DESC_MAX, "(end)");
		return;
	}
	n = (size_t)sprintf(d, "%ld: ", rec->line);
	for (size_t i = 0; i < rec->nfields; i++) {
		if (i > 0)
			d[n++] = '|';
		describe_field(d, &n, rec->fields[i], rec->lens[i]);
	}
}

/* Checks what csv_next returned against the record invariants; 0 if they hold. */
static int check_invariants(int rc, const struct csv_record *rec, const struct csv_reader *r)
{
	if (rc != 1) {
		/* No fields; an error message exactly when rc is -1, with the line. */
		int ok = rec->nfields == 0 && rec->fields == NULL;

		ok = ok && (rc < 0) == (*csv_error(r) != '\0');
		ok = ok && (rc == 0 || rec->line >= 1);
		return ok ? 0 : -1;
	}
	if (*csv_error(r) != '\0' || rec->nfields == 0 || rec->nfields > CSV_FIELDS_MAX)
		return -1;
	for (size_t i = 0; i < rec->nfields; i++)
		if (rec->lens[i] != strlen(rec->fields[i]) || rec->lens[i] > CSV_FIELD_MAX)
			return -1;
	return 0;
}

static char *build_input(const struct csv_case *c, size_t *len)
{
	size_t postlen = c->post ? strlen(c->post) : 0;
	char *p = malloc(c->inlen + c->nfill + postlen + 1);

	assert_non_null(p);
	if (c->inlen)
		memcpy(p, c->in, c->inlen);
	memset(p + c->inlen, c->fill, c->nfill);
	if (postlen)
		memcpy(p + c->inlen + c->nfill, c->post, postlen);
	*len = c->inlen + c->nfill + postlen;
	return p;
}

/* Runs one case; returns the number of mismatches, printing each. */
static int run_case(const struct csv_case *c, char *desc)
{
	size_t len, i;
	char *input = build_input(c, &len);
	FILE *fp = fmemopen(input, len, "r");
	struct csv_reader *r = csv_reader_new(fp, "t.csv");
	struct csv_record rec;
	int bad = 0, rc;

	assert_non_null(fp);
	assert_non_null(r);
	for (i = 0; i <= MAX_RESULTS + 2; i++) {
		const char *want = i < MAX_RESULTS && c->out[i] ? c->out[i] : "(end)";

		rc = csv_next(r, &rec);
		describe(desc, rc, &rec, r);
		if (check_invariants(rc, &rec, r) < 0) {
			print_error("case \"%s\", result %zu: invariants broken: %s\n", c->name, i,
				    desc);
			bad++;
		}
		if (strcmp(desc, want) != 0) {
			print_error("case \"%s\", result %zu:\n  expected: %s\n  actual:   %s\n",
				    c->name, i, want, desc);
			bad++;
			break;
		}
		/* Once at the end, one more call must stay there. */
		if (rc == 0) {
			rc = csv_next(r, &rec);
			if (rc != 0 || *csv_error(r) != '\0') {
				print_error("case \"%s\": end of input not sticky (%d)\n", c->name,
					    rc);
				bad++;
			}
			break;
		}
	}
	if (csv_delimiter(r) != (c->delim ? c->delim : ',')) {
		print_error("case \"%s\": delimiter '%c', expected '%c'\n", c->name,
			    csv_delimiter(r), c->delim ? c->delim : ',');
		bad++;
	}
	csv_reader_destroy(&r);
	fclose(fp);
	free(input);
	return bad;
}

static void test_csv_cases(void **state)
{
	char *desc = malloc(DESC_MAX);
	int bad = 0;

	(void)state;
	assert_non_null(desc);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		bad += run_case(&cases[i], desc);
	free(desc);
	assert_int_equal(bad, 0);
}

struct utf8_case {
	const char *name;
	const char *s;
	size_t len;
	int valid;
};

#define U(s) (s), sizeof(s) - 1

static const struct utf8_case utf8_cases[] = {
    {"empty", U(""), 1},
    {"ASCII", U("internet_users"), 1},
    {"Vietnamese", U("Xã Sơn Nham, huyện Sơn Hà, tỉnh Quảng Ngãi"), 1},
    {"NUL is a character", U("a\0b"), 1},
    {"two-byte smallest C2 80", U("\xC2\x80"), 1},
    {"two-byte largest DF BF", U("\xDF\xBF"), 1},
    {"three-byte smallest E0 A0 80", U("\xE0\xA0\x80"), 1},
    {"last before surrogates ED 9F BF", U("\xED\x9F\xBF"), 1},
    {"first after surrogates EE 80 80", U("\xEE\x80\x80"), 1},
    {"U+FFFF EF BF BF", U("\xEF\xBF\xBF"), 1},
    {"four-byte smallest F0 90 80 80", U("\xF0\x90\x80\x80"), 1},
    {"U+10FFFF F4 8F BF BF", U("\xF4\x8F\xBF\xBF"), 1},
    {"overlong C0 80", U("\xC0\x80"), 0},
    {"overlong C1 BF", U("\xC1\xBF"), 0},
    {"overlong E0 80 80", U("\xE0\x80\x80"), 0},
    {"overlong E0 9F BF", U("\xE0\x9F\xBF"), 0},
    {"overlong F0 80 80 80", U("\xF0\x80\x80\x80"), 0},
    {"overlong F0 8F BF BF", U("\xF0\x8F\xBF\xBF"), 0},
    {"surrogate ED A0 80", U("\xED\xA0\x80"), 0},
    {"surrogate ED BF BF", U("\xED\xBF\xBF"), 0},
    {"beyond U+10FFFF F4 90 80 80", U("\xF4\x90\x80\x80"), 0},
    {"lead F5", U("\xF5\x80\x80\x80"), 0},
    {"byte FF", U("\xFF"), 0},
    {"lone continuation", U("a\x80"), 0},
    {"truncated two-byte", U("a\xC3"), 0},
    {"truncated three-byte", U("\xE1\x80"), 0},
    {"truncated four-byte", U("\xF0\x9F\x98"), 0},
    {"continuation replaced by ASCII", U("S\xE1n"), 0},
    {"Windows-1258 S\\xf5n", U("S\xf5n"), 0},
    {"too many continuations", U("\xC3\xA3\x80"), 0},
};

static void test_csv_utf8_valid(void **state)
{
	int bad = 0;

	(void)state;
	for (size_t i = 0; i < sizeof utf8_cases / sizeof utf8_cases[0]; i++) {
		const struct utf8_case *c = &utf8_cases[i];
		int got = csv_utf8_valid(c->s, c->len);

		if (got != c->valid) {
			print_error("utf8 case \"%s\": got %d, expected %d\n", c->name, got,
				    c->valid);
			bad++;
		}
	}
	assert_int_equal(bad, 0);
}

/* A stream that cannot be read: the error names the file and ends the input. */
static void test_csv_read_error(void **state)
{
	char buf[16] = "a,b\n";
	FILE *fp = fmemopen(buf, sizeof buf, "w");
	struct csv_reader *r = csv_reader_new(fp, "t.csv");
	struct csv_record rec;

	(void)state;
	assert_non_null(r);
	assert_int_equal(csv_next(r, &rec), -1);
	assert_non_null(strstr(csv_error(r), "t.csv:1: read error: "));
	assert_int_equal(csv_next(r, &rec), 0);
	assert_string_equal(csv_error(r), "");
	csv_reader_destroy(&r);
	fclose(fp);
}

/*
 * Thousands of records through the read buffer: every line number and value
 * must come out right, and errors clear on the next good record.
 */
static void test_csv_many_records(void **state)
{
	char *text = NULL, want[64], got[64];
	size_t len = 0;
	FILE *w = open_memstream(&text, &len);
	FILE *fp;
	struct csv_reader *r;
	struct csv_record rec;
	long n = 5000, line;
	int rc;

	(void)state;
	assert_non_null(w);
	for (line = 1; line <= n; line++)
		fprintf(w, line % 1000 == 0 ? "xã-%ld,\"bad\"x\r\n" : "xã-%ld,\"%ld\"\r\n", line,
			line * 7);
	fclose(w);
	fp = fmemopen(text, len, "r");
	r = csv_reader_new(fp, "big.csv");
	assert_non_null(r);
	for (line = 1; line <= n; line++) {
		rc = csv_next(r, &rec);
		if (line % 1000 == 0) {
			snprintf(want, sizeof want,
				 "big.csv:%ld: field 2: text after closing quote", line);
			assert_int_equal(rc, -1);
			assert_string_equal(csv_error(r), want);
			continue;
		}
		assert_int_equal(rc, 1);
		assert_string_equal(csv_error(r), "");
		assert_int_equal(rec.line, line);
		assert_int_equal(rec.nfields, 2);
		snprintf(want, sizeof want, "xã-%ld|%ld", line, line * 7);
		snprintf(got, sizeof got, "%s|%s", rec.fields[0], rec.fields[1]);
		assert_string_equal(got, want);
	}
	assert_int_equal(csv_next(r, &rec), 0);
	csv_reader_destroy(&r);
	fclose(fp);
	free(text);
}

static void test_csv_lifecycle(void **state)
{
	char buf[] = "a;b\n";
	FILE *fp = fmemopen(buf, sizeof buf - 1, "r");
	struct csv_reader *r = csv_reader_new(fp, NULL);
	struct csv_record rec;

	(void)state;
	assert_non_null(r);
	assert_int_equal(csv_delimiter(r), ','); /* nothing read yet */
	assert_string_equal(csv_error(r), "");
	assert_int_equal(csv_next(r, &rec), 1);
	assert_int_equal(csv_delimiter(r), ';');
	assert_int_equal(csv_next(r, &rec), 0);
	csv_reader_destroy(&r);
	assert_null(r);
	csv_reader_destroy(&r); /* safe twice */
	csv_reader_destroy(NULL);
	fclose(fp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_csv_cases),	   cmocka_unit_test(test_csv_utf8_valid),
	    cmocka_unit_test(test_csv_read_error), cmocka_unit_test(test_csv_many_records),
	    cmocka_unit_test(test_csv_lifecycle),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
