/*
 * Unit tests for runas: programs run as ourselves with exactly the environment
 * given, argv passed without a shell, stdout and stderr captured (the tail
 * when long), exit codes and signals, a program that cannot be started, and
 * the access check.  When the tests run as root they also drop to nobody and
 * check the ids and the access refusal really change.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runas.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static void test_users(void **state)
{
	struct runas who;
	char err[256] = "";
	(void)state;

	runas_self(&who);
	assert_int_equal(who.uid, geteuid());
	assert_int_equal(who.gid, getegid());
	assert_int_equal(who.drop, 0);
	/* Naming ourselves changes nothing either. */
	struct passwd *pw = getpwuid(geteuid());
	assert_non_null(pw);
	assert_int_equal(runas_user(&who, pw->pw_name, err, sizeof err), 0);
	assert_int_equal(who.drop, 0);
	assert_string_equal(who.name, pw->pw_name);
	assert_int_equal(runas_user(&who, "no-such-user-chiso", err, sizeof err), -1);
	assert_string_equal(err, "system user no-such-user-chiso does not exist");
}

static void test_run(void **state)
{
	static const char *const no_env[] = {NULL};
	static const char *const two_env[] = {"A=1", "B=two words", NULL};
	static const struct {
		const char *name;
		const char *argv[6];
		const char *const *env;
		size_t outsize;
		int rc;
		const char *out;
	} cases[] = {
	    {"stdout", {"/bin/sh", "-c", "echo hello"}, no_env, 64, 0, "hello\n"},
	    {"stderr too",
	     {"/bin/sh", "-c", "echo out; echo err >&2"},
	     no_env,
	     64,
	     0,
	     "out\nerr\n"},
	    {"exit status", {"/bin/sh", "-c", "exit 3"}, no_env, 64, 3, ""},
	    {"killed by a signal", {"/bin/sh", "-c", "kill -9 $$"}, no_env, 64, 137, ""},
	    {"only the given environment", {"/usr/bin/env"}, two_env, 64, 0, "A=1\nB=two words\n"},
	    {"empty environment", {"/usr/bin/env"}, no_env, 64, 0, ""},
	    {"argv without a shell",
	     {"/bin/echo", "a b", "$HOME", "*"},
	     no_env,
	     64,
	     0,
	     "a b $HOME *\n"},
	    {"stdin is /dev/null", {"/bin/cat"}, no_env, 64, 0, ""},
	    {"the tail is kept", {"/bin/sh", "-c", "printf abcdefghij"}, no_env, 5, 0, "ghij"},
	    {"long output, short tail",
	     {"/bin/sh", "-c", "head -c 100000 /dev/zero | tr '\\0' x; echo END"},
	     no_env,
	     8,
	     0,
	     "xxxEND\n"},
	};
	struct runas self;
	(void)state;

	runas_self(&self);
	for (size_t i = 0; i < NELEM(cases); i++) {
		char out[64], err[256] = "";
		int rc = runas_run(&self, cases[i].argv, cases[i].env, out, cases[i].outsize, err,
				   sizeof err);
		if (rc != cases[i].rc)
			fail_msg("%s: exit %d, want %d (%s)", cases[i].name, rc, cases[i].rc, err);
		if (strcmp(out, cases[i].out) != 0)
			fail_msg("%s: output [%s], want [%s]", cases[i].name, out, cases[i].out);
	}
	/* No output buffer: the output is dropped, the status still counts. */
	const char *argv[] = {"/bin/sh", "-c", "echo dropped; exit 4", NULL};
	char err[256] = "";
	assert_int_equal(runas_run(&self, argv, no_env, NULL, 0, err, sizeof err), 4);
}

static void test_cannot_start(void **state)
{
	static const char *const env[] = {NULL};
	const char *argv[] = {"/nonexistent/chiso-prog", NULL};
	struct runas self;
	char out[64] = "x", err[256] = "", want[256];
	(void)state;

	runas_self(&self);
	assert_int_equal(runas_run(&self, argv, env, out, sizeof out, err, sizeof err), -1);
	snprintf(want, sizeof want,
		 "cannot run /nonexistent/chiso-prog as %s: exec: No such file or directory",
		 self.name);
	assert_string_equal(err, want);
}

static void test_access(void **state)
{
	struct runas self;
	(void)state;

	runas_self(&self);
	assert_int_equal(runas_access(&self, "/", X_OK), 1);
	assert_int_equal(runas_access(&self, "/nonexistent/chiso", F_OK), 0);
}

/* As root: the child really becomes nobody, and nobody cannot enter a 0700 directory. */
static void test_drop(void **state)
{
	static const char *const env[] = {NULL};
	const char *argv[] = {"/usr/bin/id", "-u", NULL};
	struct runas nobody;
	char out[64], err[256] = "", want[32], dir[64];
	(void)state;

	if (geteuid() != 0 || runas_user(&nobody, "nobody", err, sizeof err) != 0)
		skip();
	assert_int_equal(nobody.drop, 1);
	assert_int_equal(runas_run(&nobody, argv, env, out, sizeof out, err, sizeof err), 0);
	snprintf(want, sizeof want, "%u\n", (unsigned)nobody.uid);
	assert_string_equal(out, want);
	snprintf(dir, sizeof dir, "/tmp/chiso-test-runas-XXXXXX");
	assert_non_null(mkdtemp(dir));
	assert_int_equal(chmod(dir, 0700), 0);
	assert_int_equal(runas_access(&nobody, dir, X_OK), 0);
	assert_int_equal(chmod(dir, 0711), 0);
	assert_int_equal(runas_access(&nobody, dir, X_OK), 1);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_users),	 cmocka_unit_test(test_run),
	    cmocka_unit_test(test_cannot_start), cmocka_unit_test(test_access),
	    cmocka_unit_test(test_drop),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
