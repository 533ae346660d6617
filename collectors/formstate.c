/*
 * formstate: the officer's form's data and its Save (see formstate.h).
 *
 * Everything here runs on the form's HTTP thread, one request at a time
 * (libmicrohttpd's single polling thread), with an outbox handle of its own:
 * the delivery loop's handle is never touched, and the outbox's own lock
 * orders a save against a `submit` or the sender as it would a second process.
 */
#include "formstate.h"

#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agentstate.h"
#include "catalog.h"
#include "clock.h"
#include "formcache.h"
#include "formcheck.h"
#include "log.h"
#include "message.h"
#include "period.h"
#include "plat.h"
#include "submit.h"

/* The officer's text of code (no parameters); static storage, "" if missing. */
static const char *text_of(const char *code)
{
	const struct message *m = message_find(code);
	return m ? m->text : "";
}

char *formstate_messages(void)
{
	json_t *o = json_object();
	char *s;

	for (size_t i = 0; o && i < message_table_len; i++)
		json_object_set_new(o, message_table[i].code, json_string(message_table[i].text));
	s = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	return s;
}

/*
 * The deadline of period id in the province's last WELCOME (w NULL: none
 * known): the earliest of its calendars' ("" when none is configured or the
 * period is not listed) into due[11]; whether today is past it.
 */
static bool period_deadline(const struct wire_welcome *w, const char *id, char due[11])
{
	int32_t day, today = date_today();
	const char *why;

	due[0] = '\0';
	for (size_t i = 0; w && i < w->nperiods; i++) {
		const struct welcome_period *p = &w->periods[i];
		if (strcmp(p->period, id) == 0 && !p->closed && p->deadline[0] &&
		    (!due[0] || strcmp(p->deadline, due) < 0))
			memcpy(due, p->deadline, 11);
	}
	return due[0] && date_parse(due, strlen(due), &day, &why) == 0 && today > day;
}

/*
 * The period the page opens with: the open one of the province's last WELCOME
 * (w; NULL: none) whose deadline comes next, today's included (in December,
 * the year's report due in mid-December, not last year's); def otherwise.
 */
static void period_due_next(const struct wire_welcome *w, char def[16])
{
	const struct welcome_period *next = NULL;
	int32_t day, today = date_today();
	const char *why;
	struct period p;

	for (size_t i = 0; w && i < w->nperiods; i++) {
		const struct welcome_period *e = &w->periods[i];
		if (!e->closed && e->deadline[0] &&
		    date_parse(e->deadline, strlen(e->deadline), &day, &why) == 0 && day >= today &&
		    period_parse(e->period, strlen(e->period), &p, &why) == 0 &&
		    strlen(e->period) < 16 && (!next || strcmp(e->deadline, next->deadline) < 0))
			next = e;
	}
	if (next)
		snprintf(def, 16, "%s", next->period);
}

/* One period offered, as periods_json appends it. */
static void period_offer(json_t *a, const char *id, const struct wire_welcome *w)
{
	char words[64], due[11];
	struct period p;
	const char *why;

	for (size_t i = 0; i < json_array_size(a); i++)
		if (strcmp(json_string_value(json_object_get(json_array_get(a, i), "id")), id) == 0)
			return; /* offered already */
	if (period_parse(id, strlen(id), &p, &why) < 0)
		return; /* the province's word is not trusted blindly: a period this agent reads */
	period_words_vi(&p, words, sizeof words);
	bool overdue = period_deadline(w, id, due);
	json_array_append_new(a, json_pack("{s:s,s:s,s:o,s:b}", "id", id, "words", words,
					   "deadline", due[0] ? json_string(due) : json_null(),
					   "overdue", overdue));
}

static int period_order(const void *a, const void *b)
{
	const char *x = json_string_value(json_object_get(*(json_t *const *)a, "id"));
	const char *y = json_string_value(json_object_get(*(json_t *const *)b, "id"));
	return strcmp(x, y); /* "2025" < "2025Q4" < "2025S1" < "2026": by year, then finer */
}

/*
 * The periods offered: the last three years and the half-years of the last
 * two, and every open period the province's last WELCOME (w, NULL if none)
 * listed (a quarter or a month of a catalogue that asks for them), in order;
 * each with its deadline ("deadline": ISO date or null) and whether it is
 * past ("overdue") as that WELCOME gave it.
 */
