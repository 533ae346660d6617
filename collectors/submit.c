/*
 * submit: check an officer's CSV file and queue it (see submit.h); the checks
 * of one row are in submit_row.c.
 *
 * Every message names the file, the line and the column, and says what to
 * write instead, because the person reading it is a commune officer with the
 * spreadsheet open, not a programmer.
 */
#include "submit_impl.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "message.h"
#include "plat.h"
#include "progress.h"
#include "rejects.h"
#include "wire.h"

/*
 * The largest batch body queued: the protocol's default max_body, which every
 * province takes unless its chisod was set lower (the sender then says so and
 * keeps the batch).  Rows are cut by it as well as by agent.batch_rows, since
 * 10 000 rows with long notes and refs would be near 10 MB.
 */
#define SUBMIT_BODY_MAX (wire_default_limits.max_body)

/*
 * Where pass 1 reports the rows it refuses: the first SUBMIT_ERRORS_SHOWN on
 * the officer's stream, every one in the reject file beside the input (a 200 MB
 * file of wrong rows must not print 500 MB of messages, nor lose any of them).
 */
struct errlog {
	FILE *out;	    /* the officer's stream */
	const char *path;   /* the input, as the officer typed it */
	const char *abs;    /* its absolute path, which names the reject file */
	const char *outbox; /* its rejected/ folder when the input's cannot be written */
	const struct submit_source *src; /* says where a workbook's cell is */
	size_t total, shown;
	size_t kinds[RE_N];
	struct rejects *rj; /* opened at the first error */
	char rjpath[PATH_MAX + 16];
	char rjerr[PATH_MAX + 256]; /* the first failure to write it, "" if none */
};

/* A set of 64-bit row keys with the line that first used each. */
struct keyset {
	uint64_t *keys;
	long *lines;
	size_t cap, n;
};

static uint64_t key_hash(const struct batch_row *r)
{
	uint64_t h = 1469598103934665603ull;
	const char *parts[] = {r->unit, r->indicator, r->period[0] ? r->period : r->date};
	for (size_t i = 0; i < 3; i++) {
		for (const char *p = parts[i]; *p; p++)
			h = (h ^ (unsigned char)*p) * 1099511628211ull;
		h = (h ^ 0xff) * 1099511628211ull; /* separator */
	}
	return h ? h : 1;
}

/* Adds key; returns 0, the earlier line if it was there, or -1 if out of memory. */
static long keyset_add(struct keyset *s, uint64_t key, long line)
{
	if (s->n * 2 >= s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 1024;
		uint64_t *keys = calloc(cap, sizeof *keys);
		long *lines = calloc(cap, sizeof *lines);
		if (!keys || !lines) {
			free(keys);
			free(lines);
			return -1;
		}
		for (size_t i = 0; i < s->cap; i++) {
			if (!s->keys[i])
				continue;
			size_t j = s->keys[i] & (cap - 1);
			while (keys[j])
				j = (j + 1) & (cap - 1);
			keys[j] = s->keys[i];
			lines[j] = s->lines[i];
		}
		free(s->keys);
		free(s->lines);
		s->keys = keys;
		s->lines = lines;
		s->cap = cap;
	}
	size_t j = key & (s->cap - 1);
	while (s->keys[j]) {
		if (s->keys[j] == key)
			return s->lines[j];
		j = (j + 1) & (s->cap - 1);
	}
	s->keys[j] = key;
	s->lines[j] = line;
	s->n++;
	return 0;
}

static void keyset_free(struct keyset *s)
{
	free(s->keys);
	free(s->lines);
}

/*
 * Reports one refused row: on the officer's stream while fewer than
 * SUBMIT_ERRORS_SHOWN were, and always in the reject file.  rec and l may be
 * NULL (a record the CSV reader could not cut into fields).
 */
