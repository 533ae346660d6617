/*
 * store: every statement chiso sends to PostgreSQL, and libpq kept inside.
 *
 * The statements are one table, each prepared on first use per connection.
 * They call the functions of sql/ or read views and tables directly; values are
 * parameters, bulk rows go through COPY.  The few statements that cannot be
 * prepared (several commands in one string, COPY, transaction control) are
 * constants sent with PQexec.
 */
#include "store.h"

#include <dirent.h>
#include <errno.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "crosswalk.h"
#include "period.h"

enum stmt_id {
	S_SEARCH_PATH,
	S_TIMEOUT,
	S_SESSION,
	S_INGEST,
	S_CATALOG,
	S_COLLECTORS,
	S_STATUS_WRITE,
	S_STATUS_READ,
	S_MIGRATION_SAME,
	S_MIGRATION_RECORD,
	S_REPEATABLE_SAME,
	S_REPEATABLE_COUNT,
	S_REPEATABLE_RECORD,
	S_UNITS_STAGE,
	S_UNITS_IMPORT,
	S_CATALOG_LOAD,
	S_COLLECTOR_ADD,
	S_COLLECTOR_REVOKE,
	S_REPORT,
	S_VERIFY,
	S_ROLLUP_COUNT,
	S_REBUILD,
	S_DEADLINES,
	S_AUTOCLOSE,
	S_PERIOD_SET,
	S_PERIOD_LIST,
	S_REPORT_ROWS,
	S_REPORT_UNITS,
	S_PUB_FIND,
	S_PUB_BY_ID,
	S_PUB_ROWS,
	S_PUB_UNITS,
	S_PUB_LIST,
	S_PUBLISH,
	S_CHANGES,
	S_REPORT_PILLARS,
	S_PUB_PILLARS,
	S_PUB_VERIFY,
	S_XWALK_STAGE,
	S_XWALK_PROBLEMS,
	S_XWALK_APPLY,
	S_REPORT_ROWS_ON,
	S_REPORT_UNITS_ON,
	S_REPORT_UNMAPPED,
	S_NSTMT
};

_Static_assert(S_NSTMT <= 64, "struct store keeps the prepared statements in a 64-bit mask");

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
/* Publishing times are shown in Vietnam's time (UTC+7, no daylight saving), whatever the
 * server's time zone, so that a published report renders the same everywhere. */
#define STORE_PUB_COLS                                                                             \
	"id, period, unit_code, unit_name, version, coalesce(prev_period, ''), note, actor,"       \
	" published_by, to_char(published_at AT TIME ZONE 'UTC' + interval '7 hours',"             \
	" 'YYYY-MM-DD HH24:MI:SS'), nrows, nunits, content_hash, content_ok, latest"

