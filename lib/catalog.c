/*
 * catalog: the indicator catalogue, from config/catalog.conf or from its JSON
 * form (see catalog.h).
 *
 * Both readers fill the same struct through one set of checks, reading each
 * entry through lib/catsrc.h, so what the operator loads and what an agent
 * receives obey the same rules.
 * The JSON reader faces the network on the agent side: it is bounded (at most
 * CATALOG_MAX entries, short strings) and strict (unknown keys are errors).
 */
#include "catalog.h"

#include <jansson.h>
#include <libconfig.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catsrc.h"
#include "cfg.h"
#include "wire.h"

#define CATALOG_MAX 10000

static const char *const kind_names[] = {"count", "amount", "number", "percent", "ratio"};
static const char *const space_names[] = {"sum", "avg", "min", "max", "none"};
static const char *const time_names[] = {"sum", "last", "avg", "max"};
static const char *const tier_names[] = {"province", "district", "commune"};

const char *catalog_kind_name(enum ind_kind k)
{
	return (unsigned)k < 5 ? kind_names[k] : "?";
}

const char *catalog_agg_space_name(enum agg_space a)
{
	return (unsigned)a < 5 ? space_names[a] : "?";
}

const char *catalog_agg_time_name(enum agg_time a)
{
	return (unsigned)a < 4 ? time_names[a] : "?";
}

const char *catalog_tier_name(enum tier t)
{
	for (int i = 0; i < 3; i++)
		if (t == 1u << i)
			return tier_names[i];
	return "?";
}

unsigned catalog_tier_from_name(const char *name)
{
	for (int i = 0; i < 3; i++)
		if (strcmp(name, tier_names[i]) == 0)
			return 1u << i;
	return 0;
}

static char *dup_or_empty(const char *s)
{
	return strdup(s ? s : "");
}

static bool code_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	return n > 0 && n <= CATALOG_CODE_MAX &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_") == n;
}

/* ---- building the catalogue ---- */

static int read_pillar(const struct catsrc *s, struct pillar *p, char *err, size_t errsize)
{
	static const char *const known[] = {"code", "name_vi", "name_en", NULL};
	const char *code, *vi, *en;

	if (catsrc_known(s, known, err, errsize) < 0 ||
	    catsrc_string(s, "code", &code, err, errsize) < 0 ||
	    catsrc_string(s, "name_vi", &vi, err, errsize) < 0 ||
	    catsrc_string(s, "name_en", &en, err, errsize) < 0)
		return -1;
	if (!code_ok(code) || !vi || !*vi) {
		catsrc_error(s, err, errsize, "a pillar needs a code and a name_vi%s%s", "", "");
		return -1;
	}
	p->code = strdup(code);
	p->name_vi = strdup(vi);
	p->name_en = dup_or_empty(en);
	return p->code && p->name_vi && p->name_en ? 0 : -1;
}

/* The string keys of an indicator, borrowed from its source (NULL when absent). */
struct ind_text {
	const char *code, *vi, *en, *measure, *pillar, *kind, *cal, *space, *time, *num, *den;
};

