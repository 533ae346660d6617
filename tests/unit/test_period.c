/* period: identifiers, both calendars, Decree 09 boundaries, ISO weeks, dates. */
#include "testutil.h"

#include "period.h"

static void fmt_range(const struct period *p, enum period_calendar cal, char *buf, size_t size)
{
	int32_t first, last;
	char a[16], b[16];
	period_range(p, cal, &first, &last);
	date_format(first, a, sizeof a);
	date_format(last, b, sizeof b);
	snprintf(buf, size, "%s..%s", a, b);
}

static void test_ranges(void **state)
{
	static const struct {
		const char *id, *stat, *adm;
	} cases[] = {
	    {"2024", "2024-01-01..2024-12-31", "2023-12-15..2024-12-14"},
	    {"2025", "2025-01-01..2025-12-31", "2024-12-15..2025-12-14"},
	    {"2024S1", "2024-01-01..2024-06-30", "2023-12-15..2024-06-14"},
	    {"2024S2", "2024-07-01..2024-12-31", "2024-06-15..2024-12-14"},
	    {"2024Q1", "2024-01-01..2024-03-31", "2023-12-15..2024-03-14"},
	    {"2024Q2", "2024-04-01..2024-06-30", "2024-03-15..2024-06-14"},
	    {"2024Q4", "2024-10-01..2024-12-31", "2024-09-15..2024-12-14"},
	    {"202401", "2024-01-01..2024-01-31", "2023-12-15..2024-01-14"},
	    {"202402", "2024-02-01..2024-02-29", "2024-01-15..2024-02-14"},
	    {"202302", "2023-02-01..2023-02-28", "2023-01-15..2023-02-14"},
	    {"210002", "2100-02-01..2100-02-28", "2100-01-15..2100-02-14"},
	    {"200002", "2000-02-01..2000-02-29", "2000-01-15..2000-02-14"},
	    {"202403", "2024-03-01..2024-03-31", "2024-02-15..2024-03-14"},
	    {"202406", "2024-06-01..2024-06-30", "2024-05-15..2024-06-14"},
	    {"202412", "2024-12-01..2024-12-31", "2024-11-15..2024-12-14"},
	    {"2024W10", "2024-03-04..2024-03-10", "2024-03-04..2024-03-10"},
	    {"2020W53", "2020-12-28..2021-01-03", "2020-12-28..2021-01-03"},
	    {"2026W53", "2026-12-28..2027-01-03", "2026-12-28..2027-01-03"},
	    {"2025W1", "2024-12-30..2025-01-05", "2024-12-30..2025-01-05"},
	    {"20240615", "2024-06-15..2024-06-15", "2024-06-15..2024-06-15"},
	    {"20240229", "2024-02-29..2024-02-29", "2024-02-29..2024-02-29"},
	};
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct period p;
		const char *why;
		char buf[64], id[PERIOD_ID_MAX];
		if (period_parse(cases[i].id, strlen(cases[i].id), &p, &why) != 0)
			fail_msg("%s: %s", cases[i].id, why);
		period_format(&p, id, sizeof id);
		CHECK_STR(cases[i].id, cases[i].id, id);
		fmt_range(&p, CAL_STATISTICAL, buf, sizeof buf);
		CHECK_STR(cases[i].id, cases[i].stat, buf);
		fmt_range(&p, CAL_ADMINISTRATIVE, buf, sizeof buf);
		CHECK_STR(cases[i].id, cases[i].adm, buf);
	}
}

static void test_refusals(void **state)
{
	static const struct {
		const char *id, *why;
	} cases[] = {
	    {"2024H1", "use 2024S1"},	      {"2024-06", "use 202406"},
	    {"06/2024", "use 202406"},	      {"2025W53", "2025 has weeks 1 to 52"},
	    {"2024W0", "weeks 1 to 52"},      {"2024W05", "weeks 1 to 52"},
	    {"2024S3", "unknown period"},     {"2024Q5", "unknown period"},
	    {"202413", "unknown period"},     {"20240230", "not a valid date"},
	    {"20230229", "not a valid date"}, {"1899", "1900-2999"},
	    {"24", "unknown period"},	      {"", "unknown period"},
	    {"2024s1", "unknown period"},     {"202406151", "unknown period"},
	};
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct period p;
		const char *why = NULL;
		if (period_parse(cases[i].id, strlen(cases[i].id), &p, &why) == 0)
			fail_msg("%s: accepted", cases[i].id);
		CHECK_HAS(cases[i].id, cases[i].why, why);
	}
}