static const struct {
	const char *name;
	const char *sql;
	int nparams;
} store_stmt[S_NSTMT] = {
    [S_SEARCH_PATH] = {"search_path", "SELECT set_config('search_path', 'chiso', false)", 0},
    [S_TIMEOUT] = {"timeout", "SELECT set_config('statement_timeout', $1, false)", 1},
    [S_SESSION] = {"session", "SELECT chiso.ingest_session()", 0},
    [S_INGEST] = {"ingest",
		  "SELECT batch_no, status, accepted, row_no, verdict, code, message"
		  " FROM chiso.ingest()",
		  0},
    [S_CATALOG] = {"catalog", "SELECT version, doc FROM chiso.catalog_current()", 0},
    [S_COLLECTORS] = {"collectors",
		      "SELECT id, name, public_key, unit_code, unit_name, revoked, created,"
		      " last_batch, batches, unit_until FROM chiso.collector_list($1::boolean)",
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
    [S_MIGRATION_SAME] = {"migration_same",
			  "SELECT checksum = md5($2) FROM chiso.schema_migration"
			  " WHERE version = $1::int",
			  2},
    [S_REPEATABLE_SAME] = {"repeatable_same",
			   "SELECT checksum = md5($2) FROM chiso.schema_repeatable WHERE name = $1",
			   2},
    [S_REPEATABLE_COUNT] = {"repeatable_count", "SELECT count(*) FROM chiso.schema_repeatable", 0},
    [S_REPEATABLE_RECORD] =
	{"repeatable_record",
	 "INSERT INTO chiso.schema_repeatable (name, checksum) VALUES ($1, md5($2))", 2},
    [S_MIGRATION_RECORD] = {"migration_record",
			    "INSERT INTO chiso.schema_migration (version, name, checksum)"
			    " VALUES ($1::int, $2, md5($3))",
			    3},
    [S_UNITS_STAGE] = {"units_stage", "SELECT chiso.units_stage()", 0},
    [S_UNITS_IMPORT] =
	{"units_import",
	 "SELECT added, changed, closed, unchanged FROM chiso.units_import($1::date)", 1},
    [S_CATALOG_LOAD] = {"catalog_load",
			"SELECT added, updated, retired FROM chiso.catalog_load($1::jsonb)", 1},
    [S_COLLECTOR_ADD] = {"collector_add", "SELECT chiso.collector_add($1, $2, $3)", 3},
    [S_COLLECTOR_REVOKE] = {"collector_revoke", "SELECT chiso.collector_revoke($1)", 1},
    [S_REPORT] = {"report",
		  "SELECT unit_code, unit_name, level, tier, depth, indicator_code, indicator_name,"
		  " pillar, pillar_name, kind, measure, decimals, period, value, numerator,"
		  " denominator, coalesce(qualifier, ''), reporting_units, expected_units,"
		  " on_time_units, coalesce(periods_reported, 0), coalesce(periods_expected, 0),"
		  " native_period_type FROM chiso.report($1, $2)",
		  2},
    [S_VERIFY] = {"verify",
		  "SELECT check_name, unit_code, indicator_code, period_code, stored, recomputed"
		  " FROM chiso.rollup_verify()",
		  0},
    [S_ROLLUP_COUNT] = {"rollup_count", "SELECT count(*) FROM chiso.rollup", 0},
    [S_REBUILD] = {"rebuild", "SELECT chiso.rollup_rebuild()", 0},
    [S_DEADLINES] = {"deadlines", "SELECT chiso.period_deadlines_set($1::int[], $2::boolean)", 2},
    [S_AUTOCLOSE] = {"autoclose", "SELECT chiso.period_autoclose()", 0},
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
    [S_REPORT_ROWS] = {"report_rows", "SELECT " STORE_REPORT_COLS " FROM chiso.report_rows($1, $2)",
		       2},
    [S_REPORT_UNITS] = {"report_units",
			"SELECT " STORE_UNIT_COLS " FROM chiso.report_units($1, $2)", 2},
    [S_PUB_FIND] = {"pub_find",
		    "SELECT " STORE_PUB_COLS " FROM chiso.v_publication"
		    " WHERE period = $1 AND unit_code = $2"
		    " AND CASE WHEN $3::int = 0 THEN latest ELSE version = $3::int END",
		    3},
    [S_PUB_BY_ID] = {"pub_by_id",
		     "SELECT " STORE_PUB_COLS " FROM chiso.v_publication WHERE id = $1::int", 1},
    [S_PUB_ROWS] = {"pub_rows",
		    "SELECT " STORE_REPORT_COLS " FROM chiso.v_publication_row"
		    " WHERE publication_id = $1::int ORDER BY ord",
		    1},
    [S_PUB_UNITS] = {"pub_units",
		     "SELECT " STORE_UNIT_COLS " FROM chiso.v_publication_unit"
		     " WHERE publication_id = $1::int ORDER BY ord",
		     1},
    [S_PUB_LIST] =
	{"pub_list",
	 "SELECT " STORE_PUB_COLS " FROM chiso.v_publication"
	 " WHERE ($1::text IS NULL OR period = $1) AND ($2::text IS NULL OR unit_code = $2)"
	 " ORDER BY period, unit_code, version",
	 2},
    [S_PUBLISH] = {"publish", "SELECT id FROM chiso.report_publish($1, $2, $3, $4)", 4},
    [S_CHANGES] = {"changes",
		   "SELECT unit_code, unit_name, level, indicator_code, indicator_name,"
		   " indicator_name_en, kind, decimals, published_value, published_numerator,"
		   " published_denominator, coalesce(published_qualifier, ''), current_value,"
		   " current_numerator, current_denominator, coalesce(current_qualifier, '')"
		   " FROM chiso.report_changes($1, $2, $3::int)",
		   3},
    [S_XWALK_STAGE] = {"xwalk_stage", "SELECT chiso.crosswalk_stage()", 0},
    [S_XWALK_PROBLEMS] = {"xwalk_problems",
			  "SELECT line, field, message FROM chiso.crosswalk_problems()", 0},
    [S_XWALK_APPLY] = {"xwalk_apply", "SELECT chiso.crosswalk_apply()", 0},
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
    [S_PUB_PILLARS] =
	{"pub_pillars",
	 "SELECT pillar, pillar_name, pillar_name_en, ord FROM chiso.v_publication_pillar"
	 " WHERE publication_id = $1::int ORDER BY ord",
	 1},
    [S_PUB_VERIFY] = {"pub_verify", "SELECT label, change FROM chiso.publication_verify($1::int)",
		      1},
};

/* Statements that cannot be prepared. */
static const char store_sql_migration_table[] =
    "CREATE SCHEMA IF NOT EXISTS chiso;"
    "CREATE TABLE IF NOT EXISTS chiso.schema_migration ("
    " version int PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,"
    " applied_at timestamptz NOT NULL DEFAULT now(),"
    " applied_by text NOT NULL DEFAULT current_user);"
    "CREATE TABLE IF NOT EXISTS chiso.schema_repeatable ("
    " name text PRIMARY KEY, checksum text NOT NULL,"
    " applied_at timestamptz NOT NULL DEFAULT now(),"
    " applied_by text NOT NULL DEFAULT current_user)";
static const char store_sql_lock[] = "SELECT pg_advisory_lock(7460)";
static const char store_sql_unlock[] = "SELECT pg_advisory_unlock(7460)";
static const char store_sql_migration_path[] = "SET LOCAL search_path = chiso";
static const char store_sql_copy_batch[] =
    "COPY stage_batch (batch_no, collector_id, epoch, seq, received_at, nrows) FROM STDIN";
static const char store_sql_copy_row[] =
    "COPY stage_row (batch_no, row_no, unit_code, indicator_code, period_code, period_type,"
    " stat_first, stat_last, adm_first, adm_last, date_text, value_text, qualifier, ref,"
    " note, reason, message) FROM STDIN";
static const char store_sql_copy_unit[] =
    "COPY stage_unit (line, code, name, level, parent_code, type) FROM STDIN";
static const char store_sql_copy_crosswalk[] =
    "COPY stage_crosswalk (line, old_code, old_date, new_code, new_date, weight, source)"
    " FROM STDIN";
static const char store_sql_listen[] =
    "LISTEN chiso_catalog; LISTEN chiso_collectors; LISTEN chiso_units";

struct store {
	PGconn *conn;
	unsigned long long prepared; /* bit i: store_stmt[i] prepared on this connection */
	bool session;		     /* ingest_session() done on this connection */
	char sqlstate[6];	     /* of the last error, "" if the server sent none */
};

/*
 * Copies the libpq error (first line) into err, with a prefix, and keeps its
 * SQLSTATE, by which store_ingest tells a slow or busy database from a refusal.
 */
static void store_error(struct store *s, const PGresult *res, const char *what, char *err,
			size_t errsize)
{
	const char *msg = res ? PQresultErrorMessage(res) : "";
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	snprintf(s->sqlstate, sizeof s->sqlstate, "%s", state ? state : "");
	if (!msg || !*msg)
		msg = PQerrorMessage(s->conn);
	snprintf(err, errsize, "%s: %.*s", what, (int)strcspn(msg, "\n"), msg);
}

/* Server notices ("relation already exists, skipping") are for debugging only. */
static void store_notice(void *arg, const char *message)
{
	(void)arg;
	log_debug("PostgreSQL: %.*s", (int)strcspn(message, "\n"), message);
}

struct store *store_open(const char *conninfo, const struct store_options *opt, char *err,
			 size_t errsize)
{
	char timeout[32];
	/* Defaults come first so that anything in conninfo overrides them. */
	const char *keys[] = {
	    "application_name", "connect_timeout",  "keepalives_idle", "keepalives_interval",
	    "keepalives_count", "tcp_user_timeout", "dbname",	       NULL};
	const char *vals[] = {
	    opt->application_name, timeout, "30", "10", "3", "30000", conninfo, NULL};
	struct store *s = calloc(1, sizeof *s);

	if (!s) {
		snprintf(err, errsize, "out of memory");
		return NULL;
	}
	snprintf(timeout, sizeof timeout, "%lld",
		 opt->connect_timeout_s > 0 ? opt->connect_timeout_s : 10);
	s->conn = PQconnectdbParams(keys, vals, 1);
	if (!s->conn || PQstatus(s->conn) != CONNECTION_OK) {
		snprintf(err, errsize, "cannot connect to PostgreSQL: %.*s",
			 s->conn ? (int)strcspn(PQerrorMessage(s->conn), "\n") : 13,
			 s->conn ? PQerrorMessage(s->conn) : "out of memory");
		goto fail;
	}
	PQsetNoticeProcessor(s->conn, store_notice, NULL);
	PGresult *res = PQexec(s->conn, store_stmt[S_SEARCH_PATH].sql);
	int ok = PQresultStatus(res) == PGRES_TUPLES_OK;
	PQclear(res);
	if (!ok) {
		store_error(s, NULL, "cannot set search_path", err, errsize);
		goto fail;
	}
	if (opt->statement_timeout_ms > 0) {
		char ms[32];
		const char *p[] = {ms};
		snprintf(ms, sizeof ms, "%lld", opt->statement_timeout_ms);
		res = PQexecParams(s->conn, store_stmt[S_TIMEOUT].sql, 1, NULL, p, NULL, NULL, 0);
		ok = PQresultStatus(res) == PGRES_TUPLES_OK;
		PQclear(res);
		if (!ok) {
			store_error(s, NULL, "cannot set statement_timeout", err, errsize);
			goto fail;
		}
	}
	return s;
fail:
	store_close(&s);
	return NULL;
}

void store_close(struct store **sp)
{
	if (!sp || !*sp)
		return;
	if ((*sp)->conn)
		PQfinish((*sp)->conn);
	free(*sp);
	*sp = NULL;
}

bool store_ok(const struct store *s)
{
	return s && s->conn && PQstatus(s->conn) == CONNECTION_OK;
}

int store_socket(const struct store *s)
{
	return store_ok(s) ? PQsocket(s->conn) : -1;
}

/*
 * Shared by the connection's owner and any thread sending a cancel with it:
 * the last of them to let go frees it, so a cancel still waiting on a server
 * that does not answer outlives the connection (and the writer) safely.
 */
struct store_cancel {
	PGcancel *cancel;
	atomic_int refs;
	atomic_bool sending; /* a store_cancel_post thread is under way */
};

struct store_cancel *store_cancel_new(struct store *s)
{
	struct store_cancel *c;

	if (!store_ok(s) || (c = calloc(1, sizeof *c)) == NULL)
		return NULL;
	if ((c->cancel = PQgetCancel(s->conn)) == NULL) {
		free(c);
		return NULL;
	}
	atomic_init(&c->refs, 1);
	atomic_init(&c->sending, false);
	return c;
}

int store_cancel_send(struct store_cancel *c, char *err, size_t errsize)
{
	char buf[256];

	if (PQcancel(c->cancel, buf, sizeof buf) == 1)
		return 0;
	snprintf(err, errsize, "cannot cancel the statement: %.*s", (int)strcspn(buf, "\n"), buf);
	return -1;
}

/* The thread of store_cancel_post: sends, logs a failure, lets go of its reference. */
static void *store_cancel_main(void *arg)
{
	struct store_cancel *c = arg;
	char err[300];

	if (store_cancel_send(c, err, sizeof err) < 0)
		log_warn("%s", err);
	atomic_store(&c->sending, false);
	store_cancel_destroy(&c);
	return NULL;
}

int store_cancel_post(struct store_cancel *c)
{
	pthread_attr_t attr;
	pthread_t t;
	int rc = -1;

	if (atomic_exchange(&c->sending, true))
		return 0; /* the last one is still on its way: another would not arrive sooner */
	atomic_fetch_add(&c->refs, 1);
	if (pthread_attr_init(&attr) == 0) {
		if (pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED) == 0 &&
		    pthread_create(&t, &attr, store_cancel_main, c) == 0)
			rc = 0;
		pthread_attr_destroy(&attr);
	}
	if (rc < 0) {
		log_warn("cannot start a thread to cancel the statement");
		atomic_store(&c->sending, false);
		atomic_fetch_sub(&c->refs, 1);
	}
	return rc;
}

