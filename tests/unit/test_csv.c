/*
 * Unit tests for lib/csv.c: tables of inputs, each with the exact sequence of
 * results csv_next must give.  A result is written as a string so that a case
 * reads like what an officer would see: "2: a|b|c" is a record starting on
 * line 2 with fields a, b and c; "! t.csv:3: ..." is the exact error, where a
 * last part "code(arg,arg)" stands for the text of that code of the message
 * table with those arguments (the texts are checked once, in full, by the
 * Vietnamese-text cases).  Runs of 16 or more equal bytes in a field are
 * written "{4096 x}".  After the listed results every case must reach the end
 * of input, twice.
 *
 * The dialect table then runs files as Excel and LibreOffice save them; its
 * non-UTF-8 inputs are written in UTF-8 here and turned into the real bytes
 * of their encoding (UTF-16, Windows code pages) by iconv, an encoder
 * independent of the reader.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <iconv.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "message.h"

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
	const char *enc; /* iconv name of the file's encoding; NULL: the bytes as written */
	char delim;	 /* expected delimiter; 0 means ',' */
	const char *out[MAX_RESULTS + 1];
};

#define IN(s) .in = (s), .inlen = sizeof(s) - 1

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
    {"row of empty fields skipped", IN(",,\na,,b\n"), .out = {"2: a||b"}},
    {"trailing delimiter gives an empty last field", IN("a,b,\n"), .out = {"1: a|b|"}},

    /* Byte-order marks. */
    {"UTF-8 BOM skipped", IN("\xEF\xBB\xBFunit,name\n21298,Xã Sơn Nham\n"),
     .out = {"1: unit|name", "2: 21298|Xã Sơn Nham"}},
    {"UTF-8 BOM only", IN("\xEF\xBB\xBF"), .out = {NULL}},
    {"Excel VN export: BOM, semicolons, CRLF",
     IN("\xEF\xBB\xBFunit;indicator;period;value\r\n21298;internet_users;2024;264\r\n\r\n"),
     .delim = ';', .out = {"1: unit|indicator|period|value", "2: 21298|internet_users|2024|264"}},
    {"UTF-16 LE read", IN("\xFF\xFEu\0n\0i\0t\0"), .out = {"1: unit"}},
    {"UTF-16 BE read", IN("\xFE\xFF\0u\0n"), .out = {"1: un"}},
    {"UTF-16 BOM only", IN("\xFF\xFE"), .out = {NULL}},
    {"UTF-16 lone high surrogate",
     IN("\xFF\xFE"
	"a\0\x00\xD8"
	"b\0\n\0"
	"c\0"),
     .out = {"! t.csv:1: cột A: csv_bad_utf16(2)", "2: c"}},
    {"UTF-16 lone low surrogate",
     IN("\xFE\xFF"
	"\0a\0,\xDC\x00\0\n"),
     .out = {"! t.csv:1: cột B: csv_bad_utf16(3)"}},
    {"UTF-16 high surrogate at end of input",
     IN("\xFF\xFE"
	"a\0\x3D\xD8"),
     .out = {"! t.csv:1: cột A: csv_bad_utf16(2)"}},
    {"UTF-16 odd last byte",
     IN("\xFF\xFE"
	"a\0\n\0"
	"b\0c"),
     .out = {"1: a", "! t.csv:2: cột A: csv_bad_utf16(2)"}},
    {"UTF-16 NUL character",
     IN("\xFF\xFE"
	"a\0,\0\0\0\n\0"
	"b\0"),
     .out = {"! t.csv:1: cột B: csv_nul()", "2: b"}},
    {"UTF-16 line numbers and CRLF",
     IN("\xFF\xFE"
	"a\0\r\0\n\0\r\0\n\0"
	"\"\0x\0\r\0\n\0y\0\"\0"),
     .out = {"1: a", "3: x\ny"}},
    {"partial BOM is bad UTF-8",
     IN("\xEF\xBB"
	"a\n"),
     .out = {"! t.csv:1: cột A: csv_not_utf8(EF,1)"}},
    {"UTF-16 BOM after the start is bad UTF-8", IN("a\n\xFF\xFE\n"),
     .out = {"1: a", "! t.csv:2: cột A: csv_not_utf8(FF,1)"}},

    /* Quotes. */
    {"quoted with comma", IN("\"Huyện Sơn Hà, Quảng Ngãi\",x\n"),
     .out = {"1: Huyện Sơn Hà, Quảng Ngãi|x"}},
    {"quoted with semicolon", IN("a,\"b;c\"\n"), .out = {"1: a|b;c"}},
    {"escaped quotes", IN("\"Trang \"\"TTĐT\"\" xã\",\"\"\"\"\n"),
     .out = {"1: Trang \"TTĐT\" xã|\""}},
    {"quoted empty fields are an empty row", IN("\"\",\"\"\nx\n"), .out = {"2: x"}},
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
     .out = {"1: a|b", "! t.csv:2: cột B: csv_not_utf8(C0,3)", "3: c|d"}},
    {"overlong E0 80 80", IN("\xE0\x80\x80\n"), .out = {"! t.csv:1: cột A: csv_not_utf8(E0,1)"}},
    {"surrogate ED A0 80", IN("S\xED\xA0\x80m\n"), .out = {"! t.csv:1: cột A: csv_not_utf8(ED,2)"}},
    {"beyond U+10FFFF", IN("\xF4\x90\x80\x80\n"), .out = {"! t.csv:1: cột A: csv_not_utf8(F4,1)"}},
    {"lone continuation byte", IN("Xã,\x80\n"), .out = {"! t.csv:1: cột B: csv_not_utf8(80,4)"}},
    {"Windows-1258 S\\xf5n", IN("S\xf5n\n"), .out = {"! t.csv:1: cột A: csv_not_utf8(F5,2)"}},
    {"Windows-1258 X\\xe3 then a good line", IN("unit,name\n21298,X\xe3 S\xf5n Nham\nok,1\n"),
     .out = {"1: unit|name", "! t.csv:2: cột B: csv_not_utf8(E3,8)", "3: ok|1"}},
    {"sequence cut by the closing quote", IN("\"ab\xe1\",c\n"),
     .out = {"! t.csv:1: cột A: csv_not_utf8(E1,4)"}},
    {"sequence cut by the delimiter", IN("a\xe1,c\n"),
     .out = {"! t.csv:1: cột A: csv_not_utf8(E1,2)"}},
    {"bad byte on a later line of a quoted field", IN("a,\"ok\nbad \xff\"\nz\n"),
     .out = {"! t.csv:2: cột B: csv_not_utf8(FF,5)", "3: z"}},
    {"four-byte character is valid", IN("x,\xF0\x9F\x98\x80\n"), .out = {"1: x|\xF0\x9F\x98\x80"}},

    /* Other errors in a record, each followed by recovery. */
    {"NUL byte", IN("a,b\0c\nd,e\n"), .out = {"! t.csv:1: cột B: csv_nul()", "2: d|e"}},
    {"text after closing quote", IN("\"a\"b,c\nd,e\n"),
     .out = {"! t.csv:1: cột A: csv_text_after_quote()", "2: d|e"}},
    {"rest of record skipped by the grammar", IN("\"a\" ,\"x\ny\"\nd\n"),
     .out = {"! t.csv:1: cột A: csv_text_after_quote()", "3: d"}},
    {"quote inside an unquoted field", IN("ab\"c,d\ne,f\n"),
     .out = {"! t.csv:1: cột A: csv_quote_inside()", "2: e|f"}},
    {"recovery after several bad records", IN("ok,1\nbad\"x,2\n\"y\"z,3\nok,4\n"),
     .out = {"1: ok|1", "! t.csv:2: cột A: csv_quote_inside()",
	     "! t.csv:3: cột A: csv_text_after_quote()", "4: ok|4"}},
    {"first error of a record wins", IN("a\"b,\"c\"d\n"),
     .out = {"! t.csv:1: cột A: csv_quote_inside()"}},
    {"unterminated quote at end of input", IN("a,b\nc,\"open\nmore\n"),
     .out = {"1: a|b", "! t.csv:2: cột B: csv_unterminated(2)"}},
    {"unterminated quote opened on a later line", IN("a,\"x\ny\",\"z\n"),
     .out = {"! t.csv:1: cột C: csv_unterminated(2)"}},
    {"unterminated quote wins over an earlier error", IN("a\"b,\"z\n"),
     .out = {"! t.csv:1: cột B: csv_unterminated(1)"}},

    /* Limits. */
    {"field of CSV_FIELD_MAX bytes", .fill = 'x', .nfill = CSV_FIELD_MAX, .post = "\nb\n",
     .out = {"1: {4096 x}", "2: b"}},
    {"field one byte too long", .fill = 'x', .nfill = CSV_FIELD_MAX + 1, .post = "\nb\n",
     .out = {"! t.csv:1: cột A: csv_field_too_long(4096)", "2: b"}},
    {"quoted field one byte too long", IN("a,\""), .fill = 'x', .nfill = CSV_FIELD_MAX + 1,
     .post = "\"\nb\n", .out = {"! t.csv:1: cột B: csv_field_too_long(4096)", "2: b"}},
    {"quoted field too long across lines", IN("a,\""), .fill = '\n', .nfill = CSV_FIELD_MAX + 1,
     .post = "\"\nb\n", .out = {"! t.csv:1: cột B: csv_field_too_long(4096)", "4099: b"}},
    {"64 fields", IN(A56 "a,a,a,a,a,a,a,a\n"), .out = {"1: " J56 "a|a|a|a|a|a|a|a"}},
    {"65 fields (trailing delimiter)", IN(A64 "\nb\n"),
     .out = {"! t.csv:1: cột BM: csv_too_many_fields(64)", "2: b"}},
    {"too many fields, then a quoted newline", IN(A64 A8 "\"x\ny\"\nb\n"),
     .out = {"! t.csv:1: cột BM: csv_too_many_fields(64)", "3: b"}},
    {"CRLF split across read chunks", .fill = 'x', .nfill = 4095, .post = "\r\nb\r\n",
     .out = {"1: {4095 x}", "2: b"}},
    {"lone CR at the end of a read chunk", .fill = 'x', .nfill = 4095, .post = "\rb\r",
     .out = {"1: {4095 x}", "2: b"}},
    {"semicolon found in a long first record", .fill = 'y', .nfill = 9000, .post = ";b\nc;d\n",
     .delim = ';', .out = {"! t.csv:1: cột A: csv_field_too_long(4096)", "2: c|d"}},
    {"tab wins", IN("a,b;c\td\n"), .delim = '\t', .out = {"1: a,b;c|d"}},
    {"more semicolons than commas", IN("a;b;c,d\n"), .delim = ';', .out = {"1: a|b|c,d"}},
};

