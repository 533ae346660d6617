/*
 * store: connections to PostgreSQL and what every piece of the module shares.
 *
 * Opening a connection, cancelling its statement from another thread,
 * listening for notifications, classifying failures by SQLSTATE, running the
 * named statements of the pieces' tables (prepared on first use per
 * connection) and sending rows by COPY.  The pieces that hold the queries are
 * listed in store_int.h.  Statements that cannot be prepared (several
 * commands in one string, COPY, transaction control) are constants sent with
 * PQexec.
 */
#include "store.h"

#include <libpq-fe.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "period.h"
#include "store_int.h"

/* Run with PQexec while the connection is set up, before anything is prepared. */
static const char store_sql_search_path[] = "SELECT set_config('search_path', 'chiso', false)";
static const char store_sql_timeout[] = "SELECT set_config('statement_timeout', $1, false)";
static const char store_sql_sync[] = "SELECT set_config('synchronous_commit', $1, false)";
static const char store_sql_listen[] =
    "LISTEN chiso_catalog; LISTEN chiso_collectors; LISTEN chiso_units";

/*
 * Copies the libpq error (first line) into err, with a prefix, and keeps its
 * SQLSTATE, by which store_ingest tells a slow or busy database from a refusal.
 */
void store_error(struct store *s, const PGresult *res, const char *what, char *err, size_t errsize)
{
	const char *msg = res ? PQresultErrorMessage(res) : "";
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	snprintf(s->sqlstate, sizeof s->sqlstate, "%s", state ? state : "");
	if (!msg || !*msg)
		msg = PQerrorMessage(s->conn);
	snprintf(err, errsize, "%s: %.*s", what, (int)strcspn(msg, "\n"), msg);
}

/*
 * Server notices ("relation already exists, skipping") are for debugging
 * only; a WARNING is also kept, since a COMMIT that stopped waiting for the
 * synchronous standby reports success with a warning and nothing else.
 */
static void store_notice(void *arg, const PGresult *res)
{
	struct store *s = arg;
	const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	const char *sev = PQresultErrorField(res, PG_DIAG_SEVERITY_NONLOCALIZED);

	msg = msg ? msg : "";
	log_debug("PostgreSQL: %.*s", (int)strcspn(msg, "\n"), msg);
	if (sev && strcmp(sev, "WARNING") == 0 && !s->warning[0])
		snprintf(s->warning, sizeof s->warning, "%.*s", (int)strcspn(msg, "\n"), msg);
}

void store_warning_reset(struct store *s)
{
	s->warning[0] = '\0';
}

/* Sets a server setting for the session with set_config; 0, or -1 with err. */
static int store_set(struct store *s, const char *sql, const char *value, const char *what,
		     char *err, size_t errsize)
{
	const char *p[] = {value};
	PGresult *res = PQexecParams(s->conn, sql, 1, NULL, p, NULL, NULL, 0);
	int ok = PQresultStatus(res) == PGRES_TUPLES_OK;

	if (!ok)
		store_error(s, res, what, err, errsize);
	PQclear(res);
	return ok ? 0 : -1;
}

/*
 * libpq's connection error has a line per host tried (a multi-host conninfo
 * names every node of a failover pair) and hint lines: the log gets them on
 * one line, "; " between them, so that no host's reason is cut off.
 */
static void store_one_line(char *msg, size_t size)
{
	char *out = malloc(size);
	size_t o = 0;

	if (!out)
		return;
	for (const char *p = msg; *p && o + 3 < size; p++) {
		if (*p != '\n') {
			out[o++] = *p;
			continue;
		}
		p += strspn(p + 1, "\t ");
		if (p[1]) {
			out[o++] = ';';
			out[o++] = ' ';
		}
	}
	out[o] = '\0';
	memcpy(msg, out, o + 1);
	free(out);
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
		snprintf(err, errsize, "cannot connect to PostgreSQL: %s",
			 s->conn ? PQerrorMessage(s->conn) : "out of memory");
		store_one_line(err, errsize);
		goto fail;
	}
	PQsetNoticeReceiver(s->conn, store_notice, s);
	PGresult *res = PQexec(s->conn, store_sql_search_path);
	int ok = PQresultStatus(res) == PGRES_TUPLES_OK;
	PQclear(res);
	if (!ok) {
		store_error(s, NULL, "cannot set search_path", err, errsize);
		goto fail;
	}
	if (opt->statement_timeout_ms > 0) {
		char ms[32];
		snprintf(ms, sizeof ms, "%lld", opt->statement_timeout_ms);
		if (store_set(s, store_sql_timeout, ms, "cannot set statement_timeout", err,
			      errsize) < 0)
			goto fail;
	}
	if (opt->synchronous_commit && store_set(s, store_sql_sync, opt->synchronous_commit,
						 "cannot set synchronous_commit", err, errsize) < 0)
		goto fail;
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
	free((*sp)->prepared);
	free(*sp);
	*sp = NULL;
}

bool store_ok(const struct store *s)
{
	return s && s->conn && PQstatus(s->conn) == CONNECTION_OK;
}

