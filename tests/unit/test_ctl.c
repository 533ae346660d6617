/* chisoctl helpers: Vietnamese period names, embedded conninfo quoting, paths, log levels. */
#include "testutil.h"

#include <stdio.h>
#include <unistd.h>

#include "embedded.h"
#include "log.h"
#include "paths.h"
#include "repfmt.h"

static void test_period_vi(void **state)
{
	static const struct {
		const char *id, *vi;
	} cases[] = {
	    {"2024", "năm 2024"},
	    {"2024S1", "6 tháng đầu năm 2024"},
	    {"2024S2", "6 tháng cuối năm 2024"},
	    {"2024Q2", "quý II năm 2024"},
	    {"202406", "tháng 6 năm 2024"},
	    {"2024W10", "tuần 10 năm 2024"},
	    {"20240615", "ngày 15/06/2024"},
	    {"junk", "kỳ junk"},
	};
	char buf[64];
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		repfmt_period_words(REPFMT_VI, cases[i].id, buf, sizeof buf);
		CHECK_STR(cases[i].id, cases[i].vi, buf);
	}
}

static void test_conninfo(void **state)
{
	struct embedded_info info = {0};
	char buf[512];
	(void)state;
	snprintf(info.socket_dir, sizeof info.socket_dir, "/tmp/it's here");
	info.port = 5432;
	snprintf(info.dbname, sizeof info.dbname, "chiso");
	snprintf(info.owner_password, sizeof info.owner_password, "0123abcd");
	snprintf(info.reader_password, sizeof info.reader_password, "feed");
	embedded_conninfo(&info, "owner", buf, sizeof buf);
	CHECK_STR(
	    "owner",
	    "host='/tmp/it\\'s here' port=5432 dbname=chiso user=chiso_owner password=0123abcd",
	    buf);
	embedded_conninfo(&info, "reader", buf, sizeof buf);
	CHECK_HAS("reader", "user=chiso_reader password=feed", buf);
}

static void test_paths_and_levels(void **state)
{
	(void)state;
	setenv("CHISO_SQL_DIR", "/opt/x/sql", 1);
	CHECK_STR("env wins", "/opt/x/sql", paths_sql_dir());
	unsetenv("CHISO_SQL_DIR");
	/* The test runs from <build>/tests, wherever the build tree is: its
	   share/chiso links to the source folders as an installed tree holds them. */
	char probe[4200];
	snprintf(probe, sizeof probe, "%s/001_schema.sql", paths_sql_dir());
	CHECK_HAS("sql next to the program", "/share/chiso/sql", paths_sql_dir());
	assert_int_equal(access(probe, R_OK), 0);
	snprintf(probe, sizeof probe, "%s/config/catalog.conf", paths_data_dir());
	assert_int_equal(access(probe, R_OK), 0);
	assert_int_equal(log_level_from_name("warning"), LOGL_WARNING);
	assert_int_equal(log_level_from_name("debug"), LOGL_DEBUG);
	assert_int_equal(log_level_from_name("loud"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_period_vi),
	    cmocka_unit_test(test_conninfo),
	    cmocka_unit_test(test_paths_and_levels),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
