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

/*
 * The years chiso accepts in a period or a date.  Every input has a range: a
 * year like 1900 or 2999 is a typing slip, not a report, and once accepted it
 * would sit in the rollups and reports for ever.  2000 leaves room for the
 * history a province loads; 2100 for any plan or target year.
 */
#define PERIOD_YEAR_MIN 2000
#define PERIOD_YEAR_MAX 2100

/* Longest identifier ("20240615") plus NUL. */
#define PERIOD_ID_MAX 9

/*
 * Parses an identifier (surrounding ASCII whitespace ignored; weeks may be
 * written "2024W05").  Years 2000-2100 (PERIOD_YEAR_MIN..MAX).  Returns 0, or
 * -1 with *why pointing at a Vietnamese message for the commune officer that
 * quotes the input and, for forms people write, the identifier meant ("không
 * nhận dạng được kỳ báo cáo \"2024H1\": hãy ghi 2024S1 cho 6 tháng đầu năm
 * 2024").  The message lives in a thread-local buffer: valid until the next
 * period_parse or date_parse in this thread.
 */
int period_parse(const char *s, size_t len, struct period *out, const char **why);
/* Writes the identifier (at most PERIOD_ID_MAX bytes with NUL for years up to
 * 9999; weeks without a leading zero); returns its length as snprintf. */
int period_format(const struct period *p, char *buf, size_t size);
/* First and last day (inclusive) of p in the calendar.  p must be valid (as
 * period_parse or period_of_date makes it): an invalid one asserts, or without
 * asserts gets the empty range first 1, last 0. */
void period_range(const struct period *p, enum period_calendar cal, int32_t *first, int32_t *last);
/* The period of the given type and calendar that contains day (weekly: the ISO
 * week, whose year is the one holding its Thursday). */
void period_of_date(int32_t day, enum period_type type, enum period_calendar cal,
		    struct period *out);
/*
 * period_of_date, then the year check of period_parse: a date near the ends of
 * the years accepted can fall in a period beyond them (01/01/2000 is in week
 * 1999W52; 15/12/2100 in the administrative year 2101).  0, or -1 with *why as
 * period_parse says it ("kỳ báo cáo không hợp lệ \"2101\": năm phải từ 2000
 * đến 2100"), in the same thread-local buffer.
 */
int period_of_date_checked(int32_t day, enum period_type type, enum period_calendar cal,
			   struct period *out, const char **why);
/* Compares two periods of the same type: <0, 0, >0 in time order (periods of
 * different types order by type, finest first, so that sorting is total). */
int period_cmp(const struct period *a, const struct period *b);
/* Number of periods of type fine inside one period of type coarse (months in a
 * quarter 3, in a half-year 6, in a year 12; quarters 2 and 4; halves 2), or 0
 * when fine periods do not nest in coarse ones or fine >= coarse.  Days and
 * weeks always give 0: their count varies from one period to the next. */
int period_subcount(enum period_type coarse, enum period_type fine);
/* The period of type coarse containing p (202405 -> 2024Q2 -> 2024S1 -> 2024,
 * the same in both calendars since both shift every period alike); returns -1
 * when period_subcount(coarse, p->type) is 0 (days, weeks, same or finer type). */
int period_parent(const struct period *p, enum period_type coarse, struct period *out);

/* The period of the same type just before p, the one a report compares against
 * (2024Q1 -> 2023Q4, 2024S1 -> 2023S2, 202401 -> 202312, 2021W1 -> 2020W53,
 * 20240301 -> 20240229, 2024 -> 2023); its year may be PERIOD_YEAR_MIN - 1.  p must
 * be valid. */
void period_previous(const struct period *p, struct period *out);
/* The identifier of the period before the one id names (period_previous), written into
 * buf (PERIOD_ID_MAX bytes suffice); returns buf, or NULL when id is NULL or no period
 * (period_parse refuses it). */
const char *period_previous_id(const char *id, char *buf, size_t size);

/* The most chain parents a period has: a month's quarter, half-year and year. */
#define PERIOD_PARENTS_MAX 3
/*
 * The chain parents of p (202405 -> 2024Q2, 2024S1, 2024), finest first: the one
 * place the quarter, half-year and year containing a reported period are found
 * (chisod stages them with their dates, period_range, and the SQL stores them as
 * sent).  Returns how many: 3 for a month, 2 for a quarter, 1 for a half-year, 0
 * for a year, a day or a week (days and weeks do not nest in months).  p must be
 * valid.
 */
int period_parents(const struct period *p, struct period out[PERIOD_PARENTS_MAX]);

/* "daily", "weekly", "monthly", "quarterly", "six-monthly", "yearly" ("unknown"
 * for a value outside the enum). */
const char *period_type_name(enum period_type type);
/* The type for a name above; -1 if unknown. */
int period_type_from_name(const char *name);
/* The type as an officer reads "báo cáo theo ...": "ngày", "tuần", "tháng", "quý",
 * "6 tháng", "năm" (the message table's words, like sql/R_15_time.sql period_type_vi);
 * borrowed, static storage. */
const char *period_type_vi(enum period_type type);
/* The types of a mask (bit 1 << type), finest first, as a message lists them: "6 tháng
 * hoặc năm", "ngày, tuần hoặc tháng". */
void period_types_vi(unsigned types, char *buf, size_t size);
/* How an officer says p: "quý II năm 2024", "6 tháng đầu năm 2024", "ngày 15/06/2024"
 * (the message table's words, like sql/R_15_time.sql period_words_vi). */
void period_words_vi(const struct period *p, char *buf, size_t size);
/* "statistical" or "administrative". */
const char *period_calendar_name(enum period_calendar cal);
/* The calendar for a name above; -1 if unknown. */
int period_calendar_from_name(const char *name);

/* Day number of a valid Gregorian date (any year 1-9999; invalid dates assert). */
int32_t date_from_ymd(int year, int month, int day);
/* The days of month (1-12) of year: 28 to 31, with the Gregorian leap years; 0 for
 * another month. */
int date_month_days(int year, int month);
/* Inverse of date_from_ymd. */
void date_to_ymd(int32_t day, int *year, int *month, int *dayofmonth);
/*
 * Parses "2024-06-15" (ISO) or "15/06/2024" / "5/6/2024" (as Vietnamese
 * documents write it), years 2000-2100, surrounding ASCII whitespace ignored.
 * Returns 0, or -1 with *why pointing at a message in the same thread-local
 * buffer as period_parse's, Vietnamese too ("ngày không hợp lệ \"31/02/2024\":
 * ngày phải từ 1 đến 29 trong tháng 2 năm 2024").
 */
int date_parse(const char *s, size_t len, int32_t *day, const char **why);
/* Writes "2024-06-15" (11 bytes with NUL); returns 10. */
int date_format(int32_t day, char *buf, size_t size);
/* Today in local time. */
int32_t date_today(void);

#endif
