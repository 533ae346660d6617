/*
 * schedule: parsing and the due check of publish.schedule (see schedule.h).
 */
#include "schedule.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "period.h"

static void seterr(char *err, size_t errsize, size_t entry, const char *what, const char *text)
{
	snprintf(err, errsize,
		 "entry %zu: %s \"%s\" (write PERIOD UNIT YYYY-MM-DD, e.g. "
		 "\"2024S1 51 2024-06-20\")",
		 entry, what, text);
}

/* A real calendar date YYYY-MM-DD, any year (2999-12-31 means "never"). */
static int valid_date(const char *s)
{
	int y, m, d;
	char tail;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return 0;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
			return 0;
	if (sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3)
		return 0;
	/* the calendar is lib/period.c's */
	return d >= 1 && d <= date_month_days(y, m);
}

static int parse_entry(const char *text, size_t idx, struct schedule_entry *e, char *err,
		       size_t errsize)
{
	char a[64], b[64], c[64], extra[2];
	struct period p;
	const char *why;

	int got = sscanf(text, "%63s %63s %63s %1s", a, b, c, extra);
	if (got != 3) {
		seterr(err, errsize, idx, got > 3 ? "too many words in" : "too few words in", text);
		return -1;
	}
	if (strlen(a) >= sizeof e->period || period_parse(a, strlen(a), &p, &why) != 0) {
		seterr(err, errsize, idx, "not a period:", a);
		return -1;
	}
	size_t ul = strlen(b);
	if (ul == 0 || ul >= sizeof e->unit || strspn(b, "0123456789") != ul) {
		seterr(err, errsize, idx, "not a unit code:", b);
		return -1;
	}
	if (!valid_date(c)) {
		seterr(err, errsize, idx, "not a date:", c);
		return -1;
	}
	snprintf(e->period, sizeof e->period, "%s", a);
	snprintf(e->unit, sizeof e->unit, "%s", b);
	snprintf(e->date, sizeof e->date, "%s", c);
	snprintf(e->note, sizeof e->note, "lịch công bố %s (chisod, publish.schedule)", c);
	return 0;
}

struct schedule *schedule_parse(const char *text, char *err, size_t errsize)
{
	struct schedule *s = calloc(1, sizeof *s);
	char *copy = strdup(text ? text : "");
	size_t cap = 0, idx = 0;

	if (!s || !copy) {
		snprintf(err, errsize, "out of memory");
		goto fail;
	}
	if (copy[strspn(copy, " \t\n")] == '\0') { /* blank: no schedule */
		free(copy);
		return s;
	}
	/* Split by hand: strtok would skip an empty entry ("a,,b"), which is a typo. */
	for (char *tok = copy, *next; tok; tok = next) {
		next = strchr(tok, ',');
		if (next)
			*next++ = '\0';
		idx++;
		while (isspace((unsigned char)*tok))
			tok++;
		if (*tok == '\0') {
			seterr(err, errsize, idx, "empty entry:", "");
			goto fail;
		}
		if (s->n == cap) {
			cap = cap ? cap * 2 : 8;
			struct schedule_entry *p = realloc(s->entries, cap * sizeof *p);
			if (!p) {
				snprintf(err, errsize, "out of memory");
				goto fail;
			}
			s->entries = p;
		}
		if (parse_entry(tok, idx, &s->entries[s->n], err, errsize) != 0)
			goto fail;
		s->n++;
	}
	free(copy);
	return s;
fail:
	free(copy);
	schedule_destroy(&s);
	return NULL;
}

void schedule_destroy(struct schedule **sp)
{
	if (!sp || !*sp)
		return;
	free((*sp)->entries);
	free(*sp);
	*sp = NULL;
}

size_t schedule_due(const struct schedule *s, const char *today, unsigned char *due)
{
	size_t n = 0;

	for (size_t i = 0; s && i < s->n; i++) {
		/* ISO dates compare as strings */
		due[i] = strcmp(s->entries[i].date, today) <= 0;
		n += due[i];
	}
	return n;
}