static json_t *periods_json(int year, const struct wire_welcome *w)
{
	json_t *a = json_array(), *sorted = json_array();
	char id[16];

	for (int y = year - 2; y <= year; y++) {
		const char *forms[] = {"%d", "%dS1", "%dS2"};
		for (size_t k = 0; k < 3; k++) {
			if (k > 0 && y < year - 1)
				continue;
			snprintf(id, sizeof id, forms[k], y);
			period_offer(a, id, w);
		}
	}
	for (size_t i = 0; w && i < w->nperiods; i++)
		if (!w->periods[i].closed)
			period_offer(a, w->periods[i].period, w);
	size_t n = json_array_size(a);
	json_t **e = calloc(n ? n : 1, sizeof *e);
	if (!e || !sorted) {
		free(e);
		json_decref(sorted);
		return a; /* out of memory: offered unsorted */
	}
	for (size_t i = 0; i < n; i++)
		e[i] = json_array_get(a, i);
	qsort(e, n, sizeof *e, period_order);
	for (size_t i = 0; i < n; i++)
		json_array_append(sorted, e[i]);
	free(e);
	json_decref(a);
	return sorted;
}

/*
 * The catalogue's indicators for period p; "expected" says whether a unit of
 * tier (an enum tier bit; 0 when the province has not said: every indicator)
 * reports it, by its levels (a ratio's are its numerator's).
 */
static json_t *indicators_json(const struct catalog *cat, const struct period *p, unsigned tier)
{
	json_t *a = json_array();

	for (size_t i = 0; cat && i < cat->nindicators; i++) {
		const struct indicator *ind = &cat->indicators[i];
		const struct pillar *pl = catalog_pillar(cat, ind->pillar);
		json_t *o = json_pack(
		    "{s:s,s:s,s:s,s:s,s:s,s:s,s:b,s:i}", "code", ind->code, "name", ind->name_vi,
		    "measure", ind->measure ? ind->measure : "", "kind",
		    catalog_kind_name(ind->kind), "pillar", ind->pillar ? ind->pillar : "",
		    "pillar_name", pl && pl->name_vi ? pl->name_vi : "", "fits",
		    p ? (ind->period_types & (1u << p->type)) != 0 : 1, "decimals", ind->decimals);
		if (o)
			json_object_set_new(o, "expected",
					    json_boolean(!tier || (ind->levels & tier)));
		if (o && ind->kind == IND_RATIO) {
			json_object_set_new(o, "numerator", json_string(ind->numerator));
			json_object_set_new(o, "denominator", json_string(ind->denominator));
			json_object_set_new(o, "factor", json_real(ind->factor));
			json_object_set_new(o, "share", json_boolean(ind->share));
		}
		json_array_append_new(a, o);
	}
	return a;
}

char *formstate_json(struct formcache *fc, struct outbox *ob, const struct agentconf *c,
		     const char *period, const char *csrf)
{
	struct agentstate as;
	struct period p;
	const char *why;
	char def[16];
	time_t now = time(NULL);
	struct tm tm;

	plat_localtime(now, &tm); /* the office's year, not UTC's, on New Year's night */
	agentstate_load(c->outbox_dir, &as);
	const struct catalog *cat = formcache_catalog(fc);
	/* The tier and deadlines of the province's last WELCOME, if it was of this unit: a
	 * small file, read at each request like agent.state. */
	struct wire_welcome w;
	bool known =
	    agentstate_welcome(c->outbox_dir, &w) == 0 && strcmp(w.unit.code, as.scope) == 0;
	if (!period || !*period) {
		snprintf(def, sizeof def, "%d", tm.tm_year + 1900 - 1);
		period_due_next(known ? &w : NULL, def);
		period = def;
	}
	bool valid = period_parse(period, strlen(period), &p, &why) == 0;
	unsigned tier = known ? catalog_tier_from_name(w.unit.tier) : 0;
	json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:I,s:I,s:s}", "csrf", csrf, "unit", as.scope,
			      "collector", as.collector, "catalog_version", cat ? cat->version : "",
			      "period", period, "last_ack", (json_int_t)as.last_ack, "last_contact",
			      (json_int_t)as.last_contact, "last_error", as.last_error);
	if (o) {
		json_object_set_new(o, "period_error", json_string(valid ? "" : why));
		json_object_set_new(o, "tier", json_string(known ? w.unit.tier : ""));
		json_object_set_new(o, "periods",
				    periods_json(tm.tm_year + 1900, known ? &w : NULL));
		json_object_set_new(o, "indicators", indicators_json(cat, valid ? &p : NULL, tier));
		json_object_set_new(o, "sent", formcache_sent(fc, ob, as.scope, period));
		if (!as.scope[0])
			json_object_set_new(o, "notice", json_string(text_of("form_no_unit")));
	}
	char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	return s;
}

