/*
 * Tests for period, how periods relate: how many of one type a coarser one
 * holds, the parent of each type (which contains its child in both
 * calendars), the chain parents with the dates stored for them, and the
 * previous period a report compares against (which ends the day before).
 * Each table is walked by a loop that reports every failing case by name.
 */
#include "test_period.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_subcount),	    cmocka_unit_test(test_parent),
	    cmocka_unit_test(test_parent_contains), cmocka_unit_test(test_parents),
	    cmocka_unit_test(test_previous),	    cmocka_unit_test(test_previous_adjacent),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
