/*
 * ingest: admission, group commit, answers and stop of chisod's batches (see
 * ingest.h).  It reaches the world only through the sink and the peer
 * callbacks, so that a test drives it with neither sockets nor a database.
 */
#include "ingest.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "log.h"
#include "period.h"

int ingest_init(struct ingest *ig, const struct ingest_sink *sink, const struct ingest_peer *peer,
		struct stats *stats, const struct ingest_limits *limits,
		const struct commitcap *cap)
{
	memset(ig, 0, sizeof *ig);
	ig->sink = *sink;
	ig->peer = *peer;
	ig->stats = stats;
	ig->limits = *limits;
	ig->cap = *cap;
	jobq_init(&ig->sealed);
	ig->open = job_new();
	return ig->open ? 0 : -1;
}

void ingest_clear(struct ingest *ig)
{
	job_destroy(&ig->open);
	jobq_clear(&ig->sealed);
}

uint64_t ingest_pending_rows(const struct ingest *ig)
{
	return ig->open->rows + ig->sealed.rows + ig->inflight_rows;
}

bool ingest_stopped(const struct ingest *ig)
{
	return ig->draining && !ig->busy && ig->open->n == 0 && !ig->sealed.head;
}

long ingest_timeout_ms(const struct ingest *ig)
{
	if (ig->sealed.head && !ig->busy)
		return 0;
	if (ig->open->n && !ig->busy)
		return (long)ig->limits.commit_max_delay_ms;
	if (ig->draining)
		return 100; /* ingest_stop_tick */
	return 1000;
}

