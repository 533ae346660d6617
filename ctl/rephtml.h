/*
 * rephtml: a report as one self-contained HTML file, to read on screen,
 * send by mail or print to PDF: CSS and SVG charts inline, no external
 * asset, no script.  The content is repmd's (completeness by group, one
 * section per DTI pillar, units that did not report) plus charts: for each
 * ratio, its value by unit one level below the report's unit, ranked, with
 * the report's own unit as a reference line; and completeness by group (on
 * time, late, not reported).  Printing starts each pillar on a new page and
 * repeats table headers.  Every text is escaped.
 */
#ifndef CHISOCTL_REPHTML_H
#define CHISOCTL_REPHTML_H

#include <stdio.h>

#include "progress.h"
#include "repdoc.h"

/* Writes the report; progress (may be NULL) counts the rows written.  0, or -1 when out of
 * memory (before anything is written). */
int rephtml_write(FILE *out, const struct repdoc *d, struct progress *progress);

#endif
