/*
 * Unit tests for batch, decoding the rows of a BATCH body: the canonical value
 * text, every way a row can be refused (with the exact message), accepted
 * rows and notes, whole-batch failures, qualifiers, and the codes a row can
 * be refused or flagged with, checked against every source that sends one.
 * Encoding is tested in test_batch_encode.c, the ACK in test_batch_ack.c.
 */
#include "test_batch.h"

#define ROW_HEAD "{\"unit\":\"21298\",\"indicator\":\"internet_users\",\"period\":\"2024\","

/* Decodes {"epoch":1,"seq":1,"rows":[rows]}; fails the test if refused whole. */
static struct batch *decode_rows(const char *name, const char *rows)
{
	char body[4096], err[256];
	struct batch *b = NULL;

	snprintf(body, sizeof body, "{\"epoch\":1,\"seq\":1,\"rows\":[%s]}", rows);
	if (batch_decode(body, strlen(body), NULL, &b, err, sizeof err) != 0)
		fail_msg("case \"%s\": batch refused: %s", name, err);
	return b;
}

/* A value as sent, and the canonical text it decodes to or the start of its refusal. */
static const struct {
	const char *json;
	const char *reason; /* NULL: accepted */
	const char *text;   /* canonical text, or a fragment of the message */
	bool integer;
	double value;
} value_cases[] = {
    {"264", NULL, "264", true, 264},
    {"-12", NULL, "-12", true, -12},
    {"0", NULL, "0", true, 0},
    {"-0", NULL, "0", true, 0},
    {"-0.0", NULL, "0", true, 0},
    {"0e5", NULL, "0", true, 0},
    {"5.28", NULL, "5.28", false, 5.28},
    {"264.0", NULL, "264", true, 264},
    {"1463.250", NULL, "1463.25", false, 1463.25},
    {"1e3", NULL, "1000", true, 1000},
    {"5e3", NULL, "5000", true, 5000},
    {"5.0E+3", NULL, "5000", true, 5000},
    {"5000.000", NULL, "5000", true, 5000},
    {"1E2", NULL, "100", true, 100},
    {"1.5e-3", NULL, "0.0015", false, 0.0015},
    {"1E-5", NULL, "0.00001", false, 0.00001},
    {"-1.5e-7", NULL, "-0.00000015", false, -0.00000015},
    {"0.0001", NULL, "0.0001", false, 0.0001},
    {"0.1", NULL, "0.1", false, 0.1},
    {"48000000", NULL, "48000000", true, 48000000},
    {"999999999999999", NULL, "999999999999999", true, 999999999999999.0},
    {"-999999999999999", NULL, "-999999999999999", true, -999999999999999.0},
    {"0.000000000000001", NULL, "0.000000000000001", false, 1e-15},
    {"1e14", NULL, "100000000000000", true, 1e14},
    /* The rule on the literal as written (issue 17): refused, never rounded. */
    {"1e+16", "bad_value",
     "row 0: field \"value\": 1e+16 is refused: a value has at most 15 significant "
     "digits, at most 15 digits before the decimal point and 15 after it",
     false, 0},
    {"1e300", "bad_value", "field \"value\": 1e300 is refused", false, 0},
    {"1e15", "bad_value", "field \"value\": 1e15 is refused", false, 0},
    {"1e-16", "bad_value", "1e-16 is refused", false, 0},
    {"0.1234567890123456", "bad_value", "0.1234567890123456 is refused", false, 0},
    {"1234567890123456", "bad_value", "1234567890123456 is refused", false, 0},
    {"0.30000000000000004", "bad_value", "0.30000000000000004 is refused", false, 0},
    {"123456789012345.67", "bad_value", "is refused", false, 0},
    {"1000000000000000", "bad_value", "is refused", false, 0},
    {"-1000000000000000", "bad_value", "is refused", false, 0},
    {"9223372036854775807", "bad_value", "is refused", false, 0},
    {"999999999999999.9", "bad_value", "is refused", false, 0},
    {"1e-22", "bad_value", "is refused", false, 0},
    {"-1.23456789012345e-23", "bad_value", "is refused", false, 0},
    {"1.5e-300", "bad_value", "is refused", false, 0},
    {"1"
     "00000000000000000000000000000000000000000000000000000000000000000000000000000000.5",
     "bad_value",
     "field \"value\": 100000000000000000000000000000000000000000000000000000000000000"
     "0... is refused",
     false, 0},
    {"\"264\"", "bad_value", "row 0: field \"value\": expected a number, got a string", false, 0},
    {"true", "bad_value", "expected a number, got a boolean", false, 0},
    {"null", "bad_value", "expected a number, got null", false, 0},
    {"{}", "bad_value", "expected a number, got an object", false, 0},
};

