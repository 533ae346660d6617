/* metrics (chisod): the Prometheus rendering of the counters and the routing of requests. */
#include "testutil.h"

#include <stdbool.h>

#include "metrics.h"
#include "stats.h"

#define NOW 1700000000

static void fill_empty(struct stats *s)
{
	(void)s;
}

static void fill_counters(struct stats *s)
{
	s->batches_received = 7;
	s->rows_received = 70;
	s->batches_committed = 6;
	s->batches_duplicate = 1;
	s->batches_key_reused = 2;
	s->rows_accepted = 58;
	s->rows_rejected = 2;
	s->commits = 4;
	s->last_commit = NOW - 3;
	s->pending_rows = 10;
	s->commit_cap_rows = 12500;
	s->commit_timeouts = 2;
	s->commit_target_ms = 3750;
	s->db_connect_failures = 4;
	s->accept_failures = 11;
	s->db_up = true;
	s->collectors_enrolled = 183;
	s->zap_accepted = 9;
	s->zap_refused = 5;
	s->zap_admitted_after_read = 3;
	s->zap_refused_after_read = 1;
}

static void fill_one_reason(struct stats *s)
{
	stats_reason(s, "future_period");
	stats_reason(s, "future_period");
}

/* Two open periods as the housekeeper counted them: one with a deadline, one without. */
static void fill_periods(struct stats *s)
{
	s->periods[0] = (struct stats_period){"2024S1", 183, 179, 1720224000};
	s->periods[1] = (struct stats_period){"2026W49", 14, 0, 0};
	s->nperiods = 2;
	s->periods_known = true;
}

static void fill_escaping(struct stats *s)
{
	struct peer_stat *p = stats_peer(s, "a\"b\\c\nd");
	p->last_seen = NOW;
	p->rows = 3;
	stats_reason(s, "odd\"code");
}

static void fill_many_peers(struct stats *s)
{
	char name[32];
	for (int i = 0; i < 1000; i++) {
		snprintf(name, sizeof name, "xa-%05d", i);
		struct peer_stat *p = stats_peer(s, name);
		/* half of them heard from within the window */
		p->last_seen = i % 2 ? NOW - 10 : NOW - 3600;
		p->backlog_batches = (uint64_t)i;
		p->batches = 2;
		p->rows = 20;
	}
}

/* Number of sample lines (neither comments nor blank). */
static size_t count_samples(const char *text)
{
	size_t n = 0;
	for (const char *line = text; *line;) {
		const char *eol = strchr(line, '\n');
		if (*line != '#')
			n++;
		line = eol ? eol + 1 : line + strlen(line);
	}
	return n;
}

