/*
 * inbox: the drop folder (see inbox.h).
 *
 * Each scan lists the folder and compares every candidate's size and
 * modification time with what the last scan saw: a file whose pair has not
 * changed for INBOX_SETTLE_MS is complete.  Submit speaks to the officer on
 * the stream it is given, stderr for the terminal command; here the officer
 * reads a note, so the stream is one in memory and its lines become the note,
 * in the words submit would have printed.  Only this call's words: the log
 * lines of the agent's other threads (the officer's form) stay in the log.
 */
#define _GNU_SOURCE
#include "inbox.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "message.h"
#include "num.h"
#include "obio.h"
#include "plat.h"

/* Scans at most this often. */
#define INBOX_SCAN_MS 1000
/* The most of submit's words kept in a note. */
#define INBOX_NOTE_MAX (256 * 1024)

/* A file seen in the folder. */
struct inbox_file {
	char name[256];
	int64_t size; /* -1: not seen yet */
	struct timespec mtime;
	int64_t since_ms; /* when size and mtime took these values */
	int64_t retry_ms; /* not before, after a failure outside the file */
	bool handled;	  /* moved, or could not be: not again while unchanged */
	bool seen;	  /* present in the current scan */
};

struct inbox {
	char *dir;
	int dfd, done_fd, refused_fd;
	inbox_submit_fn fn;
	void *arg;
	int64_t next_scan_ms;
	struct inbox_file files[INBOX_FILES_MAX];
	size_t nfiles;
	struct obio_sync sync;
};

int inbox_takes(const char *name)
{
	size_t len = strlen(name), rl = strlen(".rejected.csv");

	if (len == 0 || name[0] == '.' || strncmp(name, "~$", 2) == 0 || name[len - 1] == '~')
		return 0;
	if (len > 4 && strcasecmp(name + len - 4, ".tmp") == 0)
		return 0;
	if (len > rl && strcasecmp(name + len - rl, ".rejected.csv") == 0)
		return 0;
	return submit_reads(name) ? 1 : 0;
}

/* Opens dir/sub, creating it; the descriptor or -1 with err. */
static int inbox_subdir(int dfd, const char *dir, const char *sub, char *err, size_t errsize)
{
	int fd;

	if (plat_mkdir(dfd, sub, 0755) != 0 && errno != EEXIST) {
		snprintf(err, errsize, "%s/%s: %s", dir, sub, strerror(errno));
		return -1;
	}
	if ((fd = plat_open(dfd, sub, PLAT_O_DIR, 0)) < 0)
		snprintf(err, errsize, "%s/%s: %s", dir, sub, strerror(errno));
	return fd;
}

struct inbox *inbox_new(const char *dir, inbox_submit_fn fn, void *arg, char *err, size_t errsize)
{
	struct inbox *ib = calloc(1, sizeof *ib);

	if (!ib || !(ib->dir = strdup(dir))) {
		snprintf(err, errsize, "out of memory");
		free(ib);
		return NULL;
	}
	ib->fn = fn;
	ib->arg = arg;
	ib->sync = (struct obio_sync){obio_fsync, NULL};
	ib->done_fd = ib->refused_fd = -1;
	if (plat_mkdir(PLAT_CWD, dir, 0755) != 0 && errno != EEXIST) {
		snprintf(err, errsize, "agent.inbox_dir %s: %s", dir, strerror(errno));
		ib->dfd = -1;
		goto fail;
	}
	if ((ib->dfd = plat_open(PLAT_CWD, dir, PLAT_O_DIR, 0)) < 0) {
		snprintf(err, errsize, "agent.inbox_dir %s: %s", dir, strerror(errno));
		goto fail;
	}
	if ((ib->done_fd = inbox_subdir(ib->dfd, dir, "done", err, errsize)) < 0 ||
	    (ib->refused_fd = inbox_subdir(ib->dfd, dir, "refused", err, errsize)) < 0)
		goto fail;
	return ib;
fail:
	inbox_destroy(&ib);
	return NULL;
}

void inbox_destroy(struct inbox **ip)
{
	struct inbox *ib;

	if (!ip || !*ip)
		return;
	ib = *ip;
	if (ib->dfd >= 0)
		plat_close(ib->dfd);
	if (ib->done_fd >= 0)
		plat_close(ib->done_fd);
	if (ib->refused_fd >= 0)
		plat_close(ib->refused_fd);
	free(ib->dir);
	free(ib);
	*ip = NULL;
}

/*
 * Runs submit on path with its words to the officer kept in memory; returns
 * its result, with the words in *words (the caller frees; NULL when out of
 * memory, then the words went to the log's stderr).
 */
