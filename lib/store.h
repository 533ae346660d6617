/*
 * store: the one module that talks to PostgreSQL.
 *
 * Every statement is a named entry of one table in store.c, prepared once per
 * connection, with values always passed as parameters or through COPY; the
 * logic lives in the SQL functions of sql/.  Results are converted into plain
 * structs here and every PGresult is cleared before a function returns, so no
 * libpq handle leaves this file.
 *
 * chisod uses the ingest side (one writer connection); chisoctl the
 * administration side (owner connection) and reports (reader connection).
 */
#ifndef CHISO_STORE_H
#define CHISO_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "batch.h"

struct store;
struct store_cancel;

struct store_options {
	const char *application_name;	/* shown in pg_stat_activity */
	long long statement_timeout_ms; /* 0: server default */
	long long connect_timeout_s;	/* 0: libpq default */
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

/* ---- ingest (chisod) ---- */

/* One batch of a group commit. */
struct store_item {
	int collector_id;
	int64_t received_us;	   /* microseconds since the epoch */
	const struct batch *batch; /* borrowed; rows already resolved to periods or refused */
	struct batch_ack ack;	   /* filled by store_ingest (arrays owned by the item) */
	bool done;		   /* ack is filled: the batch is committed (or was already) */
};

enum store_failure {
	STORE_FAIL_NONE,
	STORE_FAIL_CONNECTION, /* connection lost: the outcome of a COMMIT may be unknown */
	STORE_FAIL_STATEMENT,  /* the database refused a statement: nothing was written */
	STORE_FAIL_TIMEOUT,    /* cancelled by statement_timeout or lock_timeout: too slow, not
				  wrong; nothing was written, the same commit may succeed later */
	STORE_FAIL_TRANSIENT,  /* serialization failure, deadlock, insufficient resources:
				  nothing was written, the same commit may succeed later */
};

/* How store_ingest classifies a failed statement by its SQLSTATE (NULL or "": refused). */
enum store_failure store_failure_of(const char *sqlstate);

/*
 * Commits the items in one transaction and fills each item's ack.  Returns 0,
 * or -1 with *why and err; nothing is acked then (the batch keys make a retry
 * safe even if the COMMIT did happen).  After a timeout or a transient
 * failure the session's staging tables are dropped (they are made again by the
 * next commit): the rows of a rolled-back transaction stay in them as dead
 * rows until a commit succeeds (ON COMMIT DELETE ROWS empties them), nothing
 * vacuums them, and a database slow for an hour would otherwise leave them
 * gigabytes large.  A refused statement keeps them: the writer bisects such a
 * job, and each half would make them again.
 */
int store_ingest(struct store *s, struct store_item *items, size_t n, enum store_failure *why,
		 char *err, size_t errsize);

/* The latest catalogue document (JSON) and its version; the caller frees *doc. */
int store_catalog_current(struct store *s, char **doc, char *err, size_t errsize);

struct store_collector {
	int id;
	char name[65];
	char public_key[41];
	char unit_code[17];
	char unit_name[128];
	bool revoked;
	char created[20]; /* "YYYY-MM-DD HH:MM" */
	char last_batch[20];
	long long batches;
	char unit_until[11]; /* last day of the scope's unit when a reform closed it, or "" */
};
/* Every enrolled collector (with delivery figures if stats); the caller frees *out. */
int store_collectors(struct store *s, bool stats, struct store_collector **out, size_t *n,
		     char *err, size_t errsize);
/* Records the daemon's live counters (JSON) under its name. */
int store_status_write(struct store *s, const char *name, const char *json, char *err,
		       size_t errsize);
/* The last counters a daemon recorded and their age in seconds; caller frees *json. */
int store_status_read(struct store *s, const char *name, char **json, double *age_s, char *err,
		      size_t errsize);

/* ---- administration (chisoctl) ---- */

/*
 * Applies the numbered migrations of sql_dir that are not applied yet, each in
 * its own transaction, recording name and checksum.  Refuses when an applied
 * file has changed.  *applied gets the number applied now.
 */
int store_migrate(struct store *s, const char *sql_dir, int *applied, char *err, size_t errsize);

struct store_unit {
	long line; /* in the CSV file, for messages */
	const char *code, *name, *parent_code, *type;
	int level;
};
struct store_import_counts {
	int added, changed, closed, unchanged;
};
/* Loads a whole unit structure valid from valid_from ("YYYY-MM-DD" or "-infinity"). */
int store_units_import(struct store *s, const struct store_unit *units, size_t n,
		       const char *valid_from, struct store_import_counts *out, char *err,
		       size_t errsize);

struct crosswalk_row;
/* A problem of one line of an imported file, found by the database. */
struct store_problem {
	long line;
	char field[16];
	char message[256];
};
/*
 * Imports a checked crosswalk (lib/crosswalk.h) in one transaction: when the database finds
 * problems (units that do not exist on their days, weights of an old unit that do not add up
 * to 1), *problems gets them all (caller frees), nothing is imported and 0 is returned; else
 * *imported gets the rows written.  -1 with err when the database fails.
 */
int store_crosswalk_import(struct store *s, const struct crosswalk_row *rows, size_t n,
			   int *imported, struct store_problem **problems, size_t *nproblems,
			   char *err, size_t errsize);

struct store_catalog_counts {
	int added, updated, retired;
};
/* Applies a catalogue in its JSON form (catalog_to_json). */
int store_catalog_load(struct store *s, const char *json, struct store_catalog_counts *out,
		       char *err, size_t errsize);

/* Enrols a collector for the subtree of unit_code (its version valid today). */
int store_collector_add(struct store *s, const char *name, const char *public_key,
			const char *unit_code, char *err, size_t errsize);
/* Revokes a collector; 0, or -1 with err (unknown or already revoked). */
int store_collector_revoke(struct store *s, const char *name, char *err, size_t errsize);

struct store_report_row {
	char unit_code[17];
	char unit_name[128];
	int level;
	char tier[16];
	int depth;
	char indicator_code[65];
	char indicator_name[256];
	char pillar[32];
	char pillar_name[128];
	char kind[16];
	char measure[64];
	int decimals;
	char period[17];
	bool has_value;
	double value;
	bool has_ratio;
	double numerator, denominator;
	char qualifier[16];
	int reporting_units, expected_units;
	int on_time_units; /* reporting units whose value arrived by the deadline */
	/* for a period derived from finer ones: finer periods behind the value, summed over the
	 * reporting units, and how many there would be (0 and 0 otherwise) */
	int periods_reported, periods_expected;
	char native_period[16]; /* the indicator's finest period type */
	/* filled by store_report_live and store_report_published only (zero otherwise) */
	char indicator_name_en[256]; /* the Vietnamese name where the catalogue has no English */
	char pillar_name_en[128];
	int pillar_ord, indicator_ord; /* catalogue order */
	char prev_period[17];	       /* the period compared against (2024S1: 2023S2) */
	bool has_prev;		       /* the unit has a value for prev_period */
	double prev_value;
	bool prev_has_ratio;
	double prev_numerator, prev_denominator;
	char prev_qualifier[16];
	int prev_reporting_units; /* units behind the previous value (0 without one) */
};
/* The report rows of unit_code's subtree for one period; the caller frees *rows. */
int store_report(struct store *s, const char *period, const char *unit_code,
		 struct store_report_row **rows, size_t *n, char *err, size_t errsize);

struct store_difference {
	char check[32];
	char unit_code[17];
	char indicator_code[65];
	char period[17];
	char stored[160];
	char recomputed[160];
};
/*
 * Recomputes every rollup two ways (rebuild, and a plain aggregation) inside a
 * transaction it rolls back; fills the differences (caller frees) and *nrows.
 */
int store_rollup_verify(struct store *s, struct store_difference **diffs, size_t *n,
			long long *nrows, char *err, size_t errsize);
/* Recomputes every rollup from the observations and commits; *nrows gets the count. */
int store_rollup_rebuild(struct store *s, long long *nrows, char *err, size_t errsize);

/* ---- reports for people and published reports (chisoctl report, chisod's schedule) ---- */

/* A unit of a report's subtree, valid during the period. */
struct store_report_unit {
	char unit_code[17];
	char unit_name[128];
	int level;
	char tier[16];
	int depth;	     /* below the report's unit (0: that unit) */
	char group_code[17]; /* the child of the report's unit it lies under (itself for depth 0
				and 1): its district in a province report */
	char group_name[128];
	bool expected; /* expected to report something for the period */
	bool reported; /* has a value of its own (reported or derived) for the period */
	bool on_time;  /* reported, and every value arrived by its deadline */
};

/* A DTI pillar of the catalogue: a report has a section for each. */
struct store_report_pillar {
	char code[32];
	char name[128];
	char name_en[128]; /* the Vietnamese name where the catalogue has no English */
	int ord;
};

/* One published version of a report. */
struct store_publication {
	int id;
	char period[17];
	char unit_code[17];
	char unit_name[128];
	int version; /* 1, 2, ... per period and unit */
	char prev_period[17];
	char note[512];
	char actor[128];       /* who published: a login name, or a program */
	char role[64];	       /* the database role that published */
	char published_at[32]; /* Vietnam time (UTC+7): "2024-07-01 09:30:00" */
	int nrows, nunits;
	char content_hash[65]; /* SHA-256 of the frozen rows and units, hex */
	bool content_ok;       /* it still matches its seal and content_hash */
	bool latest;	       /* the latest version of its period and unit */
};

/* A whole report, live or as published: owned arrays, freed by store_report_set_destroy. */
struct store_report_set {
	struct store_report_row *rows; /* tree order, then catalogue order */
	size_t nrows;
	struct store_report_unit *units; /* tree order */
	size_t nunits;
	struct store_report_pillar *pillars; /* catalogue order */
	size_t npillars;
	bool published;
	struct store_publication pub; /* when published */
	/* store_report_on_structure only: the day whose structure the figures are re-expressed
	 * on ("" otherwise), and the units with figures left out for want of a crosswalk row */
	char on_structure[11];
	int nunmapped;
	char unmapped[512]; /* "536 Huyện Lý Sơn, ..." (cut) */
};

/*
 * The report of unit_code's subtree for a period as the figures stand: rows with English
 * names and the previous period's figures, the subtree's units and the catalogue's pillars,
 * read from one snapshot.
 * *out is the caller's (store_report_set_destroy); it has no rows if nothing was reported.
 */
int store_report_live(struct store *s, const char *period, const char *unit_code,
		      struct store_report_set **out, char *err, size_t errsize);
/*
 * The period's figures re-expressed through the crosswalk on the structure valid on day
 * ("YYYY-MM-DD"): set->on_structure is day.  Like store_report_live otherwise.
 */
int store_report_on_structure(struct store *s, const char *period, const char *unit_code,
			      const char *day, struct store_report_set **out, char *err,
			      size_t errsize);
/* A published version (0: the latest) exactly as it was frozen; -1 with err if none, or if it
 * no longer matches its seal (err names the publication and the parts that differ). */
int store_report_published(struct store *s, const char *period, const char *unit_code, int version,
			   struct store_report_set **out, char *err, size_t errsize);
/* Frees the set and sets *sp to NULL; safe on NULL. */
void store_report_set_destroy(struct store_report_set **sp);
/*
 * Freezes the live report as the next version of (period, unit_code), recording actor and
 * note, in one statement (chisoctl as chiso_owner; chisod's writer connection may call it
 * too).  Fills *out; -1 with err when there are no figures to publish.
 */
int store_report_publish(struct store *s, const char *period, const char *unit_code,
			 const char *actor, const char *note, struct store_publication *out,
			 char *err, size_t errsize);
/* Published versions, filtered by period and unit when not NULL; the caller frees *out. */
int store_publications(struct store *s, const char *period, const char *unit_code,
		       struct store_publication **out, size_t *n, char *err, size_t errsize);

/* One side of a change between a publication and the figures as they stand. */
struct store_change_side {
	bool has_value; /* false: no figure on this side */
	double value;
	bool has_ratio;
	double numerator, denominator;
	char qualifier[16];
};
struct store_change {
	char unit_code[17];
	char unit_name[128];
	int level;
	char indicator_code[65];
	char indicator_name[256];
	char indicator_name_en[256];
	char kind[16];
	int decimals;
	struct store_change_side published, current;
};
/*
 * What differs between a published version (0: the latest, filled into *pub) and the live
 * figures, in tree and catalogue order; the caller frees *out.  -1 with err if that version
 * was never published or no longer matches its seal.
 */
int store_report_changes(struct store *s, const char *period, const char *unit_code, int version,
			 struct store_publication *pub, struct store_change **out, size_t *n,
			 char *err, size_t errsize);

/* ---- periods: deadlines and locking ---- */

/* Replaces the stored deadlines with chisod.conf's (days per period type, daily .. yearly; -1
 * none). */
int store_period_deadlines(struct store *s, const long long days[6], bool auto_close, char *err,
			   size_t errsize);
/* Closes the periods whose deadline passed (where auto_close); *closed says how many. */
int store_period_autoclose(struct store *s, int *closed, char *err, size_t errsize);
/* Closes (close) or reopens a period by its identifier, recording actor and reason. */
int store_period_set_closed(struct store *s, const char *code, bool close, const char *actor,
			    const char *reason, char *err, size_t errsize);

/* One line of `chisoctl period list`. */
struct store_period {
	char code[16], type[16], adm[32], stat[32], due[16], closed[96];
};
/* Every known period; *out is freed by the caller. */
int store_period_list(struct store *s, struct store_period **out, size_t *n, char *err,
		      size_t errsize);

#endif
