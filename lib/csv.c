/*
 * csv: a strict streaming CSV reader (see csv.h).
 *
 * One state machine over getc(): a record is read into one growing buffer of
 * NUL-separated fields, so a record costs at most CSV_FIELDS_MAX x
 * CSV_FIELD_MAX bytes whatever the file holds.  A broken record is skipped to
 * its end and reported with its line; the caller may go on to list every
 * error of a file in one run, which is what an officer fixing a spreadsheet
 * needs.
 */
#include "csv.h"

#include <stdlib.h>
#include <string.h>

struct csv_reader {
	FILE *fp;
	char *name;
	char delim;   /* 0 until decided on the first record */
	long line;    /* current physical line, 1-based */
	int started;  /* BOM handled */
	int finished; /* no more records */
	int ahead[4]; /* characters read ahead, popped last-in first-out */
	int nahead;
	char *buf; /* fields, each NUL-terminated */
	size_t len, cap;
	size_t starts[CSV_FIELDS_MAX];
	size_t lens[CSV_FIELDS_MAX];
	const char *fields[CSV_FIELDS_MAX];
	char error[512];
};

struct csv_reader *csv_reader_new(FILE *fp, const char *name)
{
	struct csv_reader *r = calloc(1, sizeof *r);

	if (!r || (r->name = strdup(name)) == NULL) {
		free(r);
		return NULL;
	}
	r->fp = fp;
	r->line = 1;
	return r;
}

void csv_reader_destroy(struct csv_reader **rp)
{
	if (!rp || !*rp)
		return;
	free((*rp)->name);
	free((*rp)->buf);
	free(*rp);
	*rp = NULL;
}

const char *csv_error(const struct csv_reader *r)
{
	return r->error;
}

char csv_delimiter(const struct csv_reader *r)
{
	return r->delim ? r->delim : ',';
}

