/*
 * formcheck: the form's live checks (see formcheck.h).  A rule lives in
 * submit_row.c and lib/num.c; this file only asks them, then puts each
 * ratio's parts side by side as ingest_check_ratios does in the database.
 */
#include "formcheck.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "message.h"
#include "num.h"
#include "period.h"
#include "plat.h"
#include "submit.h"

/* One indicator's figure for the ratios: typed on the page, or as sent before. */
struct figure {
	bool have, typed;
	double v;
	char vi[48]; /* v the Vietnamese way, with the decimals written */
};

int formcheck_qualified(const char *text, char **qual, const char **value)
{
	size_t at = strcspn(text, "+-0123456789");
	size_t len = at;

	while (len > 0 && text[len - 1] == ' ')
		len--;
	if ((*qual = plat_strndup(text, len)) == NULL)
		return -1;
	*value = text[at] ? text + at : text; /* no digit: the whole text, for its message */
	if (!text[at])
		(*qual)[0] = '\0';
	return 0;
}

const char *formcheck_note(const struct formbody *body, const char *code)
{
	char name[FORMBODY_TEXT_MAX + 3];

	snprintf(name, sizeof name, "n.%s", code);
	const char *note = formbody_get(body, name);
	return note ? note : "";
}

int formcheck_note_alone(const struct formbody *body, const char *code)
{
	char name[FORMBODY_TEXT_MAX + 3];
	const char *note = formcheck_note(body, code);

	snprintf(name, sizeof name, "v.%s", code);
	const char *v = formbody_get(body, name);
	return note[strspn(note, " ")] && (!v || !v[strspn(v, " ")]);
}

/* A checked number the Vietnamese way, with as many decimals as were written. */
static void vi_of(const struct num *n, char *buf, size_t size)
{
	const char *dot = strchr(n->text, '.');
	num_format_vi(n->value, dot ? (int)strlen(dot + 1) : 0, buf, size);
}

/*
 * Checks text as the figure of indicator code with submit's checks; 0 with
 * fig and the good figure's fields in *ok, or -1 with the refusal's code and
 * message; -2 when out of memory.
 */
static int check_one(const struct catalog *cat, const char *unit, const char *period,
		     const char *code, const char *text, const char *note, struct figure *fig,
		     json_t **ok, const char **why, char *msg, size_t msgsize)
{
	struct batch_row row;
	const char *value;
	char *qual;

	if (formcheck_qualified(text, &qual, &value) < 0)
		return -2;
	struct submit_cells cells = {unit, code, period, value, qual, note};
	int rc = submit_cells_check(&cells, 0, "form", cat, &row, why, msg, msgsize);
	if (rc == 0) {
		fig->have = true;
		fig->v = row.value.value;
		vi_of(&row.value, fig->vi, sizeof fig->vi);
		*ok = json_pack("{s:s,s:s,s:s}", "value", row.value.text, "shown", fig->vi,
				"qualifier", qual);
	}
	free(qual);
	return rc;
}

/* fields[code] = {"code","message","blocking"}. */
static void flag(json_t *fields, const char *code, const char *why, const char *msg, bool blocking)
{
	json_object_set_new(
	    fields, code,
	    json_pack("{s:s,s:s,s:b}", "code", why, "message", msg, "blocking", blocking));
}

/* Whether fields[code] is a refusal already. */
static bool blocked(json_t *fields, const char *code)
{
	return json_is_true(json_object_get(json_object_get(fields, code), "blocking"));
}

/* The ratio r from its parts n and d (n_at, d_at: their inputs are on the page). */
static void check_ratio(const struct catalog *cat, const struct indicator *r,
			const struct figure *n, const struct figure *d, json_t *fields,
			json_t *ratios)
{
	char pct[64], name[512], msg[1024];

	snprintf(name, sizeof name, "\"%s\" (%s)", r->name_vi, r->code);
	if (n->have && d->have && d->v != 0) {
		int len = num_format_vi(n->v / d->v * r->factor, 2, pct, sizeof pct - 3);
		if (r->factor == 100 && len > 0 && (size_t)len < sizeof pct - 3)
			strcat(pct, " %");
		json_object_set_new(ratios, r->code, json_pack("{s:s}", "percent", pct));
	}
	/* A share's part above its whole, as ingest_check_ratio_side refuses it. */
	if (r->share && n->have && d->have && n->v > d->v && (n->typed || d->typed) &&
	    !blocked(fields, r->numerator) && !blocked(fields, r->denominator)) {
		const struct figure *here = n->typed ? n : d, *other = n->typed ? d : n;
		message_format(
		    msg, sizeof msg,
		    n->typed ? "numerator_exceeds_denominator" : "denominator_below_numerator",
		    n->typed ? r->numerator : r->denominator, here->vi,
		    n->typed ? r->denominator : r->numerator, other->vi,
		    message_find(other->typed ? "source_this_commit" : "source_stored")->text, name,
		    NULL);
		flag(fields, n->typed ? r->numerator : r->denominator,
		     "numerator_exceeds_denominator", msg, true);
	}
	/* Half a ratio: the province takes it, but the ratio waits for the other half. */
	const struct figure *lone = n->typed && !d->have ? n : d->typed && !n->have ? d : NULL;
	const char *missing = lone == n ? r->denominator : r->numerator;
	if (lone && json_object_get(fields, missing) && !blocked(fields, missing)) {
		const struct indicator *mi = catalog_find(cat, missing);
		char other[512];
		snprintf(other, sizeof other, "\"%s\" (%s)", mi ? mi->name_vi : missing, missing);
		message_format(msg, sizeof msg, "form_ratio_half", other, name, NULL);
		flag(fields, missing, "form_ratio_half", msg, false);
	}
}