void store_cancel_destroy(struct store_cancel **cp)
{
	if (!cp || !*cp)
		return;
	if (atomic_fetch_sub(&(*cp)->refs, 1) == 1) {
		PQfreeCancel((*cp)->cancel);
		free(*cp);
	}
	*cp = NULL;
}

/* Runs a table statement; returns the result (caller clears) or NULL with err. */
static PGresult *store_run(struct store *s, enum stmt_id id, const char *const *params, char *err,
			   size_t errsize)
{
	PGresult *res;

	if (!(s->prepared & (1ull << id))) {
		res = PQprepare(s->conn, store_stmt[id].name, store_stmt[id].sql,
				store_stmt[id].nparams, NULL);
		if (PQresultStatus(res) != PGRES_COMMAND_OK) {
			store_error(s, res, store_stmt[id].name, err, errsize);
			PQclear(res);
			return NULL;
		}
		PQclear(res);
		s->prepared |= 1ull << id;
	}
	res = PQexecPrepared(s->conn, store_stmt[id].name, store_stmt[id].nparams, params, NULL,
			     NULL, 0);
	ExecStatusType st = PQresultStatus(res);
	if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
		store_error(s, res, store_stmt[id].name, err, errsize);
		PQclear(res);
		return NULL;
	}
	return res;
}

/* Runs a constant command; 0 or -1 with err. */
static int store_exec(struct store *s, const char *sql, char *err, size_t errsize)
{
	PGresult *res = PQexec(s->conn, sql);
	ExecStatusType st = PQresultStatus(res);
	int rc = (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) ? 0 : -1;
	if (rc < 0)
		store_error(s, res, sql, err, errsize);
	PQclear(res);
	return rc;
}

int store_listen(struct store *s, char *err, size_t errsize)
{
	return store_exec(s, store_sql_listen, err, errsize);
}

int store_notifications(struct store *s)
{
	PGnotify *n;
	int count = 0;

	if (!store_ok(s) || PQconsumeInput(s->conn) == 0)
		return -1;
	while ((n = PQnotifies(s->conn)) != NULL) {
		count++;
		PQfreemem(n);
	}
	return count;
}

/* ---- COPY helpers ---- */

struct copybuf {
	char *data;
	size_t len, cap;
	bool oom;
};

static void copy_putc(struct copybuf *b, char c)
{
	if (b->len + 1 > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 65536;
		char *p = realloc(b->data, cap);
		if (!p) {
			b->oom = true;
			return;
		}
		b->data = p;
		b->cap = cap;
	}
	b->data[b->len++] = c;
}

/* Appends one text field in COPY text format (NULL for \N), then sep. */
static void copy_field(struct copybuf *b, const char *v, char sep)
{
	if (!v) {
		copy_putc(b, '\\');
		copy_putc(b, 'N');
	} else {
		for (; *v; v++) {
			switch (*v) {
			case '\\':
				copy_putc(b, '\\');
				copy_putc(b, '\\');
				break;
			case '\t':
				copy_putc(b, '\\');
				copy_putc(b, 't');
				break;
			case '\n':
				copy_putc(b, '\\');
				copy_putc(b, 'n');
				break;
			case '\r':
				copy_putc(b, '\\');
				copy_putc(b, 'r');
				break;
			default:
				copy_putc(b, *v);
			}
		}
	}
	copy_putc(b, sep);
}

static void copy_int(struct copybuf *b, long long v, char sep)
{
	char num[32];
	snprintf(num, sizeof num, "%lld", v);
	copy_field(b, num, sep);
}

/* Sends a COPY ... FROM STDIN with the buffer's rows; 0 or -1 with err. */
static int store_copy(struct store *s, const char *sql, struct copybuf *b, char *err,
		      size_t errsize)
{
	PGresult *res;
	int rc = -1;

	if (b->oom) {
		snprintf(err, errsize, "out of memory");
		return -1;
	}
	res = PQexec(s->conn, sql);
	if (PQresultStatus(res) != PGRES_COPY_IN) {
		store_error(s, res, "COPY", err, errsize);
		PQclear(res);
		return -1;
	}
	PQclear(res);
	if ((b->len && PQputCopyData(s->conn, b->data, (int)b->len) != 1) ||
	    PQputCopyEnd(s->conn, NULL) != 1) {
		store_error(s, NULL, "COPY", err, errsize);
		return -1;
	}
	res = PQgetResult(s->conn);
	if (PQresultStatus(res) == PGRES_COMMAND_OK)
		rc = 0;
	else
		store_error(s, res, "COPY", err, errsize);
	PQclear(res);
	while ((res = PQgetResult(s->conn)) != NULL)
		PQclear(res);
	return rc;
}

/* ---- ingest ---- */

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