static void test_values(void **state)
{
	char rows[256];
	(void)state;
	for (size_t i = 0; i < N(value_cases); i++) {
		snprintf(rows, sizeof rows, ROW_HEAD "\"value\":%s}", value_cases[i].json);
		struct batch *b = decode_rows(value_cases[i].json, rows);
		const struct batch_row *r = &b->rows[0];
		if (value_cases[i].reason) {
			if (!r->reason || strcmp(r->reason, value_cases[i].reason) != 0 ||
			    !strstr(r->message, value_cases[i].text))
				fail_msg("case %s: reason %s message \"%s\"", value_cases[i].json,
					 r->reason ? r->reason : "none", r->message);
		} else if (r->reason || strcmp(r->value.text, value_cases[i].text) != 0 ||
			   r->value.integer != value_cases[i].integer ||
			   r->value.value != value_cases[i].value) {
			fail_msg("case %s: reason %s text \"%s\" integer %d value %.17g",
				 value_cases[i].json, r->reason ? r->reason : "none", r->value.text,
				 r->value.integer, r->value.value);
		}
		batch_destroy(&b);
	}
}

/* A refused value is kept as sent (v_rejection.value_text), at most 64 bytes. */
static void test_value_sent(void **state)
{
	static const struct {
		const char *json, *sent;
	} cases[] = {
	    {"1e+16", "1e+16"},
	    {"5.0E+300", "5.0E+300"},
	    {"\"264\"", "\"264\""},
	    {"\"ư\\u1edbc\"", "\"ước\""},
	    {"true", "true"},
	    {"null", "null"},
	    {"[1, 2 ,\"a\" ]", "[1,2,\"a\"]"},
	    {"{}", "{}"},
	    {"0.1234567890123456789012345678901234567890123456789012345678901234567890",
	     "0.12345678901234567890123456789012345678901234567890123456789012"},
	    /* 21 three-byte characters and a quote: cut before the character that does not fit */
	    {"\"ớớớớớớớớớớớớớớớ"
	     "ớớớớớớớ\"",
	     "\"ớớớớớớớớớớớớớớ"
	     "ớớớớớớớ"},
	    /* accepted: the canonical text is the record, nothing kept as sent */
	    {"5e3", ""},
	};
	char rows[256];
	(void)state;
	for (size_t i = 0; i < N(cases); i++) {
		snprintf(rows, sizeof rows, ROW_HEAD "\"value\":%s}", cases[i].json);
		struct batch *b = decode_rows(cases[i].json, rows);
		if (strcmp(b->rows[0].value_sent, cases[i].sent) != 0)
			fail_msg("case %s: kept \"%s\"", cases[i].json, b->rows[0].value_sent);
		batch_destroy(&b);
	}
	struct batch *b = decode_rows("missing", ROW_HEAD "\"ref\":\"x\"}");
	assert_string_equal(b->rows[0].value_sent, "");
	assert_string_equal(b->rows[0].value.text, "");
	batch_destroy(&b);
}

