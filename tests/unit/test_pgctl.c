/*
 * Unit tests for pgctl: what can be checked without starting a server.  The
 * paths pg_ctl's shell can carry, the quoting of unix_socket_directories, the
 * line quoted from a tool's output, finding the binaries, the settings written
 * for a data directory in a temporary directory (the include once, chiso.conf
 * at every start), and how tools are run: exactly the environment given, no
 * shell, the output's tail, exit codes and signals, a program that cannot be
 * started, and, as root, the switch to another user through setpriv.  Every
 * table row names its case.
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

#include "pgctl.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static void test_path_check(void **state)
{
	static const struct {
		const char *path, *err; /* err NULL: accepted */
	} cases[] = {
	    {"/srv/chiso/var/pg", NULL},
	    {"/home/cán bộ/my repo/var/pg", NULL},
	    {"/x/it's here", NULL},
	    {"/x/a,b;c&d|e(f)g*h?", NULL},
	    {"/x/a\"b", "path contains \", which pg_ctl's shell command cannot carry: /x/a\"b"},
	    {"/x/$HOME", "path contains $, which pg_ctl's shell command cannot carry: /x/$HOME"},
	    {"/x/`id`", "path contains `, which pg_ctl's shell command cannot carry: /x/`id`"},
	    {"/x/a\\b", "path contains \\, which pg_ctl's shell command cannot carry: /x/a\\b"},
	    {"/x/a\nb", "path contains a control character: /x/a\nb"},
	    {"/x/a\tb", "path contains a control character: /x/a\tb"},
	    {"/x/a\x7f", "path contains a control character: /x/a\x7f"},
	};
	(void)state;

	for (size_t i = 0; i < NELEM(cases); i++) {
		char err[256] = "";
		int rc = pgctl_path_check(cases[i].path, err, sizeof err);
		if (!cases[i].err && rc != 0)
			fail_msg("[%s]: refused: %s", cases[i].path, err);
		if (cases[i].err && (rc != -1 || strcmp(err, cases[i].err) != 0))
			fail_msg("[%s]: rc %d error [%s], want [%s]", cases[i].path, rc, err,
				 cases[i].err);
	}
	/* The length limit sits at 900 bytes (pg_ctl's command buffer is 1024). */
	char path[1000], err[256] = "";
	memset(path, 'p', sizeof path);
	path[0] = '/';
	path[900] = '\0';
	assert_int_equal(pgctl_path_check(path, err, sizeof err), 0);
	path[900] = 'p';
	path[901] = '\0';
	assert_int_equal(pgctl_path_check(path, err, sizeof err), -1);
	assert_non_null(strstr(err, "path longer than 900 bytes: /ppp"));
}

static void test_conf_socket_value(void **state)
{
	static const struct {
		const char *name, *dir, *want;
	} cases[] = {
	    {"plain", "/srv/chiso/var/pg/run", "'/srv/chiso/var/pg/run'"},
	    {"space: list-quoted", "/home/my repo/run", "'\"/home/my repo/run\"'"},
	    {"comma: list-quoted", "/x/a,b", "'\"/x/a,b\"'"},
	    {"apostrophe doubled", "/x/it's", "'/x/it''s'"},
	    {"apostrophe and space", "/x/it's a repo", "'\"/x/it''s a repo\"'"},
	    {"backslash doubled", "/x/a\\b", "'/x/a\\\\b'"},
	    {"double quote doubled in the list", "/x/a\"b", "'\"/x/a\"\"b\"'"},
	    {"Vietnamese", "/home/cán_bộ/run", "'/home/cán_bộ/run'"},
	};
	(void)state;

	for (size_t i = 0; i < NELEM(cases); i++) {
		char out[128];
		if (pgctl_conf_socket_value(cases[i].dir, out, sizeof out) != 0)
			fail_msg("%s: refused", cases[i].name);
		if (strcmp(out, cases[i].want) != 0)
			fail_msg("%s: got [%s], want [%s]", cases[i].name, out, cases[i].want);
		/* Exactly the value and its NUL fit; one byte less does not. */
		size_t need = strlen(cases[i].want) + 1;
		for (size_t size = 0; size < need; size++)
			if (pgctl_conf_socket_value(cases[i].dir, out, size) != -1)
				fail_msg("%s: claims to fit in %zu bytes", cases[i].name, size);
		if (pgctl_conf_socket_value(cases[i].dir, out, need) != 0)
			fail_msg("%s: does not fit in %zu bytes", cases[i].name, need);
	}
}

