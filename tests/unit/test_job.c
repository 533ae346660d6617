/* job (chisod): rows resolved before the database sees them: periods parsed,
 * dates mapped by the indicator's calendar; group bookkeeping. */
#include "testutil.h"

#include "job.h"

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
	job_prepare(b, test_cat());
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
		assert_int_equal(job_add(j, "\x00\x01\x02", 3, 1, 7, "xa-21298", &b, 1000 + i), 0);
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

/* A timed-out commit is cut into jobs of at most LIMIT rows; done entries stay behind. */
static void test_split(void **state)
{
	static const struct {
		const char *name;
		size_t rows[6];	  /* rows of each batch, 0 ends */
		const char *done; /* 'd' per done batch */
		uint64_t limit;
		const char *pieces; /* batches per piece, e.g. "21" */
	} cases[] = {
	    {"halves", {500, 500, 500, 500}, "....", 1000, "22"},
	    {"a batch above the limit goes alone", {3000, 100, 100}, "...", 1000, "12"},
	    {"done entries stay", {100, 100, 100, 100}, "d.d.", 100, "11"},
	    {"all done: no chain", {100, 100}, "dd", 100, ""},
	    {"uneven", {400, 400, 400, 100, 900}, ".....", 1000, "221"},
	};
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct job *j = job_new(), *chain = NULL;
		size_t n = 0, ndone = 0;
		for (; n < 6 && cases[i].rows[n]; n++) {
			struct batch *b = batch_new(cases[i].rows[n]);
			b->seq = n + 1;
			assert_int_equal(
			    job_add(j, "r", 1, 1, 7, "xa-21298", &b, 1000 + (int64_t)n), 0);
			if (cases[i].done[n] == 'd') {
				j->entries[n].item.done = true;
				ndone++;
			}
		}
		int npieces = job_split(j, cases[i].limit, &chain);
		CHECK_INT(cases[i].name, (long long)ndone, (long long)j->n);
		char got[8] = "";
		uint64_t seq = 0;
		for (struct job *p = chain; p; p = p->next) {
			uint64_t rows = 0;
			for (size_t k = 0; k < p->n; k++) {
				assert_true(p->entries[k].batch->seq > seq); /* order kept */
				seq = p->entries[k].batch->seq;
				rows += p->entries[k].batch->nrows;
				assert_false(p->entries[k].item.done);
			}
			assert_int_equal(rows, p->rows);
			assert_true(p->n == 1 || p->rows <= cases[i].limit);
			got[strlen(got)] = (char)('0' + p->n);
		}
		CHECK_STR(cases[i].name, cases[i].pieces, got);
		CHECK_INT(cases[i].name, (long long)strlen(got), npieces);
		while (chain) {
			struct job *next = chain->next;
			job_destroy(&chain);
			chain = next;
		}
		job_destroy(&j);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_prepare),
	    cmocka_unit_test(test_group),
	    cmocka_unit_test(test_split),
	};
	return cmocka_run_group_tests(tests, test_catalog_setup, test_catalog_teardown);
}