/* A note without its figure would be lost: refused as a save would refuse it. */
static void flag_notes_alone(const struct formbody *body, json_t *fields)
{
	char msg[1024];

	for (size_t i = 0; i < formbody_count(body); i++) {
		const char *k = formbody_name(body, i);
		if (strncmp(k, "n.", 2) != 0 || !formcheck_note_alone(body, k + 2))
			continue;
		message_format(msg, sizeof msg, "form_note_alone", k + 2, NULL);
		flag(fields, k + 2, "form_note_alone", msg, true);
	}
}

/* The parts not typed, as sent (unless refused): checked when saved, written as
 * canonical numbers ("hơn 1463", "89.52"). */
static void figures_sent(const struct catalog *cat, json_t *sent, struct figure *figs)
{
	const char *why;

	for (size_t i = 0; cat && i < cat->nindicators; i++) {
		json_t *s = json_object_get(sent, cat->indicators[i].code);
		const char *st = json_string_value(json_object_get(s, "state"));
		const char *text = json_string_value(json_object_get(s, "value"));
		struct num n;
		if (figs[i].typed || !text || (st && strcmp(st, "state_refused") == 0))
			continue;
		text += strcspn(text, "+-0123456789");
		if (num_parse_decimal(text, strlen(text), '.', &n, &why) == 0) {
			figs[i].have = true;
			figs[i].v = n.value;
			vi_of(&n, figs[i].vi, sizeof figs[i].vi);
		}
	}
}

char *formcheck_json(const struct catalog *cat, const char *unit, const struct formbody *body,
		     json_t *sent)
{
	const char *period = formbody_get(body, "period");
	size_t nind = cat ? cat->nindicators : 0;
	struct figure *figs = calloc(nind + 1, sizeof *figs);
	json_t *o = json_object(), *fields = json_object(), *ratios = json_object();
	char msg[1024], *out = NULL;
	const char *why;

	if (!figs || !o || !fields || !ratios)
		goto done;
	period = period ? period : "";
	for (size_t i = 0; i < formbody_count(body); i++) {
		const char *k = formbody_name(body, i), *v = formbody_value(body, i);
		if (strncmp(k, "v.", 2) != 0)
			continue;
		const char *code = k + 2;
		const struct indicator *ind = cat ? catalog_find(cat, code) : NULL;
		struct figure scratch = {0}, *fig = ind ? &figs[ind - cat->indicators] : &scratch;
		json_t *ok = NULL;
		v += strspn(v, " ");
		if (!*v) {
			json_t *s = json_object_get(sent, code);
			const char *st = json_string_value(json_object_get(s, "state"));
			if (!s || (st && strcmp(st, "state_refused") == 0)) {
				message_format(msg, sizeof msg, "form_required_empty", NULL);
				flag(fields, code, "form_required_empty", msg, false);
			}
			continue;
		}
		int rc = check_one(cat, unit, period, code, v, formcheck_note(body, code), fig, &ok,
				   &why, msg, sizeof msg);
		if (rc == -2)
			goto done;
		fig->typed = true;
		if (rc < 0)
			flag(fields, code, why, msg, true);
		else
			json_object_set_new(fields, code, ok);
	}
	flag_notes_alone(body, fields);
	figures_sent(cat, sent, figs);
	struct period p;
	bool valid = period_parse(period, strlen(period), &p, &why) == 0;
	for (size_t i = 0; i < nind; i++) {
		const struct indicator *r = &cat->indicators[i];
		const struct indicator *n = catalog_find(cat, r->numerator ? r->numerator : "");
		const struct indicator *d = catalog_find(cat, r->denominator ? r->denominator : "");
		if (r->kind != IND_RATIO || !n || !d ||
		    (valid && !(r->period_types & (1u << p.type))))
			continue;
		check_ratio(cat, r, &figs[n - cat->indicators], &figs[d - cat->indicators], fields,
			    ratios);
	}
	json_object_set(o, "fields", fields);
	json_object_set(o, "ratios", ratios);
	out = json_dumps(o, JSON_COMPACT);
done:
	json_decref(fields);
	json_decref(ratios);
	json_decref(o);
	free(figs);
	return out;
}
