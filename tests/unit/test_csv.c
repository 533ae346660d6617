/* csv: records, line numbers, errors and recovery, encodings. */
#include "testutil.h"

#include "csv.h"

/* Reads all of input and renders what came out: "L1[a|b] E<msg> L3[c]". */
static void render(const char *input, size_t len, char *out, size_t size)
{
	FILE *fp = fmemopen((void *)input, len, "r");
	struct csv_reader *r = csv_reader_new(fp, "f.csv");
	struct csv_record rec;
	int got;
	size_t o = 0;

	out[0] = '\0';
	while ((got = csv_next(r, &rec)) != 0 && o < size - 1) {
		if (got < 0) {
			o += (size_t)snprintf(out + o, size - o, "E<%s> ", csv_error(r));
			continue;
		}
		o += (size_t)snprintf(out + o, size - o, "L%ld[", rec.line);
		for (size_t i = 0; i < rec.nfields; i++) {
			assert_int_equal(strlen(rec.fields[i]), rec.lens[i]);
			o += (size_t)snprintf(out + o, size - o, "%s%s", i ? "|" : "",
					      rec.fields[i]);
		}
		o += (size_t)snprintf(out + o, size - o, "] ");
	}
	if (o && out[o - 1] == ' ')
		out[o - 1] = '\0';
	csv_reader_destroy(&r);
	fclose(fp);
}

static void test_records(void **state)
{
	static const struct {
		const char *name, *in, *want;
	} cases[] = {
	    {"plain", "a,b\n1,2\n", "L1[a|b] L2[1|2]"},
	    {"crlf", "a,b\r\n1,2\r\n", "L1[a|b] L2[1|2]"},
	    {"lone cr", "a,b\rc,d\r", "L1[a|b] L2[c|d]"},
	    {"no final newline", "a,b\n1,2", "L1[a|b] L2[1|2]"},
	    {"bom", "\xEF\xBB\xBFunit,value\n1,2\n", "L1[unit|value] L2[1|2]"},
	    {"semicolon", "a;b;c\n1;\"x;y\";3\n", "L1[a|b|c] L2[1|x;y|3]"},
	    {"comma wins", "a,b;c\n1,2;3\n", "L1[a|b;c] L2[1|2;3]"},
	    {"quoted", "a,b\n\"he said \"\"hi\"\"\",\"x,y\"\n", "L1[a|b] L2[he said \"hi\"|x,y]"},
	    {"multiline", "a,b\n\"one\ntwo\",3\n4,5\n", "L1[a|b] L2[one\ntwo|3] L4[4|5]"},
	    {"crlf in quotes", "a\n\"x\r\ny\"\n", "L1[a] L2[x\ny]"},
	    {"blank lines", "a\n\n\nb\n\r\nc", "L1[a] L4[b] L6[c]"},
	    {"empty fields", "a,,c\n,,\n", "L1[a||c] L2[||]"},
	    {"trailing delimiter", "a,b,\n", "L1[a|b|]"},
	    {"vietnamese", "Xã Sơn Nham,21298\n", "L1[Xã Sơn Nham|21298]"},
	    {"not a bom", "\xEF\xBC\x8C,x\n", "L1[，|x]"},
	    {"spaces kept", " a , b \n", "L1[ a | b ]"},
	};
	char out[512];
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		render(cases[i].in, strlen(cases[i].in), out, sizeof out);
		CHECK_STR(cases[i].name, cases[i].want, out);
	}
}

static void test_errors(void **state)
{
	static const struct {
		const char *name, *in;
		size_t len; /* 0: strlen */
		const char *want;
	} cases[] = {
	    {"quote inside", "a,b\n1,x\"y\n2,3\n", 0,
	     "L1[a|b] E<f.csv:2: field 2: quote inside an unquoted field> L3[2|3]"},
	    {"after closing quote", "a\n\"z\"q,4\n5\n", 0,
	     "L1[a] E<f.csv:2: field 1: text after closing quote> L3[5]"},
	    {"windows-1258", "a,b\n5,S\xf5n\n6,7\n", 0,
	     "L1[a|b] E<f.csv:2: field 2: not valid UTF-8 (byte 0xF5 at column 2): save the file "
	     "as "
	     "\"CSV UTF-8\"> L3[6|7]"},
	    {"overlong", "\xC0\x80\n", 0,
	     "E<f.csv:1: field 1: not valid UTF-8 (byte 0xC0 at column 1)"},
	    {"surrogate", "x\xED\xA0\x80\n", 0,
	     "E<f.csv:1: field 1: not valid UTF-8 (byte 0xED at column 2)"},
	    {"truncated sequence", "ab\xE1\xBA\n", 0,
	     "E<f.csv:1: field 1: not valid UTF-8 (byte 0xE1 at column 3)"},
	    {"utf-16", "\xFF\xFEu\0n\0", 6, "E<f.csv:1: file is UTF-16: save it from Excel"},
	    {"unterminated", "a,b\n\"abc,d\n", 0,
	     "L1[a|b] E<f.csv:3: unterminated quoted field starting at line 2>"},
	    {"nul", "a\0b\nc\n", 5, "E<f.csv:1: field 1: NUL byte in field> L2[c]"},
	};
	char out[512];
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		render(cases[i].in, cases[i].len ? cases[i].len : strlen(cases[i].in), out,
		       sizeof out);
		CHECK_HAS(cases[i].name, cases[i].want, out);
	}
}

static void test_limits(void **state)
{
	size_t n = CSV_FIELD_MAX + 10, o = 0;
	char *big = malloc(n + 64), out[512];
	(void)state;
	memset(big, 'x', n);
	o = n;
	o += (size_t)snprintf(big + o, 64, "\nok\n");
	render(big, o, out, sizeof out);
	CHECK_HAS("long field", "field 1: longer than the limit of 4096 bytes", out);
	CHECK_HAS("recovers", "L2[ok]", out);
	free(big);

	char many[1024];
	o = 0;
	for (int i = 0; i < CSV_FIELDS_MAX + 1; i++)
		o += (size_t)snprintf(many + o, sizeof many - o, "%s%d", i ? "," : "", i);
	o += (size_t)snprintf(many + o, sizeof many - o, "\nend\n");
	render(many, o, out, sizeof out);
	CHECK_HAS("too many fields", "more than 64 fields", out);
	CHECK_HAS("recovers", "L2[end]", out);
}

static void test_utf8(void **state)
{
	static const struct {
		const char *s;
		int ok;
	} cases[] = {
	    {"", 1},	     {"abc", 1},	  {"Sơn Nham", 1},	   {"\xF0\x9F\x98\x80", 1},
	    {"\xC0\xAF", 0}, {"\xE0\x80\xAF", 0}, {"\xED\xBF\xBF", 0},	   {"\xF4\x90\x80\x80", 0},
	    {"\x80", 0},     {"\xC3", 0},	  {"\xF5\x80\x80\x80", 0},
	};
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		CHECK_INT(cases[i].s, cases[i].ok, csv_utf8_valid(cases[i].s, strlen(cases[i].s)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_records),
	    cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_limits),
	    cmocka_unit_test(test_utf8),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
