/*
 * formcache: the form's files, read again only when they changed (see
 * formcache.h).  The journal's lines are kept in memory as parsed entries;
 * each entry remembers when its batches were seen delivered, the reject
 * files and the catalogue are kept with the stat that read them.
 */
#include "formcache.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "csv.h"
#include "message.h"
#include "plat.h"
#include "rejects.h"

/* The columns of a journal line, tab-separated (formstate.c writes them). */
enum { J_WHEN, J_SOURCE, J_LINE, J_FIRST, J_LAST, J_UNIT, J_INDICATOR, J_PERIOD, J_VALUE, J_N };

/* One line of the journal: one figure saved. */
struct entry {
	char *f[J_N];	      /* the fields, each malloc'd */
	uint64_t first, last; /* the save's outbox seqs */
	bool delivered;	      /* seen out of the outbox: it never comes back */
};

/* A file as stat saw it when it was read; ino 0: never read. */
struct seen {
	uint64_t ino;
	uint64_t size;
	struct timespec mtime;
};

/* The refused rows of one save, line -> message, from its reject file. */
struct rejected {
	char *source;
	struct seen st;
	json_t *lines;
	unsigned long asked; /* the formcache_sent call that last looked at the file */
};

struct formcache {
	char *dir;
	struct catalog *cat;
	struct seen cat_st;
	struct entry *e;
	size_t n, cap;
	struct seen journal_st; /* size: the bytes read so far (whole lines) */
	struct rejected *rj;
	size_t nrj;
	unsigned long calls; /* of formcache_sent: a reject file is looked at once a call */
};

/* The officer's text of code (no parameters); static storage, "" if missing. */
static const char *text_of(const char *code)
{
	const struct message *m = message_find(code);
	return m ? m->text : "";
}

/* Whether st differs from what was read (for the catalogue and the reject files). */
static bool changed(const struct seen *was, const struct plat_stat *st)
{
	return was->ino != st->ino || was->size != st->size ||
	       was->mtime.tv_sec != st->mtime.tv_sec || was->mtime.tv_nsec != st->mtime.tv_nsec;
}

static struct seen seen_of(const struct plat_stat *st)
{
	return (struct seen){st->ino, st->size, st->mtime};
}

struct formcache *formcache_new(const char *dir)
{
	struct formcache *fc = calloc(1, sizeof *fc);

	if (fc && (fc->dir = strdup(dir)) == NULL)
		formcache_destroy(&fc);
	return fc;
}

static void entries_free(struct formcache *fc)
{
	for (size_t i = 0; i < fc->n; i++)
		for (int k = 0; k < J_N; k++)
			free(fc->e[i].f[k]);
	fc->n = 0;
}

void formcache_destroy(struct formcache **fcp)
{
	if (!fcp || !*fcp)
		return;
	struct formcache *fc = *fcp;
	entries_free(fc);
	free(fc->e);
	for (size_t i = 0; i < fc->nrj; i++) {
		free(fc->rj[i].source);
		json_decref(fc->rj[i].lines);
	}
	free(fc->rj);
	catalog_destroy(&fc->cat);
	free(fc->dir);
	free(fc);
	*fcp = NULL;
}

const struct catalog *formcache_catalog(struct formcache *fc)
{
	char path[4096], err[512];
	struct plat_stat st;

	snprintf(path, sizeof path, "%s/catalog.json", fc->dir);
	FILE *fp = plat_fopen_read(path);
	if (!fp || plat_fstat(fileno(fp), &st) != 0 || !changed(&fc->cat_st, &st)) {
		if (fp)
			fclose(fp);
		return fc->cat; /* none yet, or the one already parsed */
	}
	char *text = st.size > 0 ? malloc((size_t)st.size) : NULL;
	if (text && fread(text, 1, (size_t)st.size, fp) == (size_t)st.size) {
		struct catalog *cat = catalog_from_json(text, (size_t)st.size, err, sizeof err);
		/* A catalogue being replaced is renamed in whole; a bad one keeps the last good. */
		if (cat) {
			catalog_destroy(&fc->cat);
			fc->cat = cat;
			fc->cat_st = seen_of(&st);
		}
	}
	free(text);
	fclose(fp);
	return fc->cat;
}

/* Splits a journal line (without its newline) in place into J_N fields; 0, or -1. */
static int journal_split(char *line, char *f[J_N])
{
	for (int i = 0; i < J_N; i++) {
		f[i] = line;
		line += strcspn(line, "\t");
		if (i < J_N - 1) {
			if (*line != '\t')
				return -1;
			*line++ = '\0';
		}
	}
	return *line ? -1 : 0;
}

/* Adds a journal line (its newline removed) to the entries; a bad line is skipped. 0 or -1. */
static int entry_add(struct formcache *fc, char *line)
{
	char *f[J_N];

	if (journal_split(line, f) < 0)
		return 0;
	if (fc->n == fc->cap) {
		size_t cap = fc->cap ? 2 * fc->cap : 256;
		struct entry *e = realloc(fc->e, cap * sizeof *e);
		if (!e)
			return -1;
		fc->e = e;
		fc->cap = cap;
	}
	struct entry *e = &fc->e[fc->n];
	memset(e, 0, sizeof *e);
	for (int k = 0; k < J_N; k++)
		if ((e->f[k] = strdup(f[k])) == NULL) {
			for (int j = 0; j < k; j++)
				free(e->f[j]);
			return -1;
		}
	e->first = strtoull(f[J_FIRST], NULL, 10);
	e->last = strtoull(f[J_LAST], NULL, 10);
	fc->n++;
	return 0;
}