/* Rows refused with their reason and exact message, each in a batch not refused whole. */
static const struct {
	const char *name, *row, *reason, *message;
} row_refused_cases[] = {
    {"not an object", "\"x\"", "bad_row", "row 0: expected an object, got a string"},
    {"an array", "[1]", "bad_row", "row 0: expected an object, got an array"},
    {"null", "null", "bad_row", "row 0: expected an object, got null"},
    {"unknown field", ROW_HEAD "\"value\":1,\"remark\":\"x\"}", "bad_row",
     "row 0: unknown field \"remark\""},
    {"unit number", "{\"unit\":21298,\"indicator\":\"a\",\"period\":\"2024\",\"value\":1}",
     "bad_row", "row 0: field \"unit\": expected a string of digits, got a number"},
    {"unit letters", "{\"unit\":\"21a98\",\"indicator\":\"a\",\"period\":\"2024\",\"value\":1}",
     "bad_row", "row 0: field \"unit\": expected a string of digits, got \"21a98\""},
    {"unit with space", "{\"unit\":\" 21298\",\"indicator\":\"a\",\"period\":\"2024\",\"value\":1}",
     "bad_row", "row 0: field \"unit\": expected a string of digits, got \" 21298\""},
    {"unit empty", "{\"unit\":\"\",\"indicator\":\"a\",\"period\":\"2024\",\"value\":1}", "bad_row",
     "row 0: field \"unit\": empty"},
    {"unit 17 digits",
     "{\"unit\":\"12345678901234567\",\"indicator\":\"a\",\"period\":\"2024\","
     "\"value\":1}",
     "bad_row", "row 0: field \"unit\": 17 bytes, limit 16"},
    {"unit missing", "{\"indicator\":\"a\",\"period\":\"2024\",\"value\":1}", "bad_row",
     "row 0: missing field \"unit\""},
    {"indicator capitals",
     "{\"unit\":\"1\",\"indicator\":\"Internet_users\",\"period\":\"2024\",\"value\":1}", "bad_row",
     "row 0: field \"indicator\": expected a code of a-z, 0-9 and _, got "
     "\"Internet_users\""},
    {"indicator dash",
     "{\"unit\":\"1\",\"indicator\":\"internet-users\",\"period\":\"2024\",\"value\":1}", "bad_row",
     "row 0: field \"indicator\": expected a code of a-z, 0-9 and _, got "
     "\"internet-users\""},
    {"indicator 65 bytes",
     "{\"unit\":\"1\",\"indicator\":\"" A64 "b\",\"period\":\"2024\",\"value\":1}", "bad_row",
     "row 0: field \"indicator\": 65 bytes, limit 64"},
    {"indicator missing", "{\"unit\":\"1\",\"period\":\"2024\",\"value\":1}", "bad_row",
     "row 0: missing field \"indicator\""},
    {"period and date",
     "{\"unit\":\"1\",\"indicator\":\"a\",\"period\":\"2024\",\"date\":\"2024-06-10\","
     "\"value\":1}",
     "bad_row", "row 0: fields \"period\" and \"date\" exclude each other"},
    {"neither period nor date", "{\"unit\":\"1\",\"indicator\":\"a\",\"value\":1}", "bad_row",
     "row 0: missing field \"period\" (or \"date\")"},
    {"period empty", "{\"unit\":\"1\",\"indicator\":\"a\",\"period\":\"\",\"value\":1}", "bad_row",
     "row 0: field \"period\": empty"},
    {"period 17 bytes",
     "{\"unit\":\"1\",\"indicator\":\"a\",\"period\":\"20242024202420242\",\"value\":1}", "bad_row",
     "row 0: field \"period\": 17 bytes, limit 16"},
    {"period number", "{\"unit\":\"1\",\"indicator\":\"a\",\"period\":2024,\"value\":1}", "bad_row",
     "row 0: field \"period\": expected a string, got a number"},
    {"date short", "{\"unit\":\"1\",\"indicator\":\"a\",\"date\":\"2024-6-10\",\"value\":1}",
     "bad_date", "row 0: field \"date\": expected \"YYYY-MM-DD\", got \"2024-6-10\""},
    {"date slashes", "{\"unit\":\"1\",\"indicator\":\"a\",\"date\":\"2024/06/10\",\"value\":1}",
     "bad_date", "row 0: field \"date\": expected \"YYYY-MM-DD\", got \"2024/06/10\""},
    {"date long", "{\"unit\":\"1\",\"indicator\":\"a\",\"date\":\"2024-06-100\",\"value\":1}",
     "bad_row", "row 0: field \"date\": 11 bytes, limit 10"},
    {"date number", "{\"unit\":\"1\",\"indicator\":\"a\",\"date\":20240610,\"value\":1}", "bad_row",
     "row 0: field \"date\": expected a date \"YYYY-MM-DD\", got a number"},
    {"qualifier unknown", ROW_HEAD "\"value\":1,\"qualifier\":\"more\"}", "bad_row",
     "row 0: field \"qualifier\": expected \"at_least\", \"at_most\" or \"about\""},
    {"qualifier capitals", ROW_HEAD "\"value\":1,\"qualifier\":\"AT_LEAST\"}", "bad_row",
     "row 0: field \"qualifier\": expected \"at_least\", \"at_most\" or \"about\""},
    {"qualifier number", ROW_HEAD "\"value\":1,\"qualifier\":1}", "bad_row",
     "row 0: field \"qualifier\": expected \"at_least\", \"at_most\" or \"about\""},
    {"ref 129 bytes", ROW_HEAD "\"value\":1,\"ref\":\"" A128 "b\"}", "bad_row",
     "row 0: field \"ref\": 129 bytes, limit 128"},
    {"ref number", ROW_HEAD "\"value\":1,\"ref\":12}", "bad_row",
     "row 0: field \"ref\": expected a string, got a number"},
    {"note 241 bytes", ROW_HEAD "\"value\":1,\"note\":\"" A240 "b\"}", "bad_row",
     "row 0: field \"note\": 241 bytes, limit 240"},
    {"note number", ROW_HEAD "\"value\":1,\"note\":1}", "bad_row",
     "row 0: field \"note\": expected a string, got a number"},
    {"note with a newline", ROW_HEAD "\"value\":1,\"note\":\"hai\\ndòng\"}", "bad_row",
     "row 0: field \"note\": control character at byte 3"},
    {"note with a tab", ROW_HEAD "\"value\":1,\"note\":\"\\t\"}", "bad_row",
     "row 0: field \"note\": control character at byte 0"},
    {"note with an escape sequence", ROW_HEAD "\"value\":1,\"note\":\"a\\u001b[2J\"}", "bad_row",
     "row 0: field \"note\": control character at byte 1"},
    {"note with DEL", ROW_HEAD "\"value\":1,\"note\":\"ab\\u007f\"}", "bad_row",
     "row 0: field \"note\": control character at byte 2"},
    {"note with a C1 control (NEL)", ROW_HEAD "\"value\":1,\"note\":\"ư\\u0085\"}", "bad_row",
     "row 0: field \"note\": control character at byte 2"},
    {"note with a line separator (U+2028)", ROW_HEAD "\"value\":1,\"note\":\"a\\u2028<3>b\"}",
     "bad_row", "row 0: field \"note\": control character at byte 1"},
    {"note with a right-to-left override (U+202E)",
     ROW_HEAD "\"value\":1,\"note\":\"\u01b0\\u202ecba\"}", "bad_row",
     "row 0: field \"note\": control character at byte 2"},
    {"note with a right-to-left mark (U+200F)", ROW_HEAD "\"value\":1,\"note\":\"\\u200f\"}",
     "bad_row", "row 0: field \"note\": control character at byte 0"},
    /* A missing value is the row's shape (issue 17); bad_value is for a value sent. */
    {"value missing", ROW_HEAD "\"ref\":\"x\"}", "bad_row", "row 0: missing field \"value\""},
    {"date written otherwise",
     "{\"unit\":\"1\",\"indicator\":\"a\",\"date\":\"31/02/2024\",\"value\":1}", "bad_date",
     "row 0: field \"date\": expected \"YYYY-MM-DD\", got \"31/02/2024\""},
    /* The order that decides a row's one reason: (not an object), unknown field,
       unit, indicator, period/date, qualifier, ref, note, value. */
    {"order: indicator before date",
     "{\"unit\":\"1\",\"indicator\":\"A\",\"date\":\"x\",\"value\":\"1\"}", "bad_row",
     "row 0: field \"indicator\": expected a code of a-z, 0-9 and _, got \"A\""},
    {"order: date before qualifier",
     "{\"unit\":\"1\",\"indicator\":\"a\",\"date\":\"x\",\"qualifier\":1,\"value\":1}", "bad_date",
     "row 0: field \"date\": expected \"YYYY-MM-DD\", got \"x\""},
    {"order: qualifier before ref", ROW_HEAD "\"qualifier\":\"x\",\"ref\":1,\"value\":1}",
     "bad_row", "row 0: field \"qualifier\": expected \"at_least\", \"at_most\" or \"about\""},
    {"order: ref before note", ROW_HEAD "\"ref\":1,\"note\":1,\"value\":1}", "bad_row",
     "row 0: field \"ref\": expected a string, got a number"},
    {"order: note before value", ROW_HEAD "\"note\":1,\"value\":\"1\"}", "bad_row",
     "row 0: field \"note\": expected a string, got a number"},
    {"order: date before value",
     "{\"unit\":\"1\",\"indicator\":\"a\",\"date\":\"2024.01.01\",\"value\":\"x\"}", "bad_date",
     "row 0: field \"date\": expected \"YYYY-MM-DD\", got \"2024.01.01\""},
    {"first failure wins: unknown before unit",
     "{\"x\":1,\"unit\":\"a\",\"indicator\":\"a\",\"period\":\"2024\",\"value\":1}", "bad_row",
     "row 0: unknown field \"x\""},
    {"first failure wins: row before value",
     "{\"unit\":\"a\",\"indicator\":\"a\",\"period\":\"2024\",\"value\":\"1\"}", "bad_row",
     "row 0: field \"unit\": expected a string of digits, got \"a\""},
    {"control characters in a message",
     "{\"unit\":\"1\\n2\",\"indicator\":\"a\",\"period\":\"2024\",\"value\":1}", "bad_row",
     "row 0: field \"unit\": expected a string of digits, got \"1?2\""},
};

