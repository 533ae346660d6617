/*
 * repdoc: a report arranged for reading (see repdoc.h).
 */
#include "repdoc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A row's place in the reading order. */
struct repdoc_key {
	int pillar_ord, indicator_ord;
	size_t unit_seq; /* position of the row's unit in tree order */
	size_t row;
};

static int repdoc_key_cmp(const void *a, const void *b)
{
	const struct repdoc_key *x = a, *y = b;

	if (x->pillar_ord != y->pillar_ord)
		return x->pillar_ord < y->pillar_ord ? -1 : 1;
	if (x->indicator_ord != y->indicator_ord)
		return x->indicator_ord < y->indicator_ord ? -1 : 1;
	if (x->unit_seq != y->unit_seq)
		return x->unit_seq < y->unit_seq ? -1 : 1;
	return x->row < y->row ? -1 : x->row > y->row;
}

bool repdoc_is_ratio(const struct store_report_row *r)
{
	return strcmp(r->kind, "ratio") == 0;
}

const char *repdoc_indicator_name(const struct repdoc *d, const struct store_report_row *r)
{
	if (d->opt.lang == REPFMT_EN && r->indicator_name_en[0])
		return r->indicator_name_en;
	return r->indicator_name;
}

static const char *repdoc_pillar_name(const struct repdoc *d, const struct store_report_row *r)
{
	if (d->opt.lang == REPFMT_EN && r->pillar_name_en[0])
		return r->pillar_name_en;
	return r->pillar_name;
}

const struct store_report_row *repdoc_row(const struct repdoc *d, size_t i)
{
	return &d->set->rows[d->order[i]];
}

/* Adds a section for the pillar of row *i with that pillar's run of rows. */
static void repdoc_take(struct repdoc *d, size_t *i)
{
	const struct store_report_row *r = repdoc_row(d, *i);
	struct repdoc_pillar *sec = &d->pillars[d->npillars++];

	*sec = (struct repdoc_pillar){r->pillar, repdoc_pillar_name(d, r), *i, 0};
	for (; *i < d->norder && strcmp(repdoc_row(d, *i)->pillar, r->pillar) == 0; (*i)++)
		sec->count++;
}

/* The rows within the level, in reading order, and the pillars' slices of it. */
static int repdoc_arrange(struct repdoc *d)
{
	const struct store_report_set *set = d->set;
	struct repdoc_key *keys = calloc(set->nrows ? set->nrows : 1, sizeof *keys);
	size_t n = 0, seq = 0;
	int rc = -1;

	if (!keys)
		return -1;
	for (size_t i = 0; i < set->nrows; i++) {
		const struct store_report_row *r = &set->rows[i];
		/* rows come unit by unit in tree order: count the units as they change */
		if (i > 0 && strcmp(r->unit_code, set->rows[i - 1].unit_code) != 0)
			seq++;
		if (d->opt.max_level > 0 && r->level > d->opt.max_level)
			continue;
		keys[n++] = (struct repdoc_key){r->pillar_ord, r->indicator_ord, seq, i};
	}
	qsort(keys, n, sizeof *keys, repdoc_key_cmp);
	d->order = calloc(n ? n : 1, sizeof *d->order);
	d->pillars = calloc(n + set->npillars + 1, sizeof *d->pillars);
	if (!d->order || !d->pillars)
		goto done;
	for (size_t i = 0; i < n; i++)
		d->order[i] = keys[i].row;
	d->norder = n;
	/* a section for every pillar of the catalogue, in its order, also an empty one */
	size_t i = 0;
	for (size_t k = 0; k < set->npillars; k++) {
		const struct store_report_pillar *p = &set->pillars[k];
		while (i < n && repdoc_row(d, i)->pillar_ord < p->ord)
			repdoc_take(d, &i);
		struct repdoc_pillar *sec = &d->pillars[d->npillars++];
		*sec = (struct repdoc_pillar){
		    p->code, d->opt.lang == REPFMT_EN && p->name_en[0] ? p->name_en : p->name, i,
		    0};
		for (; i < n && strcmp(repdoc_row(d, i)->pillar, p->code) == 0; i++)
			sec->count++;
	}
	while (i < n) /* rows of a pillar the list does not have */
		repdoc_take(d, &i);
	rc = 0;
done:
	free(keys);
	return rc;
}