static void errlog_row(struct errlog *e, long line, enum submit_error kind,
		       const struct csv_record *rec, const struct submit_layout *l, const char *msg)
{
	char cells[5][CSV_FIELD_MAX + 1], num[24];
	static const enum submit_column cols[5] = {COL_UNIT, COL_INDICATOR, COL_PERIOD, COL_VALUE,
						   COL_QUALIFIER};

	e->total++;
	e->kinds[kind]++;
	if (e->shown < SUBMIT_ERRORS_SHOWN) {
		char where[512] = "";
		int field = kind >= RE_UNIT && kind <= RE_NOTE && l ? l->at[kind - RE_UNIT] : -1;
		if (kind != RE_CSV && e->src)
			submit_source_where(e->src, line, field, where, sizeof where);
		e->shown++;
		if (where[0])
			fprintf(e->out, "%s: %s: %s\n", e->path, where, msg);
		else if (kind == RE_CSV)
			fprintf(e->out, "%s\n", msg);
		else if (kind >= RE_UNIT && kind <= RE_NOTE)
			fprintf(e->out, "%s:%ld: %s: %s\n", e->path, line,
				submit_column_names[kind - RE_UNIT], msg);
		else
			fprintf(e->out, "%s:%ld: %s\n", e->path, line, msg);
	}
	if (e->rjerr[0])
		return;
	if (!e->rj) {
		e->rj = rejects_open_for(e->abs, e->outbox, e->rjpath, sizeof e->rjpath, e->rjerr,
					 sizeof e->rjerr);
		if (!e->rj)
			return;
		e->rjerr[0] = '\0';
	}
	for (int i = 0; i < 5; i++) {
		cells[i][0] = '\0';
		if (rec && l)
			submit_field(rec, l, cols[i], cells[i], sizeof cells[i]);
	}
	if (rec && l && !cells[2][0])
		submit_field(rec, l, COL_DATE, cells[2], sizeof cells[2]);
	snprintf(num, sizeof num, "%ld", line);
	const char *f[REJECTS_NCOLUMNS] = {
	    num, cells[0], cells[1], cells[2], cells[3], cells[4], submit_error_codes[kind], msg};
	rejects_add(e->rj, f);
}

/*
 * After pass 1: the count of what the stream did not show, and the reject
 * file made durable.  0, or -1 when the reject file could not be written
 * (said on the stream: a full disk must not cost the officer the list).
 */
static int errlog_finish(struct errlog *e)
{
	if (e->rj && rejects_close(&e->rj, e->rjerr, sizeof e->rjerr) != 0)
		e->rj = NULL;
	if (e->total > e->shown) {
		char kinds[512] = "";
		for (int k = 0; k < RE_N; k++)
			if (e->kinds[k])
				snprintf(kinds + strlen(kinds), sizeof kinds - strlen(kinds),
					 "%s%s: %zu", kinds[0] ? ", " : "", submit_error_codes[k],
					 e->kinds[k]);
		char more[32], total[32], msg[1024], where[PATH_MAX + 64] = "";
		snprintf(more, sizeof more, "%zu", e->total - e->shown);
		snprintf(total, sizeof total, "%zu", e->total);
		message_format(msg, sizeof msg, "errors_more", more, total, kinds, NULL);
		if (!e->rjerr[0])
			message_format(where, sizeof where, "errors_listed_at", e->rjpath, NULL);
		fprintf(e->out, "%s: %s%s\n", e->path, msg, where);
	} else if (e->total && !e->rjerr[0]) {
		char msg[PATH_MAX + 64];
		message_format(msg, sizeof msg, "errors_written", e->rjpath, NULL);
		fprintf(e->out, "%s: %s\n", e->path, msg);
	}
	if (e->rjerr[0]) {
		fprintf(e->out, "%s: %s\n", e->path, e->rjerr);
		return -1;
	}
	return 0;
}

struct render_arg {
	struct batch *b;
};

static char *submit_render(uint64_t epoch, uint64_t seq, void *arg)
{
	struct render_arg *r = arg;
	r->b->epoch = epoch;
	r->b->seq = seq;
	return batch_encode(r->b);
}

/* Pass 1: checks every row, reporting to el; returns the number of bad rows, or -1. */
static long submit_check(struct submit_source *r, const char *path, const char *base,
			 const struct catalog *cat, struct submit_layout *l, size_t *good,
			 struct errlog *el)
{
	struct csv_record rec;
	struct keyset keys = {0};
	struct batch_row row;
	struct submit_fault fault;
	long bad = 0;
	int got, header = 0;

