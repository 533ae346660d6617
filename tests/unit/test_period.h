/*
 * test_period.h: what the unit tests of period share (test_period.c for
 * identifiers, test_period_dates.c for days and calendars, test_period_chain.c
 * for how periods relate): the two calendars in one letter, for the tables,
 * and the day or the period a test string names.
 */
#ifndef CHISO_TEST_PERIOD_H
#define CHISO_TEST_PERIOD_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "period.h"

#define S CAL_STATISTICAL
#define A CAL_ADMINISTRATIVE

/* Day number of "YYYY-MM-DD" (test data is always valid). */
static inline int32_t day_of(const char *iso)
{
	int y, m, d;

	assert_int_equal(sscanf(iso, "%d-%d-%d", &y, &m, &d), 3);
	return date_from_ymd(y, m, d);
}

/* The period an identifier names (test data is always valid). */
static inline struct period period_of(const char *id)
{
	struct period p;
	const char *why = NULL;

	if (period_parse(id, strlen(id), &p, &why) != 0)
		fail_msg("test data \"%s\": %s", id, why);
	return p;
}

/* The identifier of p, written into buf. */
static inline const char *period_id(const struct period *p, char buf[16])
{
	period_format(p, buf, 16);
	return buf;
}

#endif
