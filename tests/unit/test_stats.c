/* stats (chisod): per-collector figures, reasons, the JSON and STATUS= renderings. */
#include "testutil.h"

#include <jansson.h>

#include "stats.h"

static void test_counters(void **state)
{
	(void)state;
	struct stats *s = stats_new();
	static const char *const names[] = {"xa-3", "xa-1", "xa-2", "xa-1"};
	for (size_t i = 0; i < 4; i++) {
		struct peer_stat *p = stats_peer(s, names[i]);
		p->batches++;
		p->last_seen = 1000;
	}
	assert_int_equal(s->npeers, 3);
	CHECK_STR("sorted", "xa-1", s->peers[0].name);
	assert_int_equal(stats_peer(s, "xa-1")->batches, 2);
	stats_reason(s, "unit_out_of_scope");
	stats_reason(s, "unit_out_of_scope");
	stats_reason(s, "future_period");
	s->db_up = true;
	s->commit_cap_rows = 25000;
	s->commit_timeouts = 1;
	s->rows_received = 500;
	stats_tick(s, 10000);
	s->rows_received = 1500;
	stats_tick(s, 12000);
	assert_true(s->rows_per_s > 499 && s->rows_per_s < 501);

	char *json = stats_json(s, 1010, 30);
	json_error_t jerr;
	json_t *doc = json_loads(json, 0, &jerr);
	assert_non_null(doc);
	assert_int_equal(json_integer_value(json_object_get(
			     json_object_get(doc, "rejections_by_reason"), "unit_out_of_scope")),
			 2);
	assert_int_equal(json_integer_value(json_object_get(doc, "collectors_connected")), 3);
	assert_int_equal(json_array_size(json_object_get(doc, "collectors")), 3);
	assert_int_equal(json_integer_value(json_object_get(doc, "commit_cap_rows")), 25000);
	assert_int_equal(json_integer_value(json_object_get(doc, "commit_timeouts")), 1);
	json_decref(doc);
	free(json);
	json = stats_json(s, 2000, 30); /* nobody seen for 1000 s */
	doc = json_loads(json, 0, &jerr);
	assert_int_equal(json_integer_value(json_object_get(doc, "collectors_connected")), 0);
	json_decref(doc);
	free(json);

	char line[256];
	stats_line(s, line, sizeof line);
	CHECK_HAS("status line", "db up; 3 collectors; 500 values/s", line);
	stats_destroy(&s);
	stats_destroy(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_counters)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
