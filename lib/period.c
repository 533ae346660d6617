/*
 * period: period identifiers, the two reporting calendars and day numbers (see
 * period.h).
 *
 * Every period other than days and weeks is a run of calendar months: months
 * m1..m2 of its year.  The statistical calendar takes those months as they are;
 * the administrative calendar (Decree 09/2019/ND-CP) takes the 15th of the month
 * before m1 to the 14th of m2.  So one function gives the months and the two
 * calendars differ in a single line each way: in period_range, and in
 * period_of_date, where a day on or after the 15th belongs to the next month.
 * Days and weeks are the same in both calendars.
 *
 * Day numbers come from the days-from-civil algorithm (H. Hinnant), exact for
 * the proleptic Gregorian calendar and any year an int holds a day number for.
 */
#include "period.h"

#include "message.h"
#include "plat.h"
#include "quote.h"

#include <assert.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define PERIOD_WHY_SIZE 256

/*
 * The messages of period_parse and date_parse end up in a refused row's
 * message, which a commune officer reads: their texts are in the message
 * table (sql/R_05_messages.sql), and fit BATCH_MESSAGE_MAX (240 bytes) with a
 * quoted input.
 */

static bool period_isspace(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

static bool period_isdigit(char c)
{
	return c >= '0' && c <= '9';
}

/* True if s[0..n) are all digits (and n > 0). */
static bool period_digits(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!period_isdigit(s[i]))
			return false;
	return true;
}

