/* ingest (chisod): the batches' state machine against an in-memory sink and a recording peer,
 * no socket and no database.  Each case is a script of events (batches, flushes, the sink's
 * outcome, SIGTERM) and the replies the agents get, in order: group commit and the commit cap,
 * duplicates, RETRY for every reason, timeouts cut and retried, the stop's answers and cancels. */
#include "testutil.h"

#include "clock.h"
#include "ingest.h"
#include "period.h"

/* The sink: holds the one job handed over, as the writer thread would. */
struct memsink {
	struct job *held;
	uint64_t keys[32]; /* epoch << 32 | seq of the batches committed, as the batch table */
	size_t nkeys;
	char submits[64]; /* batches per job handed over, e.g. "2,1" */
	int cancels;
};

static int mem_submit(void *ctx, struct job **jp)
{
	struct memsink *m = ctx;
	size_t len = strlen(m->submits);

	assert_null(m->held); /* one job at a time */
	snprintf(m->submits + len, sizeof m->submits - len, "%s%zu", len ? "," : "", (*jp)->n);
	m->held = *jp;
	*jp = NULL;
	return 0;
}

static void mem_cancel(void *ctx)
{
	((struct memsink *)ctx)->cancels++;
}

/*
 * The peer: replies as "A<seq>" (ack), "D<seq>" (duplicate), "R<seq>[reason]"; a WELCOME of
 * version 2 as "W2[collector/catalogue/tier/periods]"; any other reply tagged version 2 with
 * "@2" after it.
 */
static void rec_reply(void *ctx, const void *rid, size_t rid_len, int version,
		      enum wire_command cmd, const char *body)
{
	char *out = ctx, tok[96] = "?", err[128];
	struct wire_limits lim = wire_default_limits;
	size_t len = strlen(out);

	(void)rid;
	(void)rid_len;
	if (cmd == WIRE_RETRY) {
		struct wire_retry r;
		assert_int_equal(wire_retry_decode(body, strlen(body), &lim, &r, err, sizeof err),
				 0);
		snprintf(tok, sizeof tok, "R%llu[%s]", (unsigned long long)r.seq, r.reason);
	} else if (cmd == WIRE_WELCOME) {
		struct wire_welcome w;
		char periods[64] = "";
		assert_int_equal(
		    wire_welcome_decode(body, strlen(body), &lim, version, &w, err, sizeof err), 0);
		for (size_t i = 0; i < w.nperiods; i++)
			snprintf(periods + strlen(periods), sizeof periods - strlen(periods),
				 "%s%s", i ? "," : "", w.periods[i].period);
		if (version == 2)
			snprintf(tok, sizeof tok, "W2[%s/%s/%s/%s]", w.collector, w.catalog_version,
				 w.unit.tier, periods);
		else
			snprintf(tok, sizeof tok, "W[%s/%s]", w.collector, w.catalog_version);
	} else if (cmd == WIRE_PONG) {
		snprintf(tok, sizeof tok, "P");
	} else if (cmd == WIRE_ERROR) {
		struct wire_error e;
		assert_int_equal(wire_error_decode(body, strlen(body), &lim, &e, err, sizeof err),
				 0);
		snprintf(tok, sizeof tok, "E[%s]", e.code);
	} else if (cmd == WIRE_ACK) {
		struct batch_ack a = {0};
		assert_int_equal(batch_ack_decode(body, strlen(body), &lim, &a, err, sizeof err),
				 0);
		snprintf(tok, sizeof tok, "%c%llu", a.status == ACK_DUPLICATE ? 'D' : 'A',
			 (unsigned long long)a.seq);
		batch_ack_clear(&a);
	}
	snprintf(out + len, 512 - len, "%s%s%s", len ? " " : "", tok,
		 version == 2 && cmd != WIRE_WELCOME ? "@2" : "");
}

static void rec_warn(void *ctx, const char *collector, const char *msg)
{
	(void)ctx;
	(void)collector;
	(void)msg;
}

/* Whether the key was committed before (a duplicate), recording it if not. */
static bool mem_seen(struct memsink *m, uint64_t epoch, uint64_t seq)
{
	uint64_t key = epoch << 32 | seq;

	for (size_t i = 0; i < m->nkeys; i++)
		if (m->keys[i] == key)
			return true;
	assert_true(m->nkeys < sizeof m->keys / sizeof m->keys[0]);
	m->keys[m->nkeys++] = key;
	return false;
}