/* A period's first and last days on both calendars, as the period table stores them:
 * statistical first, last, administrative first, last ("YYYY-MM-DD"). */
static void store_period_dates(const struct period *p, char d[4][16])
{
	int32_t first, last;
	period_range(p, CAL_STATISTICAL, &first, &last);
	date_format(first, d[0], 16);
	date_format(last, d[1], 16);
	period_range(p, CAL_ADMINISTRATIVE, &first, &last);
	date_format(first, d[2], 16);
	date_format(last, d[3], 16);
}

static void stage_row(struct copybuf *b, size_t bno, size_t rno, const struct batch_row *r)
{
	struct period p;
	const char *why;
	char d[4][16];
	bool resolved =
	    !r->reason && r->period[0] && period_parse(r->period, strlen(r->period), &p, &why) == 0;

	copy_int(b, (long long)bno, '\t');
	copy_int(b, (long long)rno, '\t');
	copy_field(b, r->unit, '\t');
	copy_field(b, r->indicator, '\t');
	copy_field(b, r->period[0] ? r->period : NULL, '\t');
	if (resolved) {
		store_period_dates(&p, d);
		copy_field(b, period_type_name(p.type), '\t');
		for (int i = 0; i < 4; i++)
			copy_field(b, d[i], '\t');
	} else {
		for (int i = 0; i < 5; i++)
			copy_field(b, NULL, '\t');
	}
	copy_field(b, r->date[0] ? r->date : NULL, '\t');
	copy_field(b, r->value.text[0] ? r->value.text : NULL, '\t');
	copy_field(b, r->qualifier != QUAL_NONE ? batch_qualifier_name(r->qualifier) : NULL, '\t');
	copy_field(b, r->ref[0] ? r->ref : NULL, '\t');
	copy_field(b, r->note[0] ? r->note : NULL, '\t');
	if (r->reason) {
		copy_field(b, r->reason, '\t');
		copy_field(b, r->message, '\n');
	} else if (!resolved) {
		copy_field(b, "bad_period", '\t');
		copy_field(b, "the period could not be resolved", '\n');
	} else {
		copy_field(b, NULL, '\t');
		copy_field(b, NULL, '\n');
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
	rc = 0;
done:
	free(nrej);
	free(nflag);
	return rc;
}

enum store_failure store_failure_of(const char *sqlstate)
{
	static const char *const timeouts[] = {
	    "57014", /* query_canceled: statement_timeout */
	    "55P03", /* lock_not_available: lock_timeout */
	};
	static const char *const transient[] = {
	    "40001", /* serialization_failure */
	    "40P01", /* deadlock_detected */
	};

	if (!sqlstate || strlen(sqlstate) != 5)
		return STORE_FAIL_STATEMENT;
	for (size_t i = 0; i < sizeof timeouts / sizeof timeouts[0]; i++)
		if (strcmp(sqlstate, timeouts[i]) == 0)
			return STORE_FAIL_TIMEOUT;
	for (size_t i = 0; i < sizeof transient / sizeof transient[0]; i++)
		if (strcmp(sqlstate, transient[i]) == 0)
			return STORE_FAIL_TRANSIENT;
	/* class 53, insufficient resources: disk full, out of memory, too many connections */
	if (strncmp(sqlstate, "53", 2) == 0)
		return STORE_FAIL_TRANSIENT;
	return STORE_FAIL_STATEMENT;
}

int store_ingest(struct store *s, struct store_item *items, size_t n, enum store_failure *why,
		 char *err, size_t errsize)
{
	struct copybuf batches = {0}, rows = {0};
	PGresult *res = NULL;
	bool in_tx = false;
	int rc = -1;

	*why = STORE_FAIL_NONE;
	if (!store_ok(s)) {
		snprintf(err, errsize, "no database connection");
		goto fail;
	}
	s->sqlstate[0] = '\0';
	if (!s->session) {
		if ((res = store_run(s, S_SESSION, NULL, err, errsize)) == NULL)
			goto fail;
		PQclear(res);
		res = NULL;
		s->session = true;
	}
	for (size_t i = 0; i < n; i++) {
		memset(&items[i].ack, 0, sizeof items[i].ack);
		items[i].done = false;
	}
	for (size_t i = 0; i < n; i++) {
		const struct batch *b = items[i].batch;
		char ts[64];
		store_timestamp(items[i].received_us, ts, sizeof ts);
		copy_int(&batches, (long long)i, '\t');
		copy_int(&batches, items[i].collector_id, '\t');
		copy_int(&batches, (long long)b->epoch, '\t');
		copy_int(&batches, (long long)b->seq, '\t');
		copy_field(&batches, ts, '\t');
		copy_int(&batches, (long long)b->nrows, '\n');
		for (size_t r = 0; r < b->nrows; r++)
			stage_row(&rows, i, r, &b->rows[r]);
	}
	if (store_exec(s, "BEGIN", err, errsize) < 0)
		goto fail;
	in_tx = true;
	if (store_copy(s, store_sql_copy_batch, &batches, err, errsize) < 0 ||
	    store_copy(s, store_sql_copy_row, &rows, err, errsize) < 0)
		goto fail;
	if ((res = store_run(s, S_INGEST, NULL, err, errsize)) == NULL)
		goto fail;
	if (store_read_acks(res, items, n, err, errsize) < 0)
		goto fail;
	PQclear(res);
	res = NULL;
	if (store_exec(s, "COMMIT", err, errsize) < 0) {
		in_tx = false;
		goto fail;
	}
	rc = 0;
	goto done;
fail:
	PQclear(res);
	/* Classified before the ROLLBACK, whose own failure would replace the SQLSTATE. */
	*why = !store_ok(s) ? STORE_FAIL_CONNECTION : store_failure_of(s->sqlstate);
	if (in_tx && store_ok(s))
		store_exec(s, "ROLLBACK", (char[8]){0}, 8);
	/* The staging tables hold the rolled-back rows as dead rows: drop them after a failure
	   that may repeat commit after commit (store.h).  Not after a refused statement: the
	   writer then commits halves, and the next commit that succeeds empties them. */
	if ((*why == STORE_FAIL_TIMEOUT || *why == STORE_FAIL_TRANSIENT) && s->session &&
	    store_ok(s) && store_exec(s, "DISCARD TEMP", (char[8]){0}, 8) == 0)
		s->session = false;
	for (size_t i = 0; i < n; i++) {
		batch_ack_clear(&items[i].ack);
		items[i].done = false;
	}
done:
	free(batches.data);
	free(rows.data);
	return rc;
}

/* ---- catalogue, collectors, status ---- */

int store_catalog_current(struct store *s, char **doc, char *err, size_t errsize)
{
	PGresult *res = store_run(s, S_CATALOG, NULL, err, errsize);
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

int store_collectors(struct store *s, bool stats, struct store_collector **out, size_t *n,
		     char *err, size_t errsize)
{
	const char *p[] = {stats ? "true" : "false"};
	PGresult *res = store_run(s, S_COLLECTORS, p, err, errsize);

	*out = NULL;
	*n = 0;
	if (!res)
		return -1;
	int nt = PQntuples(res);
	if (nt > 0 && (*out = calloc((size_t)nt, sizeof **out)) == NULL) {
		snprintf(err, errsize, "out of memory");
		PQclear(res);
		return -1;
	}
	for (int t = 0; t < nt; t++) {
		struct store_collector *c = &(*out)[t];
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
	}
	*n = (size_t)nt;
	PQclear(res);
	return 0;
}

int store_status_write(struct store *s, const char *name, const char *json, char *err,
		       size_t errsize)
{
	const char *p[] = {name, json};
	PGresult *res = store_run(s, S_STATUS_WRITE, p, err, errsize);
	PQclear(res);
	return res ? 0 : -1;
}

int store_status_read(struct store *s, const char *name, char **json, double *age_s, char *err,
		      size_t errsize)
{
	const char *p[] = {name};
	PGresult *res = store_run(s, S_STATUS_READ, p, err, errsize);
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

/* ---- migrations ---- */

static int migration_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Reads a whole file into a NUL-terminated string; NULL with err. */
static char *store_slurp(const char *path, char *err, size_t errsize)
{
	FILE *fp = fopen(path, "re");
	char *text = NULL;
	long len;

	if (!fp || fseek(fp, 0, SEEK_END) < 0 || (len = ftell(fp)) < 0 ||
	    fseek(fp, 0, SEEK_SET) < 0 || (text = malloc((size_t)len + 1)) == NULL ||
	    fread(text, 1, (size_t)len, fp) != (size_t)len) {
		snprintf(err, errsize, "%s: %s", path, strerror(errno ? errno : EIO));
		free(text);
		text = NULL;
	} else {
		text[len] = '\0';
	}
	if (fp)
		fclose(fp);
	return text;
}

/* The line of a 1-based character position in text. */
static int store_line_of(const char *text, long pos)
{
	int line = 1;
	for (long i = 0; text[i] && i < pos - 1; i++)
		if (text[i] == '\n')
			line++;
	return line;
}

/* Runs the statements of one file; errors read "file:line: message (context)". */
static int store_exec_file(struct store *s, const char *path, const char *text, char *err,
			   size_t errsize)
{
	PGresult *res = PQexec(s->conn, text);
	int rc = 0;

	if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK) {
		const char *pos = PQresultErrorField(res, PG_DIAG_STATEMENT_POSITION);
		const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
		const char *ctx = PQresultErrorField(res, PG_DIAG_CONTEXT);
		snprintf(err, errsize, "%s:%d: %s%s%.*s%s", path,
			 pos ? store_line_of(text, atol(pos)) : 1, msg ? msg : "error",
			 ctx ? " (" : "", ctx ? (int)strcspn(ctx, "\n") : 0, ctx ? ctx : "",
			 ctx ? ")" : "");
		rc = -1;
	}
	PQclear(res);
	return rc;
}

/* Applies one numbered migration inside its own transaction and records it. */
static int store_apply(struct store *s, const char *path, const char *file, int version,
		       const char *text, char *err, size_t errsize)
{
	char vers[16];
	const char *p[] = {vers, file, text};
	PGresult *res;

	snprintf(vers, sizeof vers, "%d", version);
	if (store_exec(s, "BEGIN", err, errsize) < 0 ||
	    store_exec(s, store_sql_migration_path, err, errsize) < 0 ||
	    store_exec_file(s, path, text, err, errsize) < 0)
		goto fail;
	if ((res = store_run(s, S_MIGRATION_RECORD, p, err, errsize)) == NULL)
		goto fail;
	PQclear(res);
	return store_exec(s, "COMMIT", err, errsize);
fail:
	store_exec(s, "ROLLBACK", (char[8]){0}, 8);
	return -1;
}

/* The names of dir's numbered files (001_x.sql) or repeatable files (R_x.sql), sorted,
 * with their contents; the caller frees both with store_free_files. */
static int store_sql_files(const char *dir, bool repeatable, char ***names, char ***texts,
			   size_t *n, char *err, size_t errsize)
{
	DIR *d = opendir(dir);
	size_t cap = 0;
	char path[4096];

	*names = *texts = NULL;
	*n = 0;
	if (!d) {
		snprintf(err, errsize, "%s: %s", dir, strerror(errno));
		return -1;
	}
	for (struct dirent *e; (e = readdir(d)) != NULL;) {
		size_t len = strlen(e->d_name);
		bool numbered =
		    len >= 9 && strspn(e->d_name, "0123456789") == 3 && e->d_name[3] == '_';
		bool rep = len > 6 && strncmp(e->d_name, "R_", 2) == 0;
		/* bootstrap.sql and anything else are not migrations */
		if (len < 5 || strcmp(e->d_name + len - 4, ".sql") != 0 ||
		    !(repeatable ? rep : numbered))
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			char **more = realloc(*names, cap * sizeof *more);
			if (!more)
				goto oom;
			*names = more;
		}
		if (((*names)[*n] = strdup(e->d_name)) == NULL)
			goto oom;
		(*n)++;
	}
	closedir(d);
	d = NULL;
	if (*n > 1)
		qsort(*names, *n, sizeof **names, migration_cmp);
	if ((*texts = calloc(*n ? *n : 1, sizeof **texts)) == NULL)
		goto oom;
	for (size_t i = 0; i < *n; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, (*names)[i]);
		if (((*texts)[i] = store_slurp(path, err, errsize)) == NULL)
			return -1;
	}
	return 0;
oom:
	if (d)
		closedir(d);
	snprintf(err, errsize, "out of memory");
	return -1;
}

