/*
 * obio: the few durable-file primitives the outbox is built from.
 *
 * Nothing here knows the outbox's formats.  Every fsync goes through a
 * struct obio_sync so that tests can make a chosen fsync fail and check that
 * the caller leaves nothing behind (a failed fsync cannot be produced on
 * purpose any other way).
 */
#ifndef CHISO_OBIO_H
#define CHISO_OBIO_H

#include <stdbool.h>
#include <stddef.h>

/* How to fsync: fn(fd, arg), which returns 0 or -1 with errno like fsync(2). */
struct obio_sync {
	int (*fn)(int fd, void *arg);
	void *arg;
};

/* One piece of a file's content. */
struct obio_part {
	const char *data;
	size_t len;
};

/* The default: plat_sync, fsync(2) on POSIX (arg unused). */
int obio_fsync(int fd, void *arg);
/*
 * Reads the whole regular file dfd/name (symlinks not followed) into *buf, a
 * NUL-terminated copy the caller frees.  Returns 0, or -1 with errno: ENOENT
 * gone, ELOOP a symlink, EINVAL not a regular file, EFBIG more than max bytes,
 * anything else from the system.
 */
int obio_slurp(int dfd, const char *name, size_t max, char **buf, size_t *len);
/*
 * Moves from_dfd/name into to_dfd under name, or name.1, name.2, ... when
 * taken, and fsyncs both directories.  The name used goes to target.
 * Returns 0, or -1 with errno.
 */
int obio_move_aside(const struct obio_sync *s, int from_dfd, const char *name, int to_dfd,
		    char *target, size_t tsize);
/*
 * Writes the parts to dfd/tmp, fsyncs it, renames it to dfd/final and fsyncs
 * the directory.  With noreplace an existing final fails with EEXIST (safe
 * only while every writer of dfd holds one lock).  Returns 0, or -1 with errno
 * and *what naming the step ("write", "sync", ...); tmp never survives a
 * failure, and *renamed tells whether final was already replaced (only the
 * directory fsync failed).
 */
int obio_replace(const struct obio_sync *s, int dfd, const char *tmp, const char *final,
		 bool noreplace, const struct obio_part *parts, size_t nparts, bool *renamed,
		 const char **what);

#endif
