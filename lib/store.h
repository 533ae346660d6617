/*
 * store: the one module that talks to PostgreSQL; here, its connections.
 *
 * The module is split by concept, one file and one table of named statements
 * each (lib/store_int.h lists them); every statement is prepared once per
 * connection, with values always passed as parameters or through COPY; the
 * logic lives in the SQL functions of sql/.  Results are converted into plain
 * structs and every PGresult is cleared before a function returns, so no
 * libpq handle leaves the module.
 *
 * This header is what chisod and chisoctl share: connections, cancelling and
 * failures, and at its end the pieces chisod uses (ingest, catalogue and
 * collectors, period housekeeping, publishing).  What only chisoctl uses is
 * declared in ctl/store_*.h.
 */
#ifndef CHISO_STORE_H
#define CHISO_STORE_H

#include <stdbool.h>
#include <stddef.h>

struct store;
struct store_cancel;

struct store_options {
	const char *application_name;	/* shown in pg_stat_activity */
	long long statement_timeout_ms; /* 0: server default */
	long long connect_timeout_s;	/* 0: libpq default */
	const char *synchronous_commit; /* the session's synchronous_commit; NULL: server's */
};

/* Connects and sets search_path, timeouts, TCP keepalives.  NULL with err on failure. */
struct store *store_open(const char *conninfo, const struct store_options *opt, char *err,
			 size_t errsize);
/* Closes the connection and sets *sp to NULL; safe on NULL. */
void store_close(struct store **sp);
/* True while the connection is usable. */
bool store_ok(const struct store *s);
/* The connection's socket, for poll() while waiting for notifications; -1 if none. */
int store_socket(const struct store *s);
/* Which server the connection reached, for a person: "the primary at 127.0.0.1:5432" or
 * "a standby at ..." (its in_hot_standby), into buf. */
void store_server_describe(const struct store *s, char *buf, size_t size);
/* LISTENs on the channels chiso_catalog, chiso_collectors and chiso_units. 0 or -1. */
int store_listen(struct store *s, char *err, size_t errsize);
/* Consumes pending input; returns the number of notifications received (0..), -1 if the
 * connection broke. */
int store_notifications(struct store *s);

/*
 * A handle that cancels the statement running on a connection, from another
 * thread (libpq's PQcancel is thread-safe; the connection itself is not).
 * The caller owns it; it stays valid after the connection is closed (a cancel
 * then reaches nothing).  NULL if out of memory or not connected.
 */
struct store_cancel *store_cancel_new(struct store *s);
/* Asks the server to cancel the running statement; 0, or -1 with err.  Blocks for a round trip. */
int store_cancel_send(struct store_cancel *c, char *err, size_t errsize);
/*
 * store_cancel_send from a detached thread of its own, which holds a reference
 * to c until it is done (a failure is logged), so that the caller never waits
 * on a server that does not answer (PQcancel has no timeout).  Does nothing
 * while the last one is still under way.  0, or -1 if no thread could start.
 */
int store_cancel_post(struct store_cancel *c);
/* Lets go of the handle (freed by the last holder) and sets *cp to NULL; safe on NULL. */
void store_cancel_destroy(struct store_cancel **cp);

enum store_failure {
	STORE_FAIL_NONE,
	STORE_FAIL_CONNECTION,	/* connection lost: the outcome of a COMMIT may be unknown */
	STORE_FAIL_STATEMENT,	/* the database refused a statement: nothing was written */
	STORE_FAIL_TIMEOUT,	/* cancelled by statement_timeout or lock_timeout: too slow, not
				   wrong; nothing was written, the same commit may succeed later */
	STORE_FAIL_TRANSIENT,	/* serialization failure, deadlock, insufficient resources:
				   nothing was written, the same commit may succeed later */
	STORE_FAIL_NODE,	/* this node cannot take writes: a standby now (after a
				   failover), or its files unreadable (a failing disk): nothing
				   was written; connect again, to whichever node is primary */
	STORE_FAIL_UNCONFIRMED, /* COMMIT came back with a warning (the wait for the
				   synchronous standby was cancelled): committed here but
				   perhaps on no standby, so not to be acknowledged; a resend
				   is settled by the batch keys */
};

/* How store_ingest classifies a failed statement by its SQLSTATE (NULL or "": refused). */
enum store_failure store_failure_of(const char *sqlstate);

/* The pieces chisod uses, so that store.h alone gives it the whole shared module. */
#include "store_catalog.h"
#include "store_ingest.h"
#include "store_period.h"
#include "store_publish.h"

#endif
