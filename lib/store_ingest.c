/*
 * store_ingest: chisod's group commit.
 *
 * Each commit copies its batches and rows into the session's staging tables
 * (made by ingest_session(), emptied at COMMIT) and calls ingest(), which
 * answers one row per batch and one per refused or flagged row; those rows
 * become the acks.  The period of a row is resolved here to the days it
 * covers, and so are the quarter, half-year and year containing it (staged
 * once per commit in stage_parent), so that the SQL needs no parser and no
 * calendar of its own.
 */
#include "store_ingest.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "period.h"
#include "store_int.h"

enum { S_SESSION, S_INGEST, S_N };

static const char store_sql_copy_batch[] =
    "COPY stage_batch (batch_no, collector_id, epoch, seq, received_at, nrows) FROM STDIN";
static const char store_sql_copy_row[] =
    "COPY stage_row (batch_no, row_no, unit_code, indicator_code, period_code, period_type,"
    " stat_first, stat_last, adm_first, adm_last, date_text, value_text, value_sent,"
    " qualifier, ref, note, reason, message) FROM STDIN";
static const char store_sql_copy_parent[] =
    "COPY stage_parent (child_code, code, type, stat_first, stat_last, adm_first, adm_last)"
    " FROM STDIN";

static const struct store_stmt ingest_stmt[S_N] = {
    [S_SESSION] = {"session", "SELECT chiso.ingest_session()", 0},
    [S_INGEST] = {"ingest",
		  "SELECT batch_no, status, accepted, row_no, verdict, code, message"
		  " FROM chiso.ingest()",
		  0},
};

/* "2024-06-14 08:30:00.123456+00" for microseconds since the epoch. */
static void store_timestamp(int64_t us, char *buf, size_t size)
{
	time_t secs = (time_t)(us / 1000000);
	struct tm tm;
	char day[32];
	gmtime_r(&secs, &tm);
	strftime(day, sizeof day, "%Y-%m-%d %H:%M:%S", &tm);
	snprintf(buf, size, "%s.%06lld+00", day, (long long)(us % 1000000));
}

/* Stages one row; returns whether its period was resolved, into *p. */
static bool stage_row(struct store_copybuf *b, size_t bno, size_t rno, const struct batch_row *r,
		      struct period *p)
{
	const char *why;
	char d[4][16];
	bool resolved =
	    !r->reason && r->period[0] && period_parse(r->period, strlen(r->period), p, &why) == 0;

	store_copy_int(b, (long long)bno, '\t');
	store_copy_int(b, (long long)rno, '\t');
	store_copy_field(b, r->unit, '\t');
	store_copy_field(b, r->indicator, '\t');
	store_copy_field(b, r->period[0] ? r->period : NULL, '\t');
	if (resolved) {
		store_period_dates(p, d);
		store_copy_field(b, period_type_name(p->type), '\t');
		for (int i = 0; i < 4; i++)
			store_copy_field(b, d[i], '\t');
	} else {
		for (int i = 0; i < 5; i++)
			store_copy_field(b, NULL, '\t');
	}
	store_copy_field(b, r->date[0] ? r->date : NULL, '\t');
	store_copy_field(b, r->value.text[0] ? r->value.text : NULL, '\t');
	store_copy_field(b, r->value_sent[0] ? r->value_sent : NULL, '\t');
	store_copy_field(b, r->qualifier != QUAL_NONE ? batch_qualifier_name(r->qualifier) : NULL,
			 '\t');
	store_copy_field(b, r->ref[0] ? r->ref : NULL, '\t');
	store_copy_field(b, r->note[0] ? r->note : NULL, '\t');
	if (r->reason) {
		store_copy_field(b, r->reason, '\t');
		store_copy_field(b, r->message, '\n');
	} else if (!resolved) {
		store_copy_field(b, "bad_period", '\t');
		store_copy_field(b, "the period could not be resolved", '\n');
	} else {
		store_copy_field(b, NULL, '\t');
		store_copy_field(b, NULL, '\n');
	}
	return resolved;
}

/* The distinct periods of a commit that have chain parents (months, quarters,
   half-years): a commit of 10 000 rows names a handful. */
struct stage_chain {
	struct period *p;
	size_t n, cap;
};

static int stage_chain_add(struct stage_chain *c, const struct period *p)
{
	if (period_subcount(PERIOD_YEARLY, p->type) == 0 ||
	    (c->n && period_cmp(&c->p[c->n - 1], p) == 0))
		return 0; /* rows of one period mostly come together */
	if (c->n == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 16;
		struct period *np = realloc(c->p, cap * sizeof *np);
		if (!np)
			return -1;
		c->p = np;
		c->cap = cap;
	}
	c->p[c->n++] = *p;
	return 0;
}

