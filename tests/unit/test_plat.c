/*
 * Unit tests for plat (lib/plat.h) on POSIX: the open modes and the errors
 * each refusal gives, a durable replace built from the primitives (and
 * obio_replace on top of them), the outbox lock refused to a second open and
 * named by its holder, directory listings (every entry once, "." and ".."
 * left out, stopped by the callback), stat facts, stop requests, addresses.
 * Every table row names its case so that a failure says which.
 */
#include "testutil.h"

#include <errno.h>
#include <signal.h>
#include <sys/stat.h>

#include "obio.h"
#include "plat.h"
#include "testproc.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* What is at the name before a case opens it. */
enum before { B_NONE, B_FILE, B_DIR, B_LINK };

/* Makes dir/name as kind (a file holds "old", a link points at "target"). */
static void make(int dfd, const char *name, enum before kind)
{
	int fd;

	switch (kind) {
	case B_NONE:
		break;
	case B_FILE:
		fd = plat_open(dfd, name, PLAT_O_WRITE | PLAT_O_CREATE | PLAT_O_TRUNC, 0600);
		assert_true(fd >= 0);
		assert_int_equal(plat_write_all(fd, "old", 3), 0);
		assert_int_equal(plat_close(fd), 0);
		break;
	case B_DIR:
		assert_int_equal(plat_mkdir(dfd, name, 0700), 0);
		break;
	case B_LINK:
		assert_int_equal(test_symlink_at(dfd, "target", name), 0);
		break;
	}
}

/* The whole content of dfd/name, NUL-terminated, into buf. */
static const char *content(int dfd, const char *name, char *buf, size_t size)
{
	int fd = plat_open(dfd, name, PLAT_O_READ, 0);
	assert_true(fd >= 0);
	ssize_t n = plat_read_full(fd, buf, size - 1);
	assert_true(n >= 0);
	buf[n] = '\0';
	plat_close(fd);
	return buf;
}

static void test_open(void **state)
{
	(void)state;
	const struct {
		const char *name;
		enum before before;
		unsigned how;
		int want_errno;	   /* 0: opens */
		const char *after; /* the content after writing "new" (NULL: not written) */
	} cases[] = {
	    {"create a new file", B_NONE, PLAT_O_WRITE | PLAT_O_CREATE, 0, "new"},
	    {"exclusive create of a new file", B_NONE, PLAT_O_WRITE | PLAT_O_CREATE | PLAT_O_EXCL,
	     0, "new"},
	    {"exclusive create of an existing file", B_FILE,
	     PLAT_O_WRITE | PLAT_O_CREATE | PLAT_O_EXCL, EEXIST, NULL},
	    {"truncate an existing file", B_FILE, PLAT_O_WRITE | PLAT_O_TRUNC, 0, "new"},
	    {"append to an existing file", B_FILE, PLAT_O_WRITE | PLAT_O_APPEND, 0, "oldnew"},
	    {"write over the start", B_FILE, PLAT_O_RDWR, 0, "new"},
	    {"read a missing file", B_NONE, PLAT_O_READ, ENOENT, NULL},
	    {"read through a symlink without following", B_LINK, PLAT_O_READ | PLAT_O_NOFOLLOW,
	     ELOOP, NULL},
	    {"a file as a directory", B_FILE, PLAT_O_DIR, ENOTDIR, NULL},
	    {"a directory as a directory", B_DIR, PLAT_O_DIR, 0, NULL},
	};
	char *dir = test_tmpdir();
	int dfd = plat_open(PLAT_CWD, dir, PLAT_O_DIR, 0);
	char buf[64];

	assert_true(dfd >= 0);
	make(dfd, "target", B_FILE);
	for (size_t i = 0; i < NELEM(cases); i++) {
		char name[32];
		/* Skipped on Windows: a symbolic link there needs a privilege an agent has not. */
		if (cases[i].before == B_LINK && TEST_WINDOWS)
			continue;
		snprintf(name, sizeof name, "case%zu", i);
		make(dfd, name, cases[i].before);
		errno = 0;
		int fd = plat_open(dfd, name, cases[i].how, 0600);
		CHECK_INT(cases[i].name, cases[i].want_errno, fd < 0 ? errno : 0);
		if (fd >= 0 && cases[i].after) {
			CHECK_INT(cases[i].name, 0, plat_write_all(fd, "new", 3));
			CHECK_INT(cases[i].name, 0, plat_sync(fd));
		}
		if (fd >= 0)
			CHECK_INT(cases[i].name, 0, plat_close(fd));
		if (cases[i].after)
			CHECK_STR(cases[i].name, cases[i].after,
				  content(dfd, name, buf, sizeof buf));
	}
	plat_close(dfd);
	test_rm_rf(dir);
}