static void test_row_refused(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(row_refused_cases); i++) {
		struct batch *b = decode_rows(row_refused_cases[i].name, row_refused_cases[i].row);
		const struct batch_row *r = &b->rows[0];
		if (b->nrows != 1 || !r->reason ||
		    strcmp(r->reason, row_refused_cases[i].reason) != 0 ||
		    strcmp(r->message, row_refused_cases[i].message) != 0)
			fail_msg("case \"%s\": reason %s message \"%s\"", row_refused_cases[i].name,
				 r->reason ? r->reason : "none", r->message);
		batch_destroy(&b);
	}
}

static void test_rows_accepted(void **state)
{
	static const struct {
		const char *name, *row;
		const char *unit, *indicator, *period, *date, *text;
		enum qualifier qual;
		const char *ref;
	} cases[] = {
	    {"period and ref", ROW_HEAD "\"value\":264,\"ref\":\"sonnham.csv:12\"}", "21298",
	     "internet_users", "2024", "", "264", QUAL_NONE, "sonnham.csv:12"},
	    {"date",
	     "{\"unit\":\"536\",\"indicator\":\"dossiers_received\",\"date\":\"2024-06-10\","
	     "\"value\":3380}",
	     "536", "dossiers_received", "", "2024-06-10", "3380", QUAL_NONE, ""},
	    {"date shape only",
	     "{\"unit\":\"1\",\"indicator\":\"a\",\"date\":\"2024-13-45\","
	     "\"value\":1}",
	     "1", "a", "", "2024-13-45", "1", QUAL_NONE, ""},
	    {"at_least", ROW_HEAD "\"value\":2000,\"qualifier\":\"at_least\"}", "21298",
	     "internet_users", "2024", "", "2000", QUAL_AT_LEAST, ""},
	    {"at_most", ROW_HEAD "\"value\":1,\"qualifier\":\"at_most\"}", "21298",
	     "internet_users", "2024", "", "1", QUAL_AT_MOST, ""},
	    {"about", ROW_HEAD "\"value\":4000,\"qualifier\":\"about\"}", "21298", "internet_users",
	     "2024", "", "4000", QUAL_ABOUT, ""},
	    {"limits",
	     "{\"unit\":\"1234567890123456\",\"indicator\":\"" A64 "\","
	     "\"period\":\"2024202420242024\",\"value\":0,\"ref\":\"" A128 "\"}",
	     "1234567890123456", A64, "2024202420242024", "", "0", QUAL_NONE, A128},
	    {"empty ref", ROW_HEAD "\"value\":1,\"ref\":\"\"}", "21298", "internet_users", "2024",
	     "", "1", QUAL_NONE, ""},
	    {"Vietnamese ref", ROW_HEAD "\"value\":1,\"ref\":\"s\xe1\xbb\x91 li\xe1\xbb\x87u:3\"}",
	     "21298", "internet_users", "2024", "", "1", QUAL_NONE,
	     "s\xe1\xbb\x91 li\xe1\xbb\x87u:3"},
	};
	(void)state;
	for (size_t i = 0; i < N(cases); i++) {
		struct batch *b = decode_rows(cases[i].name, cases[i].row);
		const struct batch_row *r = &b->rows[0];
		if (r->reason || strcmp(r->unit, cases[i].unit) ||
		    strcmp(r->indicator, cases[i].indicator) ||
		    strcmp(r->period, cases[i].period) || strcmp(r->date, cases[i].date) ||
		    strcmp(r->value.text, cases[i].text) || r->qualifier != cases[i].qual ||
		    strcmp(r->ref, cases[i].ref) || r->note[0] || r->message[0])
			fail_msg("case \"%s\": reason %s unit %s indicator %s period %s date %s "
				 "value %s qualifier %d ref %s note %s",
				 cases[i].name, r->reason ? r->reason : "none", r->unit,
				 r->indicator, r->period, r->date, r->value.text, r->qualifier,
				 r->ref, r->note);
		batch_destroy(&b);
	}
}

