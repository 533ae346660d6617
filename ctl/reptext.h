/*
 * reptext: the plain forms of a report.  Text for a terminal (unit by unit,
 * Vietnamese numbers, "60,87% (14 / 23)"); CSV for machines with the columns
 * below, unchanged since the first release (dot decimals, each figure with
 * its catalogue decimals as in the other formats, ratios as percentages):
 *
 *   unit_code,unit_name,level,indicator_code,indicator_name,period,value,
 *   numerator,denominator,reporting_units,expected_units
 *
 * and the list of what changed since a report was published, as text, CSV
 * or Markdown.
 */
#ifndef CHISOCTL_REPTEXT_H
#define CHISOCTL_REPTEXT_H

#include <stdio.h>

#include "repdoc.h"
#include "store_report.h"

/* The report as text for people. */
void reptext_text(FILE *out, const struct repdoc *d);
/* The report as CSV (header above; indicator names in the report's language). */
void reptext_csv(FILE *out, const struct repdoc *d);

enum reptext_format { REPTEXT_TEXT, REPTEXT_CSV, REPTEXT_MARKDOWN };
/* What differs between publication pub and the live figures (store_report_changes). */
void reptext_changes(FILE *out, enum reptext_format format, enum repfmt_lang lang,
		     const struct store_publication *pub, const struct store_change *changes,
		     size_t n);
/* "Công bố lúc 09:30 ngày 01/07/2024 (phiên bản 2, người công bố: an)". */
int reptext_published(enum repfmt_lang lang, const struct store_publication *pub, char *buf,
		      size_t size);

#endif
