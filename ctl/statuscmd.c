/*
 * statuscmd: the operator's morning screen (see statuscmd.h).
 *
 * Everything is read first (chisod's status record, the replication state,
 * the open periods with the units that have sent nothing, the refusals of the
 * last day) into one struct status_view, then printed: as one screen, as the
 * long listing of --all, or as JSON.  The database does the counting (the
 * functions of sql/R_45_status.sql); this file only chooses what fits.
 */
#include "statuscmd.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "num.h"
#include "srvconf.h"
#include "utf8.h"

/* The one screen: open periods shown, reasons shown, and its width in columns. */
#define STATUS_PERIODS 4
#define STATUS_REASONS 4
#define STATUS_COLUMNS 100
/* Refusals are counted over the last day: what happened since yesterday morning. */
#define STATUS_REFUSED_HOURS 24
/* --all and --json list every open period (up to this many). */
#define STATUS_PERIODS_ALL 100000

/* A shown period's units that have sent nothing. */
struct status_missing {
	struct store_missing_unit *units;
	size_t n;
};

struct status_view {
	json_t *doc;	   /* chisod's record; NULL if there is none */
	char doc_err[256]; /* why there is none */
	double age, stale; /* the record's age, and the age that makes it stale */
	struct store_replication repl;
	struct store_period_progress *periods;
	size_t nperiods;
	int open_periods;		/* all open periods expecting units, shown or not */
	struct status_missing *missing; /* per shown period */
	struct store_refused *refused;
	size_t nrefused;
};

/*
 * chisod records its status every ingest.status_interval_ms; a record older
 * than three intervals (and at least a minute, so that a busy database does
 * not raise false alarms) means chisod is not running or cannot write.
 */
static double status_stale_s(const struct srvconf *conf)
{
	double s = 3.0 * (double)conf->status_interval_ms / 1000.0;
	return s < 60 ? 60 : s;
}

static long long jint(json_t *o, const char *k)
{
	return (long long)json_integer_value(json_object_get(o, k));
}