/* obio's fsync hook, counting the calls. */
static int counting_sync(int fd, void *arg)
{
	(*(int *)arg)++;
	return plat_sync(fd);
}

static void test_durable_replace(void **state)
{
	(void)state;
	char *dir = test_tmpdir(), buf[64];
	int dfd = plat_open(PLAT_CWD, dir, PLAT_O_DIR, 0), syncs = 0;
	struct obio_sync s = {counting_sync, &syncs};
	struct obio_part part = {"third", 5};
	const char *what;
	bool renamed;

	assert_true(dfd >= 0);
	make(dfd, "final", B_FILE);
	/* By hand, in the order plat.h gives: temporary, sync, close, rename, sync the directory.
	 */
	int fd = plat_open(dfd, "final.tmp", PLAT_O_WRITE | PLAT_O_CREATE | PLAT_O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(plat_write_all(fd, "second", 6), 0);
	assert_int_equal(plat_sync(fd), 0);
	assert_int_equal(plat_close(fd), 0);
	assert_int_equal(plat_rename(dfd, "final.tmp", dfd, "final"), 0);
	assert_int_equal(plat_sync(dfd), 0);
	CHECK_STR("by hand", "second", content(dfd, "final", buf, sizeof buf));
	CHECK_INT("by hand: no temporary left", 0, plat_exists(dfd, "final.tmp", false));

	/* obio_replace over an existing file: two syncs (file, directory), no temporary left. */
	assert_int_equal(obio_replace(&s, dfd, "t", "final", false, &part, 1, &renamed, &what), 0);
	CHECK_STR("obio_replace", "third", content(dfd, "final", buf, sizeof buf));
	CHECK_INT("obio_replace: syncs", 2, syncs);
	CHECK_INT("obio_replace: renamed", 1, renamed);
	CHECK_INT("obio_replace: no temporary left", 0, plat_exists(dfd, "t", false));

	/* noreplace refuses an existing final and leaves it and no temporary. */
	assert_int_equal(obio_replace(&s, dfd, "t", "final", true, &part, 1, &renamed, &what), -1);
	CHECK_INT("noreplace: errno", EEXIST, errno);
	CHECK_INT("noreplace: not renamed", 0, renamed);
	CHECK_INT("noreplace: no temporary left", 0, plat_exists(dfd, "t", false));
	CHECK_STR("noreplace: final kept", "third", content(dfd, "final", buf, sizeof buf));
	plat_close(dfd);
	test_rm_rf(dir);
}

static void test_lock(void **state)
{
	(void)state;
	const struct {
		const char *name;
		enum plat_lock first, second;
		int want_errno; /* of the second open's lock; 0: taken */
	} cases[] = {
	    {"exclusive twice", PLAT_LOCK_EX, PLAT_LOCK_EX, EWOULDBLOCK},
	    {"exclusive then shared", PLAT_LOCK_EX, PLAT_LOCK_SH, EWOULDBLOCK},
	    {"shared then exclusive", PLAT_LOCK_SH, PLAT_LOCK_EX, EWOULDBLOCK},
	    {"shared twice", PLAT_LOCK_SH, PLAT_LOCK_SH, 0},
	    {"released then exclusive", PLAT_LOCK_UN, PLAT_LOCK_EX, 0},
	};
	char *dir = test_tmpdir();
	int dfd = plat_open(PLAT_CWD, dir, PLAT_O_DIR, 0);

	for (size_t i = 0; i < NELEM(cases); i++) {
		/* Two opens of one file: as two agents on one outbox. */
		int a = plat_open(dfd, "lock", PLAT_O_RDWR | PLAT_O_CREATE, 0600);
		int b = plat_open(dfd, "lock", PLAT_O_RDWR | PLAT_O_CREATE, 0600);
		assert_true(a >= 0 && b >= 0);
		if (cases[i].first == PLAT_LOCK_UN) {
			CHECK_INT(cases[i].name, 0, plat_lock(a, PLAT_LOCK_EX, false));
		}
		CHECK_INT(cases[i].name, 0, plat_lock(a, cases[i].first, false));
		errno = 0;
		int rc = plat_lock(b, cases[i].second, false);
		CHECK_INT(cases[i].name, cases[i].want_errno, rc != 0 ? errno : 0);
		plat_close(a);
		plat_close(b);
	}
	plat_close(dfd);
	test_rm_rf(dir);
}

/*
 * The lock holder (a child), arg the test's directory: takes the lock of
 * dir/lock, says whether it got it with dir/ready-y or dir/ready-n, and
 * holds it until dir/stop appears (30 s at most, so that a parent that
 * failed half-way cannot leave it behind).
 */
static int hold_lock(const char *dir)
{
	char path[256];

	snprintf(path, sizeof path, "%s/lock", dir);
	int fd = plat_open(PLAT_CWD, path, PLAT_O_RDWR | PLAT_O_CREATE, 0600);
	bool got = fd >= 0 && plat_lock(fd, PLAT_LOCK_EX, false) == 0;
	snprintf(path, sizeof path, "%s/ready-%c", dir, got ? 'y' : 'n');
	if (test_child_ready(path) != 0)
		return 2;
	snprintf(path, sizeof path, "%s/stop", dir);
	return test_wait_file(path, 30) ? 0 : 2;
}

static const struct test_role roles[] = {{"hold_lock", hold_lock}, {NULL, NULL}};

/* A second process holds the lock: it is refused and named. */
static void test_lock_holder(void **state)
{
	(void)state;
	char *dir = test_tmpdir(), who[256], want[64], path[256];
	int dfd = plat_open(PLAT_CWD, dir, PLAT_O_DIR, 0);
	struct test_child child = {0, NULL};

	assert_int_equal(test_child_start(&roles[0], dir, &child), 0);
	snprintf(path, sizeof path, "%s/ready-y", dir);
	assert_true(test_wait_file(path, 30));
	int fd = plat_open(dfd, "lock", PLAT_O_RDWR, 0);
	assert_int_equal(plat_lock(fd, PLAT_LOCK_EX, false), -1);
	CHECK_INT("held elsewhere", EWOULDBLOCK, errno);
	plat_lock_holder(fd, who, sizeof who);
	snprintf(want, sizeof want, "PID %ld (", child.pid);
	/* Skipped on Windows: plat_lock_holder names no holder there (no Restart Manager). */
	if (!TEST_WINDOWS)
		CHECK_HAS("holder named", want, who);
	snprintf(path, sizeof path, "%s/stop", dir);
	assert_int_equal(test_child_ready(path), 0);
	CHECK_INT("the holder ends", 0, test_child_wait(&child));
	CHECK_INT("free once the holder is gone", 0, plat_lock(fd, PLAT_LOCK_EX, false));
	plat_lock_holder(fd, who, sizeof who);
	CHECK_STR("our own lock names no one", "", who);
	plat_close(fd);
	plat_close(dfd);
	test_rm_rf(dir);
}

/* What a listing saw. */
struct seen_names {
	char names[8][16];
	size_t n;
	size_t stop_at; /* returns 7 on this call (1-based), 0: never */
};

static int note_name(const char *name, void *arg)
{
	struct seen_names *s = arg;
	if (s->n < NELEM(s->names))
		snprintf(s->names[s->n], sizeof s->names[0], "%s", name);
	s->n++;
	return s->n == s->stop_at ? 7 : 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void test_dir_walk(void **state)
{
	(void)state;
	char *dir = test_tmpdir(), joined[128];
	int dfd = plat_open(PLAT_CWD, dir, PLAT_O_DIR, 0);
	const struct {
		const char *name;
		size_t stop_at;
		int want_rc;
		size_t want_n;
		const char *want; /* sorted, joined by spaces (NULL: not checked) */
	} cases[] = {
	    {"every entry once, no dot entries", 0, 0, 5, "a b c link sub"},
	    {"the same again: the handle did not move", 0, 0, 5, "a b c link sub"},
	    {"stopped by the callback", 2, 7, 2, NULL},
	};

	make(dfd, "a", B_FILE);
	make(dfd, "b", B_FILE);
	make(dfd, "c", B_FILE);
	make(dfd, "sub", B_DIR);
	/* On Windows (no symbolic links for an agent) a file of that name is listed instead. */
	make(dfd, "link", TEST_WINDOWS ? B_FILE : B_LINK);
	for (size_t i = 0; i < NELEM(cases); i++) {
		struct seen_names s = {.stop_at = cases[i].stop_at};
		CHECK_INT(cases[i].name, cases[i].want_rc, plat_dir_walk(dfd, note_name, &s));
		CHECK_INT(cases[i].name, cases[i].want_n, s.n);
		if (!cases[i].want)
			continue;
		qsort(s.names, s.n, sizeof s.names[0], by_name);
		joined[0] = '\0';
		for (size_t k = 0; k < s.n; k++)
			snprintf(joined + strlen(joined), sizeof joined - strlen(joined), "%s%s",
				 k ? " " : "", s.names[k]);
		CHECK_STR(cases[i].name, cases[i].want, joined);
	}
	struct seen_names empty = {0};
	int sub = plat_open(dfd, "sub", PLAT_O_DIR, 0);
	CHECK_INT("an empty directory", 0, plat_dir_walk(sub, note_name, &empty));
	CHECK_INT("an empty directory: nothing", 0, empty.n);
	plat_close(sub);
	plat_close(dfd);
	test_rm_rf(dir);
}

static void test_stat(void **state)
{
	(void)state;
	char *dir = test_tmpdir();
	int dfd = plat_open(PLAT_CWD, dir, PLAT_O_DIR, 0);
	struct plat_stat st;
	const struct {
		const char *name, *path;
		bool follow;
		int want_rc;
		bool is_reg, is_dir, exists;
		uint64_t size;
	} cases[] = {
	    {"a file", "target", false, 0, true, false, true, 3},
	    {"a directory", "sub", false, 0, false, true, true, 0},
	    {"a link to a file, followed", "link", true, 0, true, false, true, 3},
	    {"a link to a file, not followed", "link", false, 0, false, false, true, 0},
	    {"a dangling link, followed", "dangling", true, -1, false, false, false, 0},
	    {"a dangling link, not followed", "dangling", false, 0, false, false, true, 0},
	    {"nothing", "missing", false, -1, false, false, false, 0},
	};

	make(dfd, "target", B_FILE);
	make(dfd, "sub", B_DIR);
	if (!TEST_WINDOWS) {
		make(dfd, "link", B_LINK);
		assert_int_equal(test_symlink_at(dfd, "nowhere", "dangling"), 0);
	}
	for (size_t i = 0; i < NELEM(cases); i++) {
		/* Skipped on Windows: no symbolic links there (above). */
		if (TEST_WINDOWS && strstr(cases[i].name, "link"))
			continue;
		memset(&st, 0, sizeof st);
		int rc = plat_stat(dfd, cases[i].path, cases[i].follow, &st);
		CHECK_INT(cases[i].name, cases[i].want_rc, rc);
		CHECK_INT(cases[i].name, cases[i].exists,
			  plat_exists(dfd, cases[i].path, cases[i].follow));
		if (rc != 0)
			continue;
		CHECK_INT(cases[i].name, cases[i].is_reg, st.is_reg);
		CHECK_INT(cases[i].name, cases[i].is_dir, st.is_dir);
		if (cases[i].is_reg)
			CHECK_INT(cases[i].name, cases[i].size, st.size);
	}
	/* A file removed while open has no links left: the reject file's reopen test. */
	int fd = plat_open(dfd, "target", PLAT_O_READ, 0);
	assert_int_equal(plat_fstat(fd, &st), 0);
	CHECK_INT("open file: linked", 1, st.nlink);
	assert_int_equal(plat_unlink(dfd, "target"), 0);
	assert_int_equal(plat_fstat(fd, &st), 0);
	/* Skipped under wine only: it does not report the pending deletion (Windows does). */
	if (!test_under_wine())
		CHECK_INT("open file removed: no links", 0, st.nlink);
	plat_close(fd);
	CHECK_INT("removing it again", -1, plat_unlink(dfd, "target"));
	CHECK_INT("removing it again: errno", ENOENT, errno);
	plat_close(dfd);
	test_rm_rf(dir);
}

static void test_stop(void **state)
{
	(void)state;
	char err[128];
	const int sigs[] = {SIGTERM, SIGINT};
	const char *names[] = {"SIGTERM", "SIGINT"};
	struct plat_stop *s = plat_stop_new(err, sizeof err);

	assert_non_null(s);
	/* Windows has no descriptor for it (-1, as plat.h allows). */
	assert_true(TEST_WINDOWS || plat_stop_fd(s) >= 0);
	CHECK_INT("nothing asked", 0, plat_stop_requested(s));
	/* Skipped on Windows: a stop comes from the console or the service manager, not raise. */
	for (size_t i = 0; i < NELEM(sigs) && !TEST_WINDOWS; i++) {
		/* Blocked, so it waits for the loop instead of ending the process. */
		assert_int_equal(raise(sigs[i]), 0);
		CHECK_INT(names[i], 1, plat_stop_requested(s));
		CHECK_INT("consumed", 0, plat_stop_requested(s));
	}
	plat_stop_destroy(&s);
	assert_null(s);
	plat_stop_destroy(&s); /* safe twice */
}

static void test_sockaddr(void **state)
{
	(void)state;
	const struct {
		const char *text;
		int want_rc;
		bool ipv6;
	} cases[] = {
	    {"127.0.0.1", 0, false},  {"0.0.0.0", 0, false},	   {"::1", 0, true},
	    {"::", 0, true},	      {"localhost", -1, false},	   {"", -1, false},
	    {"1.2.3.4.5", -1, false}, {"127.0.0.1:80", -1, false},
	};
	struct plat_sockaddr sa;

	for (size_t i = 0; i < NELEM(cases); i++) {
		CHECK_INT(cases[i].text, cases[i].want_rc, plat_sockaddr(cases[i].text, 8080, &sa));
		if (cases[i].want_rc == 0)
			CHECK_INT(cases[i].text, cases[i].ipv6, sa.ipv6);
	}
}

static void test_misc(void **state)
{
	(void)state;
	unsigned char a[32] = {0}, b[32] = {0}, zero[32] = {0};
	char abs[4096], cwd[4096], tiny[2];
	struct tm mine, theirs;
	time_t t = 1733500000;

	assert_int_equal(plat_random(a, sizeof a), 0);
	assert_int_equal(plat_random(b, sizeof b), 0);
	CHECK_INT("random: not zero", 1, memcmp(a, zero, sizeof a) != 0);
	CHECK_INT("random: two draws differ", 1, memcmp(a, b, sizeof a) != 0);
	CHECK_INT("random: nothing asked", 0, plat_random(a, 0));

	assert_non_null(getcwd(cwd, sizeof cwd));
	CHECK_INT("abspath of .", 0, plat_abspath(".", abs, sizeof abs));
	CHECK_STR("abspath of .", cwd, abs);
	CHECK_INT("abspath of a missing file", -1, plat_abspath("no/such/file", abs, sizeof abs));
	CHECK_INT("abspath into a tiny buffer", -1, plat_abspath("/", tiny, 1));
	CHECK_INT("abspath into a tiny buffer: errno", ENAMETOOLONG, errno);

	assert_non_null(plat_localtime(t, &mine));
	localtime_r(&t, &theirs);
	CHECK_INT("localtime: same hour", theirs.tm_hour, mine.tm_hour);
	CHECK_INT("localtime: same day", theirs.tm_mday, mine.tm_mday);
	CHECK_INT("pid", getpid(), plat_pid());

	/* Nothing to become: not root, or a folder root owns. */
	char who[64] = "";
	CHECK_INT("become the owner of /", 0, plat_become_owner("/", who, sizeof who));
}

int main(int argc, char **argv)
{
	test_child_main(argc, argv, roles);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_open),     cmocka_unit_test(test_durable_replace),
	    cmocka_unit_test(test_lock),     cmocka_unit_test(test_lock_holder),
	    cmocka_unit_test(test_dir_walk), cmocka_unit_test(test_stat),
	    cmocka_unit_test(test_stop),     cmocka_unit_test(test_sockaddr),
	    cmocka_unit_test(test_misc),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
