/*
 * Tests for period: identifiers of every type (round trip and refusals with
 * their messages), ranges in both calendars (leap years, year ends, ISO weeks
 * 53), period_of_date on the 14th/15th boundary of every month of 2024, the
 * partition property over sixty years of days, nesting, the previous period
 * (which ends the day before), names and dates.
 * Each table is walked by a loop that reports every failing case by name.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "period.h"

#define S CAL_STATISTICAL
#define A CAL_ADMINISTRATIVE

/* Day number of "YYYY-MM-DD" (test data is always valid). */
static int32_t day_of(const char *iso)
{
	int y, m, d;

	assert_int_equal(sscanf(iso, "%d-%d-%d", &y, &m, &d), 3);
	return date_from_ymd(y, m, d);
}

/* The period an identifier names (test data is always valid). */
static struct period period_of(const char *id)
{
	struct period p;
	const char *why = NULL;

	if (period_parse(id, strlen(id), &p, &why) != 0)
		fail_msg("test data \"%s\": %s", id, why);
	return p;
}

static const char *period_id(const struct period *p, char buf[16])
{
	period_format(p, buf, 16);
	return buf;
}

static const char *date_iso(int32_t day, char buf[16])
{
	date_format(day, buf, 16);
	return buf;
}

static const struct {
	const char *in;
	enum period_type type;
	int year, num, day;
	const char *id;
} parse_ok_cases[] = {
    {"2024", PERIOD_YEARLY, 2024, 0, 0, "2024"},
    {"2000", PERIOD_YEARLY, 2000, 0, 0, "2000"}, /* PERIOD_YEAR_MIN */
    {"2100", PERIOD_YEARLY, 2100, 0, 0, "2100"}, /* PERIOD_YEAR_MAX */
    {"2024S1", PERIOD_SIXMONTHLY, 2024, 1, 0, "2024S1"},
    {"2024S2", PERIOD_SIXMONTHLY, 2024, 2, 0, "2024S2"},
    {"2024Q1", PERIOD_QUARTERLY, 2024, 1, 0, "2024Q1"},
    {"2024Q2", PERIOD_QUARTERLY, 2024, 2, 0, "2024Q2"},
    {"2024Q4", PERIOD_QUARTERLY, 2024, 4, 0, "2024Q4"},
    {"202401", PERIOD_MONTHLY, 2024, 1, 0, "202401"},
    {"202406", PERIOD_MONTHLY, 2024, 6, 0, "202406"},
    {"202412", PERIOD_MONTHLY, 2024, 12, 0, "202412"},
    {"2024W1", PERIOD_WEEKLY, 2024, 1, 0, "2024W1"},
    {"2024W01", PERIOD_WEEKLY, 2024, 1, 0, "2024W1"},
    {"2024W5", PERIOD_WEEKLY, 2024, 5, 0, "2024W5"},
    {"2024W10", PERIOD_WEEKLY, 2024, 10, 0, "2024W10"},
    {"2024W52", PERIOD_WEEKLY, 2024, 52, 0, "2024W52"},
    {"2020W53", PERIOD_WEEKLY, 2020, 53, 0, "2020W53"},
    {"2026W53", PERIOD_WEEKLY, 2026, 53, 0, "2026W53"},
    {"2015W53", PERIOD_WEEKLY, 2015, 53, 0, "2015W53"},
    {"2004W53", PERIOD_WEEKLY, 2004, 53, 0, "2004W53"},
    {"2032W53", PERIOD_WEEKLY, 2032, 53, 0, "2032W53"},
    {"20240615", PERIOD_DAILY, 2024, 6, 15, "20240615"},
    {"20240229", PERIOD_DAILY, 2024, 2, 29, "20240229"},
    {"20000229", PERIOD_DAILY, 2000, 2, 29, "20000229"},
    {"21000228", PERIOD_DAILY, 2100, 2, 28, "21000228"},
    {"20000101", PERIOD_DAILY, 2000, 1, 1, "20000101"},
    {"21001231", PERIOD_DAILY, 2100, 12, 31, "21001231"},
    {" 2024Q2\t", PERIOD_QUARTERLY, 2024, 2, 0, "2024Q2"},
    {"\r\n202406 ", PERIOD_MONTHLY, 2024, 6, 0, "202406"},
};

static void test_parse_ok(void **state)
{
	int failures = 0;

	(void)state;
	for (size_t i = 0; i < sizeof parse_ok_cases / sizeof *parse_ok_cases; i++) {
		struct period p;
		const char *why = NULL;
		char id[16];
		int n;

		if (period_parse(parse_ok_cases[i].in, strlen(parse_ok_cases[i].in), &p, &why) !=
		    0) {
			print_error("case \"%s\": refused: %s\n", parse_ok_cases[i].in, why);
			failures++;
			continue;
		}
		n = period_format(&p, id, sizeof id);
		if (p.type != parse_ok_cases[i].type || p.year != parse_ok_cases[i].year ||
		    p.num != parse_ok_cases[i].num || p.day != parse_ok_cases[i].day ||
		    strcmp(id, parse_ok_cases[i].id) != 0 || n != (int)strlen(id)) {
			print_error("case \"%s\": got %d %d %d %d \"%s\"\n", parse_ok_cases[i].in,
				    p.type, p.year, p.num, p.day, id);
			failures++;
		}
	}
	assert_int_equal(failures, 0);
}

