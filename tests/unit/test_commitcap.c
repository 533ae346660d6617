/* commitcap (chisod): the commit size halves from a commit that timed out, never below the
 * floor, and doubles back after quick commits up to ingest.commit_max_rows. */
#include "testutil.h"

#include "commitcap.h"

/* One step of a sequence: a timeout of ROWS rows, or a commit of MS milliseconds. */
struct step {
	char what; /* 't' timeout, 'c' commit, 'm' new ceiling (rows = the ceiling) */
	long long rows_or_ms;
	long long want_cap;
};

static void test_sequences(void **state)
{
	static const struct {
		const char *name;
		long long max, timeout_ms;
		struct step steps[12];
	} cases[] = {
	    {"a timeout halves from the failed commit's rows",
	     50000,
	     15000,
	     {{'t', 50000, 25000}, {'t', 50000, 25000}, {'t', 25000, 12500}}},
	    {"never below the floor",
	     50000,
	     15000,
	     {{'t', 150, COMMITCAP_FLOOR}, {'t', 10, COMMITCAP_FLOOR}}},
	    {"a ceiling under the floor is the floor", 40, 15000, {{'c', 1, 40}, {'t', 40, 40}}},
	    {"grows after four quick commits, up to the ceiling",
	     1000,
	     1000,
	     {{'t', 400, 200},
	      {'c', 10, 200},
	      {'c', 10, 200},
	      {'c', 10, 200},
	      {'c', 499, 400},
	      {'c', 10, 400},
	      {'c', 10, 400},
	      {'c', 10, 400},
	      {'c', 10, 800},
	      {'c', 10, 800},
	      {'c', 10, 800},
	      {'c', 10, 800}}},
	    {"a slow commit restarts the count",
	     1000,
	     1000,
	     {{'t', 400, 200},
	      {'c', 10, 200},
	      {'c', 10, 200},
	      {'c', 10, 200},
	      {'c', 500, 200},
	      {'c', 10, 200},
	      {'c', 10, 200},
	      {'c', 10, 200},
	      {'c', 10, 400}}},
	    {"doubling stops at the ceiling",
	     1000,
	     0,
	     {{'t', 1400, 700}, {'c', 99999, 700}, {'c', 1, 700}, {'c', 1, 700}, {'c', 1, 1000}}},
	    {"a lower ceiling lowers the cap, a higher one is grown to",
	     1000,
	     1000,
	     {{'m', 300, 300},
	      {'m', 2000, 300},
	      {'c', 1, 300},
	      {'c', 1, 300},
	      {'c', 1, 300},
	      {'c', 1, 600}}},
	};
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct commitcap c;
		uint64_t timeouts = 0;
		commitcap_init(&c, cases[i].max, cases[i].timeout_ms);
		for (size_t k = 0; k < 12 && cases[i].steps[k].what; k++) {
			const struct step *st = &cases[i].steps[k];
			long long got = c.cap;
			if (st->what == 't') {
				got = commitcap_timeout(&c, (uint64_t)st->rows_or_ms);
				timeouts++;
			} else if (st->what == 'c') {
				got = commitcap_committed(&c, st->rows_or_ms);
			} else {
				commitcap_set_max(&c, st->rows_or_ms);
				got = c.cap;
			}
			if (got != st->want_cap || c.cap != got)
				fail_msg("%s, step %zu: cap %lld, want %lld", cases[i].name, k, got,
					 st->want_cap);
		}
		CHECK_INT(cases[i].name, (long long)timeouts, (long long)c.timeouts);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sequences),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