/* Collects the rows submit_rows refuses, with the indicator each belongs to. */
struct refusals {
	json_t *errors;
	const struct submit_cells *rows;
};

static void on_refused(size_t index, const char *msg, void *arg)
{
	struct refusals *r = arg;
	json_array_append_new(r->errors, json_pack("{s:s,s:s}", "indicator",
						   r->rows[index].indicator, "message", msg));
}

/*
 * Appends the saved rows to the journal, durably, each value as its canonical
 * number ("1.463" typed is 1463 written: the journal is read back the plain
 * way, by the page and by formcheck); 0 or -1.
 */
static int journal_add(const char *dir, const char *source, const struct submit_cells *rows,
		       size_t n, const struct catalog *cat, const struct submit_result *res)
{
	char path[4096], msg[512];
	struct batch_row row;
	const char *code;
	int rc = 0;

	snprintf(path, sizeof path, "%s/form/journal.tsv", dir);
	int fd = plat_open(PLAT_CWD, path, PLAT_O_WRITE | PLAT_O_APPEND | PLAT_O_CREATE, 0600);
	FILE *fp = fd >= 0 ? fdopen(fd, "a") : NULL;
	if (!fp) {
		if (fd >= 0)
			plat_close(fd);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		/* queued, so checked good: the check gives its canonical text again */
		bool good =
		    submit_cells_check(&rows[i], i, source, cat, &row, &code, msg, sizeof msg) == 0;
		if (fprintf(fp, "%lld\t%s\t%zu\t%llu\t%llu\t%s\t%s\t%s\t%s%s%s\n",
			    (long long)time(NULL), source, i + 1,
			    (unsigned long long)res->first_seq, (unsigned long long)res->last_seq,
			    rows[i].unit, rows[i].indicator, rows[i].period, rows[i].qualifier,
			    rows[i].qualifier[0] ? " " : "",
			    good ? row.value.text : rows[i].value) < 0)
			rc = -1;
	}
	if (fflush(fp) != 0 || plat_sync(fileno(fp)) != 0)
		rc = -1;
	if (fclose(fp) != 0)
		rc = -1;
	return rc;
}

/* {"error": text} with *status. */
static char *error_json(int *status, int code, const char *text)
{
	json_t *o = json_pack("{s:s}", "error", text);
	char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	*status = code;
	return s;
}

/* {"errors": [...]} of the refusals gathered, with *status 422. */
static char *errors_json(json_t *errors, int *status)
{
	json_t *o = json_pack("{s:O}", "errors", errors);
	char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	*status = 422;
	return s;
}

/*
 * The figures of the form's fields into rows[*n] (their qualifiers, owned, in
 * quals[*n]) for unit scope; a note without its figure is refused into errors.
 * 0, or -1 when nothing is to be saved: *out is then the answer (with
 * *status) for a field that is neither a figure nor a note, NULL for a
 * failure.
 */
