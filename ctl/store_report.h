/*
 * store_report: reports for people, read whole: live (on the period's own
 * structure or re-expressed on a later one), as published and checked against
 * its seal, and what changed since a publication; chisoctl only.
 */
#ifndef CHISOCTL_STORE_REPORT_H
#define CHISOCTL_STORE_REPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "store.h"

struct store;

struct store_report_row {
	char unit_code[17];
	char unit_name[128];
	int level;
	char tier[16];
	int depth;
	char indicator_code[65];
	char indicator_name[256];
	char pillar[32];
	char pillar_name[128];
	char kind[16];
	char measure[64];
	int decimals;
	char period[17];
	bool has_value;
	double value;
	bool has_ratio;
	double numerator, denominator;
	char qualifier[16];
	int reporting_units, expected_units;
	int on_time_units; /* reporting units whose value arrived by the deadline */
	/* for a period derived from finer ones: finer periods behind the value, summed over the
	 * reporting units, and how many there would be (0 and 0 otherwise) */
	int periods_reported, periods_expected;
	char native_period[16];	     /* the indicator's finest period type */
	char indicator_name_en[256]; /* the Vietnamese name where the catalogue has no English */
	char pillar_name_en[128];
	int pillar_ord, indicator_ord; /* catalogue order */
	char prev_period[17];	       /* the period compared against (2024S1: 2023S2) */
	bool has_prev;		       /* the unit has a value for prev_period */
	double prev_value;
	bool prev_has_ratio;
	double prev_numerator, prev_denominator;
	char prev_qualifier[16];
	int prev_reporting_units; /* units behind the previous value (0 without one) */
};
/* A unit of a report's subtree, valid during the period. */
struct store_report_unit {
	char unit_code[17];
	char unit_name[128];
	int level;
	char tier[16];
	int depth;	     /* below the report's unit (0: that unit) */
	char group_code[17]; /* the child of the report's unit it lies under (itself for depth 0
				and 1): its district in a province report */
	char group_name[128];
	bool expected; /* expected to report something for the period */
	bool reported; /* has a value of its own (reported or derived) for the period */
	bool on_time;  /* reported, and every value arrived by its deadline */
};

/* A DTI pillar of the catalogue: a report has a section for each. */
struct store_report_pillar {
	char code[32];
	char name[128];
	char name_en[128]; /* the Vietnamese name where the catalogue has no English */
	int ord;
};

/* A whole report, live or as published: owned arrays, freed by store_report_set_destroy. */
struct store_report_set {
	struct store_report_row *rows; /* tree order, then catalogue order */
	size_t nrows;
	struct store_report_unit *units; /* tree order */
	size_t nunits;
	struct store_report_pillar *pillars; /* catalogue order */
	size_t npillars;
	bool published;
	struct store_publication pub; /* when published */
	/* store_report_on_structure only: the day whose structure the figures are re-expressed
	 * on ("" otherwise), and the units with figures left out for want of a crosswalk row */
	char on_structure[11];
	int nunmapped;
	char unmapped[512]; /* "536 Huyện Lý Sơn, ..." (cut) */
};

/*
 * The report of unit_code's subtree for a period as the figures stand: rows with English
 * names and the previous period's figures, the subtree's units and the catalogue's pillars,
 * read from one snapshot.
 * *out is the caller's (store_report_set_destroy); it has no rows if nothing was reported.
 */
int store_report_live(struct store *s, const char *period, const char *unit_code,
		      struct store_report_set **out, char *err, size_t errsize);
/*
 * The period's figures re-expressed through the crosswalk on the structure valid on day
 * ("YYYY-MM-DD"): set->on_structure is day.  Like store_report_live otherwise.
 */
int store_report_on_structure(struct store *s, const char *period, const char *unit_code,
			      const char *day, struct store_report_set **out, char *err,
			      size_t errsize);
/* A published version (0: the latest) exactly as it was frozen; -1 with err if none, or if it
 * no longer matches its seal (err names the publication and the parts that differ). */
int store_report_published(struct store *s, const char *period, const char *unit_code, int version,
			   struct store_report_set **out, char *err, size_t errsize);
/* Frees the set and sets *sp to NULL; safe on NULL. */
void store_report_set_destroy(struct store_report_set **sp);
/* One side of a change between a publication and the figures as they stand. */
struct store_change_side {
	bool has_value; /* false: no figure on this side */
	double value;
	bool has_ratio;
	double numerator, denominator;
	char qualifier[16];
};
struct store_change {
	char unit_code[17];
	char unit_name[128];
	int level;
	char indicator_code[65];
	char indicator_name[256];
	char indicator_name_en[256];
	char kind[16];
	int decimals;
	struct store_change_side published, current;
};
/*
 * What differs between a published version (0: the latest, filled into *pub) and the live
 * figures, in tree and catalogue order; the caller frees *out.  -1 with err if that version
 * was never published or no longer matches its seal.
 */
int store_report_changes(struct store *s, const char *period, const char *unit_code, int version,
			 struct store_publication *pub, struct store_change **out, size_t *n,
			 char *err, size_t errsize);

#endif
