/*
 * Tests for num: every accepted and refused form of num.h and of the protocol
 * notes, the canonical text and integer flag, the messages, and both
 * formatters including rounding edges, negatives, huge values and truncation.
 * Each table is walked by a loop that reports every failing case by name.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "num.h"

struct parse_ok {
	const char *in;
	const char *text;
	bool integer;
	double value;
};

static const struct parse_ok parse_ok_cases[] = {
    /* the accepted list of num.h */
    {"1463", "1463", true, 1463},
    {"-12", "-12", true, -12},
    {"0.5", "0.5", false, 0.5},
    {"5.28", "5.28", false, 5.28},
    {"1463.25", "1463.25", false, 1463.25},
    {"0,5", "0.5", false, 0.5},
    {"5,28", "5.28", false, 5.28},
    {"1463,25", "1463.25", false, 1463.25},
    {"2.115.025.641", "2115025641", true, 2115025641},
    {"2,115,025,641", "2115025641", true, 2115025641},
    {"1 463", "1463", true, 1463},
    {"1.463,5", "1463.5", false, 1463.5},
    {"1,463.5", "1463.5", false, 1463.5},
    /* groups by no-break and narrow no-break space */
    {"1\xc2\xa0"
     "463",
     "1463", true, 1463},
    {"22\xe2\x80\xaf"
     "979",
     "22979", true, 22979},
    {"1\xc2\xa0"
     "463,25",
     "1463.25", false, 1463.25},
    {"48 000 000", "48000000", true, 48000000},
    {"1 463,500", "1463.5", false, 1463.5},
    {"12.345.678,9", "12345678.9", false, 12345678.9},
    {"12,345,678.9", "12345678.9", false, 12345678.9},
    /* a group cannot start with 0, so these are decimals */
    {"0.463", "0.463", false, 0.463},
    {"0,463", "0.463", false, 0.463},
    {"-0.463", "-0.463", false, -0.463},
    /* four digits before the separator: no group reading */
    {"1463.250", "1463.25", false, 1463.25},
    {"1463,250", "1463.25", false, 1463.25},
    /* fewer or more than three digits after: no group reading */
    {"1.46", "1.46", false, 1.46},
    {"1.4630", "1.463", false, 1.463},
    {"1,4630", "1.463", false, 1.463},
    {"12.5", "12.5", false, 12.5},
    {"89,52", "89.52", false, 89.52},
    /* canonical text */
    {"5.0", "5", true, 5},
    {"-0", "0", true, 0},
    {"-0.000", "0", true, 0},
    {"+7", "7", true, 7},
    {"+0,25", "0.25", false, 0.25},
    {"007", "7", true, 7},
    {"0", "0", true, 0},
    {"000", "0", true, 0},
    {"0.0", "0", true, 0},
    {"0.05", "0.05", false, 0.05},
    {"100", "100", true, 100},
    {"1000", "1000", true, 1000},
    {"10.10", "10.1", false, 10.1},
    /* surrounding whitespace */
    {"  1463  ", "1463", true, 1463},
    {"\t-5,28\r\n", "-5.28", false, -5.28},
    /* the seed reports */
    {"12 384", "12384", true, 12384},
    /* limits: 15 significant digits */
    {"123456789012345", "123456789012345", true, 123456789012345.0},
    {"-999.999.999.999.999", "-999999999999999", true, -999999999999999.0},
    {"1234567890,12345", "1234567890.12345", false, 1234567890.12345},
    {"0.000000000000001", "0.000000000000001", false, 1e-15},
    {"100000000000000", "100000000000000", true, 1e14},
    {"0.123456789012345", "0.123456789012345", false, 0.123456789012345},
    {"00000000000000000000000001", "1", true, 1},
    {"1.50000000000000000000000000000000000000000000", "1.5", false, 1.5},
    /* the longest canonical texts: 17 characters, 15 decimals (the protocol's rule) */
    {"-0.000000000000001", "-0.000000000000001", false, -1e-15},
    {"-0,123456789012345", "-0.123456789012345", false, -0.123456789012345},
};

struct parse_err {
	const char *in;
	const char *why; /* a fragment of the message */
};