/* Every 14th and 15th of 2024: the administrative month changes between them. */
static void test_decree09_boundaries(void **state)
{
	(void)state;
	for (int m = 1; m <= 12; m++) {
		struct period p14, p15;
		char a[PERIOD_ID_MAX], b[PERIOD_ID_MAX], want14[PERIOD_ID_MAX],
		    want15[PERIOD_ID_MAX];
		period_of_date(date_from_ymd(2024, m, 14), PERIOD_MONTHLY, CAL_ADMINISTRATIVE,
			       &p14);
		period_of_date(date_from_ymd(2024, m, 15), PERIOD_MONTHLY, CAL_ADMINISTRATIVE,
			       &p15);
		period_format(&p14, a, sizeof a);
		period_format(&p15, b, sizeof b);
		snprintf(want14, sizeof want14, "2024%02d", m);
		snprintf(want15, sizeof want15, "%d%02d", m == 12 ? 2025 : 2024,
			 m == 12 ? 1 : m + 1);
		CHECK_STR("14th", want14, a);
		CHECK_STR("15th", want15, b);
	}
}

static void test_of_date(void **state)
{
	static const struct {
		int y, m, d;
		enum period_type type;
		enum period_calendar cal;
		const char *want;
	} cases[] = {
	    {2024, 6, 14, PERIOD_SIXMONTHLY, CAL_ADMINISTRATIVE, "2024S1"},
	    {2024, 6, 15, PERIOD_SIXMONTHLY, CAL_ADMINISTRATIVE, "2024S2"},
	    {2023, 12, 15, PERIOD_YEARLY, CAL_ADMINISTRATIVE, "2024"},
	    {2023, 12, 14, PERIOD_YEARLY, CAL_ADMINISTRATIVE, "2023"},
	    {2023, 12, 15, PERIOD_QUARTERLY, CAL_ADMINISTRATIVE, "2024Q1"},
	    {2024, 12, 14, PERIOD_YEARLY, CAL_ADMINISTRATIVE, "2024"},
	    {2024, 12, 31, PERIOD_YEARLY, CAL_STATISTICAL, "2024"},
	    {2024, 6, 30, PERIOD_SIXMONTHLY, CAL_STATISTICAL, "2024S1"},
	    {2024, 7, 1, PERIOD_QUARTERLY, CAL_STATISTICAL, "2024Q3"},
	    {2024, 12, 30, PERIOD_WEEKLY, CAL_STATISTICAL, "2025W1"},
	    {2021, 1, 3, PERIOD_WEEKLY, CAL_ADMINISTRATIVE, "2020W53"},
	    {2024, 2, 29, PERIOD_DAILY, CAL_ADMINISTRATIVE, "20240229"},
	};
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct period p;
		char id[PERIOD_ID_MAX];
		period_of_date(date_from_ymd(cases[i].y, cases[i].m, cases[i].d), cases[i].type,
			       cases[i].cal, &p);
		period_format(&p, id, sizeof id);
		CHECK_STR(cases[i].want, cases[i].want, id);
	}
}