static int inbox_submit(struct inbox *ib, const char *path, struct submit_result *res, char **words)
{
	struct plat_memout *mem = NULL;
	size_t len = 0;
	FILE *out = plat_memout_open(&mem);
	int rc = ib->fn(ib->arg, path, out ? out : stderr, res);

	*words = plat_memout_close(&mem, &len);
	if (*words && len > INBOX_NOTE_MAX)
		(*words)[INBOX_NOTE_MAX] = '\0';
	return rc;
}

/* The note's first line for a file submit took (rc 0) or refused. */
static void inbox_heading(const struct inbox *ib, const char *name, int rc,
			  const struct submit_result *res, char *buf, size_t size)
{
	char rows[32], first[24], last[24];

	num_format_vi((double)res->rows, 0, rows, sizeof rows);
	snprintf(first, sizeof first, "%llu",
		 (unsigned long long)(res->already ? res->previous.first : res->first_seq));
	snprintf(last, sizeof last, "%llu",
		 (unsigned long long)(res->already ? res->previous.last : res->last_seq));
	if (rc != 0)
		message_format(buf, size, "inbox_refused", name, ib->dir, NULL);
	else if (res->already)
		message_format(buf, size, "inbox_already", name, first, last, NULL);
	else if (res->batches == 0)
		message_format(buf, size, "inbox_nothing", name, NULL);
	else
		message_format(buf, size, "inbox_queued", name, rows, first, last, NULL);
}

/* s with every from replaced by to; the caller frees; NULL if out of memory. */
static char *inbox_replace(const char *s, const char *from, const char *to)
{
	size_t n = 0, fl = strlen(from), tl = strlen(to);
	char *out, *o;

	for (const char *p = strstr(s, from); p; p = strstr(p + fl, from))
		n++;
	if ((out = malloc(strlen(s) + n * (tl > fl ? tl - fl : 0) + 1)) == NULL)
		return NULL;
	o = out;
	for (const char *p; (p = strstr(s, from)) != NULL; s = p + fl) {
		memcpy(o, s, (size_t)(p - s));
		o += p - s;
		memcpy(o, to, tl);
		o += tl;
	}
	strcpy(o, s);
	return out;
}

/*
 * Moves name (and its reject file, when this submit wrote it: rejects) to
 * to_fd, the folder sub, and writes the note: heading, then words with the
 * reject file's old place replaced by its new one.  An older reject file of
 * the same name, from an earlier submit at the terminal, stays where it is.
 */
static int inbox_move(struct inbox *ib, const char *name, int to_fd, const char *sub, bool rejects,
		      const char *heading, const char *words)
{
	char stamp[32], target[600], moved[700], rj[600], note[720], tmp[720];
	char from[620], to[760], *fixed = NULL;
	const char *what = "";
	time_t now = time(NULL);
	struct tm tm;
	bool renamed;

	strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", plat_localtime(now, &tm));
	snprintf(target, sizeof target, "%s-%s", stamp, name);
	if (plat_rename(ib->dfd, name, ib->dfd, target) != 0 ||
	    obio_move_aside(&ib->sync, ib->dfd, target, to_fd, moved, sizeof moved) != 0) {
		log_err("inbox %s: cannot move %s: %s", ib->dir, name, strerror(errno));
		plat_rename(ib->dfd, target, ib->dfd,
			    name); /* back, if only the second step failed */
		return -1;
	}
	snprintf(rj, sizeof rj, "%s.rejected.csv", name);
	if (rejects && plat_exists(ib->dfd, rj, false)) {
		char rjmoved[700], rjtarget[720];
		snprintf(rjtarget, sizeof rjtarget, "%s.rejected.csv", moved);
		if (plat_rename(ib->dfd, rj, ib->dfd, rjtarget) != 0 ||
		    obio_move_aside(&ib->sync, ib->dfd, rjtarget, to_fd, rjmoved, sizeof rjmoved) !=
			0) {
			log_warn("inbox %s: cannot move %s: %s", ib->dir, rj, strerror(errno));
		} else if (words) {
			snprintf(from, sizeof from, "/%s", rj);
			snprintf(to, sizeof to, "/%s/%s", sub, rjmoved);
			fixed = inbox_replace(words, from, to);
		}
	}
	if (fixed)
		words = fixed;
	snprintf(note, sizeof note, "%s.note.txt", moved);
	snprintf(tmp, sizeof tmp, ".%s.tmp", note);
	struct obio_part parts[] = {
	    {heading, strlen(heading)}, {"\n", 1}, {words ? words : "", words ? strlen(words) : 0}};
	if (obio_replace(&ib->sync, to_fd, tmp, note, false, parts, 3, &renamed, &what) != 0)
		log_err("inbox %s: cannot write the note %s: %s: %s", ib->dir, note, what,
			strerror(errno));
	log_info("inbox %s: %s -> %s/%s", ib->dir, name, sub, moved);
	free(fixed);
	return 0;
}

