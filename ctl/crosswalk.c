/*
 * crosswalk: reading and checking a units crosswalk file (see crosswalk.h).
 * Every line is checked, so that one run shows every mistake of a file typed
 * by hand; the caller imports nothing unless there was none.
 */
#include "crosswalk.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "period.h"

enum { X_OLD_CODE, X_OLD_DATE, X_NEW_CODE, X_NEW_DATE, X_WEIGHT, X_SOURCE, X_N };
static const char *const crosswalk_columns[X_N] = {"old_code", "old_date", "new_code",
						   "new_date", "weight",   "source"};

void crosswalk_free(struct crosswalk *c)
{
	free(c->rows);
	c->rows = NULL;
	c->n = c->cap = 0;
}

int crosswalk_weight(const char *s, long *millionths, char *buf, size_t size, const char **why)
{
	size_t nint = strspn(s, "0123456789"), nfrac = 0;
	long v = 0;

	*why = "a weight is a decimal from 0 to 1 such as 1, 0.5 or 0,25";
	if (nint == 0 || nint > 7)
		return -1;
	for (size_t i = 0; i < nint; i++)
		v = v * 10 + (s[i] - '0');
	v *= 1000000;
	if (s[nint] == '.' || s[nint] == ',') {
		const char *f = s + nint + 1;
		nfrac = strspn(f, "0123456789");
		if (nfrac == 0 || f[nfrac])
			return -1;
		if (nfrac > 6) {
			*why = "a weight has at most 6 decimals";
			return -1;
		}
		long scale = 100000;
		for (size_t i = 0; i < nfrac; i++, scale /= 10)
			v += (f[i] - '0') * scale;
	} else if (s[nint]) {
		return -1;
	}
	if (v <= 0 || v > 1000000) {
		*why = "a weight must be more than 0 and at most 1";
		return -1;
	}
	/* canonical: integer part, then the decimals without trailing zeros */
	long frac = v % 1000000;
	int digits = 6;
	while (frac && frac % 10 == 0) {
		frac /= 10;
		digits--;
	}
	if (frac)
		snprintf(buf, size, "%ld.%0*ld", v / 1000000, digits, frac);
	else
		snprintf(buf, size, "%ld", v / 1000000);
	*millionths = v;
	return 0;
}

static bool crosswalk_code(const char *s)
{
	size_t n = strlen(s);
	return n > 0 && n <= 16 && strspn(s, "0123456789") == n;
}

/* Checks one data line into *row; the problem and its column, or NULL. */
static const char *crosswalk_line(const char *const v[X_N], struct crosswalk_row *row, int *col)
{
	static const int dates[] = {X_OLD_DATE, X_NEW_DATE};
	const char *why;
	long w;
	int32_t day;

	if (!crosswalk_code(v[X_OLD_CODE]))
		return *col = X_OLD_CODE, "not a unit code (digits, keep leading zeros)";
	if (!crosswalk_code(v[X_NEW_CODE]))
		return *col = X_NEW_CODE, "not a unit code (digits, keep leading zeros)";
	for (int k = 0; k < 2; k++) {
		int c = dates[k];
		if (!*v[c])
			return *col = c,
			       "empty: the day on which that version of the unit was valid";
		if (date_parse(v[c], strlen(v[c]), &day, &why) < 0)
			return *col = c, why;
		date_format(day, c == X_OLD_DATE ? row->old_date : row->new_date,
			    sizeof row->old_date);
	}
	if (crosswalk_weight(v[X_WEIGHT], &w, row->weight, sizeof row->weight, &why) < 0)
		return *col = X_WEIGHT, why;
	if (strlen(v[X_SOURCE]) >= sizeof row->source)
		return *col = X_SOURCE, "longer than 511 bytes";
	snprintf(row->old_code, sizeof row->old_code, "%s", v[X_OLD_CODE]);
	snprintf(row->new_code, sizeof row->new_code, "%s", v[X_NEW_CODE]);
	snprintf(row->source, sizeof row->source, "%s", v[X_SOURCE]);
	return NULL;
}

/* Maps the header's columns; the number of errors printed. */
static long crosswalk_header(const struct csv_record *rec, const char *path, FILE *errf,
			     int at[X_N])
{
	long errors = 0;

	for (int k = 0; k < X_N; k++) {
		at[k] = -1;
		for (size_t i = 0; i < rec->nfields; i++)
			if (strcmp(rec->fields[i], crosswalk_columns[k]) == 0)
				at[k] = (int)i;
		if (at[k] < 0 && k != X_SOURCE) {
			fprintf(errf,
				"%s:%ld: the header must be old_code,old_date,new_code,new_date,"
				"weight[,source] (no column \"%s\")\n",
				path, rec->line, crosswalk_columns[k]);
			errors++;
		}
	}
	return errors;
}

long crosswalk_read(FILE *fp, const char *path, FILE *errf, struct crosswalk *out)
{
	struct csv_reader *r = csv_reader_new(fp, path);
	struct csv_record rec;
	int at[X_N], got, col;
	long errors = 0;
	bool header = false;

	memset(out, 0, sizeof *out);
	if (!r)
		return -1;
	while ((got = csv_next(r, &rec)) != 0) {
		if (got < 0) {
			fprintf(errf, "%s\n", csv_error(r));
			errors++;
			continue;
		}
		if (!header) {
			header = true;
			if ((errors = crosswalk_header(&rec, path, errf, at)) != 0)
				break;
			continue;
		}
		const char *v[X_N];
		for (int k = 0; k < X_N; k++)
			v[k] = at[k] >= 0 && (size_t)at[k] < rec.nfields ? rec.fields[at[k]] : "";
		if (out->n == out->cap) {
			size_t cap = out->cap ? out->cap * 2 : 64;
			struct crosswalk_row *rows = realloc(out->rows, cap * sizeof *rows);
			if (!rows) {
				errors = -1;
				break;
			}
			out->rows = rows;
			out->cap = cap;
		}
		struct crosswalk_row *row = &out->rows[out->n];
		memset(row, 0, sizeof *row);
		row->line = rec.line;
		const char *problem = crosswalk_line(v, row, &col);
		if (problem) {
			fprintf(errf, "%s:%ld: %s: %s\n", path, rec.line, crosswalk_columns[col],
				problem);
			errors++;
			continue;
		}
		out->n++;
	}
	if (errors == 0 && !header) {
		fprintf(errf, "%s: the file is empty\n", path);
		errors = 1;
	}
	csv_reader_destroy(&r);
	if (errors != 0)
		crosswalk_free(out);
	return errors;
}
