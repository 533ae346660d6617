/*
 * store_period: chisod's housekeeping of periods (deadlines, closing when a
 * deadline passed) and the deadlines a WELCOME lists; the rules are in the
 * SQL functions it calls.
 */
#include "store_period.h"

#include <assert.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "period.h"
#include "welcome.h"

#include "store_int.h"

enum { S_DEADLINES, S_AUTOCLOSE, S_WELCOME, S_PROGRESS, S_N };

static const struct store_stmt period_stmt[S_N] = {
    [S_DEADLINES] = {"deadlines", "SELECT chiso.period_deadlines_set($1::int[], $2::boolean)", 2},
    [S_AUTOCLOSE] = {"autoclose", "SELECT chiso.period_autoclose()", 0},
    [S_WELCOME] = {"welcome",
		   "SELECT code, closed, coalesce(deadline_statistical::text, ''),"
		   " coalesce(deadline_administrative::text, '')"
		   " FROM chiso.period_welcome($1::text[], $2::text[], $3::date[], $4::date[])",
		   4},
    [S_PROGRESS] = {"period_progress",
		    "SELECT period, period_type, expected, reported, coalesce(due::text, ''),"
		    " coalesce(days_left, 0), coalesce(due_epoch, 0), open_periods"
		    " FROM chiso.period_progress($1::int)",
		    1},
};

int store_period_deadlines(struct store *s, const long long days[6], bool auto_close, char *err,
			   size_t errsize)
{
	char arr[128];
	snprintf(arr, sizeof arr, "{%lld,%lld,%lld,%lld,%lld,%lld}", days[0], days[1], days[2],
		 days[3], days[4], days[5]);
	const char *p[] = {arr, auto_close ? "true" : "false"};
	PGresult *res = store_run(s, &period_stmt[S_DEADLINES], p, err, errsize);
	PQclear(res);
	return res ? 0 : -1;
}

/* Appends s to the array literal b ("{a,b"), quoted: period codes and names need no escape. */
static void store_period_elem(char *b, size_t size, const char *s)
{
	size_t len = strlen(b);
	snprintf(b + len, size - len, "%s\"%s\"", len > 1 ? "," : "", s);
}

/* The four arrays of period_welcome() for p[0..n): codes, types, last days of both calendars. */
static void store_period_arrays(const struct welcome_period *p, size_t n, char a[4][1024])
{
	for (int k = 0; k < 4; k++)
		snprintf(a[k], 1024, "{");
	for (size_t i = 0; i < n; i++) {
		struct period per;
		const char *why;
		int32_t first, last[2];
		char day[2][11];
		if (period_parse(p[i].period, strlen(p[i].period), &per, &why) < 0)
			continue; /* welcome_candidates made them: cannot happen */
		period_range(&per, CAL_STATISTICAL, &first, &last[0]);
		period_range(&per, CAL_ADMINISTRATIVE, &first, &last[1]);
		date_format(last[0], day[0], sizeof day[0]);
		date_format(last[1], day[1], sizeof day[1]);
		store_period_elem(a[0], 1024, p[i].period);
		store_period_elem(a[1], 1024, p[i].type);
		store_period_elem(a[2], 1024, day[0]);
		store_period_elem(a[3], 1024, day[1]);
	}
	for (int k = 0; k < 4; k++)
		strncat(a[k], "}", 1024 - strlen(a[k]) - 1);
}

int store_period_welcome(struct store *s, struct welcome_period *p, size_t n, char *err,
			 size_t errsize)
{
	char a[4][1024];
	const char *params[] = {a[0], a[1], a[2], a[3]};

	assert(n <= WELCOME_PERIODS_MAX);
	store_period_arrays(p, n, a);
	PGresult *res = store_run(s, &period_stmt[S_WELCOME], params, err, errsize);
	if (!res)
		return -1;
	for (int t = 0; t < PQntuples(res); t++) {
		for (size_t i = 0; i < n; i++) {
			if (strcmp(p[i].period, PQgetvalue(res, t, 0)) != 0)
				continue;
			bool adm = strcmp(p[i].calendar, "administrative") == 0;
			p[i].closed = PQgetvalue(res, t, 1)[0] == 't';
			snprintf(p[i].deadline, sizeof p[i].deadline, "%s",
				 PQgetvalue(res, t, adm ? 3 : 2));
		}
	}
	PQclear(res);
	return 0;
}

int store_period_autoclose(struct store *s, int *closed, char *err, size_t errsize)
{
	PGresult *res = store_run(s, &period_stmt[S_AUTOCLOSE], NULL, err, errsize);
	if (!res)
		return -1;
	*closed = atoi(PQgetvalue(res, 0, 0));
	PQclear(res);
	return 0;
}

static void store_period_progress_read(const PGresult *res, int t, void *row)
{
	struct store_period_progress *p = row;

	snprintf(p->code, sizeof p->code, "%s", PQgetvalue(res, t, 0));
	snprintf(p->type, sizeof p->type, "%s", PQgetvalue(res, t, 1));
	p->expected = atoi(PQgetvalue(res, t, 2));
	p->reported = atoi(PQgetvalue(res, t, 3));
	snprintf(p->due, sizeof p->due, "%s", PQgetvalue(res, t, 4));
	p->days_left = atoi(PQgetvalue(res, t, 5));
	p->due_epoch = strtoll(PQgetvalue(res, t, 6), NULL, 10);
	p->open_periods = atoi(PQgetvalue(res, t, 7));
}

int store_period_progress(struct store *s, int limit, struct store_period_progress **out, size_t *n,
			  char *err, size_t errsize)
{
	char lim[16];
	const char *p[] = {lim};

	snprintf(lim, sizeof lim, "%d", limit);
	*out = store_run_rows(s, &period_stmt[S_PROGRESS], p, sizeof **out,
			      store_period_progress_read, n, err, errsize);
	return *out ? 0 : -1;
}