/* Completeness per group and in all, and the units that did not report. */
static int repdoc_count(struct repdoc *d)
{
	const struct store_report_set *set = d->set;
	size_t n = set->nunits ? set->nunits : 1;

	d->groups = calloc(n, sizeof *d->groups);
	d->missing = calloc(n, sizeof *d->missing);
	if (!d->groups || !d->missing)
		return -1;
	d->total = (struct repdoc_group){d->unit_code, d->unit_name, 0, 0, 0};
	for (size_t i = 0; i < set->nunits; i++) {
		const struct store_report_unit *u = &set->units[i];
		struct repdoc_group *g = NULL;
		if (!u->expected)
			continue;
		for (size_t k = 0; k < d->ngroups && !g; k++)
			if (strcmp(d->groups[k].code, u->group_code) == 0)
				g = &d->groups[k];
		if (!g) {
			g = &d->groups[d->ngroups++];
			*g = (struct repdoc_group){u->group_code, u->group_name, 0, 0, 0};
		}
		g->expected++;
		d->total.expected++;
		if (u->reported) {
			g->reported++;
			d->total.reported++;
		}
		if (u->reported && u->on_time) {
			g->on_time++;
			d->total.on_time++;
		}
		if (!u->reported && (d->opt.max_level <= 0 || u->level <= d->opt.max_level))
			d->missing[d->nmissing++] = u;
	}
	return 0;
}

/* The mark of figures re-expressed on another structure, in the report's language. */
static void repdoc_reexpressed(struct repdoc *d)
{
	const struct store_report_set *set = d->set;
	const char *day = set->on_structure;
	bool en = d->opt.lang == REPFMT_EN;

	if (!day[0])
		return;
	/* "2025-07-01" is written 01/07/2025 in Vietnamese */
	if (en)
		snprintf(d->reexpressed, sizeof d->reexpressed,
			 "Figures re-expressed on the units in force from %s (crosswalk)", day);
	else
		snprintf(d->reexpressed, sizeof d->reexpressed,
			 "Số liệu quy đổi theo địa giới từ %.2s/%.2s/%.4s", day + 8, day + 5, day);
	if (set->nunmapped > 0)
		snprintf(
		    d->unmapped_note, sizeof d->unmapped_note,
		    en ? "%d unit(s) with figures are not in the crosswalk and are left out: %s"
		       : "%d đơn vị có số liệu chưa có trong bảng chuyển đổi, không được tính: %s",
		    set->nunmapped, set->unmapped);
}

struct repdoc *repdoc_new(const struct store_report_set *set, const char *period,
			  const char *unit_code, const struct repdoc_options *opt)
{
	struct repdoc *d = calloc(1, sizeof *d);
	const char *name = NULL;

	if (!d)
		return NULL;
	d->set = set;
	d->opt = *opt;
	snprintf(d->period, sizeof d->period, "%s", period);
	snprintf(d->unit_code, sizeof d->unit_code, "%s", unit_code);
	/* the report's own unit: the root of the units, else of the rows, else as published */
	for (size_t i = 0; i < set->nunits && !name; i++)
		if (set->units[i].depth == 0)
			name = set->units[i].unit_name;
	for (size_t i = 0; i < set->nrows && !name; i++)
		if (set->rows[i].depth == 0)
			name = set->rows[i].unit_name;
	if (!name && set->published && set->pub.unit_name[0])
		name = set->pub.unit_name;
	snprintf(d->unit_name, sizeof d->unit_name, "%s", name ? name : unit_code);
	if (set->published)
		snprintf(d->prev_period, sizeof d->prev_period, "%s", set->pub.prev_period);
	else if (set->nrows > 0)
		snprintf(d->prev_period, sizeof d->prev_period, "%s", set->rows[0].prev_period);
	repfmt_title(opt->lang, period, d->unit_name, d->title, sizeof d->title);
	repdoc_reexpressed(d);
	repfmt_period_words(opt->lang, period, d->period_words, sizeof d->period_words);
	if (d->prev_period[0])
		repfmt_period_words(opt->lang, d->prev_period, d->prev_words, sizeof d->prev_words);
	if (repdoc_arrange(d) < 0 || repdoc_count(d) < 0)
		repdoc_destroy(&d);
	return d;
}

