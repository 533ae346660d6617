/*
 * Tests for period, its identifiers: every type parsed (round trip) and
 * refused with its message, only the given length read, formatting, the
 * names of types and calendars, and the order of periods.  Days and
 * calendars are tested in test_period_dates.c, parents and the previous
 * period in test_period_chain.c.
 * Each table is walked by a loop that reports every failing case by name.
 */
#include "test_period.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_ok),  cmocka_unit_test(test_parse_err),
	    cmocka_unit_test(test_parse_len), cmocka_unit_test(test_format),
	    cmocka_unit_test(test_names),     cmocka_unit_test(test_cmp),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
