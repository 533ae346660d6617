/*
 * store_report: reports for people, read whole.
 *
 * A live report is read from one snapshot (rows, units and pillars agree); a
 * published one from its frozen rows, after checking it against its seal, so
 * that it is printed exactly as it was frozen or not at all.
 */
#include "store_report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

enum {
	S_REPORT_ROWS,
	S_REPORT_UNITS,
	S_REPORT_ROWS_ON,
	S_REPORT_UNITS_ON,
	S_REPORT_UNMAPPED,
	S_REPORT_PILLARS,
	S_PUB_FIND,
	S_PUB_ROWS,
	S_PUB_UNITS,
	S_PUB_PILLARS,
	S_PUB_VERIFY,
	S_CHANGES,
	S_N
};

/* The columns of a report row, live (report_rows()) or frozen (v_publication_row): one list so
 * that both read into store_report_row alike (store_report_row_read). */
#define STORE_REPORT_COLS                                                                          \
	"unit_code, unit_name, level, tier, depth, indicator_code, indicator_name, pillar,"        \
	" pillar_name, kind, measure, decimals, period, value, numerator, denominator,"            \
	" coalesce(qualifier, ''), reporting_units, expected_units, on_time_units,"                \
	" coalesce(periods_reported, 0), coalesce(periods_expected, 0), native_period_type,"       \
	" indicator_name_en, pillar_name_en, pillar_ord, indicator_ord,"                           \
	" coalesce(prev_period, ''), prev_value, prev_numerator, prev_denominator,"                \
	" coalesce(prev_qualifier, ''), coalesce(prev_reporting_units, 0)"
#define STORE_UNIT_COLS                                                                            \
	"unit_code, unit_name, level, tier, depth, group_code, group_name, expected, reported,"    \
	" on_time"

static const struct store_stmt report_stmt[S_N] = {
    [S_REPORT_ROWS] = {"report_rows",
		       "SELECT " STORE_REPORT_COLS " FROM chiso.report_rows($1, $2, $3)", 3},
    [S_REPORT_UNITS] = {"report_units",
			"SELECT " STORE_UNIT_COLS " FROM chiso.report_units($1, $2)", 2},
    [S_REPORT_ROWS_ON] = {"report_rows_on",
			  "SELECT " STORE_REPORT_COLS
			  " FROM chiso.report_rows_on($1, $2, $3::date)",
			  3},
    [S_REPORT_UNITS_ON] = {"report_units_on",
			   "SELECT " STORE_UNIT_COLS
			   " FROM chiso.report_units_on($1, $2, $3::date)",
			   3},
    [S_REPORT_UNMAPPED] =
	{"report_unmapped",
	 "SELECT count(*), coalesce(string_agg(unit_code || ' ' || unit_name, ', '"
	 " ORDER BY unit_code), '') FROM chiso.report_unmapped($1, $2, $3::date)",
	 3},
    [S_REPORT_PILLARS] = {"report_pillars",
			  "SELECT pillar, pillar_name, pillar_name_en, pillar_ord"
			  " FROM chiso.report_pillars()",
			  0},
    [S_PUB_FIND] = {"pub_find",
		    "SELECT " STORE_PUB_COLS " FROM chiso.v_publication"
		    " WHERE period = $1 AND unit_code = $2"
		    " AND CASE WHEN $3::int = 0 THEN latest ELSE version = $3::int END",
		    3},
    [S_PUB_ROWS] = {"pub_rows",
		    "SELECT " STORE_REPORT_COLS " FROM chiso.v_publication_row"
		    " WHERE publication_id = $1::int ORDER BY ord",
		    1},
    [S_PUB_UNITS] = {"pub_units",
		     "SELECT " STORE_UNIT_COLS " FROM chiso.v_publication_unit"
		     " WHERE publication_id = $1::int ORDER BY ord",
		     1},
    [S_PUB_PILLARS] =
	{"pub_pillars",
	 "SELECT pillar, pillar_name, pillar_name_en, ord FROM chiso.v_publication_pillar"
	 " WHERE publication_id = $1::int ORDER BY ord",
	 1},
    [S_PUB_VERIFY] = {"pub_verify", "SELECT label, change FROM chiso.publication_verify($1::int)",
		      1},
    [S_CHANGES] = {"changes",
		   "SELECT unit_code, unit_name, level, indicator_code, indicator_name,"
		   " indicator_name_en, kind, decimals, published_value, published_numerator,"
		   " published_denominator, coalesce(published_qualifier, ''), current_value,"
		   " current_numerator, current_denominator, coalesce(current_qualifier, '')"
		   " FROM chiso.report_changes($1, $2, $3::int)",
		   3},
};

