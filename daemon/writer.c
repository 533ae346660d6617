/*
 * writer: the database thread (see writer.h).
 *
 * Its loop polls the pipe and, when connected, the libpq socket for
 * notifications.  A job runs store_ingest; a failed statement on a job of
 * several batches is retried batch by batch, so one bad batch cannot block
 * the others, and a batch that fails alone is answered with RETRY and logged
 * with its collector and key for the operator.  A commit cancelled by a
 * timeout, or failed for a transient reason (deadlock, serialization,
 * resources), is not split here: it comes back as it is, and the main thread
 * cuts a timed-out one into smaller commits (ingest.c).  writer_cancel, from
 * the main thread at SIGTERM, cancels the statement running through a libpq
 * cancel handle kept under a lock, since the connection itself belongs to
 * this thread; the cancel is sent from a thread of its own (store_cancel_post),
 * since PQcancel waits for the server with no timeout and the main thread
 * must keep its stop deadline.
 */
#include "writer.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "clock.h"
#include "log.h"
#include "period.h"

#define WRITER_PIPE	 "inproc://chisod-writer"
#define WRITER_RELOAD_MS 60000 /* periodic reload, in case a notification was lost */
/* At the longest pause, a connection failure with an unchanged reason is said once in this many. */
#define WRITER_CEILING_LOG 10

enum writer_command { CMD_JOB = 100, CMD_STATUS, CMD_RELOAD, CMD_COLLECTORS, CMD_STOP };

struct writer {
	pthread_t thread;
	void *main_end;	  /* PAIR, used by the main thread */
	void *thread_end; /* PAIR, used by the writer thread */
	char *conninfo;
	struct store_options opt;
	long long reconnect_max_ms;
	struct store *store;
	long long backoff_ms;
	int64_t next_attempt_ms;
	int64_t next_reload_ms;
	/* connection failures since the last success, and what was last said about them */
	unsigned long long failures;
	long long logged_backoff_ms;
	char logged_error[240];
	/* cancel of the running statement, for the main thread (writer_cancel) */
	pthread_mutex_t lock; /* guards cancel */
	struct store_cancel *cancel;
	atomic_bool stopping; /* set by writer_cancel: take no further job */
	atomic_bool working;  /* false while this thread waits in its poll: no call is running */
};

static int writer_send(void *sock, const struct writer_msg *m)
{
	return zmq_send(sock, m, sizeof *m, 0) == (int)sizeof *m ? 0 : -1;
}

static void writer_event_gen(struct writer *w, int type, void *ptr, void *ptr2, uint64_t gen,
			     const char *text)
{
	struct writer_msg m = {.type = type, .ptr = ptr, .ptr2 = ptr2, .gen = gen};
	snprintf(m.text, sizeof m.text, "%s", text ? text : "");
	if (writer_send(w->thread_end, &m) < 0)
		log_err("writer: cannot reach the main thread: %s", zmq_strerror(zmq_errno()));
}

static void writer_event(struct writer *w, int type, void *ptr, void *ptr2, const char *text)
{
	writer_event_gen(w, type, ptr, ptr2, 0, text);
}

/*
 * The periods a WELCOME of version 2 lists, with their deadlines, as of
 * today: read with the collectors, so at most WRITER_RELOAD_MS old.  If they
 * cannot be read the registry has none and WELCOME lists none: the deadlines
 * are a help to the officer, not a reason to refuse a collector.
 */
static void writer_load_periods(struct writer *w, struct registry *reg)
{
	struct welcome_period p[WELCOME_PERIODS_MAX];
	size_t n = welcome_candidates(date_today(), p);
	char err[512];

	if (store_period_welcome(w->store, p, n, err, sizeof err) < 0)
		log_warn("writer: cannot read the periods' deadlines: %s", err);
	else
		registry_set_periods(reg, p, n);
}

/*
 * Reads the collectors and hands the registry to the main thread with gen;
 * if they cannot be read, a registry event without one, so that the main
 * thread knows the read is over.  0, or -1 if the connection is lost.
 */
