/*
 * Tests for log: the escaping every log line goes through (control characters,
 * invalid UTF-8, over-long messages, Vietnamese kept as is), and that a whole
 * log line written with a forged line inside stays one line on stderr.
 */
#include "testutil.h"

#include <unistd.h>

#include "log.h"

static void test_escape(void **state)
{
	static const struct {
		const char *name, *in;
		size_t len; /* 0: strlen(in) */
		const char *out;
	} cases[] = {
	    /* bytes followed by a hex digit are written in octal: "\x9b3" would be one escape */
	    {"plain ASCII", "collector xa-21298: hello", 0, "collector xa-21298: hello"},
	    {"Vietnamese", "xã Sơn Hạ, Quảng Ngãi", 0, "xã Sơn Hạ, Quảng Ngãi"},
	    {"newline", "a\n<3>forged", 0, "a\\n<3>forged"},
	    {"CR LF", "a\r\nb", 0, "a\\r\\nb"},
	    {"tab", "a\tb", 0, "a\\tb"},
	    {"ESC colour", "\x1b[31mred\x1b[0m", 0, "\\x1b[31mred\\x1b[0m"},
	    {"bell and backspace", "\a\b", 0, "\\x07\\x08"},
	    {"DEL", "a\x7f", 0, "a\\x7f"},
	    {"C1 CSI as a raw byte", "\23331m", 0, "\\x9b31m"},
	    {"C1 CSI in UTF-8", "\302\23331m", 0, "\\xc2\\x9b31m"},
	    {"lone continuation byte", "a\x80z", 0, "a\\x80z"},
	    {"truncated sequence", "\xe1\xba", 0, "\\xe1\\xba"},
	    {"truncated, then ASCII", "\xe1\xbaz", 0, "\\xe1\\xbaz"},
	    {"overlong slash", "\xc0\xaf", 0, "\\xc0\\xaf"},
	    {"overlong 3-byte NUL", "\xe0\x80\x80", 0, "\\xe0\\x80\\x80"},
	    {"surrogate", "\xed\xa0\x80", 0, "\\xed\\xa0\\x80"},
	    {"beyond U+10FFFF", "\xf4\x90\x80\x80", 0, "\\xf4\\x90\\x80\\x80"},
	    {"5-byte lead", "\xf8\x88\x80\x80\x80", 0, "\\xf8\\x88\\x80\\x80\\x80"},
	    {"0xff 0xfe", "\xff\xfe", 0, "\\xff\\xfe"},
	    {"4-byte emoji kept", "\xf0\x9f\x93\x8a", 0, "\xf0\x9f\x93\x8a"},
	    {"line separator", "a\342\200\250b", 0, "a\\xe2\\x80\\xa8b"},
	    {"right-to-left override", "\342\200\256fdp.exe", 0, "\\xe2\\x80\\xaefdp.exe"},
	    {"right-to-left mark", "a\342\200\217b", 0, "a\\xe2\\x80\\x8fb"},
	    {"NUL inside a counted string", "a\0b", 3, "a\\x00b"},
	    {"backslash kept", "C:\\x", 0, "C:\\x"},
	    {"empty", "", 0, ""},
	};
	char out[LOG_MESSAGE_MAX + 1];
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		size_t len = cases[i].len ? cases[i].len : strlen(cases[i].in);
		size_t n = log_escape(out, sizeof out, cases[i].in, len);
		CHECK_STR(cases[i].name, cases[i].out, out);
		CHECK_INT(cases[i].name, strlen(cases[i].out), n);
	}
}