/* The note travels as sent: Vietnamese, up to the limit, beside a bound; "" is none. */
static void test_notes_accepted(void **state)
{
	static const struct {
		const char *name, *row, *note;
	} cases[] = {
	    {"note", ROW_HEAD "\"value\":1,\"note\":\"s\u1ed1 li\u1ec7u \u01b0\u1edbc t\u00ednh\"}",
	     "s\xe1\xbb\x91 li\xe1\xbb\x87u \xc6\xb0\xe1\xbb\x9b"
	     "c t\xc3\xadnh"},
	    {"note 240 bytes", ROW_HEAD "\"value\":1,\"note\":\"" A240 "\"}", A240},
	    {"empty note", ROW_HEAD "\"value\":1,\"note\":\"\"}", ""},
	    {"no note", ROW_HEAD "\"value\":1}", ""},
	    {"note beside a bound", ROW_HEAD "\"value\":2,\"qualifier\":\"about\",\"note\":\"~\"}",
	     "~"},
	};
	(void)state;
	for (size_t i = 0; i < N(cases); i++) {
		struct batch *b = decode_rows(cases[i].name, cases[i].row);
		const struct batch_row *r = &b->rows[0];
		if (r->reason || strcmp(r->note, cases[i].note) != 0)
			fail_msg("case \"%s\": reason %s note \"%s\"", cases[i].name,
				 r->reason ? r->reason : "none", r->note);
		batch_destroy(&b);
	}
}