static const struct parse_err parse_err_cases[] = {
    /* the refused list of num.h */
    {"1.463", "số không rõ nghĩa \"1.463\": ghi 1463 nếu là một nghìn bốn trăm sáu mươi ba, "
	      "hoặc 1,4630 / 1.4630 nếu là số thập phân"},
    {"1,463", "số không rõ nghĩa \"1,463\": ghi 1463 nếu là một nghìn bốn trăm sáu mươi "
	      "ba, hoặc 1,4630 / 1.4630 nếu là số thập phân"},
    {"12.500", "ghi 12500 nếu là mười hai nghìn năm trăm, hoặc 12,5000 / 12.5000"},
    {"1e3", "số không hợp lệ \"1e3\": không nhận số viết dạng lũy thừa"},
    {"0x10", "số không hợp lệ \"0x10\": không nhận số hệ thập lục phân"},
    {"NaN", "số không hợp lệ \"NaN\": không phải là số hữu hạn"},
    {"inf", "không phải là số hữu hạn"},
    {"89,52%", "số không hợp lệ \"89,52%\": tỷ lệ phần trăm do hệ thống tự tính: đề nghị gửi tử số "
	       "và mẫu số"},
    {"", "chưa ghi giá trị"},
    {"1.2.3", "số không hợp lệ \"1.2.3\": nhóm chữ số sai"},
    {"--1", "số không hợp lệ \"--1\": có nhiều hơn một dấu"},
    {"1 46", "số không hợp lệ \"1 46\": nhóm chữ số sai"},
    /* ambiguous, more */
    {"-1.463", "ghi -1463 nếu là âm một nghìn bốn trăm sáu mươi ba, hoặc -1,4630 / "
	       "-1.4630"},
    {"+1.463", "số không rõ nghĩa \"+1.463\": ghi 1463 nếu là"},
    {"22.979", "ghi 22979 nếu là hai mươi hai nghìn chín trăm bảy mươi chín"},
    {"100.000", "ghi 100000 nếu là một trăm nghìn, hoặc"},
    {"1.000", "ghi 1000 nếu là một nghìn, hoặc 1,0000"},
    {"5,000", "ghi 5000 nếu là năm nghìn, hoặc 5,0000 / 5.0000 nếu là số thập phân"},
    {"999,999", "nếu là chín trăm chín mươi chín nghìn chín trăm chín mươi chín,"},
    {"12,010", "nếu là mười hai nghìn không trăm mười,"},
    {"1.005", "nếu là một nghìn không trăm linh năm,"},
    {"21.015", "nếu là hai mươi mốt nghìn không trăm mười lăm,"},
    {"1.025", "nếu là một nghìn không trăm hai mươi lăm,"},
    {"101.101", "nếu là một trăm linh một nghìn một trăm linh một,"},
    {" 5.115 ", "số không rõ nghĩa \"5.115\": ghi 5115 nếu là năm nghìn một trăm mười lăm"},
    /* exponents, hex, NaN, infinities in any case */
    {"1E3", "dạng lũy thừa"},
    {"1.5e-3", "dạng lũy thừa"},
    {"2e+6", "dạng lũy thừa"},
    {"-0X1A", "thập lục phân"},
    {"nan", "không phải là số hữu hạn"},
    {"-NAN", "không phải là số hữu hạn"},
    {"Infinity", "không phải là số hữu hạn"},
    {"+INF", "không phải là số hữu hạn"},
    {"-inFinity", "không phải là số hữu hạn"},
    /* percentages */
    {"89,52 %", "tỷ lệ phần trăm do hệ thống tự tính"},
    {"100%", "tỷ lệ phần trăm do hệ thống tự tính"},
    /* letters and other characters */
    {"12abc", "số không được chứa chữ cái"},
    {"1e", "số không được chứa chữ cái"},
    {"abc", "số không hợp lệ \"abc\": số không được chứa chữ cái"},
    {"1463 hồ sơ", "số không được chứa chữ cái"},
    {"12#", "ký tự không hợp lệ '#'"},
    {"1_000", "ký tự không hợp lệ '_'"},
    {"1'000", "ký tự không hợp lệ '''"},
    {"1\t000", "ký tự không hợp lệ"},
    {"\xef\xbc\x91\xef\xbc\x92", "ký tự không hợp lệ"}, /* full-width digits */
    /* signs */
    {"-", "số không hợp lệ \"-\": chỉ có dấu, không có chữ số"},
    {"+", "chỉ có dấu, không có chữ số"},
    {"  -  ", "chỉ có dấu, không có chữ số"},
    {"+-1", "có nhiều hơn một dấu"},
    {"1-", "dấu + hoặc - phải đứng đầu"},
    {"2024-06", "dấu + hoặc - phải đứng đầu"},
    {"- 5", "dấu phân cách đặt sai chỗ"},
    /* separators out of place */
    {".5", "dấu phân cách đặt sai chỗ"},
    {",5", "dấu phân cách đặt sai chỗ"},
    {"5.", "dấu phân cách đặt sai chỗ"},
    {"5,", "dấu phân cách đặt sai chỗ"},
    {"1..5", "dấu phân cách đặt sai chỗ"},
    {"1,,000", "dấu phân cách đặt sai chỗ"},
    {"1  463", "dấu phân cách đặt sai chỗ"},
    /* nhóm chữ số sai */
    {"1.46.3", "nhóm chữ số sai: nhóm đầu có 1 đến 3 chữ số, mỗi nhóm sau đúng 3 chữ số"},
    {"1234.567.890", "nhóm chữ số sai"},
    {"1.2345.678", "nhóm chữ số sai"},
    {"1.234.56", "nhóm chữ số sai"},
    {"0.463.123", "nhóm chữ số sai"},
    {"0,463.5", "nhóm chữ số sai"},
    {"1 4630", "nhóm chữ số sai"},
    {"12 34,5", "nhóm chữ số sai"},
    {"1.234 567", "nhóm chữ số sai: chỉ dùng một loại dấu phân cách hàng nghìn"},
    {"1 234.567,5", "nhóm chữ số sai: chỉ dùng một loại dấu phân cách hàng nghìn"},
    {"1,234.567,8", "nhóm chữ số sai: chỉ dùng một loại dấu phân cách hàng nghìn"},
    {"1.463 5", "nhóm chữ số sai: chỉ dùng một loại dấu phân cách hàng nghìn"},
    {"1\xc2\xa0"
     "234 567",
     "nhóm chữ số sai: chỉ dùng một loại"},
    /* limits */
    {"1234567890123456", "quá nhiều chữ số: tối đa 15 chữ số có nghĩa"},
    {"1.000.000.000.000.000", "quá nhiều chữ số"},
    {"0.1234567890123456", "quá nhiều chữ số"},
    {"1234567890,123456", "quá nhiều chữ số"},
    /* what the province refuses is refused here (issue 17): at most 15 decimals */
    {"0.0000000000000001", "quá nhiều chữ số thập phân: tối đa 15 chữ số sau dấu thập phân"},
    {"0.00000000000000000000000000000000000001", "quá nhiều chữ số thập phân"},
    {"-0.0000000000000000000000000000000000001", "quá nhiều chữ số thập phân"},
    /* whitespace only */
    {"   ", "chưa ghi giá trị"},
    {"\t\r\n", "chưa ghi giá trị"},
};

