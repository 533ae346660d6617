/* ratelimit: a few lines per window, and the first line after some were held back says how
 * many.  One table per way chisod uses it: sockmon (one line in 10 s), the warnings about a
 * peer and the ZAP refusals (a few a minute). */
#include "testutil.h"

#include "ratelimit.h"

struct step {
	int64_t now_ms;
	bool said;
	uint64_t held; /* what a line said reports as held back before it */
};

static void run(const char *table, const struct step *steps, size_t n, int64_t interval_ms,
		unsigned burst)
{
	struct ratelimit r = {0};
	for (size_t i = 0; i < n; i++) {
		uint64_t held = 99;
		bool said = ratelimit_allow(&r, steps[i].now_ms, interval_ms, burst, &held);
		char name[64];
		snprintf(name, sizeof name, "%s step %zu", table, i);
		CHECK_INT(name, steps[i].said, said);
		if (said)
			CHECK_INT(name, (long long)steps[i].held, (long long)held);
	}
}

static void test_one_per_interval(void **state)
{
	static const struct step steps[] = {
	    {0, true, 0},  /* the first at once, even at time 0 */
	    {1, false, 0}, /* libzmq retries at once: held back */
	    {9999, false, 0},
	    {10000, true, 2}, /* the interval is over: said with the two held back */
	    {10001, false, 0},
	    {50000, true, 1},
	    {60000, true, 0}, /* nothing held back in between */
	};
	(void)state;
	run("one per 10 s", steps, sizeof steps / sizeof steps[0], 10000, 1);
}

static void test_burst_per_minute(void **state)
{
	static const struct step steps[] = {
	    {5000, true, 0},   {5001, true, 0},	  {5002, true, 0}, /* the window's share */
	    {6000, false, 0},  {64999, false, 0},		   /* held back */
	    {65000, true, 2},					   /* a new window, from 65 000 */
	    {65001, true, 0},  {65002, true, 0},  {124999, false, 0}, /* still that window */
	    {125000, true, 1},
	};
	(void)state;
	run("three a minute", steps, sizeof steps / sizeof steps[0], 60000, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_one_per_interval),
	    cmocka_unit_test(test_burst_per_minute),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