/* Bad rows keep their place and what could be read; good rows go on. */
static void test_mixed_rows(void **state)
{
	struct batch *b = decode_rows(
	    "mixed", ROW_HEAD "\"value\":1},7," ROW_HEAD "\"value\":\"x\"},"
			      "{\"unit\":\"2a\",\"indicator\":\"dossiers\",\"date\":\"2024-06-10\","
			      "\"value\":5,\"ref\":\"f.csv:9\"}," ROW_HEAD "\"value\":2.5}");
	(void)state;
	assert_int_equal(b->epoch, 1);
	assert_int_equal(b->seq, 1);
	assert_int_equal(b->nrows, 5);
	assert_null(b->rows[0].reason);
	assert_string_equal(b->rows[1].reason, "bad_row");
	assert_string_equal(b->rows[1].message, "row 1: expected an object, got a number");
	assert_string_equal(b->rows[2].reason, "bad_value");
	assert_string_equal(b->rows[2].message,
			    "row 2: field \"value\": expected a number, got a string");
	assert_string_equal(b->rows[2].unit, "21298");
	assert_string_equal(b->rows[3].reason, "bad_row");
	assert_string_equal(b->rows[3].message,
			    "row 3: field \"unit\": expected a string of digits, got \"2a\"");
	assert_string_equal(b->rows[3].indicator, "dossiers");
	assert_string_equal(b->rows[3].date, "2024-06-10");
	assert_string_equal(b->rows[3].value.text, "5");
	assert_string_equal(b->rows[3].ref, "f.csv:9");
	assert_null(b->rows[4].reason);
	assert_string_equal(b->rows[4].value.text, "2.5");
	batch_destroy(&b);
	batch_destroy(&b); /* safe twice */
	assert_null(b);
	batch_destroy(NULL);
}