/* Reads the string keys of an indicator and checks those every indicator needs. */
static int read_indicator_text(const struct catsrc *s, struct ind_text *t, char *err,
			       size_t errsize)
{
	static const char *const known[] = {
	    "code",	"name_vi",  "name_en",	    "measure",	      "pillar",
	    "kind",	"levels",   "period_types", "calendar",	      "agg_space",
	    "agg_time", "min",	    "max",	    "numerator",      "denominator",
	    "factor",	"decimals", "share",	    "outlier_window", NULL};

	if (catsrc_known(s, known, err, errsize) < 0 ||
	    catsrc_string(s, "code", &t->code, err, errsize) < 0 ||
	    catsrc_string(s, "name_vi", &t->vi, err, errsize) < 0 ||
	    catsrc_string(s, "name_en", &t->en, err, errsize) < 0 ||
	    catsrc_string(s, "measure", &t->measure, err, errsize) < 0 ||
	    catsrc_string(s, "pillar", &t->pillar, err, errsize) < 0 ||
	    catsrc_string(s, "kind", &t->kind, err, errsize) < 0 ||
	    catsrc_string(s, "calendar", &t->cal, err, errsize) < 0 ||
	    catsrc_string(s, "agg_space", &t->space, err, errsize) < 0 ||
	    catsrc_string(s, "agg_time", &t->time, err, errsize) < 0 ||
	    catsrc_string(s, "numerator", &t->num, err, errsize) < 0 ||
	    catsrc_string(s, "denominator", &t->den, err, errsize) < 0)
		return -1;
	if (!code_ok(t->code)) {
		catsrc_error(s, err, errsize,
			     "code \"%s\": lower-case letters, digits and _, at most 64%s",
			     t->code ? t->code : "", "");
		return -1;
	}
	if (!t->vi || !*t->vi || !t->pillar || !t->kind) {
		catsrc_error(s, err, errsize, "%s: name_vi, pillar and kind are required%s",
			     t->code, "");
		return -1;
	}
	return 0;
}

/* Fills what every indicator has: kind, names, calendar, decimals. */
static int read_indicator_common(const struct catsrc *s, const struct ind_text *t,
				 struct indicator *ind, char *err, size_t errsize)
{
	const char *code = t->code;
	int k;
	double v;

	if ((k = catsrc_lookup(kind_names, 5, t->kind)) < 0) {
		catsrc_error(s, err, errsize,
			     "%s: kind \"%s\" is not count, amount, number, percent or ratio", code,
			     t->kind);
		return -1;
	}
	ind->kind = (enum ind_kind)k;
	ind->code = strdup(code);
	ind->name_vi = strdup(t->vi);
	ind->name_en = dup_or_empty(t->en);
	ind->measure = dup_or_empty(t->measure ? t->measure : (k == IND_RATIO ? "%" : ""));
	ind->pillar = strdup(t->pillar);
	ind->numerator = dup_or_empty(t->num);
	ind->denominator = dup_or_empty(t->den);
	if (!ind->code || !ind->name_vi || !ind->name_en || !ind->measure || !ind->pillar ||
	    !ind->numerator || !ind->denominator) {
		snprintf(err, errsize, "out of memory");
		return -1;
	}
	ind->calendar = CAL_ADMINISTRATIVE;
	if (t->cal && (k = period_calendar_from_name(t->cal)) < 0) {
		catsrc_error(s, err, errsize,
			     "%s: calendar \"%s\" is not statistical or administrative", code,
			     t->cal);
		return -1;
	}
	if (t->cal)
		ind->calendar = (enum period_calendar)k;
	ind->factor = 100;
	ind->decimals = ind->kind == IND_RATIO || ind->kind == IND_PERCENT ? 2 : 0;
	int got = catsrc_number(s, "decimals", &v, err, errsize);
	if (got < 0)
		return -1;
	if (got == 1) {
		if (v < 0 || v > 6) {
			catsrc_error(s, err, errsize, "%s: decimals must be 0 to 6%s", code, "");
			return -1;
		}
		ind->decimals = (int)v;
	}
	return 0;
}

/* The rest of a ratio: it takes levels, periods and bounds from its numerator. */
static int read_indicator_ratio(const struct catsrc *s, const struct ind_text *t,
				struct indicator *ind, char *err, size_t errsize)
{
	static const char *const from_numerator[] = {
	    "levels", "period_types", "calendar", "agg_space", "agg_time", "min", "max"};
	const char *code = t->code;
	double v;
	int got;