static void test_parse_ok(void **state)
{
	int failures = 0;

	(void)state;
	for (size_t i = 0; i < sizeof parse_ok_cases / sizeof *parse_ok_cases; i++) {
		const struct parse_ok *c = &parse_ok_cases[i];
		struct num n;
		const char *why = NULL;

		if (num_parse(c->in, strlen(c->in), &n, &why) != 0) {
			print_error("case \"%s\": refused: %s\n", c->in, why);
			failures++;
			continue;
		}
		/* -0 must come out as 0. */
		if (strcmp(n.text, c->text) != 0 || n.integer != c->integer ||
		    n.value != c->value || (n.value == 0 && signbit(n.value))) {
			print_error("case \"%s\": got %s %d %.17g, expected %s %d %.17g\n", c->in,
				    n.text, n.integer, n.value, c->text, c->integer, c->value);
			failures++;
		}
	}
	assert_int_equal(failures, 0);
}

static void test_parse_err(void **state)
{
	int failures = 0;

	(void)state;
	for (size_t i = 0; i < sizeof parse_err_cases / sizeof *parse_err_cases; i++) {
		const struct parse_err *c = &parse_err_cases[i];
		struct num n;
		const char *why = NULL;

		if (num_parse(c->in, strlen(c->in), &n, &why) != -1) {
			print_error("case \"%s\": accepted as %s\n", c->in, n.text);
			failures++;
		} else if (!why || !strstr(why, c->why)) {
			print_error("case \"%s\": message \"%s\", expected \"%s\"\n", c->in,
				    why ? why : "(null)", c->why);
			failures++;
		}
	}
	assert_int_equal(failures, 0);
}

