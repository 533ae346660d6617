/*
 * csv: a strict streaming reader for the CSV files officers export from Excel
 * or a local system (see csv.h for the format it accepts).
 *
 * The input is read with fread into a look-ahead buffer; the parser takes one
 * byte at a time from it, with CR LF and a lone CR turned into LF so that line
 * counting and quoted newlines behave the same for every kind of export.  The
 * look-ahead buffer also lets the reader see a whole first record before
 * parsing it, which is how the delimiter is chosen without rewinding the file
 * (the input may be a pipe).  A record's fields are stored one after another,
 * NUL-terminated, in one buffer bounded by CSV_FIELDS_MAX * (CSV_FIELD_MAX + 1)
 * bytes.
 *
 * An error in a record does not stop the parse: the reader keeps following
 * the grammar to the end of that record without storing anything, so the next
 * call starts cleanly on the next record and an officer sees every bad line of
 * the file in one run.  Only the first error of a record is reported.
 */
#include "csv.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>

#include "utf8.h"

/* Bytes asked of fread at a time. */
#define CSV_CHUNK 4096
/*
 * The longest raw text a valid record can take: every field quoted and made of
 * "" escapes.  The delimiter scan never looks further than this.
 */
#define CSV_SCAN_MAX ((size_t)CSV_FIELDS_MAX * (2 * CSV_FIELD_MAX + 3))
/* Room for the message after "name:line: ". */
#define CSV_MSG_MAX 256

/* State of the strict UTF-8 check: continuation bytes still expected, and the
 * range the next one must fall in (narrower after E0, ED, F0, F4). */
struct csv_utf8 {
	unsigned need;
	unsigned char lo, hi;
};

struct csv_reader {
	FILE *fp;
	char *name;
	char *err; /* "name:line: message", or "" */
	size_t errcap;

	unsigned char *in; /* bytes read from fp, not yet parsed from inpos */
	size_t inpos, inlen, incap;
	int eof;   /* fread returned nothing: no more reads */
	int ioerr; /* errno of a read error or of a failed allocation, else 0 */

	int started; /* the byte-order mark has been looked at */
	int done;    /* end of input or an unrecoverable error: return 0 */
	char delim;  /* 0 until the first record has been seen */
	long line;   /* line of the next byte, 1-based */
	long col;    /* characters begun on that line so far */

	/* The record being parsed. */
	char *buf; /* fields, each NUL-terminated */
	size_t buflen, bufcap;
	size_t nf;	/* fields stored */
	size_t fieldno; /* field being parsed, 1-based, counted even after an error */
	size_t fstart;	/* offset in buf where the current field starts */
	long fline;	/* line the current field starts on */
	long recline;	/* line the record starts on */
	int failed;	/* an error has been recorded for this record */
	struct csv_utf8 u8;
	unsigned char lead; /* first byte of the UTF-8 sequence being checked */
	long lead_line, lead_col;

	size_t offs[CSV_FIELDS_MAX];
	size_t lens[CSV_FIELDS_MAX];
	const char *ptrs[CSV_FIELDS_MAX];
};

/* Feeds one byte to the strict UTF-8 check; -1 if it cannot be there. */
static int utf8_step(struct csv_utf8 *s, unsigned char b)
{
	if (s->need > 0) {
		if (b < s->lo || b > s->hi)
			return -1;
		s->need--;
		s->lo = 0x80;
		s->hi = 0xBF;
		return 0;
	}
	s->lo = 0x80;
	s->hi = 0xBF;
	if (b < 0x80)
		return 0;
	if (b >= 0xC2 && b <= 0xDF) {
		s->need = 1;
	} else if (b >= 0xE0 && b <= 0xEF) {
		s->need = 2;
		if (b == 0xE0)
			s->lo = 0xA0; /* below is an overlong form */
		else if (b == 0xED)
			s->hi = 0x9F; /* above are the surrogates U+D800..DFFF */
	} else if (b >= 0xF0 && b <= 0xF4) {
		s->need = 3;
		if (b == 0xF0)
			s->lo = 0x90; /* below is an overlong form */
		else if (b == 0xF4)
			s->hi = 0x8F; /* above is beyond U+10FFFF */
	} else {
		return -1; /* continuation, C0/C1 overlong lead, or F5..FF */
	}
	return 0;
}