/* Reads row t of a report statement (STORE_REPORT_COLS) into r. */
static void store_report_row_read(const PGresult *res, int t, void *row)
{
	struct store_report_row *r = row;

	snprintf(r->unit_code, sizeof r->unit_code, "%s", PQgetvalue(res, t, 0));
	snprintf(r->unit_name, sizeof r->unit_name, "%s", PQgetvalue(res, t, 1));
	r->level = atoi(PQgetvalue(res, t, 2));
	snprintf(r->tier, sizeof r->tier, "%s", PQgetvalue(res, t, 3));
	r->depth = atoi(PQgetvalue(res, t, 4));
	snprintf(r->indicator_code, sizeof r->indicator_code, "%s", PQgetvalue(res, t, 5));
	snprintf(r->indicator_name, sizeof r->indicator_name, "%s", PQgetvalue(res, t, 6));
	snprintf(r->pillar, sizeof r->pillar, "%s", PQgetvalue(res, t, 7));
	snprintf(r->pillar_name, sizeof r->pillar_name, "%s", PQgetvalue(res, t, 8));
	snprintf(r->kind, sizeof r->kind, "%s", PQgetvalue(res, t, 9));
	snprintf(r->measure, sizeof r->measure, "%s", PQgetvalue(res, t, 10));
	r->decimals = atoi(PQgetvalue(res, t, 11));
	snprintf(r->period, sizeof r->period, "%s", PQgetvalue(res, t, 12));
	r->has_value = !PQgetisnull(res, t, 13);
	r->value = r->has_value ? strtod(PQgetvalue(res, t, 13), NULL) : 0;
	r->has_ratio = !PQgetisnull(res, t, 14) && !PQgetisnull(res, t, 15);
	r->numerator = r->has_ratio ? strtod(PQgetvalue(res, t, 14), NULL) : 0;
	r->denominator = r->has_ratio ? strtod(PQgetvalue(res, t, 15), NULL) : 0;
	snprintf(r->qualifier, sizeof r->qualifier, "%s", PQgetvalue(res, t, 16));
	r->reporting_units = atoi(PQgetvalue(res, t, 17));
	r->expected_units = atoi(PQgetvalue(res, t, 18));
	r->on_time_units = atoi(PQgetvalue(res, t, 19));
	r->periods_reported = atoi(PQgetvalue(res, t, 20));
	r->periods_expected = atoi(PQgetvalue(res, t, 21));
	snprintf(r->native_period, sizeof r->native_period, "%s", PQgetvalue(res, t, 22));
	snprintf(r->indicator_name_en, sizeof r->indicator_name_en, "%s", PQgetvalue(res, t, 23));
	snprintf(r->pillar_name_en, sizeof r->pillar_name_en, "%s", PQgetvalue(res, t, 24));
	r->pillar_ord = atoi(PQgetvalue(res, t, 25));
	r->indicator_ord = atoi(PQgetvalue(res, t, 26));
	snprintf(r->prev_period, sizeof r->prev_period, "%s", PQgetvalue(res, t, 27));
	r->has_prev = !PQgetisnull(res, t, 28);
	r->prev_value = r->has_prev ? strtod(PQgetvalue(res, t, 28), NULL) : 0;
	r->prev_has_ratio = !PQgetisnull(res, t, 29) && !PQgetisnull(res, t, 30);
	r->prev_numerator = r->prev_has_ratio ? strtod(PQgetvalue(res, t, 29), NULL) : 0;
	r->prev_denominator = r->prev_has_ratio ? strtod(PQgetvalue(res, t, 30), NULL) : 0;
	snprintf(r->prev_qualifier, sizeof r->prev_qualifier, "%s", PQgetvalue(res, t, 31));
	r->prev_reporting_units = atoi(PQgetvalue(res, t, 32));
}