static void test_batch_refused(void **state)
{
	static const struct wire_limits two = {.max_body = 4096, .max_rows = 2, .max_depth = 4};
	static const struct wire_limits tiny = {.max_body = 20, .max_rows = 2, .max_depth = 4};
#define R1 ROW_HEAD "\"value\":1}"
	static const struct {
		const char *name, *body;
		const struct wire_limits *lim;
		const char *fragment, *code;
	} cases[] = {
	    {"not JSON", "{\"epoch\":", NULL, "invalid JSON", "bad_body"},
	    {"array", "[]", NULL, "body is an array, not a JSON object", "bad_body"},
	    {"missing epoch", "{\"seq\":1,\"rows\":[" R1 "]}", NULL, "missing field \"epoch\"",
	     "bad_body"},
	    {"epoch 0", "{\"epoch\":0,\"seq\":1,\"rows\":[" R1 "]}", NULL,
	     "field \"epoch\": 0 is out of range 1..9223372036854775807", "bad_body"},
	    {"epoch negative", "{\"epoch\":-1,\"seq\":1,\"rows\":[" R1 "]}", NULL,
	     "field \"epoch\": -1 is out of range", "bad_body"},
	    {"seq string", "{\"epoch\":1,\"seq\":\"1\",\"rows\":[" R1 "]}", NULL,
	     "field \"seq\": expected an unsigned integer, got a string", "bad_body"},
	    {"seq missing", "{\"epoch\":1,\"rows\":[" R1 "]}", NULL, "missing field \"seq\"",
	     "bad_body"},
	    {"epoch beyond 64 bits", "{\"epoch\":18446744073709551616,\"seq\":1,\"rows\":[" R1 "]}",
	     NULL, "invalid JSON", "bad_body"},
	    {"rows missing", "{\"epoch\":1,\"seq\":1}", NULL, "missing field \"rows\"", "bad_body"},
	    {"rows object", "{\"epoch\":1,\"seq\":1,\"rows\":{}}", NULL,
	     "field \"rows\": expected an array, got an object", "bad_body"},
	    {"rows empty", "{\"epoch\":1,\"seq\":1,\"rows\":[]}", NULL,
	     "field \"rows\": empty batch", "bad_body"},
	    {"too many rows", "{\"epoch\":1,\"seq\":1,\"rows\":[" R1 "," R1 "," R1 "]}", &two,
	     "too many rows: 3, limit 2", "too_many_rows"},
	    {"unknown top field", "{\"epoch\":1,\"seq\":1,\"rows\":[" R1 "],\"x\":0}", NULL,
	     "unknown field \"x\"", "bad_body"},
	    {"body too large", "{\"epoch\":1,\"seq\":1,\"rows\":[" R1 "]}", &tiny,
	     "body too large: 100 bytes, limit 20", "bad_body"},
	    {"nested too deep", "{\"epoch\":1,\"seq\":1,\"rows\":[" ROW_HEAD "\"value\":[[1]]}]}",
	     NULL, "JSON nested deeper than 4", "bad_body"},
	    {"duplicate key in a row",
	     "{\"epoch\":1,\"seq\":1,\"rows\":[" ROW_HEAD "\"value\":1,\"value\":2}]}", NULL,
	     "duplicate object key", "bad_body"},
	    {"real overflow", "{\"epoch\":1,\"seq\":1,\"rows\":[" ROW_HEAD "\"value\":1e400}]}",
	     NULL, "real number overflow", "bad_body"},
	    {"integer overflow",
	     "{\"epoch\":1,\"seq\":1,\"rows\":[" ROW_HEAD "\"value\":99999999999999999999}]}", NULL,
	     "too big integer", "bad_body"},
	    {"NaN", "{\"epoch\":1,\"seq\":1,\"rows\":[" ROW_HEAD "\"value\":NaN}]}", NULL,
	     "invalid JSON", "bad_body"},
	};
#undef R1
	char err[256];
	(void)state;
	for (size_t i = 0; i < N(cases); i++) {
		struct batch *b = (struct batch *)1;
		err[0] = '\0';
		int rc = batch_decode(cases[i].body, strlen(cases[i].body), cases[i].lim, &b, err,
				      sizeof err);
		if (rc != -1 || b != NULL)
			fail_msg("case \"%s\": accepted", cases[i].name);
		if (!strstr(err, cases[i].fragment))
			fail_msg("case \"%s\": error \"%s\" lacks \"%s\"", cases[i].name, err,
				 cases[i].fragment);
		const char *code = wire_error_code_name(batch_error_code(err));
		if (strcmp(code, cases[i].code) != 0)
			fail_msg("case \"%s\": code %s", cases[i].name, code);
	}
	assert_int_equal(batch_error_code(NULL), WIRE_ERR_BAD_BODY);
}

static void test_qualifiers(void **state)
{
	static const struct {
		const char *name;
		int q;
	} cases[] = {
	    {"at_least", QUAL_AT_LEAST},
	    {"at_most", QUAL_AT_MOST},
	    {"about", QUAL_ABOUT},
	    {"", -1},
	    {"none", -1},
	    {"At_least", -1},
	    {"at_least ", -1},
	};
	(void)state;
	for (size_t i = 0; i < N(cases); i++) {
		if (batch_qualifier_parse(cases[i].name) != cases[i].q)
			fail_msg("case \"%s\"", cases[i].name);
		if (cases[i].q >= 0)
			assert_string_equal(batch_qualifier_name((enum qualifier)cases[i].q),
					    cases[i].name);
	}
	assert_string_equal(batch_qualifier_name(QUAL_NONE), "");
	assert_string_equal(batch_qualifier_name((enum qualifier)42), "");
}

/* true if code is in the NULL-ended list. */
static bool listed(const char *const *list, const char *code)
{
	for (; *list; list++)
		if (strcmp(*list, code) == 0)
			return true;
	return false;
}

/* The text of a source file (CHISO_SOURCE_DIR/rel), static storage. */
static const char *source(const char *rel)
{
	static char text[1 << 20];
	const char *src = getenv("CHISO_SOURCE_DIR");
	char path[4096];

	snprintf(path, sizeof path, "%s/%s", src ? src : ".", rel);
	FILE *fp = fopen(path, "rb");
	if (!fp)
		fail_msg("%s: cannot read", path);
	size_t n = fread(text, 1, sizeof text - 1, fp);
	fclose(fp);
	text[n] = '\0';
	return text;
}

/*
 * Each literal right after marker in text[from..to) (the marker ends with the
 * opening quote) must be in list; returns how many were found.
 */
