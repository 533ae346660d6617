/*
 * xlsx: an officer's Excel workbook read as the records of a CSV file, with
 * libzip for the archive and expat for the XML (no home-made reader of either).
 *
 * Two kinds of workbook are served.  The template `chiso-agent template`
 * writes (collectors/template.c) carries a hidden sheet, TEMPLATE_META_SHEET,
 * naming its version, the unit, the period, the sheet the officer fills and,
 * for each indicator, its row: the reader maps the filled rows back by that
 * map, not by guessing from row order, and checks that each row still shows
 * its indicator's code.  Any other workbook is read like a CSV file: its first
 * sheet, whose first non-empty row names the columns (unit, indicator, period,
 * value, qualifier, note).
 *
 * Either way the caller sees csv_next's contract: first a header record, then
 * one record per non-empty row, rec->line being the sheet's row number; an
 * error in one row is reported and the reader goes on.  Cells come as Excel
 * keeps them: shared and inline strings as typed (so "1.463" typed as text
 * stays text, which lib/num.c reads as a typed figure: refused as ambiguous,
 * as in a comma-separated file), numbers (doubles:
 * 1463, 0.8952) written back in a form lib/num.c reads with one meaning
 * ("1463", "0,8952"), formulas by their cached value.
 *
 * Memory is bounded whatever the file holds: at most XLSX_ENTRIES_MAX members,
 * XLSX_PART_MAX bytes uncompressed of any part actually read (counted as it is
 * inflated, not taken from the archive's header), XLSX_STRINGS_MAX shared
 * strings, CSV_FIELD_MAX bytes a cell and CSV_FIELDS_MAX columns.  The sheet is
 * streamed row by row.  Every refusal is a Vietnamese text from the message
 * table.
 */
#ifndef CHISO_XLSX_H
#define CHISO_XLSX_H

#include <stddef.h>

#include "csv.h"

#define XLSX_ENTRIES_MAX 1000
#define XLSX_PART_MAX	 (64u * 1024 * 1024)
#define XLSX_STRINGS_MAX 1000000

struct xlsx_reader;

/*
 * Opens path (an .xlsx file), or the size bytes at data when path is NULL
 * (borrowed until xlsx_destroy); name is used in messages; part_max is the
 * most bytes a part may inflate to, 0 for XLSX_PART_MAX (the tests and the
 * fuzz target set less, to reach the limit quickly).  NULL with err holding
 * "name: reason" when it is no workbook this reader can serve.
 */
struct xlsx_reader *xlsx_open(const char *path, const void *data, size_t size, const char *name,
			      size_t part_max, char *err, size_t errsize);
/* Frees the reader and sets *xp to NULL; safe on NULL. */
void xlsx_destroy(struct xlsx_reader **xp);
/*
 * The next record, as csv_next: 1 with *rec (borrowed until the next call), 0
 * at the end, -1 for a row that cannot be read (xlsx_error says why; the
 * reader goes on with the next row, or ends after damage to the sheet itself).
 */
int xlsx_next(struct xlsx_reader *x, struct csv_record *rec);
/* The last error as "name: where: message", "" if the last call had none. */
const char *xlsx_error(const struct xlsx_reader *x);
/*
 * Where field of the record on row line is, for a message: the sheet, the cell
 * and the column's name (or the sheet and the row when the field is no cell).
 */
void xlsx_where(const struct xlsx_reader *x, long line, int field, char *buf, size_t size);
/* 1 if the workbook is a template of `chiso-agent template`, else 0. */
int xlsx_is_template(const struct xlsx_reader *x);

#endif