static const struct {
	const char *in;
	const char *why; /* a fragment of the message */
} parse_err_cases[] = {
    /* forms people write, with the identifier they meant */
    {"2024H1",
     "không nhận dạng được kỳ báo cáo \"2024H1\": hãy ghi 2024S1 cho 6 tháng đầu năm 2024"},
    {"2024H2",
     "không nhận dạng được kỳ báo cáo \"2024H2\": hãy ghi 2024S2 cho 6 tháng cuối năm 2024"},
    {"2024-H1", "hãy ghi 2024S1 cho 6 tháng đầu năm 2024"},
    {"2024h2", "hãy ghi 2024S2 cho 6 tháng cuối năm 2024"},
    {"2024-06", "không nhận dạng được kỳ báo cáo \"2024-06\": hãy ghi 202406 cho tháng 6 năm 2024"},
    {"06/2024", "không nhận dạng được kỳ báo cáo \"06/2024\": hãy ghi 202406 cho tháng 6 năm 2024"},
    {"6/2024", "hãy ghi 202406 cho tháng 6 năm 2024"},
    {"2024/6", "hãy ghi 202406 cho tháng 6 năm 2024"},
    {"2024.12", "hãy ghi 202412 cho tháng 12 năm 2024"},
    {"01-2025", "hãy ghi 202501 cho tháng 1 năm 2025"},
    {"15/06/2024",
     "không nhận dạng được kỳ báo cáo \"15/06/2024\": hãy ghi 20240615 cho ngày 15/06/2024"},
    {"2024-06-15", "hãy ghi 20240615 cho ngày 15/06/2024"},
    {"5/6/2024", "hãy ghi 20240605 cho ngày 05/06/2024"},
    {"2024-Q2", "hãy ghi 2024Q2 cho quý II năm 2024"},
    {"Q3/2024", "hãy ghi 2024Q3 cho quý III năm 2024"},
    {"2024 Q4", "hãy ghi 2024Q4 cho quý IV năm 2024"},
    {"2024q1", "hãy ghi 2024Q1 cho quý I năm 2024"},
    {"2024s1", "hãy ghi 2024S1 cho 6 tháng đầu năm 2024"},
    {"2024-W10", "hãy ghi 2024W10 cho tuần 10 năm 2024"},
    {"2024w5", "hãy ghi 2024W5 cho tuần 5 năm 2024"},
    /* the form guessed, but the period does not exist */
    {"2024-13", "không nhận dạng được kỳ báo cáo \"2024-13\": tháng phải từ 01 đến 12"},
    {"31/02/2024", "không nhận dạng được kỳ báo cáo \"31/02/2024\": ngày phải từ 01 đến 29 trong "
		   "tháng 2 năm 2024"},
    {"2025-W53", "tuần phải từ 1 đến 52: năm 2025 có 52 tuần theo ISO"},
    {"2024H3", "kỳ 6 tháng phải là S1 hoặc S2"},
    /* right form, impossible numbers */
    {"2025W53",
     "kỳ báo cáo không hợp lệ \"2025W53\": tuần phải từ 1 đến 52: năm 2025 có 52 tuần theo ISO"},
    {"2024W53", "năm 2024 có 52 tuần theo ISO"},
    {"2020W54", "tuần phải từ 1 đến 53: năm 2020 có 53 tuần theo ISO"},
    {"2024W0", "kỳ báo cáo không hợp lệ \"2024W0\": tuần phải từ 1 đến 52"},
    {"2024W00", "tuần phải từ 1 đến 52"},
    {"2024Q0", "kỳ báo cáo không hợp lệ \"2024Q0\": quý phải từ Q1 đến Q4"},
    {"2024Q5", "quý phải từ Q1 đến Q4"},
    {"2024S0", "kỳ 6 tháng phải là S1 hoặc S2"},
    {"2024S3", "kỳ báo cáo không hợp lệ \"2024S3\": kỳ 6 tháng phải là S1 hoặc S2"},
    {"202400", "kỳ báo cáo không hợp lệ \"202400\": tháng phải từ 01 đến 12"},
    {"202413", "tháng phải từ 01 đến 12"},
    {"20240230",
     "kỳ báo cáo không hợp lệ \"20240230\": ngày phải từ 01 đến 29 trong tháng 2 năm 2024"},
    {"20230229", "ngày phải từ 01 đến 28 trong tháng 2 năm 2023"},
    {"21000229", "ngày phải từ 01 đến 28 trong tháng 2 năm 2100"},
    {"20240431", "ngày phải từ 01 đến 30 trong tháng 4 năm 2024"},
    {"20240100", "ngày phải từ 01 đến 31 trong tháng 1 năm 2024"},
    {"20241301", "tháng phải từ 01 đến 12"},
    {"1999", "kỳ báo cáo không hợp lệ \"1999\": năm phải từ 2000 đến 2100"},
    {"2101", "năm phải từ 2000 đến 2100"},
    {"1900", "kỳ báo cáo không hợp lệ \"1900\": năm phải từ 2000 đến 2100"},
    {"2999", "năm phải từ 2000 đến 2100"},
    {"199912", "năm phải từ 2000 đến 2100"},
    {"19000615", "năm phải từ 2000 đến 2100"},
    {"1999W52", "năm phải từ 2000 đến 2100"},
    {"2101Q1", "năm phải từ 2000 đến 2100"},
    {"1999S2", "năm phải từ 2000 đến 2100"},
    {"0000", "năm phải từ 2000 đến 2100"},
    {"9999", "năm phải từ 2000 đến 2100"},
    /* unknown */
    {"", "chưa ghi kỳ báo cáo"},
    {" \t ", "chưa ghi kỳ báo cáo"},
    {"24Q2", "không nhận dạng được kỳ báo cáo \"24Q2\": hãy ghi theo dạng 2024, 2024S1, 2024Q2, "
	     "202406, 2024W10 hoặc 20240615"},
    {"2024Q", "không nhận dạng được kỳ báo cáo \"2024Q\": hãy ghi theo dạng 2024, 2024S1"},
    {"2024W", "hãy ghi theo dạng 2024, 2024S1"},
    {"2024W100", "hãy ghi theo dạng 2024, 2024S1"},
    {"2024Q12", "hãy ghi theo dạng 2024, 2024S1"},
    {"2024X1", "hãy ghi theo dạng 2024, 2024S1"},
    {"20240615T00", "hãy ghi theo dạng 2024, 2024S1"},
    {"2024 06 15 1", "hãy ghi theo dạng 2024, 2024S1"},
    {"abc", "không nhận dạng được kỳ báo cáo \"abc\": hãy ghi theo dạng"},
    {"-2024", "hãy ghi theo dạng 2024, 2024S1"},
    {"20245", "hãy ghi theo dạng 2024, 2024S1"},
    {"2024\xe2\x80\xaeQ1",
     "không nhận dạng được kỳ báo cáo \"2024?\?\?Q1\": hãy ghi"}, /* no bidi override */
    {"năm 2024", "không nhận dạng được kỳ báo cáo \"năm 2024\": hãy ghi"},
};

static void test_parse_err(void **state)
{
	int failures = 0;

	(void)state;
	for (size_t i = 0; i < sizeof parse_err_cases / sizeof *parse_err_cases; i++) {
		struct period p;
		const char *why = NULL;
		char id[16];

		if (period_parse(parse_err_cases[i].in, strlen(parse_err_cases[i].in), &p, &why) !=
		    -1) {
			print_error("case \"%s\": accepted as %s\n", parse_err_cases[i].in,
				    period_id(&p, id));
			failures++;
		} else if (!why || !strstr(why, parse_err_cases[i].why)) {
			print_error("case \"%s\": message \"%s\", expected \"%s\"\n",
				    parse_err_cases[i].in, why ? why : "(null)",
				    parse_err_cases[i].why);
			failures++;
		}
	}
	assert_int_equal(failures, 0);
}