static void store_report_unit_read(const PGresult *res, int t, void *row)
{
	struct store_report_unit *u = row;

	snprintf(u->unit_code, sizeof u->unit_code, "%s", PQgetvalue(res, t, 0));
	snprintf(u->unit_name, sizeof u->unit_name, "%s", PQgetvalue(res, t, 1));
	u->level = atoi(PQgetvalue(res, t, 2));
	snprintf(u->tier, sizeof u->tier, "%s", PQgetvalue(res, t, 3));
	u->depth = atoi(PQgetvalue(res, t, 4));
	snprintf(u->group_code, sizeof u->group_code, "%s", PQgetvalue(res, t, 5));
	snprintf(u->group_name, sizeof u->group_name, "%s", PQgetvalue(res, t, 6));
	u->expected = PQgetvalue(res, t, 7)[0] == 't';
	u->reported = PQgetvalue(res, t, 8)[0] == 't';
	u->on_time = PQgetvalue(res, t, 9)[0] == 't';
}

static void store_report_pillar_read(const PGresult *res, int t, void *row)
{
	struct store_report_pillar *p = row;

	snprintf(p->code, sizeof p->code, "%s", PQgetvalue(res, t, 0));
	snprintf(p->name, sizeof p->name, "%s", PQgetvalue(res, t, 1));
	snprintf(p->name_en, sizeof p->name_en, "%s", PQgetvalue(res, t, 2));
	p->ord = atoi(PQgetvalue(res, t, 3));
}

void store_report_set_destroy(struct store_report_set **sp)
{
	if (!sp || !*sp)
		return;
	free((*sp)->rows);
	free((*sp)->units);
	free((*sp)->pillars);
	free(*sp);
	*sp = NULL;
}

/* Reads a report's rows and units (both with params) and its pillars (with pillar_params)
 * into set: the live report and a publication are read alike.  0, or -1 with err. */
static int store_report_set_fill(struct store *s, struct store_report_set *set,
				 const struct store_stmt *rows, const struct store_stmt *units,
				 const char *const *params, const struct store_stmt *pillars,
				 const char *const *pillar_params, char *err, size_t errsize)
{
	if ((set->rows = store_run_rows(s, rows, params, sizeof *set->rows, store_report_row_read,
					&set->nrows, err, errsize)) == NULL ||
	    (set->units = store_run_rows(s, units, params, sizeof *set->units,
					 store_report_unit_read, &set->nunits, err, errsize)) ==
		NULL ||
	    (set->pillars =
		 store_run_rows(s, pillars, pillar_params, sizeof *set->pillars,
				store_report_pillar_read, &set->npillars, err, errsize)) == NULL)
		return -1;
	return 0;
}

/* The live report, on the period's own structure (on_day NULL) or re-expressed on the
 * structure valid on on_day ("YYYY-MM-DD"). */