/* Index of the first byte of the first invalid sequence, or len if s is valid UTF-8. */
static size_t csv_utf8_check(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *start = p, *end = p + len;

	while (p < end) {
		unsigned c = *p, cp, min;
		size_t n;
		if (c < 0x80) {
			p++;
			continue;
		} else if (c >= 0xC2 && c <= 0xDF) {
			n = 1, min = 0x80;
		} else if (c >= 0xE0 && c <= 0xEF) {
			n = 2, min = 0x800;
		} else if (c >= 0xF0 && c <= 0xF4) {
			n = 3, min = 0x10000;
		} else {
			return (size_t)(p - start);
		}
		if ((size_t)(end - p) <= n)
			return (size_t)(p - start);
		cp = c & (0x3Fu >> n);
		for (size_t i = 1; i <= n; i++) {
			if ((p[i] & 0xC0) != 0x80)
				return (size_t)(p - start);
			cp = (cp << 6) | (p[i] & 0x3F);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return (size_t)(p - start);
		p += n + 1;
	}
	return len;
}

int csv_utf8_valid(const char *s, size_t len)
{
	return csv_utf8_check(s, len) == len;
}

static int csv_getc(struct csv_reader *r)
{
	return r->nahead ? r->ahead[--r->nahead] : getc(r->fp);
}

/* Puts c back; at most four characters are ever held (a BOM check needs three). */
static void csv_ungetc(struct csv_reader *r, int c)
{
	if (c != EOF && r->nahead < 4)
		r->ahead[r->nahead++] = c;
}

/* Appends a byte to the current field; -1 if the field is too long. */
static int csv_put(struct csv_reader *r, char c)
{
	if (r->len + 2 > r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 1024;
		char *p = realloc(r->buf, cap);
		if (!p)
			return -1;
		r->buf = p;
		r->cap = cap;
	}
	r->buf[r->len++] = c;
	return 0;
}

/* Consumes the rest of the physical record after an error (honouring no quotes). */
static void csv_skip_line(struct csv_reader *r)
{
	int c;
	while ((c = csv_getc(r)) != EOF) {
		if (c == '\n') {
			r->line++;
			return;
		}
		if (c == '\r') {
			int d = csv_getc(r);
			if (d != '\n')
				csv_ungetc(r, d);
			r->line++;
			return;
		}
	}
	r->finished = 1;
}

/* Records the error "file:line: field N: what" (field 0: no field) and returns -1. */
static int csv_report(struct csv_reader *r, long line, size_t field, const char *what)
{
	if (field)
		snprintf(r->error, sizeof r->error, "%s:%ld: field %zu: %s", r->name, line, field,
			 what);
	else
		snprintf(r->error, sizeof r->error, "%s:%ld: %s", r->name, line, what);
	return -1;
}

/* Skips the rest of a record that cannot be read and reports why. */
static int csv_refuse(struct csv_reader *r, long line, size_t field, const char *what)
{
	csv_skip_line(r);
	return csv_report(r, line, field, what);
}

/* Appends byte c to field nf; returns why it cannot, or NULL. */
static const char *csv_take(struct csv_reader *r, size_t nf, int c)
{
	if (c == 0)
		return "NUL byte in field";
	if (r->len - r->starts[nf] >= CSV_FIELD_MAX)
		return "longer than the limit of 4096 bytes";
	if (csv_put(r, (char)c) < 0)
		return "out of memory";
	return NULL;
}

/* Decides the delimiter from the first record's raw line (read ahead, then replayed). */
static void csv_decide(struct csv_reader *r)
{
	long pos = ftell(r->fp);
	int c, inq = 0, commas = 0, semis = 0, i = r->nahead;

	r->delim = ',';
	if (pos < 0)
		return; /* not seekable: comma */
	while ((c = i > 0 ? r->ahead[--i] : getc(r->fp)) != EOF) {
		if (c == '"')
			inq = !inq;
		else if (!inq && (c == '\n' || c == '\r'))
			break;
		else if (!inq && c == ',')
			commas++;
		else if (!inq && c == ';')
			semis++;
	}
	if (semis > 0 && commas == 0)
		r->delim = ';';
	clearerr(r->fp);
	fseek(r->fp, pos, SEEK_SET);
}

int csv_next(struct csv_reader *r, struct csv_record *rec)
{
	size_t nf;
	int c;

	if (r->finished)
		return 0;
	if (!r->started) {
		int b0, b1 = EOF, b2 = EOF;
		r->started = 1;
		b0 = getc(r->fp);
		if (b0 == 0xEF || b0 == 0xFF || b0 == 0xFE)
			b1 = getc(r->fp);
		if (b0 == 0xEF && b1 == 0xBB)
			b2 = getc(r->fp);
		if ((b0 == 0xFF && b1 == 0xFE) || (b0 == 0xFE && b1 == 0xFF)) {
			r->finished = 1;
			snprintf(r->error, sizeof r->error,
				 "%s:1: file is UTF-16: save it from Excel as \"CSV UTF-8 (Comma "
				 "delimited)\"",
				 r->name);
			return -1;
		}
		if (!(b0 == 0xEF && b1 == 0xBB && b2 == 0xBF)) {
			/* Not a byte-order mark: replay what was read, in order. */
			csv_ungetc(r, b2);
			csv_ungetc(r, b1);
			csv_ungetc(r, b0);
		}
	}

again:
	/* Blank lines are skipped (and counted). */
	for (;;) {
		c = csv_getc(r);
		if (c == '\n') {
			r->line++;
			continue;
		}
		if (c == '\r') {
			int d = csv_getc(r);
			if (d != '\n')
				csv_ungetc(r, d);
			r->line++;
			continue;
		}
		break;
	}
	if (c == EOF) {
		r->finished = 1;
		return 0;
	}
	csv_ungetc(r, c);
	if (!r->delim)
		csv_decide(r);

	long first_line = r->line;
	const char *why;
	r->len = 0;
	nf = 0;
	for (;;) { /* one field per turn */
		if (nf == CSV_FIELDS_MAX)
			return csv_refuse(r, first_line, 0, "more than 64 fields");
		r->starts[nf] = r->len;
		c = csv_getc(r);
		if (c == '"') {
			long qline = r->line;
			for (;;) {
				c = csv_getc(r);
				if (c == EOF) {
					r->finished = 1;
					snprintf(r->error, sizeof r->error,
						 "%s:%ld: unterminated quoted field starting at "
						 "line %ld",
						 r->name, r->line, qline);
					return -1;
				}
				if (c == '"') {
					int d = csv_getc(r);
					if (d == '"') {
						c = '"';
					} else {
						csv_ungetc(r, d);
						break;
					}
				} else if (c == '\r') {
					int d = csv_getc(r);
					if (d != '\n')
						csv_ungetc(r, d);
					c = '\n';
					r->line++;
				} else if (c == '\n') {
					r->line++;
				}
				if ((why = csv_take(r, nf, c)) != NULL)
					return csv_refuse(r, first_line, nf + 1, why);
			}
			c = csv_getc(r);
			if (c != r->delim && c != '\n' && c != '\r' && c != EOF)
				return csv_refuse(r, first_line, nf + 1,
						  "text after closing quote");
		} else {
			while (c != r->delim && c != '\n' && c != '\r' && c != EOF) {
				if (c == '"')
					return csv_refuse(r, first_line, nf + 1,
							  "quote inside an unquoted field");
				if ((why = csv_take(r, nf, c)) != NULL)
					return csv_refuse(r, first_line, nf + 1, why);
				c = csv_getc(r);
			}
		}
		r->lens[nf] = r->len - r->starts[nf];
		if (csv_put(r, '\0') < 0)
			return csv_refuse(r, first_line, nf + 1, "out of memory");
		nf++;
		if (c == r->delim)
			continue;
		if (c == '\r') {
			int d = csv_getc(r);
			if (d != '\n')
				csv_ungetc(r, d);
		}
		if (c == '\n' || c == '\r')
			r->line++;
		if (c == EOF)
			r->finished = 1;
		break;
	}
	for (size_t i = 0; i < nf; i++) {
		const char *f = r->buf + r->starts[i];
		size_t at = csv_utf8_check(f, r->lens[i]);
		if (at != r->lens[i]) {
			char what[160];
			snprintf(what, sizeof what,
				 "not valid UTF-8 (byte 0x%02X at column %zu): save the file as "
				 "\"CSV UTF-8\"",
				 (unsigned)(unsigned char)f[at], at + 1);
			return csv_report(r, first_line, i + 1, what);
		}
		r->fields[i] = f;
	}
	rec->nfields = nf;
	rec->fields = r->fields;
	rec->lens = r->lens;
	rec->line = first_line;
	if (nf == 1 && r->lens[0] == 0)
		goto again; /* a line holding only "" carries nothing */
	return 1;
}