static const char *jstr(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

/* n the Vietnamese way ("1.234"): the screen's figures are report text. */
static const char *vi(long long n, char *buf, size_t size)
{
	num_format_vi((double)n, 0, buf, size);
	return buf;
}

/* Columns s takes on a terminal: one per character, none for a combining mark. */
static size_t status_width(const char *s)
{
	size_t w = 0, len = strlen(s);
	uint32_t cp;

	for (size_t i = 0; i < len;) {
		size_t k = utf8_char_len((const unsigned char *)s + i, len - i, &cp);
		if (k == 0)
			k = 1; /* not UTF-8: count the byte, move on */
		else if (cp >= 0x300 && cp <= 0x36f)
			w--;
		w++;
		i += k;
	}
	return w;
}

/* Prints line cut to STATUS_COLUMNS columns (a long database error), "…" marking the cut. */
static void status_put_clipped(const char *line)
{
	size_t w = 0, len = strlen(line), i = 0;
	uint32_t cp;

	if (status_width(line) <= STATUS_COLUMNS) {
		puts(line);
		return;
	}
	while (i < len) {
		size_t k = utf8_char_len((const unsigned char *)line + i, len - i, &cp);
		if (k == 0)
			k = 1;
		else if (!(cp >= 0x300 && cp <= 0x36f) && ++w > STATUS_COLUMNS - 1)
			break;
		i += k;
	}
	printf("%.*s…\n", (int)i, line);
}

/* Reading. */

/* chisod's record; a missing one is not an error here: the screen says so. */
static void status_read_record(struct status_view *v, struct store *s)
{
	char *text = NULL;

	if (store_status_read(s, "chisod", &text, &v->age, v->doc_err, sizeof v->doc_err) < 0)
		return;
	v->doc = json_loads(text, 0, NULL);
	if (!v->doc)
		snprintf(v->doc_err, sizeof v->doc_err, "chisod's status record is not valid JSON");
	free(text);
}

/* Everything the view shows; 0, or -1 with err. */
static int status_read(struct status_view *v, struct store *s, int periods, char *err,
		       size_t errsize)
{
	status_read_record(v, s);
	if (store_status_replication(s, &v->repl, err, errsize) < 0 ||
	    store_period_progress(s, periods, &v->periods, &v->nperiods, err, errsize) < 0 ||
	    store_status_refused(s, STATUS_REFUSED_HOURS, &v->refused, &v->nrefused, err, errsize) <
		0)
		return -1;
	v->open_periods = v->nperiods ? v->periods[0].open_periods : 0;
	if ((v->missing = calloc(v->nperiods + 1, sizeof *v->missing)) == NULL) {
		snprintf(err, errsize, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < v->nperiods; i++)
		if (store_status_missing(s, v->periods[i].code, &v->missing[i].units,
					 &v->missing[i].n, err, errsize) < 0)
			return -1;
	return 0;
}

static void status_view_free(struct status_view *v)
{
	json_decref(v->doc);
	for (size_t i = 0; v->missing && i < v->nperiods; i++)
		free(v->missing[i].units);
	free(v->missing);
	free(v->periods);
	free(v->refused);
}

/* The screen. */

/* "2026-12-07 08:01:02" in local time, or "never" for 0. */
static void status_when(long long t, char *buf, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (t <= 0)
		snprintf(buf, size, "never");
	else
		strftime(buf, size, "%Y-%m-%d %H:%M:%S", localtime_r(&tt, &tm));
}

/* Is chisod up, how far behind: the record's first lines. */
static void status_print_daemon(const struct status_view *v)
{
	char when[32], a[32], b[32], line[512];
	json_t *d = v->doc;

	if (!d) {
		snprintf(line, sizeof line, "chisod:       NO STATUS: %s (is chisod running?)",
			 v->doc_err);
		status_put_clipped(line);
		return;
	}
	snprintf(line, sizeof line, "chisod %s: %s, status recorded %.0f s ago; database %s%s%s",
		 jstr(d, "version"), v->age > v->stale ? "STALE (is chisod running?)" : "up",
		 v->age, jstr(d, "db"), *jstr(d, "db_error") ? ": " : "", jstr(d, "db_error"));
	status_put_clipped(line);
	long long last = jint(d, "last_commit"), backlog = 0;
	status_when(last, when, sizeof when);
	size_t i;
	json_t *p;
	json_array_foreach(json_object_get(d, "collectors"), i, p) backlog +=
	    jint(p, "backlog_rows");
	printf("last commit:  %s", when);
	if (last > 0)
		printf(", %lld s ago", (long long)time(NULL) - last);
	printf("; %s rows waiting for a commit\n", vi(jint(d, "pending_rows"), b, sizeof b));
	/* the backlog as the agents last said it (at connection and at each heartbeat) */
	num_format_vi(json_real_value(json_object_get(d, "rows_per_s")), 0, a, sizeof a);
	printf(
	    "collectors:   %lld connected of %lld enrolled, %s rows queued at them (last heard); "
	    "%s values/s\n",
	    jint(d, "collectors_connected"), jint(d, "collectors_enrolled"),
	    vi(backlog, b, sizeof b), a);
}

static void status_print_replication(const struct store_replication *r)
{
	char lag[32];

	num_format_vi(r->lag_s, 1, lag, sizeof lag);
	if (r->standby)
		printf("replication:  this is a standby, replay %s s behind the primary\n", lag);
	else if (r->standbys == 0)
		printf("replication:  primary, no standby streaming\n");
	else if (r->lag_known)
		printf("replication:  primary, %d standby%s streaming, replay lag %s s\n",
		       r->standbys, r->standbys == 1 ? "" : "s", lag);
	else
		printf("replication:  primary, %d standby%s streaming (the lag is shown to "
		       "pg_read_all_stats)\n",
		       r->standbys, r->standbys == 1 ? "" : "s");
}

/* "due 2026-12-12, in 5 days" / "today" / "3 days overdue" / "no deadline". */
static void status_due(const struct store_period_progress *p, char *buf, size_t size)
{
	int d = p->days_left;

	if (!p->due[0])
		snprintf(buf, size, "no deadline");
	else if (d == 0)
		snprintf(buf, size, "due %s, today", p->due);
	else if (d > 0)
		snprintf(buf, size, "due %s, in %d day%s", p->due, d, d == 1 ? "" : "s");
	else
		snprintf(buf, size, "due %s, %d day%s overdue", p->due, -d, d == -1 ? "" : "s");
}

/*
 * The first units that have sent nothing, on one line of STATUS_COLUMNS: as
 * many names as fit before "… và N đơn vị khác" (and N more units: the
 * officers' words for a list of their units).
 */
static void status_print_names(const struct status_missing *m)
{
	static const char prefix[] = "    not reported: ";
	char tail[64], num[32];
	size_t used = sizeof prefix - 1, shown = 0;

	if (m->n == 0) {
		printf("    every unit has reported\n");
		return;
	}
	fputs(prefix, stdout);
	for (; shown < m->n; shown++) {
		size_t w = status_width(m->units[shown].name) + (shown ? 2 : 0);
		size_t rest = m->n - shown - 1;
		/* room for this name and, unless it is the last, the tail after it */
		snprintf(tail, sizeof tail, " … và %s đơn vị khác",
			 vi((long long)rest, num, sizeof num));
		if (used + w + (rest ? status_width(tail) : 0) > STATUS_COLUMNS)
			break;
		printf("%s%s", shown ? ", " : "", m->units[shown].name);
		used += w;
	}
	if (shown < m->n)
		printf("%s… và %s đơn vị khác", shown ? " " : "",
		       vi((long long)(m->n - shown), num, sizeof num));
	putchar('\n');
}

/* Every unit that has sent nothing, one a line (--all). */
static void status_print_units(const struct status_missing *m)
{
	if (m->n == 0)
		printf("    every unit has reported\n");
	else
		printf("    not reported (%zu):\n", m->n);
	for (size_t i = 0; i < m->n; i++)
		printf("      %-6s %s%s%s%s\n", m->units[i].code, m->units[i].name,
		       m->units[i].parent[0] ? " (" : "", m->units[i].parent,
		       m->units[i].parent[0] ? ")" : "");
}

/* Who has not reported for the open periods. */
static void status_print_periods(const struct status_view *v, bool all)
{
	char due[64], a[32], b[32];
	size_t shown =
	    all ? v->nperiods : (v->nperiods < STATUS_PERIODS ? v->nperiods : STATUS_PERIODS);

	if (v->open_periods == 0) {
		printf("open periods: none expecting units\n");
		return;
	}
	printf("open periods: %d (units reported / expected, deadline)\n", v->open_periods);
	for (size_t i = 0; i < shown; i++) {
		const struct store_period_progress *p = &v->periods[i];
		status_due(p, due, sizeof due);
		printf("  %-10s %7s / %-7s %s\n", p->code, vi(p->reported, a, sizeof a),
		       vi(p->expected, b, sizeof b), due);
		if (all)
			status_print_units(&v->missing[i]);
		else
			status_print_names(&v->missing[i]);
	}
	if ((int)shown < v->open_periods)
		printf("  … and %d more open period%s (chisoctl status --all)\n",
		       v->open_periods - (int)shown, v->open_periods - (int)shown == 1 ? "" : "s");
}

/* What was refused in the last day, by reason. */
static void status_print_refused(const struct status_view *v, bool all)
{
	char a[32];
	long long total = 0;
	size_t shown = all || v->nrefused <= STATUS_REASONS + 1 ? v->nrefused : STATUS_REASONS;

	for (size_t i = 0; i < v->nrefused; i++)
		total += v->refused[i].rows;
	if (total == 0) {
		printf("refused in the last %d h: nothing\n", STATUS_REFUSED_HOURS);
		return;
	}
	printf("refused in the last %d h: %s rows\n", STATUS_REFUSED_HOURS, vi(total, a, sizeof a));
	for (size_t i = 0; i < shown; i++)
		printf("  %-30s %9s\n", v->refused[i].reason, vi(v->refused[i].rows, a, sizeof a));
	if (shown < v->nrefused)
		printf("  … and %zu more reasons (chisoctl status --all)\n", v->nrefused - shown);
}

/* --all: the rest of chisod's record, counters since its start and each collector. */
static void status_print_counters(json_t *doc)
{
	char a[32], b[32], when[32];

	printf("commits:      %lld since chisod started\n", jint(doc, "commits"));
	printf("commit size:  at most %lld rows now (aiming at %lld ms), %lld commits timed out\n",
	       jint(doc, "commit_cap_rows"), jint(doc, "commit_target_ms"),
	       jint(doc, "commit_timeouts"));
	printf("failures:     %lld database connection attempts, %lld connections not accepted\n",
	       jint(doc, "db_connect_failures"), jint(doc, "accept_failures"));
	num_format_vi(json_real_value(json_object_get(doc, "batches_per_s")), 1, b, sizeof b);
	printf("batches:      %lld received, %lld committed, %lld duplicates, %lld retries, "
	       "%lld bad messages; %s/s\n",
	       jint(doc, "batches_received"), jint(doc, "batches_committed"),
	       jint(doc, "batches_duplicate"), jint(doc, "retries"), jint(doc, "bad_messages"), b);
	printf("values:       %lld accepted, %lld rejected since chisod started\n",
	       jint(doc, "rows_accepted"), jint(doc, "rows_rejected"));
	const char *k;
	json_t *v;
	json_object_foreach(json_object_get(doc, "rejections_by_reason"), k, v)
	    printf("  rejected %-30s %lld\n", k, (long long)json_integer_value(v));
	json_t *peers = json_object_get(doc, "collectors");
	size_t i;
	json_t *p;
	if (json_array_size(peers))
		printf("%-20s %-9s %-19s %10s %10s %9s %9s\n", "collector", "connected",
		       "last seen", "backlog", "rows", "batches", "rejected");
	json_array_foreach(peers, i, p)
	{
		status_when(jint(p, "last_seen"), when, sizeof when);
		printf("%-20s %-9s %-19s %10s %10lld %9lld %9lld\n", jstr(p, "name"),
		       json_is_true(json_object_get(p, "connected")) ? "yes" : "no", when,
		       vi(jint(p, "backlog_rows"), a, sizeof a), jint(p, "rows"),
		       jint(p, "batches"), jint(p, "rejected"));
	}
}

static void status_print(const struct status_view *v, bool all)
{
	status_print_daemon(v);
	status_print_replication(&v->repl);
	status_print_periods(v, all);
	status_print_refused(v, all);
	if (all && v->doc)
		status_print_counters(v->doc);
}

/* JSON. */

static json_t *status_json_period(const struct store_period_progress *p,
				  const struct status_missing *m)
{
	json_t *o = json_pack("{s:s, s:s, s:i, s:i}", "period", p->code, "type", p->type,
			      "expected", p->expected, "reported", p->reported);
	json_t *units = json_array();

	json_object_set_new(o, "due", p->due[0] ? json_string(p->due) : json_null());
	json_object_set_new(o, "days_left", p->due[0] ? json_integer(p->days_left) : json_null());
	for (size_t i = 0; i < m->n; i++)
		json_array_append_new(units,
				      json_pack("{s:s, s:s, s:s}", "code", m->units[i].code, "name",
						m->units[i].name, "parent", m->units[i].parent));
	json_object_set_new(o, "not_reported", units);
	return o;
}

/* chisod's record as it is (as before), with the database's view beside it. */
static void status_print_json(struct status_view *v)
{
	json_t *o = v->doc ? json_incref(v->doc) : json_pack("{s:s}", "error", v->doc_err);
	json_t *periods = json_array(), *refused = json_object();

	json_object_set_new(o, "age_s", v->doc ? json_real(v->age) : json_null());
	json_object_set_new(o, "stale", json_boolean(!v->doc || v->age > v->stale));
	json_object_set_new(
	    o, "replication",
	    json_pack("{s:b, s:o, s:i}", "standby", v->repl.standby, "lag_s",
		      v->repl.lag_known || v->repl.standby ? json_real(v->repl.lag_s) : json_null(),
		      "standbys", v->repl.standbys));
	json_object_set_new(o, "open_periods", json_integer(v->open_periods));
	for (size_t i = 0; i < v->nperiods; i++)
		json_array_append_new(periods, status_json_period(&v->periods[i], &v->missing[i]));
	json_object_set_new(o, "periods", periods);
	for (size_t i = 0; i < v->nrefused; i++)
		json_object_set_new(refused, v->refused[i].reason,
				    json_integer(v->refused[i].rows));
	json_object_set_new(o, "refused_24h", refused);
	char *out = json_dumps(o, JSON_INDENT(2));
	puts(out ? out : "{}");
	free(out);
	json_decref(o);
}

int statuscmd_main(struct ctl *c, int argc, char **argv)
{
	bool as_json = false, all = false;
	char err[1024];
	struct status_view v = {.stale = status_stale_s(ctl_conf(c))};

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			as_json = true;
		else if (strcmp(argv[i], "--all") == 0)
			all = true;
		else {
			fprintf(stderr,
				"chisoctl status: unknown argument \"%s\"\n"
				"usage: chisoctl status [--all] [--json]\n",
				argv[i]);
			return 2;
		}
	}
	struct store *s = ctl_store_said(c, CTL_OWNER);
	int rc = status_read(&v, s, all || as_json ? STATUS_PERIODS_ALL : STATUS_PERIODS, err,
			     sizeof err);
	store_close(&s);
	if (rc < 0) {
		status_view_free(&v);
		return ctl_fail(err);
	}
	if (as_json)
		status_print_json(&v);
	else
		status_print(&v, all);
	rc = !v.doc || v.age > v.stale ? 1 : 0;
	status_view_free(&v);
	return rc;
}