/* Only s[0..len) is read. */
static void test_parse_len(void **state)
{
	struct period p;
	const char *why;

	(void)state;
	assert_int_equal(period_parse("2024Q2xyz", 6, &p, &why), 0);
	assert_int_equal(p.type, PERIOD_QUARTERLY);
	assert_int_equal(period_parse("2024Q2", 4, &p, &why), 0);
	assert_int_equal(p.type, PERIOD_YEARLY);
	assert_int_equal(period_parse("2024\0Q1", 7, &p, &why), -1);
	assert_string_equal(why,
			    "không nhận dạng được kỳ báo cáo \"2024?Q1\": hãy ghi theo dạng 2024, "
			    "2024S1, 2024Q2, 202406, 2024W10 hoặc 20240615");
	assert_int_equal(period_parse("2024\0"
				      "1",
				      6, &p, &why),
			 -1);
	assert_int_equal(period_parse(NULL, 0, &p, &why), -1);
	assert_string_equal(why, "chưa ghi kỳ báo cáo");
}

static const struct {
	const char *id;
	enum period_calendar cal;
	const char *first, *last;
} range_cases[] = {
    /* days and weeks are the same in both calendars */
    {"20240229", S, "2024-02-29", "2024-02-29"},
    {"20240229", A, "2024-02-29", "2024-02-29"},
    {"20000229", S, "2000-02-29", "2000-02-29"},
    {"2024W1", S, "2024-01-01", "2024-01-07"},
    {"2024W1", A, "2024-01-01", "2024-01-07"},
    {"2024W10", S, "2024-03-04", "2024-03-10"},
    {"2024W52", S, "2024-12-23", "2024-12-29"},
    {"2025W1", S, "2024-12-30", "2025-01-05"},
    {"2025W1", A, "2024-12-30", "2025-01-05"},
    {"2025W52", S, "2025-12-22", "2025-12-28"},
    {"2020W1", S, "2019-12-30", "2020-01-05"},
    {"2020W53", S, "2020-12-28", "2021-01-03"},
    {"2021W1", S, "2021-01-04", "2021-01-10"},
    {"2026W1", S, "2025-12-29", "2026-01-04"},
    {"2026W53", S, "2026-12-28", "2027-01-03"},
    {"2026W53", A, "2026-12-28", "2027-01-03"},
    {"2015W53", S, "2015-12-28", "2016-01-03"},
    {"2004W53", S, "2004-12-27", "2005-01-02"},
    {"2001W1", S, "2001-01-01", "2001-01-07"},
    {"2100W52", S, "2100-12-27", "2101-01-02"},
    /* statistical: calendar months */
    {"202401", S, "2024-01-01", "2024-01-31"},
    {"202402", S, "2024-02-01", "2024-02-29"},
    {"202302", S, "2023-02-01", "2023-02-28"},
    {"200002", S, "2000-02-01", "2000-02-29"},
    {"210002", S, "2100-02-01", "2100-02-28"},
    {"202404", S, "2024-04-01", "2024-04-30"},
    {"202312", S, "2023-12-01", "2023-12-31"},
    {"2024Q1", S, "2024-01-01", "2024-03-31"},
    {"2024Q2", S, "2024-04-01", "2024-06-30"},
    {"2024Q3", S, "2024-07-01", "2024-09-30"},
    {"2024Q4", S, "2024-10-01", "2024-12-31"},
    {"2024S1", S, "2024-01-01", "2024-06-30"},
    {"2024S2", S, "2024-07-01", "2024-12-31"},
    {"2024", S, "2024-01-01", "2024-12-31"},
    {"2100", S, "2100-01-01", "2100-12-31"},
    /* administrative: the 15th of the month before to the 14th */
    {"202401", A, "2023-12-15", "2024-01-14"},
    {"202402", A, "2024-01-15", "2024-02-14"},
    {"202403", A, "2024-02-15", "2024-03-14"},
    {"202406", A, "2024-05-15", "2024-06-14"},
    {"202412", A, "2024-11-15", "2024-12-14"},
    {"210003", A, "2100-02-15", "2100-03-14"},
    {"2024Q1", A, "2023-12-15", "2024-03-14"},
    {"2024Q2", A, "2024-03-15", "2024-06-14"},
    {"2024Q3", A, "2024-06-15", "2024-09-14"},
    {"2024Q4", A, "2024-09-15", "2024-12-14"},
    {"2024S1", A, "2023-12-15", "2024-06-14"},
    {"2024S2", A, "2024-06-15", "2024-12-14"},
    {"2024", A, "2023-12-15", "2024-12-14"},
    {"2025", A, "2024-12-15", "2025-12-14"},
    {"2000", A, "1999-12-15", "2000-12-14"},
    {"2100", A, "2099-12-15", "2100-12-14"},
    {"2100Q1", A, "2099-12-15", "2100-03-14"},
};

static void test_range(void **state)
{
	int failures = 0;

	(void)state;
	for (size_t i = 0; i < sizeof range_cases / sizeof *range_cases; i++) {
		struct period p = period_of(range_cases[i].id);
		int32_t first = 0, last = 0;
		char a[16], b[16];

		period_range(&p, range_cases[i].cal, &first, &last);
		if (first != day_of(range_cases[i].first) || last != day_of(range_cases[i].last)) {
			print_error("case %s %s: got %s..%s, expected %s..%s\n", range_cases[i].id,
				    period_calendar_name(range_cases[i].cal), date_iso(first, a),
				    date_iso(last, b), range_cases[i].first, range_cases[i].last);
			failures++;
		}
	}
	assert_int_equal(failures, 0);
}

