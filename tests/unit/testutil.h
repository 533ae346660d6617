/*
 * testutil: what every cmocka unit test includes.  Tests are tables of cases;
 * CHECK_* report the case's name with the expected and actual values, so a
 * failure says which row of the table broke.
 */
#ifndef CHISO_TESTUTIL_H
#define CHISO_TESTUTIL_H

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include <cmocka.h>

#include "catalog.h"
#include "plat.h"

/* Whether the test runs on Windows, for the few cases that mean nothing there (named in each). */
#ifdef _WIN32
#define TEST_WINDOWS 1
#else
#define TEST_WINDOWS 0
#endif

#define CHECK_STR(name, expected, actual)                                                          \
	do {                                                                                       \
		const char *e_ = (expected), *a_ = (actual);                                       \
		if (strcmp(e_, a_) != 0)                                                           \
			fail_msg("%s: expected \"%s\", got \"%s\"", (name), e_, a_);               \
	} while (0)

#define CHECK_INT(name, expected, actual)                                                          \
	do {                                                                                       \
		long long e_ = (long long)(expected), a_ = (long long)(actual);                    \
		if (e_ != a_)                                                                      \
			fail_msg("%s: expected %lld, got %lld", (name), e_, a_);                   \
	} while (0)

#define CHECK_HAS(name, needle, haystack)                                                          \
	do {                                                                                       \
		const char *n_ = (needle), *h_ = (haystack);                                       \
		if (!h_ || !strstr(h_, n_))                                                        \
			fail_msg("%s: expected \"%s\" in \"%s\"", (name), n_, h_ ? h_ : "(null)"); \
	} while (0)

/*
 * Makes a fresh directory from tmpl, its last six characters (XXXXXX)
 * replaced by random letters, as mkdtemp(3) does; through lib/plat.h, so that
 * the agent's tests build for Windows too.  Returns tmpl, or NULL.
 */
static inline char *test_mkdtemp(char *tmpl)
{
	static const char letters[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	size_t n = strlen(tmpl);
	unsigned char r[6];

	for (int tries = 0; n >= 6 && tries < 100; tries++) {
		if (plat_random(r, sizeof r) != 0)
			return NULL;
		for (size_t i = 0; i < 6; i++)
			tmpl[n - 6 + i] = letters[r[i] % (sizeof letters - 1)];
		if (plat_mkdir(PLAT_CWD, tmpl, 0700) == 0)
			return tmpl;
		if (errno != EEXIST)
			return NULL;
	}
	return NULL;
}

/* A fresh temporary directory (removed by the caller with test_rm_rf). */
static inline char *test_tmpdir(void)
{
	static char buf[64];
	snprintf(buf, sizeof buf, "/tmp/chiso-unit.XXXXXX");
	return test_mkdtemp(buf);
}

static inline int test_rm_entry(const char *name, void *arg);

/* Removes dir and everything under it, without following symbolic links; 0 or -1. */
static inline int test_rm_tree(const char *dir)
{
	int dfd = plat_open(PLAT_CWD, dir, PLAT_O_READ | PLAT_O_DIR, 0);
	int rc = dfd < 0 ? -1 : plat_dir_walk(dfd, test_rm_entry, (void *)dir);

	if (dfd >= 0)
		plat_close(dfd);
	return rc == 0 ? rmdir(dir) : rc;
}

static inline int test_rm_entry(const char *name, void *arg)
{
	char path[4096];
	struct plat_stat st;

	snprintf(path, sizeof path, "%s/%s", (const char *)arg, name);
	if (plat_stat(PLAT_CWD, path, false, &st) == 0 && st.is_dir)
		return test_rm_tree(path);
	return plat_unlink(PLAT_CWD, path);
}

static inline void test_rm_rf(const char *dir)
{
	if (test_rm_tree(dir) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
}

/* symlink(2), for the cases that skip themselves on Windows (TEST_WINDOWS); 0 or -1. */
static inline int test_symlink(const char *target, const char *path)
{
#ifdef _WIN32
	(void)target;
	(void)path;
	errno = ENOSYS;
	return -1;
#else
	return symlink(target, path);
#endif
}

/* Sets path's access and modification times to t (as utimensat did); 0 or -1. */
static inline int test_set_mtime(const char *path, time_t t)
{
	int fd = plat_open(PLAT_CWD, path, PLAT_O_WRITE, 0);
	if (fd < 0)
		return -1;
	int rc = plat_set_mtime(fd, t);
	return plat_close(fd) == 0 ? rc : -1;
}

/* symlinkat(2), as test_symlink. */
static inline int test_symlink_at(int dfd, const char *target, const char *name)
{
#ifdef _WIN32
	(void)dfd;
	(void)target;
	(void)name;
	errno = ENOSYS;
	return -1;
#else
	return symlinkat(target, dfd, name);
#endif
}

/* unsetenv(3); Windows' C runtime removes a variable set to nothing. */
static inline int test_unsetenv(const char *name)
{
#ifdef _WIN32
	char buf[256];
	snprintf(buf, sizeof buf, "%s=", name);
	return _putenv(buf);
#else
	return unsetenv(name);
#endif
}

/* Writes text to path; returns 0. */
static inline int test_write(const char *path, const char *text, size_t len)
{
	FILE *fp = fopen(path, "wb");
	if (!fp)
		return -1;
	fwrite(text, 1, len, fp);
	return fclose(fp);
}

/* The shipped catalogue (config/catalog.conf of CHISO_SOURCE_DIR), or NULL. */
static inline struct catalog *test_catalog(void)
{
	char path[4096], err[512];
	const char *src = getenv("CHISO_SOURCE_DIR");
	snprintf(path, sizeof path, "%s/config/catalog.conf", src ? src : ".");
	struct catalog *c = catalog_load(path, err, sizeof err);
	if (!c)
		fprintf(stderr, "%s\n", err);
	return c;
}

/* The shipped catalogue of a test program whose group setup and teardown are
 * test_catalog_setup and test_catalog_teardown: loaded once for all its tests. */
static inline struct catalog **test_cat_slot(void)
{
	static struct catalog *cat;
	return &cat;
}

static inline struct catalog *test_cat(void)
{
	return *test_cat_slot();
}

static inline int test_catalog_setup(void **state)
{
	(void)state;
	*test_cat_slot() = test_catalog();
	return test_cat() ? 0 : -1;
}

static inline int test_catalog_teardown(void **state)
{
	(void)state;
	catalog_destroy(test_cat_slot());
	return 0;
}

/*
 * Sends what the program writes to stderr into path, until test_stderr_end;
 * returns the saved descriptor to hand to it.  For the messages an officer
 * would read, which the tests compare.
 */
static inline int test_stderr_begin(const char *path)
{
	fflush(stderr);
	int saved = dup(2), fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	dup2(fd, 2);
	close(fd);
	return saved;
}

/* Puts stderr back (saved from test_stderr_begin) and reads what was written into buf. */
static inline void test_stderr_end(int saved, const char *path, char *buf, size_t size)
{
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	FILE *fp = fopen(path, "rb");
	size_t got = fp ? fread(buf, 1, size - 1, fp) : 0;
	buf[got] = '\0';
	if (fp)
		fclose(fp);
}

#endif
