/*
 * Tests for startopt: the start-up options chisod and chiso-agent share.  Each
 * row is a command line and what the parse must make of it: the exit status
 * (-1: go on), the flags, the path, and where the options stopped.
 */
#include "testutil.h"

#include <getopt.h>
#include <stdbool.h>

#include "startopt.h"

static void quiet_usage(FILE *out)
{
	(void)out;
}

static void test_startopt(void **state)
{
	static const struct {
		const char *name;
		bool stop_at_command;
		const char *argv[6];
		int rc;
		const char *path;
		bool check_only, verbose, defaults_only;
		int optind_after;
	} cases[] = {
	    {"nothing", false, {"p", NULL}, -1, "default", false, false, false, 1},
	    {"-f -n -v",
	     false,
	     {"p", "-f", "x.conf", "-nv", NULL},
	     -1,
	     "x.conf",
	     true,
	     true,
	     false,
	     4},
	    {"--defaults", false, {"p", "--defaults", NULL}, -1, "default", false, false, true, 2},
	    {"--help", false, {"p", "--help", NULL}, 0, "default", false, false, false, 2},
	    {"bad option", false, {"p", "-q", NULL}, 2, "default", false, false, false, 2},
	    {"stops at the command",
	     true,
	     {"p", "-n", "submit", "-v", NULL},
	     -1,
	     "default",
	     true,
	     false,
	     false,
	     2},
	    {"permutes without a command",
	     false,
	     {"p", "x", "-v", NULL},
	     -1,
	     "default",
	     false,
	     true,
	     false,
	     2},
	};
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *argv[6] = {0};
		int argc = 0;
		for (; cases[i].argv[argc]; argc++)
			argv[argc] = (char *)cases[i].argv[argc];
		struct startopt o = {.program = "p",
				     .usage = quiet_usage,
				     .stop_at_command = cases[i].stop_at_command,
				     .path = "default"};
		optind = 0; /* 0, not 1: glibc re-reads the '+' of a new option string */
		opterr = 0;
		CHECK_INT(cases[i].name, cases[i].rc, startopt_parse(&o, argc, argv));
		CHECK_STR(cases[i].name, cases[i].path, o.path);
		CHECK_INT(cases[i].name, cases[i].check_only, o.check_only);
		CHECK_INT(cases[i].name, cases[i].verbose, o.verbose);
		CHECK_INT(cases[i].name, cases[i].defaults_only, o.defaults_only);
		CHECK_INT(cases[i].name, cases[i].optind_after, optind);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_startopt),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