/* The number written by the n digits at s. */
static int period_atoi(const char *s, size_t n)
{
	int v = 0;

	for (size_t i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

static bool period_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int period_month_days(int y, int m)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	if (m < 1 || m > 12)
		return 0; /* only reached through a bug; keeps the lookup in bounds */
	return m == 2 && period_leap(y) ? 29 : days[m - 1];
}

int date_month_days(int year, int month)
{
	return period_month_days(year, month);
}

int32_t date_from_ymd(int year, int month, int day)
{
	long long y = (long long)year - (month <= 2);
	long long era = (y >= 0 ? y : y - 399) / 400;
	long long yoe = y - era * 400;
	long long doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
	long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	assert(month >= 1 && month <= 12 && day >= 1 && day <= period_month_days(year, month));
	return (int32_t)(era * 146097 + doe - 719468);
}

void date_to_ymd(int32_t day, int *year, int *month, int *dayofmonth)
{
	long long z = (long long)day + 719468;
	long long era = (z >= 0 ? z : z - 146096) / 146097;
	long long doe = z - era * 146097;
	long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long long mp = (5 * doy + 2) / 153;
	int m = (int)(mp < 10 ? mp + 3 : mp - 9);

	*dayofmonth = (int)(doy - (153 * mp + 2) / 5 + 1);
	*month = m;
	*year = (int)(yoe + era * 400 + (m <= 2));
}

/* ISO weekday of a day number: Monday 1 .. Sunday 7 (1970-01-01 was a Thursday). */
static int period_weekday(int32_t day)
{
	int r = (int)(((long long)day + 3) % 7);

	return (r < 0 ? r + 7 : r) + 1;
}

/* Monday of ISO week 1: the week holding 4 January. */
static int32_t period_week1(int year)
{
	int32_t jan4 = date_from_ymd(year, 1, 4);

	return jan4 - (period_weekday(jan4) - 1);
}

/* 53 when the year starts on a Thursday, or on a Wednesday in a leap year. */
static int period_weeks_in_year(int year)
{
	int wd = period_weekday(date_from_ymd(year, 1, 1));

	return wd == 4 || (wd == 3 && period_leap(year)) ? 53 : 52;
}

/* A period as the parser or period_of_date makes it; anything else is a bug. */
static bool period_valid(const struct period *p)
{
	switch (p->type) {
	case PERIOD_DAILY:
		return p->num >= 1 && p->num <= 12 && p->day >= 1 &&
		       p->day <= period_month_days(p->year, p->num);
	case PERIOD_WEEKLY:
		return p->num >= 1 && p->num <= period_weeks_in_year(p->year);
	case PERIOD_MONTHLY:
		return p->num >= 1 && p->num <= 12;
	case PERIOD_QUARTERLY:
		return p->num >= 1 && p->num <= 4;
	case PERIOD_SIXMONTHLY:
		return p->num >= 1 && p->num <= 2;
	case PERIOD_YEARLY:
		return true;
	}
	return false;
}

/* The calendar months m1..m2 a monthly or coarser period covers. */
static void period_months(const struct period *p, int *m1, int *m2)
{
	static const int span[PERIOD_NTYPES] = {0, 0, 1, 3, 6, 12};
	int n = span[p->type];
	int k = p->type == PERIOD_YEARLY ? 1 : p->num;

	*m1 = (k - 1) * n + 1;
	*m2 = k * n;
}

void period_range(const struct period *p, enum period_calendar cal, int32_t *first, int32_t *last)
{
	int m1, m2;

	if (!period_valid(p)) {
		/* A bug in the caller; without asserts it gets an empty range. */
		assert(!"period_range: invalid period");
		*first = 1;
		*last = 0;
		return;
	}
	switch (p->type) {
	case PERIOD_DAILY:
		*first = *last = date_from_ymd(p->year, p->num, p->day);
		return;
	case PERIOD_WEEKLY:
		*first = period_week1(p->year) + 7 * (p->num - 1);
		*last = *first + 6;
		return;
	default:
		break;
	}
	period_months(p, &m1, &m2);
	if (cal == CAL_ADMINISTRATIVE) {
		/* The 15th of the month before m1 to the 14th of m2. */
		*first = m1 == 1 ? date_from_ymd(p->year - 1, 12, 15)
				 : date_from_ymd(p->year, m1 - 1, 15);
		*last = date_from_ymd(p->year, m2, 14);
	} else {
		*first = date_from_ymd(p->year, m1, 1);
		*last = date_from_ymd(p->year, m2, period_month_days(p->year, m2));
	}
}

void period_of_date(int32_t day, enum period_type type, enum period_calendar cal,
		    struct period *out)
{
	int y, m, d;

	memset(out, 0, sizeof *out);
	out->type = type;
	if (type == PERIOD_WEEKLY) {
		/* A week belongs to the year that holds its Thursday. */
		int32_t thursday = day + (4 - period_weekday(day));

		date_to_ymd(thursday, &y, &m, &d);
		out->year = y;
		out->num = (thursday - date_from_ymd(y, 1, 1)) / 7 + 1;
		return;
	}
	date_to_ymd(day, &y, &m, &d);
	if (type == PERIOD_DAILY) {
		out->year = y, out->num = m, out->day = d;
		return;
	}
	if (cal == CAL_ADMINISTRATIVE && d >= 15 && ++m > 12) {
		m = 1;
		y++;
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
	if (a->type != b->type)
		return a->type < b->type ? -1 : 1;
	if (a->year != b->year)
		return a->year < b->year ? -1 : 1;
	if (a->num != b->num)
		return a->num < b->num ? -1 : 1;
	if (a->day != b->day)
		return a->day < b->day ? -1 : 1;
	return 0;
}

int period_subcount(enum period_type coarse, enum period_type fine)
{
	static const int months[PERIOD_NTYPES] = {0, 0, 1, 3, 6, 12};

	if (fine < PERIOD_MONTHLY || fine >= coarse || coarse >= PERIOD_NTYPES)
		return 0;
	return months[coarse] / months[fine];
}

int period_parent(const struct period *p, enum period_type coarse, struct period *out)
{
	int m1, m2;

	if (period_subcount(coarse, p->type) == 0)
		return -1;
	/* Every calendar shifts months, quarters and halves alike, so one rule serves both. */
	period_months(p, &m1, &m2);
	memset(out, 0, sizeof *out);
	out->type = coarse;
	out->year = p->year;
	if (coarse == PERIOD_QUARTERLY)
		out->num = (m1 - 1) / 3 + 1;
	else if (coarse == PERIOD_SIXMONTHLY)
		out->num = (m1 - 1) / 6 + 1;
	return 0;
}

int period_parents(const struct period *p, struct period out[PERIOD_PARENTS_MAX])
{
	static const enum period_type chain[PERIOD_PARENTS_MAX] = {
	    PERIOD_QUARTERLY, PERIOD_SIXMONTHLY, PERIOD_YEARLY};
	int n = 0;

	for (int i = 0; i < PERIOD_PARENTS_MAX; i++) {
		if (period_parent(p, chain[i], &out[n]) == 0)
			n++;
	}
	return n;
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

/* The thread's message buffer for period_parse and date_parse. */
static char *period_why_buf(void)
{
	static _Thread_local char msg[PERIOD_WHY_SIZE];

	return msg;
}

/* Sets the thread's message to the text of code (period_invalid, date_unknown...),
   which quotes the input s[0..len) and gives the reason, and returns -1. */
static int period_fail(const char *code, const char *s, size_t len, const char *reason,
		       const char **why)
{
	char q[QUOTE_MAX + 4], *msg = period_why_buf();

	message_format(msg, PERIOD_WHY_SIZE, code, quote_text(q, sizeof q, s, len, QUOTE_MAX),
		       reason, NULL);
	*why = msg;
	return -1;
}

/* Sets the thread's message to the text of code, which takes no parameter; returns -1. */
static int period_fail_plain(const char *code, const char **why)
{
	message_format(period_why_buf(), PERIOD_WHY_SIZE, code, NULL);
	*why = period_why_buf();
	return -1;
}

/* "năm phải từ 2000 đến 2100", the reason of a year outside the years accepted. */
static void period_year_reason(char *reason, size_t rsize)
{
	char lo[16], hi[16];

	snprintf(lo, sizeof lo, "%d", PERIOD_YEAR_MIN);
	snprintf(hi, sizeof hi, "%d", PERIOD_YEAR_MAX);
	message_format(reason, rsize, "year_range", lo, hi, NULL);
}

int period_of_date_checked(int32_t day, enum period_type type, enum period_calendar cal,
			   struct period *out, const char **why)
{
	char id[16], reason[64];

	period_of_date(day, type, cal, out);
	if (out->year >= PERIOD_YEAR_MIN && out->year <= PERIOD_YEAR_MAX)
		return 0;
	period_format(out, id, sizeof id);
	period_year_reason(reason, sizeof reason);
	return period_fail("period_invalid", id, strlen(id), reason, why);
}

void period_words_vi(const struct period *p, char *buf, size_t size)
{
	static const char *const roman[] = {"I", "II", "III", "IV"};
	char n[48], y[16], half[16];

	snprintf(y, sizeof y, "%d", p->year);
	snprintf(n, sizeof n, "%d", p->num);
	switch (p->type) {
	case PERIOD_DAILY:
		snprintf(n, sizeof n, "%02d/%02d/%d", p->day, p->num, p->year);
		message_format(buf, size, "period_daily", n, NULL);
		break;
	case PERIOD_WEEKLY:
		message_format(buf, size, "period_weekly", n, y, NULL);
		break;
	case PERIOD_MONTHLY:
		message_format(buf, size, "period_monthly", n, y, NULL);
		break;
	case PERIOD_QUARTERLY:
		message_format(buf, size, "period_quarterly", roman[(p->num - 1) & 3], y, NULL);
		break;
	case PERIOD_SIXMONTHLY:
		message_format(half, sizeof half, p->num == 1 ? "half_first" : "half_second", NULL);
		message_format(buf, size, "period_six_monthly", half, y, NULL);
		break;
	case PERIOD_YEARLY:
		message_format(buf, size, "period_yearly", y, NULL);
		break;
	}
}

/* The largest number (month, week, quarter, half) a period of type t has in year; 0 for
 * a year, which has none. */
static int period_num_max(enum period_type t, int year)
{
	switch (t) {
	case PERIOD_DAILY:
	case PERIOD_MONTHLY:
		return 12;
	case PERIOD_WEEKLY:
		return period_weeks_in_year(year);
	case PERIOD_QUARTERLY:
		return 4;
	case PERIOD_SIXMONTHLY:
		return 2;
	case PERIOD_YEARLY:
		break;
	}
	return 0;
}

void period_previous(const struct period *p, struct period *out)
{
	int32_t day;

	assert(period_valid(p));
	*out = *p;
	if (p->type == PERIOD_DAILY) {
		/* the day before, across a month, a year and 29 February alike */
		day = date_from_ymd(p->year, p->num, p->day) - 1;
		date_to_ymd(day, &out->year, &out->num, &out->day);
	} else if (p->type == PERIOD_YEARLY) {
		out->year--;
	} else if (--out->num < 1) {
		/* the last of the year before: week 52 or 53 there, December, Q4, S2 */
		out->year--;
		out->num = period_num_max(p->type, out->year);
	}
}

const char *period_previous_id(const char *id, char *buf, size_t size)
{
	struct period p, prev;
	const char *why;

	if (!id || period_parse(id, strlen(id), &p, &why) < 0)
		return NULL;
	period_previous(&p, &prev);
	period_format(&prev, buf, size);
	return buf;
}

/* Why a period's number is outside 1..limit (period_num_max), in the officer's words. */
static void period_num_reason(enum period_type t, int year, int limit, char *reason, size_t rsize)
{
	char max[16], y[16];

	snprintf(max, sizeof max, "%d", limit);
	snprintf(y, sizeof y, "%d", year);
	if (t == PERIOD_WEEKLY)
		message_format(reason, rsize, "week_range", max, y, NULL);
	else if (t == PERIOD_QUARTERLY)
		message_format(reason, rsize, "quarter_range", NULL);
	else if (t == PERIOD_SIXMONTHLY)
		message_format(reason, rsize, "half_range", NULL);
	else
		message_format(reason, rsize, "month_range", NULL);
}

/* "ngày phải từ 01 đến 29 trong tháng 2 năm 2024" (code day_range or date_day_range). */
static void period_day_reason(const char *code, int year, int month, char *reason, size_t rsize)
{
	char max[16], m[16], y[16];

	snprintf(max, sizeof max, "%d", period_month_days(year, month));
	snprintf(m, sizeof m, "%d", month);
	snprintf(y, sizeof y, "%d", year);
	message_format(reason, rsize, code, max, m, y, NULL);
}

/*
 * The canonical identifiers s[0..len) could be.  Returns 0 and the parsed
 * period, or -1 with the reason it is refused (reason is set to NULL when the
 * form itself is unknown, so that the caller may look for a hint).
 */
static int period_parse_id(const char *s, size_t len, struct period *out, char *reason,
			   size_t rsize)
{
	char letter = len >= 5 ? s[4] : '\0';
	int limit;

	reason[0] = '\0';
	memset(out, 0, sizeof *out);
	if (len < 4 || !period_digits(s, 4))
		return -1;
	out->year = period_atoi(s, 4);
	if (len == 4) {
		out->type = PERIOD_YEARLY;
	} else if (len == 6 && period_digits(s + 4, 2)) {
		out->type = PERIOD_MONTHLY;
		out->num = period_atoi(s + 4, 2);
	} else if (len == 8 && period_digits(s + 4, 4)) {
		out->type = PERIOD_DAILY;
		out->num = period_atoi(s + 4, 2);
		out->day = period_atoi(s + 6, 2);
	} else if (letter == 'W' && (len == 6 || len == 7) && period_digits(s + 5, len - 5)) {
		out->type = PERIOD_WEEKLY;
		out->num = period_atoi(s + 5, len - 5);
	} else if ((letter == 'Q' || letter == 'S') && len == 6 && period_digits(s + 5, 1)) {
		out->type = letter == 'Q' ? PERIOD_QUARTERLY : PERIOD_SIXMONTHLY;
		out->num = s[5] - '0';
	} else {
		return -1;
	}
	if (out->year < PERIOD_YEAR_MIN || out->year > PERIOD_YEAR_MAX) {
		period_year_reason(reason, rsize);
		return -1;
	}
	limit = period_num_max(out->type, out->year);
	if (out->type != PERIOD_YEARLY && (out->num < 1 || out->num > limit)) {
		period_num_reason(out->type, out->year, limit, reason, rsize);
		return -1;
	}
	if (out->type == PERIOD_DAILY) {
		limit = period_month_days(out->year, out->num);
		if (out->day < 1 || out->day > limit) {
			period_day_reason("day_range", out->year, out->num, reason, rsize);
			return -1;
		}
	}
	return 0;
}

/* Splits s[0..len) at '-', '/', '.', ' ' into at most 3 non-empty parts. */
static size_t period_split(const char *s, size_t len, const char *part[3], size_t plen[3])
{
	size_t n = 0, start = 0;

	for (size_t i = 0; i <= len; i++) {
		if (i < len && s[i] != '-' && s[i] != '/' && s[i] != '.' && s[i] != ' ')
			continue;
		if (i == start || n == 3)
			return 0;
		part[n] = s + start;
		plen[n++] = i - start;
		start = i + 1;
	}
	return n;
}

/* "Q2", "h1", "W10": a period letter and one or two digits, as an identifier suffix. */
static bool period_suffix(const char *s, size_t len, char *out, size_t size)
{
	char c = (char)(s[0] & ~0x20);

	if (len < 2 || len > 3 || (c != 'H' && c != 'Q' && c != 'S' && c != 'W') ||
	    !period_digits(s + 1, len - 1))
		return false;
	snprintf(out, size, "%c%.*s", c == 'H' ? 'S' : c, (int)(len - 1), s + 1);
	return true;
}

/*
 * The identifier someone meant by a form people write ("2024-06", "06/2024",
 * "2024H1", "15/06/2024", "2024-Q2"), written into id; false if none.
 */
static bool period_guess(const char *s, size_t len, char *id, size_t size)
{
	const char *part[3];
	size_t plen[3], n = period_split(s, len, part, plen);
	char suf[4];

	if (n == 1 && len >= 6 && period_digits(s, 4) &&
	    period_suffix(s + 4, len - 4, suf, sizeof suf)) {
		snprintf(id, size, "%.4s%s", s, suf);
		return true;
	}
	if (n == 2) {
		/* Year first or last, and a month or a suffix. */
		int y = plen[0] == 4 && period_digits(part[0], 4) ? 0 : 1, o = 1 - y;

		if (plen[y] != 4 || !period_digits(part[y], 4))
			return false;
		if (plen[o] <= 2 && period_digits(part[o], plen[o])) {
			snprintf(id, size, "%.4s%02d", part[y], period_atoi(part[o], plen[o]));
			return true;
		}
		if (period_suffix(part[o], plen[o], suf, sizeof suf)) {
			snprintf(id, size, "%.4s%s", part[y], suf);
			return true;
		}
		return false;
	}
	if (n == 3 && plen[1] <= 2 && period_digits(part[1], plen[1])) {
		/* 2024-06-15 or 15/06/2024. */
		int y = plen[0] == 4 ? 0 : 2, d = 2 - y;

		if (plen[y] != 4 || !period_digits(part[y], 4) || plen[d] > 2 ||
		    !period_digits(part[d], plen[d]))
			return false;
		snprintf(id, size, "%.4s%02d%02d", part[y], period_atoi(part[1], plen[1]),
			 period_atoi(part[d], plen[d]));
		return true;
	}
	return false;
}

int period_parse(const char *s, size_t len, struct period *out, const char **why)
{
	char reason[160], id[16], desc[64], hint[160];
	struct period guess;

	while (len > 0 && period_isspace(*s))
		s++, len--;
	while (len > 0 && period_isspace(s[len - 1]))
		len--;
	if (len == 0)
		return period_fail_plain("period_empty", why);
	if (period_parse_id(s, len, out, reason, sizeof reason) == 0)
		return 0;
	if (reason[0])
		return period_fail("period_invalid", s, len, reason, why);
	if (period_guess(s, len, id, sizeof id)) {
		if (period_parse_id(id, strlen(id), &guess, reason, sizeof reason) == 0) {
			period_words_vi(&guess, desc, sizeof desc);
			message_format(hint, sizeof hint, "period_hint", id, desc, NULL);
			return period_fail("period_unknown", s, len, hint, why);
		}
		if (reason[0]) /* the form was understood, the period does not exist */
			return period_fail("period_unknown", s, len, reason, why);
	}
	message_format(hint, sizeof hint, "period_forms", NULL);
	return period_fail("period_unknown", s, len, hint, why);
}

int date_parse(const char *s, size_t len, int32_t *day, const char **why)
{
	const char *part[3];
	size_t plen[3], n;
	int y, m, d, limit;
	char reason[96];

	while (len > 0 && period_isspace(*s))
		s++, len--;
	while (len > 0 && period_isspace(s[len - 1]))
		len--;
	if (len == 0)
		return period_fail_plain("date_empty", why);
	n = period_split(s, len, part, plen);
	if (n != 3 || !period_digits(part[0], plen[0]) || !period_digits(part[1], plen[1]) ||
	    !period_digits(part[2], plen[2]))
		goto unknown;
	if (len == 10 && plen[0] == 4 && s[4] == '-' && s[7] == '-' && plen[1] == 2) {
		y = period_atoi(part[0], 4), m = period_atoi(part[1], 2),
		d = period_atoi(part[2], 2);
	} else if (plen[2] == 4 && plen[0] <= 2 && plen[1] <= 2 && s[plen[0]] == '/' &&
		   s[plen[0] + 1 + plen[1]] == '/') {
		d = period_atoi(part[0], plen[0]), m = period_atoi(part[1], plen[1]);
		y = period_atoi(part[2], 4);
	} else {
		goto unknown;
	}
	if (y < PERIOD_YEAR_MIN || y > PERIOD_YEAR_MAX) {
		period_year_reason(reason, sizeof reason);
		return period_fail("date_invalid", s, len, reason, why);
	}
	if (m < 1 || m > 12) {
		message_format(reason, sizeof reason, "date_month_range", NULL);
		return period_fail("date_invalid", s, len, reason, why);
	}
	limit = period_month_days(y, m);
	if (d < 1 || d > limit) {
		period_day_reason("date_day_range", y, m, reason, sizeof reason);
		return period_fail("date_invalid", s, len, reason, why);
	}
	*day = date_from_ymd(y, m, d);
	return 0;
unknown:
	message_format(reason, sizeof reason, "date_forms", NULL);
	return period_fail("date_unknown", s, len, reason, why);
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

	plat_localtime(now, &tm);
	return date_from_ymd(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

static const char *const period_type_names[PERIOD_NTYPES] = {"daily",	  "weekly",	 "monthly",
							     "quarterly", "six-monthly", "yearly"};
static const char *const period_calendar_names[] = {"statistical", "administrative"};

const char *period_type_name(enum period_type type)
{
	return (unsigned)type < PERIOD_NTYPES ? period_type_names[type] : "unknown";
}

const char *period_type_vi(enum period_type type)
{
	/* the words are the message table's, like the database's period_type_vi */
	static const char *const codes[PERIOD_NTYPES] = {"type_daily",	     "type_weekly",
							 "type_monthly",     "type_quarterly",
							 "type_six_monthly", "type_yearly"};
	const struct message *m = (unsigned)type < PERIOD_NTYPES ? message_find(codes[type]) : NULL;

	return m ? m->text : "?";
}

void period_types_vi(unsigned types, char *buf, size_t size)
{
	char rest[128] = "";
	const char *last = NULL;

	buf[0] = '\0';
	for (int t = 0; t < PERIOD_NTYPES; t++) {
		if (!(types & (1u << t)))
			continue;
		if (last)
			snprintf(rest + strlen(rest), sizeof rest - strlen(rest), "%s%s",
				 rest[0] ? ", " : "", last);
		last = period_type_vi((enum period_type)t);
	}
	if (!last)
		return;
	if (rest[0])
		message_format(buf, size, "or_list", rest, last, NULL);
	else
		snprintf(buf, size, "%s", last);
}

int period_type_from_name(const char *name)
{
	for (int i = 0; name && i < PERIOD_NTYPES; i++)
		if (strcmp(name, period_type_names[i]) == 0)
			return i;
	return -1;
}

const char *period_calendar_name(enum period_calendar cal)
{
	return (unsigned)cal < 2 ? period_calendar_names[cal] : "unknown";
}

int period_calendar_from_name(const char *name)
{
	for (int i = 0; name && i < 2; i++)
		if (strcmp(name, period_calendar_names[i]) == 0)
			return i;
	return -1;
}