static int stage_chain_cmp(const void *a, const void *b)
{
	return period_cmp(a, b);
}

/* Stages the chain parents of each distinct period of c, with their dates. */
static void stage_parents(struct store_copybuf *b, struct stage_chain *c)
{
	if (c->n)
		qsort(c->p, c->n, sizeof *c->p, stage_chain_cmp);
	for (size_t i = 0; i < c->n; i++) {
		struct period parents[PERIOD_PARENTS_MAX];
		char child[PERIOD_ID_MAX + 8];
		int n;

		if (i > 0 && period_cmp(&c->p[i - 1], &c->p[i]) == 0)
			continue;
		period_format(&c->p[i], child, sizeof child);
		n = period_parents(&c->p[i], parents);
		for (int k = 0; k < n; k++) {
			char id[PERIOD_ID_MAX + 8], d[4][16];
			period_format(&parents[k], id, sizeof id);
			store_period_dates(&parents[k], d);
			store_copy_field(b, child, '\t');
			store_copy_field(b, id, '\t');
			store_copy_field(b, period_type_name(parents[k].type), '\t');
			for (int j = 0; j < 4; j++)
				store_copy_field(b, d[j], j < 3 ? '\t' : '\n');
		}
	}
}

/* Reads ingest()'s answer rows into the items' acks. */
static int store_read_acks(const PGresult *res, struct store_item *items, size_t n, char *err,
			   size_t errsize)
{
	int nt = PQntuples(res);
	size_t *nrej = calloc(n, sizeof *nrej), *nflag = calloc(n, sizeof *nflag);
	int rc = -1;

	if (!nrej || !nflag) {
		snprintf(err, errsize, "out of memory");
		goto done;
	}
	for (int t = 0; t < nt; t++) { /* count first, then fill */
		size_t bno = strtoul(PQgetvalue(res, t, 0), NULL, 10);
		if (bno >= n)
			continue;
		if (!PQgetisnull(res, t, 4)) {
			if (strcmp(PQgetvalue(res, t, 4), "rejected") == 0)
				nrej[bno]++;
			else
				nflag[bno]++;
		}
	}
	for (size_t i = 0; i < n; i++) {
		struct batch_ack *a = &items[i].ack;
		memset(a, 0, sizeof *a);
		a->epoch = items[i].batch->epoch;
		a->seq = items[i].batch->seq;
		a->rejected = nrej[i] ? calloc(nrej[i], sizeof *a->rejected) : NULL;
		a->flagged = nflag[i] ? calloc(nflag[i], sizeof *a->flagged) : NULL;
		if ((nrej[i] && !a->rejected) || (nflag[i] && !a->flagged)) {
			snprintf(err, errsize, "out of memory");
			goto done;
		}
	}
	for (int t = 0; t < nt; t++) {
		size_t bno = strtoul(PQgetvalue(res, t, 0), NULL, 10);
		if (bno >= n)
			continue;
		struct batch_ack *a = &items[bno].ack;
		if (PQgetisnull(res, t, 4)) {
			const char *st = PQgetvalue(res, t, 1);
			a->status = strcmp(st, "duplicate") == 0    ? ACK_DUPLICATE
				    : strcmp(st, "key_reused") == 0 ? ACK_KEY_REUSED
								    : ACK_COMMITTED;
			a->accepted = strtoull(PQgetvalue(res, t, 2), NULL, 10);
			items[bno].done = true;
			continue;
		}
		bool rejected = strcmp(PQgetvalue(res, t, 4), "rejected") == 0;
		struct batch_verdict *v =
		    rejected ? &a->rejected[a->nrejected++] : &a->flagged[a->nflagged++];
		v->row = (uint32_t)strtoul(PQgetvalue(res, t, 3), NULL, 10);
		snprintf(v->code, sizeof v->code, "%s", PQgetvalue(res, t, 5));
		snprintf(v->message, sizeof v->message, "%s", PQgetvalue(res, t, 6));
	}
	for (size_t i = 0; i < n; i++)
		batch_ack_sort(&items[i].ack);
	rc = 0;
done:
	free(nrej);
	free(nflag);
	return rc;
}

/*
 * Stages the items' batches (one line each, numbered by their index) and their
 * rows for COPY, collecting the rows' periods that have chain parents in c.
 * 0, or -1 when out of memory.
 */
