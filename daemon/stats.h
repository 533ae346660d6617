/*
 * stats: chisod's live counters, per collector and overall.
 *
 * Updated by the main thread only.  Every ingest.status_interval_ms they are
 * summarised on one line for systemd (STATUS=) and written as JSON to the
 * database, where `chisoctl status` reads them (docs/operations.md explains
 * each figure).  "Connected" means seen within the last three heartbeats:
 * agents PING every 10 s.
 */
#ifndef CHISOD_STATS_H
#define CHISOD_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ratelimit.h"

struct peer_stat {
	char name[65];
	int64_t last_seen;				      /* unix seconds */
	uint64_t backlog_batches, backlog_rows, oldest_age_s; /* as the agent reported */
	uint64_t batches, rows, rejected;
	/* rate limit of warnings about this peer */
	struct ratelimit warn;
};

/*
 * Most open periods the metrics describe, the earliest deadline first: a
 * bound on the series a forgotten daily period could add (close it).
 */
#define STATS_PERIODS_MAX 48

/* An open period's units, as the housekeeper last counted them (housekeeper.h). */
struct stats_period {
	char code[16];
	uint64_t expected, missing; /* units expected to report, and those with nothing yet */
	int64_t due;		    /* the end of the deadline's day, unix seconds; 0: none */
};

struct stats {
	int64_t started; /* unix seconds */
	uint64_t batches_received, rows_received;
	uint64_t batches_committed, batches_duplicate, rows_accepted, rows_rejected;
	uint64_t batches_key_reused; /* a committed key with other rows: refused whole */
	uint64_t retries, bad_messages, replies_lost, commits;
	int64_t last_commit;	      /* unix seconds, 0 = never */
	uint64_t pending_rows;	      /* waiting for or in a commit */
	uint64_t commit_cap_rows;     /* rows a commit may hold now (commitcap.h) */
	uint64_t commit_timeouts;     /* commits cancelled by a timeout, split and retried */
	uint64_t commit_target_ms;    /* the duration commits aim at (commitcap.h) */
	uint64_t db_connect_failures; /* failed attempts to connect to PostgreSQL */
	uint64_t accept_failures;     /* connections libzmq could not accept (sockmon.h) */
	bool db_up;
	char db_error[240];
	uint64_t zap_accepted, zap_refused;
	/* handshakes whose key was looked up in the database first (zapq.h), and how that ended */
	uint64_t zap_parked, zap_admitted_after_read, zap_refused_after_read;
	size_t collectors_enrolled;
	/* the open periods (housekeeper_progress), and whether they were counted yet */
	struct stats_period periods[STATS_PERIODS_MAX];
	size_t nperiods;
	bool periods_known;
	/* rates over the last status interval */
	double batches_per_s, rows_per_s;
	uint64_t last_batches, last_rows;
	int64_t last_rate_ms;
	/* private to stats.c */
	struct peer_stat *peers;
	size_t npeers, cap;
	struct stats_reason {
		char code[33];
		uint64_t count;
	} reasons[48];
	size_t nreasons;
};

/* New zeroed counters; NULL if out of memory. */
struct stats *stats_new(void);
/* Frees and sets *sp to NULL; safe on NULL. */
void stats_destroy(struct stats **sp);
/* The figures of one collector, created on first sight; NULL if out of memory. */
struct peer_stat *stats_peer(struct stats *s, const char *name);
/* Counts one rejection by reason code. */
void stats_reason(struct stats *s, const char *code);
/* Recomputes the rates; call once per status interval with the monotonic clock. */
void stats_tick(struct stats *s, int64_t now_ms);
/* One line for systemd STATUS=. */
void stats_line(const struct stats *s, char *buf, size_t size);
/* The JSON document for the database (caller frees); NULL if out of memory. */
char *stats_json(const struct stats *s, int64_t now, int64_t connected_window_s);

#endif