	*good = 0;
	while ((got = submit_source_next(r, &rec)) != 0) {
		if (got < 0) {
			if (header)
				errlog_row(el, rec.line, RE_CSV, NULL, NULL,
					   submit_source_error(r));
			else
				fprintf(el->out, "%s\n", submit_source_error(r));
			bad++;
			if (!header)
				break;
			continue;
		}
		if (!header) {
			header = 1;
			if (submit_header(&rec, path, l, el->out) < 0) {
				bad = -1;
				break;
			}
			submit_source_header(r, &rec, l);
			continue;
		}
		if (submit_row(&rec, l, base, cat, &row, &fault) < 0) {
			errlog_row(el, rec.line, fault.kind, &rec, l, fault.msg);
			bad++;
			continue;
		}
		long first = keyset_add(&keys, key_hash(&row), rec.line);
		if (first < 0) {
			fprintf(el->out, "out of memory\n");
			bad = -1;
			break;
		}
		if (first > 0) {
			char msg[256], at[24];
			snprintf(at, sizeof at, "%ld", first);
			message_format(msg, sizeof msg, "duplicate_in_file", row.unit,
				       row.indicator, row.period[0] ? row.period : row.date, at,
				       NULL);
			errlog_row(el, rec.line, RE_DUPLICATE, &rec, l, msg);
			bad++;
			continue;
		}
		(*good)++;
	}
	if (!header && bad == 0) {
		char msg[128];
		message_format(msg, sizeof msg, "file_empty", NULL);
		fprintf(el->out, "%s: %s\n", path, msg);
		bad = -1;
	}
	keyset_free(&keys);
	return bad;
}

/* 1 if a batch of f is still in the outbox (not acknowledged), 0 if none, -1 on error. */
static int submit_waiting(struct outbox *ob, const struct outbox_file *f)
{
	uint64_t *seqs;
	size_t n;
	int found = 0;

	if (outbox_list(ob, &seqs, &n) != 0)
		return -1;
	for (size_t i = 0; i < n && !found; i++)
		found = seqs[i] >= f->first && seqs[i] <= f->last;
	free(seqs);
	return found;
}

/* The identity of the file's content: FNV-1a 64 of its bytes, and its size. */
static int submit_identity(FILE *fp, uint64_t *hash, uint64_t *size)
{
	char buf[65536];
	size_t n;

	*hash = OUTBOX_HASH_INIT;
	*size = 0;
	while ((n = fread(buf, 1, sizeof buf, fp)) > 0) {
		*hash = outbox_hash(*hash, buf, n);
		*size += n;
	}
	if (ferror(fp))
		return -1;
	rewind(fp);
	return 0;
}

/* What pass 2 needs of the file and of pass 1. */
struct queue_arg {
	const char *path, *abs, *base;
	const struct catalog *cat;
	const struct submit_layout *l;
	size_t batch_rows, good;
	FILE *out; /* the officer's stream */
};

/* Queues the rows of b as one batch in txn and empties b; 0, or -1 with err. */
static int submit_put(struct outbox_txn *txn, struct batch *b, const struct queue_arg *q,
		      struct submit_result *res, struct progress *prog, char *err, size_t errsize)
{
	struct render_arg arg = {b};
	uint64_t seq;

	if (outbox_txn_put(txn, b->nrows, q->abs, submit_render, &arg, &seq, err, errsize) < 0)
		return -1;
	if (!res->batches)
		res->first_seq = seq;
	res->last_seq = seq;
	res->batches++;
	res->rows += b->nrows;
	progress_update(prog, res->rows);
	b->nrows = 0;
	return 0;
}

/*
 * Takes the row just written at b->rows[b->nrows] into the batch, first
 * queueing the rows before it when it would take the body over
 * SUBMIT_BODY_MAX; *bytes is the body of the batch being filled.  0, or -1
 * with err.
 */