int csv_utf8_valid(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	uint32_t cp;

	/* The whole-sequence decoder, not utf8_step: the fuzzer checks one against the other. */
	for (size_t i = 0, n; i < len; i += n)
		if ((n = utf8_char_len(u + i, len - i, &cp)) == 0)
			return 0;
	return 1;
}

struct csv_reader *csv_reader_new(FILE *fp, const char *name)
{
	struct csv_reader *r = calloc(1, sizeof *r);

	if (r == NULL)
		return NULL;
	if (name == NULL)
		name = "-";
	r->fp = fp;
	r->name = strdup(name);
	r->errcap = strlen(name) + 32 + CSV_MSG_MAX;
	r->err = calloc(1, r->errcap);
	r->incap = CSV_CHUNK;
	r->in = malloc(r->incap);
	r->bufcap = CSV_CHUNK;
	r->buf = malloc(r->bufcap);
	if (r->name == NULL || r->err == NULL || r->in == NULL || r->buf == NULL)
		goto fail;
	r->line = 1;
	return r;
fail:
	csv_reader_destroy(&r);
	return NULL;
}

void csv_reader_destroy(struct csv_reader **rp)
{
	struct csv_reader *r;

	if (rp == NULL || *rp == NULL)
		return;
	r = *rp;
	free(r->name);
	free(r->err);
	free(r->in);
	free(r->buf);
	free(r);
	*rp = NULL;
}

const char *csv_error(const struct csv_reader *r)
{
	return r->err;
}

char csv_delimiter(const struct csv_reader *r)
{
	return r->delim ? r->delim : ',';
}

/* Records msg as the error at line unless the record already has one (or
 * force is set: an error that ends the file explains more than the first). */
static void __attribute__((format(printf, 4, 5)))
set_error(struct csv_reader *r, int force, long line, const char *fmt, ...)
{
	char msg[CSV_MSG_MAX];
	va_list ap;

	if (r->failed && !force)
		return;
	r->failed = 1;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	snprintf(r->err, r->errcap, "%s:%ld: %s", r->name, line, msg);
}

/*
 * Makes at least want bytes available from inpos, reading and growing the
 * buffer as needed; returns 0 when they are there, -1 at end of input.
 */
static int in_fill(struct csv_reader *r, size_t want)
{
	if (r->inlen - r->inpos >= want)
		return 0;
	if (r->inpos > 0) {
		memmove(r->in, r->in + r->inpos, r->inlen - r->inpos);
		r->inlen -= r->inpos;
		r->inpos = 0;
	}
	while (r->inlen < want && !r->eof) {
		size_t n;

		if (r->inlen == r->incap) {
			unsigned char *p = realloc(r->in, r->incap * 2);

			if (p == NULL) {
				r->ioerr = ENOMEM;
				r->eof = 1;
				break;
			}
			r->in = p;
			r->incap *= 2;
		}
		errno = 0;
		n = fread(r->in + r->inlen, 1, r->incap - r->inlen, r->fp);
		if (n == 0) {
			if (ferror(r->fp))
				r->ioerr = errno ? errno : EIO;
			r->eof = 1;
		}
		r->inlen += n;
	}
	return r->inlen >= want ? 0 : -1;
}

/* The byte i places ahead, without consuming it, or EOF. */
static int peek(struct csv_reader *r, size_t i)
{
	if (in_fill(r, i + 1) < 0)
		return EOF;
	return r->in[r->inpos + i];
}

