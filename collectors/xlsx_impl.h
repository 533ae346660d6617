/*
 * xlsx_impl: what the files of the xlsx module share: xlsx.c opens the
 * workbook and streams a sheet's rows out of libzip and expat, xlsx_rec.c
 * turns those rows into records (a template's by its map, a plain sheet's by
 * its header).  Not for callers: they use xlsx.h.
 */
#ifndef CHISO_XLSX_IMPL_H
#define CHISO_XLSX_IMPL_H

#include <expat.h>
#include <stdbool.h>
#include <zip.h>

#include "xlsx.h"

#define CELL_MAX   (CSV_FIELD_MAX + 1) /* one byte more shows a cell too long */
#define SHEETS_MAX 256
#define NAME_MAX_X 256
#define META_ROWS  100000
#define FIELDS_TPL 6
/* Number format ids a workbook may use; custom ones start at 164 and stay in the hundreds. */
#define XLSX_NUMFMT_MAX 1024
/* Cell formats read from the styles; a workbook has tens, Excel allows 64 000. */
#define XLSX_XF_MAX 65536

enum cell_type { CT_NUMBER, CT_SHARED, CT_INLINE, CT_TEXT };

struct sheet_ref {
	char name[NAME_MAX_X];
	char rid[64];
	char part[NAME_MAX_X];
};

/* An input row of the template: the sheet row and the indicator shown there. */
struct tpl_row {
	long row;
	char code[CSV_FIELD_MAX + 1];
};

struct xlsx_reader {
	zip_t *zip;
	char name[256];
	char err[2048];
	/* the workbook */
	struct sheet_ref sheets[SHEETS_MAX];
	size_t nsheets;
	char sst_part[NAME_MAX_X];
	char **sst;
	size_t nsst, capsst;
	/* the styles: which cell formats show a date, and the custom number formats that do */
	char styles_part[NAME_MAX_X];
	bool *date_xf;
	size_t nxf, capxf;
	bool date_fmt[XLSX_NUMFMT_MAX];
	int in_xfs;
	bool date1904; /* the workbook counts days from 1904 (workbookPr date1904) */
	/* the sheet being read */
	const char *part; /* for messages */
	zip_file_t *zf;
	XML_Parser p;
	char buf[65536];
	size_t total, part_max;
	bool suspended, final, row_ready;
	int in_sheetdata, in_is, in_rph, in_t, in_v;
	long row, prev_row;
	int col, next_col;
	enum cell_type type;
	long style; /* the cell's format (its s attribute), -1 if none */
	bool has_f, has_v;
	char text[CELL_MAX + 1];
	size_t textlen;
	/* the row read: cells by column */
	char (*cells)[CELL_MAX + 1];
	bool formula_empty[CSV_FIELDS_MAX];
	int ncells;    /* 1 + the last non-empty column below CSV_FIELDS_MAX */
	bool overflow; /* a non-empty cell at or beyond CSV_FIELDS_MAX */
	bool bad_index;
	/* what the caller gets */
	bool is_template, header_done;
	char sheet_name[NAME_MAX_X];
	char unit[64], period[64];
	long header_row;
	struct tpl_row *map;
	size_t nmap, next_map;
	char (*names)[64]; /* a plain sheet's column names, from its header */
	size_t nnames;
	const char *fields[CSV_FIELDS_MAX];
	size_t lens[CSV_FIELDS_MAX];
};

/* xlsx.c */
/* Sets the reader's error: "name: " and the message of code with its arguments. */
void xlsx_fail(struct xlsx_reader *x, const char *code, ...) __attribute__((sentinel));
/* "D" for column 3; buf has room for 4 letters. */
void xlsx_col_letters(int col, char *buf);
/* The next row of the sheet into x->cells: 1, 0 at its end, -1 with the error set. */
int xlsx_sheet_row(struct xlsx_reader *x);
/* Closes the part being read; safe twice. */
void xlsx_part_close(struct xlsx_reader *x);

#endif