static int writer_load_collectors(struct writer *w, uint64_t gen)
{
	char err[512];
	struct store_collector *rows = NULL;
	size_t n = 0;
	struct registry *reg = NULL;

	if (store_collectors(w->store, false, &rows, &n, err, sizeof err) < 0)
		log_err("writer: cannot read collectors: %s", err);
	else if ((reg = registry_new(&rows, n)) == NULL) {
		free(rows);
		log_err("writer: out of memory loading collectors");
	} else {
		writer_load_periods(w, reg);
	}
	writer_event_gen(w, WRITER_REGISTRY, reg, NULL, gen, NULL);
	return store_ok(w->store) ? 0 : -1;
}

/* Loads catalogue and registry and hands them to the main thread. */
static int writer_load(struct writer *w)
{
	char err[512], *doc = NULL;
	struct catalog *cat = NULL;

	if (store_catalog_current(w->store, &doc, err, sizeof err) < 0) {
		log_warn("writer: %s", err);
	} else if ((cat = catalog_from_json(doc, strlen(doc), err, sizeof err)) == NULL) {
		log_err("writer: the stored catalogue is invalid: %s", err);
		free(doc);
	} else {
		/* Agents get the wire form: the stored one may carry keys that
		   agents built before them refuse (catalog.h). */
		char *wire = catalog_to_wire_json(cat);
		free(doc);
		if (wire == NULL) {
			log_err("writer: out of memory serving the catalogue");
			catalog_destroy(&cat);
		} else {
			writer_event(w, WRITER_CATALOG, cat, wire, NULL);
		}
	}
	w->next_reload_ms = clock_mono_ms() + WRITER_RELOAD_MS;
	return writer_load_collectors(w, 0);
}

/* Closes the connection; its cancel handle goes first, under the lock writer_cancel takes. */
static void writer_close(struct writer *w)
{
	pthread_mutex_lock(&w->lock);
	store_cancel_destroy(&w->cancel);
	pthread_mutex_unlock(&w->lock);
	store_close(&w->store);
}

static void writer_disconnect(struct writer *w, const char *why)
{
	writer_close(w);
	w->backoff_ms = 100;
	w->next_attempt_ms = clock_mono_ms() + w->backoff_ms;
	log_err("database unavailable: %s", why);
	writer_event(w, WRITER_DB_DOWN, NULL, NULL, why);
}

/*
 * A failed connection attempt (a wrong conninfo, a refused password, a
 * database that is down, no file descriptor left).  Every attempt is counted
 * (chiso_db_connect_failures_total); it is said with libpq's reason when the
 * pause before the next attempt changes or the reason does, and at the
 * longest pause once in WRITER_CEILING_LOG attempts: so the first failure is
 * named at once and a lasting one neither floods the journal nor goes quiet.
 */
static void writer_connect_failed(struct writer *w, const char *err)
{
	bool changed = strcmp(err, w->logged_error) != 0;

	w->failures++;
	if (changed || w->backoff_ms != w->logged_backoff_ms ||
	    w->failures % WRITER_CEILING_LOG == 0) {
		if (w->failures == 1)
			log_err("database: %s; next attempt in %lld ms", err, w->backoff_ms);
		else
			log_warn("database: %s; %llu attempts failed, next in %lld ms", err,
				 w->failures, w->backoff_ms);
		w->logged_backoff_ms = w->backoff_ms;
		snprintf(w->logged_error, sizeof w->logged_error, "%s", err);
	}
	writer_event(w, WRITER_CONNECT_FAILED, NULL, NULL, err);
	w->next_attempt_ms = clock_mono_ms() + w->backoff_ms;
	w->backoff_ms =
	    w->backoff_ms * 2 > w->reconnect_max_ms ? w->reconnect_max_ms : w->backoff_ms * 2;
}