/* The sink finishes its job: every batch committed, or acked as a duplicate if its key was
 * committed before (c), or none (t: timed out, x: a transient failure). */
static void finish(struct ingest *ig, struct memsink *m, char how)
{
	struct job *j = m->held;

	assert_non_null(j);
	m->held = NULL;
	j->commit_rows = j->rows;
	j->commit_ms = how == 't' ? 15000 : 10;
	j->result = how == 'c' ? JOB_COMMITTED : JOB_RETRY;
	j->failure = how == 't'	  ? STORE_FAIL_TIMEOUT
		     : how == 'x' ? STORE_FAIL_TRANSIENT
				  : STORE_FAIL_NONE;
	snprintf(j->error, sizeof j->error, "%s", how == 't' ? "timeout" : "");
	for (size_t i = 0; i < j->n && j->result == JOB_COMMITTED; i++) {
		struct job_entry *e = &j->entries[i];
		e->item.done = true;
		e->item.ack.epoch = e->batch->epoch;
		e->item.ack.seq = e->batch->seq;
		e->item.ack.status =
		    mem_seen(m, e->batch->epoch, e->batch->seq) ? ACK_DUPLICATE : ACK_COMMITTED;
		e->item.ack.accepted = e->batch->nrows;
	}
	ingest_done(ig, &j);
}

struct ingest_case {
	const char *name;
	long long cap, delay_ms, pending_max;
	const char *script;
	const char *replies;
	const char *submits;
	int cancels;
	bool stopped;
	int bad; /* bad_messages counted */
};

/* The BATCH body of n rows with key epoch/seq, as an agent sends it. */
static char *make_body(uint64_t epoch, uint64_t seq, size_t n)
{
	struct batch *b = batch_new(n);
	const char *why;

	b->epoch = epoch;
	b->seq = seq;
	for (size_t i = 0; i < n; i++) {
		struct batch_row *r = &b->rows[i];
		snprintf(r->unit, sizeof r->unit, "21298");
		snprintf(r->indicator, sizeof r->indicator, "0101");
		snprintf(r->period, sizeof r->period, "2024");
		assert_int_equal(num_parse("5", 1, &r->value, &why), 0);
	}
	char *body = batch_encode(b);
	batch_destroy(&b);
	assert_non_null(body);
	return body;
}

/*
 * Script words: hello (badhello: cut short; agenthello: the agent field alone) and ping as an
 * agent sends them; bN a batch of N rows
 * (seq 1, 2, ...); f flush now, F flush a minute later; eN the agent's epoch from now on (seq
 * starts again at 1); =N the batch of seq N again (a resend after a reconnect); junk and huge: a
 * body that does not decode, a batch over the row limit; c t x the sink's outcome (see finish);
 * down/up the database; nocat no catalogue loaded; S SIGTERM at 0 ms; kN a stop tick at N ms;
 * v2 (v1) the messages after it are tagged version 2 (1).  The open periods a WELCOME of
 * version 2 may list are those of 7 December 2026, 2026S1 (administrative) closed.
 */
