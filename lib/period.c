/*
 * period: period identifiers, their dates in both calendars, and dates.
 *
 * Day numbers use the days-from-civil algorithm (proleptic Gregorian), so date
 * arithmetic is integer arithmetic.  The administrative calendar is the
 * statistical one shifted: every month, quarter, half-year and year of Decree
 * 09/2019/ND-CP starts on the 15th of the month before the statistical one
 * starts and ends on the 14th of its last month.  Because the shift is the
 * same for every type, nesting (month in quarter in half-year in year) is the
 * same in both calendars.
 *
 * Messages that quote the input use a thread-local buffer: valid until the
 * next call in the same thread.
 */
#include "period.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static _Thread_local char period_msg[160];

static const char *const type_names[PERIOD_NTYPES] = {"daily",	   "weekly",	  "monthly",
						      "quarterly", "six-monthly", "yearly"};

int32_t date_from_ymd(int year, int month, int day)
{
	int y = year - (month <= 2);
	int era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (unsigned)((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1);
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (int32_t)(era * 146097 + (int)doe - 719468);
}

void date_to_ymd(int32_t z, int *year, int *month, int *dayofmonth)
{
	z += 719468;
	int era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int y = (int)yoe + era * 400;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	unsigned d = doy - (153 * mp + 2) / 5 + 1;
	unsigned m = mp < 10 ? mp + 3 : mp - 9;
	*year = y + (m <= 2);
	*month = (int)m;
	*dayofmonth = (int)d;
}

static int leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return m == 2 && leap(y) ? 29 : days[m - 1];
}

/* 0 = Monday ... 6 = Sunday. */
static int weekday(int32_t day)
{
	int w = (int)((day + 3) % 7); /* 1970-01-01 was a Thursday */
	return w < 0 ? w + 7 : w;
}

/* Monday of ISO week 1 of ISO year y: the week holding 4 January. */
static int32_t iso_week1(int y)
{
	int32_t jan4 = date_from_ymd(y, 1, 4);
	return jan4 - weekday(jan4);
}

static int iso_weeks(int y)
{
	return (int)((iso_week1(y + 1) - iso_week1(y)) / 7);
}

static int digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

