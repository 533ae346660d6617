/*
 * crosswalk: reading a units crosswalk file (chisoctl units crosswalk import).
 *
 * A crosswalk says which unit of an old structure became which unit of a new
 * one, and in what share: one line per (old unit, new unit), each unit named
 * by its code and a day on which the intended version of it was valid (codes
 * are reused across the 2025 reform, so a code alone is not a unit).  The
 * header is
 *
 *   old_code,old_date,new_code,new_date,weight,source
 *
 * (source optional: the legal act).  A weight is a decimal in (0, 1] with at
 * most 6 decimals, "0.5" or "0,5"; a merge has weight 1 on every line, the
 * lines of a split add up to 1.  This module checks the syntax of every line
 * and reports every error as "file:line: field: message"; whether the units
 * exist on their days and whether each old unit's weights add up to 1 is
 * checked against the database (crosswalk_problems in sql/R_10_reference.sql).
 */
#ifndef CHISO_CROSSWALK_H
#define CHISO_CROSSWALK_H

#include <stddef.h>
#include <stdio.h>

#define CROSSWALK_SOURCE_MAX 512

struct crosswalk_row {
	long line; /* in the file, for messages */
	char old_code[17], old_date[11], new_code[17], new_date[11];
	char weight[16]; /* canonical: "0.5", "1", "0.333333" */
	char source[CROSSWALK_SOURCE_MAX];
};

struct crosswalk {
	struct crosswalk_row *rows; /* owned; crosswalk_free */
	size_t n, cap;
};

/*
 * Reads and checks the whole file fp (named path in messages), printing every
 * error to errf.  Returns the number of errors (rows are kept only when 0), or
 * -1 when out of memory.
 */
long crosswalk_read(FILE *fp, const char *path, FILE *errf, struct crosswalk *out);
/* Frees the rows and empties *c; safe twice. */
void crosswalk_free(struct crosswalk *c);
/*
 * Parses a weight into millionths (1 is 1000000) and writes its canonical text
 * to buf; 0, or -1 with *why.
 */
int crosswalk_weight(const char *s, long *millionths, char *buf, size_t size, const char **why);

#endif
