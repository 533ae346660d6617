/*
 * store_reference: loading the reference data and enrolling collectors.
 *
 * Unit structures and crosswalks go by COPY into staging tables that the SQL
 * functions check and apply in one transaction; the catalogue goes whole as
 * JSON.
 */
#include "store_reference.h"

#include <stdio.h>
#include <stdlib.h>

#include "crosswalk.h"
#include "store_int.h"

enum {
	S_UNITS_STAGE,
	S_UNITS_IMPORT,
	S_CATALOG_LOAD,
	S_COLLECTOR_ADD,
	S_COLLECTOR_REVOKE,
	S_XWALK_STAGE,
	S_XWALK_PROBLEMS,
	S_XWALK_APPLY,
	S_N
};

static const char store_sql_copy_unit[] =
    "COPY stage_unit (line, code, name, level, parent_code, type) FROM STDIN";
static const char store_sql_copy_crosswalk[] =
    "COPY stage_crosswalk (line, old_code, old_date, new_code, new_date, weight, source)"
    " FROM STDIN";

static const struct store_stmt reference_stmt[S_N] = {
    [S_UNITS_STAGE] = {"units_stage", "SELECT chiso.units_stage()", 0},
    [S_UNITS_IMPORT] =
	{"units_import",
	 "SELECT added, changed, closed, unchanged FROM chiso.units_import($1::date)", 1},
    [S_CATALOG_LOAD] = {"catalog_load",
			"SELECT added, updated, retired FROM chiso.catalog_load($1::jsonb)", 1},
    [S_COLLECTOR_ADD] = {"collector_add", "SELECT chiso.collector_add($1, $2, $3)", 3},
    [S_COLLECTOR_REVOKE] = {"collector_revoke", "SELECT chiso.collector_revoke($1)", 1},
    [S_XWALK_STAGE] = {"xwalk_stage", "SELECT chiso.crosswalk_stage()", 0},
    [S_XWALK_PROBLEMS] = {"xwalk_problems",
			  "SELECT line, field, message FROM chiso.crosswalk_problems()", 0},
    [S_XWALK_APPLY] = {"xwalk_apply", "SELECT chiso.crosswalk_apply()", 0},
};

int store_units_import(struct store *s, const struct store_unit *units, size_t n,
		       const char *valid_from, struct store_import_counts *out, char *err,
		       size_t errsize)
{
	struct store_copybuf b = {0};
	const char *p[] = {valid_from};
	PGresult *res = NULL;
	int rc = -1;

	for (size_t i = 0; i < n; i++) {
		store_copy_int(&b, units[i].line, '\t');
		store_copy_field(&b, units[i].code, '\t');
		store_copy_field(&b, units[i].name, '\t');
		store_copy_int(&b, units[i].level, '\t');
		store_copy_field(
		    &b, units[i].parent_code && *units[i].parent_code ? units[i].parent_code : NULL,
		    '\t');
		store_copy_field(&b, units[i].type, '\n');
	}
	if (store_exec(s, "BEGIN", err, errsize) < 0)
		goto done;
	if ((res = store_run(s, &reference_stmt[S_UNITS_STAGE], NULL, err, errsize)) == NULL)
		goto fail;
	PQclear(res);
	if (store_copy(s, store_sql_copy_unit, &b, err, errsize) < 0)
		goto fail;
	if ((res = store_run(s, &reference_stmt[S_UNITS_IMPORT], p, err, errsize)) == NULL)
		goto fail;
	out->added = atoi(PQgetvalue(res, 0, 0));
	out->changed = atoi(PQgetvalue(res, 0, 1));
	out->closed = atoi(PQgetvalue(res, 0, 2));
	out->unchanged = atoi(PQgetvalue(res, 0, 3));
	PQclear(res);
	rc = store_exec(s, "COMMIT", err, errsize);
	goto done;
fail:
	store_rollback(s);
done:
	free(b.data);
	return rc;
}

static void store_problem_read(const PGresult *res, int t, void *row)
{
	struct store_problem *p = row;

	p->line = atol(PQgetvalue(res, t, 0));
	snprintf(p->field, sizeof p->field, "%s", PQgetvalue(res, t, 1));
	snprintf(p->message, sizeof p->message, "%s", PQgetvalue(res, t, 2));
}

int store_crosswalk_import(struct store *s, const struct crosswalk_row *rows, size_t n,
			   int *imported, struct store_problem **problems, size_t *nproblems,
			   char *err, size_t errsize)
{
	struct store_copybuf b = {0};
	PGresult *res = NULL;
	int rc = -1;

	*imported = 0;
	*problems = NULL;
	*nproblems = 0;
	for (size_t i = 0; i < n; i++) {
		store_copy_int(&b, rows[i].line, '\t');
		store_copy_field(&b, rows[i].old_code, '\t');
		store_copy_field(&b, rows[i].old_date, '\t');
		store_copy_field(&b, rows[i].new_code, '\t');
		store_copy_field(&b, rows[i].new_date, '\t');
		store_copy_field(&b, rows[i].weight, '\t');
		store_copy_field(&b, rows[i].source, '\n');
	}
	if (store_exec(s, "BEGIN", err, errsize) < 0)
		goto done;
	if ((res = store_run(s, &reference_stmt[S_XWALK_STAGE], NULL, err, errsize)) == NULL)
		goto fail;
	PQclear(res);
	res = NULL;
	if (store_copy(s, store_sql_copy_crosswalk, &b, err, errsize) < 0)
		goto fail;
	if ((*problems =
		 store_run_rows(s, &reference_stmt[S_XWALK_PROBLEMS], NULL, sizeof **problems,
				store_problem_read, nproblems, err, errsize)) == NULL)
		goto fail;
	if (*nproblems > 0) {
		/* nothing is imported when a line has a problem: report them all */
		rc = 0;
		goto fail;
	}
	free(*problems);
	*problems = NULL;
	if ((res = store_run(s, &reference_stmt[S_XWALK_APPLY], NULL, err, errsize)) == NULL)
		goto fail;
	*imported = atoi(PQgetvalue(res, 0, 0));
	PQclear(res);
	res = NULL;
	rc = store_exec(s, "COMMIT", err, errsize);
	goto done;
fail:
	PQclear(res);
	store_rollback(s);
done:
	free(b.data);
	return rc;
}

int store_catalog_load(struct store *s, const char *json, struct store_catalog_counts *out,
		       char *err, size_t errsize)
{
	const char *p[] = {json};
	PGresult *res = store_run(s, &reference_stmt[S_CATALOG_LOAD], p, err, errsize);

	if (!res)
		return -1;
	out->added = atoi(PQgetvalue(res, 0, 0));
	out->updated = atoi(PQgetvalue(res, 0, 1));
	out->retired = atoi(PQgetvalue(res, 0, 2));
	PQclear(res);
	return 0;
}

int store_collector_add(struct store *s, const char *name, const char *public_key,
			const char *unit_code, char *err, size_t errsize)
{
	const char *p[] = {name, public_key, unit_code};
	PGresult *res = store_run(s, &reference_stmt[S_COLLECTOR_ADD], p, err, errsize);
	PQclear(res);
	return res ? 0 : -1;
}

int store_collector_revoke(struct store *s, const char *name, char *err, size_t errsize)
{
	const char *p[] = {name};
	PGresult *res = store_run(s, &reference_stmt[S_COLLECTOR_REVOKE], p, err, errsize);
	PQclear(res);
	return res ? 0 : -1;
}
