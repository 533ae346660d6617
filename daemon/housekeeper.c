/*
 * housekeeper: deadlines, automatic closing and scheduled publication on a
 * thread and a connection of their own (see housekeeper.h).
 *
 * The thread sleeps on a condition variable until the next pass is due, a
 * kick arrives or a stop is asked; the mutex guards those flags and the libpq
 * cancel handle, which housekeeper_cancel uses from the main thread while the
 * connection itself belongs to this thread.  The readiness of the first pass
 * is an eventfd, so the main thread can poll it with its sockets.
 */
#include "housekeeper.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "schedule.h"
#include "store.h"

/* A pass a minute: a deadline or a scheduled date is met at most a minute late. */
#define HOUSEKEEPER_EVERY_MS	   60000
#define HOUSEKEEPER_FIRST_RETRY_MS 1000

struct housekeeper {
	pthread_t thread;
	pthread_mutex_t lock; /* guards the seven below */
	pthread_cond_t wake;
	bool kicked, stopping;
	struct store_cancel *cancel;
	struct stats_period periods[STATS_PERIODS_MAX]; /* the last count (housekeeper_progress) */
	size_t nperiods;
	bool periods_known;
	int settled_fd; /* eventfd: the first pass has recorded the deadlines */
	bool settled_said;
	char *conninfo;
	struct store_options opt;
	struct store *store; /* the housekeeping connection; this thread's only */
	long long retry_max_ms, retry_ms;
	char retry_error[240]; /* the connection failure last said */
	long long deadline_days[6];
	bool auto_close;
	struct schedule *schedule;   /* publish.schedule */
	unsigned char *sched_warned; /* per entry: "nothing to publish yet" said once */
};

/* True once housekeeper_cancel was called: a pass in progress stops at its next step. */
static bool housekeeper_stopping(struct housekeeper *h)
{
	pthread_mutex_lock(&h->lock);
	bool stopping = h->stopping;
	pthread_mutex_unlock(&h->lock);
	return stopping;
}

/*
 * Records the configured deadlines (the database says what the daemon
 * applies) and closes the periods whose deadline passed, if so configured.
 */
static void housekeeper_periods(struct housekeeper *h)
{
	char err[512];
	int closed = 0;

	if (store_period_deadlines(h->store, h->deadline_days, h->auto_close, err, sizeof err) <
	    0) {
		log_warn("housekeeper: cannot record the deadlines: %s", err);
		return;
	}
	if (!h->auto_close)
		return;
	if (store_period_autoclose(h->store, &closed, err, sizeof err) < 0)
		log_warn("housekeeper: cannot close the periods past their deadline: %s", err);
	else if (closed > 0)
		log_info("closed %d period%s whose deadline has passed", closed,
			 closed == 1 ? "" : "s");
}

/*
 * Counts the units of the open periods that have sent nothing yet, for the
 * metrics: a set-based query once a pass, so that a scrape costs no SQL.  A
 * failed count keeps the last one (logged).
 */
static void housekeeper_count(struct housekeeper *h)
{
	struct store_period_progress *p = NULL;
	size_t n = 0;
	char err[512];

	if (store_period_progress(h->store, STATS_PERIODS_MAX, &p, &n, err, sizeof err) < 0) {
		log_warn("housekeeper: cannot count the units that have not reported: %s", err);
		return;
	}
	pthread_mutex_lock(&h->lock);
	for (size_t i = 0; i < n && i < STATS_PERIODS_MAX; i++) {
		struct stats_period *sp = &h->periods[i];
		snprintf(sp->code, sizeof sp->code, "%s", p[i].code);
		sp->expected = (uint64_t)p[i].expected;
		sp->missing = (uint64_t)(p[i].expected - p[i].reported);
		sp->due = p[i].due_epoch;
	}
	h->nperiods = n < STATS_PERIODS_MAX ? n : STATS_PERIODS_MAX;
	h->periods_known = true;
	pthread_mutex_unlock(&h->lock);
	free(p);
}

/* Publishes entry i unless a publication with its note exists already. */
static void housekeeper_publish(struct housekeeper *h, size_t i)
{
	const struct schedule_entry *e = &h->schedule->entries[i];
	struct store_publication *pubs = NULL, pub;
	size_t np = 0;
	bool done = false;
	char err[512];

	if (store_publications(h->store, e->period, e->unit, &pubs, &np, err, sizeof err) < 0) {
		log_warn("housekeeper: publish.schedule %s %s: %s", e->period, e->unit, err);
		return;
	}
	for (size_t k = 0; k < np && !done; k++)
		done = strcmp(pubs[k].note, e->note) == 0;
	free(pubs);
	if (done)
		return;
	int rc = store_report_publish(h->store, e->period, e->unit, "chisod", e->note, &pub, err,
				      sizeof err);
	if (rc < 0) {
		if (!h->sched_warned[i])
			log_warn("publish.schedule: cannot publish %s for unit %s yet: %s; "
				 "trying again every minute",
				 e->period, e->unit, err);
		h->sched_warned[i] = 1;
		return;
	}
	if (rc > 0) /* made, then the read-back failed (a stop cancels it): say it is made */
		log_info("published the report of %s for unit %s as version %d (publish.schedule, "
			 "due %s); reading it back failed: %s",
			 e->period, e->unit, pub.version, e->date, err);
	else
		log_info("published the report of %s for unit %s as version %d (publish.schedule, "
			 "due %s)",
			 e->period, e->unit, pub.version, e->date);
}

