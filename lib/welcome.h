/*
 * welcome: what protocol version 2 adds to WELCOME (docs/protocol.md §3):
 * the collector's own unit with its tier, and the periods it can still
 * report, each with its deadline.  wire.c encodes and decodes the rest of the
 * WELCOME and calls this module for the two fields; the agent keeps them (the
 * officer's form shows the deadlines and counts only its tier's indicators).
 *
 * The decoders take untrusted JSON: every field is checked for its type,
 * length and form (a period identifier that parses and is of the type named,
 * a calendar and a tier chiso knows, an ISO date), unknown fields are errors,
 * and the list is bounded by WELCOME_PERIODS_MAX.
 */
#ifndef CHISO_WELCOME_H
#define CHISO_WELCOME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The most periods a WELCOME lists: 6 types x 2 calendars x 2 periods fit. */
#define WELCOME_PERIODS_MAX 64

/* The collector's own unit, the root of its scope. */
struct welcome_unit {
	char code[17];	   /* = WELCOME's scope */
	char name_vi[128]; /* "Xã Sơn Nham" */
	char tier[9];	   /* "province", "district" or "commune" */
};

/* One period the collector can still report. */
struct welcome_period {
	char period[17];   /* "2026S2" */
	char type[12];	   /* "six-monthly" */
	char calendar[15]; /* "administrative" or "statistical" */
	char deadline[11]; /* "YYYY-MM-DD", or "" when none is configured (JSON null) */
	bool closed;
};

struct json_t;

/* The unit as a JSON object; NULL when out of memory. */
struct json_t *welcome_unit_json(const struct welcome_unit *u);
/* The n periods as a JSON array; NULL when out of memory. */
struct json_t *welcome_periods_json(const struct welcome_period *p, size_t n);
/* Reads v (borrowed) as the unit; 0, or -1 with err naming the field. */
int welcome_unit_decode(struct json_t *v, struct welcome_unit *u, char *err, size_t errsize);
/* Reads v (borrowed) as the periods into p[WELCOME_PERIODS_MAX]; 0 and *n, or -1 with err. */
int welcome_periods_decode(struct json_t *v, struct welcome_period *p, size_t *n, char *err,
			   size_t errsize);
/*
 * The candidates of a WELCOME's periods on day today: for each calendar
 * (administrative, statistical) and period type (daily .. yearly), the period
 * before the one containing today and that one, in that order, with their
 * type and calendar; deadline "" and closed false (the database fills them:
 * store_period_welcome).  out holds WELCOME_PERIODS_MAX; returns how many.
 */
size_t welcome_candidates(int32_t today, struct welcome_period *out);
/* true if tier is one of the three tiers chiso knows. */
bool welcome_tier_ok(const char *tier);

#endif
