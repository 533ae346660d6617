/*
 * submit: check an officer's CSV file and queue it (see submit.h).
 *
 * Every message names the file, the line and the column, and says what to
 * write instead, because the person reading it is a commune officer with the
 * spreadsheet open, not a programmer.
 */
#include "submit.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "batch.h"
#include "csv.h"
#include "log.h"
#include "message.h"
#include "num.h"
#include "period.h"
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

enum column {
	COL_UNIT,
	COL_INDICATOR,
	COL_PERIOD,
	COL_DATE,
	COL_VALUE,
	COL_QUALIFIER,
	COL_NOTE,
	COL_N
};

static const char *const column_names[COL_N] = {"unit",	 "indicator", "period", "date",
						"value", "qualifier", "note"};

struct layout {
	int at[COL_N]; /* field index of each column, -1 if absent */
	size_t nfields;
};

/* The kinds of row error, as the reason column of the reject file names them. */
enum row_error {
	RE_CSV,
	RE_FIELDS,
	RE_UNIT,
	RE_INDICATOR,
	RE_PERIOD,
	RE_DATE,
	RE_VALUE,
	RE_QUALIFIER,
	RE_NOTE,
	RE_DUPLICATE,
	RE_N
};

static const char *const row_error_codes[RE_N] = {
    "csv_syntax", "wrong_field_count", "bad_unit",	"bad_indicator", "bad_period",
    "bad_date",	  "bad_value",	       "bad_qualifier", "bad_note",	 "duplicate_in_file",
};
/* ROW_ERROR maps a column to its kind by offset from RE_UNIT. */
_Static_assert(RE_NOTE - RE_UNIT == COL_NOTE && RE_QUALIFIER - RE_UNIT == COL_QUALIFIER,
	       "row_error kinds follow the columns");

/*
 * Where pass 1 reports the rows it refuses: the first SUBMIT_ERRORS_SHOWN on
 * the terminal, every one in the reject file beside the input (a 200 MB file
 * of wrong rows must not print 500 MB of messages, nor lose any of them).
 */