static const struct {
	const char *date;
	enum period_type type;
	enum period_calendar cal;
	const char *id;
} of_date_cases[] = {
    {"2024-06-14", PERIOD_SIXMONTHLY, A, "2024S1"},
    {"2024-06-14", PERIOD_MONTHLY, A, "202406"},
    {"2024-06-15", PERIOD_SIXMONTHLY, A, "2024S2"},
    {"2024-06-15", PERIOD_MONTHLY, A, "202407"},
    {"2023-12-15", PERIOD_YEARLY, A, "2024"},
    {"2023-12-15", PERIOD_MONTHLY, A, "202401"},
    {"2023-12-15", PERIOD_QUARTERLY, A, "2024Q1"},
    {"2023-12-15", PERIOD_SIXMONTHLY, A, "2024S1"},
    {"2023-12-14", PERIOD_YEARLY, A, "2023"},
    {"2023-12-14", PERIOD_MONTHLY, A, "202312"},
    {"2023-12-14", PERIOD_QUARTERLY, A, "2023Q4"},
    {"2023-12-14", PERIOD_SIXMONTHLY, A, "2023S2"},
    {"2023-12-15", PERIOD_YEARLY, S, "2023"},
    {"2023-12-15", PERIOD_MONTHLY, S, "202312"},
    {"2024-12-31", PERIOD_YEARLY, S, "2024"},
    {"2024-12-31", PERIOD_QUARTERLY, S, "2024Q4"},
    {"2024-06-30", PERIOD_SIXMONTHLY, S, "2024S1"},
    {"2024-07-01", PERIOD_SIXMONTHLY, S, "2024S2"},
    {"2024-02-29", PERIOD_MONTHLY, S, "202402"},
    {"2024-02-29", PERIOD_MONTHLY, A, "202403"},
    {"2024-02-29", PERIOD_DAILY, S, "20240229"},
    {"2024-06-15", PERIOD_DAILY, A, "20240615"},
    /* ISO weeks, the same in both calendars */
    {"2024-12-30", PERIOD_WEEKLY, S, "2025W1"},
    {"2024-12-30", PERIOD_WEEKLY, A, "2025W1"},
    {"2024-12-29", PERIOD_WEEKLY, S, "2024W52"},
    {"2021-01-03", PERIOD_WEEKLY, S, "2020W53"},
    {"2021-01-04", PERIOD_WEEKLY, S, "2021W1"},
    {"2027-01-01", PERIOD_WEEKLY, S, "2026W53"},
    {"2024-01-01", PERIOD_WEEKLY, S, "2024W1"},
    {"2023-01-01", PERIOD_WEEKLY, S, "2022W52"},
    {"2024-03-10", PERIOD_WEEKLY, A, "2024W10"},
    {"1900-01-01", PERIOD_WEEKLY, S, "1900W1"},
    /* outside the identifier years: still computed and printed */
    {"1899-12-31", PERIOD_WEEKLY, S, "1899W52"},
    {"2999-12-15", PERIOD_YEARLY, A, "3000"},
};

static void test_of_date(void **state)
{
	int failures = 0;

	(void)state;
	for (size_t i = 0; i < sizeof of_date_cases / sizeof *of_date_cases; i++) {
		struct period p;
		char id[16];

		period_of_date(day_of(of_date_cases[i].date), of_date_cases[i].type,
			       of_date_cases[i].cal, &p);
		if (strcmp(period_id(&p, id), of_date_cases[i].id) != 0) {
			print_error("case %s %s %s: got %s, expected %s\n", of_date_cases[i].date,
				    period_type_name(of_date_cases[i].type),
				    period_calendar_name(of_date_cases[i].cal), id,
				    of_date_cases[i].id);
			failures++;
		}
	}
	assert_int_equal(failures, 0);
}

/*
 * period_of_date_checked: a date inside 2000..2100 whose period falls outside
 * (the first days of 2000 in week 1999W52, the second half of December 2100 in
 * the administrative year 2101) is refused with period_parse's words.
 */
static const struct {
	const char *date;
	enum period_type type;
	enum period_calendar cal;
	const char *id;	 /* the period, also when refused */
	const char *why; /* NULL: accepted */
} checked_cases[] = {
    {"2000-01-01", PERIOD_WEEKLY, S, "1999W52",
     "kỳ báo cáo không hợp lệ \"1999W52\": năm phải từ 2000 đến 2100"},
    {"2000-01-03", PERIOD_WEEKLY, S, "2000W1", NULL},
    {"2000-01-01", PERIOD_MONTHLY, A, "200001", NULL},
    {"2000-01-01", PERIOD_DAILY, S, "20000101", NULL},
    {"2100-12-14", PERIOD_SIXMONTHLY, A, "2100S2", NULL},
    {"2100-12-15", PERIOD_SIXMONTHLY, A, "2101S1",
     "kỳ báo cáo không hợp lệ \"2101S1\": năm phải từ 2000 đến 2100"},
    {"2100-12-20", PERIOD_YEARLY, A, "2101",
     "kỳ báo cáo không hợp lệ \"2101\": năm phải từ 2000 đến 2100"},
    {"2100-12-31", PERIOD_YEARLY, S, "2100", NULL},
    {"2100-12-31", PERIOD_WEEKLY, S, "2100W52", NULL},
};

static void test_of_date_checked(void **state)
{
	int failures = 0;

	(void)state;
	for (size_t i = 0; i < sizeof checked_cases / sizeof *checked_cases; i++) {
		struct period p;
		const char *why = NULL, *want = checked_cases[i].why;
		char id[16];
		int rc =
		    period_of_date_checked(day_of(checked_cases[i].date), checked_cases[i].type,
					   checked_cases[i].cal, &p, &why);

		if (strcmp(period_id(&p, id), checked_cases[i].id) != 0 || rc != (want ? -1 : 0) ||
		    (want && strcmp(why, want) != 0)) {
			print_error("case %s %s: got %s, %d, %s; expected %s, %s\n",
				    checked_cases[i].date, period_type_name(checked_cases[i].type),
				    id, rc, rc < 0 ? why : "-", checked_cases[i].id,
				    want ? want : "accepted");
			failures++;
		}
	}
	assert_int_equal(failures, 0);
}

/* The 14th and the 15th of every month of 2024 in the administrative calendar. */
static const struct {
	const char *date;
	const char *monthly, *quarterly, *sixmonthly, *yearly; /* administrative */
	const char *stat_monthly;
} boundary_cases[] = {
    {"2024-01-14", "202401", "2024Q1", "2024S1", "2024", "202401"},
    {"2024-01-15", "202402", "2024Q1", "2024S1", "2024", "202401"},
    {"2024-02-14", "202402", "2024Q1", "2024S1", "2024", "202402"},
    {"2024-02-15", "202403", "2024Q1", "2024S1", "2024", "202402"},
    {"2024-03-14", "202403", "2024Q1", "2024S1", "2024", "202403"},
    {"2024-03-15", "202404", "2024Q2", "2024S1", "2024", "202403"},
    {"2024-04-14", "202404", "2024Q2", "2024S1", "2024", "202404"},
    {"2024-04-15", "202405", "2024Q2", "2024S1", "2024", "202404"},
    {"2024-05-14", "202405", "2024Q2", "2024S1", "2024", "202405"},
    {"2024-05-15", "202406", "2024Q2", "2024S1", "2024", "202405"},
    {"2024-06-14", "202406", "2024Q2", "2024S1", "2024", "202406"},
    {"2024-06-15", "202407", "2024Q3", "2024S2", "2024", "202406"},
    {"2024-07-14", "202407", "2024Q3", "2024S2", "2024", "202407"},
    {"2024-07-15", "202408", "2024Q3", "2024S2", "2024", "202407"},
    {"2024-08-14", "202408", "2024Q3", "2024S2", "2024", "202408"},
    {"2024-08-15", "202409", "2024Q3", "2024S2", "2024", "202408"},
    {"2024-09-14", "202409", "2024Q3", "2024S2", "2024", "202409"},
    {"2024-09-15", "202410", "2024Q4", "2024S2", "2024", "202409"},
    {"2024-10-14", "202410", "2024Q4", "2024S2", "2024", "202410"},
    {"2024-10-15", "202411", "2024Q4", "2024S2", "2024", "202410"},
    {"2024-11-14", "202411", "2024Q4", "2024S2", "2024", "202411"},
    {"2024-11-15", "202412", "2024Q4", "2024S2", "2024", "202411"},
    {"2024-12-14", "202412", "2024Q4", "2024S2", "2024", "202412"},
    {"2024-12-15", "202501", "2025Q1", "2025S1", "2025", "202412"},
};

