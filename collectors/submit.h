/*
 * submit: `chiso-agent submit FILE.csv`, from an officer's file to the outbox.
 * The file may as well be an Excel workbook (FILE.xlsx, told by its content):
 * its rows are read by collectors/xlsx.c and checked and queued the same way,
 * the messages naming sheet and cell instead of line (submit_impl.h, struct
 * submit_source).
 *
 * The file is read twice.  The first pass checks every row and tells every
 * problem, on the caller's stream (the terminal's stderr, or the note of a
 * file dropped in the inbox), as "file:line: field: message" (number formats, periods, unknown
 * indicators, ratios that must not be typed, the same figure twice); if any
 * row is wrong nothing is queued, unless the officer asks for the good rows
 * only (--partial).  The second pass cuts the rows into batches and writes
 * each durably to the outbox, all in one outbox transaction: a submit killed
 * at any moment has queued the whole file or nothing.  Neither pass holds the
 * file in memory.  A file whose bytes were submitted before (among the last
 * OBFILE_STATE_FILES) and still wait in the outbox is not queued again unless
 * asked.
 */
#ifndef CHISO_SUBMIT_H
#define CHISO_SUBMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "batch.h"
#include "catalog.h"
#include "outbox.h"

/*
 * Rows refused at submit are all written to FILE.rejected.csv beside the
 * input (with the line, the row and a reason code), durably, before anything
 * of the file is queued; the terminal shows only the first
 * SUBMIT_ERRORS_SHOWN, then how many more of each kind and where they are.
 */
#define SUBMIT_ERRORS_SHOWN 20

struct submit_result {
	size_t rows;	/* rows queued */
	size_t errors;	/* rows refused */
	size_t batches; /* batches written */
	uint64_t first_seq, last_seq;
	bool already;		     /* the same bytes were submitted before: not queued */
	struct outbox_file previous; /* when already: that submission */
	bool transient;	     /* nothing queued for a cause outside the file (outbox, disk) */
	bool rejects_beside; /* this call wrote the refused rows to PATH.rejected.csv */
};

/* How submit_file runs, and where it speaks to the officer. */
struct submit_opts {
	size_t batch_rows; /* rows in a batch at most (agent.batch_rows) */
	bool partial;	   /* queue the good rows of a file that has errors (--partial) */
	bool again;	   /* queue the same bytes even if they were submitted before (--again) */
	bool command;	   /* typed as a command: a refusal may suggest the command's --partial */
	FILE *out;	   /* where the messages go: stderr, or a drop-folder note */
};

/*
 * Checks and queues path as o says.  cat is the catalogue cached from the province, or NULL
 * (then indicators are checked for syntax only; chisod checks the rest). Returns 0 when rows
 * were queued (or, with an empty file, none), -1 when nothing was queued because of errors
 * (said on o->out) or an outbox failure.
 */
int submit_file(struct outbox *ob, const char *path, const struct catalog *cat,
		const struct submit_opts *o, struct submit_result *res);

/* True for a file name submit reads (.csv; .txt and .tsv as Excel's "Unicode Text" saves;
 * .xlsx, a workbook such as `template` writes). */
bool submit_reads(const char *name);
/* One row as a form gives it: each cell's text as the officer typed it (NULL reads as empty). */
struct submit_cells {
	const char *unit, *indicator, *period, *value, *qualifier, *note;
};

/*
 * Checks one row of a form (its index-th) with submit_row's checks, queuing
 * nothing: 0 with *row filled (its ref base:index+1), or -1 with *code the
 * reason code (bad_value...; static storage) and msg the officer's message.
 * The form's numbers read the Vietnamese way: "1.463" is 1463.
 */
int submit_cells_check(const struct submit_cells *cells, size_t index, const char *base,
		       const struct catalog *cat, struct batch_row *row, const char **code,
		       char *msg, size_t msgsize);

/* Told about each refused row: its index in rows and the officer's message. */
typedef void (*submit_refused_fn)(size_t index, const char *msg, void *arg);

/*
 * Checks rows with the checks of submit_file (the same messages) and, when
 * every row is good, queues them in one outbox transaction, durable when this
 * returns 0.  source names the rows in the outbox, the reject file and each
 * row's ref (source's last component:index+1).  Refused rows go to refused,
 * nothing is queued then and -1 is returned; -1 with err filled on an outbox
 * failure (err "" for refused rows).
 */
int submit_rows(struct outbox *ob, const char *source, const struct submit_cells *rows, size_t n,
		const struct catalog *cat, size_t batch_rows, submit_refused_fn refused, void *arg,
		struct submit_result *res, char *err, size_t errsize);

/* The qualifier for a CSV cell: at_least, ">", "hơn", "khoảng" ...; -1 if unknown. */
int submit_qualifier(const char *s);

#endif