static void store_free_files(char **names, char **texts, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(names[i]);
		if (texts)
			free(texts[i]);
	}
	free(names);
	free(texts);
}

/* Applies the numbered migrations not applied yet; refuses one changed after it was. */
static int store_migrate_numbered(struct store *s, const char *dir, int *applied, char *err,
				  size_t errsize)
{
	char **names, **texts, path[4096], vers[16];
	size_t n;
	int rc = -1;

	if (store_sql_files(dir, false, &names, &texts, &n, err, errsize) < 0)
		goto done;
	for (size_t i = 0; i < n; i++) {
		int version = atoi(names[i]);
		const char *p[] = {vers, texts[i]};
		snprintf(vers, sizeof vers, "%d", version);
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		PGresult *res = store_run(s, S_MIGRATION_SAME, p, err, errsize);
		if (!res)
			goto done;
		int known = PQntuples(res) == 1, same = known && PQgetvalue(res, 0, 0)[0] == 't';
		PQclear(res);
		if (known && !same) {
			snprintf(err, errsize,
				 "%s: changed after it was applied; write a new migration instead",
				 path);
			goto done;
		}
		if (known)
			continue;
		log_info("applying migration %s", names[i]);
		if (store_apply(s, path, names[i], version, texts[i], err, errsize) < 0)
			goto done;
		(*applied)++;
	}
	rc = 0;
done:
	store_free_files(names, texts, n);
	return rc;
}

/* 1 if every R_ file is recorded with its current checksum and nothing else is, else 0. */
static int store_repeatable_same(struct store *s, char **names, char **texts, size_t n, char *err,
				 size_t errsize)
{
	PGresult *res = store_run(s, S_REPEATABLE_COUNT, NULL, err, errsize);
	if (!res)
		return -1;
	int same = (size_t)atol(PQgetvalue(res, 0, 0)) == n;
	PQclear(res);
	for (size_t i = 0; same && i < n; i++) {
		const char *p[] = {names[i], texts[i]};
		if ((res = store_run(s, S_REPEATABLE_SAME, p, err, errsize)) == NULL)
			return -1;
		same = PQntuples(res) == 1 && PQgetvalue(res, 0, 0)[0] == 't';
		PQclear(res);
	}
	return same;
}