static void test_admin_boundaries(void **state)
{
	int failures = 0;

	(void)state;
	for (size_t i = 0; i < sizeof boundary_cases / sizeof *boundary_cases; i++) {
		const char *want[] = {boundary_cases[i].monthly, boundary_cases[i].quarterly,
				      boundary_cases[i].sixmonthly, boundary_cases[i].yearly,
				      boundary_cases[i].stat_monthly};
		const enum period_type types[] = {PERIOD_MONTHLY, PERIOD_QUARTERLY,
						  PERIOD_SIXMONTHLY, PERIOD_YEARLY, PERIOD_MONTHLY};
		int32_t day = day_of(boundary_cases[i].date);

		for (size_t k = 0; k < 5; k++) {
			enum period_calendar cal = k < 4 ? A : S;
			struct period p;
			int32_t first, last;
			char id[16];

			period_of_date(day, types[k], cal, &p);
			period_range(&p, cal, &first, &last);
			if (strcmp(period_id(&p, id), want[k]) != 0 || day < first || day > last) {
				print_error("case %s %s %s: got %s, expected %s\n",
					    boundary_cases[i].date, period_type_name(types[k]),
					    period_calendar_name(cal), id, want[k]);
				failures++;
			}
		}
	}
	assert_int_equal(failures, 0);
}

/*
 * Over every day from 2000 to 2060, for every type and both calendars: periods
 * tile the days with no gap and no overlap, each contains its days, and each
 * identifier parses back to the same period.
 */
static void test_partition(void **state)
{
	/* a Monday: the week of 1 January 2000 is 1999W52, outside the years accepted */
	int32_t from = date_from_ymd(2000, 1, 3), to = date_from_ymd(2060, 12, 31);
	int failures = 0;

	(void)state;
	for (int t = 0; t < PERIOD_NTYPES; t++) {
		for (int cal = S; cal <= A; cal++) {
			struct period cur, next, back;
			int32_t first, last;
			const char *why;
			char id[16];

			period_of_date(from, (enum period_type)t, (enum period_calendar)cal, &cur);
			for (int32_t d = from; d <= to && failures < 10; d++) {
				period_of_date(d + 1, (enum period_type)t,
					       (enum period_calendar)cal, &next);
				if (period_cmp(&cur, &next) == 0)
					continue;
				period_range(&cur, (enum period_calendar)cal, &first, &last);
				period_id(&cur, id);
				if (last != d || period_cmp(&cur, &next) >= 0 ||
				    period_parse(id, strlen(id), &back, &why) != 0 ||
				    period_cmp(&back, &cur) != 0) {
					print_error("case %s %s: ends %d, day %d\n", id,
						    period_calendar_name((enum period_calendar)cal),
						    last, d);
					failures++;
				}
				period_range(&next, (enum period_calendar)cal, &first, &last);
				if (first != d + 1) {
					print_error("case %s: starts %d, day %d\n",
						    period_id(&next, id), first, d + 1);
					failures++;
				}
				cur = next;
			}
		}
	}
	assert_int_equal(failures, 0);
}

static void test_cmp(void **state)
{
	static const struct {
		const char *a, *b;
		int sign;
	} cases[] = {
	    {"202405", "202406", -1},	 {"202406", "202405", 1},      {"2024", "2023", 1},
	    {"2024W9", "2024W10", -1},	 {"2020W53", "2021W1", -1},    {"20240615", "20240614", 1},
	    {"20240615", "20240615", 0}, {"20240531", "20240601", -1}, {"2024S2", "2025S1", -1},
	    {"2024Q4", "2024Q4", 0},	 {"2024", "202401", 1},	       {"202401", "2024", -1},
	};
	int failures = 0;

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct period a = period_of(cases[i].a), b = period_of(cases[i].b);
		int r = period_cmp(&a, &b);

		if ((r > 0) - (r < 0) != cases[i].sign) {
			print_error("case %s %s: %d\n", cases[i].a, cases[i].b, r);
			failures++;
		}
	}
	assert_int_equal(failures, 0);
}

static void test_subcount(void **state)
{
	/* [coarse][fine] */
	static const int want[PERIOD_NTYPES][PERIOD_NTYPES] = {
	    /*              D  W  M  Q  S  Y */
	    /* daily */ {0, 0, 0, 0, 0, 0},
	    /* weekly */ {0, 0, 0, 0, 0, 0},
	    /* monthly */ {0, 0, 0, 0, 0, 0},
	    /* quarterly */ {0, 0, 3, 0, 0, 0},
	    /* six-monthly */ {0, 0, 6, 2, 0, 0},
	    /* yearly */ {0, 0, 12, 4, 2, 0},
	};
	int failures = 0;

	(void)state;
	for (int c = 0; c < PERIOD_NTYPES; c++) {
		for (int f = 0; f < PERIOD_NTYPES; f++) {
			int n = period_subcount((enum period_type)c, (enum period_type)f);

			if (n != want[c][f]) {
				print_error("case %s in %s: %d, expected %d\n",
					    period_type_name((enum period_type)f),
					    period_type_name((enum period_type)c), n, want[c][f]);
				failures++;
			}
		}
	}
	assert_int_equal(failures, 0);
}

