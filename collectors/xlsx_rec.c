/*
 * xlsx_rec: the rows of a workbook as the records of a CSV file (see xlsx.h):
 * a template's input rows by the map of its hidden sheet, each checked to
 * still show its indicator's code; a plain sheet's rows under its header row.
 * A refusal names the sheet, the cell and the column's name.
 */
#include "xlsx_impl.h"

#include <stdio.h>
#include <string.h>

#include "message.h"

int xlsx_is_template(const struct xlsx_reader *x)
{
	return x->is_template;
}

const char *xlsx_error(const struct xlsx_reader *x)
{
	return x->err;
}

/* ---- records ---- */

/* The template's columns: where each field of its records is on the sheet (-1: no cell). */
static const int tpl_cols[FIELDS_TPL] = {-1, 0, -1, 3, 4, 5};
static const char *const tpl_names[FIELDS_TPL] = {"tpl_col_code",      "tpl_col_code",
						  "tpl_col_code",      "tpl_col_value",
						  "tpl_col_qualifier", "tpl_col_note"};
static const char *const csv_names[FIELDS_TPL] = {"unit",  "indicator", "period",
						  "value", "qualifier", "note"};

void xlsx_where(const struct xlsx_reader *x, long line, int field, char *buf, size_t size)
{
	char row[24], cell[32], colname[128];
	int col =
	    x->is_template ? (field >= 0 && field < FIELDS_TPL ? tpl_cols[field] : -1) : field;

	snprintf(row, sizeof row, "%ld", line);
	if (col < 0 || col >= CSV_FIELDS_MAX) {
		message_format(buf, size, "xlsx_row", x->sheet_name, row, NULL);
		return;
	}
	xlsx_col_letters(col, cell);
	snprintf(cell + strlen(cell), sizeof cell - strlen(cell), "%ld", line);
	if (x->is_template)
		message_format(colname, sizeof colname, tpl_names[field], NULL);
	else
		snprintf(colname, sizeof colname, "%s",
			 (size_t)col < x->nnames ? x->names[col] : "");
	message_format(buf, size, "xlsx_cell", x->sheet_name, cell, colname, NULL);
}

/* A fault in the row just read, for field (or the row when field < 0); -1. */
static int row_fail(struct xlsx_reader *x, struct csv_record *rec, int field, const char *code,
		    const char *a1, const char *a2)
{
	char where[512], msg[1024];
	xlsx_where(x, x->row, field, where, sizeof where);
	if (a2)
		message_format(msg, sizeof msg, code, a1, a2, NULL);
	else if (a1)
		message_format(msg, sizeof msg, code, a1, NULL);
	else
		message_format(msg, sizeof msg, code, NULL);
	snprintf(x->err, sizeof x->err, "%s: %s: %s", x->name, where, msg);
	rec->nfields = 0;
	rec->fields = NULL;
	rec->lens = NULL;
	rec->line = x->row;
	return -1;
}

/* Checks the cells of the row (field i at column cols[i], or i if cols is NULL); 0 or
 * row_fail. */
static int row_cells_ok(struct xlsx_reader *x, struct csv_record *rec, const int *cols, int n)
{
	char max[24];
	if (x->bad_index)
		return row_fail(x, rec, -1, "xlsx_part_damaged", x->part, "sharedStrings");
	for (int i = 0; i < n; i++) {
		int c = cols ? cols[i] : i;
		if (c < 0)
			continue;
		if (x->formula_empty[c])
			return row_fail(x, rec, i, "xlsx_formula_no_value", NULL, NULL);
		if (strlen(x->cells[c]) > CSV_FIELD_MAX) {
			snprintf(max, sizeof max, "%d", CSV_FIELD_MAX);
			return row_fail(x, rec, i, "xlsx_cell_too_long", max, NULL);
		}
	}
	return 0;
}

static void emit(struct xlsx_reader *x, struct csv_record *rec, size_t n, long line)
{
	for (size_t i = 0; i < n; i++)
		x->lens[i] = strlen(x->fields[i]);
	rec->nfields = n;
	rec->fields = x->fields;
	rec->lens = x->lens;
	rec->line = line;
}

static int next_template(struct xlsx_reader *x, struct csv_record *rec)
{
	int got;
	if (!x->header_done) {
		x->header_done = true;
		for (int i = 0; i < FIELDS_TPL; i++)
			x->fields[i] = csv_names[i];
		emit(x, rec, FIELDS_TPL, x->header_row);
		return 1;
	}
	while ((got = xlsx_sheet_row(x)) > 0) {
		while (x->next_map < x->nmap && x->map[x->next_map].row < x->row)
			x->next_map++;
		if (x->next_map == x->nmap || x->map[x->next_map].row != x->row)
			continue; /* titles, headers, ratios: no input */
		const struct tpl_row *m = &x->map[x->next_map];
		const char *v = x->cells[3], *q = x->cells[4], *note = x->cells[5];
		if (!v[0] && !q[0] && !note[0] && !x->formula_empty[3] && !x->bad_index)
			continue; /* not filled in */
		if (row_cells_ok(x, rec, tpl_cols, FIELDS_TPL) < 0)
			return -1;
		if (strcmp(x->cells[0], m->code) != 0)
			return row_fail(x, rec, 1, "xlsx_row_moved", m->code, x->cells[0]);
		const char *f[FIELDS_TPL] = {x->unit, m->code, x->period, v, q, note};
		memcpy(x->fields, f, sizeof f);
		emit(x, rec, FIELDS_TPL, x->row);
		return 1;
	}
	return got;
}

static int next_plain(struct xlsx_reader *x, struct csv_record *rec)
{
	int got;
	char max[24];

	while ((got = xlsx_sheet_row(x)) > 0) {
		if (!x->ncells && !x->overflow && !x->bad_index)
			continue; /* a blank row */
		if (x->overflow) {
			snprintf(max, sizeof max, "%d", CSV_FIELDS_MAX);
			return row_fail(x, rec, -1, "xlsx_too_many_columns", max, NULL);
		}
		if (row_cells_ok(x, rec, NULL, x->ncells) < 0)
			return -1;
		size_t n = (size_t)x->ncells;
		if (!x->header_done) {
			x->header_done = true;
			x->nnames = n;
			for (size_t i = 0; i < n; i++)
				snprintf(x->names[i], sizeof x->names[i], "%s", x->cells[i]);
		}
		if (n < x->nnames)
			n = x->nnames; /* empty cells at the end of a row are empty fields */
		for (size_t i = 0; i < n; i++)
			x->fields[i] = x->cells[i];
		emit(x, rec, n, x->row);
		return 1;
	}
	return got;
}

int xlsx_next(struct xlsx_reader *x, struct csv_record *rec)
{
	x->err[0] = '\0';
	rec->nfields = 0;
	rec->fields = NULL;
	rec->lens = NULL;
	rec->line = 0; /* a row's fault sets it; a fault of the sheet's part leaves it 0 */
	if (!x->zf)
		return 0;
	int got = x->is_template ? next_template(x, rec) : next_plain(x, rec);
	if (got == 0 || (got < 0 && !rec->line)) {
		/* the end, or damage to the sheet itself: nothing more can be read */
		xlsx_part_close(x);
		if (got < 0)
			rec->line = x->row;
	}
	return got;
}
