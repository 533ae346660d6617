/*
 * store_int: what the pieces of the storage module share, and nobody else.
 *
 * The storage module is one prefix (store_) in several files, one per concept:
 * lib/store.c (connections, statements, COPY, failures), lib/store_ingest.c,
 * lib/store_catalog.c, lib/store_period.c and lib/store_publish.c for what
 * chisod needs, and ctl/store_migrate.c, ctl/store_reference.c,
 * ctl/store_admin.c and ctl/store_report.c for what only chisoctl needs.  Each
 * file keeps its own table of named statements (struct store_stmt) and runs
 * them with store_run, which prepares a statement the first time a connection
 * runs it.  Only those files include this header: libpq stays inside them.
 */
#ifndef CHISO_STORE_INT_H
#define CHISO_STORE_INT_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

#include "period.h"
#include "store.h"

/* A named statement of a file's table, prepared on first use per connection.  Names are
 * unique across all the files: they are the prepared statements' names on the server. */
struct store_stmt {
	const char *name;
	const char *sql;
	int nparams;
};

struct store {
	PGconn *conn;
	const struct store_stmt **prepared; /* the statements prepared on this connection */
	size_t nprepared, capprepared;
	bool session;	  /* ingest_session() done on this connection */
	char sqlstate[6]; /* of the last error, "" if the server sent none */
	/* The first WARNING the server sent since store_warning_reset ("" if none): a COMMIT
	   whose wait for the synchronous standby was cancelled says so only this way. */
	char warning[240];
};

/* Forgets the last WARNING, before a statement whose warnings matter. */
void store_warning_reset(struct store *s);

/* Copies the libpq error (first line) into err after what, and keeps its SQLSTATE. */
void store_error(struct store *s, const PGresult *res, const char *what, char *err, size_t errsize);
/* Runs a table statement; returns the result (caller clears) or NULL with err. */
PGresult *store_run(struct store *s, const struct store_stmt *st, const char *const *params,
		    char *err, size_t errsize);
/* Runs a constant command that cannot be prepared; 0 or -1 with err. */
int store_exec(struct store *s, const char *sql, char *err, size_t errsize);
/* Rolls the open transaction back, ignoring a failure (the error that led here counts). */
void store_rollback(struct store *s);

/* Reads row t of a result into row, a struct of the caller's type. */
typedef void (*store_row_fn)(const PGresult *res, int t, void *row);
/* Reads every row of res with read into a new array of *n structs of size bytes, the
 * caller's to free (never empty: one zeroed struct when there are no rows); NULL with err
 * when out of memory.  res stays the caller's. */
void *store_rows(const PGresult *res, size_t size, store_row_fn read, size_t *n, char *err,
		 size_t errsize);
/* Runs a table statement and reads every row of its result as store_rows() does; the
 * array is the caller's to free, NULL with err when the statement fails or memory runs out. */
void *store_run_rows(struct store *s, const struct store_stmt *st, const char *const *params,
		     size_t size, store_row_fn read, size_t *n, char *err, size_t errsize);

/* Rows for COPY ... FROM STDIN in text format, built in memory; free data when done. */
struct store_copybuf {
	char *data;
	size_t len, cap;
	bool oom; /* an append failed: store_copy refuses the buffer */
};
/* Appends one text field (NULL for \N), escaped, then sep ('\t' or '\n'). */
void store_copy_field(struct store_copybuf *b, const char *v, char sep);
/* Appends one integer field, then sep. */
void store_copy_int(struct store_copybuf *b, long long v, char sep);
/* Sends a COPY ... FROM STDIN with the buffer's rows; 0 or -1 with err. */
int store_copy(struct store *s, const char *sql, struct store_copybuf *b, char *err,
	       size_t errsize);

/* A period's first and last days on both calendars, as the period table stores them:
 * statistical first, last, administrative first, last ("YYYY-MM-DD"). */
void store_period_dates(const struct period *p, char d[4][16]);

/* Reads row t of a statement with the publication columns (STORE_PUB_COLS) into p. */
void store_publication_read(const PGresult *res, int t, struct store_publication *p);

/* Publishing times are shown in Vietnam's time (UTC+7, no daylight saving), whatever the
 * server's time zone, so that a published report renders the same everywhere. */
#define STORE_PUB_COLS                                                                             \
	"id, period, unit_code, unit_name, version, coalesce(prev_period, ''), note, actor,"       \
	" published_by, to_char(published_at AT TIME ZONE 'UTC' + interval '7 hours',"             \
	" 'YYYY-MM-DD HH24:MI:SS'), nrows, nunits, content_hash, content_ok, latest"

#endif
