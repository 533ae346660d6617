/*
 * Tests for period, days and calendars: ranges in both calendars (leap years,
 * year ends, ISO weeks 53), period_of_date with and without the year check,
 * the 14th/15th boundary of every month of 2024, the partition property over
 * sixty years of days, day numbers over years 1-9999, and dates parsed,
 * refused with their messages, formatted, and today.
 * Each table is walked by a loop that reports every failing case by name.
 */
#include "test_period.h"

#include <stdbool.h>
#include <time.h>

/* "YYYY-MM-DD" of a day number, written into buf. */
static const char *date_iso(int32_t day, char buf[16])
{
	date_format(day, buf, 16);
	return buf;
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
	    cmocka_unit_test(test_range),	    cmocka_unit_test(test_of_date),
	    cmocka_unit_test(test_of_date_checked), cmocka_unit_test(test_admin_boundaries),
	    cmocka_unit_test(test_partition),	    cmocka_unit_test(test_ymd),
	    cmocka_unit_test(test_date_parse),	    cmocka_unit_test(test_date_format),
	    cmocka_unit_test(test_today),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
