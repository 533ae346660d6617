/*
 * csv: a strict streaming reader for CSV files that people save from Excel,
 * LibreOffice or a local system (RFC 4180, plus what those files really hold).
 *
 * Encodings: UTF-8 with or without a byte-order mark, and UTF-16 LE or BE with
 * one (Excel's "Unicode Text", LibreOffice's UTF-16), transcoded to UTF-8 as
 * it is read.  Delimiter: an Excel "sep=X" first line names it (comma,
 * semicolon, tab or |; the line is skipped but counted); otherwise the first
 * record decides: tab if it has one outside quotes, else semicolon if it has
 * more semicolons than commas (a Vietnamese-locale Excel writes ';'), else
 * comma.  CRLF, LF or a lone CR (old Mac Excel) end lines; quoted fields with
 * "" escapes and embedded newlines; blank lines and records whose fields are
 * all empty (",,," as Excel writes a blank row) are skipped.  Every error
 * names file:line, the column (its Excel letter, and its header name once the
 * caller gave the header with csv_name_columns) and the rule, in Vietnamese
 * from the message table.  A file that is not UTF-8 (Excel's "CSV (Comma
 * delimited)" writes the Windows code page) is refused with a message saying
 * how to save it as UTF-8.  Fields longer than CSV_FIELD_MAX bytes and records
 * of more than CSV_FIELDS_MAX fields are errors, so memory stays bounded
 * whatever the file holds.
 */
#ifndef CHISO_CSV_H
#define CHISO_CSV_H

#include <stddef.h>
#include <stdio.h>

#define CSV_FIELD_MAX  4096
#define CSV_FIELDS_MAX 64

struct csv_reader;

struct csv_record {
	size_t nfields;
	const char *const *fields; /* NUL-terminated, borrowed until the next csv_next */
	const size_t *lens;
	long line; /* line on which the record starts, 1-based */
};

/*
 * A reader over fp (borrowed, not closed); name is used in messages (copied).
 * Returns NULL only when out of memory.
 */
struct csv_reader *csv_reader_new(FILE *fp, const char *name);
/* Frees the reader and sets *rp to NULL; safe on NULL. */
void csv_reader_destroy(struct csv_reader **rp);
/*
 * Reads the next record.  Returns 1 with *rec filled, 0 at end of input, -1 on
 * an error in one record (csv_error tells which; the reader has skipped to the
 * next record, so the caller may go on and list every error in the file).
 * After an unrecoverable error (an unterminated quote at end of file, a read
 * error, a sep= line naming no usable delimiter) the next call returns 0.  On 0 and -1, *rec has no
 * fields (rec->line is the record's line after -1).  Fields are not trimmed.
 */
int csv_next(struct csv_reader *r, struct csv_record *rec);
/*
 * The last error as "file:line: message", valid until the next call; "" if the
 * last call had none.  The line is the one holding the faulty byte (the
 * record's first line for an unterminated quote or a read error).
 */
const char *csv_error(const struct csv_reader *r);
/*
 * The delimiter in use (',', ';', '\t' or '|'), known after the first record
 * (',' before).
 */
char csv_delimiter(const struct csv_reader *r);
/*
 * Takes the names of the columns from header (the caller's header record, as
 * csv_next gave it), so that later errors say "cột D (value)", not "cột D".
 */
void csv_name_columns(struct csv_reader *r, const struct csv_record *header);
/* The Excel letters of column n (1-based: 1 is A, 27 is AA) into buf. */
void csv_column_letters(size_t n, char *buf, size_t size);

/* 1 if s[0..len) is valid UTF-8 (no overlongs, no surrogates), else 0. */
int csv_utf8_valid(const char *s, size_t len);

#endif