static int raw_get(struct csv_reader *r)
{
	if (r->inpos == r->inlen && in_fill(r, 1) < 0)
		return EOF;
	return r->in[r->inpos++];
}

/* The next byte with CR LF and lone CR turned into LF; counts lines and columns. */
static int get(struct csv_reader *r)
{
	int c = raw_get(r);

	if (c == '\r') {
		int d = raw_get(r);

		/* d came from the buffer just now, so stepping back returns it. */
		if (d != '\n' && d != EOF)
			r->inpos--;
		c = '\n';
	}
	if (c == '\n') {
		r->line++;
		r->col = 0;
	} else if (c != EOF && (c & 0xC0) != 0x80) {
		r->col++;
	}
	return c;
}

/*
 * The delimiter for the whole file, from its first record: ';' if that record
 * has a semicolon outside quotes and no comma outside quotes, else ','.
 */
static char sniff_delimiter(struct csv_reader *r)
{
	int inq = 0, semi = 0;

	for (size_t i = 0; i < CSV_SCAN_MAX; i++) {
		int c = peek(r, i);

		if (c == EOF)
			break;
		if (c == '"')
			inq = !inq;
		else if (inq)
			continue;
		else if (c == '\n' || c == '\r')
			break;
		else if (c == ',')
			return ',';
		else if (c == ';')
			semi = 1;
	}
	return semi ? ';' : ',';
}

static int buf_reserve(struct csv_reader *r, size_t n)
{
	char *p;

	if (r->bufcap - r->buflen >= n)
		return 0;
	p = realloc(r->buf, r->bufcap * 2);
	if (p == NULL) {
		r->ioerr = ENOMEM;
		r->eof = 1;
		return -1;
	}
	r->buf = p;
	r->bufcap *= 2;
	return 0;
}

static void field_begin(struct csv_reader *r)
{
	r->fieldno++;
	r->fstart = r->buflen;
	r->fline = r->line;
	r->u8 = (struct csv_utf8){0, 0x80, 0xBF};
	if (r->fieldno > CSV_FIELDS_MAX)
		set_error(r, 0, r->line, "field %zu: too many fields (at most %d)", r->fieldno,
			  CSV_FIELDS_MAX);
}

static void utf8_error(struct csv_reader *r)
{
	set_error(r, 0, r->lead_line,
		  "field %zu: not valid UTF-8 (byte 0x%02X at column %ld): "
		  "save the file as \"CSV UTF-8\"",
		  r->fieldno, r->lead, r->lead_col);
}

/* Appends one byte of content to the current field, checking it. */
static void put(struct csv_reader *r, int c)
{
	unsigned char b = (unsigned char)c;

	if (r->failed)
		return;
	if (b == 0) {
		set_error(r, 0, r->line, "field %zu: NUL byte in field", r->fieldno);
		return;
	}
	if (r->buflen - r->fstart >= CSV_FIELD_MAX) {
		set_error(r, 0, r->fline, "field %zu: longer than %d bytes", r->fieldno,
			  CSV_FIELD_MAX);
		return;
	}
	if (r->u8.need == 0) {
		/* get() counted a lead byte but not a stray continuation byte. */
		r->lead = b;
		r->lead_line = r->line;
		r->lead_col = (b & 0xC0) == 0x80 ? r->col + 1 : r->col;
	}
	if (utf8_step(&r->u8, b) < 0) {
		utf8_error(r);
		return;
	}
	if (buf_reserve(r, 1) < 0)
		return;
	r->buf[r->buflen++] = (char)b;
}

static void field_end(struct csv_reader *r)
{
	if (r->failed)
		return;
	if (r->u8.need > 0) {
		utf8_error(r); /* a sequence cut short by the end of the field */
		return;
	}
	if (buf_reserve(r, 1) < 0)
		return;
	r->buf[r->buflen++] = '\0';
	r->offs[r->nf] = r->fstart;
	r->lens[r->nf] = r->buflen - 1 - r->fstart;
	r->nf++;
}