	if (!t->num || !t->den) {
		catsrc_error(s, err, errsize, "%s: a ratio needs a numerator and a denominator%s",
			     code, "");
		return -1;
	}
	for (size_t i = 0; i < sizeof from_numerator / sizeof from_numerator[0]; i++)
		if (catsrc_has(s, from_numerator[i])) {
			catsrc_error(s, err, errsize,
				     "%s: a ratio takes %s from its numerator: remove it", code,
				     from_numerator[i]);
			return -1;
		}
	if (catsrc_has(s, "outlier_window")) {
		catsrc_error(s, err, errsize,
			     "%s: a ratio is computed, never sent: it has no outlier_window%s",
			     code, "");
		return -1;
	}
	if ((got = catsrc_number(s, "factor", &v, err, errsize)) < 0)
		return -1;
	if (got == 1) {
		if (v <= 0) {
			catsrc_error(s, err, errsize, "%s: factor must be positive%s", code, "");
			return -1;
		}
		ind->factor = v;
	}
	/* a share (the default) counts a part of its denominator and cannot exceed it;
	 * "mobile subscriptions per 100 people" is not one */
	ind->share = true;
	if (catsrc_bool(s, "share", &ind->share, err, errsize) < 0)
		return -1;
	ind->agg_space = AGG_SUM; /* sum of numerators over sum of denominators */
	ind->agg_time = TAGG_SUM;
	return 0;
}

/* The levels and period types an indicator other than a ratio is reported for. */
static int read_indicator_scope(const struct catsrc *s, const char *code, struct indicator *ind,
				char *err, size_t errsize)
{
	static const char *const ptypes[] = {"daily",	  "weekly",	 "monthly",
					     "quarterly", "six-monthly", "yearly"};
	int first;

	if (catsrc_names(s, "levels", tier_names, 3, &ind->levels, &first, err, errsize) <= 0) {
		if (!err[0] || strstr(err, "levels") == NULL)
			catsrc_error(s, err, errsize,
				     "%s: levels is required (for example [\"commune\", "
				     "\"district\"])%s",
				     code, "");
		return -1;
	}
	if (catsrc_names(s, "period_types", ptypes, 6, &ind->period_types, &first, err, errsize) <=
	    0) {
		if (!err[0] || strstr(err, "period_types") == NULL)
			catsrc_error(s, err, errsize,
				     "%s: period_types is required (for example [\"six-monthly\", "
				     "\"yearly\"])%s",
				     code, "");
		return -1;
	}
	ind->native_period = (enum period_type)first;
	return 0;
}

/* How an indicator other than a ratio rolls up over units and over time. */
static int read_indicator_aggregation(const struct catsrc *s, const struct ind_text *t,
				      struct indicator *ind, char *err, size_t errsize)
{
	bool additive = ind->kind == IND_COUNT || ind->kind == IND_AMOUNT;
	int k;

	ind->agg_space = additive ? AGG_SUM : AGG_NONE;
	if (t->space && (k = catsrc_lookup(space_names, 5, t->space)) < 0) {
		catsrc_error(s, err, errsize,
			     "%s: agg_space \"%s\" is not sum, avg, min, max or none", t->code,
			     t->space);
		return -1;
	}
	if (t->space)
		ind->agg_space = (enum agg_space)k;
	ind->agg_time = TAGG_SUM;
	if (t->time && (k = catsrc_lookup(time_names, 4, t->time)) < 0) {
		catsrc_error(s, err, errsize, "%s: agg_time \"%s\" is not sum, last, avg or max",
			     t->code, t->time);
		return -1;
	}
	if (t->time)
		ind->agg_time = (enum agg_time)k;
	return 0;
}

/* The bounds of a value: counts, amounts and percentages from 0, percentages to 100,
 * unless min and max say otherwise. */