static int submit_add(struct outbox_txn *txn, struct batch *b, size_t *bytes,
		      const struct queue_arg *q, struct submit_result *res, struct progress *prog,
		      char *err, size_t errsize)
{
	size_t size = batch_row_size(&b->rows[b->nrows]) + 1;

	if (b->nrows > 0 && *bytes + size > SUBMIT_BODY_MAX) {
		struct batch_row keep = b->rows[b->nrows];
		if (submit_put(txn, b, q, res, prog, err, errsize) < 0)
			return -1;
		b->rows[0] = keep;
		*bytes = BATCH_HEAD_MAX;
	}
	b->nrows++;
	*bytes += size;
	return 0;
}

/*
 * Pass 2: cuts the rows pass 1 accepted into batches and queues them in one
 * outbox transaction, file recorded at its commit.  0, or -1 with nothing
 * queued (said on q->out, res zeroed).
 */
static int submit_queue(struct outbox *ob, FILE *fp, const struct queue_arg *q,
			struct outbox_file *file, struct submit_result *res)
{
	struct submit_source r = {0};
	struct batch *b = NULL;
	struct progress *prog = NULL;
	struct csv_record rec;
	struct keyset keys = {0};
	struct outbox_txn *txn = NULL;
	struct submit_fault fault; /* of a row pass 1 refused: said then */
	char err[512];
	int rc = -1, got, header = 0;
	size_t bytes = BATCH_HEAD_MAX; /* the body of the batch being filled, at most */

	if (submit_source_open(&r, fp, q->path, q->out) < 0)
		goto done;
	if ((b = batch_new(q->batch_rows)) == NULL) {
		fprintf(q->out, "out of memory\n");
		goto done;
	}
	/* One transaction: the whole file is queued, or none of it. */
	if ((txn = outbox_begin(ob, err, sizeof err)) == NULL) {
		fprintf(q->out, "%s: %s\n", q->path, err);
		goto done;
	}
	if (q->out == stderr) /* a drop folder's note is no terminal */
		prog = progress_new("queueing", "rows", q->good);
	b->nrows = 0;
	for (;;) {
		got = submit_source_next(&r, &rec);
		bool flush = got == 0 ? b->nrows > 0 : false;
		if (got > 0 && !header) {
			header = 1;
			continue;
		}
		if (got > 0) {
			/* The rows pass 1 refused are skipped again, quietly. */
			struct batch_row *row = &b->rows[b->nrows];
			if (submit_row(&rec, q->l, q->base, q->cat, row, &fault) == 0 &&
			    keyset_add(&keys, key_hash(row), rec.line) == 0 &&
			    submit_add(txn, b, &bytes, q, res, prog, err, sizeof err) < 0)
				goto fail;
			flush = b->nrows == q->batch_rows;
		}
		if (flush) {
			if (submit_put(txn, b, q, res, prog, err, sizeof err) < 0)
				goto fail;
			bytes = BATCH_HEAD_MAX;
		}
		if (got == 0)
			break;
	}
	if (outbox_commit(&txn, file, err, sizeof err) != 0)
		goto fail;
	rc = 0;
	goto done;
fail:
	progress_done(&prog);
	char none[128];
	message_format(none, sizeof none, "nothing_queued", NULL);
	fprintf(q->out, "%s: %s\n%s: %s\n", q->path, err, q->path, none);
	memset(res, 0, sizeof *res);
done:
	outbox_abort(&txn);
	progress_done(&prog);
	keyset_free(&keys);
	batch_destroy(&b);
	submit_source_close(&r);
	return rc;
}

bool submit_reads(const char *name)
{
	static const char *const exts[] = {".csv", ".txt", ".tsv", ".xlsx"};
	size_t len = strlen(name);

	for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++)
		if (len > strlen(exts[i]) && strcasecmp(name + len - strlen(exts[i]), exts[i]) == 0)
			return true;
	return false;
}

/*
 * Pass 1 over fp and what it means for the file: 1 when the rows it accepted
 * (*good of them, laid out as l says) are to be queued, 0 when nothing is
 * (refused, said on o->out; or res->transient).
 */
