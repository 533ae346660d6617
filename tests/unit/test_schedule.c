/*
 * Unit tests for schedule: publish.schedule entries, good and bad, and which
 * are due on a given date.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "schedule.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static void test_parse(void **state)
{
	static const struct {
		const char *text;
		size_t n;	 /* entries, when valid */
		const char *err; /* NULL: valid */
	} cases[] = {
	    {"", 0, NULL},
	    {"   ", 0, NULL},
	    {"2024S1 51 2024-06-20", 1, NULL},
	    {"2024S1 51 2024-06-20, 2024 51 2024-12-20", 2, NULL},
	    {" 2024Q2   529  2024-07-05 ,2024 51 2025-01-10 ", 2, NULL},
	    {"2024 51 2024-02-29", 1, NULL},
	    {"2023 51 2023-02-29", 0, "entry 1: not a date: \"2023-02-29\""},
	    {"2024H1 51 2024-06-20", 0, "entry 1: not a period: \"2024H1\""},
	    {"2024S1 Sơn-Hà 2024-06-20", 0, "entry 1: not a unit code: \"Sơn-Hà\""},
	    {"2024S1 51 20/06/2024", 0, "entry 1: not a date: \"20/06/2024\""},
	    {"2024S1 51", 0, "entry 1: too few words in"},
	    {"2024S1 51 2024-06-20 extra", 0, "entry 1: too many words in"},
	    {"2024S1 51 2024-06-20,", 0, "entry 2: empty entry"},
	    {"2024S1 51 2024-06-20,,2024 51 2024-12-20", 0, "entry 2: empty entry"},
	    {"2024 51 2024-13-01", 0, "entry 1: not a date"},
	};
	char err[256];
	(void)state;

	for (size_t i = 0; i < NELEM(cases); i++) {
		err[0] = '\0';
		struct schedule *s = schedule_parse(cases[i].text, err, sizeof err);
		if (cases[i].err == NULL) {
			if (s == NULL || s->n != cases[i].n)
				fail_msg("case \"%s\": %s", cases[i].text, s ? "wrong count" : err);
		} else if (s != NULL || strstr(err, cases[i].err) == NULL) {
			fail_msg("case \"%s\": err \"%s\"", cases[i].text, err);
		}
		schedule_destroy(&s);
		assert_null(s);
	}
}

static void test_due(void **state)
{
	static const struct {
		const char *today;
		const char *due; /* one character per entry */
	} cases[] = {
	    {"2024-06-19", "000"}, {"2024-06-20", "100"}, {"2024-12-19", "100"},
	    {"2024-12-20", "110"}, {"2031-01-01", "111"},
	};
	char err[256];
	(void)state;
	struct schedule *s = schedule_parse(
	    "2024S1 51 2024-06-20, 2024 51 2024-12-20, 2024 529 2030-12-31", err, sizeof err);
	assert_non_null(s);
	assert_string_equal(s->entries[1].period, "2024");
	assert_string_equal(s->entries[2].unit, "529");
	assert_non_null(strstr(s->entries[0].note, "2024-06-20"));
	for (size_t i = 0; i < NELEM(cases); i++) {
		unsigned char due[3];
		size_t n = schedule_due(s, cases[i].today, due);
		size_t want = 0;
		for (size_t k = 0; k < 3; k++) {
			want += cases[i].due[k] == '1';
			if (due[k] != (cases[i].due[k] == '1'))
				fail_msg("on %s entry %zu: due %d", cases[i].today, k, due[k]);
		}
		assert_int_equal(n, want);
	}
	schedule_destroy(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse),
	    cmocka_unit_test(test_due),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
