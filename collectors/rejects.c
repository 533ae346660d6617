/*
 * rejects: CSV of refused rows (see rejects.h).  Fields are quoted when they
 * hold a comma, a quote or a newline, so that Excel opens the file as written.
 */
#include "rejects.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plat.h"

#define REJECTS_ERR_MAX 4400 /* a message with two paths */
#define REJECTS_HEADER	"line,unit,indicator,period,value,qualifier,reason,message\n"

struct rejects {
	FILE *fp;
	char *path;
	uint64_t start; /* the size before us: a failure truncates back to it */
	bool created;	/* we made the file: a failure removes it */
};

/* The officer's message for a failed step: Vietnamese, with the path and strerror. */
static void rejects_error(char *err, size_t errsize, const char *path, int e)
{
	if (plat_disk_full(e))
		snprintf(err, errsize,
			 "ổ đĩa đã đầy: không ghi được các dòng bị từ chối vào %s: %s; hãy giải "
			 "phóng chỗ trống rồi chạy lại lệnh",
			 path, strerror(e));
	else
		snprintf(err, errsize, "không ghi được các dòng bị từ chối vào %s: %s", path,
			 strerror(e));
}

/* The directory of path, fsynced so that a new file's name survives a power cut. */
static int rejects_sync_dir(const char *path)
{
	char dir[4096];
	const char *slash = strrchr(path, '/');

	if (!slash)
		snprintf(dir, sizeof dir, ".");
	else if (slash == path)
		snprintf(dir, sizeof dir, "/");
	else
		snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
	int fd = plat_open(PLAT_CWD, dir, PLAT_O_DIR, 0);
	if (fd < 0)
		return -1;
	int rc = plat_sync(fd);
	int e = errno;
	plat_close(fd);
	errno = e;
	return rc;
}

const char *rejects_path(const char *source, char *buf, size_t size)
{
	snprintf(buf, size, "%s.rejected.csv", source);
	return buf;
}

struct rejects *rejects_open(const char *path, char *err, size_t errsize)
{
	struct rejects *r = calloc(1, sizeof *r);
	struct plat_stat st;
	int fd, rc = 0;

	if (!r || (r->path = strdup(path)) == NULL) {
		free(r);
		snprintf(err, errsize, "out of memory");
		return NULL;
	}
	/*
	 * `run` and `submit` may append to the same file: each holds an
	 * exclusive lock from here to rejects_close, so that the size it would
	 * truncate back to and its header test see no one else's rows.  A file
	 * removed by a writer that failed while we waited is opened again.
	 */
	for (;;) {
		fd = plat_open(PLAT_CWD, path,
			       PLAT_O_WRITE | PLAT_O_APPEND | PLAT_O_CREATE | PLAT_O_EXCL, 0644);
		r->created = fd >= 0;
		if (fd < 0 && errno == EEXIST)
			fd = plat_open(PLAT_CWD, path, PLAT_O_WRITE | PLAT_O_APPEND, 0);
		if (fd < 0)
			break;
		rc = plat_lock(fd, PLAT_LOCK_EX, true);
		if (rc == 0 && plat_fstat(fd, &st) != 0)
			rc = -1;
		if (rc != 0 || st.nlink != 0)
			break;
		plat_close(fd);
	}
	if (fd < 0 || rc != 0 || (r->fp = fdopen(fd, "a")) == NULL) {
		int e = errno;
		if (fd >= 0)
			plat_close(fd);
		if (r->created)
			plat_unlink(PLAT_CWD, path);
		rejects_error(err, errsize, path, e);
		free(r->path);
		free(r);
		return NULL;
	}
	r->start = st.is_reg ? st.size : 0;
	/* Made by us, but another writer locked it first: its rows are not ours to remove. */
	if (r->start > 0)
		r->created = false;
	if (r->start == 0)
		fputs(REJECTS_HEADER, r->fp);
	return r;
}

static void rejects_field(FILE *fp, const char *s, char sep)
{
	if (strpbrk(s, ",\"\n\r")) {
		fputc('"', fp);
		for (; *s; s++) {
			if (*s == '"')
				fputc('"', fp);
			fputc(*s, fp);
		}
		fputc('"', fp);
	} else {
		fputs(s, fp);
	}
	fputc(sep, fp);
}

int rejects_add(struct rejects *r, const char *const fields[REJECTS_NCOLUMNS])
{
	for (int i = 0; i < REJECTS_NCOLUMNS; i++)
		rejects_field(r->fp, fields[i] ? fields[i] : "",
			      i + 1 == REJECTS_NCOLUMNS ? '\n' : ',');
	return ferror(r->fp) ? -1 : 0;
}