static void test_parent(void **state)
{
	static const struct {
		const char *id;
		enum period_type coarse;
		const char *parent; /* NULL: -1 */
	} cases[] = {
	    {"202405", PERIOD_QUARTERLY, "2024Q2"},  {"202405", PERIOD_SIXMONTHLY, "2024S1"},
	    {"202405", PERIOD_YEARLY, "2024"},	     {"202401", PERIOD_QUARTERLY, "2024Q1"},
	    {"202403", PERIOD_QUARTERLY, "2024Q1"},  {"202404", PERIOD_QUARTERLY, "2024Q2"},
	    {"202406", PERIOD_SIXMONTHLY, "2024S1"}, {"202407", PERIOD_SIXMONTHLY, "2024S2"},
	    {"202412", PERIOD_QUARTERLY, "2024Q4"},  {"2024Q2", PERIOD_SIXMONTHLY, "2024S1"},
	    {"2024Q3", PERIOD_SIXMONTHLY, "2024S2"}, {"2024Q2", PERIOD_YEARLY, "2024"},
	    {"2024S2", PERIOD_YEARLY, "2024"},	     {"20240615", PERIOD_MONTHLY, NULL},
	    {"20240615", PERIOD_YEARLY, NULL},	     {"2024W10", PERIOD_MONTHLY, NULL},
	    {"2024W10", PERIOD_YEARLY, NULL},	     {"202405", PERIOD_MONTHLY, NULL},
	    {"2024Q2", PERIOD_MONTHLY, NULL},	     {"2024", PERIOD_YEARLY, NULL},
	    {"2024", PERIOD_SIXMONTHLY, NULL},
	};
	int failures = 0;

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct period p = period_of(cases[i].id), out;
		int rc = period_parent(&p, cases[i].coarse, &out);
		char id[16] = "";

		if (rc == 0)
			period_id(&out, id);
		if (cases[i].parent ? rc != 0 || strcmp(id, cases[i].parent) != 0 : rc != -1) {
			print_error("case %s to %s: rc %d %s\n", cases[i].id,
				    period_type_name(cases[i].coarse), rc, id);
			failures++;
		}
	}
	assert_int_equal(failures, 0);
}

/* A parent contains its child in both calendars: the shift is the same. */
static void test_parent_contains(void **state)
{
	static const char *const ids[] = {"202401", "202403", "202406", "202407", "202412",
					  "2024Q1", "2024Q3", "2024S1", "2024S2"};
	int failures = 0;

	(void)state;
	for (size_t i = 0; i < sizeof ids / sizeof *ids; i++) {
		struct period p = period_of(ids[i]);

		for (int c = p.type + 1; c < PERIOD_NTYPES; c++) {
			for (int cal = S; cal <= A; cal++) {
				struct period parent;
				int32_t f, l, pf, pl;

				assert_int_equal(period_parent(&p, (enum period_type)c, &parent),
						 0);
				period_range(&p, (enum period_calendar)cal, &f, &l);
				period_range(&parent, (enum period_calendar)cal, &pf, &pl);
				if (f < pf || l > pl) {
					print_error("case %s in %s\n", ids[i],
						    period_type_name((enum period_type)c));
					failures++;
				}
			}
		}
	}
	assert_int_equal(failures, 0);
}

/*
 * period_parents: the chain parents of a period with their days in both
 * calendars, the dates the period table stores for them (Decree 09: the
 * administrative quarter 2024Q1 is 15/12/2023-14/03/2024).
 */
static void test_parents(void **state)
{
	static const struct {
		const char *id;
		int n;
		struct {
			const char *id, *stat_first, *stat_last, *adm_first, *adm_last;
		} parent[PERIOD_PARENTS_MAX];
	} cases[] = {
	    {"202402",
	     3,
	     {{"2024Q1", "2024-01-01", "2024-03-31", "2023-12-15", "2024-03-14"},
	      {"2024S1", "2024-01-01", "2024-06-30", "2023-12-15", "2024-06-14"},
	      {"2024", "2024-01-01", "2024-12-31", "2023-12-15", "2024-12-14"}}},
	    {"202406",
	     3,
	     {{"2024Q2", "2024-04-01", "2024-06-30", "2024-03-15", "2024-06-14"},
	      {"2024S1", "2024-01-01", "2024-06-30", "2023-12-15", "2024-06-14"},
	      {"2024", "2024-01-01", "2024-12-31", "2023-12-15", "2024-12-14"}}},
	    {"202412",
	     3,
	     {{"2024Q4", "2024-10-01", "2024-12-31", "2024-09-15", "2024-12-14"},
	      {"2024S2", "2024-07-01", "2024-12-31", "2024-06-15", "2024-12-14"},
	      {"2024", "2024-01-01", "2024-12-31", "2023-12-15", "2024-12-14"}}},
	    {"2023Q3",
	     2,
	     {{"2023S2", "2023-07-01", "2023-12-31", "2023-06-15", "2023-12-14"},
	      {"2023", "2023-01-01", "2023-12-31", "2022-12-15", "2023-12-14"}}},
	    {"2000S1", 1, {{"2000", "2000-01-01", "2000-12-31", "1999-12-15", "2000-12-14"}}},
	    {"2024", 0, {{0}}},
	    {"2024W10", 0, {{0}}},
	    {"20240615", 0, {{0}}},
	};
	int failures = 0;

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct period p = period_of(cases[i].id);
		struct period out[PERIOD_PARENTS_MAX];
		int n = period_parents(&p, out);

		if (n != cases[i].n) {
			print_error("case %s: %d parents, want %d\n", cases[i].id, n, cases[i].n);
			failures++;
			continue;
		}
		for (int k = 0; k < n; k++) {
			char id[16] = "";
			int32_t sf, sl, af, al;

			period_id(&out[k], id);
			period_range(&out[k], CAL_STATISTICAL, &sf, &sl);
			period_range(&out[k], CAL_ADMINISTRATIVE, &af, &al);
			if (strcmp(id, cases[i].parent[k].id) != 0 ||
			    sf != day_of(cases[i].parent[k].stat_first) ||
			    sl != day_of(cases[i].parent[k].stat_last) ||
			    af != day_of(cases[i].parent[k].adm_first) ||
			    al != day_of(cases[i].parent[k].adm_last)) {
				print_error("case %s parent %d: %s\n", cases[i].id, k, id);
				failures++;
			}
		}
	}
	assert_int_equal(failures, 0);
}

/* period_previous: the period a report compares against, across year ends, 29 February
 * and a year of 53 ISO weeks (2020, 2026) or 52 (2023, 1999). */
