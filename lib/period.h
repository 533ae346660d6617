/*
 * period: DHIS2-style period identifiers and the two reporting calendars.
 *
 *   20240615 daily   2024W10 weekly (ISO 8601)   202406 monthly
 *   2024Q2 quarterly   2024S1 six-monthly   2024 yearly
 *
 * The statistical calendar uses calendar months.  The administrative calendar
 * of Decree 09/2019/ND-CP cuts every period on the 14th: month 202406 is
 * 15/05/2024-14/06/2024, 2024Q2 is 15/03-14/06, 2024S1 is 15/12/2023-14/06/2024,
 * 2024S2 is 15/06-14/12/2024 and the year 2024 is 15/12/2023-14/12/2024.  Daily
 * and weekly periods are the same in both calendars.
 *
 * Dates are day numbers: days since 1970-01-01 (proleptic Gregorian).
 */
#ifndef CHISO_PERIOD_H
#define CHISO_PERIOD_H

#include <stddef.h>
#include <stdint.h>

enum period_type {
	PERIOD_DAILY,
	PERIOD_WEEKLY,
	PERIOD_MONTHLY,
	PERIOD_QUARTERLY,
	PERIOD_SIXMONTHLY,
	PERIOD_YEARLY,
};
#define PERIOD_NTYPES 6

enum period_calendar {
	CAL_STATISTICAL,
	CAL_ADMINISTRATIVE,
};

struct period {
	enum period_type type;
	int year; /* ISO week-numbering year for weekly periods */
	int num;  /* month 1-12, quarter 1-4, half 1-2, week 1-53; daily: month */
	int day;  /* daily only: day of month */
};

/* Longest identifier ("20240615") plus NUL. */
#define PERIOD_ID_MAX 9

/*
 * Parses an identifier.  Years 1900-2999.  Returns 0, or -1 with *why pointing
 * at a static message ("unknown period \"2024H1\": use 2024S1 for a half-year").
 */
int period_parse(const char *s, size_t len, struct period *out, const char **why);
/* Writes the identifier (at most PERIOD_ID_MAX bytes with NUL); returns its length. */
int period_format(const struct period *p, char *buf, size_t size);
/* First and last day (inclusive) of p in the calendar. */
void period_range(const struct period *p, enum period_calendar cal, int32_t *first, int32_t *last);
/* The period of the given type and calendar that contains day. */
void period_of_date(int32_t day, enum period_type type, enum period_calendar cal,
		    struct period *out);
/* Compares two periods of the same type: <0, 0, >0 in time order. */
int period_cmp(const struct period *a, const struct period *b);
/* Number of periods of type fine inside one period of type coarse, or 0 when
 * fine periods do not nest in coarse ones (weeks in months) or fine >= coarse. */
int period_subcount(enum period_type coarse, enum period_type fine);
/* The period of type coarse containing p (fine periods nest; see period_subcount);
 * returns -1 if they do not nest. */
int period_parent(const struct period *p, enum period_type coarse, struct period *out);

/* "daily", "weekly", "monthly", "quarterly", "six-monthly", "yearly". */
const char *period_type_name(enum period_type type);
/* The type for a name above; -1 if unknown. */
int period_type_from_name(const char *name);
/* "statistical" or "administrative". */
const char *period_calendar_name(enum period_calendar cal);
/* The calendar for a name above; -1 if unknown. */
int period_calendar_from_name(const char *name);

/* Day number of a valid Gregorian date. */
int32_t date_from_ymd(int year, int month, int day);
/* Inverse of date_from_ymd. */
void date_to_ymd(int32_t day, int *year, int *month, int *dayofmonth);
/*
 * Parses "2024-06-15" (ISO) or "15/06/2024" (as Vietnamese documents write it).
 * Returns 0, or -1 with *why pointing at a static message.
 */
int date_parse(const char *s, size_t len, int32_t *day, const char **why);
/* Writes "2024-06-15" (11 bytes with NUL); returns 10. */
int date_format(int32_t day, char *buf, size_t size);
/* Today in local time. */
int32_t date_today(void);

#endif
