/*
 * submit_src: the records of an officer's file, from a CSV file or an Excel
 * workbook (see submit_impl.h, struct submit_source), so that every row of
 * either goes through the same checks in submit_row.c and into the outbox the
 * same way.
 */
#include "submit_impl.h"

#include <stdio.h>
#include <string.h>

/* 1 if fp starts with a ZIP archive's local file header, as every .xlsx does. */
static int is_zip(FILE *fp)
{
	unsigned char magic[4];
	size_t n = fread(magic, 1, sizeof magic, fp);
	rewind(fp);
	return n == 4 && memcmp(magic, "PK\3\4", 4) == 0;
}

int submit_source_open(struct submit_source *s, FILE *fp, const char *path, FILE *out)
{
	char err[2048];

	memset(s, 0, sizeof *s);
	rewind(fp);
	if (!is_zip(fp)) {
		if ((s->csv = csv_reader_new(fp, path)) == NULL) {
			fprintf(out, "out of memory\n");
			return -1;
		}
		return 0;
	}
	/* libzip reads the archive by its name: it seeks around the central directory */
	if ((s->xlsx = xlsx_open(path, NULL, 0, path, 0, err, sizeof err)) == NULL) {
		fprintf(out, "%s\n", err);
		return -1;
	}
	return 0;
}

void submit_source_close(struct submit_source *s)
{
	csv_reader_destroy(&s->csv);
	xlsx_destroy(&s->xlsx);
}

int submit_source_next(struct submit_source *s, struct csv_record *rec)
{
	return s->xlsx ? xlsx_next(s->xlsx, rec) : csv_next(s->csv, rec);
}

void submit_source_header(struct submit_source *s, const struct csv_record *header,
			  struct submit_layout *l)
{
	/*
	 * A workbook's numbers are numbers, and a text cell's "1.463" stays as
	 * ambiguous as in a comma file.  In a CSV file a ';' delimiter is a
	 * decimal-comma locale's list separator: there "1.463" is 1463.
	 */
	l->decimal = 0;
	if (!s->csv)
		return;
	l->decimal = csv_delimiter(s->csv) == ';' ? ',' : 0;
	csv_name_columns(s->csv, header);
}

const char *submit_source_error(const struct submit_source *s)
{
	return s->xlsx ? xlsx_error(s->xlsx) : csv_error(s->csv);
}

const char *submit_source_where(const struct submit_source *s, long line, int field, char *buf,
				size_t size)
{
	buf[0] = '\0';
	if (s->xlsx)
		xlsx_where(s->xlsx, line, field, buf, size);
	return buf;
}
