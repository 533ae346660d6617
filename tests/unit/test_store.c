/* store: which SQLSTATEs make a failed commit a timeout or a transient failure rather than
 * a refusal (the only part of the storage module that needs no database). */
#include "testutil.h"

#include "store.h"

static void test_failure_of(void **state)
{
	static const struct {
		const char *sqlstate;
		enum store_failure want;
	} cases[] = {
	    {"57014", STORE_FAIL_TIMEOUT},   /* query_canceled: statement_timeout */
	    {"55P03", STORE_FAIL_TIMEOUT},   /* lock_not_available: lock_timeout */
	    {"40001", STORE_FAIL_TRANSIENT}, /* serialization_failure */
	    {"40P01", STORE_FAIL_TRANSIENT}, /* deadlock_detected */
	    {"53100", STORE_FAIL_TRANSIENT}, /* disk_full */
	    {"53200", STORE_FAIL_TRANSIENT}, /* out_of_memory */
	    {"53300", STORE_FAIL_TRANSIENT}, /* too_many_connections */
	    {"25006", STORE_FAIL_NODE},	     /* read_only_sql_transaction: a standby now */
	    {"42501", STORE_FAIL_NODE},	     /* a data file the server cannot open (EACCES) */
	    {"58030", STORE_FAIL_NODE},	     /* io_error */
	    {"58P01", STORE_FAIL_NODE},	     /* undefined_file */
	    {"25001", STORE_FAIL_STATEMENT}, /* active_sql_transaction: not a standby */
	    {"23505", STORE_FAIL_STATEMENT}, /* unique_violation: a real refusal */
	    {"22P02", STORE_FAIL_STATEMENT}, /* invalid_text_representation */
	    {"P0001", STORE_FAIL_STATEMENT}, /* raise_exception from a chiso function */
	    {"40000", STORE_FAIL_STATEMENT}, /* transaction_rollback in general */
	    {"57P01", STORE_FAIL_STATEMENT}, /* admin_shutdown: the connection check decides */
	    {"53", STORE_FAIL_STATEMENT},    {"570140", STORE_FAIL_STATEMENT},
	    {"", STORE_FAIL_STATEMENT},	     {NULL, STORE_FAIL_STATEMENT},
	};
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		CHECK_INT(cases[i].sqlstate ? cases[i].sqlstate : "(null)",
			  (long long)cases[i].want, (long long)store_failure_of(cases[i].sqlstate));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_failure_of),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
