/*
 * store_period: chisod's housekeeping of periods (deadlines, closing when a
 * deadline passed); the rules are in the SQL functions it calls.
 */
#include "store_period.h"

#include <stdio.h>
#include <stdlib.h>

#include "store_int.h"

enum { S_DEADLINES, S_AUTOCLOSE, S_N };

static const struct store_stmt period_stmt[S_N] = {
    [S_DEADLINES] = {"deadlines", "SELECT chiso.period_deadlines_set($1::int[], $2::boolean)", 2},
    [S_AUTOCLOSE] = {"autoclose", "SELECT chiso.period_autoclose()", 0},
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

int store_period_autoclose(struct store *s, int *closed, char *err, size_t errsize)
{
	PGresult *res = store_run(s, &period_stmt[S_AUTOCLOSE], NULL, err, errsize);
	if (!res)
		return -1;
	*closed = atoi(PQgetvalue(res, 0, 0));
	PQclear(res);
	return 0;
}