static void ingest_warn(struct ingest *ig, const char *collector, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void ingest_warn(struct ingest *ig, const char *collector, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	ig->peer.warn(ig->peer.ctx, collector, msg);
}

static const char *const ingest_retry_reasons[] = {
    [INGEST_RETRY_STOPPING] = "shutting down",
    [INGEST_RETRY_DB_DOWN] = "database unavailable",
    [INGEST_RETRY_NO_CATALOGUE] = "no catalogue loaded",
    [INGEST_RETRY_OVERLOADED] = "overloaded",
    [INGEST_RETRY_DB_BUSY] = "the database is busy",
    [INGEST_RETRY_NOT_COMMITTED] = "the batch could not be committed",
};

const char *ingest_retry_reason_name(enum ingest_retry_reason r)
{
	if ((size_t)r >= sizeof ingest_retry_reasons / sizeof ingest_retry_reasons[0])
		r = INGEST_RETRY_NOT_COMMITTED;
	return ingest_retry_reasons[r];
}

void ingest_retry(struct ingest *ig, const void *rid, size_t rid_len, int version, uint64_t epoch,
		  uint64_t seq, enum ingest_retry_reason reason)
{
	struct wire_retry r = {.epoch = epoch, .seq = seq, .after_ms = INGEST_RETRY_MS};
	snprintf(r.reason, sizeof r.reason, "%s", ingest_retry_reason_name(reason));
	char *body = wire_retry_encode(&r);
	ig->peer.reply(ig->peer.ctx, rid, rid_len, version, WIRE_RETRY, body);
	free(body);
	ig->stats->retries++;
}

void ingest_error(struct ingest *ig, const void *rid, size_t rid_len, int version,
		  enum wire_error_code code, const char *message)
{
	struct wire_error e;
	snprintf(e.code, sizeof e.code, "%s", wire_error_code_name(code));
	snprintf(e.message, sizeof e.message, "%s", message);
	char *body = wire_error_encode(&e);
	ig->peer.reply(ig->peer.ctx, rid, rid_len, version, WIRE_ERROR, body);
	free(body);
}

/*
 * Seals the open job when a batch of NROWS would take it past the commit cap
 * (ingest.commit_max_rows, less after a timeout: commitcap.h), so that a
 * transaction stays that small however many agents send at once while the
 * writer is busy (each of 20 agents with 8 batches in flight would otherwise
 * make one commit of 80 000 rows, and a restart would lose all of its work).
 * 0, or -1 if out of memory.
 */
static int ingest_seal(struct ingest *ig, uint64_t nrows)
{
	if (ig->open->n == 0 || ig->open->rows + nrows <= (uint64_t)ig->cap.cap)
		return 0;
	struct job *next = job_new();
	if (!next)
		return -1;
	jobq_push(&ig->sealed, &ig->open);
	ig->open = next;
	return 0;
}

/* A decoded batch (takes ownership of *bp): joins the open job, or is answered RETRY. */
static void ingest_admit(struct ingest *ig, const void *rid, size_t rid_len, int version,
			 const struct store_collector *c, struct batch **bp,
			 const struct catalog *cat)
{
	struct batch *b = *bp;

	*bp = NULL;
	ig->stats->batches_received++;
	ig->stats->rows_received += b->nrows;
	struct peer_stat *p = stats_peer(ig->stats, c->name);
	if (p)
		p->last_seen = time(NULL);
	if (ig->draining)
		ingest_retry(ig, rid, rid_len, version, b->epoch, b->seq, INGEST_RETRY_STOPPING);
	else if (!ig->db_up)
		ingest_retry(ig, rid, rid_len, version, b->epoch, b->seq, INGEST_RETRY_DB_DOWN);
	else if (!cat)
		ingest_retry(ig, rid, rid_len, version, b->epoch, b->seq,
			     INGEST_RETRY_NO_CATALOGUE);
	else if (ingest_pending_rows(ig) + b->nrows > (uint64_t)ig->limits.pending_max_rows)
		ingest_retry(ig, rid, rid_len, version, b->epoch, b->seq, INGEST_RETRY_OVERLOADED);
	else {
		job_prepare(b, cat);
		if (ingest_seal(ig, b->nrows) < 0 || job_add(ig->open, rid, rid_len, version, c->id,
							     c->name, &b, clock_real_us()) < 0)
			ingest_retry(ig, rid, rid_len, version, b ? b->epoch : 0, b ? b->seq : 0,
				     INGEST_RETRY_OVERLOADED);
	}
	batch_destroy(&b);
}

void ingest_batch(struct ingest *ig, const void *rid, size_t rid_len, int version,
		  const struct store_collector *c, const char *body, size_t len,
		  const struct wire_limits *lim, const struct catalog *cat)
{
	struct batch *b = NULL;
	char err[256];

	if (batch_decode(body, len, lim, &b, err, sizeof err) < 0) {
		ig->stats->bad_messages++;
		ingest_warn(ig, c->name, "BATCH refused: %s", err);
		ingest_error(ig, rid, rid_len, version, batch_error_code(err), err);
		return;
	}
	ingest_admit(ig, rid, rid_len, version, c, &b, cat);
}

/* A HELLO or PING body that does not decode: counted and refused. */
static void ingest_bad_body(struct ingest *ig, const void *rid, size_t rid_len, int version,
			    const char *err)
{
	ig->stats->bad_messages++;
	ingest_error(ig, rid, rid_len, version, WIRE_ERR_BAD_BODY, err);
}

/* Notes that collector c was heard from, with the backlog it says it has; its figures or NULL. */
static struct peer_stat *ingest_seen(struct ingest *ig, const struct store_collector *c,
				     uint64_t backlog_batches, uint64_t backlog_rows)
{
	struct peer_stat *p = stats_peer(ig->stats, c->name);

	if (p) {
		p->last_seen = time(NULL);
		p->backlog_batches = backlog_batches;
		p->backlog_rows = backlog_rows;
	}
	return p;
}

/* true if an indicator of cat is reported per period type and in calendar of p. */
static bool ingest_period_used(const struct catalog *cat, const struct welcome_period *p)
{
	int type = period_type_from_name(p->type), cal = period_calendar_from_name(p->calendar);

	for (size_t i = 0; cat && type >= 0 && i < cat->nindicators; i++) {
		const struct indicator *ind = &cat->indicators[i];
		if ((ind->period_types & (1u << type)) && (int)ind->calendar == cal)
			return true;
	}
	return false;
}

/* Version 2's part of w: c's unit, and the open periods of periods that cat uses. */
static void ingest_welcome2(struct wire_welcome *w, const struct store_collector *c,
			    const struct catalog *cat, const struct welcome_period *periods,
			    size_t nperiods)
{
	w->version = 2;
	snprintf(w->unit.code, sizeof w->unit.code, "%s", c->unit_code);
	snprintf(w->unit.name_vi, sizeof w->unit.name_vi, "%s", c->unit_name);
	snprintf(w->unit.tier, sizeof w->unit.tier, "%s", c->unit_tier);
	for (size_t i = 0; i < nperiods && w->nperiods < WELCOME_PERIODS_MAX; i++)
		if (!periods[i].closed && ingest_period_used(cat, &periods[i]))
			w->periods[w->nperiods++] = periods[i];
}

void ingest_hello(struct ingest *ig, const void *rid, size_t rid_len, int version,
		  const struct store_collector *c, const char *body, size_t len,
		  const struct wire_limits *lim, const struct catalog *cat,
		  const struct welcome_period *periods, size_t nperiods)
{
	struct wire_hello h;
	struct wire_welcome w;
	char err[256];

	if (wire_hello_decode(body, len, lim, &h, err, sizeof err) < 0) {
		ingest_bad_body(ig, rid, rid_len, version, err);
		return;
	}
	ingest_seen(ig, c, h.backlog_batches, h.backlog_rows);
	memset(&w, 0, sizeof w);
	log_info("collector %s: hello from %s, %llu batches queued", c->name, h.agent,
		 (unsigned long long)h.backlog_batches);
	snprintf(w.server, sizeof w.server, "chisod %s", CHISO_VERSION);
	snprintf(w.collector, sizeof w.collector, "%s", c->name);
	snprintf(w.scope, sizeof w.scope, "%s", c->unit_code);
	w.max_rows = lim->max_rows;
	w.max_body = lim->max_body;
	snprintf(w.catalog_version, sizeof w.catalog_version, "%s", cat ? cat->version : "");
	if (version >= 2)
		ingest_welcome2(&w, c, cat, periods, nperiods);
	char *out = wire_welcome_encode(&w);
	ig->peer.reply(ig->peer.ctx, rid, rid_len, version, WIRE_WELCOME, out);
	free(out);
}

void ingest_ping(struct ingest *ig, const void *rid, size_t rid_len, int version,
		 const struct store_collector *c, const char *body, size_t len,
		 const struct wire_limits *lim)
{
	struct wire_ping ping;
	char err[256];

	if (wire_ping_decode(body, len, lim, &ping, err, sizeof err) < 0) {
		ingest_bad_body(ig, rid, rid_len, version, err);
		return;
	}
	struct peer_stat *p = ingest_seen(ig, c, ping.backlog_batches, ping.backlog_rows);
	if (p)
		p->oldest_age_s = ping.oldest_age_s;
	ig->peer.reply(ig->peer.ctx, rid, rid_len, version, WIRE_PONG, "{}");
}

/*
 * A commit that timed out, while not stopping: unless it held a single
 * batch, its batches go back to the head of the queue in jobs of at most the
 * new cap and at most half its rows, and the jobs waiting are cut to the new
 * cap too, so the next commits are small at once and something is committed
 * while the database is slow.  Nothing is answered for them yet.  A single
 * batch that timed out alone is answered RETRY: its agent sends it again after
 * the RETRY's pause (INGEST_RETRY_MS and some jitter), the commits of other
 * batches meanwhile, and the cap stays low.  Returns the jobs the commit was
 * cut into, 0 if none.
 */
static size_t ingest_requeue(struct ingest *ig, struct job *j, int *recut)
{
	uint64_t pending = 0, limit = (uint64_t)ig->cap.cap;
	size_t npending = 0;
	struct job *chain = NULL;
	int pieces;

	*recut = 0;
	for (size_t i = 0; i < j->n; i++)
		if (!j->entries[i].item.done) {
			pending += j->entries[i].batch->nrows;
			npending++;
		}
	if (npending < 2)
		return 0;
	if (limit > (pending + 1) / 2)
		limit = (pending + 1) / 2;
	if ((pieces = job_split(j, limit, &chain)) < 0)
		return 0; /* out of memory: its batches are answered RETRY */
	/* The open job too may have grown past the new cap: sealed, it is cut with the rest. */
	if (ingest_seal(ig, 0) < 0 || (*recut = jobq_recut(&ig->sealed, (uint64_t)ig->cap.cap)) < 0)
		*recut = 0; /* out of memory: those jobs go as they are */
	jobq_push_front(&ig->sealed, &chain);
	return (size_t)pieces;
}

/*
 * Adapts the commit cap to how the job's commit went; after a timeout splits
 * it (ingest_requeue), and says once per occurrence why a commit that was
 * merely slow or unlucky was not made.
 */
static void ingest_job_pace(struct ingest *ig, struct job *j)
{
	if (j->result == JOB_COMMITTED) {
		/* Said once after a timeout, when the cap has doubled back. */
		long long cap = commitcap_committed(&ig->cap, j->commit_rows, j->commit_ms);
		if (commitcap_recovered(&ig->cap))
			log_info("commits are quick again (%lld ms for %llu rows): they may now "
				 "hold %lld rows",
				 (long long)j->commit_ms, (unsigned long long)j->commit_rows, cap);
	} else if (ig->draining && j->failure != STORE_FAIL_NONE) {
		log_info("stopping: the commit in progress (%llu rows) ended after %lld ms without "
			 "committing (%s); its batches are answered RETRY",
			 (unsigned long long)j->commit_rows, (long long)j->commit_ms, j->error);
	} else if (j->failure == STORE_FAIL_TIMEOUT) {
		int recut = 0;
		commitcap_timeout(&ig->cap, j->commit_rows, j->commit_ms);
		size_t pieces = ingest_requeue(ig, j, &recut);
		if (pieces)
			log_warn(
			    "a commit of %llu rows timed out after %lld ms (%s); it is split in "
			    "%zu commits tried again at once, %d waiting commits were cut too, "
			    "and commits now hold at most %lld rows",
			    (unsigned long long)j->commit_rows, (long long)j->commit_ms, j->error,
			    pieces, recut, ig->cap.cap);
		else
			log_warn("a commit of %llu rows (a single batch) timed out after %lld ms "
				 "(%s); it is answered RETRY and its agent sends it again later; "
				 "commits now hold at most %lld rows",
				 (unsigned long long)j->commit_rows, (long long)j->commit_ms,
				 j->error, ig->cap.cap);
	} else if (j->failure == STORE_FAIL_TRANSIENT || j->failure == STORE_FAIL_UNCONFIRMED) {
		log_warn("a commit of %llu rows failed after %lld ms (%s); its batches are "
			 "answered RETRY",
			 (unsigned long long)j->commit_rows, (long long)j->commit_ms, j->error);
	}
}

/* Answers every batch left in a finished job: ACK if committed, RETRY if not. */
static void ingest_answer(struct ingest *ig, struct job *j)
{
	int64_t now = time(NULL);
	bool busy = j->failure == STORE_FAIL_TIMEOUT || j->failure == STORE_FAIL_TRANSIENT ||
		    j->failure == STORE_FAIL_UNCONFIRMED;

	ingest_job_pace(ig, j);
	for (size_t i = 0; i < j->n; i++) {
		struct job_entry *e = &j->entries[i];
		struct peer_stat *p = stats_peer(ig->stats, e->collector);
		if (!e->item.done) {
			ingest_retry(ig, e->routing_id, e->routing_id_len, e->version,
				     e->batch->epoch, e->batch->seq,
				     ig->draining ? INGEST_RETRY_STOPPING
				     : !ig->db_up ? INGEST_RETRY_DB_DOWN
				     : busy	  ? INGEST_RETRY_DB_BUSY
						  : INGEST_RETRY_NOT_COMMITTED);
			continue;
		}
		struct batch_ack *a = &e->item.ack;
		if (a->status == ACK_DUPLICATE) {
			ig->stats->batches_duplicate++;
		} else if (a->status == ACK_KEY_REUSED) {
			/* Acking it would drop its figures; the agent re-keys it and sends again.
			 */
			ig->stats->batches_key_reused++;
			ingest_warn(ig, e->collector,
				    "batch %llu/%llu (%zu rows) reuses a key already committed "
				    "with other rows: refused as key_reused, nothing stored",
				    (unsigned long long)e->batch->epoch,
				    (unsigned long long)e->batch->seq, e->batch->nrows);
		} else {
			ig->stats->batches_committed++;
			ig->stats->rows_accepted += a->accepted;
			ig->stats->rows_rejected += a->nrejected;
			for (size_t r = 0; r < a->nrejected; r++)
				stats_reason(ig->stats, a->rejected[r].code);
			if (p) {
				p->batches++;
				p->rows += e->batch->nrows;
				p->rejected += a->nrejected;
			}
		}
		char *body = batch_ack_encode(a);
		ig->peer.reply(ig->peer.ctx, e->routing_id, e->routing_id_len, e->version, WIRE_ACK,
			       body);
		free(body);
	}
	if (j->result == JOB_COMMITTED) {
		ig->stats->commits++;
		ig->stats->last_commit = now;
	}
}

/* Hands the oldest sealed job to the writer, which is free. */
static void ingest_flush_sealed(struct ingest *ig)
{
	struct job *j = jobq_pop(&ig->sealed);
	uint64_t rows = j->rows;

	if (ig->sink.submit(ig->sink.ctx, &j) < 0) {
		jobq_push_front(&ig->sealed, &j); /* back at the head: try again next turn */
		return;
	}
	ig->busy = true;
	ig->inflight_rows = rows;
}

/* Hands a sealed job, or else the open job once it is due, to the writer when it is free. */
void ingest_flush(struct ingest *ig, int64_t now_us)
{
	if (ig->busy)
		return;
	if (ig->sealed.head) {
		ingest_flush_sealed(ig);
		return;
	}
	if (ig->open->n == 0)
		return;
	int64_t age_ms = (now_us - ig->open->first_us) / 1000;
	if (!ig->draining && (int64_t)ig->open->rows < ig->cap.cap &&
	    age_ms < ig->limits.commit_max_delay_ms)
		return;
	struct job *next = job_new();
	if (!next)
		return; /* try again next turn */
	uint64_t rows = ig->open->rows;
	if (ig->sink.submit(ig->sink.ctx, &ig->open) < 0) {
		job_destroy(&next);
		return;
	}
	ig->open = next;
	ig->busy = true;
	ig->inflight_rows = rows;
}

/* Answers RETRY to every batch of *jp and frees it; returns how many there were. */
static size_t ingest_job_retry(struct ingest *ig, struct job **jp, enum ingest_retry_reason reason)
{
	size_t n = (*jp)->n;

	for (size_t i = 0; i < n; i++) {
		const struct job_entry *e = &(*jp)->entries[i];
		ingest_retry(ig, e->routing_id, e->routing_id_len, e->version, e->batch->epoch,
			     e->batch->seq, reason);
	}
	job_destroy(jp);
	return n;
}

/*
 * SIGTERM: a stop must end within systemd's TimeoutStopSec whatever the
 * database does, so the batches not yet handed to the writer are answered
 * RETRY at once (their agents keep them and send them again to the next
 * chisod), and the commit in progress, if any, is given INGEST_STOP_GRACE_MS
 * before it is cancelled (ingest_stop_tick).  Nothing is acked that was not
 * committed.
 */
size_t ingest_stop_begin(struct ingest *ig, int64_t now_ms)
{
	struct job *j;
	size_t n = 0;

	ig->draining = true;
	ig->stop_ms = now_ms;
	while ((j = jobq_pop(&ig->sealed)) != NULL)
		n += ingest_job_retry(ig, &j, INGEST_RETRY_STOPPING);
	if (ig->open->n) {
		struct job *next = job_new();
		if (next) {
			n += ingest_job_retry(ig, &ig->open, INGEST_RETRY_STOPPING);
			ig->open = next;
		}
	}
	if (ig->busy)
		log_info(
		    "stopping: %zu batches not yet committed are answered RETRY; the commit in "
		    "progress (%llu rows) may finish for %d ms",
		    n, (unsigned long long)ig->inflight_rows, INGEST_STOP_GRACE_MS);
	else
		log_info("stopping: %zu batches not yet committed are answered RETRY", n);
	return n;
}

void ingest_stop_tick(struct ingest *ig, int64_t now)
{
	if (!ig->draining || !ig->busy || now - ig->stop_ms < INGEST_STOP_GRACE_MS)
		return;
	if (ig->cancel_ms && now - ig->cancel_ms < INGEST_CANCEL_EVERY_MS)
		return;
	if (!ig->cancel_ms)
		log_info("stopping: cancelling the commit in progress (%llu rows), still running "
			 "%lld ms after SIGTERM",
			 (unsigned long long)ig->inflight_rows, (long long)(now - ig->stop_ms));
	ig->sink.cancel(ig->sink.ctx);
	ig->cancel_ms = now;
}

void ingest_done(struct ingest *ig, struct job **jp)
{
	ig->busy = false;
	ig->inflight_rows = 0;
	ingest_answer(ig, *jp);
	job_destroy(jp);
}
