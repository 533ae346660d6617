/*
 * ingest: chisod's protocol core, between the socket loop and storage.
 *
 * It answers HELLO and PING, admits decoded batches into the open job or
 * answers RETRY (stopping, database down, no catalogue, overloaded), seals
 * jobs at the commit cap,
 * hands them one at a time to a sink, and answers each batch of a finished
 * job: ACK with its result, or RETRY.  A commit that timed out is cut into
 * smaller jobs and tried again (commitcap.h, jobq.h); SIGTERM answers what
 * waits RETRY and cancels the commit in progress after a grace.
 *
 * It touches neither sockets nor the database: jobs go to a struct
 * ingest_sink (the writer thread in chisod, memory in the unit tests) and
 * replies to a struct ingest_peer (the ROUTER socket, or a recorder), so the
 * state machine is tested in milliseconds (tests/unit/test_ingest.c).
 */
#ifndef CHISOD_INGEST_H
#define CHISOD_INGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "batch.h"
#include "catalog.h"
#include "commitcap.h"
#include "job.h"
#include "jobq.h"
#include "stats.h"
#include "store.h"
#include "wire.h"

/* The pause a RETRY asks for. */
#define INGEST_RETRY_MS 2000
/*
 * SIGTERM during a commit: it may finish for INGEST_STOP_GRACE_MS, then its
 * statement is cancelled (again every INGEST_CANCEL_EVERY_MS, in case a cancel
 * reached the server between two statements).
 */
#define INGEST_STOP_GRACE_MS   1000
#define INGEST_CANCEL_EVERY_MS 500

/* Where jobs are committed.  A finished job comes back through ingest_done. */
struct ingest_sink {
	void *ctx;
	/* Takes ownership of *jp (sets it to NULL) and starts its commit; 0 or -1. */
	int (*submit)(void *ctx, struct job **jp);
	/* Cancels the commit in progress, without waiting. */
	void (*cancel)(void *ctx);
};

/* Where replies go. */
struct ingest_peer {
	void *ctx;
	/* Sends body (NULL: out of memory, say so) as cmd to the peer rid, tagged version. */
	void (*reply)(void *ctx, const void *rid, size_t rid_len, int version,
		      enum wire_command cmd, const char *body);
	/* A warning about a collector (rate-limited by the peer's owner). */
	void (*warn)(void *ctx, const char *collector, const char *msg);
};

struct ingest_limits {
	long long commit_max_delay_ms; /* ingest.commit_max_delay_ms */
	long long pending_max_rows;    /* ingest.pending_max_rows */
};

struct ingest {
	struct ingest_sink sink;
	struct ingest_peer peer;
	struct stats *stats; /* borrowed: the counters it adds to */
	struct ingest_limits limits;
	struct commitcap cap;	    /* rows a job may hold (commitcap.h) */
	struct job *open;	    /* the job batches join */
	struct jobq sealed;	    /* full jobs waiting for the sink, oldest first */
	uint64_t inflight_rows;	    /* rows of the job the sink holds */
	bool busy;		    /* the sink holds a job */
	bool db_up;		    /* set by the caller: batches are admitted only then */
	bool draining;		    /* SIGTERM: everything is answered RETRY */
	int64_t stop_ms, cancel_ms; /* SIGTERM, the last cancel sent (monotonic); 0: none */
};

/* An idle core; 0, or -1 if out of memory.  stats is borrowed. */
int ingest_init(struct ingest *ig, const struct ingest_sink *sink, const struct ingest_peer *peer,
		struct stats *stats, const struct ingest_limits *limits,
		const struct commitcap *cap);
/* Frees the jobs it holds (answering nothing). */
void ingest_clear(struct ingest *ig);
/* Rows received and not yet answered: the open job, the sealed ones, the one in the sink. */
uint64_t ingest_pending_rows(const struct ingest *ig);
/* True when stopping and nothing is left to answer: the loop may end. */
bool ingest_stopped(const struct ingest *ig);
/* The longest the loop may sleep before ingest_flush is due (ms). */
long ingest_timeout_ms(const struct ingest *ig);
/*
 * A BATCH body from collector c: refused with ERROR (and counted) if it does
 * not decode within lim, else joins the open job or is answered RETRY.  cat:
 * the catalogue, NULL if none is loaded.
 */
void ingest_batch(struct ingest *ig, const void *rid, size_t rid_len, int version,
		  const struct store_collector *c, const char *body, size_t len,
		  const struct wire_limits *lim, const struct catalog *cat);
/*
 * A HELLO (at every connection, so again after a reconnect): notes the
 * agent's backlog and answers WELCOME with the limits lim and the catalogue
 * version, in the HELLO's version; version 2 adds c's unit and those of the
 * nperiods periods that are open and of a type and calendar cat uses.  ERROR
 * (counted) if the body does not decode.
 */
void ingest_hello(struct ingest *ig, const void *rid, size_t rid_len, int version,
		  const struct store_collector *c, const char *body, size_t len,
		  const struct wire_limits *lim, const struct catalog *cat,
		  const struct welcome_period *periods, size_t nperiods);
/* A PING: notes the agent's backlog and answers PONG; ERROR (counted) if it does not decode. */
void ingest_ping(struct ingest *ig, const void *rid, size_t rid_len, int version,
		 const struct store_collector *c, const char *body, size_t len,
		 const struct wire_limits *lim);
/* Answers ERROR with a code of wire.h's table and a message. */
void ingest_error(struct ingest *ig, const void *rid, size_t rid_len, int version,
		  enum wire_error_code code, const char *message);
/* Why a batch is answered RETRY; the reason's text is ingest_retry_reason_name's. */
enum ingest_retry_reason {
	INGEST_RETRY_STOPPING,	    /* SIGTERM: the next chisod takes it */
	INGEST_RETRY_DB_DOWN,	    /* no database connection */
	INGEST_RETRY_NO_CATALOGUE,  /* no catalogue to check rows against */
	INGEST_RETRY_OVERLOADED,    /* too many rows wait for a commit */
	INGEST_RETRY_DB_BUSY,	    /* the commit timed out or failed for a while */
	INGEST_RETRY_NOT_COMMITTED, /* the commit failed otherwise */
	INGEST_RETRY_NREASONS
};

/* The exact text of a RETRY's "reason" ("shutting down", ...), one table. */
const char *ingest_retry_reason_name(enum ingest_retry_reason r);
/* Answers RETRY for one batch. */
void ingest_retry(struct ingest *ig, const void *rid, size_t rid_len, int version, uint64_t epoch,
		  uint64_t seq, enum ingest_retry_reason reason);
/* A job back from the sink (takes ownership of *jp): paces, answers, frees. */
void ingest_done(struct ingest *ig, struct job **jp);
/* Hands a sealed job, or the open one once due, to the sink if it is free. now_us: real time. */
void ingest_flush(struct ingest *ig, int64_t now_us);
/* SIGTERM at now_ms (monotonic): answers RETRY to what waits; returns how many. */
size_t ingest_stop_begin(struct ingest *ig, int64_t now_ms);
/* While stopping: cancels the commit in progress after its grace, again now and then. */
void ingest_stop_tick(struct ingest *ig, int64_t now_ms);

#endif
