/*
 * plat_posix: lib/plat.h on Linux, a thin layer over the calls the agent made
 * directly before the seam existed (openat, fsync, renameat, flock,
 * getrandom, signalfd, ...), so that its behaviour, errors and fsync order
 * are unchanged.
 */
#include "plat.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

_Static_assert(PLAT_CWD == AT_FDCWD, "PLAT_CWD is AT_FDCWD on POSIX");

/* PLAT_O_* bits and the open(2) flags they stand for (the access mode aside). */
static const struct {
	unsigned plat;
	int flag;
} plat_open_flags[] = {
    {PLAT_O_CREATE, O_CREAT},  {PLAT_O_EXCL, O_EXCL},	      {PLAT_O_TRUNC, O_TRUNC},
    {PLAT_O_APPEND, O_APPEND}, {PLAT_O_NOFOLLOW, O_NOFOLLOW}, {PLAT_O_DIR, O_DIRECTORY},
};

int plat_open(int dfd, const char *name, unsigned how, unsigned mode)
{
	int flags = O_CLOEXEC;

	if ((how & PLAT_O_RDWR) == PLAT_O_RDWR)
		flags |= O_RDWR;
	else if (how & PLAT_O_WRITE)
		flags |= O_WRONLY;
	else
		flags |= O_RDONLY;
	for (size_t i = 0; i < sizeof plat_open_flags / sizeof plat_open_flags[0]; i++)
		if (how & plat_open_flags[i].plat)
			flags |= plat_open_flags[i].flag;
	return openat(dfd, name, flags, (mode_t)mode);
}

int plat_close(int fd)
{
	return close(fd);
}

int plat_dup(int fd)
{
	return dup(fd);
}

ssize_t plat_read(int fd, void *buf, size_t n)
{
	return read(fd, buf, n);
}