void repdoc_destroy(struct repdoc **dp)
{
	if (!dp || !*dp)
		return;
	free((*dp)->order);
	free((*dp)->pillars);
	free((*dp)->groups);
	free((*dp)->missing);
	free(*dp);
	*dp = NULL;
}

/* A value with its qualifier words, as a percentage for a ratio. */
static int repdoc_format(const struct repdoc *d, const struct store_report_row *r, bool has,
			 double v, const char *qualifier, char *buf, size_t size)
{
	char num[64];

	if (!has)
		return snprintf(buf, size, "—");
	if (repdoc_is_ratio(r))
		repfmt_percent(d->opt.lang, v, r->decimals, num, sizeof num);
	else
		repfmt_number(d->opt.lang, v, r->decimals, num, sizeof num);
	return snprintf(buf, size, "%s%s", repfmt_qualifier(d->opt.lang, qualifier), num);
}

int repdoc_value(const struct repdoc *d, const struct store_report_row *r, char *buf, size_t size)
{
	return repdoc_format(d, r, r->has_value, r->value, r->qualifier, buf, size);
}

int repdoc_previous(const struct repdoc *d, const struct store_report_row *r, char *buf,
		    size_t size)
{
	return repdoc_format(d, r, r->has_prev, r->prev_value, r->prev_qualifier, buf, size);
}

int repdoc_parts(const struct repdoc *d, const struct store_report_row *r, char *buf, size_t size)
{
	char num[64], den[64];

	if (!repdoc_is_ratio(r) || !r->has_ratio)
		return snprintf(buf, size, "%s", "");
	repfmt_number(d->opt.lang, r->numerator, 0, num, sizeof num);
	repfmt_number(d->opt.lang, r->denominator, 0, den, sizeof den);
	return snprintf(buf, size, "%s / %s", num, den);
}

int repdoc_change(const struct repdoc *d, const struct store_report_row *r, char *buf, size_t size)
{
	int n = repfmt_change(d->opt.lang, r->has_value, r->value, r->has_prev, r->prev_value,
			      r->decimals, repdoc_is_ratio(r), buf, size);

	/* 24 080 people from two units against 4 950 from one is not growth: say so */
	if (r->has_value && r->has_prev && r->prev_reporting_units != r->reporting_units &&
	    (size_t)n + 2 < size) {
		strcat(buf, " *");
		n += 2;
	}
	return n;
}

int repdoc_reporting(const struct store_report_row *r, char *buf, size_t size)
{
	return snprintf(buf, size, "%d/%d", r->reporting_units, r->expected_units);
}

double repdoc_group_share(const struct repdoc_group *g)
{
	return g->expected > 0 ? 100.0 * g->reported / g->expected : 0;
}

void repdoc_cells(const struct repdoc *d, const struct store_report_row *r, struct repdoc_cells *c)
{
	repdoc_value(d, r, c->value, sizeof c->value);
	repdoc_parts(d, r, c->parts, sizeof c->parts);
	repdoc_previous(d, r, c->previous, sizeof c->previous);
	repdoc_change(d, r, c->change, sizeof c->change);
	repdoc_reporting(r, c->reporting, sizeof c->reporting);
}

size_t repdoc_missing_run(const struct repdoc *d, size_t i)
{
	const char *group = d->missing[i]->group_code;
	size_t n = 0;

	/* a group's units are contiguous: the missing list is in tree order */
	while (i + n < d->nmissing && strcmp(d->missing[i + n]->group_code, group) == 0)
		n++;
	return n;
}
