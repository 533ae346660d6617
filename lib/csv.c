/*
 * csv: a strict streaming reader for the CSV files officers export from Excel
 * or a local system (see csv.h for the format it accepts).
 *
 * The input is read with fread and, when its byte-order mark says UTF-16
 * (Excel's "Unicode Text"), transcoded to UTF-8 as it is read, a chunk at a
 * time, so that everything after this layer sees UTF-8 whatever the file
 * held.  A code unit that is no character (a lone surrogate, an odd last
 * byte) comes out as the byte 0xFF, which no UTF-8 text holds: the UTF-8
 * check below then reports it at its line and column, with the UTF-16 text.
 * The parser takes one byte at a time from the look-ahead buffer, with CR LF
 * and a lone CR turned into LF so that line counting and quoted newlines
 * behave the same for every kind of export.  The
 * look-ahead buffer also lets the reader see a whole first record before
 * parsing it, which is how the delimiter is chosen without rewinding the file
 * (the input may be a pipe).  A record's fields are stored one after another,
 * NUL-terminated, in one buffer bounded by CSV_FIELDS_MAX * (CSV_FIELD_MAX + 1)
 * bytes.
 *
 * An error in a record does not stop the parse: the reader keeps following
 * the grammar to the end of that record without storing anything, so the next
 * call starts cleanly on the next record and an officer sees every bad line of
 * the file in one run.  Only the first error of a record is reported.  The
 * texts come from the message table (lib/message.h), in Vietnamese.
 */
#include "csv.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>

#include "message.h"
#include "utf8.h"

/* Bytes asked of fread at a time. */
#define CSV_CHUNK 4096
/*
 * The longest raw text a valid record can take: every field quoted and made of
 * "" escapes.  The delimiter scan never looks further than this.
 */
#define CSV_SCAN_MAX ((size_t)CSV_FIELDS_MAX * (2 * CSV_FIELD_MAX + 3))
/* Room for the message after "name:line: ". */
#define CSV_MSG_MAX 768
/* Bytes of a header cell kept to name its column in messages. */
#define CSV_NAME_MAX 48

/* What the byte-order mark said the file holds. */
enum csv_encoding { ENC_UTF8, ENC_UTF16LE, ENC_UTF16BE };

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

	/* Bytes as fread gave them, before transcoding. */
	unsigned char raw[CSV_CHUNK];
	size_t rawpos, rawlen;
	int raweof;	       /* fread returned nothing: no more reads */
	enum csv_encoding enc; /* from the byte-order mark */
	int sniffed;	       /* the byte-order mark has been looked at */

	unsigned char *in; /* UTF-8 text not yet parsed, from inpos */
	size_t inpos, inlen, incap;
	int eof;   /* the text has ended: no more to decode */
	int ioerr; /* errno of a read error or of a failed allocation, else 0 */

	int started; /* the sep= line has been looked at */
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
	char names[CSV_FIELDS_MAX][CSV_NAME_MAX]; /* csv_name_columns, "" if none */
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
	r->errcap = strlen(name) + 32 + CSV_NAME_MAX + 64 + CSV_MSG_MAX;
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

void csv_column_letters(size_t n, char *buf, size_t size)
{
	char rev[16];
	size_t len = 0;

	/* Bijective base 26: 1 is A, 26 is Z, 27 is AA. */
	for (; n > 0 && len < sizeof rev; n = (n - 1) / 26)
		rev[len++] = (char)('A' + (n - 1) % 26);
	if (size == 0)
		return;
	for (size_t i = 0; i < len && i + 1 < size; i++)
		buf[i] = rev[len - 1 - i];
	buf[len < size ? len : size - 1] = '\0';
}

void csv_name_columns(struct csv_reader *r, const struct csv_record *header)
{
	memset(r->names, 0, sizeof r->names);
	for (size_t i = 0; i < header->nfields && i < CSV_FIELDS_MAX; i++) {
		const char *f = header->fields[i];
		size_t len = header->lens[i];

		/* As the officer reads the heading: Excel keeps spaces typed around it. */
		while (len > 0 && (*f == ' ' || *f == '\t')) {
			f++;
			len--;
		}
		while (len > 0 && (f[len - 1] == ' ' || f[len - 1] == '\t'))
			len--;
		if (len >= CSV_NAME_MAX)
			continue; /* not a column name a message could use */
		memcpy(r->names[i], f, len);
	}
}