/*
 * Publishes the scheduled reports that are due and not yet published.  The
 * note marks a scheduled publication, so each entry is published once, across
 * restarts.  An entry with no figures yet is tried again at the next pass.
 */
static void housekeeper_schedule(struct housekeeper *h)
{
	struct schedule *sc = h->schedule;
	char today[16];
	time_t now = time(NULL);
	struct tm tm;

	if (!sc || sc->n == 0)
		return;
	unsigned char *due = calloc(sc->n, 1);
	if (!due)
		return;
	strftime(today, sizeof today, "%Y-%m-%d", localtime_r(&now, &tm));
	schedule_due(sc, today, due);
	for (size_t i = 0; i < sc->n && store_ok(h->store) && !housekeeper_stopping(h); i++)
		if (due[i])
			housekeeper_publish(h, i);
	free(due);
}

/* Says, once, that the first pass got as far as the periods (housekeeper_fd). */
static void housekeeper_settle(struct housekeeper *h)
{
	uint64_t one = 1;

	if (h->settled_said)
		return;
	h->settled_said = true;
	if (write(h->settled_fd, &one, sizeof one) != (ssize_t)sizeof one)
		log_err("housekeeper: cannot signal the main thread: %s", strerror(errno));
}

/* Closes the connection; its cancel handle goes first, under the lock housekeeper_cancel takes. */
static void housekeeper_close(struct housekeeper *h)
{
	pthread_mutex_lock(&h->lock);
	store_cancel_destroy(&h->cancel);
	pthread_mutex_unlock(&h->lock);
	store_close(&h->store);
}

/* Connects; on failure says why when the reason changes and returns the pause before the next try.
 */
static long long housekeeper_connect(struct housekeeper *h)
{
	char err[512];

	h->store = store_open(h->conninfo, &h->opt, err, sizeof err);
	if (!h->store) {
		long long pause = h->retry_ms;
		if (strcmp(err, h->retry_error) != 0)
			log_warn("housekeeper: database: %s; trying again in %lld ms", err, pause);
		snprintf(h->retry_error, sizeof h->retry_error, "%s", err);
		h->retry_ms = h->retry_ms * 2 > h->retry_max_ms ? h->retry_max_ms : h->retry_ms * 2;
		return pause;
	}
	if (h->retry_error[0])
		log_info("housekeeper: database connected");
	h->retry_error[0] = '\0';
	h->retry_ms = HOUSEKEEPER_FIRST_RETRY_MS;
	pthread_mutex_lock(&h->lock);
	h->cancel = store_cancel_new(h->store);
	pthread_mutex_unlock(&h->lock);
	return 0;
}

/* One pass; returns the milliseconds until the next. */
static long long housekeeper_pass(struct housekeeper *h)
{
	long long pause = h->store ? 0 : housekeeper_connect(h);

	if (pause) {
		housekeeper_settle(h); /* nothing recorded: the writer will say why too */
		return pause;
	}
	housekeeper_periods(h);
	housekeeper_settle(h);
	if (!housekeeper_stopping(h))
		housekeeper_count(h);
	if (!housekeeper_stopping(h))
		housekeeper_schedule(h);
	if (store_ok(h->store))
		return HOUSEKEEPER_EVERY_MS;
	log_warn("housekeeper: database connection lost; reconnecting");
	housekeeper_close(h);
	return HOUSEKEEPER_FIRST_RETRY_MS;
}

/* The absolute CLOCK_MONOTONIC time ms from now, for pthread_cond_timedwait. */
static struct timespec housekeeper_after(long long ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	return ts;
}

static void *housekeeper_main(void *arg)
{
	struct housekeeper *h = arg;
	struct timespec next = housekeeper_after(0);

	pthread_mutex_lock(&h->lock);
	while (!h->stopping) {
		if (!h->kicked && pthread_cond_timedwait(&h->wake, &h->lock, &next) != ETIMEDOUT)
			continue; /* a kick, a stop, or a spurious wake-up: look again */
		h->kicked = false;
		pthread_mutex_unlock(&h->lock);
		next = housekeeper_after(housekeeper_pass(h));
		pthread_mutex_lock(&h->lock);
	}
	pthread_mutex_unlock(&h->lock);
	housekeeper_close(h);
	return NULL;
}