/* Submits one settled file and moves it; 1 if moved, 0 if left for later. */
static int inbox_handle(struct inbox *ib, struct inbox_file *f, int64_t now_ms)
{
	char path[4096], heading[1024], *words = NULL;
	struct submit_result res;
	int rc, moved;

	snprintf(path, sizeof path, "%s/%s", ib->dir, f->name);
	memset(&res, 0, sizeof res);
	rc = inbox_submit(ib, path, &res, &words);
	if (rc != 0 && res.transient) {
		log_warn("inbox %s: %s not submitted, trying again in %d s: %s", ib->dir, f->name,
			 INBOX_RETRY_MS / 1000, words ? words : "");
		f->retry_ms = now_ms + INBOX_RETRY_MS;
		free(words);
		return 0;
	}
	inbox_heading(ib, f->name, rc, &res, heading, sizeof heading);
	moved = inbox_move(ib, f->name, rc == 0 ? ib->done_fd : ib->refused_fd,
			   rc == 0 ? "done" : "refused", res.rejects_beside, heading, words);
	f->handled = true;
	free(words);
	return moved == 0;
}

/* Notes name's size and time; the entry, or NULL when the table is full. */
static struct inbox_file *inbox_see(struct inbox *ib, const char *name, const struct plat_stat *st,
				    int64_t now_ms)
{
	struct inbox_file *f = NULL;

	for (size_t i = 0; i < ib->nfiles && !f; i++)
		if (strcmp(ib->files[i].name, name) == 0)
			f = &ib->files[i];
	if (!f) {
		if (ib->nfiles == INBOX_FILES_MAX || strlen(name) >= sizeof f->name)
			return NULL;
		f = &ib->files[ib->nfiles++];
		memset(f, 0, sizeof *f);
		snprintf(f->name, sizeof f->name, "%s", name);
		f->size = -1;
	}
	f->seen = true;
	if (f->size != (int64_t)st->size || f->mtime.tv_sec != st->mtime.tv_sec ||
	    f->mtime.tv_nsec != st->mtime.tv_nsec) {
		f->size = (int64_t)st->size;
		f->mtime = st->mtime;
		f->since_ms = now_ms;
		f->handled = false;
	}
	return f;
}

/* One scan's state for inbox_scan_entry. */
struct inbox_scan {
	struct inbox *ib;
	int64_t now_ms;
	size_t visited;
};

/* plat_dir_walk callback: notes a regular file the inbox takes. */
static int inbox_scan_entry(const char *name, void *arg)
{
	struct inbox_scan *sc = arg;
	struct plat_stat st;

	sc->visited++;
	if (inbox_takes(name) && plat_stat(sc->ib->dfd, name, false, &st) == 0 && st.is_reg)
		inbox_see(sc->ib, name, &st, sc->now_ms);
	return 0;
}

int inbox_poll(struct inbox *ib, int64_t now_ms)
{
	struct inbox_scan sc = {ib, now_ms, 0};
	int moved = 0;

	if (now_ms < ib->next_scan_ms)
		return 0;
	ib->next_scan_ms = now_ms + INBOX_SCAN_MS;
	for (size_t i = 0; i < ib->nfiles; i++)
		ib->files[i].seen = false;
	/* A folder that cannot be listed at all forgets nothing; one cut short keeps what it saw.
	 */
	if (plat_dir_walk(ib->dfd, inbox_scan_entry, &sc) != 0 && sc.visited == 0) {
		log_warn("inbox %s: cannot list: %s", ib->dir, strerror(errno));
		for (size_t i = 0; i < ib->nfiles; i++)
			ib->files[i].seen = true;
		return 0;
	}
	for (size_t i = 0; i < ib->nfiles;) {
		struct inbox_file *f = &ib->files[i];
		if (!f->seen) { /* gone: forget it */
			ib->files[i] = ib->files[--ib->nfiles];
			continue;
		}
		if (!f->handled && now_ms - f->since_ms >= INBOX_SETTLE_MS && now_ms >= f->retry_ms)
			moved += inbox_handle(ib, f, now_ms);
		i++;
	}
	return moved;
}
