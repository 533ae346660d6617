/*
 * submit_impl: what the files of the submit module share: submit_row.c reads
 * and checks one row of an officer's file (the columns named by its header,
 * the checks of each column), submit.c the file (the two passes, the refused
 * rows on the officer's stream and in the reject file, the outbox).  Not for callers:
 * they use submit.h.
 */
#ifndef CHISO_SUBMIT_IMPL_H
#define CHISO_SUBMIT_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "batch.h"
#include "catalog.h"
#include "csv.h"
#include "submit.h"
#include "xlsx.h"

enum submit_column {
	COL_UNIT,
	COL_INDICATOR,
	COL_PERIOD,
	COL_DATE,
	COL_VALUE,
	COL_QUALIFIER,
	COL_NOTE,
	COL_N
};

/* The names of the columns, as the header row writes them. */
extern const char *const submit_column_names[COL_N];

/*
 * Where each column is in the file, from its header row.  Header cells left
 * empty (Excel saves the trailing ones of a sheet's used range) name no
 * column: a row may have them, or not, as long as they stay empty.
 */
struct submit_layout {
	int at[COL_N];	/* field index of each column, -1 if absent */
	size_t nfields; /* up to the last header cell that names a column */
	uint64_t named; /* bit i: header cell i names a column */
	char decimal;	/* the file's decimal mark, 0 if its delimiter does not say */
};

/* The kinds of row error, as the reason column of the reject file names them. */
enum submit_error {
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

/* The reason code of each kind (bad_unit, duplicate_in_file...). */
extern const char *const submit_error_codes[RE_N];

/*
 * What a row check found: the kind of fault and the officer's message, from
 * the message table (lib/message.h) so that a rule the database checks again
 * reads the same here, with the same code.
 */
struct submit_fault {
	enum submit_error kind;
	char msg[1024];
};

/*
 * Where the two passes read records from: a CSV file (lib/csv.c) or an Excel
 * workbook (collectors/xlsx.c), told apart by content ("PK\3\4", a ZIP
 * archive), not by the file's name.  Both give csv_next's contract.
 */
struct submit_source {
	struct csv_reader *csv;
	struct xlsx_reader *xlsx;
};

/* submit_src.c */
/* Opens the records of fp (read from its start; borrowed), named path; 0, or -1 said on
 * out. */
int submit_source_open(struct submit_source *s, FILE *fp, const char *path, FILE *out);
/* Closes what submit_source_open opened; safe twice. */
void submit_source_close(struct submit_source *s);
/* The next record, as csv_next. */
int submit_source_next(struct submit_source *s, struct csv_record *rec);
/*
 * What the header record tells the source and the layout beyond the columns:
 * the names of the columns, for a CSV reader's messages, and l->decimal.
 */
void submit_source_header(struct submit_source *s, const struct csv_record *header,
			  struct submit_layout *l);
/* The last error, as csv_error. */
const char *submit_source_error(const struct submit_source *s);
/*
 * Where field of the record on line is, for a message ("trang tính "Báo cáo",
 * ô D7 (cột Giá trị)"), into buf; "" for a CSV file, whose messages say
 * file:line: column as they always did.  Returns buf.
 */
const char *submit_source_where(const struct submit_source *s, long line, int field, char *buf,
				size_t size);

/* submit_row.c */
/* Copies field c of rec without surrounding spaces into buf (empty when the record lacks
 * it); returns buf. */
const char *submit_field(const struct csv_record *rec, const struct submit_layout *l,
			 enum submit_column c, char *buf, size_t size);
/* Reads the header row rec of path into l (all but l->decimal); 0, or -1 with the problem
 * said on out (file:line: message). */
int submit_header(const struct csv_record *rec, const char *path, struct submit_layout *l,
		  FILE *out);
/* Checks one data record into row (its ref is base:line); 0, or -1 with the first problem
 * in f.  cat may be NULL: indicators are then checked for syntax only. */
int submit_row(const struct csv_record *rec, const struct submit_layout *l, const char *base,
	       const struct catalog *cat, struct batch_row *row, struct submit_fault *f);

#endif