static int codes_after(const char *file, const char *text, const char *from, const char *to,
		       const char *marker, char quote, const char *const *list)
{
	const char *start = from ? strstr(text, from) : text;
	const char *end = start && to ? strstr(start, to) : NULL;
	int n = 0;

	if (!start || (to && !end))
		fail_msg("%s: cannot find \"%s\" .. \"%s\"", file, from, to);
	for (const char *p = strstr(start, marker); p && (!end || p < end);
	     p = strstr(p + 1, marker)) {
		const char *q = p + strlen(marker);
		char code[64];
		snprintf(code, sizeof code, "%.*s", (int)strcspn(q, quote == '"' ? "\"" : "'"), q);
		if (!listed(list, code))
			fail_msg("%s: the code \"%s\" is not in batch.c's table", file, code);
		n++;
	}
	return n;
}

/* Every row and flag code the sources can put in an ACK is in the tables, and back. */
static void test_ack_codes(void **state)
{
	static const struct {
		const char *file, *from, *to, *marker;
		char quote;
		bool flag;
		int least;
	} scans[] = {
	    {"lib/batch.c", NULL, NULL, "batch_row_fail(r, i, \"", '"', false, 10},
	    {"daemon/job.c", NULL, NULL, "job_refuse(r, \"", '"', false, 2},
	    {"daemon/job.c", NULL, NULL, "r->reason = \"", '"', false, 1},
	    {"lib/store_ingest.c", NULL, NULL, "store_copy_field(b, \"bad_", '"', false, 1},
	    {"sql/R_20_ingest.sql", "CROSS JOIN LATERAL (SELECT\n\t\tCASE", "END AS reason",
	     "THEN '", '\'', false, 12},
	    {"sql/R_25_ingest_checks.sql", NULL, NULL, "SET reason = '", '\'', false, 1},
	    {"sql/R_20_ingest.sql", NULL, NULL, "'rejected', '", '\'', false, 1},
	    {"sql/R_20_ingest.sql", NULL, NULL, "period_id, '", '\'', true, 1},
	    {"sql/R_25_ingest_checks.sql", NULL, NULL, "period_id, '", '\'', true, 2},
	};
	(void)state;
	for (size_t i = 0; i < N(scans); i++) {
		const char *text = source(scans[i].file);
		/* store_ingest's marker swallowed "bad_": the code is what follows it */
		bool prefixed = strstr(scans[i].marker, "\"bad_") != NULL;
		int n = prefixed ? 0
				 : codes_after(scans[i].file, text, scans[i].from, scans[i].to,
					       scans[i].marker, scans[i].quote,
					       scans[i].flag ? batch_flag_codes : batch_row_codes);
		if (prefixed)
			for (const char *p = strstr(text, scans[i].marker); p;
			     p = strstr(p + 1, scans[i].marker), n++) {
				char code[64];
				const char *q = strstr(p, "\"") + 1;
				snprintf(code, sizeof code, "%.*s", (int)strcspn(q, "\""), q);
				if (!listed(batch_row_codes, code))
					fail_msg("%s: \"%s\" not in the table", scans[i].file,
						 code);
			}
		if (n < scans[i].least)
			fail_msg("%s: %d codes after \"%s\", fewer than %d: a rename must update "
				 "this test",
				 scans[i].file, n, scans[i].marker, scans[i].least);
	}
	/* and back: each code of the tables is written in some source */
	const char *const *lists[] = {batch_row_codes, batch_flag_codes};
	for (size_t l = 0; l < 2; l++)
		for (const char *const *c = lists[l]; *c; c++) {
			char c_lit[80], sql_lit[80], decoder[96];
			snprintf(c_lit, sizeof c_lit, "\"%s\"", *c);
			snprintf(sql_lit, sizeof sql_lit, "'%s'", *c);
			snprintf(decoder, sizeof decoder, "batch_row_fail(r, i, \"%s\"", *c);
			/* source() reuses its buffer: each file is searched before the next read */
			if (!strstr(source("sql/R_20_ingest.sql"), sql_lit) &&
			    !strstr(source("sql/R_25_ingest_checks.sql"), sql_lit) &&
			    !strstr(source("daemon/job.c"), c_lit) &&
			    !strstr(source("lib/store_ingest.c"), c_lit) &&
			    !strstr(source("lib/batch.c"), decoder))
				fail_msg("\"%s\" is in the table but no source sends it", *c);
		}
	assert_string_equal(batch_ack_status_name(ACK_KEY_REUSED), "key_reused");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_values),	   cmocka_unit_test(test_value_sent),
	    cmocka_unit_test(test_row_refused),	   cmocka_unit_test(test_rows_accepted),
	    cmocka_unit_test(test_notes_accepted), cmocka_unit_test(test_mixed_rows),
	    cmocka_unit_test(test_batch_refused),  cmocka_unit_test(test_qualifiers),
	    cmocka_unit_test(test_ack_codes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