static void test_long(void **state)
{
	static const struct {
		const char *name;
		char fill; /* the input is len copies of fill */
		size_t len, outsize;
		size_t kept; /* characters of fill kept (each escaped to esc bytes) */
		size_t esc;
		const char *marker; /* NULL: none */
	} cases[] = {
	    {"fits exactly", 'a', 63, 64, 63, 1, NULL},
	    {"one byte too many", 'a', 64, 64, 31, 1, "\xe2\x80\xa6[+33 bytes]"},
	    {"far too long", 'a', 100000, 1025, 992, 1, "\xe2\x80\xa6[+99008 bytes]"},
	    {"escapes count against the cap", '\n', 40, 64, 15, 2, "\xe2\x80\xa6[+25 bytes]"},
	    {"controls grow fourfold", '\x01', 20, 64, 7, 4, "\xe2\x80\xa6[+13 bytes]"},
	    {"room for the marker only", 'a', 50, 33, 0, 1, "\xe2\x80\xa6[+50 bytes]"},
	};
	static char in[100000];
	char out[2048], want[2048];
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		memset(in, cases[i].fill, cases[i].len);
		size_t n = log_escape(out, cases[i].outsize, in, cases[i].len);
		size_t w = 0;
		for (size_t k = 0; k < cases[i].kept; k++)
			w += (size_t)snprintf(want + w, sizeof want - w, "%s",
					      cases[i].fill == '\n' ? "\\n"
					      : cases[i].fill == 1  ? "\\x01"
								    : "a");
		snprintf(want + w, sizeof want - w, "%s", cases[i].marker ? cases[i].marker : "");
		CHECK_STR(cases[i].name, want, out);
		CHECK_INT(cases[i].name, strlen(want), n);
		if (n >= cases[i].outsize)
			fail_msg("%s: %zu bytes in a buffer of %zu", cases[i].name, n,
				 cases[i].outsize);
	}
}

/* A multi-byte character is never cut in half to make room for the marker. */
static void test_cut_at_character(void **state)
{
	char in[200], out[64];
	(void)state;
	size_t len = 3 * (sizeof in / 3);
	for (size_t i = 0; i < len; i += 3)
		memcpy(in + i, "\xe1\xba\xa1", 3); /* "ạ" over and over */
	log_escape(out, sizeof out, in, len);
	CHECK_HAS("marker", "\xe2\x80\xa6[+", out);
	size_t kept = strstr(out, "\xe2\x80\xa6[+") - out;
	CHECK_INT("whole characters", 0, kept % 3);
	char marker[32];
	snprintf(marker, sizeof marker, "\xe2\x80\xa6[+%zu bytes]", len - kept);
	CHECK_STR("count", marker, out + kept);
}

/* log_msg itself: one line on stderr whatever the arguments hold. */
static void test_line(void **state)
{
	static const struct {
		const char *name, *agent, *want;
	} cases[] = {
	    {"forged line", "x\n<3>forged", "t: warning: hello from x\\n<3>forged\n"},
	    {"terminal escape", "\x1b]0;pwned\a", "t: warning: hello from \\x1b]0;pwned\\x07\n"},
	    {"Vietnamese", "Phần mềm thu thập", "t: warning: hello from Phần mềm thu thập\n"},
	};
	char *dir = test_tmpdir(), path[256], got[4096];
	(void)state;
	snprintf(path, sizeof path, "%s/stderr", dir);
	test_unsetenv("JOURNAL_STREAM");
	log_init("t", LOGL_INFO);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		fflush(stderr);
		int saved = dup(2);
		FILE *fp = freopen(path, "w", stderr);
		assert_non_null(fp);
		log_warn("hello from %s", cases[i].agent);
		log_debug("not printed at level info");
		fflush(stderr);
		dup2(saved, 2);
		close(saved);
		FILE *in = fopen(path, "r"); /* text: stderr writes \r\n on Windows */
		size_t n = fread(got, 1, sizeof got - 1, in);
		fclose(in);
		got[n] = '\0';
		CHECK_STR(cases[i].name, cases[i].want, got);
	}
	test_rm_rf(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_escape),
	    cmocka_unit_test(test_long),
	    cmocka_unit_test(test_cut_at_character),
	    cmocka_unit_test(test_line),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