void store_server_describe(const struct store *s, char *buf, size_t size)
{
	const char *standby = store_ok(s) ? PQparameterStatus(s->conn, "in_hot_standby") : NULL;
	const char *host = store_ok(s) ? PQhost(s->conn) : NULL;

	if (!host) {
		snprintf(buf, size, "no server");
		return;
	}
	/* A Unix socket's host is its directory: the port is the whole address there too. */
	snprintf(buf, size, "%s at %s%s%s",
		 standby && strcmp(standby, "on") == 0 ? "a standby" : "the primary", host,
		 host[0] == '/' ? " port " : ":", PQport(s->conn));
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

/* True if st was prepared on this connection; else records it as prepared (0), or -1 if out
 * of memory. */
static int store_prepared(struct store *s, const struct store_stmt *st)
{
	for (size_t i = 0; i < s->nprepared; i++)
		if (s->prepared[i] == st)
			return 1;
	if (s->nprepared == s->capprepared) {
		size_t cap = s->capprepared ? s->capprepared * 2 : 16;
		const struct store_stmt **more = realloc(s->prepared, cap * sizeof *more);
		if (!more)
			return -1;
		s->prepared = more;
		s->capprepared = cap;
	}
	s->prepared[s->nprepared++] = st;
	return 0;
}

PGresult *store_run(struct store *s, const struct store_stmt *st, const char *const *params,
		    char *err, size_t errsize)
{
	PGresult *res;
	int known = store_prepared(s, st);

	if (known < 0) {
		snprintf(err, errsize, "%s: out of memory", st->name);
		return NULL;
	}
	if (!known) {
		res = PQprepare(s->conn, st->name, st->sql, st->nparams, NULL);
		if (PQresultStatus(res) != PGRES_COMMAND_OK) {
			s->nprepared--; /* not prepared after all: the next call tries again */
			store_error(s, res, st->name, err, errsize);
			PQclear(res);
			return NULL;
		}
		PQclear(res);
	}
	res = PQexecPrepared(s->conn, st->name, st->nparams, params, NULL, NULL, 0);
	ExecStatusType status = PQresultStatus(res);
	if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
		store_error(s, res, st->name, err, errsize);
		PQclear(res);
		return NULL;
	}
	return res;
}

int store_exec(struct store *s, const char *sql, char *err, size_t errsize)
{
	PGresult *res = PQexec(s->conn, sql);
	ExecStatusType st = PQresultStatus(res);
	int rc = (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) ? 0 : -1;
	if (rc < 0)
		store_error(s, res, sql, err, errsize);
	PQclear(res);
	return rc;
}

void store_rollback(struct store *s)
{
	char ignored[8];
	store_exec(s, "ROLLBACK", ignored, sizeof ignored);
}

void *store_rows(const PGresult *res, size_t size, store_row_fn read, size_t *n, char *err,
		 size_t errsize)
{
	int nt = PQntuples(res);
	/* One zeroed struct when there are no rows, so that NULL means only out of memory. */
	char *rows = calloc(nt > 0 ? (size_t)nt : 1, size);

	*n = 0;
	if (!rows) {
		snprintf(err, errsize, "out of memory");
		return NULL;
	}
	for (int t = 0; t < nt; t++)
		read(res, t, rows + (size_t)t * size);
	*n = (size_t)nt;
	return rows;
}

void *store_run_rows(struct store *s, const struct store_stmt *st, const char *const *params,
		     size_t size, store_row_fn read, size_t *n, char *err, size_t errsize)
{
	PGresult *res = store_run(s, st, params, err, errsize);
	void *rows = res ? store_rows(res, size, read, n, err, errsize) : NULL;

	if (!res)
		*n = 0;
	PQclear(res);
	return rows;
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

/* ---- COPY ---- */

/* Appends one byte, growing the buffer; remembers a failure in oom. */
static void copy_putc(struct store_copybuf *b, char c)
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

void store_copy_field(struct store_copybuf *b, const char *v, char sep)
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

void store_copy_int(struct store_copybuf *b, long long v, char sep)
{
	char num[32];
	snprintf(num, sizeof num, "%lld", v);
	store_copy_field(b, num, sep);
}

int store_copy(struct store *s, const char *sql, struct store_copybuf *b, char *err, size_t errsize)
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

/* ---- failures ---- */

enum store_failure store_failure_of(const char *sqlstate)
{
	static const char *const timeouts[] = {
	    "57014", /* query_canceled: statement_timeout */
	    "55P03", /* lock_not_available: lock_timeout */
	};
	/* The node, not the statement: another connection may reach a primary that works. */
	static const char *const node[] = {
	    "25006", /* read_only_sql_transaction: a standby, or a primary being demoted */
	    "42501", /* insufficient_privilege: also a data file the server cannot open */
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
	for (size_t i = 0; i < sizeof node / sizeof node[0]; i++)
		if (strcmp(sqlstate, node[i]) == 0)
			return STORE_FAIL_NODE;
	/* class 58, system error: I/O errors, files missing under the server */
	if (strncmp(sqlstate, "58", 2) == 0)
		return STORE_FAIL_NODE;
	for (size_t i = 0; i < sizeof transient / sizeof transient[0]; i++)
		if (strcmp(sqlstate, transient[i]) == 0)
			return STORE_FAIL_TRANSIENT;
	/* class 53, insufficient resources: disk full, out of memory, too many connections */
	if (strncmp(sqlstate, "53", 2) == 0)
		return STORE_FAIL_TRANSIENT;
	return STORE_FAIL_STATEMENT;
}

/* ---- shared by the pieces ---- */

void store_period_dates(const struct period *p, char d[4][16])
{
	int32_t first, last;
	period_range(p, CAL_STATISTICAL, &first, &last);
	date_format(first, d[0], 16);
	date_format(last, d[1], 16);
	period_range(p, CAL_ADMINISTRATIVE, &first, &last);
	date_format(first, d[2], 16);
	date_format(last, d[3], 16);
}