static void writer_connect(struct writer *w)
{
	char err[512];

	w->store = store_open(w->conninfo, &w->opt, err, sizeof err);
	if (w->store && store_listen(w->store, err, sizeof err) < 0)
		store_close(&w->store);
	if (!w->store) {
		writer_connect_failed(w, err);
		return;
	}
	if (w->failures)
		log_info("database connected after %llu failed attempts", w->failures);
	else
		log_info("database connected");
	w->failures = 0;
	w->logged_backoff_ms = 0;
	w->logged_error[0] = '\0';
	pthread_mutex_lock(&w->lock);
	w->cancel = store_cancel_new(w->store);
	pthread_mutex_unlock(&w->lock);
	if (writer_load(w) < 0) {
		writer_disconnect(w, "lost while loading the catalogue");
		return;
	}
	writer_event(w, WRITER_DB_UP, NULL, NULL, NULL);
}

/*
 * Commits items[0..n); on a refused statement splits the range in halves.  A
 * timeout or a transient failure is not split: the halves would be as slow or
 * meet the same contention, and nothing would be acked meanwhile.  The main
 * thread splits a timed-out job to the smaller commit cap and answers RETRY
 * for the rest.
 */
static int writer_commit(struct writer *w, struct job *j, size_t from, size_t n)
{
	char err[512];
	enum store_failure why;
	struct store_item *items = malloc(n * sizeof *items);
	uint64_t rows = 0;
	int rc;

	if (!items)
		return -1;
	for (size_t i = 0; i < n; i++) {
		items[i] = j->entries[from + i].item;
		rows += j->entries[from + i].batch->nrows;
	}
	int64_t t0 = clock_mono_ms();
	rc = store_ingest(w->store, items, n, &why, err, sizeof err);
	j->commit_rows = rows;
	j->commit_ms = clock_mono_ms() - t0;
	for (size_t i = 0; i < n; i++) {
		j->entries[from + i].item.ack = items[i].ack;
		j->entries[from + i].item.done = items[i].done;
	}
	free(items);
	if (rc == 0)
		return 0;
	j->failure = why;
	if (why == STORE_FAIL_CONNECTION || why == STORE_FAIL_NODE ||
	    why == STORE_FAIL_UNCONFIRMED) {
		/* A standby now, a node that cannot read its files, or a primary whose standby
		   no longer follows it (promoted elsewhere after this node was cut off):
		   libpq's target_session_attrs=read-write finds the primary at the next
		   connection. */
		snprintf(j->error, sizeof j->error, "%s", err);
		writer_disconnect(w, err);
		return -1;
	}
	if (why == STORE_FAIL_TIMEOUT || why == STORE_FAIL_TRANSIENT) {
		snprintf(j->error, sizeof j->error, "%s", err);
		return -1;
	}
	if (n == 1) {
		const struct job_entry *e = &j->entries[from];
		log_err("collector %s: batch %llu/%llu cannot be committed: %s", e->collector,
			(unsigned long long)e->batch->epoch, (unsigned long long)e->batch->seq,
			err);
		snprintf(j->error, sizeof j->error, "%s", err);
		return -1;
	}
	int left = writer_commit(w, j, from, n / 2);
	if (!store_ok(w->store) || j->failure == STORE_FAIL_TIMEOUT ||
	    j->failure == STORE_FAIL_TRANSIENT || j->failure == STORE_FAIL_UNCONFIRMED)
		return -1;
	if (atomic_load(&w->stopping))
		return -1;
	int right = writer_commit(w, j, from + n / 2, n - n / 2);
	return left < 0 || right < 0 ? -1 : 0;
}

static void writer_job(struct writer *w, struct job *j)
{
	if (atomic_load(&w->stopping)) {
		j->result = JOB_RETRY;
		snprintf(j->error, sizeof j->error, "shutting down");
	} else if (!store_ok(w->store)) {
		j->result = JOB_RETRY;
		snprintf(j->error, sizeof j->error, "database unavailable");
	} else if (writer_commit(w, j, 0, j->n) == 0) {
		j->result = JOB_COMMITTED;
	} else {
		/* Entries marked done were committed and are acked; the rest retried. */
		j->result = JOB_RETRY;
	}
	writer_event(w, WRITER_JOB_DONE, j, NULL, NULL);
}

