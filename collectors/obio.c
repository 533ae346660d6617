/*
 * obio: durable replace of a file, full reads and directory walks for the
 * outbox (see obio.h).
 *
 * The replace follows the one order that survives a power cut at any point:
 * data to a temporary, fsync, rename, fsync of the directory.  Before the
 * rename the old file is untouched; after it the new one is complete.
 */
#include "obio.h"

#include <dirent.h>
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int obio_fsync(int fd, void *arg)
{
	(void)arg;
	return fsync(fd);
}

ssize_t obio_read_full(int fd, char *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = pread(fd, buf + got, n - got, (off_t)got);
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

int obio_slurp(int dfd, const char *name, size_t max, char **buf, size_t *len)
{
	int fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	struct stat st;
	char *b = NULL;
	ssize_t got;
	int e;

	*buf = NULL;
	*len = 0;
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) != 0)
		goto fail;
	errno = S_ISREG(st.st_mode) ? EFBIG : EINVAL;
	if (!S_ISREG(st.st_mode) || (uintmax_t)st.st_size > max)
		goto fail;
	b = malloc((size_t)st.st_size + 1);
	if (b == NULL)
		goto fail;
	got = obio_read_full(fd, b, (size_t)st.st_size);
	if (got < 0)
		goto fail;
	close(fd);
	b[got] = '\0'; /* a file that shrank meanwhile is simply shorter */
	*buf = b;
	*len = (size_t)got;
	return 0;
fail:
	e = errno;
	close(fd);
	free(b);
	errno = e;
	return -1;
}

int obio_move_aside(const struct obio_sync *s, int from_dfd, const char *name, int to_dfd,
		    char *target, size_t tsize)
{
	struct stat st;

	for (int i = 0; i < 1000; i++) {
		if (i == 0)
			snprintf(target, tsize, "%s", name);
		else
			snprintf(target, tsize, "%s.%d", name, i);
		if (fstatat(to_dfd, target, &st, AT_SYMLINK_NOFOLLOW) != 0 && errno == ENOENT)
			break;
	}
	if (renameat(from_dfd, name, to_dfd, target) != 0)
		return -1;
	if (s->fn(to_dfd, s->arg) != 0 || s->fn(from_dfd, s->arg) != 0)
		return -1;
	return 0;
}

static int write_full(int fd, const char *buf, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, buf, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		buf += w;
		n -= (size_t)w;
	}
	return 0;
}

int obio_replace(const struct obio_sync *s, int dfd, const char *tmp, const char *final,
		 bool noreplace, const struct obio_part *parts, size_t nparts, bool *renamed,
		 const char **what)
{
	struct stat st;
	int fd, e;

	*renamed = false;
	*what = "create";
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	*what = "write";
	for (size_t i = 0; i < nparts; i++)
		if (write_full(fd, parts[i].data, parts[i].len) != 0)
			goto fail;
	*what = "sync";
	if (s->fn(fd, s->arg) != 0)
		goto fail;
	*what = "close";
	e = close(fd);
	fd = -1;
	if (e != 0)
		goto fail;
	*what = "rename over an existing file";
	if (noreplace && fstatat(dfd, final, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		errno = EEXIST;
		goto fail;
	}
	*what = "rename";
	if (renameat(dfd, tmp, dfd, final) != 0)
		goto fail;
	*renamed = true;
	*what = "sync the directory of";
	return s->fn(dfd, s->arg) == 0 ? 0 : -1;
fail:
	e = errno;
	if (fd >= 0)
		close(fd);
	unlinkat(dfd, tmp, 0);
	errno = e;
	return -1;
}

int obio_walk(int fd, int (*fn)(const char *name, void *arg), void *arg)
{
	/* A fresh descriptor: fdopendir takes it over, and fd keeps its own offset. */
	int dfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct dirent *e;
	int rc = 0;
	DIR *d;

	if (dfd < 0)
		return -1;
	d = fdopendir(dfd);
	if (d == NULL) {
		close(dfd);
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
