/* sockmon (chisod): accept failures are said at most once per interval, and the next line
 * says how many were held back. */
#include "testutil.h"

#include "sockmon.h"

static void test_limit(void **state)
{
	/* One event per step: when, whether a line is said, and how many it says were held. */
	static const struct {
		int64_t now_ms;
		bool said;
		uint64_t held;
	} steps[] = {
	    {0, true, 0},  /* the first at once */
	    {1, false, 0}, /* libzmq retries at once: held back */
	    {9999, false, 0},
	    {10000, true, 2}, /* the interval is over: said with the two held back */
	    {10001, false, 0},
	    {50000, true, 1},
	    {60000, true, 0}, /* nothing held back in between */
	};
	struct sockmon_limit l = {0};
	(void)state;
	for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
		uint64_t held = 99;
		bool said = sockmon_allow(&l, steps[i].now_ms, SOCKMON_LOG_MS, &held);
		char name[32];
		snprintf(name, sizeof name, "step %zu", i);
		CHECK_INT(name, steps[i].said, said);
		if (said)
			CHECK_INT(name, (long long)steps[i].held, (long long)held);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