/*
 * Records the text of code, with its NULL-terminated string arguments, as
 * the error at line in field (1-based; 0 when the error is about the file,
 * not a field), unless the record already has one (or force is set: an
 * error that ends the file explains more than the first).  The name ends in
 * message_format( so that test_message checks the codes passed to it.
 */
static void __attribute__((sentinel))
error_message_format(struct csv_reader *r, int force, long line, size_t field, const char *code,
		     ...)
{
	char msg[CSV_MSG_MAX], col[CSV_NAME_MAX + 64], letters[16];
	const char *name = field > 0 && field <= CSV_FIELDS_MAX ? r->names[field - 1] : "";
	va_list ap;

	if (r->failed && !force)
		return;
	r->failed = 1;
	va_start(ap, code);
	message_vformat(msg, sizeof msg, code, ap);
	va_end(ap);
	if (field == 0) {
		snprintf(r->err, r->errcap, "%s:%ld: %s", r->name, line, msg);
		return;
	}
	csv_column_letters(field, letters, sizeof letters);
	if (name[0])
		message_format(col, sizeof col, "csv_column_named", letters, name, NULL);
	else
		message_format(col, sizeof col, "csv_column", letters, NULL);
	snprintf(r->err, r->errcap, "%s:%ld: %s: %s", r->name, line, col, msg);
}

/*
 * Fills raw so that at least want bytes are there from rawpos (fewer only at
 * the end of the file); returns how many are.
 */
static size_t raw_fill(struct csv_reader *r, size_t want)
{
	if (r->rawlen - r->rawpos >= want)
		return r->rawlen - r->rawpos;
	memmove(r->raw, r->raw + r->rawpos, r->rawlen - r->rawpos);
	r->rawlen -= r->rawpos;
	r->rawpos = 0;
	while (r->rawlen < want && !r->raweof) {
		size_t n;

		errno = 0;
		n = fread(r->raw + r->rawlen, 1, sizeof r->raw - r->rawlen, r->fp);
		if (n == 0) {
			if (ferror(r->fp))
				r->ioerr = errno ? errno : EIO;
			r->raweof = 1;
		}
		r->rawlen += n;
	}
	return r->rawlen - r->rawpos;
}

/*
 * Looks at the byte-order mark: a UTF-8 one is skipped, a UTF-16 one sets the
 * encoding and is skipped; without one the file is taken as UTF-8 (and a
 * Windows code page file is then refused by the UTF-8 check).
 */
static void sniff_encoding(struct csv_reader *r)
{
	size_t n = raw_fill(r, 3);
	const unsigned char *b = r->raw + r->rawpos;

	r->sniffed = 1;
	if (n >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF) {
		r->rawpos += 3;
	} else if (n >= 2 && b[0] == 0xFF && b[1] == 0xFE) {
		r->enc = ENC_UTF16LE;
		r->rawpos += 2;
	} else if (n >= 2 && b[0] == 0xFE && b[1] == 0xFF) {
		r->enc = ENC_UTF16BE;
		r->rawpos += 2;
	}
}

/* The UTF-16 code unit at raw[rawpos + at] (two bytes must be there). */
static unsigned utf16_unit(const struct csv_reader *r, size_t at)
{
	const unsigned char *b = r->raw + r->rawpos + at;

	return r->enc == ENC_UTF16LE ? (unsigned)b[0] | (unsigned)b[1] << 8
				     : (unsigned)b[0] << 8 | (unsigned)b[1];
}