ssize_t plat_read_full(int fd, void *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = pread(fd, (char *)buf + got, n - got, (off_t)got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

int plat_write_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;

	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int plat_sync(int fd)
{
	return fsync(fd);
}

int plat_touch(int fd)
{
	return futimens(fd, NULL);
}

int plat_set_mtime(int fd, time_t t)
{
	struct timespec ts[2] = {{t, 0}, {t, 0}};

	return futimens(fd, ts);
}

int plat_truncate(int fd, uint64_t size)
{
	return ftruncate(fd, (off_t)size);
}

int plat_rename(int from_dfd, const char *from, int to_dfd, const char *to)
{
	return renameat(from_dfd, from, to_dfd, to);
}

int plat_unlink(int dfd, const char *name)
{
	return unlinkat(dfd, name, 0);
}

int plat_mkdir(int dfd, const char *name, unsigned mode)
{
	return mkdirat(dfd, name, (mode_t)mode);
}

bool plat_exists(int dfd, const char *name, bool follow)
{
	return faccessat(dfd, name, F_OK, follow ? 0 : AT_SYMLINK_NOFOLLOW) == 0;
}

static void plat_from_stat(const struct stat *s, struct plat_stat *st)
{
	st->is_reg = S_ISREG(s->st_mode);
	st->is_dir = S_ISDIR(s->st_mode);
	st->size = s->st_size > 0 ? (uint64_t)s->st_size : 0;
	st->dev = (uint64_t)s->st_dev;
	st->ino = (uint64_t)s->st_ino;
	st->nlink = (uint64_t)s->st_nlink;
	st->perm = (unsigned)s->st_mode & 07777;
	st->mtime = s->st_mtim;
}

int plat_stat(int dfd, const char *name, bool follow, struct plat_stat *st)
{
	struct stat s;

	if (fstatat(dfd, name, &s, follow ? 0 : AT_SYMLINK_NOFOLLOW) != 0)
		return -1;
	plat_from_stat(&s, st);
	return 0;
}

int plat_fstat(int fd, struct plat_stat *st)
{
	struct stat s;

	if (fstat(fd, &s) != 0)
		return -1;
	plat_from_stat(&s, st);
	return 0;
}

int plat_dir_walk(int dfd, int (*fn)(const char *name, void *arg), void *arg)
{
	/* A fresh descriptor: fdopendir takes it over, and dfd keeps its own offset. */
	int fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct dirent *e;
	int rc = 0;
	DIR *d;

	if (fd < 0)
		return -1;
	d = fdopendir(fd);
	if (d == NULL) {
		close(fd);
		return -1;
	}
	errno = 0;
	while (rc == 0 && (e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			rc = fn(e->d_name, arg);
		if (rc == 0)
			errno = 0;
	}
	if (rc == 0 && errno != 0)
		rc = -1;
	int saved = errno;
	closedir(d);
	errno = saved;
	return rc;
}

int plat_abspath(const char *path, char *buf, size_t size)
{
	char *abs = realpath(path, NULL);

	if (abs == NULL)
		return -1;
	if (strlen(abs) >= size) {
		free(abs);
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(buf, abs, strlen(abs) + 1);
	free(abs);
	return 0;
}

int plat_lock(int fd, enum plat_lock how, bool wait)
{
	int op = how == PLAT_LOCK_EX ? LOCK_EX : how == PLAT_LOCK_SH ? LOCK_SH : LOCK_UN;
	int rc;

	if (!wait && how != PLAT_LOCK_UN)
		op |= LOCK_NB;
	do
		rc = flock(fd, op);
	while (rc != 0 && errno == EINTR);
	return rc;
}

/* The command line of process pid, NUL-separated arguments joined by spaces. */
static void plat_cmdline(int pid, char *cmd, size_t size)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/cmdline", pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, cmd, size - 1) : -1;
	if (fd >= 0)
		close(fd);
	if (n < 0)
		n = 0;
	cmd[n] = '\0';
	for (ssize_t i = 0; i + 1 < n; i++)
		if (cmd[i] == '\0')
			cmd[i] = ' ';
}

/* From /proc/locks: flock entries name the process that took them. */
void plat_lock_holder(int fd, char *buf, size_t size)
{
	struct stat st;
	char line[256], want[64], cmd[160];
	FILE *fp;

	buf[0] = '\0';
	if (fstat(fd, &st) != 0 || (fp = fopen("/proc/locks", "re")) == NULL)
		return;
	snprintf(want, sizeof want, "%02x:%02x:%llu", major(st.st_dev), minor(st.st_dev),
		 (unsigned long long)st.st_ino);
	while (fgets(line, sizeof line, fp)) {
		char kind[16], dev[64];
		int pid;
		/* "1: FLOCK  ADVISORY  WRITE 1234 00:2d:5678 0 EOF"; waiters have "->" */
		if (strstr(line, "->") ||
		    sscanf(line, "%*d: %15s %*s %*s %d %63s", kind, &pid, dev) != 3 ||
		    strcmp(kind, "FLOCK") != 0 || strcmp(dev, want) != 0 || pid == getpid())
			continue;
		plat_cmdline(pid, cmd, sizeof cmd);
		snprintf(buf, size, "PID %d (%s)", pid, *cmd ? cmd : "?");
		break;
	}
	fclose(fp);
}

int plat_random(void *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = getrandom((char *)buf + got, n - got, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (r == 0)
				errno = EIO;
			return -1;
		}
		got += (size_t)r;
	}
	return 0;
}

struct tm *plat_localtime(time_t t, struct tm *tm)
{
	return localtime_r(&t, tm);
}

void plat_console_init(void)
{
	/* A POSIX terminal takes the bytes as they are: UTF-8 already. */
}

char **plat_args(int argc, char **argv)
{
	(void)argc;
	return argv;
}

void plat_sleep_ms(unsigned ms)
{
	usleep((useconds_t)ms * 1000);
}

long plat_pid(void)
{
	return (long)getpid();
}

struct plat_stop {
	int fd; /* a signalfd for SIGTERM and SIGINT, which are blocked */
};

struct plat_stop *plat_stop_new(char *err, size_t errsize)
{
	struct plat_stop *s = malloc(sizeof *s);
	sigset_t mask;

	if (s == NULL) {
		snprintf(err, errsize, "out of memory");
		return NULL;
	}
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0 ||
	    (s->fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK)) < 0) {
		snprintf(err, errsize, "signalfd: %s", strerror(errno));
		free(s);
		return NULL;
	}
	return s;
}

