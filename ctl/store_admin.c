/*
 * store_admin: checking and rebuilding the rollups, and the periods as
 * chisoctl administers them by hand.
 */
#include "store_admin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "period.h"
#include "store_int.h"

enum { S_VERIFY, S_READ_ONLY, S_ROLLUP_COUNT, S_REBUILD, S_PERIOD_SET, S_PERIOD_LIST, S_N };

static const struct store_stmt admin_stmt[S_N] = {
    [S_VERIFY] = {"verify",
		  "SELECT check_name, unit_code, indicator_code, period_code, stored, recomputed"
		  " FROM chiso.rollup_verify()",
		  0},
    [S_READ_ONLY] = {"read_only", "SELECT current_setting('transaction_read_only')::boolean", 0},
    [S_ROLLUP_COUNT] = {"rollup_count", "SELECT count(*) FROM chiso.rollup", 0},
    [S_REBUILD] = {"rebuild", "SELECT chiso.rollup_rebuild()", 0},
    [S_PERIOD_SET] = {"period_set",
		      "SELECT chiso.period_set_closed($1, $2, $3::date, $4::date, $5::date,"
		      " $6::date, $7::boolean, $8, $9)",
		      9},
    [S_PERIOD_LIST] = {"period_list",
		       "SELECT period, period_type, adm_first || ' – ' || adm_last,"
		       " stat_first || ' – ' || stat_last, coalesce(due_latest::text, ''),"
		       " coalesce(to_char(closed_at, 'YYYY-MM-DD HH24:MI') || ' ' || closed_by, '')"
		       " FROM chiso.v_period ORDER BY stat_first, stat_last DESC",
		       0},
};

static void store_difference_read(const PGresult *res, int t, void *row)
{
	struct store_difference *d = row;

	snprintf(d->check, sizeof d->check, "%s", PQgetvalue(res, t, 0));
	snprintf(d->unit_code, sizeof d->unit_code, "%s", PQgetvalue(res, t, 1));
	snprintf(d->indicator_code, sizeof d->indicator_code, "%s", PQgetvalue(res, t, 2));
	snprintf(d->period, sizeof d->period, "%s", PQgetvalue(res, t, 3));
	snprintf(d->stored, sizeof d->stored, "%s", PQgetvalue(res, t, 4));
	snprintf(d->recomputed, sizeof d->recomputed, "%s", PQgetvalue(res, t, 5));
}

int store_rollup_verify(struct store *s, struct store_difference **diffs, size_t *n,
			long long *nrows, bool *read_only, char *err, size_t errsize)
{
	PGresult *res = NULL;
	int rc = -1;

	*diffs = NULL;
	*n = 0;
	if (store_exec(s, "BEGIN", err, errsize) < 0)
		return -1;
	if ((*diffs = store_run_rows(s, &admin_stmt[S_VERIFY], NULL, sizeof **diffs,
				     store_difference_read, n, err, errsize)) == NULL)
		goto done;
	if ((res = store_run(s, &admin_stmt[S_ROLLUP_COUNT], NULL, err, errsize)) == NULL)
		goto done;
	*nrows = atoll(PQgetvalue(res, 0, 0));
	PQclear(res);
	/* rollup_verify checked one way only where it could not rebuild (a standby) */
	if ((res = store_run(s, &admin_stmt[S_READ_ONLY], NULL, err, errsize)) == NULL)
		goto done;
	*read_only = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	rc = 0;
done:
	PQclear(res);
	if (rc < 0) {
		free(*diffs);
		*diffs = NULL;
		*n = 0;
	}
	/* verify rebuilt the rollups in place: never keep that */
	store_rollback(s);
	return rc;
}

int store_rollup_rebuild(struct store *s, long long *nrows, char *err, size_t errsize)
{
	PGresult *res = store_run(s, &admin_stmt[S_REBUILD], NULL, err, errsize);
	if (!res)
		return -1;
	*nrows = atoll(PQgetvalue(res, 0, 0));
	PQclear(res);
	return 0;
}

int store_period_set_closed(struct store *s, const char *code, bool close, const char *actor,
			    const char *reason, char *err, size_t errsize)
{
	struct period p;
	const char *why;
	char d[4][16];

	if (period_parse(code, strlen(code), &p, &why) < 0) {
		snprintf(err, errsize, "period \"%s\": %s", code, why);
		return -1;
	}
	store_period_dates(&p, d);
	char canon[PERIOD_ID_MAX];
	period_format(&p, canon, sizeof canon);
	const char *prm[] = {canon, period_type_name(p.type), d[0],  d[1],  d[2],
			     d[3],  close ? "true" : "false", actor, reason};
	PGresult *res = store_run(s, &admin_stmt[S_PERIOD_SET], prm, err, errsize);
	PQclear(res);
	return res ? 0 : -1;
}

static void store_period_read(const PGresult *res, int t, void *row)
{
	struct store_period *p = row;

	snprintf(p->code, sizeof p->code, "%s", PQgetvalue(res, t, 0));
	snprintf(p->type, sizeof p->type, "%s", PQgetvalue(res, t, 1));
	snprintf(p->adm, sizeof p->adm, "%s", PQgetvalue(res, t, 2));
	snprintf(p->stat, sizeof p->stat, "%s", PQgetvalue(res, t, 3));
	snprintf(p->due, sizeof p->due, "%s", PQgetvalue(res, t, 4));
	snprintf(p->closed, sizeof p->closed, "%s", PQgetvalue(res, t, 5));
}

int store_period_list(struct store *s, struct store_period **out, size_t *n, char *err,
		      size_t errsize)
{
	*out = store_run_rows(s, &admin_stmt[S_PERIOD_LIST], NULL, sizeof **out, store_period_read,
			      n, err, errsize);
	return *out ? 0 : -1;
}