static int read_indicator_bounds(const struct catsrc *s, const char *code, struct indicator *ind,
				 char *err, size_t errsize)
{
	double v;
	int r;

	if (ind->kind == IND_COUNT || ind->kind == IND_AMOUNT || ind->kind == IND_PERCENT) {
		ind->has_min = true;
		ind->min = 0;
	}
	if (ind->kind == IND_PERCENT) {
		ind->has_max = true;
		ind->max = 100;
	}
	if ((r = catsrc_number(s, "min", &v, err, errsize)) < 0)
		return -1;
	if (r == 1) {
		ind->has_min = true;
		ind->min = v;
	}
	if ((r = catsrc_number(s, "max", &v, err, errsize)) < 0)
		return -1;
	if (r == 1) {
		ind->has_max = true;
		ind->max = v;
	}
	if (ind->has_min && ind->has_max && ind->min > ind->max) {
		catsrc_error(s, err, errsize, "%s: min is greater than max%s", code, "");
		return -1;
	}
	return 0;
}

/* How many earlier periods of the same type the outlier check weighs a value
 * against (sql/R_25_ingest_checks.sql): absent, the database's default of 5.
 * At least 4, the history the check needs; at most 120, so that it stays a
 * bounded read per value (docs/analyst-guide.md, "Validation"). */
static int read_indicator_outlier_window(const struct catsrc *s, const char *code,
					 struct indicator *ind, char *err, size_t errsize)
{
	double v;
	int r = catsrc_number(s, "outlier_window", &v, err, errsize);

	if (r < 0)
		return -1;
	if (r == 1) {
		if (v < 4 || v > 120 || v != (int)v) {
			catsrc_error(s, err, errsize,
				     "%s: outlier_window must be a whole number of periods from 4 "
				     "to 120%s",
				     code, "");
			return -1;
		}
		ind->outlier_window = (int)v;
	}
	return 0;
}

static int read_indicator(const struct catsrc *s, struct indicator *ind, char *err, size_t errsize)
{
	struct ind_text t = {0};

	if (read_indicator_text(s, &t, err, errsize) < 0 ||
	    read_indicator_common(s, &t, ind, err, errsize) < 0)
		return -1;
	if (ind->kind == IND_RATIO)
		return read_indicator_ratio(s, &t, ind, err, errsize);
	if (t.num || t.den || catsrc_has(s, "share")) {
		catsrc_error(s, err, errsize,
			     "%s: only a ratio has a numerator, a denominator and share%s", t.code,
			     "");
		return -1;
	}
	if (read_indicator_scope(s, t.code, ind, err, errsize) < 0 ||
	    read_indicator_aggregation(s, &t, ind, err, errsize) < 0 ||
	    read_indicator_outlier_window(s, t.code, ind, err, errsize) < 0)
		return -1;
	return read_indicator_bounds(s, t.code, ind, err, errsize);
}

static int read_rule(const struct catsrc *s, struct rule *r, char *err, size_t errsize)
{
	static const char *const known[] = {"code", "total", "parts", NULL};
	const char *code, *total;

	if (catsrc_known(s, known, err, errsize) < 0 ||
	    catsrc_string(s, "code", &code, err, errsize) < 0 ||
	    catsrc_string(s, "total", &total, err, errsize) < 0)
		return -1;
	if (!code_ok(code) || !code_ok(total)) {
		catsrc_error(s, err, errsize, "a rule needs a code and a total%s%s", "", "");
		return -1;
	}
	r->code = strdup(code);
	r->total = strdup(total);
	if (s->cs) {
		config_setting_t *m = config_setting_get_member(s->cs, "parts");
		int n = m && (config_setting_is_array(m) || config_setting_is_list(m))
			    ? config_setting_length(m)
			    : 0;
		if (n < 2) {
			catsrc_error(s, err, errsize,
				     "%s: parts must list at least two indicators%s", code, "");
			return -1;
		}
		r->parts = calloc((size_t)n, sizeof *r->parts);
		for (int i = 0; r->parts && i < n; i++) {
			const char *v = config_setting_get_string_elem(m, i);
			if (!code_ok(v)) {
				catsrc_error(s, err, errsize,
					     "%s: parts: \"%s\" is not an indicator code", code,
					     v ? v : "?");
				return -1;
			}
			r->parts[r->nparts++] = strdup(v);
		}
	} else {
		json_t *m = json_object_get(s->js, "parts"), *v;
		size_t i;
		if (!json_is_array(m) || json_array_size(m) < 2 || json_array_size(m) > 64) {
			catsrc_error(s, err, errsize, "%s: parts must list 2 to 64 indicators%s",
				     code, "");
			return -1;
		}
		r->parts = calloc(json_array_size(m), sizeof *r->parts);
		json_array_foreach(m, i, v)
		{
			if (!r->parts || !json_is_string(v) || !code_ok(json_string_value(v))) {
				catsrc_error(s, err, errsize, "%s: parts: not an indicator code%s",
					     code, "");
				return -1;
			}
			r->parts[r->nparts++] = strdup(json_string_value(v));
		}
	}
	if (!r->code || !r->total || !r->parts) {
		snprintf(err, errsize, "out of memory");
		return -1;
	}
	return 0;
}