/* Takes the file back to its size before us (removes it if we made it) and frees r. */
static void rejects_undo(struct rejects *r)
{
	int fd = fileno(r->fp);
	struct plat_stat st;

	/* A truncate frees blocks, so it works on a full disk. */
	if (plat_fstat(fd, &st) == 0 && st.is_reg) {
		if (r->created)
			plat_unlink(PLAT_CWD, r->path);
		else if (plat_truncate(fd, r->start) == 0)
			plat_sync(fd);
	}
	fclose(r->fp); /* its error is the one already reported */
	free(r->path);
	free(r);
}

int rejects_close(struct rejects **rp, char *err, size_t errsize)
{
	struct rejects *r = *rp;
	int e = 0, fd;

	*rp = NULL;
	if (fflush(r->fp) != 0 || ferror(r->fp))
		e = errno ? errno : EIO;
	else if (plat_sync(fileno(r->fp)) != 0 && errno != EINVAL)
		e = errno; /* EINVAL: a device such as /dev/null cannot be synced */
	else if (r->created && rejects_sync_dir(r->path) != 0)
		e = errno;
	/*
	 * Closing a synced file can still report a deferred write error: asked
	 * of a copy of the descriptor, so that the file (still open and locked)
	 * can be taken back like any other failure.
	 */
	else if ((fd = plat_dup(fileno(r->fp))) < 0 || plat_close(fd) != 0)
		e = errno;
	if (e) {
		rejects_error(err, errsize, r->path, e);
		rejects_undo(r);
		return -1;
	}
	fclose(r->fp); /* its write-back was checked above */
	free(r->path);
	free(r);
	return 0;
}

/* Writes the refused rows of b with r, durably, and closes it; 0 or -1 with err filled. */
static int rejects_write_to(struct rejects *r, const struct batch *b, const struct batch_ack *a,
			    char *err, size_t errsize)
{
	for (size_t i = 0; i < a->nrejected; i++) {
		const struct batch_verdict *v = &a->rejected[i];
		const struct batch_row *row = v->row < b->nrows ? &b->rows[v->row] : NULL;
		const char *line = row && strrchr(row->ref, ':') ? strrchr(row->ref, ':') + 1 : "";
		const char *f[REJECTS_NCOLUMNS] = {
		    line,
		    row ? row->unit : "",
		    row ? row->indicator : "",
		    row ? (row->period[0] ? row->period : row->date) : "",
		    row ? row->value.text : "",
		    row ? batch_qualifier_name(row->qualifier) : "",
		    v->code,
		    v->message,
		};
		if (rejects_add(r, f) != 0)
			break; /* rejects_close reports it */
	}
	return rejects_close(&r, err, errsize);
}

/* The officer's message for both places failing: the first's failure and the fallback's path. */
static void rejects_both(char *err, size_t errsize, const char *first, const char *fallback)
{
	char msg[REJECTS_ERR_MAX];

	snprintf(msg, sizeof msg, "%s (cũng không ghi được vào %s)", first, fallback);
	snprintf(err, errsize, "%s", msg);
}

struct rejects *rejects_open_for(const char *source, const char *outbox, char *path, size_t psize,
				 char *err, size_t errsize)
{
	char first[REJECTS_ERR_MAX] = "", dir[4096];
	struct rejects *r;

	if (source && *source && !*err) {
		rejects_path(source, path, psize);
		if ((r = rejects_open(path, first, sizeof first)) != NULL)
			return r;
	} else {
		snprintf(first, sizeof first, "%s", err);
	}
	/* A folder the officer cannot write (a read-only stick): the outbox's. */
	const char *base = source && strrchr(source, '/') ? strrchr(source, '/') + 1 : source;
	snprintf(dir, sizeof dir, "%s/rejected", outbox);
	plat_mkdir(PLAT_CWD, dir, 0700);
	snprintf(path, psize, "%s/%s.rejected.csv", dir, base && *base ? base : "batches");
	if ((r = rejects_open(path, err, errsize)) != NULL) {
		snprintf(err, errsize, "%s", first);
		return r;
	}
	if (*first)
		rejects_both(err, errsize, first, path);
	return NULL;
}

int rejects_write(const char *source, const char *fallback_dir, const struct batch *b,
		  const struct batch_ack *a, char *where, size_t wsize)
{
	char err[REJECTS_ERR_MAX] = "", first[REJECTS_ERR_MAX];
	struct rejects *r;

	if (a->nrejected == 0)
		return 0;
	r = rejects_open_for(source, fallback_dir, where, wsize, err, sizeof err);
	if (r && !*err && source && *source) {
		/* Opened beside the input: a failure there still leaves the fallback. */
		if (rejects_write_to(r, b, a, err, sizeof err) == 0)
			return 0;
		r = rejects_open_for(source, fallback_dir, where, wsize, err, sizeof err);
	}
	if (r) {
		snprintf(first, sizeof first, "%s", err);
		if (rejects_write_to(r, b, a, err, sizeof err) == 0)
			return 0;
		if (*first)
			rejects_both(err, sizeof err, first, where);
	}
	snprintf(where, wsize, "%s", err);
	return -1;
}
