/*
 * repdoc: a report arranged for reading, from the rows of a store_report_set
 * (live or published), with no database: rows regrouped pillar by pillar and
 * indicator by indicator (units in tree order under each), cut at the
 * requested level; completeness counted per group of units (the districts of a
 * province report); the units that did not report; the title and period words;
 * and each cell's text in the chosen language.  The writers of reptext,
 * repmd and rephtml lay it out; nothing here depends on the output format.
 */
#ifndef CHISOCTL_REPDOC_H
#define CHISOCTL_REPDOC_H

#include <stdbool.h>
#include <stddef.h>

#include "repfmt.h"
#include "store_report.h"

struct repdoc_options {
	enum repfmt_lang lang;
	int max_level; /* deepest unit level shown (1 province, 2 district, 3 commune); 0: all */
};

/* A pillar's section: a slice of repdoc.order (empty for a pillar nobody reported on). */
struct repdoc_pillar {
	const char *code;
	const char *name; /* in the report's language */
	size_t first, count;
};

/* Completeness of a group of units (a district and its communes), or of the whole report. */
struct repdoc_group {
	const char *code, *name;
	int expected; /* units expected to report something for the period */
	int reported; /* of those, units that did */
	int on_time;  /* of those, units whose every value arrived by the deadline */
};

struct repdoc {
	const struct store_report_set *set; /* borrowed: must outlive the doc */
	struct repdoc_options opt;
	char period[17];
	char prev_period[17]; /* "" when the period has no predecessor */
	char unit_code[17];
	char unit_name[128];
	char title[512];
	/* for figures re-expressed on another structure (store_report_on_structure): the
	 * mark every format shows ("Số liệu quy đổi theo địa giới từ 01/07/2025") and the
	 * units left out for want of a crosswalk row; "" otherwise */
	char reexpressed[160];
	char unmapped_note[768];
	char period_words[96];
	char prev_words[96];
	size_t *order; /* indexes of set->rows shown: pillar, indicator, then tree order */
	size_t norder;
	struct repdoc_pillar *pillars;
	size_t npillars;
	struct repdoc_group *groups; /* in tree order; groups that expect no unit are left out */
	size_t ngroups;
	struct repdoc_group total;
	const struct store_report_unit **missing; /* expected, did not report, within the level */
	size_t nmissing;
};

/* Arranges set for reading; NULL when out of memory.  The doc borrows set. */
struct repdoc *repdoc_new(const struct store_report_set *set, const char *period,
			  const char *unit_code, const struct repdoc_options *opt);
/* Frees the doc (not the set) and sets *dp to NULL; safe on NULL. */
void repdoc_destroy(struct repdoc **dp);

/* The row at position i of the reading order. */
const struct store_report_row *repdoc_row(const struct repdoc *d, size_t i);
/* True for a ratio (shown as a percentage with its numerator and denominator). */
bool repdoc_is_ratio(const struct store_report_row *r);
/* The indicator's name in the report's language. */
const char *repdoc_indicator_name(const struct repdoc *d, const struct store_report_row *r);
/* "24.080", "khoảng 7.600", "5,28%"; "—" without a value. */
int repdoc_value(const struct repdoc *d, const struct store_report_row *r, char *buf, size_t size);
/* "264 / 5.000" for a ratio with both parts; "" otherwise. */
int repdoc_parts(const struct repdoc *d, const struct store_report_row *r, char *buf, size_t size);
/* The previous period's value formatted like repdoc_value; "—" without one. */
int repdoc_previous(const struct repdoc *d, const struct store_report_row *r, char *buf,
		    size_t size);
/* The change against the previous period ("+50", "-1,25 điểm %", "—"), with " *" when a
 * different number of units reported then. */
int repdoc_change(const struct repdoc *d, const struct store_report_row *r, char *buf, size_t size);
/* "1/183" units reporting of those expected. */
int repdoc_reporting(const struct store_report_row *r, char *buf, size_t size);
/* The cells of a row of the figures table, formatted once for every output format. */
struct repdoc_cells {
	char value[96], parts[96], previous[96], change[64], reporting[32];
};
/* Fills every cell of row r: repdoc_value, _parts, _previous, _change and _reporting. */
void repdoc_cells(const struct repdoc *d, const struct store_report_row *r, struct repdoc_cells *c);
/* How many of the missing units from position i on are in missing[i]'s group. */
size_t repdoc_missing_run(const struct repdoc *d, size_t i);
/* The group's share of expected units that reported, in percent (0 when none expected). */
double repdoc_group_share(const struct repdoc_group *g);

#endif
