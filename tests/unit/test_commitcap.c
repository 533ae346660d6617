/* commitcap (chisod): commits are sized by time: the rows per millisecond of recent commits
 * times the target give the cap, between the floor and ingest.commit_max_rows, at most doubling
 * per commit; a timeout halves it from the failed commit's rows. */
#include "testutil.h"

#include "commitcap.h"

/* One step of a sequence: a timeout or a commit of ROWS rows after MS ms, or a new ceiling. */
struct step {
	char what; /* 't' timeout, 'c' commit, 'm' new ceiling (rows = the ceiling, ms = target) */
	long long rows, ms;
	long long want_cap;
};

/* Each case walks a sequence of steps, checking the cap after each. */
static const struct {
	const char *name;
	long long max, timeout_ms, target_ms;
	long long want_target;
	struct step steps[10];
} sequence_cases[] = {
    {"the first commits hold COMMITCAP_START rows, the target is a quarter of the timeout",
     50000,
     15000,
     0,
     3750,
     {{'c', 100, 5, COMMITCAP_START}}},
    {"a small ceiling is the start", 1000, 15000, 0, 3750, {{'c', 1, 1, 1000}}},
    {"a target above half the timeout is half the timeout",
     50000,
     1000,
     900,
     500,
     {{'c', 5000, 1000, 2500}}},
    {"the rate gives the cap, at most doubling per commit, up to the ceiling",
     50000,
     4000,
     1000,
     1000,
     /* 100 rows/ms: 100 000 wanted; doubled from 2000 up to the ceiling */
     {{'c', 2000, 20, 4000},
      {'c', 4000, 40, 8000},
      {'c', 8000, 80, 16000},
      {'c', 16000, 160, 32000},
      {'c', 32000, 320, 50000}}},
    {"slow commits shrink the cap to what the target holds",
     50000,
     4000,
     1000,
     1000,
     /* 5 rows/ms (5000 wanted, at most doubled), then the average of 5 and 1 rows/ms:
	3000 rows in 1 s */
     {{'c', 5000, 1000, 4000}, {'c', 5000, 5000, 3000}}},
    {"a small quick commit leaves the rate alone, a small slow one does not",
     50000,
     4000,
     1000,
     1000,
     {{'c', 100, 900, COMMITCAP_START}, {'c', 100, 2000, 100}}},
    {"a timeout makes it what the failed commit's rate stores in the target, never below "
     "the floor",
     50000,
     15000,
     0,
     3750,
     /* 5000 rows in more than 15 s: fewer than 1250 in 3.75 s */
     {{'t', 5000, 15000, 1250},
      {'t', 5000, 15000, 1250},
      {'t', 2500, 15000, 625},
      {'t', 150, 15000, COMMITCAP_FLOOR}}},
    {"a quick timeout (lock_timeout) halves the failed commit's rows",
     50000,
     15000,
     0,
     3750,
     {{'t', 3000, 1000, 1500}, {'t', 3000, 1000, 1500}}},
    {"after a timeout the cap grows back with the rate it measures",
     50000,
     1000,
     0,
     250,
     /* 2500 rows time out after 1 s: 625 rows, 2.5 rows/ms; then 625 in 125 ms: 5
	rows/ms averaged to 3.75, 937 rows */
     {{'t', 2500, 1000, 625}, {'c', 625, 125, 937}}},
    {"a ceiling under the floor is the floor",
     40,
     15000,
     0,
     3750,
     {{'c', 40, 1, 40}, {'t', 40, 15000, 40}}},
    {"a lower ceiling lowers the cap, a new target is used",
     50000,
     4000,
     1000,
     1000,
     {{'m', 300, 2000, 300}, {'m', 50000, 2000, 300}, {'c', 300, 100, 600}}},
};

static void test_sequences(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof sequence_cases / sizeof sequence_cases[0]; i++) {
		struct commitcap c;
		uint64_t timeouts = 0;
		commitcap_init(&c, sequence_cases[i].max, sequence_cases[i].timeout_ms,
			       sequence_cases[i].target_ms);
		CHECK_INT(sequence_cases[i].name, sequence_cases[i].want_target, c.target_ms);
		for (size_t k = 0; k < 10 && sequence_cases[i].steps[k].what; k++) {
			const struct step *st = &sequence_cases[i].steps[k];
			long long got = c.cap;
			if (st->what == 't') {
				got = commitcap_timeout(&c, (uint64_t)st->rows, st->ms);
				timeouts++;
			} else if (st->what == 'c') {
				got = commitcap_committed(&c, (uint64_t)st->rows, st->ms);
			} else {
				commitcap_set_max(&c, st->rows, st->ms);
				got = c.cap;
			}
			if (got != st->want_cap || c.cap != got)
				fail_msg("%s, step %zu: cap %lld, want %lld",
					 sequence_cases[i].name, k, got, st->want_cap);
		}
		CHECK_INT(sequence_cases[i].name, (long long)timeouts, (long long)c.timeouts);
	}
}

/* commitcap_recovered: once after a timeout, when the cap has doubled back or is at the ceiling.
 */
static void test_recovered(void **state)
{
	static const struct {
		const char *name;
		long long max;
		struct {
			char what; /* 't' timeout, 'c' commit */
			long long rows, ms;
			bool recovered; /* what commitcap_recovered says after it */
		} steps[6];
	} cases[] = {
	    /* target 250 ms: 625 rows after the timeout; 937, under twice that; then 18.7
	       rows/ms averaged to 11.2: 2811 wanted, doubled to 1874 */
	    {"doubled back, said once",
	     50000,
	     {{'t', 2500, 1000, false},
	      {'c', 625, 125, false},
	      {'c', 937, 50, true},
	      {'c', 1874, 100, false}}},
	    /* 250 rows after the timeout; the next commit may hold the ceiling, 400, short of 500
	     */
	    {"the ceiling counts as recovered",
	     400,
	     {{'t', 1000, 1000, false}, {'c', 250, 10, true}}},
	    {"no timeout, nothing to recover from",
	     50000,
	     {{'c', 2000, 20, false}, {'c', 4000, 40, false}}},
	};
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct commitcap c;
		commitcap_init(&c, cases[i].max, 1000, 0);
		for (size_t k = 0; k < 6 && cases[i].steps[k].what; k++) {
			if (cases[i].steps[k].what == 't')
				commitcap_timeout(&c, (uint64_t)cases[i].steps[k].rows,
						  cases[i].steps[k].ms);
			else
				commitcap_committed(&c, (uint64_t)cases[i].steps[k].rows,
						    cases[i].steps[k].ms);
			if (commitcap_recovered(&c) != cases[i].steps[k].recovered)
				fail_msg("%s, step %zu: cap %lld, recovered not %d", cases[i].name,
					 k, c.cap, cases[i].steps[k].recovered);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sequences),
	    cmocka_unit_test(test_recovered),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