static void *writer_main(void *arg)
{
	struct writer *w = arg;

	for (;;) {
		int64_t now = clock_mono_ms();
		long timeout;
		zmq_pollitem_t items[2] = {{w->thread_end, 0, ZMQ_POLLIN, 0},
					   {NULL, -1, ZMQ_POLLIN, 0}};
		int nitems = 1;

		if (!w->store && now >= w->next_attempt_ms && !atomic_load(&w->stopping))
			writer_connect(w);
		if (w->store && now >= w->next_reload_ms && writer_load(w) < 0)
			writer_disconnect(w, "lost while reloading");
		if (w->store) {
			items[1].fd = store_socket(w->store);
			nitems = 2;
			timeout = (long)(w->next_reload_ms - clock_mono_ms());
		} else {
			timeout = (long)(w->next_attempt_ms - clock_mono_ms());
		}
		atomic_store(&w->working, false);
		int polled = zmq_poll(items, nitems, timeout < 0 ? 0 : timeout);
		atomic_store(&w->working, true);
		if (polled < 0)
			continue; /* EINTR */
		bool ran = false;
		struct writer_msg m;
		if ((items[0].revents & ZMQ_POLLIN) &&
		    zmq_recv(w->thread_end, &m, sizeof m, 0) == (int)sizeof m) {
			ran = true;
			switch (m.type) {
			case CMD_JOB:
				writer_job(w, m.ptr);
				break;
			case CMD_STATUS: {
				char err[256];
				if (w->store && store_status_write(w->store, "chisod", m.ptr, err,
								   sizeof err) < 0)
					log_warn("cannot record status: %s", err);
				free(m.ptr);
				break;
			}
			case CMD_RELOAD:
				if (w->store && writer_load(w) < 0)
					writer_disconnect(w, "lost while reloading");
				break;
			case CMD_COLLECTORS:
				if (!w->store)
					writer_event_gen(w, WRITER_REGISTRY, NULL, NULL, m.gen,
							 NULL);
				else if (writer_load_collectors(w, m.gen) < 0)
					writer_disconnect(w, "lost while reading collectors");
				break;
			case CMD_STOP:
				writer_close(w);
				return NULL;
			}
		}
		/*
		 * A notification that arrives during a statement is taken in by libpq
		 * with the statement's results: it waits in libpq's queue, and the
		 * socket is not readable for it.  So the queue is looked at after every
		 * command too, or a revocation during a commit would wait for the next
		 * periodic reload.
		 */
		if (w->store && (ran || (nitems == 2 && (items[1].revents & ZMQ_POLLIN)))) {
			int got = store_notifications(w->store);
			if (got < 0)
				writer_disconnect(w, "connection closed");
			else if (got > 0 && writer_load(w) < 0)
				writer_disconnect(w, "lost while reloading");
		}
	}
}

struct writer *writer_start(void *ctx, const struct srvconf *conf, char *err, size_t errsize)
{
	struct writer *w = calloc(1, sizeof *w);

