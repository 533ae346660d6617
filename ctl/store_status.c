/*
 * store_status: the reads of `chisoctl status` (see store_status.h); the
 * rules are the SQL functions of sql/R_45_status.sql.
 */
#include "store_status.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

enum { S_MISSING, S_REFUSED, S_REPLICATION, S_N };

static const struct store_stmt status_stmt[S_N] = {
    [S_MISSING] = {"status_missing",
		   "SELECT unit_code, unit_name, parent_name FROM chiso.period_missing_units($1)",
		   1},
    [S_REFUSED] = {"status_refused", "SELECT reason, n FROM chiso.refused_recent($1::int)", 1},
    [S_REPLICATION] = {"status_replication",
		       "SELECT standby, lag_s IS NOT NULL, coalesce(lag_s, 0), standbys"
		       " FROM chiso.replication_state()",
		       0},
};

static void store_missing_read(const PGresult *res, int t, void *row)
{
	struct store_missing_unit *u = row;

	snprintf(u->code, sizeof u->code, "%s", PQgetvalue(res, t, 0));
	snprintf(u->name, sizeof u->name, "%s", PQgetvalue(res, t, 1));
	snprintf(u->parent, sizeof u->parent, "%s", PQgetvalue(res, t, 2));
}

int store_status_missing(struct store *s, const char *period, struct store_missing_unit **out,
			 size_t *n, char *err, size_t errsize)
{
	const char *p[] = {period};

	*out = store_run_rows(s, &status_stmt[S_MISSING], p, sizeof **out, store_missing_read, n,
			      err, errsize);
	return *out ? 0 : -1;
}

static void store_refused_read(const PGresult *res, int t, void *row)
{
	struct store_refused *r = row;

	snprintf(r->reason, sizeof r->reason, "%s", PQgetvalue(res, t, 0));
	r->rows = strtoll(PQgetvalue(res, t, 1), NULL, 10);
}

int store_status_refused(struct store *s, int hours, struct store_refused **out, size_t *n,
			 char *err, size_t errsize)
{
	char h[16];
	const char *p[] = {h};

	snprintf(h, sizeof h, "%d", hours);
	*out = store_run_rows(s, &status_stmt[S_REFUSED], p, sizeof **out, store_refused_read, n,
			      err, errsize);
	return *out ? 0 : -1;
}

int store_status_replication(struct store *s, struct store_replication *r, char *err,
			     size_t errsize)
{
	PGresult *res = store_run(s, &status_stmt[S_REPLICATION], NULL, err, errsize);

	memset(r, 0, sizeof *r);
	if (!res)
		return -1;
	if (PQntuples(res) == 1) {
		r->standby = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
		r->lag_known = strcmp(PQgetvalue(res, 0, 1), "t") == 0;
		r->lag_s = strtod(PQgetvalue(res, 0, 2), NULL);
		r->standbys = atoi(PQgetvalue(res, 0, 3));
	}
	PQclear(res);
	return 0;
}