static void test_last_line(void **state)
{
	static const struct {
		const char *name, *text, *want;
	} cases[] = {
	    {"empty", "", "no output"},
	    {"only newlines", "\n\n", "no output"},
	    {"last non-empty", "one\ntwo\n\n", "two"},
	    {"no final newline", "one\ntwo", "two"},
	    {"FATAL wins over later lines",
	     "LOG: starting\nFATAL:  lock file \"postmaster.pid\" already exists\nLOG: "
	     "shutting down\n",
	     "FATAL:  lock file \"postmaster.pid\" already exists"},
	    {"the last FATAL", "FATAL: first\nFATAL: second\nLOG: x\n", "FATAL: second"},
	    {"psql error", "psql:/x/bootstrap.sql:3: ERROR:  syntax error\n",
	     "psql:/x/bootstrap.sql:3: ERROR:  syntax error"},
	};
	(void)state;

	for (size_t i = 0; i < NELEM(cases); i++) {
		char line[128];
		pgctl_last_line(cases[i].text, line, sizeof line);
		if (strcmp(line, cases[i].want) != 0)
			fail_msg("%s: got [%s], want [%s]", cases[i].name, line, cases[i].want);
	}
}

/* A fresh temporary directory; its name goes to dir. */
static void make_temp_dir(char *dir, size_t size)
{
	snprintf(dir, size, "/tmp/chiso-test-pgctl-XXXXXX");
	assert_non_null(mkdtemp(dir));
}

static void touch(const char *dir, const char *name, const char *text, mode_t mode)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
	assert_int_equal(chmod(path, mode), 0);
}

static void remove_tree(const char *dir, const char *const names[])
{
	char path[512];
	for (size_t i = 0; names[i]; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		unlink(path);
	}
	rmdir(dir);
}

static void test_find(void **state)
{
	static const char *const names[] = {"initdb", "pg_ctl", "postgres", "psql", NULL};
	struct pgctl pg;
	char dir[64], err[256] = "", want[512];
	(void)state;

	make_temp_dir(dir, sizeof dir);
	setenv("CHISO_PG_BINDIR", dir, 1);
	assert_int_equal(pgctl_find(&pg, err, sizeof err), -1);
	snprintf(want, sizeof want,
		 "PostgreSQL 15 server binaries not found in %s: install postgresql-15", dir);
	assert_string_equal(err, want);
	/* initdb and pg_ctl without postgres are not enough, nor one not executable. */
	touch(dir, "initdb", "", 0755);
	touch(dir, "pg_ctl", "", 0755);
	touch(dir, "postgres", "", 0644);
	assert_int_equal(pgctl_find(&pg, err, sizeof err), -1);
	assert_string_equal(err, want);
	touch(dir, "postgres", "", 0755);
	touch(dir, "psql", "", 0755);
	assert_int_equal(pgctl_find(&pg, err, sizeof err), 0);
	assert_string_equal(pg.bindir, dir);
	snprintf(want, sizeof want, "%s/psql", dir);
	assert_string_equal(pg.psql, want);
	/* A directory pg_ctl's shell cannot carry is refused as such. */
	setenv("CHISO_PG_BINDIR", "/opt/$pg/bin", 1);
	assert_int_equal(pgctl_find(&pg, err, sizeof err), -1);
	assert_string_equal(
	    err, "path contains $, which pg_ctl's shell command cannot carry: /opt/$pg/bin");
	unsetenv("CHISO_PG_BINDIR");
	remove_tree(dir, names);
}

static void read_text(const char *path, char *buf, size_t size)
{
	FILE *fp = fopen(path, "r");
	assert_non_null(fp);
	size_t n = fread(buf, 1, size - 1, fp);
	buf[n] = '\0';
	fclose(fp);
}