/*
 * When any R_ file changed (or one was added or removed), applies all of them
 * again in one transaction: functions, views and grants are then exactly what
 * the files say, R_00_reset having dropped the old ones.
 */
static int store_migrate_repeatable(struct store *s, const char *dir, int *applied, char *err,
				    size_t errsize)
{
	char **names, **texts, path[4096];
	size_t n;
	int rc = -1, same;
	PGresult *res;

	if (store_sql_files(dir, true, &names, &texts, &n, err, errsize) < 0)
		goto done;
	if ((same = store_repeatable_same(s, names, texts, n, err, errsize)) != 0) {
		rc = same > 0 ? 0 : -1;
		goto done;
	}
	log_info("applying functions, views and grants (%zu files)", n);
	if (store_exec(s, "BEGIN", err, errsize) < 0 ||
	    store_exec(s, store_sql_migration_path, err, errsize) < 0 ||
	    store_exec(s, "DELETE FROM chiso.schema_repeatable", err, errsize) < 0)
		goto rollback;
	for (size_t i = 0; i < n; i++) {
		const char *p[] = {names[i], texts[i]};
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		if (store_exec_file(s, path, texts[i], err, errsize) < 0 ||
		    (res = store_run(s, S_REPEATABLE_RECORD, p, err, errsize)) == NULL)
			goto rollback;
		PQclear(res);
	}
	if (store_exec(s, "COMMIT", err, errsize) < 0)
		goto done;
	(*applied)++;
	rc = 0;
	goto done;
rollback:
	store_exec(s, "ROLLBACK", (char[8]){0}, 8);
done:
	store_free_files(names, texts, n);
	return rc;
}

int store_migrate(struct store *s, const char *sql_dir, int *applied, char *err, size_t errsize)
{
	int rc = -1;

	*applied = 0;
	if (store_exec(s, store_sql_lock, err, errsize) < 0)
		return -1;
	if (store_exec(s, store_sql_migration_table, err, errsize) == 0 &&
	    store_migrate_numbered(s, sql_dir, applied, err, errsize) == 0 &&
	    store_migrate_repeatable(s, sql_dir, applied, err, errsize) == 0)
		rc = 0;
	store_exec(s, store_sql_unlock, (char[8]){0}, 8);
	return rc;
}

/* ---- reference data ---- */

int store_units_import(struct store *s, const struct store_unit *units, size_t n,
		       const char *valid_from, struct store_import_counts *out, char *err,
		       size_t errsize)
{
	struct copybuf b = {0};
	const char *p[] = {valid_from};
	PGresult *res = NULL;
	int rc = -1;

	for (size_t i = 0; i < n; i++) {
		copy_int(&b, units[i].line, '\t');
		copy_field(&b, units[i].code, '\t');
		copy_field(&b, units[i].name, '\t');
		copy_int(&b, units[i].level, '\t');
		copy_field(
		    &b, units[i].parent_code && *units[i].parent_code ? units[i].parent_code : NULL,
		    '\t');
		copy_field(&b, units[i].type, '\n');
	}
	if (store_exec(s, "BEGIN", err, errsize) < 0)
		goto done;
	if ((res = store_run(s, S_UNITS_STAGE, NULL, err, errsize)) == NULL)
		goto fail;
	PQclear(res);
	if (store_copy(s, store_sql_copy_unit, &b, err, errsize) < 0)
		goto fail;
	if ((res = store_run(s, S_UNITS_IMPORT, p, err, errsize)) == NULL)
		goto fail;
	out->added = atoi(PQgetvalue(res, 0, 0));
	out->changed = atoi(PQgetvalue(res, 0, 1));
	out->closed = atoi(PQgetvalue(res, 0, 2));
	out->unchanged = atoi(PQgetvalue(res, 0, 3));
	PQclear(res);
	rc = store_exec(s, "COMMIT", err, errsize);
	goto done;
fail:
	store_exec(s, "ROLLBACK", (char[8]){0}, 8);
done:
	free(b.data);
	return rc;
}

int store_crosswalk_import(struct store *s, const struct crosswalk_row *rows, size_t n,
			   int *imported, struct store_problem **problems, size_t *nproblems,
			   char *err, size_t errsize)
{
	struct copybuf b = {0};
	PGresult *res = NULL;
	int rc = -1;

	*imported = 0;
	*problems = NULL;
	*nproblems = 0;
	for (size_t i = 0; i < n; i++) {
		copy_int(&b, rows[i].line, '\t');
		copy_field(&b, rows[i].old_code, '\t');
		copy_field(&b, rows[i].old_date, '\t');
		copy_field(&b, rows[i].new_code, '\t');
		copy_field(&b, rows[i].new_date, '\t');
		copy_field(&b, rows[i].weight, '\t');
		copy_field(&b, rows[i].source, '\n');
	}
	if (store_exec(s, "BEGIN", err, errsize) < 0)
		goto done;
	if ((res = store_run(s, S_XWALK_STAGE, NULL, err, errsize)) == NULL)
		goto fail;
	PQclear(res);
	if (store_copy(s, store_sql_copy_crosswalk, &b, err, errsize) < 0)
		goto fail;
	if ((res = store_run(s, S_XWALK_PROBLEMS, NULL, err, errsize)) == NULL)
		goto fail;
	int nt = PQntuples(res);
	if (nt > 0) {
		/* nothing is imported when a line has a problem: report them all */
		if ((*problems = calloc((size_t)nt, sizeof **problems)) == NULL) {
			snprintf(err, errsize, "out of memory");
			goto fail;
		}
		for (int t = 0; t < nt; t++) {
			struct store_problem *p = &(*problems)[t];
			p->line = atol(PQgetvalue(res, t, 0));
			snprintf(p->field, sizeof p->field, "%s", PQgetvalue(res, t, 1));
			snprintf(p->message, sizeof p->message, "%s", PQgetvalue(res, t, 2));
		}
		*nproblems = (size_t)nt;
		PQclear(res);
		res = NULL;
		rc = 0;
		goto fail;
	}
	PQclear(res);
	if ((res = store_run(s, S_XWALK_APPLY, NULL, err, errsize)) == NULL)
		goto fail;
	*imported = atoi(PQgetvalue(res, 0, 0));
	PQclear(res);
	res = NULL;
	rc = store_exec(s, "COMMIT", err, errsize);
	goto done;
fail:
	PQclear(res);
	store_exec(s, "ROLLBACK", (char[8]){0}, 8);
done:
	free(b.data);
	return rc;
}

int store_catalog_load(struct store *s, const char *json, struct store_catalog_counts *out,
		       char *err, size_t errsize)
{
	const char *p[] = {json};
	PGresult *res = store_run(s, S_CATALOG_LOAD, p, err, errsize);

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
	PGresult *res = store_run(s, S_COLLECTOR_ADD, p, err, errsize);
	PQclear(res);
	return res ? 0 : -1;
}