static void run_case(const struct ingest_case *tc, const struct catalog *cat)
{
	struct memsink m = {0};
	char replies[512] = "", script[256];
	struct stats *st = stats_new();
	const struct ingest_sink sink = {&m, mem_submit, mem_cancel};
	const struct ingest_peer peer = {replies, rec_reply, rec_warn};
	const struct ingest_limits lim = {tc->delay_ms, tc->pending_max ? tc->pending_max : 200000};
	struct commitcap cap;
	struct ingest ig;
	struct store_collector c = {.id = 7};
	uint64_t seq = 0, epoch = 1;
	struct wire_limits wl = wire_default_limits;
	struct welcome_period periods[WELCOME_PERIODS_MAX];
	size_t nperiods = welcome_candidates(date_from_ymd(2026, 12, 7), periods);
	int v = 1;

	for (size_t i = 0; i < nperiods; i++)
		periods[i].closed = strcmp(periods[i].period, "2026S1") == 0 &&
				    strcmp(periods[i].calendar, "administrative") == 0;
	snprintf(c.unit_tier, sizeof c.unit_tier, "commune");
	snprintf(c.unit_name, sizeof c.unit_name, "Xã Sơn Nham");

	snprintf(c.name, sizeof c.name, "xa-21298");
	snprintf(c.unit_code, sizeof c.unit_code, "21298");
	commitcap_init(&cap, tc->cap ? tc->cap : 50000, 15000, 0);
	assert_int_equal(ingest_init(&ig, &sink, &peer, st, &lim, &cap), 0);
	ig.db_up = true;
	snprintf(script, sizeof script, "%s", tc->script);
	for (char *w = strtok(script, " "); w; w = strtok(NULL, " ")) {
		if (w[0] == 'b' || w[0] == '=' || strcmp(w, "huge") == 0) {
			size_t n = w[0] == 'b' ? (size_t)atoi(w + 1) : w[0] == '=' ? 10 : 3;
			char *body =
			    make_body(epoch, w[0] == '=' ? (uint64_t)atoi(w + 1) : ++seq, n);
			wl.max_rows = w[0] == 'h' ? 2 : wire_default_limits.max_rows;
			ingest_batch(&ig, "r", 1, v, &c, body, strlen(body), &wl,
				     strcmp(tc->script, "nocat b10") ? cat : NULL);
			free(body);
		} else if (w[0] == 'e') {
			epoch = (uint64_t)atoi(w + 1);
			seq = 0;
		} else if (strcmp(w, "hello") == 0 || strcmp(w, "badhello") == 0) {
			struct wire_hello h = {.epoch = epoch, .backlog_batches = 3};
			snprintf(h.agent, sizeof h.agent, "chiso-agent test");
			char *body = wire_hello_encode(&h);
			ingest_hello(&ig, "r", 1, v, &c, body, w[0] == 'b' ? 3 : strlen(body), &wl,
				     cat, periods, nperiods);
			free(body);
		} else if (strcmp(w, "agenthello") == 0) {
			/* a client with no outbox: only the required field (issue 17) */
			static const char only[] = "{\"agent\":\"collector.py 1\"}";
			ingest_hello(&ig, "r", 1, v, &c, only, sizeof only - 1, &wl, cat, periods,
				     nperiods);
		} else if (strcmp(w, "ping") == 0) {
			ingest_ping(&ig, "r", 1, v, &c, "{}", 2, &wl);
		} else if (strcmp(w, "junk") == 0) {
			ingest_batch(&ig, "r", 1, v, &c, "{\"epoch\": 1, ", 14, &wl, cat);
		} else if (strcmp(w, "f") == 0 || strcmp(w, "F") == 0) {
			ingest_flush(&ig, clock_real_us() + (w[0] == 'F' ? 60000000 : 0));
		} else if (strchr("ctx", w[0]) && w[1] == '\0') {
			finish(&ig, &m, w[0]);
		} else if (strcmp(w, "down") == 0 || strcmp(w, "up") == 0) {
			ig.db_up = w[0] == 'u';
		} else if (strcmp(w, "S") == 0) {
			ingest_stop_begin(&ig, 0);
		} else if (strcmp(w, "v1") == 0 || strcmp(w, "v2") == 0) {
			v = w[1] - '0';
		} else if (w[0] == 'k') {
			ingest_stop_tick(&ig, atoll(w + 1));
		}
	}
	CHECK_STR(tc->name, tc->replies, replies);
	CHECK_STR(tc->name, tc->submits, m.submits);
	CHECK_INT(tc->name, tc->cancels, m.cancels);
	CHECK_INT(tc->name, tc->stopped, ingest_stopped(&ig));
	CHECK_INT(tc->name, tc->bad, st->bad_messages);
	job_destroy(&m.held);
	ingest_clear(&ig);
	stats_destroy(&st);
}

