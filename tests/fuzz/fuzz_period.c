/*
 * Fuzz target for period: arbitrary bytes as a period identifier or a date.
 *
 * A parsed period prints back to an identifier that parses to the same period
 * (and to the input itself, up to whitespace and a week's leading zero); in
 * both calendars its range is ordered, its first and last days map back to it,
 * and every period it nests in contains it.  A parsed date prints and parses
 * back to the same day.  Refusals come with a short message.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "period.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The checks must hold in every build type, so they do not use assert. */
static void check(bool ok)
{
	if (!ok)
		abort();
}

static void fuzz_calendar(const struct period *p, enum period_calendar cal)
{
	struct period q, parent;
	int32_t first, last, pf, pl;

	period_range(p, cal, &first, &last);
	check(first <= last);
	period_of_date(first, p->type, cal, &q);
	check(period_cmp(&q, p) == 0);
	period_of_date(last, p->type, cal, &q);
	check(period_cmp(&q, p) == 0);
	for (int c = 0; c < PERIOD_NTYPES; c++) {
		if (period_parent(p, (enum period_type)c, &parent) != 0) {
			check(period_subcount((enum period_type)c, p->type) == 0);
			continue;
		}
		period_range(&parent, cal, &pf, &pl);
		check(pf <= first && last <= pl);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data, *why = NULL;
	struct period p, q;
	char id[PERIOD_ID_MAX], again[PERIOD_ID_MAX], iso[11];
	int32_t day, day2;
	size_t b = 0, e = size;

	if (date_parse(s, size, &day, &why) == 0) {
		check(date_format(day, iso, sizeof iso) == 10);
		check(date_parse(iso, 10, &day2, &why) == 0 && day2 == day);
	} else {
		check(why && why[0] && strlen(why) < 256);
	}
	if (period_parse(s, size, &p, &why) != 0) {
		check(why && why[0] && strlen(why) < 256);
		return 0;
	}
	check(period_format(&p, id, sizeof id) < (int)sizeof id);
	check(period_parse(id, strlen(id), &q, &why) == 0 && period_cmp(&p, &q) == 0);
	check(period_format(&q, again, sizeof again) >= 0 && strcmp(id, again) == 0);
	/* The input itself, unless it wrote a week as W05. */
	while (b < e && memchr(" \t\r\n\v\f", s[b], 6))
		b++;
	while (e > b && memchr(" \t\r\n\v\f", s[e - 1], 6))
		e--;
	if (p.type != PERIOD_WEEKLY || s[b + 5] != '0')
		check(e - b == strlen(id) && memcmp(s + b, id, e - b) == 0);
	fuzz_calendar(&p, CAL_STATISTICAL);
	fuzz_calendar(&p, CAL_ADMINISTRATIVE);
	return 0;
}
