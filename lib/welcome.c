/*
 * welcome: the unit and periods of a version 2 WELCOME (see welcome.h).
 *
 * The periods are checked with lib/period.c, the one home of the calendar,
 * so that the agent never shows an officer a period chiso could not take.
 */
#include "welcome.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "catalog.h"
#include "period.h"
#include "wire.h"

bool welcome_tier_ok(const char *tier)
{
	return catalog_tier_from_name(tier) != 0;
}

size_t welcome_candidates(int32_t today, struct welcome_period *out)
{
	static const enum period_calendar cals[] = {CAL_ADMINISTRATIVE, CAL_STATISTICAL};
	size_t n = 0;

	for (size_t c = 0; c < 2; c++) {
		for (int t = 0; t < PERIOD_NTYPES; t++) {
			struct period p[2];
			period_of_date(today, (enum period_type)t, cals[c], &p[1]);
			period_previous(&p[1], &p[0]);
			for (size_t k = 0; k < 2 && n < WELCOME_PERIODS_MAX; k++, n++) {
				memset(&out[n], 0, sizeof out[n]);
				period_format(&p[k], out[n].period, sizeof out[n].period);
				snprintf(out[n].type, sizeof out[n].type, "%s",
					 period_type_name((enum period_type)t));
				snprintf(out[n].calendar, sizeof out[n].calendar, "%s",
					 period_calendar_name(cals[c]));
			}
		}
	}
	return n;
}

json_t *welcome_unit_json(const struct welcome_unit *u)
{
	return json_pack("{s:s,s:s,s:s}", "code", u->code, "name_vi", u->name_vi, "tier", u->tier);
}

json_t *welcome_periods_json(const struct welcome_period *p, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < n; i++) {
		json_t *o = json_pack("{s:s,s:s,s:s,s:o,s:b}", "period", p[i].period, "type",
				      p[i].type, "calendar", p[i].calendar, "deadline",
				      p[i].deadline[0] ? json_string(p[i].deadline) : json_null(),
				      "closed", p[i].closed);
		if (!o || json_array_append_new(a, o) < 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

int welcome_unit_decode(json_t *v, struct welcome_unit *u, char *err, size_t errsize)
{
	static const char *const names[] = {"code", "name_vi", "tier", NULL};

	memset(u, 0, sizeof *u);
	if (!json_is_object(v)) {
		wire_errorf(err, errsize, "field \"unit\": expected an object, got %s",
			    wire_json_kind(v));
		return -1;
	}
	if (wire_json_known(v, names, err, errsize) < 0 ||
	    wire_json_str(v, "code", true, 1, 16, "a unit code", u->code, sizeof u->code, err,
			  errsize) < 0 ||
	    wire_json_str(v, "name_vi", true, 1, sizeof u->name_vi - 1, NULL, u->name_vi,
			  sizeof u->name_vi, err, errsize) < 0 ||
	    wire_json_str(v, "tier", true, 1, sizeof u->tier - 1, NULL, u->tier, sizeof u->tier,
			  err, errsize) < 0)
		return -1;
	if (strspn(u->code, "0123456789") != strlen(u->code)) {
		wire_errorf(err, errsize, "field \"unit.code\": expected a unit code of digits");
		return -1;
	}
	if (!welcome_tier_ok(u->tier)) {
		wire_errorf(err, errsize,
			    "field \"unit.tier\": expected province, district or commune");
		return -1;
	}
	return 0;
}

/* Checks what the string bounds cannot: the period, its type and calendar, the date. */
static int welcome_period_check(const struct welcome_period *p, char *err, size_t errsize)
{
	struct period per;
	const char *why;
	int32_t day;
	int type = period_type_from_name(p->type);

	if (type < 0 || period_calendar_from_name(p->calendar) < 0) {
		wire_errorf(err, errsize, "period %s: unknown type \"%s\" or calendar \"%s\"",
			    p->period, p->type, p->calendar);
		return -1;
	}
	if (period_parse(p->period, strlen(p->period), &per, &why) < 0 || (int)per.type != type) {
		wire_errorf(err, errsize, "period \"%s\": not a period of type %s", p->period,
			    p->type);
		return -1;
	}
	if (p->deadline[0] && date_parse(p->deadline, strlen(p->deadline), &day, &why) < 0) {
		wire_errorf(err, errsize, "period %s: deadline \"%s\" is not a date YYYY-MM-DD",
			    p->period, p->deadline);
		return -1;
	}
	return 0;
}

/* One entry of "periods". */
static int welcome_period_decode(json_t *v, struct welcome_period *p, char *err, size_t errsize)
{
	static const char *const names[] = {"period",	"type",	  "calendar",
					    "deadline", "closed", NULL};
	json_t *d = json_object_get(v, "deadline"), *c = json_object_get(v, "closed");

	if (!json_is_object(v)) {
		wire_errorf(err, errsize, "field \"periods\": expected objects, got %s",
			    wire_json_kind(v));
		return -1;
	}
	if (wire_json_known(v, names, err, errsize) < 0 ||
	    wire_json_str(v, "period", true, 1, sizeof p->period - 1, NULL, p->period,
			  sizeof p->period, err, errsize) < 0 ||
	    wire_json_str(v, "type", true, 1, sizeof p->type - 1, NULL, p->type, sizeof p->type,
			  err, errsize) < 0 ||
	    wire_json_str(v, "calendar", true, 1, sizeof p->calendar - 1, NULL, p->calendar,
			  sizeof p->calendar, err, errsize) < 0)
		return -1;
	if (!d || !(json_is_null(d) || json_is_string(d))) {
		wire_errorf(err, errsize, "field \"deadline\": expected a date or null");
		return -1;
	}
	if (json_is_string(d) && wire_json_str(v, "deadline", true, 10, 10, "a date YYYY-MM-DD",
					       p->deadline, sizeof p->deadline, err, errsize) < 0)
		return -1;
	if (!json_is_boolean(c)) {
		wire_errorf(err, errsize, "field \"closed\": expected true or false");
		return -1;
	}
	p->closed = json_is_true(c);
	return welcome_period_check(p, err, errsize);
}

int welcome_periods_decode(json_t *v, struct welcome_period *p, size_t *n, char *err,
			   size_t errsize)
{
	*n = 0;
	if (!json_is_array(v) || json_array_size(v) > WELCOME_PERIODS_MAX) {
		wire_errorf(err, errsize,
			    "field \"periods\": expected an array of at most %d objects",
			    WELCOME_PERIODS_MAX);
		return -1;
	}
	for (size_t i = 0; i < json_array_size(v); i++) {
		memset(&p[i], 0, sizeof p[i]);
		if (welcome_period_decode(json_array_get(v, i), &p[i], err, errsize) < 0)
			return -1;
	}
	*n = json_array_size(v);
	return 0;
}