static int stage_items(const struct store_item *items, size_t n, struct store_copybuf *batches,
		       struct store_copybuf *rows, struct stage_chain *c)
{
	for (size_t i = 0; i < n; i++) {
		const struct batch *b = items[i].batch;
		char ts[64];
		store_timestamp(items[i].received_us, ts, sizeof ts);
		store_copy_int(batches, (long long)i, '\t');
		store_copy_int(batches, items[i].collector_id, '\t');
		store_copy_int(batches, (long long)b->epoch, '\t');
		store_copy_int(batches, (long long)b->seq, '\t');
		store_copy_field(batches, ts, '\t');
		store_copy_int(batches, (long long)b->nrows, '\n');
		for (size_t r = 0; r < b->nrows; r++) {
			struct period p;
			if (stage_row(rows, i, r, &b->rows[r], &p) && stage_chain_add(c, &p) < 0)
				return -1;
		}
	}
	return 0;
}

/* The session's staging and working tables (ingest_session()), once per connection; 0 or -1. */
static int store_ingest_session(struct store *s, char *err, size_t errsize)
{
	PGresult *res;

	if (s->session)
		return 0;
	if ((res = store_run(s, &ingest_stmt[S_SESSION], NULL, err, errsize)) == NULL)
		return -1;
	PQclear(res);
	s->session = true;
	return 0;
}

/* After a failed commit: what failed, the transaction rolled back (in_tx: one is open). */
static enum store_failure store_ingest_failed(struct store *s, bool in_tx)
{
	/* Classified before the ROLLBACK, whose own failure would replace the SQLSTATE. */
	enum store_failure why =
	    !store_ok(s) ? STORE_FAIL_CONNECTION : store_failure_of(s->sqlstate);

	if (in_tx && store_ok(s))
		store_rollback(s);
	/* The staging tables hold the rolled-back rows as dead rows: drop them after a failure
	   that may repeat commit after commit (store.h).  Not after a refused statement: the
	   writer then commits halves, and the next commit that succeeds empties them. */
	if ((why == STORE_FAIL_TIMEOUT || why == STORE_FAIL_TRANSIENT) && s->session &&
	    store_ok(s) && store_exec(s, "DISCARD TEMP", (char[8]){0}, 8) == 0)
		s->session = false;
	return why;
}

int store_ingest(struct store *s, struct store_item *items, size_t n, enum store_failure *why,
		 char *err, size_t errsize)
{
	struct store_copybuf batches = {0}, rows = {0}, parents = {0};
	struct stage_chain chain = {0};
	PGresult *res = NULL;
	bool in_tx = false;
	int rc = -1;

	*why = STORE_FAIL_NONE;
	if (!store_ok(s)) {
		snprintf(err, errsize, "no database connection");
		goto fail;
	}
	s->sqlstate[0] = '\0';
	if (store_ingest_session(s, err, errsize) < 0)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		memset(&items[i].ack, 0, sizeof items[i].ack);
		items[i].done = false;
	}
	if (stage_items(items, n, &batches, &rows, &chain) < 0) {
		snprintf(err, errsize, "out of memory");
		goto fail;
	}
	stage_parents(&parents, &chain);
	if (store_exec(s, "BEGIN", err, errsize) < 0)
		goto fail;
	in_tx = true;
	if (store_copy(s, store_sql_copy_batch, &batches, err, errsize) < 0 ||
	    store_copy(s, store_sql_copy_row, &rows, err, errsize) < 0 ||
	    (parents.len && store_copy(s, store_sql_copy_parent, &parents, err, errsize) < 0))
		goto fail;
	if ((res = store_run(s, &ingest_stmt[S_INGEST], NULL, err, errsize)) == NULL)
		goto fail;
	if (store_read_acks(res, items, n, err, errsize) < 0)
		goto fail;
	PQclear(res);
	res = NULL;
	store_warning_reset(s);
	if (store_exec(s, "COMMIT", err, errsize) < 0) {
		in_tx = false;
		goto fail;
	}
	if (s->warning[0]) {
		/* Committed here, but the server stopped waiting for the synchronous standby
		   (a cancel, the statement timeout): not acknowledged, since this node may be
		   lost before the standby has it.  The agent sends the batches again; a later
		   commit that writes (every one does: the staging tables take an xid) waits for
		   the standby past this one, and the batch keys answer them as duplicates. */
		snprintf(err, errsize, "COMMIT not confirmed by the synchronous standby: %s",
			 s->warning);
		*why = STORE_FAIL_UNCONFIRMED;
		in_tx = false;
		goto unconfirmed;
	}
	rc = 0;
	goto done;
fail:
	PQclear(res);
	*why = store_ingest_failed(s, in_tx);
unconfirmed:
	for (size_t i = 0; i < n; i++) {
		batch_ack_clear(&items[i].ack);
		items[i].done = false;
	}
done:
	free(batches.data);
	free(rows.data);
	free(parents.data);
	free(chain.p);
	return rc;
}