static size_t count(const char *text, const char *needle)
{
	size_t n = 0;
	for (const char *p = strstr(text, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

/*
 * Checks what the exposition format 0.0.4 requires of the text: every family
 * opens with HELP then TYPE, appears once, its samples follow it together;
 * names start with chiso_ and use [a-zA-Z0-9_]; counters end in _total; lines
 * end in '\n'.
 */
static void check_format(const char *cname, const char *text)
{
	char family[128] = "", type[16] = "", seen[8192] = " ";
	size_t len = strlen(text);

	if (len == 0 || text[len - 1] != '\n')
		fail_msg("%s: the text does not end with a newline", cname);
	for (const char *line = text; *line;) {
		const char *eol = strchr(line, '\n');
		char buf[512];
		snprintf(buf, sizeof buf, "%.*s", (int)(eol - line), line);
		line = eol + 1;
		if (strncmp(buf, "# HELP ", 7) == 0) {
			char name[128];
			if (sscanf(buf + 7, "%127s", name) != 1 || strncmp(name, "chiso_", 6) != 0)
				fail_msg("%s: bad HELP line [%s]", cname, buf);
			char key[132];
			snprintf(key, sizeof key, " %s ", name);
			if (strstr(seen, key))
				fail_msg("%s: family %s appears twice", cname, name);
			strncat(seen, key + 1, sizeof seen - strlen(seen) - 1);
			snprintf(family, sizeof family, "%s", name);
			type[0] = '\0';
			continue;
		}
		if (strncmp(buf, "# TYPE ", 7) == 0) {
			char name[128];
			if (sscanf(buf + 7, "%127s %15s", name, type) != 2 ||
			    strcmp(name, family) != 0)
				fail_msg("%s: TYPE [%s] does not follow its HELP", cname, buf);
			if (strcmp(type, "counter") != 0 && strcmp(type, "gauge") != 0)
				fail_msg("%s: type %s", cname, type);
			size_t n = strlen(name);
			if (strcmp(type, "counter") == 0 &&
			    (n < 6 || strcmp(name + n - 6, "_total") != 0))
				fail_msg("%s: counter %s does not end in _total", cname, name);
			continue;
		}
		size_t n =
		    strspn(buf, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
		if (!type[0] || strlen(family) != n || strncmp(buf, family, n) != 0)
			fail_msg("%s: sample [%s] outside its family %s", cname, buf, family);
		if (buf[n] != ' ' && buf[n] != '{')
			fail_msg("%s: sample [%s]: bad name", cname, buf);
		/* a whole number, or a decimal one for a gauge in seconds */
		const char *value = strrchr(buf, ' ');
		const char *digits = strcmp(type, "gauge") == 0 ? "0123456789." : "0123456789";
		if (!value || strspn(value + 1, digits) != strlen(value + 1) || !value[1])
			fail_msg("%s: sample [%s]: value is not a number", cname, buf);
	}
}

/* Each case fills the statistics one way and checks the page metrics_render makes of them. */
static const struct {
	const char *name;
	void (*fill)(struct stats *);
	size_t samples;		    /* sample lines expected */
	const char *const has[11];  /* substrings that must appear */
	const char *const hasnt[3]; /* and must not */
} render_cases[] = {
    {"zero peers",
     fill_empty,
     28,
     {"# HELP chiso_rows_accepted_total Rows stored by committed batches.\n"
      "# TYPE chiso_rows_accepted_total counter\nchiso_rows_accepted_total 0\n",
      "\nchiso_collectors_connected 0\n", "\nchiso_db_up 0\n",
      "\nchiso_build_info{version=\"" CHISO_VERSION "\"} 1\n",
      "# TYPE chiso_rejections_total counter\n# HELP chiso_collector_last_seen_seconds",
      "\nchiso_uptime_seconds 100\n", "\nchiso_start_time_seconds 1699999900\n"},
     {"collector=\"", "reason=\""}},
    {"every counter",
     fill_counters,
     28,
     {"\nchiso_batches_received_total 7\n", "\nchiso_rows_received_total 70\n",
      "\nchiso_batches_committed_total 6\n", "\nchiso_batches_duplicate_total 1\n",
      "\nchiso_batches_key_reused_total 2\n", "\nchiso_rows_accepted_total 58\n",
      "\nchiso_last_commit_time_seconds 1699999997\n",
      "\nchiso_handshakes_total{result=\"refused\"} 5\n", "\nchiso_db_up 1\n",
      "\nchiso_commit_cap_rows 12500\n", "\nchiso_commit_timeouts_total 2\n"},
     {"\nchiso_pending_rows 0\n"}},
    {"failures and the commit target",
     fill_counters,
     28,
     {"\nchiso_db_connect_failures_total 4\n", "\nchiso_accept_failures_total 11\n",
      "\nchiso_commit_target_seconds 3.75\n",
      "\nchiso_handshake_lookups_total{result=\"admitted\"} 3\n",
      "\nchiso_handshake_lookups_total{result=\"refused\"} 1\n"},
     {"\nchiso_db_connect_failures_total 0\n"}},
    {"one reason",
     fill_one_reason,
     29,
     {"# TYPE chiso_rejections_total counter\n"
      "chiso_rejections_total{reason=\"future_period\"} 2\n"},
     {"chiso_rows_rejected_total 2"}},
    {"open periods",
     fill_periods,
     28 + 5,
     {"# TYPE chiso_period_units_missing gauge\n"
      "chiso_period_units_missing{period=\"2024S1\"} 179\n"
      "chiso_period_units_missing{period=\"2026W49\"} 0\n",
      "\nchiso_period_units_expected{period=\"2024S1\"} 183\n",
      "\nchiso_period_units_expected{period=\"2026W49\"} 14\n",
      "# TYPE chiso_period_deadline_timestamp_seconds gauge\n"
      "chiso_period_deadline_timestamp_seconds{period=\"2024S1\"} 1720224000\n"},
     {"deadline_timestamp_seconds{period=\"2026W49\"}"}},
    {"escaping",
     fill_escaping,
     37,
     {"\nchiso_collector_rows_total{collector=\"a\\\"b\\\\c\\nd\"} 3\n",
      "\nchiso_collector_connected{collector=\"a\\\"b\\\\c\\nd\"} 1\n",
      "\nchiso_rejections_total{reason=\"odd\\\"code\"} 1\n", "\nchiso_collectors_connected 1\n"},
     {"c\nd"}},
    {"many peers",
     fill_many_peers,
     28 + 8 * 1000,
     {"\nchiso_collectors_connected 500\n",
      "\nchiso_collector_backlog_batches{collector=\"xa-00999\"} 999\n",
      "\nchiso_collector_last_seen_seconds{collector=\"xa-00000\"} 1699996400\n",
      "\nchiso_collector_connected{collector=\"xa-00001\"} 1\n",
      "\nchiso_collector_connected{collector=\"xa-00002\"} 0\n"},
     {"reason=\""}},
};

static void test_render(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof render_cases / sizeof render_cases[0]; i++) {
		struct stats *s = stats_new();
		assert_non_null(s);
		s->started = NOW - 100;
		render_cases[i].fill(s);
		char *text = metrics_render(s, NOW, 35);
		assert_non_null(text);
		check_format(render_cases[i].name, text);
		CHECK_INT(render_cases[i].name, render_cases[i].samples, count_samples(text));
		for (size_t k = 0; k < 10 && render_cases[i].has[k]; k++)
			CHECK_HAS(render_cases[i].name, render_cases[i].has[k], text);
		for (size_t k = 0; k < 3 && render_cases[i].hasnt[k]; k++)
			if (strstr(text, render_cases[i].hasnt[k]))
				fail_msg("%s: unexpected \"%s\"", render_cases[i].name,
					 render_cases[i].hasnt[k]);
		if (render_cases[i].fill == fill_many_peers)
			CHECK_INT("many peers: one rows sample each", 1000,
				  count(text, "\nchiso_collector_rows_total{"));
		free(text);
		stats_destroy(&s);
	}
}

/* Parsing is libmicrohttpd's; what is left here is the routing. */
static void test_route(void **state)
{
	static const struct {
		const char *name, *method, *path;
		int status;
	} cases[] = {
	    {"metrics", "GET", "/metrics", 200},
	    {"root", "GET", "/", 200},
	    {"POST", "POST", "/metrics", 405},
	    {"HEAD", "HEAD", "/", 405},
	    {"lower-case method", "get", "/metrics", 405},
	    {"other method, other path", "PUT", "/nope", 405},
	    {"other path", "GET", "/nope", 404},
	    {"longer path", "GET", "/metricsx", 404},
	    {"shorter path", "GET", "/metric", 404},
	    {"trailing slash", "GET", "/metrics/", 404},
	    {"empty path", "GET", "", 404},
	};
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		CHECK_INT(cases[i].name, cases[i].status,
			  metrics_route(cases[i].method, cases[i].path));
}

static void test_destroy_null(void **state)
{
	struct metrics *m = NULL;
	(void)state;
	metrics_destroy(&m);
	metrics_destroy(NULL);
	assert_null(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_render),
	    cmocka_unit_test(test_route),
	    cmocka_unit_test(test_destroy_null),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