static int submit_verdict(struct outbox *ob, FILE *fp, const char *path, const char *abs,
			  const struct catalog *cat, const struct submit_opts *o,
			  struct submit_layout *l, size_t *good, struct submit_result *res)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	char msg[512], nbad[32], ngood[32], beside[PATH_MAX + 16];
	struct submit_source src;

	if (submit_source_open(&src, fp, path, o->out) < 0)
		return 0;
	struct errlog el = {
	    .out = o->out, .path = path, .abs = abs, .outbox = outbox_dir(ob), .src = &src};
	long bad = submit_check(&src, path, base, cat, l, good, &el);
	el.src = NULL;
	submit_source_close(&src);
	/*
	 * The refused rows are durably in the reject file before anything is
	 * queued: otherwise --partial would queue the good rows and the bad ones
	 * would exist nowhere but on a scrolled-away terminal.
	 */
	if (errlog_finish(&el) != 0) {
		res->transient = true;
		if (o->partial) {
			message_format(msg, sizeof msg, "nothing_queued", NULL);
			fprintf(o->out, "%s: %s\n", path, msg);
		}
		return 0;
	}
	res->rejects_beside =
	    el.total && strcmp(el.rjpath, rejects_path(abs, beside, sizeof beside)) == 0;
	if (bad < 0)
		return 0;
	res->errors = (size_t)bad;
	if (bad == 0 || o->partial)
		return 1;
	snprintf(nbad, sizeof nbad, "%ld", bad);
	snprintf(ngood, sizeof ngood, "%zu", *good);
	message_format(msg, sizeof msg, "errors_nothing_queued", nbad, NULL);
	fprintf(o->out, "%s: %s", path, msg);
	/* only a command has a --partial to suggest: not a file in the drop folder */
	if (o->command)
		message_format(msg, sizeof msg, "errors_fix_or_partial", ngood, NULL);
	fprintf(o->out, "%s\n", o->command ? msg : "");
	return 0;
}