static int by_code_cmp(const void *a, const void *b)
{
	return strcmp((*(const struct indicator *const *)a)->code,
		      (*(const struct indicator *const *)b)->code);
}

const struct indicator *catalog_find(const struct catalog *c, const char *code)
{
	struct indicator probe = {.code = (char *)code};
	const struct indicator *p = &probe, **hit;

	if (!c || !code)
		return NULL;
	hit = bsearch(&p, c->by_code, c->nindicators, sizeof *c->by_code, by_code_cmp);
	return hit ? *hit : NULL;
}

const struct pillar *catalog_pillar(const struct catalog *c, const char *code)
{
	for (size_t i = 0; c && i < c->npillars; i++)
		if (strcmp(c->pillars[i].code, code) == 0)
			return &c->pillars[i];
	return NULL;
}

/* Cross-references, once everything is read: the checks no single entry can make. */
static int catalog_finish(struct catalog *c, const char *where, char *err, size_t errsize)
{
	if ((c->by_code = calloc(c->nindicators ? c->nindicators : 1, sizeof *c->by_code)) ==
	    NULL) {
		snprintf(err, errsize, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < c->nindicators; i++)
		c->by_code[i] = &c->indicators[i];
	qsort(c->by_code, c->nindicators, sizeof *c->by_code, by_code_cmp);
	for (size_t i = 1; i < c->nindicators; i++)
		if (strcmp(c->by_code[i]->code, c->by_code[i - 1]->code) == 0) {
			snprintf(err, errsize, "%s: indicator %s is defined twice", where,
				 c->by_code[i]->code);
			return -1;
		}
	for (size_t i = 0; i < c->npillars; i++)
		for (size_t j = 0; j < i; j++)
			if (strcmp(c->pillars[i].code, c->pillars[j].code) == 0) {
				snprintf(err, errsize, "%s: pillar %s is defined twice", where,
					 c->pillars[i].code);
				return -1;
			}
	for (size_t i = 0; i < c->nindicators; i++) {
		struct indicator *ind = &c->indicators[i];
		if (!catalog_pillar(c, ind->pillar)) {
			snprintf(err, errsize, "%s: %s: unknown pillar \"%s\"", where, ind->code,
				 ind->pillar);
			return -1;
		}
		if (ind->kind != IND_RATIO)
			continue;
		const struct indicator *n = catalog_find(c, ind->numerator);
		const struct indicator *d = catalog_find(c, ind->denominator);
		if (!n || !d || n->kind == IND_RATIO || d->kind == IND_RATIO) {
			snprintf(
			    err, errsize,
			    "%s: %s: numerator %s and denominator %s must be indicators of the "
			    "catalogue that are not ratios",
			    where, ind->code, ind->numerator, ind->denominator);
			return -1;
		}
		/* A ratio is reported wherever and whenever its numerator is. */
		ind->levels = n->levels;
		ind->period_types = n->period_types;
		ind->native_period = n->native_period;
		ind->calendar = n->calendar;
	}
	for (size_t i = 0; i < c->nrules; i++) {
		const struct rule *r = &c->rules[i];
		if (!catalog_find(c, r->total)) {
			snprintf(err, errsize, "%s: rule %s: unknown indicator %s", where, r->code,
				 r->total);
			return -1;
		}
		for (size_t k = 0; k < r->nparts; k++)
			if (!catalog_find(c, r->parts[k])) {
				snprintf(err, errsize, "%s: rule %s: unknown indicator %s", where,
					 r->code, r->parts[k]);
				return -1;
			}
	}
	return 0;
}

void catalog_destroy(struct catalog **cp)
{
	struct catalog *c;

	if (!cp || !*cp)
		return;
	c = *cp;
	for (size_t i = 0; i < c->npillars; i++) {
		free(c->pillars[i].code);
		free(c->pillars[i].name_vi);
		free(c->pillars[i].name_en);
	}
	for (size_t i = 0; i < c->nindicators; i++) {
		struct indicator *ind = &c->indicators[i];
		free(ind->code);
		free(ind->name_vi);
		free(ind->name_en);
		free(ind->measure);
		free(ind->pillar);
		free(ind->numerator);
		free(ind->denominator);
	}
	for (size_t i = 0; i < c->nrules; i++) {
		for (size_t k = 0; k < c->rules[i].nparts; k++)
			free(c->rules[i].parts[k]);
		free(c->rules[i].parts);
		free(c->rules[i].code);
		free(c->rules[i].total);
	}
	free(c->pillars);
	free(c->indicators);
	free(c->rules);
	free(c->by_code);
	free(c->version);
	free(c);
	*cp = NULL;
}

/* Allocates the three arrays; -1 if out of memory or too many. */
static int catalog_alloc(struct catalog *c, size_t np, size_t ni, size_t nr, char *err,
			 size_t errsize)
{
	if (np > CATALOG_MAX || ni > CATALOG_MAX || nr > CATALOG_MAX) {
		snprintf(err, errsize, "catalogue: more than %d entries", CATALOG_MAX);
		return -1;
	}
	c->pillars = calloc(np ? np : 1, sizeof *c->pillars);
	c->indicators = calloc(ni ? ni : 1, sizeof *c->indicators);
	c->rules = calloc(nr ? nr : 1, sizeof *c->rules);
	if (!c->pillars || !c->indicators || !c->rules) {
		snprintf(err, errsize, "out of memory");
		return -1;
	}
	return 0;
}

struct catalog *catalog_load(const char *path, char *err, size_t errsize)
{
	static const char *const known[] = {"version", "pillars", "indicators", "rules", NULL};
	struct catalog *c = calloc(1, sizeof *c);
	config_t cf;
	config_setting_t *pil, *ind, *rul;
	const char *version;

	config_init(&cf);
	if (!c) {
		snprintf(err, errsize, "out of memory");
		goto fail;
	}
	if (cfg_read(&cf, path, err, errsize) < 0)
		goto fail;
	struct catsrc top = {config_root_setting(&cf), NULL, path};
	if (catsrc_known(&top, known, err, errsize) < 0 ||
	    catsrc_string(&top, "version", &version, err, errsize) < 0)
		goto fail;
	pil = config_lookup(&cf, "pillars");
	ind = config_lookup(&cf, "indicators");
	rul = config_lookup(&cf, "rules");
	if (!version || !pil || !ind || !config_setting_is_list(pil) ||
	    !config_setting_is_list(ind) || (rul && !config_setting_is_list(rul))) {
		snprintf(err, errsize,
			 "%s: needs version = \"...\", pillars = ( ... ) and "
			 "indicators = ( ... )",
			 path);
		goto fail;
	}
	if ((c->version = strdup(version)) == NULL ||
	    catalog_alloc(c, (size_t)config_setting_length(pil), (size_t)config_setting_length(ind),
			  rul ? (size_t)config_setting_length(rul) : 0, err, errsize) < 0)
		goto fail;
	for (int i = 0; i < config_setting_length(pil); i++) {
		struct catsrc s = {config_setting_get_elem(pil, (unsigned)i), NULL, path};
		if (read_pillar(&s, &c->pillars[c->npillars++], err, errsize) < 0)
			goto fail;
	}
	for (int i = 0; i < config_setting_length(ind); i++) {
		struct catsrc s = {config_setting_get_elem(ind, (unsigned)i), NULL, path};
		if (!config_setting_is_group(s.cs)) {
			catsrc_error(&s, err, errsize, "an indicator is a group { ... }%s%s", "",
				     "");
			goto fail;
		}
		if (read_indicator(&s, &c->indicators[c->nindicators++], err, errsize) < 0)
			goto fail;
	}
	for (int i = 0; rul && i < config_setting_length(rul); i++) {
		struct catsrc s = {config_setting_get_elem(rul, (unsigned)i), NULL, path};
		if (read_rule(&s, &c->rules[c->nrules++], err, errsize) < 0)
			goto fail;
	}
	if (catalog_finish(c, path, err, errsize) < 0)
		goto fail;
	config_destroy(&cf);
	return c;
fail:
	config_destroy(&cf);
	catalog_destroy(&c);
	return NULL;
}

/* Fills the catalogue from its JSON form; lent the parsed object by wire_decode_object. */
static int catalog_json_fn(json_t *root, void *ctx, char *err, size_t errsize)
{
	static const char *const known[] = {"version", "pillars", "indicators", "rules", NULL};
	struct catalog *c = ctx;
	struct catsrc top = {NULL, root, NULL};
	json_t *pil, *ind, *rul, *v;
	const char *version;
	size_t i;

	if (catsrc_known(&top, known, err, errsize) < 0 ||
	    catsrc_string(&top, "version", &version, err, errsize) < 0)
		return -1;
	pil = json_object_get(root, "pillars");
	ind = json_object_get(root, "indicators");
	rul = json_object_get(root, "rules");
	if (!version || !json_is_array(pil) || !json_is_array(ind) ||
	    (rul && !json_is_array(rul))) {
		snprintf(err, errsize, "catalogue JSON: needs version, pillars and indicators");
		return -1;
	}
	if ((c->version = strdup(version)) == NULL ||
	    catalog_alloc(c, json_array_size(pil), json_array_size(ind),
			  rul ? json_array_size(rul) : 0, err, errsize) < 0)
		return -1;
	json_array_foreach(pil, i, v)
	{
		struct catsrc s = {NULL, v, NULL};
		if (!json_is_object(v) ||
		    read_pillar(&s, &c->pillars[c->npillars++], err, errsize) < 0)
			goto bad;
	}
	json_array_foreach(ind, i, v)
	{
		struct catsrc s = {NULL, v, NULL};
		if (!json_is_object(v) ||
		    read_indicator(&s, &c->indicators[c->nindicators++], err, errsize) < 0)
			goto bad;
	}
	json_array_foreach(rul, i, v)
	{
		struct catsrc s = {NULL, v, NULL};
		if (!json_is_object(v) || read_rule(&s, &c->rules[c->nrules++], err, errsize) < 0)
			goto bad;
	}
	return catalog_finish(c, "catalogue JSON", err, errsize);
bad:
	if (!err[0])
		snprintf(err, errsize, "catalogue JSON: entries must be objects");
	return -1;
}

struct catalog *catalog_from_json(const char *json, size_t len, char *err, size_t errsize)
{
	/* The catalogue is the largest message an agent receives: give it room. */
	struct wire_limits lim = {.max_body = 16u << 20, .max_rows = CATALOG_MAX, .max_depth = 4};
	struct catalog *c = calloc(1, sizeof *c);

	if (!c) {
		snprintf(err, errsize, "out of memory");
		return NULL;
	}
	err[0] = '\0';
	if (wire_decode_object(json, len, &lim, catalog_json_fn, c, err, errsize) < 0)
		catalog_destroy(&c);
	return c;
}

static json_t *names_json(unsigned bits, const char *const *names, int n, int first)
{
	json_t *arr = json_array();
	if (first >= 0)
		json_array_append_new(arr, json_string(names[first]));
	for (int i = 0; i < n; i++)
		if ((bits & (1u << i)) && i != first)
			json_array_append_new(arr, json_string(names[i]));
	return arr;
}

/* The JSON form; with wire, the form agents receive (catalog_to_wire_json). */
static char *catalog_json(const struct catalog *c, bool wire)
{
	static const char *const ptypes[] = {"daily",	  "weekly",	 "monthly",
					     "quarterly", "six-monthly", "yearly"};
	json_t *root = json_object(), *pil = json_array(), *ind = json_array(), *rul = json_array();
	char *text = NULL;

	if (!root || !pil || !ind || !rul)
		goto done;
	json_object_set_new(root, "version", json_string(c->version));
	for (size_t i = 0; i < c->npillars; i++)
		json_array_append_new(pil, json_pack("{s:s, s:s, s:s}", "code", c->pillars[i].code,
						     "name_vi", c->pillars[i].name_vi, "name_en",
						     c->pillars[i].name_en));
	for (size_t i = 0; i < c->nindicators; i++) {
		const struct indicator *x = &c->indicators[i];
		json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:i}", "code", x->code,
				      "name_vi", x->name_vi, "name_en", x->name_en, "measure",
				      x->measure, "pillar", x->pillar, "kind",
				      catalog_kind_name(x->kind), "decimals", x->decimals);
		if (x->kind == IND_RATIO) {
			json_object_set_new(o, "numerator", json_string(x->numerator));
			json_object_set_new(o, "denominator", json_string(x->denominator));
			json_object_set_new(o, "factor", json_real(x->factor));
			json_object_set_new(o, "share", json_boolean(x->share));
		} else {
			json_object_set_new(o, "levels", names_json(x->levels, tier_names, 3, -1));
			json_object_set_new(
			    o, "period_types",
			    names_json(x->period_types, ptypes, 6, (int)x->native_period));
			json_object_set_new(o, "calendar",
					    json_string(period_calendar_name(x->calendar)));
			json_object_set_new(o, "agg_space",
					    json_string(catalog_agg_space_name(x->agg_space)));
			json_object_set_new(o, "agg_time",
					    json_string(catalog_agg_time_name(x->agg_time)));
			if (x->has_min)
				json_object_set_new(o, "min", json_real(x->min));
			if (x->has_max)
				json_object_set_new(o, "max", json_real(x->max));
			if (x->outlier_window && !wire)
				json_object_set_new(o, "outlier_window",
						    json_integer(x->outlier_window));
		}
		json_array_append_new(ind, o);
	}
	for (size_t i = 0; i < c->nrules; i++) {
		json_t *parts = json_array();
		for (size_t k = 0; k < c->rules[i].nparts; k++)
			json_array_append_new(parts, json_string(c->rules[i].parts[k]));
		json_array_append_new(rul, json_pack("{s:s, s:s, s:o}", "code", c->rules[i].code,
						     "total", c->rules[i].total, "parts", parts));
	}
	json_object_set_new(root, "pillars", pil);
	json_object_set_new(root, "indicators", ind);
	json_object_set_new(root, "rules", rul);
	pil = ind = rul = NULL;
	text = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
done:
	json_decref(root);
	json_decref(pil);
	json_decref(ind);
	json_decref(rul);
	return text;
}

char *catalog_to_json(const struct catalog *c)
{
	return catalog_json(c, false);
}

char *catalog_to_wire_json(const struct catalog *c)
{
	return catalog_json(c, true);
}