/* A field that starts with a quote; returns the byte after it, or -2 at an
 * end of input inside the quotes. */
static int quoted_field(struct csv_reader *r)
{
	long qline = r->line;
	int c;

	for (;;) {
		c = get(r);
		if (c == EOF) {
			set_error(r, 1, r->recline,
				  "field %zu: unterminated quoted field starting at line %ld",
				  r->fieldno, qline);
			return -2;
		}
		if (c == '"') {
			c = get(r);
			if (c != '"')
				break;
		}
		put(r, c);
	}
	if (c != r->delim && c != '\n' && c != EOF) {
		set_error(r, 0, r->line, "field %zu: text after closing quote", r->fieldno);
		while (c != r->delim && c != '\n' && c != EOF)
			c = get(r);
	}
	return c;
}

/* Parses one record from the current byte; 1, -1 (error in the record) or
 * -2 (unrecoverable). */
static int parse_record(struct csv_reader *r)
{
	int c;

	r->nf = 0;
	r->fieldno = 0;
	r->buflen = 0;
	r->failed = 0;
	r->recline = r->line;
	do {
		field_begin(r);
		c = get(r);
		if (c == '"') {
			c = quoted_field(r);
			if (c == -2)
				break;
		} else {
			while (c != r->delim && c != '\n' && c != EOF) {
				if (c == '"')
					set_error(r, 0, r->line,
						  "field %zu: quote inside an unquoted field",
						  r->fieldno);
				else
					put(r, c);
				c = get(r);
			}
		}
		field_end(r);
	} while (c == r->delim);
	if (r->ioerr) {
		set_error(r, 1, r->recline, "read error: %s", strerror(r->ioerr));
		return -2;
	}
	if (c == -2)
		return -2;
	return r->failed ? -1 : 1;
}

/*
 * Skips a UTF-8 byte-order mark.  A UTF-16 one is an error (-1): Excel's
 * "Unicode Text" and some local systems write UTF-16, which no byte-level
 * repair would turn into the text the officer typed.
 */
static int check_bom(struct csv_reader *r)
{
	int b0 = peek(r, 0), b1 = peek(r, 1);

	r->started = 1;
	if (b0 == 0xEF && b1 == 0xBB && peek(r, 2) == 0xBF) {
		r->inpos += 3;
		return 0;
	}
	if ((b0 == 0xFF && b1 == 0xFE) || (b0 == 0xFE && b1 == 0xFF)) {
		set_error(r, 1, 1,
			  "file is UTF-16: save it from Excel as \"CSV UTF-8 (Comma delimited)\"");
		return -1;
	}
	return 0;
}

int csv_next(struct csv_reader *r, struct csv_record *rec)
{
	int c, rc;

	*rec = (struct csv_record){0};
	r->err[0] = '\0';
	r->failed = 0;
	if (r->done)
		return 0;
	if (!r->started && check_bom(r) < 0) {
		rec->line = 1;
		r->done = 1;
		return -1;
	}
	while ((c = peek(r, 0)) == '\n' || c == '\r')
		get(r); /* blank lines count for line numbers only */
	if (c == EOF) {
		r->done = 1;
		if (r->ioerr == 0)
			return 0;
		set_error(r, 1, r->line, "read error: %s", strerror(r->ioerr));
		rec->line = r->line;
		return -1;
	}
	if (r->delim == 0)
		r->delim = sniff_delimiter(r);
	rc = parse_record(r);
	rec->line = r->recline;
	if (rc == -2) {
		r->done = 1;
		return -1;
	}
	if (rc < 0)
		return -1;
	for (size_t i = 0; i < r->nf; i++)
		r->ptrs[i] = r->buf + r->offs[i];
	rec->nfields = r->nf;
	rec->fields = r->ptrs;
	rec->lens = r->lens;
	return 1;
}