/* Reads the lines added to the journal since the last call. */
static void journal_read(struct formcache *fc)
{
	char path[4096], *line = NULL;
	size_t cap = 0;
	struct plat_stat st;
	ssize_t len;

	snprintf(path, sizeof path, "%s/form/journal.tsv", fc->dir);
	FILE *fp = plat_fopen_read(path);
	if (!fp || plat_fstat(fileno(fp), &st) != 0) {
		if (fp)
			fclose(fp);
		return;
	}
	if (st.ino != fc->journal_st.ino || st.size < fc->journal_st.size) {
		entries_free(fc); /* another file: read it whole */
		fc->journal_st = (struct seen){st.ino, 0, st.mtime};
	}
	if (st.size > fc->journal_st.size &&
	    fseeko(fp, (off_t)fc->journal_st.size, SEEK_SET) == 0) {
		/* Whole lines only: a line being appended is read when it is complete. */
		while ((len = plat_getline(&line, &cap, fp)) > 0 && line[len - 1] == '\n') {
			line[len - 1] = '\0';
			if (entry_add(fc, line) < 0)
				break;
			fc->journal_st.size += (uint64_t)len;
		}
	}
	free(line);
	fclose(fp);
}

/* The refused rows of the save source, line -> message (borrowed; NULL when out of memory). */
static json_t *refused_of(struct formcache *fc, const char *source)
{
	char path[4096];
	struct plat_stat st;
	struct rejected *r = NULL;
	struct csv_record rec;

	for (size_t i = 0; i < fc->nrj && !r; i++)
		if (strcmp(fc->rj[i].source, source) == 0)
			r = &fc->rj[i];
	if (!r) {
		struct rejected *more = realloc(fc->rj, (fc->nrj + 1) * sizeof *more);
		if (!more)
			return NULL;
		fc->rj = more;
		r = &fc->rj[fc->nrj];
		*r = (struct rejected){strdup(source), {0}, json_object(), 0};
		if (!r->source || !r->lines) {
			free(r->source);
			json_decref(r->lines);
			return NULL;
		}
		fc->nrj++;
	}
	if (r->asked == fc->calls)
		return r->lines;
	r->asked = fc->calls;
	snprintf(path, sizeof path, "%s/form/%s.rejected.csv", fc->dir, source);
	if (plat_stat(PLAT_CWD, path, true, &st) != 0 || !changed(&r->st, &st))
		return r->lines; /* no reject file (yet), or the one already read */
	FILE *fp = plat_fopen_read(path);
	if (!fp)
		return r->lines;
	json_object_clear(r->lines);
	r->st = seen_of(&st);
	struct csv_reader *rd = csv_reader_new(fp, path);
	int got;
	while (rd && (got = csv_next(rd, &rec)) != 0) {
		if (got < 0 || rec.line == 1 || rec.nfields < REJECTS_NCOLUMNS)
			continue;
		json_object_set_new(r->lines, rec.fields[REJECTS_LINE],
				    json_string(rec.fields[REJECTS_MESSAGE]));
	}
	csv_reader_destroy(&rd);
	fclose(fp);
	return r->lines;
}

/* Whether a seq in [first, last] is still in the outbox. */
static bool waiting(const uint64_t *seqs, size_t n, uint64_t first, uint64_t last)
{
	for (size_t i = 0; i < n; i++)
		if (seqs[i] >= first && seqs[i] <= last)
			return true;
	return false;
}

json_t *formcache_sent(struct formcache *fc, struct outbox *ob, const char *unit,
		       const char *period)
{
	json_t *sent = json_object(), *latest = json_object();
	uint64_t *seqs = NULL;
	size_t nseqs = 0;
	bool listed = false;

	if (!sent || !latest)
		goto done;
	fc->calls++;
	journal_read(fc);
	/* The latest line of each indicator of unit and period: the figure shown. */
	for (size_t i = 0; i < fc->n; i++)
		if (strcmp(fc->e[i].f[J_UNIT], unit) == 0 &&
		    strcmp(fc->e[i].f[J_PERIOD], period) == 0)
			json_object_set_new(latest, fc->e[i].f[J_INDICATOR],
					    json_integer((json_int_t)i));
	const char *code;
	json_t *at;
	json_object_foreach(latest, code, at)
	{
		struct entry *e = &fc->e[json_integer_value(at)];
		const char *state = "state_received", *reason = "";
		if (!e->delivered && !listed) {
			if (outbox_list(ob, &seqs, &nseqs) != 0)
				goto done;
			listed = true;
		}
		if (!e->delivered && waiting(seqs, nseqs, e->first, e->last)) {
			state = "state_waiting";
		} else {
			e->delivered = true;
			json_t *why = json_object_get(refused_of(fc, e->f[J_SOURCE]), e->f[J_LINE]);
			if (why) {
				state = "state_refused";
				reason = json_string_value(why);
			}
		}
		json_object_set_new(sent, code,
				    json_pack("{s:s,s:s,s:s,s:s,s:I}", "value", e->f[J_VALUE],
					      "state", state, "label", text_of(state), "reason",
					      reason, "when",
					      (json_int_t)strtoll(e->f[J_WHEN], NULL, 10)));
	}
done:
	free(seqs);
	json_decref(latest);
	return sent ? sent : json_object();
}
