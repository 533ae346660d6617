/*
 * Tests for quote: what a message may repeat of untrusted input.  Printable
 * UTF-8 (Vietnamese included) passes; control bytes, broken or overlong
 * sequences, surrogates, C1 controls and bidirectional overrides become '?';
 * long input is cut on a character boundary with "...".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "quote.h"

static void test_quote(void **state)
{
	static const struct {
		const char *name;
		const char *in;
		size_t len; /* 0: strlen */
		size_t max;
		size_t size;
		const char *out;
	} cases[] = {
	    {"ascii", "1.463", 0, 40, 64, "1.463"},
	    {"empty", "", 0, 40, 64, ""},
	    {"vietnamese", "hồ sơ trực tuyến", 0, 40, 64, "hồ sơ trực tuyến"},
	    {"no-break space",
	     "1\xc2\xa0"
	     "463",
	     0, 40, 64,
	     "1\xc2\xa0"
	     "463"},
	    {"narrow no-break space",
	     "1\xe2\x80\xaf"
	     "463",
	     0, 40, 64,
	     "1\xe2\x80\xaf"
	     "463"},
	    {"emoji", "\xf0\x9f\x93\x88", 0, 40, 64, "\xf0\x9f\x93\x88"},
	    {"quote kept", "a\"b", 0, 40, 64, "a\"b"},
	    {"tab", "a\tb", 0, 40, 64, "a?b"},
	    {"newline", "a\nb", 0, 40, 64, "a?b"},
	    {"escape", "\x1b[31m", 0, 40, 64, "?[31m"},
	    {"delete", "a\x7f", 0, 40, 64, "a?"},
	    {"nul", "a\0b", 3, 40, 64, "a?b"},
	    {"lone continuation", "a\x80z", 0, 40, 64, "a?z"},
	    {"latin-1 byte", "caf\xe9", 0, 40, 64, "caf?"},
	    {"truncated sequence", "a\xe1\xbb", 0, 40, 64, "a??"},
	    {"overlong slash", "\xc0\xaf", 0, 40, 64, "??"},
	    {"overlong 3 bytes", "\xe0\x80\xaf", 0, 40, 64, "???"},
	    {"surrogate", "\xed\xa0\x80", 0, 40, 64, "???"},
	    {"past U+10FFFF", "\xf4\x90\x80\x80", 0, 40, 64, "????"},
	    {"f5 byte", "\xf5", 0, 40, 64, "?"},
	    {"C1 control", "\xc2\x85", 0, 40, 64, "??"},
	    {"right-to-left override",
	     "a\xe2\x80\xae"
	     "b",
	     0, 40, 64, "a???b"},
	    {"line separator",
	     "a\xe2\x80\xa8"
	     "b",
	     0, 40, 64, "a???b"},
	    {"isolate", "\xe2\x81\xa6", 0, 40, 64, "???"},
	    {"exactly max", "0123456789", 0, 10, 64, "0123456789"},
	    {"one past max", "0123456789A", 0, 10, 64, "0123456789..."},
	    {"cut before a character", "012345678ồ", 0, 10, 64, "012345678..."},
	    {"cut at character end", "0123456ồ9", 0, 10, 64, "0123456ồ..."},
	    {"small buffer lowers max", "0123456789", 0, 40, 8, "0123..."},
	    {"buffer of 4", "0123", 0, 40, 4, "..."},
	    {"buffer of 4, empty input", "", 0, 40, 4, ""},
	    {"buffer of 3", "0123", 0, 40, 3, ""},
	    {"max 0", "abc", 0, 0, 64, "..."},
	};
	int failures = 0;

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char buf[64];
		size_t len = cases[i].len ? cases[i].len : strlen(cases[i].in);
		char *r = quote_text(buf, cases[i].size, cases[i].in, len, cases[i].max);

		if (r != buf || strcmp(buf, cases[i].out) != 0) {
			print_error("case %s: \"%s\", expected \"%s\"\n", cases[i].name, buf,
				    cases[i].out);
			failures++;
		}
	}
	assert_int_equal(failures, 0);
}

/* size 0 writes nothing at all. */
static void test_quote_size0(void **state)
{
	char c = 'x';

	(void)state;
	assert_ptr_equal(quote_text(&c, 0, "abc", 3, 40), &c);
	assert_int_equal(c, 'x');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_quote),
	    cmocka_unit_test(test_quote_size0),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