/* s[0..len) is all that is read: no NUL needed, bytes past len ignored. */
static void test_parse_len(void **state)
{
	static const struct {
		const char *in;
		size_t len;
		const char *text; /* NULL: refused */
		const char *why;
	} cases[] = {
	    {"1463abc", 4, "1463", NULL},
	    {"5,28%", 4, "5.28", NULL},
	    {"12\0"
	     "3",
	     4, NULL, "ký tự không hợp lệ"},
	    {"", 0, NULL, "chưa ghi giá trị"},
	    {"1.463", 3, "1.4", NULL},
	    {"1.4631", 5, NULL, "không rõ nghĩa"},
	};
	int failures = 0;

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct num n;
		const char *why = NULL;
		int rc = num_parse(cases[i].in, cases[i].len, &n, &why);

		if (cases[i].text ? rc != 0 || strcmp(n.text, cases[i].text) != 0
				  : rc != -1 || !strstr(why, cases[i].why)) {
			print_error("case %d \"%.*s\": rc %d\n", (int)i, (int)cases[i].len,
				    cases[i].in, rc);
			failures++;
		}
	}
	assert_int_equal(failures, 0);
}

/* The quoted input is cut and cleaned: the message stays short and printable. */
static void test_parse_quote(void **state)
{
	char in[200];
	struct num n;
	const char *why;

	(void)state;
	memset(in, '1', sizeof in);
	in[3] = 'x';
	assert_int_equal(num_parse(in, sizeof in, &n, &why), -1);
	assert_non_null(strstr(why, "\"111x111111111111111111111111111111111111...\""));
	assert_int_equal(num_parse("1\x01z", 3, &n, &why), -1);
	assert_string_equal(why, "số không hợp lệ \"1?z\": ký tự không hợp lệ");
}

struct thread_arg {
	const char *in;
	const char *why;
	char copy[256];
};

static void *parse_in_thread(void *p)
{
	struct thread_arg *a = p;
	struct num n;

	num_parse(a->in, strlen(a->in), &n, &a->why);
	snprintf(a->copy, sizeof a->copy, "%s", a->why);
	return NULL;
}