int plat_stop_fd(const struct plat_stop *s)
{
	return s->fd;
}

bool plat_stop_requested(struct plat_stop *s)
{
	struct signalfd_siginfo si;
	bool any = false;

	while (read(s->fd, &si, sizeof si) == (ssize_t)sizeof si)
		any = true;
	return any;
}

void plat_stop_destroy(struct plat_stop **sp)
{
	if (sp == NULL || *sp == NULL)
		return;
	close((*sp)->fd);
	free(*sp);
	*sp = NULL;
}

int plat_path_expand(const char *path, char *buf, size_t size)
{
	if ((size_t)snprintf(buf, size, "%s", path) >= size)
		return errno = ENAMETOOLONG, -1;
	return 0;
}

int plat_secret_exposed(const char *path, char *why, size_t whysize)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return -1;
	if ((st.st_mode & 077) == 0)
		return 0;
	snprintf(why, whysize, "group or others (mode %04o): chmod 600 %s",
		 (unsigned)(st.st_mode & 07777), path);
	return 1;
}

int plat_secure_path(const char *path, char *err, size_t errsize)
{
	(void)path, (void)err, (void)errsize;
	return 0;
}

int plat_service_run(const char *name, const char *log, int (*body)(void *arg), void *arg,
		     char *err, size_t errsize)
{
	(void)name, (void)log, (void)err, (void)errsize;
	return body(arg);
}

int plat_service_install(const struct plat_service *svc, char *err, size_t errsize)
{
	snprintf(err, errsize, "%s: on Linux the package installs the systemd unit", svc->name);
	return -1;
}

int plat_service_stop(const char *name, bool remove, char *err, size_t errsize)
{
	(void)remove;
	snprintf(err, errsize, "%s: on Linux, systemctl stops it", name);
	return -1;
}

int plat_become_owner(const char *path, char *who, size_t whosize)
{
	struct stat st;

	if (geteuid() != 0 || stat(path, &st) != 0 || st.st_uid == 0)
		return 0;
	const struct passwd *pw = getpwuid(st.st_uid);
	if (pw)
		snprintf(who, whosize, "%s", pw->pw_name);
	else
		snprintf(who, whosize, "uid %u", (unsigned)st.st_uid);
	if (setgroups(0, NULL) != 0 || setgid(st.st_gid) != 0 || setuid(st.st_uid) != 0)
		return -1;
	return 1;
}

FILE *plat_fopen_read(const char *path)
{
	return fopen(path, "rbe");
}

ssize_t plat_getline(char **line, size_t *cap, FILE *fp)
{
	return getline(line, cap, fp);
}

char *plat_strndup(const char *s, size_t n)
{
	return strndup(s, n);
}

bool plat_disk_full(int e)
{
	return e == ENOSPC || e == EDQUOT;
}

struct plat_memout {
	FILE *fp;
	char *buf;
	size_t len;
};

FILE *plat_memout_open(struct plat_memout **mp)
{
	struct plat_memout *m = calloc(1, sizeof *m);

	if (m == NULL || (m->fp = open_memstream(&m->buf, &m->len)) == NULL) {
		free(m);
		*mp = NULL;
		return NULL;
	}
	*mp = m;
	return m->fp;
}

char *plat_memout_close(struct plat_memout **mp, size_t *len)
{
	struct plat_memout *m = *mp;
	char *buf = NULL;

	if (m == NULL)
		return NULL;
	*mp = NULL;
	if (fclose(m->fp) == 0) {
		buf = m->buf;
		*len = m->len;
	} else {
		free(m->buf);
	}
	free(m);
	return buf;
}

int plat_exe_path(char *buf, size_t size)
{
	ssize_t n = readlink("/proc/self/exe", buf, size - 1);

	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return 0;
}