int submit_file(struct outbox *ob, const char *path, const struct catalog *cat,
		const struct submit_opts *o, struct submit_result *res)
{
	FILE *fp = plat_fopen_read(path);
	char abs[PATH_MAX];
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	struct submit_layout l;
	size_t good;
	int rc = -1;

	memset(res, 0, sizeof *res);
	if (!fp) {
		fprintf(o->out, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	if (plat_abspath(path, abs, sizeof abs) != 0)
		snprintf(abs, sizeof abs, "%s", path);
	struct outbox_file file = {0};
	if (submit_identity(fp, &file.hash, &file.size) != 0) {
		fprintf(o->out, "%s: %s\n", path, strerror(errno));
		goto done;
	}
	/*
	 * The same bytes again while the first copy still waits in the outbox:
	 * most often an officer unsure whether an interrupted submit went
	 * through.  It did, whole (one transaction): queuing it again would send
	 * every figure twice.  Once delivered, the same file may be sent again on
	 * purpose (say, after the province reopened a period that refused it).
	 */
	int seen = o->again ? 0 : outbox_find_file(ob, file.hash, file.size, &res->previous);
	if (seen > 0)
		seen = submit_waiting(ob, &res->previous);
	res->transient = seen < 0;
	res->already = seen > 0;
	if (seen != 0) {
		rc = seen > 0 ? 0 : -1;
		goto done;
	}
	if (!submit_verdict(ob, fp, path, abs, cat, o, &l, &good, res))
		goto done;
	rc = 0;
	if (good > 0) {
		struct queue_arg q = {path, abs, base, cat, &l, o->batch_rows, good, o->out};
		rc = submit_queue(ob, fp, &q, &file, res);
		res->transient = rc != 0;
	}
done:
	fclose(fp);
	return rc;
}

/*
 * A form's row as the record submit_row reads: the columns in submit_cells'
 * order.  The form is a Vietnamese page that asks for numbers the Vietnamese
 * way (1.463; 89,52), so its decimal mark is the comma, as for a file a
 * Vietnamese Excel saved: "1.463" is 1463 and "89.52", which no grouping can
 * explain, is still 89,52.
 */
static const struct submit_layout submit_cells_layout = {.at = {[COL_UNIT] = 0,
								[COL_INDICATOR] = 1,
								[COL_PERIOD] = 2,
								[COL_DATE] = -1,
								[COL_VALUE] = 3,
								[COL_QUALIFIER] = 4,
								[COL_NOTE] = 5},
							 .nfields = 6,
							 .named = 0x3f /* all six */,
							 .decimal = ','};

int submit_cells_check(const struct submit_cells *cells, size_t index, const char *base,
		       const struct catalog *cat, struct batch_row *row, const char **code,
		       char *msg, size_t msgsize)
{
	const char *f[6] = {cells->unit,  cells->indicator, cells->period,
			    cells->value, cells->qualifier, cells->note};
	size_t lens[6];
	struct submit_fault fault;

	for (int c = 0; c < 6; c++) {
		f[c] = f[c] ? f[c] : "";
		lens[c] = strlen(f[c]);
	}
	struct csv_record rec = {6, f, lens, (long)index + 1};
	if (submit_row(&rec, &submit_cells_layout, base, cat, row, &fault) == 0)
		return 0;
	*code = submit_error_codes[fault.kind];
	snprintf(msg, msgsize, "%s", fault.msg);
	return -1;
}

int submit_rows(struct outbox *ob, const char *source, const struct submit_cells *rows, size_t n,
		const struct catalog *cat, size_t batch_rows, submit_refused_fn refused, void *arg,
		struct submit_result *res, char *err, size_t errsize)
{
	const char *base = strrchr(source, '/') ? strrchr(source, '/') + 1 : source;
	struct queue_arg q = {source, source, base, cat, &submit_cells_layout, batch_rows, n, NULL};
	struct batch *b = batch_new(batch_rows);
	struct keyset keys = {0};
	struct outbox_txn *txn = NULL;
	struct submit_fault fault;
	size_t bytes = BATCH_HEAD_MAX, bad = 0;
	int rc = -1;

	memset(res, 0, sizeof *res);
	err[0] = '\0';
	if (!b) {
		snprintf(err, errsize, "out of memory");
		return -1;
	}
	b->nrows = 0; /* batch_new made room for batch_rows: the batch fills from empty */
	/* Every row is checked before anything is staged: a form is sent whole or not at all. */
	for (size_t pass = 0; pass < 2; pass++) {
		keyset_free(&keys);
		memset(&keys, 0, sizeof keys);
		for (size_t i = 0; i < n; i++) {
			struct batch_row *row = &b->rows[b->nrows];
			const char *code;
			long first;
			if (submit_cells_check(&rows[i], i, base, cat, row, &code, fault.msg,
					       sizeof fault.msg) < 0) {
				refused(i, fault.msg, arg);
				bad++;
			} else if ((first = keyset_add(&keys, key_hash(row), (long)i + 1)) != 0) {
				char at[24];
				snprintf(at, sizeof at, "%ld", first);
				if (first < 0)
					snprintf(fault.msg, sizeof fault.msg, "out of memory");
				else
					message_format(fault.msg, sizeof fault.msg,
						       "duplicate_in_file", row->unit,
						       row->indicator, row->period, at, NULL);
				refused(i, fault.msg, arg);
				bad++;
			} else if (pass == 1 &&
				   (submit_add(txn, b, &bytes, &q, res, NULL, err, errsize) < 0 ||
				    (b->nrows == batch_rows &&
				     submit_put(txn, b, &q, res, NULL, err, errsize) < 0))) {
				goto done;
			}
			if (pass == 1 && b->nrows == 0)
				bytes = BATCH_HEAD_MAX;
		}
		if (bad || n == 0) {
			rc = bad ? -1 : 0;
			goto done;
		}
		if (pass == 0 && (txn = outbox_begin(ob, err, errsize)) == NULL)
			goto done;
	}
	if ((b->nrows && submit_put(txn, b, &q, res, NULL, err, errsize) < 0) ||
	    outbox_commit(&txn, NULL, err, errsize) != 0)
		goto done;
	rc = 0;
done:
	if (rc < 0)
		res->rows = res->batches = 0;
	outbox_abort(&txn);
	keyset_free(&keys);
	batch_destroy(&b);
	return rc;
}