static void test_configure(void **state)
{
	static const char *const names[] = {"postgresql.conf", "chiso.conf", NULL};
	static const char initial[] = "#unix_socket_directories = '/var/run/postgresql'\n";
	static const char include[] = "\n# chiso embedded cluster (chisoctl db init)\n"
				      "include_if_exists = 'chiso.conf'\n";
	static const char settings[] =
	    "# written by chisoctl at every start of the embedded cluster\n"
	    "listen_addresses = ''\nunix_socket_directories = %s\nport = 5432\n"
	    "fsync = on\nshared_buffers = 128MB\nmax_connections = 200\n"
	    "log_destination = stderr\nlogging_collector = off\nwork_mem = 64MB\n";
	struct pgctl pg;
	char conf[4200], chiso[4200], text[4096], want[4400], err[4400] = "";
	(void)state;

	memset(&pg, 0, sizeof pg);
	make_temp_dir(pg.data_dir, sizeof pg.data_dir);
	snprintf(pg.socket_dir, sizeof pg.socket_dir, "/x/my repo/run");
	pg.port = 5432;
	snprintf(conf, sizeof conf, "%s/postgresql.conf", pg.data_dir);
	snprintf(chiso, sizeof chiso, "%s/chiso.conf", pg.data_dir);
	touch(pg.data_dir, "postgresql.conf", initial, 0600);
	/* First time: the include, and the settings in their own file. */
	assert_int_equal(pgctl_configure(&pg, err, sizeof err), 0);
	read_text(conf, text, sizeof text);
	snprintf(want, sizeof want, "%s%s", initial, include);
	assert_string_equal(text, want);
	read_text(chiso, text, sizeof text);
	snprintf(want, sizeof want, settings, "'\"/x/my repo/run\"'");
	assert_string_equal(text, want);
	/* The socket directory moved: postgresql.conf stays, chiso.conf follows. */
	snprintf(pg.socket_dir, sizeof pg.socket_dir, "/tmp/chiso-pg-0123456789abcdef");
	assert_int_equal(pgctl_configure(&pg, err, sizeof err), 0);
	read_text(conf, text, sizeof text);
	snprintf(want, sizeof want, "%s%s", initial, include);
	assert_string_equal(text, want);
	read_text(chiso, text, sizeof text);
	snprintf(want, sizeof want, settings, "'/tmp/chiso-pg-0123456789abcdef'");
	assert_string_equal(text, want);
	remove_tree(pg.data_dir, names);
	/* No postgresql.conf: the error names it. */
	assert_int_equal(pgctl_configure(&pg, err, sizeof err), -1);
	snprintf(want, sizeof want, "cannot write %s: No such file or directory", conf);
	assert_string_equal(err, want);
}

/* Tools run with exactly the environment given, argv without a shell, output's tail kept. */
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
	struct pgctl pg;
	char out[64], err[256] = "";
	(void)state;

	memset(&pg, 0, sizeof pg);
	for (size_t i = 0; i < NELEM(cases); i++) {
		int rc = pgctl_run(&pg, 1, cases[i].argv, cases[i].env, out, cases[i].outsize, err,
				   sizeof err);
		if (rc != cases[i].rc)
			fail_msg("%s: exit %d, want %d (%s)", cases[i].name, rc, cases[i].rc, err);
		if (strcmp(out, cases[i].out) != 0)
			fail_msg("%s: output [%s], want [%s]", cases[i].name, out, cases[i].out);
	}
	const char *none[] = {"/nonexistent/chiso-prog", NULL};
	assert_int_equal(pgctl_run(&pg, 0, none, no_env, out, sizeof out, err, sizeof err), -1);
	assert_string_equal(err, "cannot run /nonexistent/chiso-prog: No such file or directory");
	assert_int_equal(pgctl_can_enter(&pg, "/"), 1);
	assert_int_equal(pgctl_can_enter(&pg, "/nonexistent/chiso"), 0);
}

/* As root: the server tools really run as nobody, who cannot enter a 0700 directory. */
static void test_drop(void **state)
{
	static const char *const env[] = {NULL};
	const char *argv[] = {"/usr/bin/id", "-u", NULL};
	struct passwd *pw = getpwnam("nobody");
	struct pgctl pg;
	char out[64], err[256] = "", want[32], dir[64];
	(void)state;

	if (geteuid() != 0 || !pw)
		skip();
	memset(&pg, 0, sizeof pg);
	pg.uid = pw->pw_uid;
	pg.gid = pw->pw_gid;
	pg.drop = 1;
	assert_int_equal(pgctl_run(&pg, 1, argv, env, out, sizeof out, err, sizeof err), 0);
	snprintf(want, sizeof want, "%u\n", (unsigned)pg.uid);
	assert_string_equal(out, want);
	assert_int_equal(pgctl_run(&pg, 0, argv, env, out, sizeof out, err, sizeof err), 0);
	assert_string_equal(out, "0\n");
	snprintf(dir, sizeof dir, "/tmp/chiso-test-pgctl-XXXXXX");
	assert_non_null(mkdtemp(dir));
	assert_int_equal(chmod(dir, 0700), 0);
	assert_int_equal(pgctl_can_enter(&pg, dir), 0);
	assert_int_equal(chmod(dir, 0711), 0);
	assert_int_equal(pgctl_can_enter(&pg, dir), 1);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_path_check), cmocka_unit_test(test_conf_socket_value),
	    cmocka_unit_test(test_last_line),  cmocka_unit_test(test_find),
	    cmocka_unit_test(test_configure),  cmocka_unit_test(test_run),
	    cmocka_unit_test(test_drop),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