struct errlog {
	const char *path;   /* the input, as the officer typed it */
	const char *abs;    /* its absolute path, which names the reject file */
	const char *outbox; /* its rejected/ folder when the input's cannot be written */
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

int submit_qualifier(const char *s)
{
	static const struct {
		const char *text;
		enum qualifier q;
	} words[] = {
	    {"", QUAL_NONE},
	    {"at_least", QUAL_AT_LEAST},
	    {">", QUAL_AT_LEAST},
	    {">=", QUAL_AT_LEAST},
	    {"hơn", QUAL_AT_LEAST},
	    {"trên", QUAL_AT_LEAST},
	    {"ít nhất", QUAL_AT_LEAST},
	    {"at_most", QUAL_AT_MOST},
	    {"<", QUAL_AT_MOST},
	    {"<=", QUAL_AT_MOST},
	    {"dưới", QUAL_AT_MOST},
	    {"tối đa", QUAL_AT_MOST},
	    {"about", QUAL_ABOUT},
	    {"~", QUAL_ABOUT},
	    {"khoảng", QUAL_ABOUT},
	    {"ước tính", QUAL_ABOUT},
	    {"ước", QUAL_ABOUT},
	};
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		if (strcmp(s, words[i].text) == 0)
			return (int)words[i].q;
	return -1;
}

/* Copies field f of rec without surrounding spaces into buf. */
static const char *field(const struct csv_record *rec, const struct layout *l, enum column c,
			 char *buf, size_t size)
{
	const char *s;
	size_t len;

	buf[0] = '\0';
	if (l->at[c] < 0 || (size_t)l->at[c] >= rec->nfields)
		return buf;
	s = rec->fields[l->at[c]];
	len = rec->lens[l->at[c]];
	while (len && isspace((unsigned char)*s)) {
		s++;
		len--;
	}
	while (len && isspace((unsigned char)s[len - 1]))
		len--;
	if (len >= size)
		len = size - 1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return buf;
}

static int submit_header(const struct csv_record *rec, const char *path, struct layout *l)
{
	char msg[1024];

	for (int c = 0; c < COL_N; c++)
		l->at[c] = -1;
	l->nfields = rec->nfields;
	for (size_t i = 0; i < rec->nfields; i++) {
		int c;
		for (c = 0; c < COL_N; c++)
			if (strcmp(rec->fields[i], column_names[c]) == 0)
				break;
		if (c == COL_N) {
			message_format(msg, sizeof msg, "header_unknown_column", rec->fields[i],
				       NULL);
			fprintf(stderr, "%s:%ld: %s\n", path, rec->line, msg);
			return -1;
		}
		if (l->at[c] >= 0) {
			message_format(msg, sizeof msg, "header_column_twice", column_names[c],
				       NULL);
			fprintf(stderr, "%s:%ld: %s\n", path, rec->line, msg);
			return -1;
		}
		l->at[c] = (int)i;
	}
	if (l->at[COL_UNIT] < 0 || l->at[COL_INDICATOR] < 0 || l->at[COL_VALUE] < 0 ||
	    (l->at[COL_PERIOD] < 0 && l->at[COL_DATE] < 0)) {
		message_format(msg, sizeof msg, "header_columns_missing", NULL);
		fprintf(stderr, "%s:%ld: %s\n", path, rec->line, msg);
		return -1;
	}
	return 0;
}

/*
 * v written the Vietnamese way for an officer (1.463; 5,5), with the decimals
 * of text (a canonical decimal such as "5.5") or, without it, up to 6 with
 * trailing zeros dropped.  Returns buf.
 */
static const char *submit_number_vi(double v, const char *text, char *buf, size_t size)
{
	const char *dot = text ? strchr(text, '.') : NULL;
	int decimals = dot ? (int)strlen(dot + 1) : 0;

	if (!text) {
		decimals = 6;
		while (decimals > 0 && num_format_plain(v, decimals - 1, buf, size) >= 0 &&
		       strtod(buf, NULL) == v)
			decimals--;
	}
	if (decimals > NUM_DECIMALS_MAX)
		decimals = NUM_DECIMALS_MAX;
	num_format_vi(v, decimals, buf, size);
	return buf;
}

/*
 * Reports one refused row: on the terminal while fewer than
 * SUBMIT_ERRORS_SHOWN were, and always in the reject file.  rec and l may be
 * NULL (a record the CSV reader could not cut into fields).
 */
static void errlog_row(struct errlog *e, long line, enum row_error kind,
		       const struct csv_record *rec, const struct layout *l, const char *msg)
{
	char cells[5][CSV_FIELD_MAX + 1], num[24];
	static const enum column cols[5] = {COL_UNIT, COL_INDICATOR, COL_PERIOD, COL_VALUE,
					    COL_QUALIFIER};

	e->total++;
	e->kinds[kind]++;
	if (e->shown < SUBMIT_ERRORS_SHOWN) {
		e->shown++;
		if (kind == RE_CSV)
			fprintf(stderr, "%s\n", msg);
		else if (kind >= RE_UNIT && kind <= RE_NOTE)
			fprintf(stderr, "%s:%ld: %s: %s\n", e->path, line,
				column_names[kind - RE_UNIT], msg);
		else
			fprintf(stderr, "%s:%ld: %s\n", e->path, line, msg);
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
			field(rec, l, cols[i], cells[i], sizeof cells[i]);
	}
	if (rec && l && !cells[2][0])
		field(rec, l, COL_DATE, cells[2], sizeof cells[2]);
	snprintf(num, sizeof num, "%ld", line);
	const char *f[REJECTS_NCOLUMNS] = {
	    num, cells[0], cells[1], cells[2], cells[3], cells[4], row_error_codes[kind], msg};
	rejects_add(e->rj, f);
}

/*
 * After pass 1: the count of what the terminal did not show, and the reject
 * file made durable.  0, or -1 when the reject file could not be written
 * (said on stderr: a full disk must not cost the officer the list).
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
					 "%s%s: %zu", kinds[0] ? ", " : "", row_error_codes[k],
					 e->kinds[k]);
		char more[32], total[32], msg[1024], where[PATH_MAX + 64] = "";
		snprintf(more, sizeof more, "%zu", e->total - e->shown);
		snprintf(total, sizeof total, "%zu", e->total);
		message_format(msg, sizeof msg, "errors_more", more, total, kinds, NULL);
		if (!e->rjerr[0])
			message_format(where, sizeof where, "errors_listed_at", e->rjpath, NULL);
		fprintf(stderr, "%s: %s%s\n", e->path, msg, where);
	} else if (e->total && !e->rjerr[0]) {
		char msg[PATH_MAX + 64];
		message_format(msg, sizeof msg, "errors_written", e->rjpath, NULL);
		fprintf(stderr, "%s: %s\n", e->path, msg);
	}
	if (e->rjerr[0]) {
		fprintf(stderr, "%s: %s\n", e->path, e->rjerr);
		return -1;
	}
	return 0;
}

/*
 * What a row check found: the kind of fault and the officer's message, from
 * the message table (lib/message.h) so that a rule the database checks again
 * reads the same here, with the same code.
 */
struct row_fault {
	enum row_error kind;
	char msg[1024];
};

/* Fills f for column c with the message code and its NULL-terminated arguments; -1. */
static int row_fault(struct row_fault *f, enum column c, const char *code, ...)
{
	va_list ap;

	f->kind = (enum row_error)(RE_UNIT + c);
	va_start(ap, code);
	message_vformat(f->msg, sizeof f->msg, code, ap);
	va_end(ap);
	return -1;
}

/* Fills f for column c with why, a message lib/period.c or lib/num.c wrote; -1. */
static int row_fault_text(struct row_fault *f, enum column c, const char *why)
{
	f->kind = (enum row_error)(RE_UNIT + c);
	snprintf(f->msg, sizeof f->msg, "%s", why);
	return -1;
}

/* The unit and indicator columns into row; *ind is the indicator when cat knows it. */
static int check_codes(const struct csv_record *rec, const struct layout *l,
		       const struct catalog *cat, struct batch_row *row,
		       const struct indicator **ind, struct row_fault *f)
{
	char buf[CSV_FIELD_MAX + 1];

	field(rec, l, COL_UNIT, buf, sizeof buf);
	if (!*buf || strlen(buf) > BATCH_UNIT_MAX || strspn(buf, "0123456789") != strlen(buf))
		return row_fault(f, COL_UNIT, "bad_unit", buf, NULL);
	snprintf(row->unit, sizeof row->unit, "%s", buf);

	field(rec, l, COL_INDICATOR, buf, sizeof buf);
	if (!*buf || strlen(buf) > BATCH_INDICATOR_MAX ||
	    strspn(buf, "abcdefghijklmnopqrstuvwxyz0123456789_") != strlen(buf))
		return row_fault(f, COL_INDICATOR, "bad_indicator", buf, NULL);
	if (cat && (*ind = catalog_find(cat, buf)) == NULL) {
		char unknown[512], version[128];
		message_format(unknown, sizeof unknown, "unknown_indicator", buf, NULL);
		message_format(version, sizeof version, "catalog_version", cat->version, NULL);
		snprintf(f->msg, sizeof f->msg, "%s (%s)", unknown, version);
		f->kind = RE_INDICATOR;
		return -1;
	}
	if (*ind && (*ind)->kind == IND_RATIO)
		return row_fault(f, COL_INDICATOR, "computed_indicator", (*ind)->code,
				 (*ind)->numerator, (*ind)->denominator, NULL);
	snprintf(row->indicator, sizeof row->indicator, "%s", buf);
	return 0;
}

/* The period or the date column into row. */
static int check_period(const struct csv_record *rec, const struct layout *l,
			const struct indicator *ind, struct batch_row *row, struct row_fault *f)
{
	char buf[CSV_FIELD_MAX + 1], date[64];
	const char *why;
	struct period p;
	int32_t day;

	field(rec, l, COL_PERIOD, buf, sizeof buf);
	field(rec, l, COL_DATE, date, sizeof date);
	if (*buf && *date)
		return row_fault(f, COL_PERIOD, "period_and_date", NULL);
	if (!*buf && !*date)
		return row_fault(f, COL_PERIOD, "period_missing", NULL);
	if (*date) {
		if (date_parse(date, strlen(date), &day, &why) < 0)
			return row_fault_text(f, COL_DATE, why);
		date_format(day, row->date, sizeof row->date);
		return 0;
	}
	if (period_parse(buf, strlen(buf), &p, &why) < 0)
		return row_fault_text(f, COL_PERIOD, why);
	period_format(&p, row->period, sizeof row->period);
	if (ind && !(ind->period_types & (1u << p.type))) {
		char allowed[128], words[64];
		period_types_vi(ind->period_types, allowed, sizeof allowed);
		period_words_vi(&p, words, sizeof words);
		return row_fault(f, COL_PERIOD, "period_type_not_allowed", ind->code, allowed,
				 period_type_vi(p.type), row->period, words, NULL);
	}
	return 0;
}

/* The value column into row, with the indicator's kind and bounds when known. */
static int check_value(const struct csv_record *rec, const struct layout *l,
		       const struct indicator *ind, struct batch_row *row, struct row_fault *f)
{
	char buf[CSV_FIELD_MAX + 1], num[48], lo[48], hi[48], range[128];
	const char *why;

	field(rec, l, COL_VALUE, buf, sizeof buf);
	if (num_parse(buf, strlen(buf), &row->value, &why) < 0)
		return row_fault_text(f, COL_VALUE, why);
	if (!ind)
		return 0;
	submit_number_vi(row->value.value, row->value.text, num, sizeof num);
	if (ind->kind == IND_COUNT || ind->kind == IND_AMOUNT) {
		if (!row->value.integer)
			return row_fault(f, COL_VALUE, "not_integer", ind->code, ind->measure, num,
					 NULL);
		if (row->value.value < 0)
			return row_fault(f, COL_VALUE, "negative_value", ind->code, num, NULL);
	}
	if ((ind->has_min && row->value.value < ind->min) ||
	    (ind->has_max && row->value.value > ind->max)) {
		submit_number_vi(ind->min, NULL, lo, sizeof lo);
		submit_number_vi(ind->max, NULL, hi, sizeof hi);
		if (!ind->has_min)
			message_format(range, sizeof range, "range_at_most", hi, NULL);
		else if (!ind->has_max)
			message_format(range, sizeof range, "range_at_least", lo, NULL);
		else
			message_format(range, sizeof range, "range_between", lo, hi, NULL);
		return row_fault(f, COL_VALUE, "out_of_bounds", ind->code, range, num, NULL);
	}
	return 0;
}

/* The qualifier and note columns into row. */
static int check_extras(const struct csv_record *rec, const struct layout *l, struct batch_row *row,
			struct row_fault *f)
{
	char buf[CSV_FIELD_MAX + 1], n1[24], n2[24];

