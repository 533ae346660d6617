/*
 * store_catalog: the catalogue and the collectors as chisod reads them, and
 * the status record each daemon keeps of its counters.
 */
#include "store_catalog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

enum { S_CATALOG, S_COLLECTORS, S_STATUS_WRITE, S_STATUS_READ, S_N };

static const struct store_stmt catalog_stmt[S_N] = {
    [S_CATALOG] = {"catalog", "SELECT version, doc FROM chiso.catalog_current()", 0},
    [S_COLLECTORS] = {"collectors",
		      "SELECT id, name, public_key, unit_code, unit_name, revoked, created,"
		      " last_batch, batches, unit_until, unit_tier"
		      " FROM chiso.collector_list($1::boolean)",
		      1},
    [S_STATUS_WRITE] = {"status_write",
			"INSERT INTO chiso.daemon_status (name, doc, updated_at)"
			" VALUES ($1, $2::jsonb, now()) ON CONFLICT (name) DO UPDATE"
			" SET doc = EXCLUDED.doc, updated_at = now()",
			2},
    [S_STATUS_READ] = {"status_read",
		       "SELECT doc::text, extract(epoch FROM now() - updated_at)::float8"
		       " FROM chiso.daemon_status WHERE name = $1",
		       1},
};

int store_catalog_current(struct store *s, char **doc, char *err, size_t errsize)
{
	PGresult *res = store_run(s, &catalog_stmt[S_CATALOG], NULL, err, errsize);
	int rc = -1;

	*doc = NULL;
	if (!res)
		return -1;
	if (PQntuples(res) != 1) {
		snprintf(err, errsize, "no catalogue loaded: run `chisoctl catalog load`");
	} else if ((*doc = strdup(PQgetvalue(res, 0, 1))) == NULL) {
		snprintf(err, errsize, "out of memory");
	} else {
		rc = 0;
	}
	PQclear(res);
	return rc;
}

static void store_collector_read(const PGresult *res, int t, void *row)
{
	struct store_collector *c = row;

	c->id = atoi(PQgetvalue(res, t, 0));
	snprintf(c->name, sizeof c->name, "%s", PQgetvalue(res, t, 1));
	snprintf(c->public_key, sizeof c->public_key, "%s", PQgetvalue(res, t, 2));
	snprintf(c->unit_code, sizeof c->unit_code, "%s", PQgetvalue(res, t, 3));
	snprintf(c->unit_name, sizeof c->unit_name, "%s", PQgetvalue(res, t, 4));
	c->revoked = PQgetvalue(res, t, 5)[0] == 't';
	snprintf(c->created, sizeof c->created, "%s", PQgetvalue(res, t, 6));
	snprintf(c->last_batch, sizeof c->last_batch, "%s", PQgetvalue(res, t, 7));
	c->batches = atoll(PQgetvalue(res, t, 8));
	snprintf(c->unit_until, sizeof c->unit_until, "%s", PQgetvalue(res, t, 9));
	snprintf(c->unit_tier, sizeof c->unit_tier, "%s", PQgetvalue(res, t, 10));
}

int store_collectors(struct store *s, bool stats, struct store_collector **out, size_t *n,
		     char *err, size_t errsize)
{
	const char *p[] = {stats ? "true" : "false"};

	*out = store_run_rows(s, &catalog_stmt[S_COLLECTORS], p, sizeof **out, store_collector_read,
			      n, err, errsize);
	return *out ? 0 : -1;
}

int store_status_write(struct store *s, const char *name, const char *json, char *err,
		       size_t errsize)
{
	const char *p[] = {name, json};
	PGresult *res = store_run(s, &catalog_stmt[S_STATUS_WRITE], p, err, errsize);
	PQclear(res);
	return res ? 0 : -1;
}

int store_status_read(struct store *s, const char *name, char **json, double *age_s, char *err,
		      size_t errsize)
{
	const char *p[] = {name};
	PGresult *res = store_run(s, &catalog_stmt[S_STATUS_READ], p, err, errsize);
	int rc = -1;

	*json = NULL;
	if (!res)
		return -1;
	if (PQntuples(res) != 1)
		snprintf(err, errsize, "daemon %s has not recorded its status yet", name);
	else if ((*json = strdup(PQgetvalue(res, 0, 0))) == NULL)
		snprintf(err, errsize, "out of memory");
	else {
		*age_s = strtod(PQgetvalue(res, 0, 1), NULL);
		rc = 0;
	}
	PQclear(res);
	return rc;
}