/* Each thread has its own message buffer. */
static void test_parse_why_per_thread(void **state)
{
	struct thread_arg a = {"1.463", NULL, ""};
	pthread_t t;
	struct num n;
	const char *why;

	(void)state;
	assert_int_equal(num_parse("1e3", 3, &n, &why), -1);
	assert_int_equal(pthread_create(&t, NULL, parse_in_thread, &a), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_non_null(strstr(a.copy, "không rõ nghĩa"));
	assert_ptr_not_equal(a.why, why);
	assert_string_equal(
	    why, "số không hợp lệ \"1e3\": không nhận số viết dạng lũy thừa: hãy ghi đầy "
		 "đủ các chữ số");
}

struct fmt_case {
	double v;
	int decimals;
	const char *vi;
	const char *plain;
};

static const struct fmt_case fmt_cases[] = {
    {1463, 0, "1.463", "1463"},
    {60.8695, 2, "60,87", "60.87"},
    {14.0 / 23.0 * 100, 2, "60,87", "60.87"},
    {-2115025641, 0, "-2.115.025.641", "-2115025641"},
    {0.5, 0, "1", "1"},
    {1.5, 0, "2", "2"},
    {2.5, 0, "3", "3"},
    {-0.5, 0, "-1", "-1"},
    {-2.5, 0, "-3", "-3"},
    {89.5238, 2, "89,52", "89.52"},
    {94.0 / 105.0 * 100, 2, "89,52", "89.52"},
    {100, 2, "100,00", "100.00"},
    {60.87, 2, "60,87", "60.87"},
    /* halves on the decimal digits a person wrote */
    {0.125, 2, "0,13", "0.13"},
    {0.375, 2, "0,38", "0.38"},
    {2.675, 2, "2,68", "2.68"},
    {1.005, 2, "1,01", "1.01"},
    {-1.005, 2, "-1,01", "-1.01"},
    {0.045, 2, "0,05", "0.05"},
    {1.4999999, 0, "1", "1"},
    {0.1 + 0.2, 2, "0,30", "0.30"},
    {0.1 + 0.2, 17, "0,30000000000000004", "0.30000000000000004"},
    /* carries */
    {999.995, 2, "1.000,00", "1000.00"},
    {9.96, 1, "10,0", "10.0"},
    {999999.5, 0, "1.000.000", "1000000"},
    {-99.95, 1, "-100,0", "-100.0"},
    /* small values and zeros */
    {0, 0, "0", "0"},
    {0, 2, "0,00", "0.00"},
    {-0.0, 0, "0", "0"},
    {-0.0, 3, "0,000", "0.000"},
    {-0.001, 2, "0,00", "0.00"},
    {-0.004, 2, "0,00", "0.00"},
    {-0.005, 2, "-0,01", "-0.01"},
    {0.001, 2, "0,00", "0.00"},
    {0.005, 2, "0,01", "0.01"},
    {0.0049, 2, "0,00", "0.00"},
    {1e-10, 2, "0,00", "0.00"},
    {0.4, 0, "0", "0"},
    {0.05, 1, "0,1", "0.1"},
    {0.012345, 4, "0,0123", "0.0123"},
    {5.28, 4, "5,2800", "5.2800"},
    /* grouping at every length */
    {1, 0, "1", "1"},
    {12, 0, "12", "12"},
    {123, 0, "123", "123"},
    {1234, 0, "1.234", "1234"},
    {12345, 0, "12.345", "12345"},
    {123456, 0, "123.456", "123456"},
    {1234567, 0, "1.234.567", "1234567"},
    {-123456, 0, "-123.456", "-123456"},
    {-1234567.891, 2, "-1.234.567,89", "-1234567.89"},
    {48000000, 0, "48.000.000", "48000000"},
    {22979, 0, "22.979", "22979"},
    /* beyond 1e15 */
    {999999999999999, 0, "999.999.999.999.999", "999999999999999"},
    {1e15, 0, "1.000.000.000.000.000", "1000000000000000"},
    {1e16, 0, "10.000.000.000.000.000", "10000000000000000"},
    {12345678901234567890.0, 0, "12.345.678.901.234.567.000", "12345678901234567000"},
    {1e21, 1, "1.000.000.000.000.000.000.000,0", "1000000000000000000000.0"},
    {-1e18, 0, "-1.000.000.000.000.000.000", "-1000000000000000000"},
    {9007199254740993.0, 0, "9.007.199.254.740.992", "9007199254740992"},
    /* decimals out of range are clamped */
    {1.25, -1, "1", "1"},
    {1.5, 45, "1,5000000000000000000000000000000000000000",
     "1.5000000000000000000000000000000000000000"},
    /* not finite */
    {NAN, 2, "nan", "nan"},
    {INFINITY, 2, "inf", "inf"},
    {-INFINITY, 0, "-inf", "-inf"},
};

/* JSON literals with the canonical text they give, or refused (text NULL). */
static const struct {
	const char *lit;
	const char *text; /* canonical text; NULL: refused by the rule */
	bool integer;
	double value;
} json_literal_cases[] = {
    /* one number, any spelling */
    {"5000", "5000", true, 5000},
    {"5e3", "5000", true, 5000},
    {"5.0E+3", "5000", true, 5000},
    {"5000.000", "5000", true, 5000},
    {"1E2", "100", true, 100},
    {"1.5e-3", "0.0015", false, 0.0015},
    {"264", "264", true, 264},
    {"-12", "-12", true, -12},
    {"5.28", "5.28", false, 5.28},
    {"1463.250", "1463.25", false, 1463.25},
    {"0.1", "0.1", false, 0.1},
    {"12.5e1", "125", true, 125},
    {"125e-1", "12.5", false, 12.5},
    {"0.0001e4", "1", true, 1},
    {"1e0", "1", true, 1},
    {"-1.5e-7", "-0.00000015", false, -0.00000015},
    /* zero in any spelling */
    {"0", "0", true, 0},
    {"-0", "0", true, 0},
    {"0e5", "0", true, 0},
    {"0.000", "0", true, 0},
    {"-0.0e-99999999999999999999", "0", true, 0},
    /* at the limits */
    {"999999999999999", "999999999999999", true, 999999999999999.0},
    {"-999999999999999", "-999999999999999", true, -999999999999999.0},
    {"0.000000000000001", "0.000000000000001", false, 1e-15},
    {"1e14", "100000000000000", true, 1e14},
    {"1e-15", "0.000000000000001", false, 1e-15},
    {"0.123456789012345", "0.123456789012345", false, 0.123456789012345},
    {"123456789.123456", "123456789.123456", false, 123456789.123456},
    {"12345678901234.5", "12345678901234.5", false, 12345678901234.5},
    {"0.1234567890123450000", "0.123456789012345", false, 0.123456789012345},
    {"100000000000000.000000000000000000", "100000000000000", true, 1e14},
    /* beyond them: refused, never rounded */
    {"1e+16", NULL, false, 0},
    {"1e300", NULL, false, 0},
    {"1e15", NULL, false, 0},
    {"1000000000000000", NULL, false, 0},
    {"1e-16", NULL, false, 0},
    {"0.0000000000000001", NULL, false, 0},
    {"0.1234567890123456", NULL, false, 0},
    {"1234567890123456", NULL, false, 0},
    {"-1234567890123456", NULL, false, 0},
    {"123456789012345.6", NULL, false, 0},
    {"0.30000000000000004", NULL, false, 0},
    {"1.5e-300", NULL, false, 0},
    {"1e99999999999999999999", NULL, false, 0},
    {"9223372036854775807", NULL, false, 0},
};

/* The protocol's number rule on JSON literals (docs/protocol.md, contract of issue 17). */
static void test_json_literal(void **state)
{
	static const char *const not_json[] = {
	    "",	  "-",	"+1",  "01",  "1.",    ".5",	"1e",	    "1e+",   "0x10",
	    "1 ", " 1", "NaN", "--1", "1.5.2", "1e5.5", "infinity", "\"1\"",
	};
	(void)state;
	for (size_t i = 0; i < sizeof json_literal_cases / sizeof json_literal_cases[0]; i++) {
		struct num n;
		const char *why = "unset";
		int rc = num_json_literal(json_literal_cases[i].lit,
					  strlen(json_literal_cases[i].lit), &n, &why);
		if (!json_literal_cases[i].text) {
			if (rc != -1 || why != num_json_rule)
				fail_msg("%s: accepted as %s", json_literal_cases[i].lit, n.text);
			continue;
		}
		if (rc != 0 || why != NULL || strcmp(n.text, json_literal_cases[i].text) != 0 ||
		    n.integer != json_literal_cases[i].integer ||
		    n.value != json_literal_cases[i].value)
			fail_msg("%s: rc %d text \"%s\" integer %d value %.17g (%s)",
				 json_literal_cases[i].lit, rc, n.text, n.integer, n.value,
				 why ? why : "");
		/* The canonical text is what %.15g gave for these values (digests stay). */
		char g[64];
		snprintf(g, sizeof g, "%.15g", json_literal_cases[i].value);
		if (!strchr(g, 'e') && strcmp(g, n.text) != 0)
			fail_msg("%s: canonical %s but %%.15g %s", json_literal_cases[i].lit,
				 n.text, g);
		/* A fixed point: the canonical text reads back as itself. */
		struct num again;
		if (num_json_literal(n.text, strlen(n.text), &again, &why) != 0 ||
		    strcmp(again.text, n.text) != 0)
			fail_msg("%s: canonical %s does not read back", json_literal_cases[i].lit,
				 n.text);
	}
	for (size_t i = 0; i < sizeof not_json / sizeof not_json[0]; i++) {
		struct num n;
		const char *why = NULL;
		if (num_json_literal(not_json[i], strlen(not_json[i]), &n, &why) != -1 || !why ||
		    why == num_json_rule)
			fail_msg("\"%s\": not refused as no JSON number", not_json[i]);
	}
	assert_string_equal(num_json_rule, "a value has at most 15 significant digits, at most 15 "
					   "digits before the decimal point and 15 after it");
}

static void test_format(void **state)
{
	int failures = 0;

	(void)state;
	for (size_t i = 0; i < sizeof fmt_cases / sizeof *fmt_cases; i++) {
		const struct fmt_case *c = &fmt_cases[i];
		char vi[128], plain[128];
		int nvi = num_format_vi(c->v, c->decimals, vi, sizeof vi);
		int nplain = num_format_plain(c->v, c->decimals, plain, sizeof plain);

		if (strcmp(vi, c->vi) != 0 || strcmp(plain, c->plain) != 0 ||
		    nvi != (int)strlen(c->vi) || nplain != (int)strlen(c->plain)) {
			print_error("case %.17g/%d: got \"%s\" (%d) \"%s\" (%d), expected \"%s\" "
				    "\"%s\"\n",
				    c->v, c->decimals, vi, nvi, plain, nplain, c->vi, c->plain);
			failures++;
		}
	}
	assert_int_equal(failures, 0);
}

/* snprintf's contract: the whole length is returned, what fits is stored. */
static void test_format_truncation(void **state)
{
	static const struct {
		size_t size;
		const char *vi; /* of -2115025641.5 at 1 decimal */
	} cases[] = {
	    {1, ""},
	    {2, "-"},
	    {6, "-2.11"},
	    {16, "-2.115.025.641,"},
	    {17, "-2.115.025.641,5"},
	    {64, "-2.115.025.641,5"},
	};
	char buf[64];
	int failures = 0;

	(void)state;
	assert_int_equal(num_format_vi(-2115025641.5, 1, NULL, 0), 16);
	assert_int_equal(num_format_plain(1e300, 2, NULL, 0), 304);
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		memset(buf, 'x', sizeof buf);
		if (num_format_vi(-2115025641.5, 1, buf, cases[i].size) != 16 ||
		    strcmp(buf, cases[i].vi) != 0) {
			print_error("case size %d: \"%s\"\n", (int)cases[i].size, buf);
			failures++;
		}
	}
	assert_int_equal(failures, 0);
}

