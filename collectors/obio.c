/*
 * obio: durable replace of a file, whole-file reads and moves for the outbox
 * (see obio.h), built on the platform layer (lib/plat.h).
 *
 * The replace follows the one order that survives a power cut at any point:
 * data to a temporary, fsync, rename, fsync of the directory.  Before the
 * rename the old file is untouched; after it the new one is complete.
 */
#include "obio.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plat.h"

int obio_fsync(int fd, void *arg)
{
	(void)arg;
	return plat_sync(fd);
}

int obio_slurp(int dfd, const char *name, size_t max, char **buf, size_t *len)
{
	int fd = plat_open(dfd, name, PLAT_O_READ | PLAT_O_NOFOLLOW, 0);
	struct plat_stat st;
	char *b = NULL;
	ssize_t got;
	int e;

	*buf = NULL;
	*len = 0;
	if (fd < 0)
		return -1;
	if (plat_fstat(fd, &st) != 0)
		goto fail;
	errno = st.is_reg ? EFBIG : EINVAL;
	if (!st.is_reg || st.size > max)
		goto fail;
	b = malloc((size_t)st.size + 1);
	if (b == NULL)
		goto fail;
	got = plat_read_full(fd, b, (size_t)st.size);
	if (got < 0)
		goto fail;
	plat_close(fd);
	b[got] = '\0'; /* a file that shrank meanwhile is simply shorter */
	*buf = b;
	*len = (size_t)got;
	return 0;
fail:
	e = errno;
	plat_close(fd);
	free(b);
	errno = e;
	return -1;
}

int obio_move_aside(const struct obio_sync *s, int from_dfd, const char *name, int to_dfd,
		    char *target, size_t tsize)
{
	struct plat_stat st;

	for (int i = 0; i < 1000; i++) {
		if (i == 0)
			snprintf(target, tsize, "%s", name);
		else
			snprintf(target, tsize, "%s.%d", name, i);
		if (plat_stat(to_dfd, target, false, &st) != 0 && errno == ENOENT)
			break;
	}
	if (plat_rename(from_dfd, name, to_dfd, target) != 0)
		return -1;
	if (s->fn(to_dfd, s->arg) != 0 || s->fn(from_dfd, s->arg) != 0)
		return -1;
	return 0;
}

int obio_replace(const struct obio_sync *s, int dfd, const char *tmp, const char *final,
		 bool noreplace, const struct obio_part *parts, size_t nparts, bool *renamed,
		 const char **what)
{
	struct plat_stat st;
	int fd, e;

	*renamed = false;
	*what = "create";
	fd = plat_open(dfd, tmp, PLAT_O_WRITE | PLAT_O_CREATE | PLAT_O_TRUNC, 0600);
	if (fd < 0)
		return -1;
	*what = "write";
	for (size_t i = 0; i < nparts; i++)
		if (plat_write_all(fd, parts[i].data, parts[i].len) != 0)
			goto fail;
	*what = "sync";
	if (s->fn(fd, s->arg) != 0)
		goto fail;
	*what = "close";
	e = plat_close(fd);
	fd = -1;
	if (e != 0)
		goto fail;
	*what = "rename over an existing file";
	if (noreplace && plat_stat(dfd, final, false, &st) == 0) {
		errno = EEXIST;
		goto fail;
	}
	*what = "rename";
	if (plat_rename(dfd, tmp, dfd, final) != 0)
		goto fail;
	*renamed = true;
	*what = "sync the directory of";
	return s->fn(dfd, s->arg) == 0 ? 0 : -1;
fail:
	e = errno;
	if (fd >= 0)
		plat_close(fd);
	plat_unlink(dfd, tmp);
	errno = e;
	return -1;
}