/* Writes code point cp as UTF-8 at dst (room for 4); returns its length. */
static size_t utf8_put(unsigned char *dst, uint32_t cp)
{
	if (cp < 0x80) {
		dst[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		dst[0] = (unsigned char)(0xC0 | cp >> 6);
		dst[1] = (unsigned char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		dst[0] = (unsigned char)(0xE0 | cp >> 12);
		dst[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
		dst[2] = (unsigned char)(0x80 | (cp & 0x3F));
		return 3;
	}
	dst[0] = (unsigned char)(0xF0 | cp >> 18);
	dst[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3F));
	dst[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
	dst[3] = (unsigned char)(0x80 | (cp & 0x3F));
	return 4;
}

/*
 * Transcodes UTF-16 from raw into dst (cap bytes, at least 4) until dst is
 * nearly full or the file ends; returns the bytes written (0 at the end).
 * What is no character becomes 0xFF (see the top of the file).
 */
static size_t utf16_decode(struct csv_reader *r, unsigned char *dst, size_t cap)
{
	size_t n = 0;

	while (cap - n >= 4) {
		size_t have = raw_fill(r, 4);
		unsigned u, lo;

		if (have < 2) {
			if (have == 1) {
				r->rawpos++; /* an odd last byte */
				dst[n++] = 0xFF;
			}
			break;
		}
		u = utf16_unit(r, 0);
		if (u < 0xD800 || u > 0xDFFF) {
			r->rawpos += 2;
			n += utf8_put(dst + n, u);
		} else if (u <= 0xDBFF && have >= 4 && (lo = utf16_unit(r, 2)) >= 0xDC00 &&
			   lo <= 0xDFFF) {
			r->rawpos += 4;
			n += utf8_put(dst + n, 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00));
		} else {
			r->rawpos += 2; /* a lone half of a surrogate pair */
			dst[n++] = 0xFF;
		}
	}
	return n;
}

/* Reads UTF-8 text into dst (cap bytes, at least 4); returns its length, 0 at the end. */
static size_t text_read(struct csv_reader *r, unsigned char *dst, size_t cap)
{
	size_t n;

	if (!r->sniffed)
		sniff_encoding(r);
	if (r->enc != ENC_UTF8)
		return utf16_decode(r, dst, cap);
	n = raw_fill(r, 1);
	if (n > cap)
		n = cap;
	memcpy(dst, r->raw + r->rawpos, n);
	r->rawpos += n;
	return n;
}

/*
 * Makes at least want bytes of text available from inpos, decoding and
 * growing the buffer as needed; returns 0 when they are there, -1 at the end.
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

		/* Room for one whole character of the transcoder. */
		if (r->incap - r->inlen < 4) {
			unsigned char *p = realloc(r->in, r->incap * 2);

			if (p == NULL) {
				r->ioerr = ENOMEM;
				r->eof = 1;
				break;
			}
			r->in = p;
			r->incap *= 2;
		}
		n = text_read(r, r->in + r->inlen, r->incap - r->inlen);
		if (n == 0)
			r->eof = 1;
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

static int in_get(struct csv_reader *r)
{
	if (r->inpos == r->inlen && in_fill(r, 1) < 0)
		return EOF;
	return r->in[r->inpos++];
}

/* The next byte with CR LF and lone CR turned into LF; counts lines and columns. */
static int get(struct csv_reader *r)
{
	int c = in_get(r);

	if (c == '\r') {
		int d = in_get(r);

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
 * The delimiter for the whole file, from its first record: TAB if that record
 * has a tab outside quotes (Excel's "Unicode Text" separates by tabs and
 * quotes no comma), else ';' if it has more semicolons than commas outside
 * quotes (a Vietnamese-locale Excel, whose list separator is ';', quotes no
 * comma either), else ','.
 */
static char sniff_delimiter(struct csv_reader *r)
{
	size_t commas = 0, semis = 0;
	int inq = 0;

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
		else if (c == '\t')
			return '\t';
		else if (c == ',')
			commas++;
		else if (c == ';')
			semis++;
	}
	return semis > commas ? ';' : ',';
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
	if (r->fieldno > CSV_FIELDS_MAX) {
		char max[16];

		snprintf(max, sizeof max, "%d", CSV_FIELDS_MAX);
		error_message_format(r, 0, r->line, r->fieldno, "csv_too_many_fields", max, NULL);
	}
}

/* The byte r->lead at r->lead_col is no UTF-8 (or, transcoded, no UTF-16) character. */
static void utf8_error(struct csv_reader *r)
{
	char byte[8], col[24];

	snprintf(byte, sizeof byte, "%02X", r->lead);
	snprintf(col, sizeof col, "%ld", r->lead_col);
	if (r->enc == ENC_UTF8)
		error_message_format(r, 0, r->lead_line, r->fieldno, "csv_not_utf8", byte, col,
				     NULL);
	else
		error_message_format(r, 0, r->lead_line, r->fieldno, "csv_bad_utf16", col, NULL);
}

/* Appends one byte of content to the current field, checking it. */
static void put(struct csv_reader *r, int c)
{
	unsigned char b = (unsigned char)c;

	if (r->failed)
		return;
	if (b == 0) {
		error_message_format(r, 0, r->line, r->fieldno, "csv_nul", NULL);
		return;
	}
	if (r->buflen - r->fstart >= CSV_FIELD_MAX) {
		char max[16];

		snprintf(max, sizeof max, "%d", CSV_FIELD_MAX);
		error_message_format(r, 0, r->fline, r->fieldno, "csv_field_too_long", max, NULL);
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

/* The file could not be read further (errno in r->ioerr); ends the input. */
static void read_error(struct csv_reader *r, long line)
{
	error_message_format(r, 1, line, 0, "csv_read_error", strerror(r->ioerr), NULL);
}

/* A field that starts with a quote; returns the byte after it, or -2 at an
 * end of input inside the quotes. */
static int quoted_field(struct csv_reader *r)
{
	long qline = r->line;
	char at[24];
	int c;

	for (;;) {
		c = get(r);
		if (c == EOF) {
			snprintf(at, sizeof at, "%ld", qline);
			error_message_format(r, 1, r->recline, r->fieldno, "csv_unterminated", at,
					     NULL);
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
		error_message_format(r, 0, r->line, r->fieldno, "csv_text_after_quote", NULL);
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
					error_message_format(r, 0, r->line, r->fieldno,
							     "csv_quote_inside", NULL);
				else
					put(r, c);
				c = get(r);
			}
		}
		field_end(r);
	} while (c == r->delim);
	if (r->ioerr) {
		read_error(r, r->recline);
		return -2;
	}
	if (c == -2)
		return -2;
	return r->failed ? -1 : 1;
}

/* 1 if the text from inpos starts with s, ASCII letters in any case. */
static int starts_with(struct csv_reader *r, const char *s)
{
	for (size_t i = 0; s[i]; i++) {
		int c = peek(r, i);

		if (c == EOF || (c | 0x20) != s[i])
			return 0;
	}
	return 1;
}

/*
 * An Excel "sep=X" first line (written by programs that make CSV for Excel,
 * which reads it and takes X as the delimiter): X is taken as the delimiter
 * and the line skipped, counted as line 1.  The line may repeat X, as a
 * spreadsheet that showed it as a row of cells saves it.  Returns 0, or -1
 * when X is no delimiter this reader takes (then nothing of the file could be
 * read as it was meant).
 */
static int sep_line(struct csv_reader *r)
{
	size_t i = 5;
	int x, c;
	char ch[8];

	r->started = 1;
	if (!starts_with(r, "sep=") || (x = peek(r, 4)) == EOF || x == '\n' || x == '\r')
		return 0;
	while ((c = peek(r, i)) == x)
		i++;
	if (c != '\n' && c != '\r' && c != EOF)
		return 0; /* "sep=..." followed by text is data */
	if (x != ',' && x != ';' && x != '\t' && x != '|') {
		snprintf(ch, sizeof ch, "%c", x >= 0x20 && x < 0x7F ? x : '?');
		error_message_format(r, 1, 1, 0, "csv_sep_unknown", ch, NULL);
		return -1;
	}
	r->delim = (char)x;
	while (i-- > 0)
		get(r);
	get(r); /* the line end */
	return 0;
}

/* 1 if every field of the record just parsed is empty (",,," as Excel writes a blank row). */
static int record_empty(const struct csv_reader *r)
{
	for (size_t i = 0; i < r->nf; i++)
		if (r->lens[i] > 0)
			return 0;
	return 1;
}

int csv_next(struct csv_reader *r, struct csv_record *rec)
{
	int c, rc;

	*rec = (struct csv_record){0};
	r->err[0] = '\0';
	r->failed = 0;
	if (r->done)
		return 0;
	if (!r->started && sep_line(r) < 0) {
		rec->line = 1;
		r->done = 1;
		return -1;
	}
	do {
		while ((c = peek(r, 0)) == '\n' || c == '\r')
			get(r); /* blank lines count for line numbers only */
		if (c == EOF) {
			r->done = 1;
			if (r->ioerr == 0)
				return 0;
			read_error(r, r->line);
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
	} while (record_empty(r));
	for (size_t i = 0; i < r->nf; i++)
		r->ptrs[i] = r->buf + r->offs[i];
	rec->nfields = r->nf;
	rec->fields = r->ptrs;
	rec->lens = r->lens;
	return 1;
}
