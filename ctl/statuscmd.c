/*
 * statuscmd: reads chisod's status record and prints it (see statuscmd.h).
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

static void print_human(json_t *doc, double age, double stale)
{
	char a[32], b[32], when[32];
	time_t last = (time_t)jint(doc, "last_commit");
	struct tm tm;

	printf("chisod %s, status recorded %.0f s ago%s\n",
	       json_string_value(json_object_get(doc, "version")), age,
	       age > stale ? " (STALE: is chisod running?)" : "");
	printf("database:      %s%s%s\n", json_string_value(json_object_get(doc, "db")),
	       *json_string_value(json_object_get(doc, "db_error")) ? ": " : "",
	       json_string_value(json_object_get(doc, "db_error")));
	if (last)
		strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", localtime_r(&last, &tm));
	else
		snprintf(when, sizeof when, "never");
	printf("last commit:   %s (%lld commits)\n", when, jint(doc, "commits"));
	printf("commit size:   at most %lld rows now (aiming at %lld ms), %lld commits timed out\n",
	       jint(doc, "commit_cap_rows"), jint(doc, "commit_target_ms"),
	       jint(doc, "commit_timeouts"));
	printf("failures:      %lld database connection attempts, %lld connections not accepted\n",
	       jint(doc, "db_connect_failures"), jint(doc, "accept_failures"));
	printf("collectors:    %lld connected of %lld enrolled\n",
	       jint(doc, "collectors_connected"), jint(doc, "collectors_enrolled"));
	num_format_vi(json_real_value(json_object_get(doc, "rows_per_s")), 0, a, sizeof a);
	num_format_vi(json_real_value(json_object_get(doc, "batches_per_s")), 1, b, sizeof b);
	printf("rate:          %s values/s, %s batches/s\n", a, b);
	printf("batches:       %lld received, %lld committed, %lld duplicates, %lld retries, "
	       "%lld bad messages\n",
	       jint(doc, "batches_received"), jint(doc, "batches_committed"),
	       jint(doc, "batches_duplicate"), jint(doc, "retries"), jint(doc, "bad_messages"));
	printf("values:        %lld accepted, %lld rejected, %lld pending\n",
	       jint(doc, "rows_accepted"), jint(doc, "rows_rejected"), jint(doc, "pending_rows"));
	json_t *reasons = json_object_get(doc, "rejections_by_reason");
	const char *k;
	json_t *v;
	json_object_foreach(reasons, k, v)
	    printf("  rejected %-30s %lld\n", k, (long long)json_integer_value(v));
	json_t *peers = json_object_get(doc, "collectors");
	size_t i;
	json_t *p;
	if (json_array_size(peers))
		printf("%-20s %-9s %-19s %10s %10s %9s %9s\n", "collector", "connected",
		       "last seen", "backlog", "rows", "batches", "rejected");
	json_array_foreach(peers, i, p)
	{
		time_t seen = (time_t)jint(p, "last_seen");
		strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", localtime_r(&seen, &tm));
		printf("%-20s %-9s %-19s %10lld %10lld %9lld %9lld\n",
		       json_string_value(json_object_get(p, "name")),
		       json_is_true(json_object_get(p, "connected")) ? "yes" : "no", when,
		       jint(p, "backlog_rows"), jint(p, "rows"), jint(p, "batches"),
		       jint(p, "rejected"));
	}
}

int statuscmd_main(struct ctl *c, int argc, char **argv)
{
	bool as_json = argc == 1 && strcmp(argv[0], "--json") == 0;
	char err[1024], *text;
	double age, stale = status_stale_s(ctl_conf(c));

	if (argc > 1 || (argc == 1 && !as_json)) {
		fprintf(stderr, "usage: chisoctl status [--json]\n");
		return 2;
	}
	struct store *s = ctl_store_said(c, CTL_OWNER);
	int rc = store_status_read(s, "chisod", &text, &age, err, sizeof err);
	store_close(&s);
	if (rc < 0)
		return ctl_fail(err);
	json_t *doc = json_loads(text, 0, NULL);
	if (!doc) {
		free(text);
		return ctl_fail("the status record is not valid JSON");
	}
	if (as_json) {
		json_object_set_new(doc, "age_s", json_real(age));
		json_object_set_new(doc, "stale", json_boolean(age > stale));
		char *out = json_dumps(doc, JSON_INDENT(2));
		puts(out ? out : "{}");
		free(out);
	} else {
		print_human(doc, age, stale);
	}
	json_decref(doc);
	free(text);
	return age > stale ? 1 : 0;
}