	/* The lock first: every exit through fail destroys it. */
	if (w && pthread_mutex_init(&w->lock, NULL) != 0) {
		free(w);
		w = NULL;
	}
	if (!w || (w->conninfo = strdup(conf->conninfo)) == NULL) {
		snprintf(err, errsize, "out of memory");
		goto fail;
	}
	atomic_init(&w->stopping, false);
	atomic_init(&w->working, true);
	w->opt.application_name = "chisod";
	/* An ACK says the batch is never lost, and analysts on the standby read what was
	   acked: so a commit returns only once the synchronous standby has applied it
	   (docs/scaling.md).  Without a synchronous standby this is a local commit. */
	w->opt.synchronous_commit = "remote_apply";
	w->opt.statement_timeout_ms = conf->statement_timeout_ms;
	w->opt.connect_timeout_s = conf->connect_timeout_s;
	w->reconnect_max_ms = conf->reconnect_max_ms;
	w->backoff_ms = 100;
	w->main_end = zmq_socket(ctx, ZMQ_PAIR);
	w->thread_end = zmq_socket(ctx, ZMQ_PAIR);
	if (!w->main_end || !w->thread_end || zmq_bind(w->main_end, WRITER_PIPE) < 0 ||
	    zmq_connect(w->thread_end, WRITER_PIPE) < 0) {
		snprintf(err, errsize, "writer pipe: %s", zmq_strerror(zmq_errno()));
		goto fail;
	}
	if (pthread_create(&w->thread, NULL, writer_main, w) != 0) {
		snprintf(err, errsize, "cannot start the writer thread");
		goto fail;
	}
	return w;
fail:
	if (w) {
		if (w->main_end)
			zmq_close(w->main_end);
		if (w->thread_end)
			zmq_close(w->thread_end);
		pthread_mutex_destroy(&w->lock);
		free(w->conninfo);
		free(w);
	}
	return NULL;
}

int writer_cancel(struct writer *w)
{
	int rc = 0;

	atomic_store(&w->stopping, true);
	pthread_mutex_lock(&w->lock);
	if (w->cancel)
		rc = store_cancel_post(w->cancel);
	pthread_mutex_unlock(&w->lock);
	return rc;
}

void writer_stop(struct writer **wp)
{
	struct writer *w;
	struct writer_msg m = {.type = CMD_STOP};

	if (!wp || !*wp)
		return;
	w = *wp;
	/* Whatever runs now (a job, a reload, a status record) must not hold the stop up; an
	   idle writer has nothing to cancel. */
	if (atomic_load(&w->working))
		writer_cancel(w);
	else
		atomic_store(&w->stopping, true);
	writer_send(w->main_end, &m);
	pthread_join(w->thread, NULL);
	/* Drain events the thread sent before it stopped, freeing what they carry. */
	while (zmq_recv(w->main_end, &m, sizeof m, ZMQ_DONTWAIT) == (int)sizeof m) {
		if (m.type == WRITER_JOB_DONE) {
			struct job *j = m.ptr;
			job_destroy(&j);
		} else if (m.type == WRITER_CATALOG) {
			struct catalog *c = m.ptr;
			catalog_destroy(&c);
			free(m.ptr2);
		} else if (m.type == WRITER_REGISTRY) {
			struct registry *r = m.ptr;
			registry_destroy(&r);
		}
	}
	zmq_close(w->main_end);
	zmq_close(w->thread_end);
	pthread_mutex_destroy(&w->lock);
	free(w->conninfo);
	free(w);
	*wp = NULL;
}

void *writer_socket(struct writer *w)
{
	return w->main_end;
}

int writer_submit(struct writer *w, struct job **jp)
{
	struct writer_msg m = {.type = CMD_JOB, .ptr = *jp};
	if (writer_send(w->main_end, &m) < 0)
		return -1;
	*jp = NULL;
	return 0;
}

int writer_status(struct writer *w, char **jsonp)
{
	struct writer_msg m = {.type = CMD_STATUS, .ptr = *jsonp};
	if (writer_send(w->main_end, &m) < 0)
		return -1;
	*jsonp = NULL;
	return 0;
}

int writer_reload(struct writer *w)
{
	struct writer_msg m = {.type = CMD_RELOAD};
	return writer_send(w->main_end, &m);
}

int writer_collectors(struct writer *w, uint64_t gen)
{
	struct writer_msg m = {.type = CMD_COLLECTORS, .gen = gen};
	return writer_send(w->main_end, &m);
}

int writer_recv(struct writer *w, struct writer_msg *m)
{
	return zmq_recv(w->main_end, m, sizeof *m, 0) == (int)sizeof *m ? 0 : -1;
}
