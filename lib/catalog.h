/*
 * catalog: the indicator catalogue.
 *
 * The operator edits config/catalog.conf (libconfig syntax, documented at the top
 * of that file); `chisoctl catalog load` parses it here, checks it whole, and
 * stores it in PostgreSQL both as rows (indicator, pillar, rule) and as one JSON
 * document.  chisod reads that document back with catalog_from_json and serves
 * it to agents in the CATALOG reply, so that an agent validates rows before it
 * queues them.  One struct, one JSON form, three programs.
 *
 * A ratio indicator is numerator / denominator * factor and is never reported:
 * it is computed at every level from the aggregated numerator and denominator.
 */
#ifndef CHISO_CATALOG_H
#define CHISO_CATALOG_H

#include <stdbool.h>
#include <stddef.h>

#include "period.h"

#define CATALOG_CODE_MAX 64

/* What a value is. */
enum ind_kind {
	IND_COUNT,   /* a non-negative integer: people, dossiers, stations */
	IND_AMOUNT,  /* money in dong, a non-negative integer */
	IND_NUMBER,  /* any finite number in bounds, e.g. subscriptions per 100 people */
	IND_PERCENT, /* a measured share reported without counts (4G coverage) */
	IND_RATIO,   /* computed: numerator / denominator * factor; never reported */
};

/* How values combine across units (DHIS2 semantics). */
enum agg_space { AGG_SUM, AGG_AVG, AGG_MIN, AGG_MAX, AGG_NONE };

/* How finer periods combine into a coarser one: flows sum, stocks take the last. */
enum agg_time { TAGG_SUM, TAGG_LAST, TAGG_AVG, TAGG_MAX };

/* Administrative tiers an indicator may be reported at (bit mask). */
enum tier {
	TIER_PROVINCE = 1u << 0,
	TIER_DISTRICT = 1u << 1,
	TIER_COMMUNE = 1u << 2,
};

struct pillar {
	char *code; /* "awareness", ... */
	char *name_vi;
	char *name_en;
};

struct indicator {
	char *code; /* ASCII snake_case, at most CATALOG_CODE_MAX bytes */
	char *name_vi;
	char *name_en;
	char *measure; /* unit of measure in Vietnamese: "người", "hồ sơ", "đồng", "%" */
	char *pillar;  /* a pillar code */
	enum ind_kind kind;
	unsigned levels;		/* enum tier bits */
	unsigned period_types;		/* bits 1u << enum period_type: accepted types */
	enum period_type native_period; /* the first listed: the finest, for time rollups */
	enum period_calendar calendar;
	enum agg_space agg_space;
	enum agg_time agg_time;
	bool has_min, has_max;
	double min, max;
	char *numerator;    /* ratios only */
	char *denominator;  /* ratios only */
	double factor;	    /* ratios only; 100 for a percentage */
	bool share;	    /* ratios only: the numerator is a part of the denominator */
	int decimals;	    /* digits shown in reports */
	int outlier_window; /* earlier periods the outlier check reads; 0: the default (5) */
};

/* A sum rule: the parts must add up to the total (1 394 + 69 = 1 463). */
struct rule {
	char *code;
	char *total;
	size_t nparts;
	char **parts;
};

struct catalog {
	char *version;
	size_t npillars;
	struct pillar *pillars;
	size_t nindicators;
	struct indicator *indicators; /* in file order, which is report order */
	size_t nrules;
	struct rule *rules;
	const struct indicator **by_code; /* sorted by code for catalog_find */
};

/*
 * Loads and checks a catalogue file.  Returns the catalogue, or NULL with err
 * holding "file:line: message" (unknown key, bad kind, a ratio whose numerator
 * does not exist, a duplicate code, ...).
 */
struct catalog *catalog_load(const char *path, char *err, size_t errsize);
/* Parses the JSON form (catalog_to_json); NULL with err on any error. */
struct catalog *catalog_from_json(const char *json, size_t len, char *err, size_t errsize);
/* The JSON form of the whole catalogue; the caller frees it. NULL if out of memory. */
char *catalog_to_json(const struct catalog *c);
/*
 * The JSON form agents receive (CATALOG): without the keys only the province's
 * database reads (outlier_window), which an agent built before them would
 * refuse as unknown, keeping its old catalogue.  The caller frees it.
 */
char *catalog_to_wire_json(const struct catalog *c);
/* Frees the catalogue and sets *cp to NULL; safe on NULL. */
void catalog_destroy(struct catalog **cp);
/* The indicator with that code, or NULL. Borrowed from c. */
const struct indicator *catalog_find(const struct catalog *c, const char *code);
/* The pillar with that code, or NULL. Borrowed from c. */
const struct pillar *catalog_pillar(const struct catalog *c, const char *code);

/* Names as written in the file and in JSON: "count", "sum", "last", "commune"... */
const char *catalog_kind_name(enum ind_kind k);
const char *catalog_agg_space_name(enum agg_space a);
const char *catalog_agg_time_name(enum agg_time a);
const char *catalog_tier_name(enum tier t);
/* The enum tier bit of "province", "district" or "commune"; 0 for any other name. */
unsigned catalog_tier_from_name(const char *name);

#endif
