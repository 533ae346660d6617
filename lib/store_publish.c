/*
 * store_publish: freezing the live report as a publication (report_publish()
 * does it in one statement) and listing the publications.
 */
#include "store_publish.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

enum { S_PUB_BY_ID, S_PUB_LIST, S_PUBLISH, S_N };

static const struct store_stmt publish_stmt[S_N] = {
    [S_PUB_BY_ID] = {"pub_by_id",
		     "SELECT " STORE_PUB_COLS " FROM chiso.v_publication WHERE id = $1::int", 1},
    [S_PUB_LIST] =
	{"pub_list",
	 "SELECT " STORE_PUB_COLS " FROM chiso.v_publication"
	 " WHERE ($1::text IS NULL OR period = $1) AND ($2::text IS NULL OR unit_code = $2)"
	 " ORDER BY period, unit_code, version",
	 2},
    [S_PUBLISH] = {"publish",
		   "SELECT id, version, nrows, nunits, content_hash"
		   " FROM chiso.report_publish($1, $2, $3, $4, $5)",
		   5},
};

void store_publication_read(const PGresult *res, int t, struct store_publication *p)
{
	memset(p, 0, sizeof *p);
	p->id = atoi(PQgetvalue(res, t, 0));
	snprintf(p->period, sizeof p->period, "%s", PQgetvalue(res, t, 1));
	snprintf(p->unit_code, sizeof p->unit_code, "%s", PQgetvalue(res, t, 2));
	snprintf(p->unit_name, sizeof p->unit_name, "%s", PQgetvalue(res, t, 3));
	p->version = atoi(PQgetvalue(res, t, 4));
	snprintf(p->prev_period, sizeof p->prev_period, "%s", PQgetvalue(res, t, 5));
	snprintf(p->note, sizeof p->note, "%s", PQgetvalue(res, t, 6));
	snprintf(p->actor, sizeof p->actor, "%s", PQgetvalue(res, t, 7));
	snprintf(p->role, sizeof p->role, "%s", PQgetvalue(res, t, 8));
	snprintf(p->published_at, sizeof p->published_at, "%s", PQgetvalue(res, t, 9));
	p->nrows = atoi(PQgetvalue(res, t, 10));
	p->nunits = atoi(PQgetvalue(res, t, 11));
	snprintf(p->content_hash, sizeof p->content_hash, "%s", PQgetvalue(res, t, 12));
	p->content_ok = PQgetvalue(res, t, 13)[0] == 't';
	p->latest = PQgetvalue(res, t, 14)[0] == 't';
}

int store_report_publish(struct store *s, const char *period, const char *unit_code,
			 const char *actor, const char *note, struct store_publication *out,
			 char *err, size_t errsize)
{
	char prev[PERIOD_ID_MAX];
	/* the period compared against is computed here, by the one parser of period codes */
	const char *p[] = {period, unit_code, actor, note ? note : "",
			   period_previous_id(period, prev, sizeof prev)};
	PGresult *res = store_run(s, &publish_stmt[S_PUBLISH], p, err, errsize);
	char id[16];
	const char *q[] = {id};

	if (!res)
		return -1;
	/* Committed now: what the publish itself returned survives a failed read-back. */
	memset(out, 0, sizeof *out);
	out->id = atoi(PQgetvalue(res, 0, 0));
	out->version = atoi(PQgetvalue(res, 0, 1));
	out->nrows = atoi(PQgetvalue(res, 0, 2));
	out->nunits = atoi(PQgetvalue(res, 0, 3));
	snprintf(out->content_hash, sizeof out->content_hash, "%s", PQgetvalue(res, 0, 4));
	snprintf(out->period, sizeof out->period, "%s", period);
	snprintf(out->unit_code, sizeof out->unit_code, "%s", unit_code);
	snprintf(id, sizeof id, "%d", out->id);
	PQclear(res);
	if ((res = store_run(s, &publish_stmt[S_PUB_BY_ID], q, err, errsize)) == NULL)
		return 1;
	if (PQntuples(res) != 1) {
		snprintf(err, errsize, "publication %s vanished", id);
		PQclear(res);
		return 1;
	}
	store_publication_read(res, 0, out);
	PQclear(res);
	return 0;
}

/* store_publication_read as a store_row_fn. */
static void store_publication_row(const PGresult *res, int t, void *row)
{
	store_publication_read(res, t, row);
}

int store_publications(struct store *s, const char *period, const char *unit_code,
		       struct store_publication **out, size_t *n, char *err, size_t errsize)
{
	const char *p[] = {period, unit_code};

	*out = store_run_rows(s, &publish_stmt[S_PUB_LIST], p, sizeof **out, store_publication_row,
			      n, err, errsize);
	return *out ? 0 : -1;
}