/* Frees what housekeeper_start made; the thread is not running. */
static void housekeeper_free(struct housekeeper *h)
{
	pthread_cond_destroy(&h->wake);
	pthread_mutex_destroy(&h->lock);
	if (h->settled_fd >= 0)
		close(h->settled_fd);
	free(h->conninfo);
	schedule_destroy(&h->schedule);
	free(h->sched_warned);
	free(h);
}

/* The lock, the condition (on CLOCK_MONOTONIC: a clock step must not skip or stall a pass). */
static int housekeeper_sync_init(struct housekeeper *h)
{
	pthread_condattr_t attr;
	int rc = -1;

	if (pthread_condattr_init(&attr) != 0)
		return -1;
	if (pthread_condattr_setclock(&attr, CLOCK_MONOTONIC) == 0 &&
	    pthread_cond_init(&h->wake, &attr) == 0) {
		if (pthread_mutex_init(&h->lock, NULL) == 0)
			rc = 0;
		else
			pthread_cond_destroy(&h->wake);
	}
	pthread_condattr_destroy(&attr);
	return rc;
}

struct housekeeper *housekeeper_start(const struct srvconf *conf, char *err, size_t errsize)
{
	struct housekeeper *h = calloc(1, sizeof *h);

	if (!h || housekeeper_sync_init(h) < 0) {
		free(h);
		snprintf(err, errsize, "out of memory");
		return NULL;
	}
	h->settled_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (h->settled_fd < 0 || (h->conninfo = strdup(conf->conninfo)) == NULL) {
		snprintf(err, errsize, "housekeeper: %s", strerror(errno));
		goto fail;
	}
	h->opt.application_name = "chisod-housekeeper";
	h->opt.synchronous_commit = "remote_apply"; /* as the writer's commits (writer.c) */
	h->opt.statement_timeout_ms = conf->statement_timeout_ms;
	h->opt.connect_timeout_s = conf->connect_timeout_s;
	h->retry_max_ms = conf->reconnect_max_ms;
	h->retry_ms = HOUSEKEEPER_FIRST_RETRY_MS;
	memcpy(h->deadline_days, conf->deadline_days, sizeof h->deadline_days);
	h->auto_close = conf->deadline_auto_close;
	if ((h->schedule = schedule_parse(conf->publish_schedule, err, errsize)) == NULL) {
		char why[400];
		snprintf(why, sizeof why, "%s", err);
		snprintf(err, errsize, "publish.schedule: %s", why);
		goto fail;
	}
	if (h->schedule->n && (h->sched_warned = calloc(h->schedule->n, 1)) == NULL) {
		snprintf(err, errsize, "out of memory");
		goto fail;
	}
	if (pthread_create(&h->thread, NULL, housekeeper_main, h) != 0) {
		snprintf(err, errsize, "cannot start the housekeeper thread");
		goto fail;
	}
	return h;
fail:
	housekeeper_free(h);
	return NULL;
}

int housekeeper_fd(const struct housekeeper *h)
{
	return h->settled_fd;
}

bool housekeeper_settled(struct housekeeper *h)
{
	uint64_t n = 0;

	return read(h->settled_fd, &n, sizeof n) == (ssize_t)sizeof n && n > 0;
}

size_t housekeeper_progress(struct housekeeper *h, struct stats_period *out, size_t max,
			    bool *known)
{
	pthread_mutex_lock(&h->lock);
	size_t n = h->nperiods < max ? h->nperiods : max;
	memcpy(out, h->periods, n * sizeof *out);
	*known = h->periods_known;
	pthread_mutex_unlock(&h->lock);
	return n;
}

void housekeeper_kick(struct housekeeper *h)
{
	pthread_mutex_lock(&h->lock);
	h->kicked = true;
	pthread_cond_signal(&h->wake);
	pthread_mutex_unlock(&h->lock);
}

void housekeeper_cancel(struct housekeeper *h)
{
	pthread_mutex_lock(&h->lock);
	h->stopping = true;
	if (h->cancel && store_cancel_post(h->cancel) < 0)
		log_warn("housekeeper: cannot cancel the statement running");
	pthread_cond_signal(&h->wake);
	pthread_mutex_unlock(&h->lock);
}

void housekeeper_stop(struct housekeeper **hp)
{
	if (!hp || !*hp)
		return;
	housekeeper_cancel(*hp);
	pthread_join((*hp)->thread, NULL);
	housekeeper_free(*hp);
	*hp = NULL;
}