int store_collector_revoke(struct store *s, const char *name, char *err, size_t errsize)
{
	const char *p[] = {name};
	PGresult *res = store_run(s, S_COLLECTOR_REVOKE, p, err, errsize);
	PQclear(res);
	return res ? 0 : -1;
}

/* ---- reports and rollups ---- */

/* Reads row t of a report statement into r: the 23 columns of report(), and with extended the
 * English names, catalogue order and previous period's figures that follow them
 * (STORE_REPORT_COLS). */
static void store_report_row_read(const PGresult *res, int t, bool extended,
				  struct store_report_row *r)
{
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
	if (!extended)
		return;
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

int store_report(struct store *s, const char *period, const char *unit_code,
		 struct store_report_row **rows, size_t *n, char *err, size_t errsize)
{
	const char *p[] = {period, unit_code};
	PGresult *res = store_run(s, S_REPORT, p, err, errsize);

	*rows = NULL;
	*n = 0;
	if (!res)
		return -1;
	int nt = PQntuples(res);
	if (nt > 0 && (*rows = calloc((size_t)nt, sizeof **rows)) == NULL) {
		snprintf(err, errsize, "out of memory");
		PQclear(res);
		return -1;
	}
	for (int t = 0; t < nt; t++)
		store_report_row_read(res, t, false, &(*rows)[t]);
	*n = (size_t)nt;
	PQclear(res);
	return 0;
}

int store_rollup_verify(struct store *s, struct store_difference **diffs, size_t *n,
			long long *nrows, char *err, size_t errsize)
{
	PGresult *res = NULL;
	int rc = -1;

	*diffs = NULL;
	*n = 0;
	if (store_exec(s, "BEGIN", err, errsize) < 0)
		return -1;
	if ((res = store_run(s, S_VERIFY, NULL, err, errsize)) == NULL)
		goto done;
	int nt = PQntuples(res);
	if (nt > 0 && (*diffs = calloc((size_t)nt, sizeof **diffs)) == NULL) {
		snprintf(err, errsize, "out of memory");
		goto done;
	}
	for (int t = 0; t < nt; t++) {
		struct store_difference *d = &(*diffs)[t];
		snprintf(d->check, sizeof d->check, "%s", PQgetvalue(res, t, 0));
		snprintf(d->unit_code, sizeof d->unit_code, "%s", PQgetvalue(res, t, 1));
		snprintf(d->indicator_code, sizeof d->indicator_code, "%s", PQgetvalue(res, t, 2));
		snprintf(d->period, sizeof d->period, "%s", PQgetvalue(res, t, 3));
		snprintf(d->stored, sizeof d->stored, "%s", PQgetvalue(res, t, 4));
		snprintf(d->recomputed, sizeof d->recomputed, "%s", PQgetvalue(res, t, 5));
	}
	*n = (size_t)nt;
	PQclear(res);
	if ((res = store_run(s, S_ROLLUP_COUNT, NULL, err, errsize)) == NULL)
		goto done;
	*nrows = atoll(PQgetvalue(res, 0, 0));
	rc = 0;
done:
	PQclear(res);
	/* verify rebuilt the rollups in place: never keep that */
	store_exec(s, "ROLLBACK", (char[8]){0}, 8);
	return rc;
}

int store_rollup_rebuild(struct store *s, long long *nrows, char *err, size_t errsize)
{
	PGresult *res = store_run(s, S_REBUILD, NULL, err, errsize);
	if (!res)
		return -1;
	*nrows = atoll(PQgetvalue(res, 0, 0));
	PQclear(res);
	return 0;
}

/* ---- periods: deadlines and locking ---- */

int store_period_deadlines(struct store *s, const long long days[6], bool auto_close, char *err,
			   size_t errsize)
{
	char arr[128];
	snprintf(arr, sizeof arr, "{%lld,%lld,%lld,%lld,%lld,%lld}", days[0], days[1], days[2],
		 days[3], days[4], days[5]);
	const char *p[] = {arr, auto_close ? "true" : "false"};
	PGresult *res = store_run(s, S_DEADLINES, p, err, errsize);
	PQclear(res);
	return res ? 0 : -1;
}

int store_period_autoclose(struct store *s, int *closed, char *err, size_t errsize)
{
	PGresult *res = store_run(s, S_AUTOCLOSE, NULL, err, errsize);
	if (!res)
		return -1;
	*closed = atoi(PQgetvalue(res, 0, 0));
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
	PGresult *res = store_run(s, S_PERIOD_SET, prm, err, errsize);
	PQclear(res);
	return res ? 0 : -1;
}

int store_period_list(struct store *s, struct store_period **out, size_t *n, char *err,
		      size_t errsize)
{
	PGresult *res = store_run(s, S_PERIOD_LIST, NULL, err, errsize);
	if (!res)
		return -1;
	*n = (size_t)PQntuples(res);
	*out = calloc(*n ? *n : 1, sizeof **out);
	if (!*out) {
		PQclear(res);
		snprintf(err, errsize, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < *n; i++) {
		struct store_period *p = &(*out)[i];
		snprintf(p->code, sizeof p->code, "%s", PQgetvalue(res, (int)i, 0));
		snprintf(p->type, sizeof p->type, "%s", PQgetvalue(res, (int)i, 1));
		snprintf(p->adm, sizeof p->adm, "%s", PQgetvalue(res, (int)i, 2));
		snprintf(p->stat, sizeof p->stat, "%s", PQgetvalue(res, (int)i, 3));
		snprintf(p->due, sizeof p->due, "%s", PQgetvalue(res, (int)i, 4));
		snprintf(p->closed, sizeof p->closed, "%s", PQgetvalue(res, (int)i, 5));
	}
	PQclear(res);
	return 0;
}

/* ---- reports for people, published reports ---- */

/* Reads every row of a report statement; *rows is the caller's (NULL when none). */
static int store_report_rows_read(const PGresult *res, struct store_report_row **rows, size_t *n,
				  char *err, size_t errsize)
{
	int nt = PQntuples(res);

	*rows = NULL;
	*n = 0;
	if (nt > 0 && (*rows = calloc((size_t)nt, sizeof **rows)) == NULL) {
		snprintf(err, errsize, "out of memory");
		return -1;
	}
	for (int t = 0; t < nt; t++)
		store_report_row_read(res, t, true, &(*rows)[t]);
	*n = (size_t)nt;
	return 0;
}

static int store_report_units_read(const PGresult *res, struct store_report_unit **units, size_t *n,
				   char *err, size_t errsize)
{
	int nt = PQntuples(res);

	*units = NULL;
	*n = 0;
	if (nt > 0 && (*units = calloc((size_t)nt, sizeof **units)) == NULL) {
		snprintf(err, errsize, "out of memory");
		return -1;
	}
	for (int t = 0; t < nt; t++) {
		struct store_report_unit *u = &(*units)[t];
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
	*n = (size_t)nt;
	return 0;
}

static int store_report_pillars_read(const PGresult *res, struct store_report_pillar **pillars,
				     size_t *n, char *err, size_t errsize)
{
	int nt = PQntuples(res);

	*pillars = NULL;
	*n = 0;
	if (nt > 0 && (*pillars = calloc((size_t)nt, sizeof **pillars)) == NULL) {
		snprintf(err, errsize, "out of memory");
		return -1;
	}
	for (int t = 0; t < nt; t++) {
		struct store_report_pillar *p = &(*pillars)[t];
		snprintf(p->code, sizeof p->code, "%s", PQgetvalue(res, t, 0));
		snprintf(p->name, sizeof p->name, "%s", PQgetvalue(res, t, 1));
		snprintf(p->name_en, sizeof p->name_en, "%s", PQgetvalue(res, t, 2));
		p->ord = atoi(PQgetvalue(res, t, 3));
	}
	*n = (size_t)nt;
	return 0;
}

static void store_publication_read(const PGresult *res, int t, struct store_publication *p)
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

/* The live report, on the period's own structure (on_day NULL) or re-expressed on the
 * structure valid on on_day ("YYYY-MM-DD"). */
static int store_report_read(struct store *s, const char *period, const char *unit_code,
			     const char *on_day, struct store_report_set **out, char *err,
			     size_t errsize)
{
	const char *p[] = {period, unit_code, on_day};
	struct store_report_set *set = calloc(1, sizeof *set);
	PGresult *res = NULL;

	*out = NULL;
	if (!set) {
		snprintf(err, errsize, "out of memory");
		return -1;
	}
	/* Rows and units from one snapshot of the database, so that the counts agree. */
	if (store_exec(s, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", err, errsize) < 0)
		goto fail;
	if ((res = store_run(s, on_day ? S_REPORT_ROWS_ON : S_REPORT_ROWS, p, err, errsize)) ==
		NULL ||
	    store_report_rows_read(res, &set->rows, &set->nrows, err, errsize) < 0)
		goto rollback;
	PQclear(res);
	if ((res = store_run(s, on_day ? S_REPORT_UNITS_ON : S_REPORT_UNITS, p, err, errsize)) ==
		NULL ||
	    store_report_units_read(res, &set->units, &set->nunits, err, errsize) < 0)
		goto rollback;
	PQclear(res);
	if (on_day) {
		if ((res = store_run(s, S_REPORT_UNMAPPED, p, err, errsize)) == NULL)
			goto rollback;
		snprintf(set->on_structure, sizeof set->on_structure, "%s", on_day);
		set->nunmapped = atoi(PQgetvalue(res, 0, 0));
		snprintf(set->unmapped, sizeof set->unmapped, "%s", PQgetvalue(res, 0, 1));
		PQclear(res);
	}
	if ((res = store_run(s, S_REPORT_PILLARS, NULL, err, errsize)) == NULL ||
	    store_report_pillars_read(res, &set->pillars, &set->npillars, err, errsize) < 0)
		goto rollback;
	PQclear(res);
	if (store_exec(s, "COMMIT", err, errsize) < 0)
		goto fail;
	*out = set;
	return 0;
rollback:
	PQclear(res);
	store_exec(s, "ROLLBACK", (char[8]){0}, 8);
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
	if ((res = store_run(s, S_PUB_VERIFY, p, err, errsize)) == NULL)
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
	if ((res = store_run(s, S_PUB_FIND, p, err, errsize)) == NULL)
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
	PGresult *res = NULL;

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
	if ((res = store_run(s, S_PUB_ROWS, p, err, errsize)) == NULL ||
	    store_report_rows_read(res, &set->rows, &set->nrows, err, errsize) < 0)
		goto fail;
	PQclear(res);
	if ((res = store_run(s, S_PUB_UNITS, p, err, errsize)) == NULL ||
	    store_report_units_read(res, &set->units, &set->nunits, err, errsize) < 0)
		goto fail;
	PQclear(res);
	if ((res = store_run(s, S_PUB_PILLARS, p, err, errsize)) == NULL ||
	    store_report_pillars_read(res, &set->pillars, &set->npillars, err, errsize) < 0)
		goto fail;
	PQclear(res);
	*out = set;
	return 0;
fail:
	PQclear(res);
	store_report_set_destroy(&set);
	return -1;
}

int store_report_publish(struct store *s, const char *period, const char *unit_code,
			 const char *actor, const char *note, struct store_publication *out,
			 char *err, size_t errsize)
{
	const char *p[] = {period, unit_code, actor, note ? note : ""};
	PGresult *res = store_run(s, S_PUBLISH, p, err, errsize);
	char id[16];
	const char *q[] = {id};

	if (!res)
		return -1;
	snprintf(id, sizeof id, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	if ((res = store_run(s, S_PUB_BY_ID, q, err, errsize)) == NULL)
		return -1;
	if (PQntuples(res) != 1) {
		snprintf(err, errsize, "publication %s vanished", id);
		PQclear(res);
		return -1;
	}
	store_publication_read(res, 0, out);
	PQclear(res);
	return 0;
}

int store_publications(struct store *s, const char *period, const char *unit_code,
		       struct store_publication **out, size_t *n, char *err, size_t errsize)
{
	const char *p[] = {period, unit_code};
	PGresult *res = store_run(s, S_PUB_LIST, p, err, errsize);

	*out = NULL;
	*n = 0;
	if (!res)
		return -1;
	int nt = PQntuples(res);
	if (nt > 0 && (*out = calloc((size_t)nt, sizeof **out)) == NULL) {
		snprintf(err, errsize, "out of memory");
		PQclear(res);
		return -1;
	}
	for (int t = 0; t < nt; t++)
		store_publication_read(res, t, &(*out)[t]);
	*n = (size_t)nt;
	PQclear(res);
	return 0;
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

int store_report_changes(struct store *s, const char *period, const char *unit_code, int version,
			 struct store_publication *pub, struct store_change **out, size_t *n,
			 char *err, size_t errsize)
{
	char vers[16];
	const char *p[] = {period, unit_code, vers};
	PGresult *res;

	*out = NULL;
	*n = 0;
	if (store_publication_find(s, period, unit_code, version, pub, err, errsize) != 1)
		return -1;
	snprintf(vers, sizeof vers, "%d", pub->version);
	if ((res = store_run(s, S_CHANGES, p, err, errsize)) == NULL)
		return -1;
	int nt = PQntuples(res);
	if (nt > 0 && (*out = calloc((size_t)nt, sizeof **out)) == NULL) {
		snprintf(err, errsize, "out of memory");
		PQclear(res);
		return -1;
	}
	for (int t = 0; t < nt; t++) {
		struct store_change *c = &(*out)[t];
		snprintf(c->unit_code, sizeof c->unit_code, "%s", PQgetvalue(res, t, 0));
		snprintf(c->unit_name, sizeof c->unit_name, "%s", PQgetvalue(res, t, 1));
		c->level = atoi(PQgetvalue(res, t, 2));
		snprintf(c->indicator_code, sizeof c->indicator_code, "%s", PQgetvalue(res, t, 3));
		snprintf(c->indicator_name, sizeof c->indicator_name, "%s", PQgetvalue(res, t, 4));
		snprintf(c->indicator_name_en, sizeof c->indicator_name_en, "%s",
			 PQgetvalue(res, t, 5));
		snprintf(c->kind, sizeof c->kind, "%s", PQgetvalue(res, t, 6));
		c->decimals = atoi(PQgetvalue(res, t, 7));
		store_change_side(res, t, 8, &c->published);
		store_change_side(res, t, 12, &c->current);
	}
	*n = (size_t)nt;
	PQclear(res);
	return 0;
}