static int store_report_read(struct store *s, const char *period, const char *unit_code,
			     const char *on_day, struct store_report_set **out, char *err,
			     size_t errsize)
{
	char prev[PERIOD_ID_MAX];
	/* The live report compares with the previous period (report_rows' p_prev), computed
	 * here by the one parser of period codes; a report re-expressed on another structure
	 * takes that structure's day instead. */
	const char *live[] = {period, unit_code, period_previous_id(period, prev, sizeof prev)};
	const char *on[] = {period, unit_code, on_day};
	const char *const *p = on_day ? on : live;
	struct store_report_set *set = calloc(1, sizeof *set);

	*out = NULL;
	if (!set) {
		snprintf(err, errsize, "out of memory");
		return -1;
	}
	/* Rows and units from one snapshot of the database, so that the counts agree. */
	if (store_exec(s, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", err, errsize) < 0)
		goto fail;
	if (store_report_set_fill(
		s, set, on_day ? &report_stmt[S_REPORT_ROWS_ON] : &report_stmt[S_REPORT_ROWS],
		on_day ? &report_stmt[S_REPORT_UNITS_ON] : &report_stmt[S_REPORT_UNITS], p,
		&report_stmt[S_REPORT_PILLARS], NULL, err, errsize) < 0)
		goto rollback;
	if (on_day) {
		PGresult *res = store_run(s, &report_stmt[S_REPORT_UNMAPPED], p, err, errsize);
		if (!res)
			goto rollback;
		snprintf(set->on_structure, sizeof set->on_structure, "%s", on_day);
		set->nunmapped = atoi(PQgetvalue(res, 0, 0));
		snprintf(set->unmapped, sizeof set->unmapped, "%s", PQgetvalue(res, 0, 1));
		PQclear(res);
	}
	if (store_exec(s, "COMMIT", err, errsize) < 0)
		goto fail;
	*out = set;
	return 0;
rollback:
	store_rollback(s);
fail:
	store_report_set_destroy(&set);
	return -1;
}

int store_report_live(struct store *s, const char *period, const char *unit_code,
		      struct store_report_set **out, char *err, size_t errsize)
{
	return store_report_read(s, period, unit_code, NULL, out, err, errsize);
}

int store_report_on_structure(struct store *s, const char *period, const char *unit_code,
			      const char *day, struct store_report_set **out, char *err,
			      size_t errsize)
{
	return store_report_read(s, period, unit_code, day, out, err, errsize);
}

/* The first differences listed in a refusal; the rest are counted. */
#define STORE_SEAL_NAMED 8

/*
 * -1 with err naming the publication and what no longer matches its seal (publication_verify):
 * a publication is printed exactly as it was frozen or not at all.  0 when it is intact.
 */
static int store_publication_check(struct store *s, const struct store_publication *pub, char *err,
				   size_t errsize)
{
	char id[16];
	const char *p[] = {id};
	PGresult *res;
	size_t len;
	int n;

	/* content_ok is "publication_verify finds nothing": ask for the details only when not. */
	if (pub->content_ok)
		return 0;
	snprintf(id, sizeof id, "%d", pub->id);
	if ((res = store_run(s, &report_stmt[S_PUB_VERIFY], p, err, errsize)) == NULL)
		return -1;
	n = PQntuples(res);
	len = (size_t)snprintf(
	    err, errsize,
	    "version %d of the report for unit %s in period %s (published %s UTC+7) "
	    "does not match its seal, refusing to print it: %d difference(s): ",
	    pub->version, pub->unit_code, pub->period, pub->published_at, n);
	for (int t = 0; t < n && t < STORE_SEAL_NAMED && len < errsize; t++)
		len += (size_t)snprintf(err + len, errsize - len, "%s%s %s", t ? "; " : "",
					PQgetvalue(res, t, 0), PQgetvalue(res, t, 1));
	if (n > STORE_SEAL_NAMED && len < errsize)
		snprintf(err + len, errsize - len, "; and %d more", n - STORE_SEAL_NAMED);
	if (n == 0) /* changed back between the two statements: refuse all the same */
		snprintf(err, errsize,
			 "version %d of the report for unit %s in period %s changed "
			 "while it was read",
			 pub->version, pub->unit_code, pub->period);
	PQclear(res);
	return -1;
}

/* The publication of (period, unit_code, version; 0 for the latest), verified against its seal;
 * 1 if found and intact, 0 with err if there is none, -1 with err. */
static int store_publication_find(struct store *s, const char *period, const char *unit_code,
				  int version, struct store_publication *pub, char *err,
				  size_t errsize)
{
	char vers[16];
	const char *p[] = {period, unit_code, vers};
	PGresult *res;
	int found;

	snprintf(vers, sizeof vers, "%d", version);
	if ((res = store_run(s, &report_stmt[S_PUB_FIND], p, err, errsize)) == NULL)
		return -1;
	found = PQntuples(res) == 1;
	if (found) {
		store_publication_read(res, 0, pub);
		PQclear(res);
		return store_publication_check(s, pub, err, errsize) < 0 ? -1 : 1;
	}
	if (version)
		snprintf(err, errsize,
			 "no version %d of the report for unit %s in period %s "
			 "was published",
			 version, unit_code, period);
	else
		snprintf(err, errsize, "the report for unit %s in period %s was never published",
			 unit_code, period);
	PQclear(res);
	return 0;
}

int store_report_published(struct store *s, const char *period, const char *unit_code, int version,
			   struct store_report_set **out, char *err, size_t errsize)
{
	struct store_report_set *set = calloc(1, sizeof *set);
	char id[16];
	const char *p[] = {id};

	*out = NULL;
	if (!set) {
		snprintf(err, errsize, "out of memory");
		return -1;
	}
	/* A publication never changes once written: no transaction is needed to read it whole. */
	if (store_publication_find(s, period, unit_code, version, &set->pub, err, errsize) != 1)
		goto fail;
	set->published = true;
	snprintf(id, sizeof id, "%d", set->pub.id);
	if (store_report_set_fill(s, set, &report_stmt[S_PUB_ROWS], &report_stmt[S_PUB_UNITS], p,
				  &report_stmt[S_PUB_PILLARS], p, err, errsize) < 0)
		goto fail;
	*out = set;
	return 0;
fail:
	store_report_set_destroy(&set);
	return -1;
}

/* One side of a change: value, and numerator and denominator when both are known. */
static void store_change_side(const PGresult *res, int t, int col, struct store_change_side *c)
{
	c->has_value = !PQgetisnull(res, t, col);
	c->value = c->has_value ? strtod(PQgetvalue(res, t, col), NULL) : 0;
	c->has_ratio = !PQgetisnull(res, t, col + 1) && !PQgetisnull(res, t, col + 2);
	c->numerator = c->has_ratio ? strtod(PQgetvalue(res, t, col + 1), NULL) : 0;
	c->denominator = c->has_ratio ? strtod(PQgetvalue(res, t, col + 2), NULL) : 0;
	snprintf(c->qualifier, sizeof c->qualifier, "%s", PQgetvalue(res, t, col + 3));
}

static void store_change_read(const PGresult *res, int t, void *row)
{
	struct store_change *c = row;

	snprintf(c->unit_code, sizeof c->unit_code, "%s", PQgetvalue(res, t, 0));
	snprintf(c->unit_name, sizeof c->unit_name, "%s", PQgetvalue(res, t, 1));
	c->level = atoi(PQgetvalue(res, t, 2));
	snprintf(c->indicator_code, sizeof c->indicator_code, "%s", PQgetvalue(res, t, 3));
	snprintf(c->indicator_name, sizeof c->indicator_name, "%s", PQgetvalue(res, t, 4));
	snprintf(c->indicator_name_en, sizeof c->indicator_name_en, "%s", PQgetvalue(res, t, 5));
	snprintf(c->kind, sizeof c->kind, "%s", PQgetvalue(res, t, 6));
	c->decimals = atoi(PQgetvalue(res, t, 7));
	store_change_side(res, t, 8, &c->published);
	store_change_side(res, t, 12, &c->current);
}

int store_report_changes(struct store *s, const char *period, const char *unit_code, int version,
			 struct store_publication *pub, struct store_change **out, size_t *n,
			 char *err, size_t errsize)
{
	char vers[16];
	const char *p[] = {period, unit_code, vers};

	*out = NULL;
	*n = 0;
	if (store_publication_find(s, period, unit_code, version, pub, err, errsize) != 1)
		return -1;
	snprintf(vers, sizeof vers, "%d", pub->version);
	*out = store_run_rows(s, &report_stmt[S_CHANGES], p, sizeof **out, store_change_read, n,
			      err, errsize);
	return *out ? 0 : -1;
}