static void test_ingest_cases(void **state)
{
	static const struct ingest_case cases[] = {
	    {"one batch, acked after its commit", 0, 0, 0, "b10 f c", "A1", "1", 0, false, 0},
	    {"batches arriving together share a commit", 0, 0, 0, "b10 b10 f c", "A1 A2", "2", 0,
	     false, 0},
	    {"the commit cap seals a job", 25, 0, 0, "b10 b10 b10 f c f c", "A1 A2 A3", "2,1", 0,
	     false, 0},
	    {"a job waits ingest.commit_max_delay_ms", 0, 10000, 0, "b10 f F c", "A1", "1", 0,
	     false, 0},
	    {"HELLO, a batch; the link drops: HELLO again, the batch resent", 0, 0, 0,
	     "hello b10 f c hello =1 f c", "W[xa-21298/2024.1] A1 W[xa-21298/2024.1] D1", "1,1", 0,
	     false, 0},
	    {"a HELLO of the agent alone: WELCOME", 0, 0, 0, "agenthello", "W[xa-21298/2024.1]", "",
	     0, false, 0},
	    {"a HELLO that does not decode: ERROR, counted", 0, 0, 0, "badhello", "E[bad_body]", "",
	     0, false, 1},
	    {"PING: PONG", 0, 0, 0, "ping", "P", "", 0, false, 0},
	    {"version 2: WELCOME with the tier and the open periods the catalogue uses", 0, 0, 0,
	     "v2 hello", "W2[xa-21298/2024.1/commune/2026S2,2025,2026]", "", 0, false, 0},
	    {"version 2: every answer tagged 2, an ACK too", 0, 0, 0, "v2 hello ping b10 junk f c",
	     "W2[xa-21298/2024.1/commune/2026S2,2025,2026] P@2 "
	     "E[bad_body]@2 A1@2",
	     "1", 0, false, 1},
	    {"versions mixed: each answered in its own, the ACK in its BATCH's", 0, 0, 0,
	     "v2 b10 v1 hello b10 v2 ping f c", "W[xa-21298/2024.1] P@2 A1@2 A2", "2", 0, false, 0},
	    {"version 2: a RETRY in the batch's version", 0, 0, 0, "v2 down b10",
	     "R1[database unavailable]@2", "", 0, false, 0},
	    {"a batch resent after a reconnect is acked as a duplicate", 0, 0, 0, "b10 f c =1 f c",
	     "A1 D1", "1,1", 0, false, 0},
	    {"a new epoch after a restart: the same seq is a new batch", 0, 0, 0,
	     "b10 f c e2 b10 f c", "A1 A1", "1,1", 0, false, 0},
	    {"a resend in the same commit as its first copy", 0, 0, 0, "b10 =1 f c", "A1 D1", "2",
	     0, false, 0},
	    {"a body that does not decode: ERROR, counted, nothing queued", 0, 0, 0, "junk b10 f c",
	     "E[bad_body] A1", "1", 0, false, 1},
	    {"more rows than the limit: ERROR", 0, 0, 0, "huge b10 f c", "E[too_many_rows] A2", "1",
	     0, false, 1},
	    {"database down: RETRY", 0, 0, 0, "down b10 up b10 f c", "R1[database unavailable] A2",
	     "1", 0, false, 0},
	    {"no catalogue: RETRY", 0, 0, 0, "nocat b10", "R1[no catalogue loaded]", "", 0, false,
	     0},
	    {"more than ingest.pending_max_rows: RETRY", 0, 0, 15, "b10 b10 f c",
	     "R2[overloaded] A1", "1", 0, false, 0},
	    {"a transient failure: every batch RETRY", 0, 0, 0, "b10 b10 f x",
	     "R1[the database is busy] R2[the database is busy]", "2", 0, false, 0},
	    {"a single batch timed out: RETRY", 0, 0, 0, "b10 f t", "R1[the database is busy]", "1",
	     0, false, 0},
	    {"a timed-out commit is cut and tried again, nothing answered meanwhile", 0, 0, 0,
	     "b10 b10 b10 b10 f t f c f c", "A1 A2 A3 A4", "4,2,2", 0, false, 0},
	    {"SIGTERM: waiting batches RETRY, the commit in progress finishes", 0, 0, 0,
	     "b10 f b10 S c", "R2[shutting down] A1", "1", 0, true, 0},
	    {"SIGTERM: a batch after it is answered RETRY", 0, 0, 0, "S b10", "R1[shutting down]",
	     "", 0, true, 0},
	    {"SIGTERM: the commit is cancelled after its grace, again every 500 ms", 0, 0, 0,
	     "b10 f S k500 k1000 k1200 k1600 x", "R1[shutting down]", "1", 2, true, 0},
	};
	struct catalog *cat = test_catalog();

	(void)state;
	assert_non_null(cat);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		run_case(&cases[i], cat);
	catalog_destroy(&cat);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ingest_cases),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
