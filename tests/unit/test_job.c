/* job (chisod): rows resolved before the database sees them: periods parsed,
 * dates mapped by the indicator's calendar; group bookkeeping. */
#include "testutil.h"

#include "job.h"

static struct catalog *cat;

static int setup(void **state)
{
	(void)state;
	cat = test_catalog();
	return cat ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	catalog_destroy(&cat);
	return 0;
}

static void test_prepare(void **state)
{
	static const struct {
		const char *indicator, *period, *date, *reason, *want_period;
	} cases[] = {
	    {"population", "2024S1", "", NULL, "2024S1"},
	    {"population", "", "2024-06-14", NULL,
	     "2024S1"}, /* administrative: S1 ends on the 14th */
	    {"population", "", "2024-06-15", NULL, "2024S2"},
	    {"population", "", "2023-12-20", NULL, "2024S1"},
	    {"population", "2024H1", "", "bad_period", ""},
	    {"population", "", "2024-02-30", "bad_date", ""},
	    {"population", "1900", "", "bad_period", ""}, /* outside 2000..2100 */
	    {"population", "", "1999-12-31", "bad_date", ""},
	    {"population", "", "2100-12-14", NULL, "2100S2"},
	    {"population", "", "2100-12-20", "bad_period", ""}, /* the administrative 2101S1 */
	    {"no_such", "", "2024-06-01", "unknown_indicator", ""},
	    {"no_such", "2024", "", NULL, "2024"}, /* the database decides unknown indicators */
	};
	(void)state;
	struct batch *b = batch_new(sizeof cases / sizeof cases[0]);
	for (size_t i = 0; i < b->nrows; i++) {
		snprintf(b->rows[i].indicator, sizeof b->rows[i].indicator, "%s",
			 cases[i].indicator);
		snprintf(b->rows[i].period, sizeof b->rows[i].period, "%s", cases[i].period);
		snprintf(b->rows[i].date, sizeof b->rows[i].date, "%s", cases[i].date);
	}
	job_prepare(b, cat);
	for (size_t i = 0; i < b->nrows; i++) {
		const struct batch_row *r = &b->rows[i];
		const char *name = cases[i].date[0] ? cases[i].date : cases[i].period;
		if (cases[i].reason) {
			if (!r->reason)
				fail_msg("%s: accepted", name);
			CHECK_STR(name, cases[i].reason, r->reason);
			assert_true(r->message[0] != '\0');
		} else {
			if (r->reason)
				fail_msg("%s: refused: %s", name, r->message);
			CHECK_STR(name, cases[i].want_period, r->period);
		}
	}
	batch_destroy(&b);
}

static void test_group(void **state)
{
	(void)state;
	struct job *j = job_new();
	for (int i = 0; i < 40; i++) {
		struct batch *b = batch_new(3);
		b->epoch = 1;
		b->seq = (uint64_t)i + 1;
		assert_int_equal(job_add(j, "\x00\x01\x02", 3, 7, "xa-21298", &b, 1000 + i), 0);
		assert_null(b); /* ownership moved */
	}
	assert_int_equal(j->n, 40);
	assert_int_equal(j->rows, 120);
	assert_int_equal(j->first_us, 1000);
	assert_int_equal(j->entries[39].item.batch->seq, 40);
	assert_ptr_equal(j->entries[5].item.batch, j->entries[5].batch);
	job_destroy(&j);
	job_destroy(&j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_prepare),
	    cmocka_unit_test(test_group),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