	field(rec, l, COL_QUALIFIER, buf, sizeof buf);
	int q = submit_qualifier(buf);
	if (q < 0)
		return row_fault(f, COL_QUALIFIER, "bad_qualifier", buf, NULL);
	row->qualifier = (enum qualifier)q;

	/* The note goes to the server with the value; chisod refuses the same faults, but
	 * the officer learns of them here, with the file and line, before anything is sent. */
	field(rec, l, COL_NOTE, buf, sizeof buf);
	size_t len = strlen(buf), at = batch_note_control(buf);
	if (len > BATCH_NOTE_MAX) {
		snprintf(n1, sizeof n1, "%zu", len);
		snprintf(n2, sizeof n2, "%d", BATCH_NOTE_MAX);
		return row_fault(f, COL_NOTE, "note_too_long", n1, n2, NULL);
	}
	if (at != SIZE_MAX) {
		snprintf(n1, sizeof n1, "%zu", at + 1);
		return row_fault(f, COL_NOTE, "note_control", n1, NULL);
	}
	memcpy(row->note, buf, len + 1);
	return 0;
}

/* Checks one data record into row; reports the first problem to el (if not NULL)
 * and returns -1. */
static int submit_row(const struct csv_record *rec, const struct layout *l, const char *base,
		      const struct catalog *cat, struct batch_row *row, struct errlog *el)
{
	const struct indicator *ind = NULL;
	struct row_fault f;

	memset(row, 0, sizeof *row);
	if (rec->nfields != l->nfields) {
		char want[24], got[24];
		snprintf(want, sizeof want, "%zu", l->nfields);
		snprintf(got, sizeof got, "%zu", rec->nfields);
		f.kind = RE_FIELDS;
		message_format(f.msg, sizeof f.msg, "wrong_field_count", want, got, NULL);
		goto refuse;
	}
	if (check_codes(rec, l, cat, row, &ind, &f) < 0 || check_period(rec, l, ind, row, &f) < 0 ||
	    check_value(rec, l, ind, row, &f) < 0 || check_extras(rec, l, row, &f) < 0)
		goto refuse;
	snprintf(row->ref, sizeof row->ref, "%s:%ld", base, rec->line);
	return 0;
refuse:
	if (el)
		errlog_row(el, rec->line, f.kind, rec, l, f.msg);
	return -1;
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
static long submit_check(FILE *fp, const char *path, const char *base, const struct catalog *cat,
			 struct layout *l, size_t *good, struct errlog *el)
{
	struct csv_reader *r = csv_reader_new(fp, path);
	struct csv_record rec;
	struct keyset keys = {0};
	struct batch_row row;
	long bad = 0;
	int got, header = 0;

	*good = 0;
	if (!r)
		return -1;
	while ((got = csv_next(r, &rec)) != 0) {
		if (got < 0) {
			if (header)
				errlog_row(el, rec.line, RE_CSV, NULL, NULL, csv_error(r));
			else
				fprintf(stderr, "%s\n", csv_error(r));
			bad++;
			if (!header)
				break;
			continue;
		}
		if (!header) {
			header = 1;
			if (submit_header(&rec, path, l) < 0) {
				bad = -1;
				break;
			}
			continue;
		}
		if (submit_row(&rec, l, base, cat, &row, el) < 0) {
			bad++;
			continue;
		}
		long first = keyset_add(&keys, key_hash(&row), rec.line);
		if (first < 0) {
			fprintf(stderr, "out of memory\n");
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
		fprintf(stderr, "%s: %s\n", path, msg);
		bad = -1;
	}
	keyset_free(&keys);
	csv_reader_destroy(&r);
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
	const struct layout *l;
	size_t batch_rows, good;
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
 * Pass 2: cuts the rows pass 1 accepted into batches and queues them in one
 * outbox transaction, file recorded at its commit.  0, or -1 with nothing
 * queued (said on stderr, res zeroed).
 */
static int submit_queue(struct outbox *ob, FILE *fp, const struct queue_arg *q,
			struct outbox_file *file, struct submit_result *res)
{
	struct csv_reader *r = NULL;
	struct batch *b = NULL;
	struct progress *prog = NULL;
	struct csv_record rec;
	struct keyset keys = {0};
	struct outbox_txn *txn = NULL;
	char err[512];
	int rc = -1, got, header = 0;
	size_t bytes = BATCH_HEAD_MAX; /* the body of the batch being filled, at most */

	rewind(fp);
	if ((r = csv_reader_new(fp, q->path)) == NULL || (b = batch_new(q->batch_rows)) == NULL) {
		fprintf(stderr, "out of memory\n");
		goto done;
	}
	/* One transaction: the whole file is queued, or none of it. */
	if ((txn = outbox_begin(ob, err, sizeof err)) == NULL) {
		fprintf(stderr, "%s: %s\n", q->path, err);
		goto done;
	}
	prog = progress_new("queueing", "rows", q->good);
	b->nrows = 0;
	for (;;) {
		got = csv_next(r, &rec);
		bool flush = got == 0 ? b->nrows > 0 : false;
		if (got > 0 && !header) {
			header = 1;
			continue;
		}
		if (got > 0) {
			/* The rows pass 1 refused are skipped again, quietly. */
			struct batch_row *row = &b->rows[b->nrows];
			if (submit_row(&rec, q->l, q->base, q->cat, row, NULL) == 0 &&
			    keyset_add(&keys, key_hash(row), rec.line) == 0) {
				size_t size = batch_row_size(row) + 1;
				/* Cut before the row that would take the body over the limit. */
				if (b->nrows > 0 && bytes + size > SUBMIT_BODY_MAX) {
					struct batch_row keep = *row;
					if (submit_put(txn, b, q, res, prog, err, sizeof err) < 0)
						goto fail;
					b->rows[0] = keep;
					bytes = BATCH_HEAD_MAX;
				}
				b->nrows++;
				bytes += size;
			}
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
	fprintf(stderr, "%s: %s\n%s: %s\n", q->path, err, q->path, none);
	memset(res, 0, sizeof *res);
done:
	outbox_abort(&txn);
	progress_done(&prog);
	keyset_free(&keys);
	batch_destroy(&b);
	csv_reader_destroy(&r);
	return rc;
}

int submit_file(struct outbox *ob, const char *path, const struct catalog *cat, size_t batch_rows,
		bool partial, bool again, struct submit_result *res)
{
	FILE *fp = fopen(path, "rb");
	char abs[PATH_MAX], msg[512];
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	struct layout l;
	size_t good;
	int rc = -1;

	memset(res, 0, sizeof *res);
	if (!fp) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	if (!realpath(path, abs))
		snprintf(abs, sizeof abs, "%s", path);
	struct outbox_file file = {0};
	if (submit_identity(fp, &file.hash, &file.size) != 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		goto done;
	}
	/*
	 * The same bytes again while the first copy still waits in the outbox:
	 * most often an officer unsure whether an interrupted submit went
	 * through.  It did, whole (one transaction): queuing it again would send
	 * every figure twice.  Once delivered, the same file may be sent again on
	 * purpose (say, after the province reopened a period that refused it).
	 */
	int seen = again ? 0 : outbox_find_file(ob, file.hash, file.size, &res->previous);
	if (seen > 0)
		seen = submit_waiting(ob, &res->previous);
	if (seen < 0)
		goto done;
	if (seen > 0) {
		res->already = true;
		rc = 0;
		goto done;
	}
	struct errlog el = {.path = path, .abs = abs, .outbox = outbox_dir(ob)};
	long bad = submit_check(fp, path, base, cat, &l, &good, &el);
	/*
	 * The refused rows are durably in the reject file before anything is
	 * queued: otherwise --partial would queue the good rows and the bad ones
	 * would exist nowhere but on a scrolled-away terminal.
	 */
	if (errlog_finish(&el) != 0) {
		if (partial) {
			message_format(msg, sizeof msg, "nothing_queued", NULL);
			fprintf(stderr, "%s: %s\n", path, msg);
		}
		goto done;
	}
	if (bad < 0)
		goto done;
	res->errors = (size_t)bad;
	if (bad > 0 && !partial) {
		char nbad[32], ngood[32];
		snprintf(nbad, sizeof nbad, "%ld", bad);
		snprintf(ngood, sizeof ngood, "%zu", good);
		message_format(msg, sizeof msg, "errors_nothing_queued", nbad, ngood, NULL);
		fprintf(stderr, "%s: %s\n", path, msg);
		goto done;
	}
	if (good == 0) {
		rc = 0;
		goto done;
	}
	struct queue_arg q = {path, abs, base, cat, &l, batch_rows, good};
	rc = submit_queue(ob, fp, &q, &file, res);
done:
	fclose(fp);
	return rc;
}