/* What Excel writes in Vietnamese when a file is not UTF-8: the full text, once. */
#define VI_NOT_UTF8(byte, ch)                                                                                  \
	"tệp không phải là văn bản UTF-8 (byte 0x" byte " ở ký tự thứ " ch " của dòng), thường "         \
	"do lưu bằng kiểu \"CSV (Comma delimited)\": hãy mở tệp bằng Excel, chọn Save As (Lưu " \
	"thành) kiểu \"CSV UTF-8 (Comma delimited)\" rồi gửi lại"
#define BOM "\xEF\xBB\xBF" /* U+FEFF; iconv writes it in the file's encoding */

/*
 * Files as Excel (Windows, Vietnamese or English locale) and LibreOffice save
 * a sheet, one row per variant, with the records they must give.
 */
static const struct csv_case dialects[] = {
    {"Excel vi-VN \"CSV UTF-8\": BOM, ';', CRLF, grouped numbers, decimal comma",
     IN(BOM "unit;indicator;period;value;note\r\n"
	    "21298;population;2024;1.463;\r\n"
	    "21298;internet_users_pct;2024;89,52;\"ước tính; theo thôn\"\r\n"),
     .delim = ';',
     .out = {"1: unit|indicator|period|value|note", "2: 21298|population|2024|1.463|",
	     "3: 21298|internet_users_pct|2024|89,52|ước tính; theo thôn"}},
    {"Excel en-US \"CSV UTF-8\": BOM, ',', CRLF, quoted grouped number",
     IN(BOM "unit,indicator,period,value\r\n21298,population,2024,\"1,463\"\r\n"),
     .out = {"1: unit|indicator|period|value", "2: 21298|population|2024|1,463"}},
    {"Excel vi-VN \"CSV (Comma delimited)\": Windows-1258, refused in Vietnamese",
     IN("unit,name\r\n21298,Xã Sơn Nham\r\n536,Huyện Sơn Hà\r\n"), .enc = "CP1258",
     .out = {"1: unit|name", "! t.csv:2: cột B: " VI_NOT_UTF8("DE", "9"),
	     "! t.csv:3: cột B: " VI_NOT_UTF8("EA", "8")}},
    {"Excel en-US \"CSV (Comma delimited)\": Windows-1252, refused",
     IN("unit,name\r\n1,Hà Nam\r\n"), .enc = "CP1252",
     .out = {"1: unit|name", "! t.csv:2: cột B: csv_not_utf8(E0,4)"}},
    {"Excel \"Unicode Text\": UTF-16 LE, BOM, tab, CRLF, quotes only around quotes",
     IN(BOM "unit\tindicator\tperiod\tvalue\tnote\r\n"
	    "21298\tpopulation\t2024\t1.463\tdân số, ước\r\n"
	    "21298\thouseholds\t2024\t1440\t\"thôn \"\"Gò Da\"\"\"\r\n"),
     .enc = "UTF-16LE", .delim = '\t',
     .out = {"1: unit|indicator|period|value|note", "2: 21298|population|2024|1.463|dân số, ước",
	     "3: 21298|households|2024|1440|thôn \"Gò Da\""}},
    {"UTF-16 BE with BOM (LibreOffice \"Unicode\"), comma, LF",
     IN(BOM "unit,name\n21298,Xã Sơn Nham\n"), .enc = "UTF-16BE",
     .out = {"1: unit|name", "2: 21298|Xã Sơn Nham"}},
    {"UTF-16 LE: a character beyond U+FFFF across the read chunks", IN(BOM), .fill = 'x',
     .nfill = 2046, .post = "\xF0\x9F\x98\x80,b\n", .enc = "UTF-16LE",
     .out = {"1: {2046 x}\xF0\x9F\x98\x80|b"}},
    {"UTF-16 LE: a file larger than the read buffer", IN(BOM "a\tb\n"), .fill = 'y', .nfill = 4000,
     .post = "\tă\n", .enc = "UTF-16LE", .delim = '\t', .out = {"1: a|b", "2: {4000 y}|ă"}},
    {"LibreOffice UTF-8, ',', LF, no BOM, quoted text with a comma",
     IN("unit,indicator,period,value,note\n21298,population,2024,5000,\"dân số, ước\"\n"),
     .out = {"1: unit|indicator|period|value|note", "2: 21298|population|2024|5000|dân số, ước"}},
    {"LibreOffice UTF-8, ';', quoted decimal comma", IN("unit;value\n21298;\"1.463,5\"\n"),
     .delim = ';', .out = {"1: unit|value", "2: 21298|1.463,5"}},
    {"LibreOffice UTF-8, tab", IN("unit\tvalue\n21298\t5,28\n"), .delim = '\t',
     .out = {"1: unit|value", "2: 21298|5,28"}},
    {"a header with a comma in a ';' file", IN("unit;\"note\";tên, mã\n1;2;3\n"), .delim = ';',
     .out = {"1: unit|note|tên, mã", "2: 1|2|3"}},
    {"sep=; line honoured and counted", IN("sep=;\r\nunit;value\r\n21298;\"1.463\"\r\n"),
     .delim = ';', .out = {"2: unit|value", "3: 21298|1.463"}},
    {"sep= after a BOM, in capitals", IN(BOM "SEP=,\nunit;x,value\n"), .out = {"2: unit;x|value"}},
    {"sep= in UTF-16", IN(BOM "sep=\t\r\nunit\tvalue\r\n"), .enc = "UTF-16LE", .delim = '\t',
     .out = {"2: unit|value"}},
    {"sep=;;;; as a spreadsheet re-saves it", IN("sep=;;;;\nunit;value;;;\n"), .delim = ';',
     .out = {"2: unit|value|||"}},
    {"sep=| honoured", IN("sep=|\na|b\n"), .delim = '|', .out = {"2: a|b"}},
    {"sep= naming no delimiter refused", IN("sep=:\na:b\n"),
     .out = {"! t.csv:1: csv_sep_unknown(:)"}},
    {"sep=... followed by text is data", IN("sep=;x\n"), .delim = ';', .out = {"1: sep=|x"}},
    {"blank rows and ',,,' rows skipped, lines still counted",
     IN("unit,value,,\r\n,,,\r\n\r\n21298,5,,\r\n,,,\r\n\"\",,,\r\n536,6,,\r\n,,,"),
     .out = {"1: unit|value||", "4: 21298|5||", "7: 536|6||"}},
    {"';;;' rows skipped", IN("unit;value\n;\n;;\n1;2\n;;;;\n"), .delim = ';',
     .out = {"1: unit|value", "4: 1|2"}},
    {"trailing empty columns kept for the caller", IN("unit,value,,,\n1,2,,,\n"),
     .out = {"1: unit|value|||", "2: 1|2|||"}},
    {"old Mac Excel: CR only, quoted CR", IN("unit,note\r1,\"dòng 1\rdòng 2\"\r2,x\r"),
     .out = {"1: unit|note", "2: 1|dòng 1\ndòng 2", "4: 2|x"}},
    {"quoted fields with newlines and decimal commas",
     IN("unit,value,note\n1,\"1,5\",\"a\r\nb\"\n2,\"2.115.025.641\",\n"),
     .out = {"1: unit|value|note", "2: 1|1,5|a\nb", "4: 2|2.115.025.641|"}},
    {"spaces Excel keeps around values are kept", IN("unit ; value\n 21298 ; 1.463 \n"),
     .delim = ';', .out = {"1: unit | value", "2:  21298 | 1.463 "}},
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

/* The bytes of text (UTF-8, len bytes) in encoding enc, by iconv; *len becomes theirs. */
static char *encode(char *text, size_t *len, const char *enc)
{
	iconv_t cd = iconv_open(enc, "UTF-8");
	size_t left = *len, room = *len * 4 + 16;
	char *out = malloc(room), *in = text, *o = out;

	assert_true(cd != (iconv_t)-1);
	assert_non_null(out);
	if (iconv(cd, &in, &left, &o, &room) == (size_t)-1)
		fail_msg("iconv to %s failed at byte %zu", enc, (size_t)(in - text));
	iconv_close(cd);
	*len = (size_t)(o - out);
	free(text);
	return out;
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
	return c->enc ? encode(p, len, c->enc) : p;
}

/*
 * want as csv_error would write it: a last part "code(a,b)" that names a
 * message becomes its text with those arguments (at most two).
 */
static void expand(const char *want, char *buf, size_t size)
{
	const char *open = strrchr(want, '('), *part = open;
	char code[64], args[2][64] = {"", ""};
	size_t n = 0, len;

	snprintf(buf, size, "%s", want);
	if (want[0] != '!' || !open || want[strlen(want) - 1] != ')')
		return;
	while (part > want && part[-1] != ' ')
		part--;
	snprintf(code, sizeof code, "%.*s", (int)(open - part), part);
	if (!message_find(code))
		return;
	for (const char *a = open + 1; *a != ')' && n < 2; n++) {
		len = strcspn(a, ",)");
		snprintf(args[n], sizeof args[n], "%.*s", (int)len, a);
		a += len + (a[len] == ',');
	}
	len = (size_t)(part - want);
	snprintf(buf, size, "%.*s", (int)len, want);
	if (n == 0)
		message_format(buf + len, size - len, code, NULL);
	else if (n == 1)
		message_format(buf + len, size - len, code, args[0], NULL);
	else
		message_format(buf + len, size - len, code, args[0], args[1], NULL);
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
		char want[2048];

		expand(i < MAX_RESULTS && c->out[i] ? c->out[i] : "(end)", want, sizeof want);

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

/* Runs a table of n cases; fails the test if any case did. */
static void run_table(const struct csv_case *table, size_t n)
{
	char *desc = malloc(DESC_MAX);
	int bad = 0;

	assert_non_null(desc);
	for (size_t i = 0; i < n; i++)
		bad += run_case(&table[i], desc);
	free(desc);
	assert_int_equal(bad, 0);
}

static void test_csv_cases(void **state)
{
	(void)state;
	run_table(cases, sizeof cases / sizeof cases[0]);
}

static void test_csv_dialects(void **state)
{
	(void)state;
	run_table(dialects, sizeof dialects / sizeof dialects[0]);
}

/* Once the caller named the columns, an error says the header's name with the letter. */
static void test_csv_column_names(void **state)
{
	char buf[] = "unit, value ,\n21298,\"5\"x,\n21298,5,\"a\"b\n", want[1024], col[16];
	FILE *fp = fmemopen(buf, sizeof buf - 1, "r");
	struct csv_reader *r = csv_reader_new(fp, "t.csv");
	struct csv_record rec;
	static const struct {
		size_t n;
		const char *letters;
	} letters[] = {{1, "A"},   {26, "Z"},  {27, "AA"},  {52, "AZ"},
		       {53, "BA"}, {64, "BL"}, {702, "ZZ"}, {703, "AAA"}};

	(void)state;
	assert_non_null(r);
	assert_int_equal(csv_next(r, &rec), 1);
	csv_name_columns(r, &rec);
	assert_int_equal(csv_next(r, &rec), -1);
	expand("! t.csv:2: cột B (value): csv_text_after_quote()", want, sizeof want);
	assert_string_equal(want + 2, csv_error(r));
	assert_int_equal(csv_next(r, &rec), -1); /* the third header cell is empty */
	expand("! t.csv:3: cột C: csv_text_after_quote()", want, sizeof want);
	assert_string_equal(want + 2, csv_error(r));
	csv_reader_destroy(&r);
	fclose(fp);
	for (size_t i = 0; i < sizeof letters / sizeof letters[0]; i++) {
		csv_column_letters(letters[i].n, col, sizeof col);
		assert_string_equal(col, letters[i].letters);
	}
	csv_column_letters(28, col, 2); /* cut to fit */
	assert_string_equal(col, "A");
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
	assert_non_null(strstr(csv_error(r), "t.csv:1: không đọc được tệp: "));
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
	char *text = NULL, want[64], got[1024];
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
			snprintf(want, sizeof want, "! big.csv:%ld: cột B: csv_text_after_quote()",
				 line);
			assert_int_equal(rc, -1);
			expand(want, got, sizeof got);
			assert_string_equal(csv_error(r), got + 2);
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
	    cmocka_unit_test(test_csv_cases),	     cmocka_unit_test(test_csv_utf8_valid),
	    cmocka_unit_test(test_csv_read_error),   cmocka_unit_test(test_csv_many_records),
	    cmocka_unit_test(test_csv_lifecycle),    cmocka_unit_test(test_csv_dialects),
	    cmocka_unit_test(test_csv_column_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