/* What num_parse reads, num_format_plain prints back in a form num_parse reads. */
static void test_round_trip(void **state)
{
	int failures = 0;

	(void)state;
	for (size_t i = 0; i < sizeof parse_ok_cases / sizeof *parse_ok_cases; i++) {
		const struct parse_ok *c = &parse_ok_cases[i];
		const char *dot, *why;
		char buf[64];
		struct num a, b;
		int decimals;

		if (num_parse(c->in, strlen(c->in), &a, &why) != 0)
			continue;
		/* As many decimals as the text, but never exactly three ("1.463"). */
		dot = strchr(a.text, '.');
		decimals = dot ? (int)strlen(dot + 1) : 0;
		if (decimals == 3)
			decimals = 4;
		num_format_plain(a.value, decimals, buf, sizeof buf);
		if (num_parse(buf, strlen(buf), &b, &why) != 0 || b.value != a.value ||
		    strcmp(a.text, b.text) != 0) {
			print_error("case \"%s\": printed \"%s\"\n", c->in, buf);
			failures++;
		}
	}
	assert_int_equal(failures, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_ok),
	    cmocka_unit_test(test_parse_err),
	    cmocka_unit_test(test_parse_len),
	    cmocka_unit_test(test_parse_quote),
	    cmocka_unit_test(test_parse_why_per_thread),
	    cmocka_unit_test(test_json_literal),
	    cmocka_unit_test(test_format),
	    cmocka_unit_test(test_format_truncation),
	    cmocka_unit_test(test_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