static void test_nesting(void **state)
{
	static const struct {
		enum period_type coarse, fine;
		int count;
	} counts[] = {
	    {PERIOD_QUARTERLY, PERIOD_MONTHLY, 3}, {PERIOD_SIXMONTHLY, PERIOD_MONTHLY, 6},
	    {PERIOD_YEARLY, PERIOD_MONTHLY, 12},   {PERIOD_SIXMONTHLY, PERIOD_QUARTERLY, 2},
	    {PERIOD_YEARLY, PERIOD_QUARTERLY, 4},  {PERIOD_YEARLY, PERIOD_SIXMONTHLY, 2},
	    {PERIOD_MONTHLY, PERIOD_WEEKLY, 0},	   {PERIOD_YEARLY, PERIOD_DAILY, 0},
	    {PERIOD_MONTHLY, PERIOD_YEARLY, 0},	   {PERIOD_YEARLY, PERIOD_YEARLY, 0},
	};
	static const struct {
		const char *fine;
		enum period_type coarse;
		const char *want;
	} parents[] = {
	    {"202405", PERIOD_QUARTERLY, "2024Q2"}, {"2024Q2", PERIOD_SIXMONTHLY, "2024S1"},
	    {"2024S2", PERIOD_YEARLY, "2024"},	    {"202412", PERIOD_SIXMONTHLY, "2024S2"},
	    {"202401", PERIOD_YEARLY, "2024"},	    {"2024Q3", PERIOD_QUARTERLY, "2024Q3"},
	};
	(void)state;
	for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++)
		CHECK_INT(period_type_name(counts[i].coarse), counts[i].count,
			  period_subcount(counts[i].coarse, counts[i].fine));
	for (size_t i = 0; i < sizeof parents / sizeof parents[0]; i++) {
		struct period p, up;
		const char *why;
		char id[PERIOD_ID_MAX];
		assert_int_equal(period_parse(parents[i].fine, strlen(parents[i].fine), &p, &why),
				 0);
		assert_int_equal(period_parent(&p, parents[i].coarse, &up), 0);
		period_format(&up, id, sizeof id);
		CHECK_STR(parents[i].fine, parents[i].want, id);
	}
	struct period w;
	const char *why;
	assert_int_equal(period_parse("2024W10", 7, &w, &why), 0);
	assert_int_equal(period_parent(&w, PERIOD_MONTHLY, &w), -1);
}

static void test_dates(void **state)
{
	static const struct {
		const char *in, *want; /* want NULL: refused */
	} cases[] = {
	    {"2024-06-15", "2024-06-15"}, {"15/06/2024", "2024-06-15"},
	    {"5/6/2024", "2024-06-05"},	  {"2024-02-29", "2024-02-29"},
	    {"29/02/2023", NULL},	  {"31/04/2024", NULL},
	    {"2024-13-01", NULL},	  {"2024/06/15", NULL},
	    {"15-06-2024", NULL},	  {"", NULL},
	    {"1/1/1899", NULL},		  {"2024-6-15", NULL},
	};
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int32_t day;
		const char *why = NULL;
		char buf[16];
		int rc = date_parse(cases[i].in, strlen(cases[i].in), &day, &why);
		if (!cases[i].want) {
			if (rc == 0)
				fail_msg("%s: accepted", cases[i].in);
			continue;
		}
		if (rc != 0)
			fail_msg("%s: %s", cases[i].in, why);
		date_format(day, buf, sizeof buf);
		CHECK_STR(cases[i].in, cases[i].want, buf);
	}
	/* day numbers round-trip over four centuries */
	for (int32_t d = date_from_ymd(1900, 1, 1); d < date_from_ymd(2300, 1, 1); d += 13) {
		int y, m, dd;
		date_to_ymd(d, &y, &m, &dd);
		assert_int_equal(date_from_ymd(y, m, dd), d);
	}
	assert_int_equal(date_from_ymd(1970, 1, 1), 0);
}

static void test_names(void **state)
{
	(void)state;
	for (int t = 0; t < PERIOD_NTYPES; t++)
		assert_int_equal(period_type_from_name(period_type_name((enum period_type)t)), t);
	assert_int_equal(period_type_from_name("half-year"), -1);
	assert_int_equal(period_calendar_from_name("administrative"), CAL_ADMINISTRATIVE);
	assert_int_equal(period_calendar_from_name("statistical"), CAL_STATISTICAL);
	assert_int_equal(period_calendar_from_name("lunar"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ranges),
	    cmocka_unit_test(test_refusals),
	    cmocka_unit_test(test_decree09_boundaries),
	    cmocka_unit_test(test_of_date),
	    cmocka_unit_test(test_nesting),
	    cmocka_unit_test(test_dates),
	    cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
