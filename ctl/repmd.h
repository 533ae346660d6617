/*
 * repmd: a report as GitHub-flavoured Markdown: the content of the HTML
 * report as tables, without charts.  A heading and the reporting period, the
 * publication (or "not published"), completeness by group of units, one
 * table per DTI pillar (each indicator, then its units in tree order, with
 * value, numerator / denominator, previous period, change, units reporting
 * and late), and the units that did not report.  Every cell is escaped.
 */
#ifndef CHISOCTL_REPMD_H
#define CHISOCTL_REPMD_H

#include <stdio.h>

#include "progress.h"
#include "repdoc.h"

/* Writes the report; progress (may be NULL) counts the rows written. */
void repmd_write(FILE *out, const struct repdoc *d, struct progress *progress);

#endif