static int form_rows(const struct formbody *body, const char *scope, struct submit_cells *rows,
		     char **quals, size_t *n, json_t *errors, char **out, int *status)
{
	const char *period = formbody_get(body, "period");
	char msg[512];

	for (size_t i = 0; i < formbody_count(body); i++) {
		const char *k = formbody_name(body, i), *v = formbody_value(body, i);
		if (strcmp(k, "csrf") == 0 || strcmp(k, "period") == 0)
			continue;
		if (strncmp(k, "n.", 2) == 0 && formcheck_note_alone(body, k + 2)) {
			message_format(msg, sizeof msg, "form_note_alone", k + 2, NULL);
			json_array_append_new(
			    errors, json_pack("{s:s,s:s}", "indicator", k + 2, "message", msg));
			continue;
		}
		if (strncmp(k, "n.", 2) == 0)
			continue; /* saved with its figure, below */
		if (strncmp(k, "v.", 2) != 0) {
			message_format(msg, sizeof msg, "form_bad_field", k, NULL);
			*out = error_json(status, 422, msg);
			return -1;
		}
		v += strspn(v, " ");
		if (!*v)
			continue; /* left empty: not reported yet */
		if (formcheck_qualified(v, &quals[*n], &v) < 0)
			return -1;
		rows[*n] = (struct submit_cells){scope, k + 2,	   period ? period : "",
						 v,	quals[*n], formcheck_note(body, k + 2)};
		(*n)++;
	}
	return 0;
}

char *formstate_save(struct formcache *fc, struct outbox *ob, const struct agentconf *c,
		     const struct formbody *body, int *status)
{
	struct agentstate as;
	struct submit_cells *rows = calloc(formbody_count(body) + 1, sizeof *rows);
	char **quals = calloc(formbody_count(body) + 1, sizeof *quals);
	struct submit_result res;
	struct refusals ref = {json_array(), rows};
	char msg[512], err[512], source[4096], name[64], num[32];
	size_t n = 0;
	char *out = NULL;
	const struct catalog *cat = NULL;

	if (!rows || !quals || !ref.errors)
		goto done;
	agentstate_load(c->outbox_dir, &as);
	if (!as.scope[0]) {
		out = error_json(status, 409, text_of("form_no_unit"));
		goto done;
	}
	if (form_rows(body, as.scope, rows, quals, &n, ref.errors, &out, status) < 0)
		goto done;
	if (json_array_size(ref.errors)) { /* a note alone: nothing is saved */
		out = errors_json(ref.errors, status);
		goto done;
	}
	if (n == 0) {
		message_format(msg, sizeof msg, "form_nothing", NULL);
		out = error_json(status, 422, msg);
		goto done;
	}
	snprintf(source, sizeof source, "%s/form", c->outbox_dir);
	if (plat_mkdir(PLAT_CWD, source, 0700) != 0 && errno != EEXIST) {
		out = error_json(status, 500, strerror(errno));
		goto done;
	}
	snprintf(name, sizeof name, "form-%lld", (long long)clock_real_us() / 1000);
	snprintf(source, sizeof source, "%s/form/%s", c->outbox_dir, name);
	cat = formcache_catalog(fc);
	if (submit_rows(ob, source, rows, n, cat, (size_t)c->batch_rows, on_refused, &ref, &res,
			err, sizeof err) < 0) {
		out = json_array_size(ref.errors) ? errors_json(ref.errors, status)
						  : error_json(status, 500, err);
		goto done;
	}
	/* The figures are durable in the outbox; the journal only feeds the display. */
	if (journal_add(c->outbox_dir, name, rows, n, cat, &res) < 0)
		log_warn("form: cannot add to %s/form/journal.tsv: %s", c->outbox_dir,
			 strerror(errno));
	snprintf(num, sizeof num, "%zu", n);
	message_format(msg, sizeof msg, "form_saved", num, NULL);
	json_t *o = json_pack("{s:I,s:s}", "rows", (json_int_t)n, "message", msg);
	out = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	*status = 200;
done:
	json_decref(ref.errors);
	for (size_t i = 0; quals && i < n; i++)
		free(quals[i]);
	free(quals);
	free(rows);
	return out;
}

char *formstate_check(struct formcache *fc, struct outbox *ob, const struct agentconf *c,
		      const struct formbody *body, int *status)
{
	struct agentstate as;
	const char *period = formbody_get(body, "period");

	agentstate_load(c->outbox_dir, &as);
	if (!as.scope[0]) /* every figure would be refused for its unit: say why once */
		return error_json(status, 409, text_of("form_no_unit"));
	const struct catalog *cat = formcache_catalog(fc);
	json_t *sent = formcache_sent(fc, ob, as.scope, period ? period : "");
	char *out = formcheck_json(cat, as.scope, body, sent);
	json_decref(sent);
	*status = 200;
	return out;
}