static void test_previous(void **state)
{
	static const struct {
		const char *id, *prev; /* prev NULL: period_previous_id refuses id */
	} cases[] = {
	    {"2024", "2023"},
	    {"2000", "1999"},
	    {"2024S1", "2023S2"},
	    {"2024S2", "2024S1"},
	    {"2024Q1", "2023Q4"},
	    {"2024Q3", "2024Q2"},
	    {"202401", "202312"},
	    {"202410", "202409"},
	    {"2021W01", "2020W53"},
	    {"2021W1", "2020W53"},
	    {"2027W1", "2026W53"},
	    {"2024W1", "2023W52"},
	    {"2024W01", "2023W52"},
	    {"2000W1", "1999W52"},
	    {"2024W10", "2024W9"},
	    {"2020W53", "2020W52"},
	    {"20240301", "20240229"},
	    {"20230301", "20230228"},
	    {"20240101", "20231231"},
	    {"20000101", "19991231"},
	    {"20240615", "20240614"},
	    {" 2024Q2 ", "2024Q1"},
	    {"2024W53", NULL},
	    {"2024H1", NULL},
	    {"", NULL},
	    {"1999", NULL},
	};
	int failures = 0;

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char buf[PERIOD_ID_MAX];
		const char *got = period_previous_id(cases[i].id, buf, sizeof buf);

		if (cases[i].prev ? !got || strcmp(got, cases[i].prev) != 0 : got != NULL) {
			print_error("case \"%s\": %s, want %s\n", cases[i].id, got ? got : "NULL",
				    cases[i].prev ? cases[i].prev : "NULL");
			failures++;
		}
	}
	assert_null(period_previous_id(NULL, (char[PERIOD_ID_MAX]){0}, PERIOD_ID_MAX));
	assert_int_equal(failures, 0);
}

/* The previous period ends the day before a period begins, for every type in both
 * calendars, on every day of 2000-2030. */
static void test_previous_adjacent(void **state)
{
	int failures = 0;

	(void)state;
	for (int32_t d = date_from_ymd(2000, 1, 1); d <= date_from_ymd(2030, 12, 31); d++) {
		for (int t = 0; t < PERIOD_NTYPES; t++) {
			for (int cal = S; cal <= A; cal++) {
				struct period p, prev;
				int32_t f, l, pf, pl;
				char id[16];

				period_of_date(d, (enum period_type)t, (enum period_calendar)cal,
					       &p);
				period_previous(&p, &prev);
				period_range(&p, (enum period_calendar)cal, &f, &l);
				period_range(&prev, (enum period_calendar)cal, &pf, &pl);
				if (pl + 1 != f && failures++ < 10)
					print_error("case %s (%s): previous %s ends %d days off\n",
						    period_id(&p, id), period_calendar_name(cal),
						    period_id(&prev, (char[16]){0}), pl + 1 - f);
			}
		}
	}
	assert_int_equal(failures, 0);
}

static void test_names(void **state)
{
	static const struct {
		enum period_type type;
		const char *name, *vi;
	} types[] = {
	    {PERIOD_DAILY, "daily", "ngày"},
	    {PERIOD_WEEKLY, "weekly", "tuần"},
	    {PERIOD_MONTHLY, "monthly", "tháng"},
	    {PERIOD_QUARTERLY, "quarterly", "quý"},
	    {PERIOD_SIXMONTHLY, "six-monthly", "6 tháng"},
	    {PERIOD_YEARLY, "yearly", "năm"},
	};
	static const char *const unknown[] = {"",	"Daily",   "six_monthly", "sixmonthly",
					      "annual", "yearly ", "statistical"};

	(void)state;
	for (size_t i = 0; i < sizeof types / sizeof *types; i++) {
		assert_string_equal(period_type_name(types[i].type), types[i].name);
		assert_string_equal(period_type_vi(types[i].type), types[i].vi);
		assert_int_equal(period_type_from_name(types[i].name), (int)types[i].type);
	}
	for (size_t i = 0; i < sizeof unknown / sizeof *unknown; i++)
		assert_int_equal(period_type_from_name(unknown[i]), -1);
	assert_int_equal(period_type_from_name(NULL), -1);
	assert_string_equal(period_type_name((enum period_type)PERIOD_NTYPES), "unknown");
	assert_string_equal(period_type_vi((enum period_type)PERIOD_NTYPES), "?");
	assert_string_equal(period_calendar_name(CAL_STATISTICAL), "statistical");
	assert_string_equal(period_calendar_name(CAL_ADMINISTRATIVE), "administrative");
	assert_string_equal(period_calendar_name((enum period_calendar)2), "unknown");
	assert_int_equal(period_calendar_from_name("statistical"), CAL_STATISTICAL);
	assert_int_equal(period_calendar_from_name("administrative"), CAL_ADMINISTRATIVE);
	assert_int_equal(period_calendar_from_name("Administrative"), -1);
	assert_int_equal(period_calendar_from_name("yearly"), -1);
	assert_int_equal(period_calendar_from_name(NULL), -1);
}

static void test_format(void **state)
{
	char buf[PERIOD_ID_MAX];
	struct period p = period_of("20240615");

	(void)state;
	assert_int_equal(period_format(&p, buf, sizeof buf), 8);
	assert_string_equal(buf, "20240615");
	assert_int_equal(period_format(&p, buf, 5), 8);
	assert_string_equal(buf, "2024");
	p = period_of("2024W05");
	assert_int_equal(period_format(&p, buf, sizeof buf), 6);
	assert_string_equal(buf, "2024W5");
	assert_int_equal(period_format(&p, NULL, 0), 6);
}

static const struct {
	int y, m, d;
	int32_t day;
} ymd_cases[] = {
    {1970, 1, 1, 0},	    {1969, 12, 31, -1},	  {2000, 3, 1, 11017},	   {2000, 2, 29, 11016},
    {1900, 1, 1, -25567},   {2024, 2, 29, 19782}, {2100, 2, 28, 47540},	   {2100, 3, 1, 47541},
    {1600, 2, 29, -135081}, {1, 1, 1, -719162},	  {9999, 12, 31, 2932896},
};

static void test_ymd(void **state)
{
	int32_t first = date_from_ymd(1, 1, 1), last = date_from_ymd(9999, 12, 31);
	int y = 1, m = 1, d = 1, failures = 0;

	(void)state;
	for (size_t i = 0; i < sizeof ymd_cases / sizeof *ymd_cases; i++) {
		int yy, mm, dd;

		date_to_ymd(ymd_cases[i].day, &yy, &mm, &dd);
		if (date_from_ymd(ymd_cases[i].y, ymd_cases[i].m, ymd_cases[i].d) !=
			ymd_cases[i].day ||
		    yy != ymd_cases[i].y || mm != ymd_cases[i].m || dd != ymd_cases[i].d) {
			print_error("case %04d-%02d-%02d\n", ymd_cases[i].y, ymd_cases[i].m,
				    ymd_cases[i].d);
			failures++;
		}
	}
	/* Every day of years 1-9999 against a calendar counted by hand. */
	for (int32_t day = first; day <= last && failures < 10; day++) {
		static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
		bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
		int yy, mm, dd;

		date_to_ymd(day, &yy, &mm, &dd);
		if (yy != y || mm != m || dd != d || date_from_ymd(y, m, d) != day) {
			print_error("case day %d: %04d-%02d-%02d, expected %04d-%02d-%02d\n", day,
				    yy, mm, dd, y, m, d);
			failures++;
		}
		if (++d > mdays[m - 1] + (m == 2 && leap)) {
			d = 1;
			if (++m > 12) {
				m = 1;
				y++;
			}
		}
	}
	assert_int_equal(failures, 0);
}