static int number(const char *s, size_t n)
{
	int v = 0;
	for (size_t i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

static int period_refuse(const char *s, size_t len, const char *hint, const char **why)
{
	snprintf(period_msg, sizeof period_msg, "unknown period \"%.*s\"%s",
		 (int)(len > 32 ? 32 : len), s, hint);
	*why = period_msg;
	return -1;
}

int period_parse(const char *s, size_t len, struct period *out, const char **why)
{
	memset(out, 0, sizeof *out);
	if (len < 4 || len > 8 || !digits(s, 4))
		goto bad;
	out->year = number(s, 4);
	if (out->year < 1900 || out->year > 2999) {
		snprintf(period_msg, sizeof period_msg,
			 "period \"%.*s\": the year must be 1900-2999", (int)len, s);
		*why = period_msg;
		return -1;
	}
	if (len == 4) {
		out->type = PERIOD_YEARLY;
		return 0;
	}
	if (len == 6 && (s[4] == 'S' || s[4] == 'Q') && digits(s + 5, 1)) {
		out->type = s[4] == 'S' ? PERIOD_SIXMONTHLY : PERIOD_QUARTERLY;
		out->num = s[5] - '0';
		if (out->num >= 1 && out->num <= (s[4] == 'S' ? 2 : 4))
			return 0;
		goto bad;
	}
	if (len == 6 && digits(s + 4, 2)) {
		out->type = PERIOD_MONTHLY;
		out->num = number(s + 4, 2);
		if (out->num >= 1 && out->num <= 12)
			return 0;
		goto bad;
	}
	if ((len == 6 || len == 7) && s[4] == 'W' && digits(s + 5, len - 5)) {
		out->type = PERIOD_WEEKLY;
		out->num = number(s + 5, len - 5);
		if (out->num >= 1 && out->num <= iso_weeks(out->year) && !(len == 7 && s[5] == '0'))
			return 0;
		snprintf(period_msg, sizeof period_msg, "period \"%.*s\": %d has weeks 1 to %d",
			 (int)len, s, out->year, iso_weeks(out->year));
		*why = period_msg;
		return -1;
	}
	if (len == 8 && digits(s + 4, 4)) {
		out->type = PERIOD_DAILY;
		out->num = number(s + 4, 2);
		out->day = number(s + 6, 2);
		if (out->num >= 1 && out->num <= 12 && out->day >= 1 &&
		    out->day <= days_in_month(out->year, out->num))
			return 0;
		snprintf(period_msg, sizeof period_msg, "period \"%.*s\" is not a valid date",
			 (int)len, s);
		*why = period_msg;
		return -1;
	}
bad:
	if (len == 6 && (s[4] == 'H' || s[4] == 'h'))
		return period_refuse(s, len, ": use 2024S1 or 2024S2 for a half-year", why);
	if (len == 7 && s[4] == '-')
		return period_refuse(s, len, ": use 202406 for June 2024", why);
	if (len >= 6 && s[2] == '/')
		return period_refuse(s, len, ": use 202406 for June 2024", why);
	return period_refuse(s, len, ": use 2024, 2024S1, 2024Q2, 202406, 2024W10 or 20240615",
			     why);
}

int period_format(const struct period *p, char *buf, size_t size)
{
	switch (p->type) {
	case PERIOD_DAILY:
		return snprintf(buf, size, "%04d%02d%02d", p->year, p->num, p->day);
	case PERIOD_WEEKLY:
		return snprintf(buf, size, "%04dW%d", p->year, p->num);
	case PERIOD_MONTHLY:
		return snprintf(buf, size, "%04d%02d", p->year, p->num);
	case PERIOD_QUARTERLY:
		return snprintf(buf, size, "%04dQ%d", p->year, p->num);
	case PERIOD_SIXMONTHLY:
		return snprintf(buf, size, "%04dS%d", p->year, p->num);
	case PERIOD_YEARLY:
		return snprintf(buf, size, "%04d", p->year);
	}
	return snprintf(buf, size, "?");
}

/* First and last month (1-12) of a monthly-or-coarser period. */
static void month_span(const struct period *p, int *first, int *last)
{
	switch (p->type) {
	case PERIOD_MONTHLY:
		*first = *last = p->num;
		break;
	case PERIOD_QUARTERLY:
		*first = 3 * p->num - 2;
		*last = 3 * p->num;
		break;
	case PERIOD_SIXMONTHLY:
		*first = 6 * p->num - 5;
		*last = 6 * p->num;
		break;
	default:
		*first = 1;
		*last = 12;
	}
}

void period_range(const struct period *p, enum period_calendar cal, int32_t *first, int32_t *last)
{
	int m0, m1;

	if (p->type == PERIOD_DAILY) {
		*first = *last = date_from_ymd(p->year, p->num, p->day);
		return;
	}
	if (p->type == PERIOD_WEEKLY) {
		*first = iso_week1(p->year) + 7 * (p->num - 1);
		*last = *first + 6;
		return;
	}
	month_span(p, &m0, &m1);
	if (cal == CAL_ADMINISTRATIVE) {
		/* From the 15th of the month before the first month to the 14th of the last. */
		*first = m0 == 1 ? date_from_ymd(p->year - 1, 12, 15)
				 : date_from_ymd(p->year, m0 - 1, 15);
		*last = date_from_ymd(p->year, m1, 14);
	} else {
		*first = date_from_ymd(p->year, m0, 1);
		*last = date_from_ymd(p->year, m1, days_in_month(p->year, m1));
	}
}

void period_of_date(int32_t day, enum period_type type, enum period_calendar cal,
		    struct period *out)
{
	int y, m, d;

	memset(out, 0, sizeof *out);
	out->type = type;
	date_to_ymd(day, &y, &m, &d);
	if (type == PERIOD_DAILY) {
		out->year = y;
		out->num = m;
		out->day = d;
		return;
	}
	if (type == PERIOD_WEEKLY) {
		int iy = y + 1;
		while (day < iso_week1(iy))
			iy--;
		out->year = iy;
		out->num = (int)((day - iso_week1(iy)) / 7) + 1;
		return;
	}
	if (cal == CAL_ADMINISTRATIVE && d >= 15) {
		/* The 15th onwards belongs to the next month's period. */
		if (++m == 13) {
			m = 1;
			y++;
		}
	}
	out->year = y;
	switch (type) {
	case PERIOD_MONTHLY:
		out->num = m;
		break;
	case PERIOD_QUARTERLY:
		out->num = (m - 1) / 3 + 1;
		break;
	case PERIOD_SIXMONTHLY:
		out->num = (m - 1) / 6 + 1;
		break;
	default:
		break;
	}
}

int period_cmp(const struct period *a, const struct period *b)
{
	if (a->year != b->year)
		return a->year < b->year ? -1 : 1;
	if (a->num != b->num)
		return a->num < b->num ? -1 : 1;
	return a->day < b->day ? -1 : a->day > b->day;
}

/* Months in one period of a monthly-or-coarser type. */
static int months_in(enum period_type t)
{
	switch (t) {
	case PERIOD_MONTHLY:
		return 1;
	case PERIOD_QUARTERLY:
		return 3;
	case PERIOD_SIXMONTHLY:
		return 6;
	case PERIOD_YEARLY:
		return 12;
	default:
		return 0;
	}
}

int period_subcount(enum period_type coarse, enum period_type fine)
{
	int c = months_in(coarse), f = months_in(fine);
	if (!c || !f || f >= c)
		return 0;
	return c / f;
}

int period_parent(const struct period *p, enum period_type coarse, struct period *out)
{
	int f = months_in(p->type), c = months_in(coarse);
	int m0, m1;

	if (!f || !c || f > c)
		return -1;
	month_span(p, &m0, &m1);
	memset(out, 0, sizeof *out);
	out->type = coarse;
	out->year = p->year;
	out->num = coarse == PERIOD_YEARLY ? 0 : (m0 - 1) / c + 1;
	return 0;
}

const char *period_type_name(enum period_type type)
{
	return (unsigned)type < PERIOD_NTYPES ? type_names[type] : "?";
}

int period_type_from_name(const char *name)
{
	for (int i = 0; i < PERIOD_NTYPES; i++)
		if (strcmp(name, type_names[i]) == 0)
			return i;
	return -1;
}

const char *period_calendar_name(enum period_calendar cal)
{
	return cal == CAL_ADMINISTRATIVE ? "administrative" : "statistical";
}

int period_calendar_from_name(const char *name)
{
	if (strcmp(name, "statistical") == 0)
		return CAL_STATISTICAL;
	if (strcmp(name, "administrative") == 0)
		return CAL_ADMINISTRATIVE;
	return -1;
}

int date_parse(const char *s, size_t len, int32_t *day, const char **why)
{
	int y, m, d;

	if (len == 10 && s[4] == '-' && s[7] == '-' && digits(s, 4) && digits(s + 5, 2) &&
	    digits(s + 8, 2)) {
		y = number(s, 4);
		m = number(s + 5, 2);
		d = number(s + 8, 2);
	} else {
		/* D/M/YYYY as Vietnamese documents write dates. */
		const char *p = s, *end = s + len;
		int parts[3], n = 0;
		while (n < 3 && p < end) {
			const char *q = p;
			while (q < end && *q >= '0' && *q <= '9')
				q++;
			if (q == p || q - p > 4)
				break;
			parts[n++] = number(p, (size_t)(q - p));
			p = q;
			if (n < 3) {
				if (p >= end || *p != '/')
					break;
				p++;
			}
		}
		if (n != 3 || p != end) {
			snprintf(period_msg, sizeof period_msg,
				 "\"%.*s\" is not a date: write 2024-06-15 or 15/06/2024",
				 (int)(len > 32 ? 32 : len), s);
			*why = period_msg;
			return -1;
		}
		d = parts[0];
		m = parts[1];
		y = parts[2];
	}
	if (y < 1900 || y > 2999 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m)) {
		snprintf(period_msg, sizeof period_msg, "\"%.*s\" is not a valid date",
			 (int)(len > 32 ? 32 : len), s);
		*why = period_msg;
		return -1;
	}
	*day = date_from_ymd(y, m, d);
	return 0;
}

int date_format(int32_t day, char *buf, size_t size)
{
	int y, m, d;
	date_to_ymd(day, &y, &m, &d);
	return snprintf(buf, size, "%04d-%02d-%02d", y, m, d);
}

int32_t date_today(void)
{
	time_t now = time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
	return date_from_ymd(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}
