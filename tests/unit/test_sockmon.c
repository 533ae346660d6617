/* sockmon (chisod): a monitor on a ROUTER is started and stopped, and stopping it is safe
 * twice (its rate limit is ratelimit's: test_ratelimit). */
#include "testutil.h"

#include <zmq.h>

#include "sockmon.h"

static void test_new_destroy(void **state)
{
	char err[256] = "";
	void *ctx = zmq_ctx_new();
	void *router = zmq_socket(ctx, ZMQ_ROUTER);
	struct sockmon *m;
	uint64_t failures = 0;
	(void)state;

	assert_non_null(router);
	assert_int_equal(zmq_bind(router, "inproc://test-sockmon"), 0);
	m = sockmon_new(ctx, router, err, sizeof err);
	CHECK_STR("sockmon_new error", "", err);
	assert_non_null(m);
	assert_non_null(sockmon_socket(m));
	sockmon_handle(m, 0, &failures); /* nothing pending: nothing counted */
	CHECK_INT("failures", 0, (long long)failures);
	sockmon_destroy(&m);
	assert_null(m);
	sockmon_destroy(&m);
	zmq_close(router);
	zmq_ctx_term(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_new_destroy),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