static void test_date_parse(void **state)
{
	static const struct {
		const char *in;
		const char *iso; /* NULL: refused */
		const char *why;
	} cases[] = {
	    {"2024-06-15", "2024-06-15", NULL},
	    {"15/06/2024", "2024-06-15", NULL},
	    {"5/6/2024", "2024-06-05", NULL},
	    {"05/6/2024", "2024-06-05", NULL},
	    {" 29/02/2024 ", "2024-02-29", NULL},
	    {"29/02/2000", "2000-02-29", NULL},
	    {"2000-01-01", "2000-01-01", NULL},
	    {"31/12/2100", "2100-12-31", NULL},
	    {"24/6/2024", "2024-06-24", NULL},
	    {"31/02/2024", NULL,
	     "ngày không hợp lệ \"31/02/2024\": ngày phải từ 1 đến 29 trong tháng 2 năm 2024"},
	    {"29/02/2023", NULL, "ngày phải từ 1 đến 28 trong tháng 2 năm 2023"},
	    {"29/02/2100", NULL, "ngày phải từ 1 đến 28 trong tháng 2 năm 2100"},
	    {"2024-02-30", NULL, "ngày phải từ 1 đến 29 trong tháng 2 năm 2024"},
	    {"31/04/2024", NULL, "ngày phải từ 1 đến 30 trong tháng 4 năm 2024"},
	    {"00/01/2024", NULL, "ngày phải từ 1 đến 31 trong tháng 1 năm 2024"},
	    {"15/13/2024", NULL, "ngày không hợp lệ \"15/13/2024\": tháng phải từ 1 đến 12"},
	    {"2024-00-10", NULL, "tháng phải từ 1 đến 12"},
	    {"1999-12-31", NULL, "ngày không hợp lệ \"1999-12-31\": năm phải từ 2000 đến 2100"},
	    {"01/01/2101", NULL, "năm phải từ 2000 đến 2100"},
	    {"1900-01-01", NULL, "năm phải từ 2000 đến 2100"},
	    {"", NULL, "chưa ghi ngày"},
	    {"  ", NULL, "chưa ghi ngày"},
	    {"2024/06/15", NULL,
	     "không nhận dạng được ngày \"2024/06/15\": hãy ghi theo dạng 2024-06-15 hoặc "
	     "15/06/2024"},
	    {"15-06-2024", NULL, "không nhận dạng được ngày"},
	    {"2024-6-15", NULL, "không nhận dạng được ngày"},
	    {"15/06/24", NULL, "không nhận dạng được ngày"},
	    {"115/06/2024", NULL, "không nhận dạng được ngày"},
	    {"15.06.2024", NULL, "không nhận dạng được ngày"},
	    {"20240615", NULL, "không nhận dạng được ngày"},
	    {"2024-06-15T00:00", NULL, "không nhận dạng được ngày"},
	    {"15/06/2024/1", NULL, "không nhận dạng được ngày"},
	    {"ngày 15/06/2024", NULL, "không nhận dạng được ngày \"ngày 15/06/2024\""},
	    {"2024--06-15", NULL, "không nhận dạng được ngày"},
	    {"+5/6/2024", NULL, "không nhận dạng được ngày"},
	};
	int failures = 0;

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		int32_t day = 0;
		const char *why = NULL;
		char iso[16];
		int rc = date_parse(cases[i].in, strlen(cases[i].in), &day, &why);

		if (cases[i].iso ? rc != 0 || strcmp(date_iso(day, iso), cases[i].iso) != 0
				 : rc != -1 || !strstr(why, cases[i].why)) {
			print_error("case \"%s\": rc %d, %s\n", cases[i].in, rc,
				    rc == 0 ? date_iso(day, iso) : why);
			failures++;
		}
	}
	assert_int_equal(failures, 0);
}

static void test_date_format(void **state)
{
	char buf[11];

	(void)state;
	assert_int_equal(date_format(0, buf, sizeof buf), 10);
	assert_string_equal(buf, "1970-01-01");
	assert_int_equal(date_format(19782, buf, sizeof buf), 10);
	assert_string_equal(buf, "2024-02-29");
	assert_int_equal(date_format(-25567, buf, sizeof buf), 10);
	assert_string_equal(buf, "1900-01-01");
	assert_int_equal(date_format(19782, buf, 5), 10);
	assert_string_equal(buf, "2024");
}

static void test_today(void **state)
{
	time_t now = time(NULL);
	struct tm before, after;
	int32_t today;

	(void)state;
	localtime_r(&now, &before);
	today = date_today();
	now = time(NULL);
	localtime_r(&now, &after);
	/* Around midnight the day may have turned between the calls. */
	assert_true(today ==
			date_from_ymd(before.tm_year + 1900, before.tm_mon + 1, before.tm_mday) ||
		    today == date_from_ymd(after.tm_year + 1900, after.tm_mon + 1, after.tm_mday));
	assert_true(today >= date_from_ymd(2024, 1, 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_ok),
	    cmocka_unit_test(test_parse_err),
	    cmocka_unit_test(test_parse_len),
	    cmocka_unit_test(test_range),
	    cmocka_unit_test(test_of_date),
	    cmocka_unit_test(test_of_date_checked),
	    cmocka_unit_test(test_admin_boundaries),
	    cmocka_unit_test(test_partition),
	    cmocka_unit_test(test_cmp),
	    cmocka_unit_test(test_subcount),
	    cmocka_unit_test(test_parent),
	    cmocka_unit_test(test_parent_contains),
	    cmocka_unit_test(test_parents),
	    cmocka_unit_test(test_previous),
	    cmocka_unit_test(test_previous_adjacent),
	    cmocka_unit_test(test_names),
	    cmocka_unit_test(test_format),
	    cmocka_unit_test(test_ymd),
	    cmocka_unit_test(test_date_parse),
	    cmocka_unit_test(test_date_format),
	    cmocka_unit_test(test_today),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
