/*
 * form (agent): the officer's form without a browser.  formstate_save queues
 * the figures through submit_rows (the checks and messages of submit), or
 * refuses them naming each indicator; formstate_json shows what was saved
 * with its state; submit_rows refuses a form with a bad row whole;
 * formcheck_json answers the page's live checks with submit's rules.
 */
#include "testutil.h"

#include <jansson.h>
#include <sys/stat.h>
#include <time.h>

#include "agentconf.h"
#include "agentstate.h"
#include "formbody.h"
#include "formcache.h"
#include "formcheck.h"
#include "formstate.h"
#include "message.h"
#include "outbox.h"
#include "rejects.h"
#include "submit.h"

struct fixture {
	char *dir;
	struct agentconf *c;
	struct outbox *ob;
	struct formcache *fc;
};

static int setup(void **state)
{
	static struct fixture fx;
	char err[512], path[512];
	struct agentstate as = {0};

	fx.dir = strdup(test_tmpdir());
	fx.c = agentconf_load(NULL, err, sizeof err);
	assert_non_null(fx.c);
	free(fx.c->outbox_dir);
	fx.c->outbox_dir = strdup(fx.dir);
	fx.ob = outbox_open(fx.dir, 0, 1000, err, sizeof err);
	assert_non_null(fx.ob);
	fx.fc = formcache_new(fx.dir);
	assert_non_null(fx.fc);
	snprintf(as.scope, sizeof as.scope, "21298");
	snprintf(as.collector, sizeof as.collector, "xa-21298");
	assert_int_equal(agentstate_save(fx.dir, &as), 0);
	char *json = catalog_to_json(test_cat());
	snprintf(path, sizeof path, "%s/catalog.json", fx.dir);
	assert_int_equal(test_write(path, json, strlen(json)), 0);
	free(json);
	*state = &fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	outbox_close(&fx->ob);
	formcache_destroy(&fx->fc);
	agentconf_destroy(&fx->c);
	test_rm_rf(fx->dir);
	free(fx->dir);
	return 0;
}

/* Each answer of a save, from refused to saved. */
static void save_cases(struct fixture *fx)
{
	static const struct {
		const char *name, *body;
		int status;
		const char *has; /* a part of the answer */
	} cases[] = {
	    {"nothing", "csrf=x&period=2024&v.population=", 422, "Chưa nhập số liệu nào"},
	    {"unknown field", "period=2024&x=1", 422, "\\\"x\\\""},
	    {"negative count", "period=2024&v.population=-5&v.households=1440", 422,
	     "\"indicator\":\"population\""},
	    {"ratio typed", "period=2024&v.online_payment_procedures_pct=60", 422,
	     "online_payment_procedures_pct"},
	    {"bad period", "period=2024H1&v.population=5000", 422, "2024S1"},
	    {"bad qualifier", "period=2024&v.population=g%E1%BA%A7n+5000", 422, "\\\"gần\\\""},
	    {"note alone",
	     "period=2024&v.population=5000&n.households=theo+b%C3%A1o+c%C3%A1o+qu%C3%BD", 422,
	     "\"indicator\":\"households\""},
	    {"saved",
	     "period=2024&v.population=5000&n.population=%C6%B0%E1%BB%9Bc+t%C3%ADnh&v.internet_"
	     "users=h%C6%A1n+264",
	     200, "\"rows\":2"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char err[128];
		int status = 0;
		struct formbody *b =
		    formbody_parse(cases[i].body, strlen(cases[i].body), err, sizeof err);
		assert_non_null(b);
		char *out = formstate_save(fx->fc, fx->ob, fx->c, b, &status);
		CHECK_INT(cases[i].name, cases[i].status, status);
		CHECK_HAS(cases[i].name, cases[i].has, out);
		free(out);
		formbody_destroy(&b);
	}
}

/* Only the last case queued anything: one batch, two rows, shown as waiting. */
static void save_waiting(struct fixture *fx)
{
	struct outbox_stats st;
	assert_int_equal(outbox_stats(fx->ob, &st), 0);
	CHECK_INT("batches", 1, st.pending_batches);
	CHECK_INT("rows", 2, st.pending_rows);

	char *json = formstate_json(fx->fc, fx->ob, fx->c, "2024", "tok");
	json_t *o = json_loads(json, 0, NULL);
	assert_non_null(o);
	json_t *pop = json_object_get(json_object_get(o, "sent"), "population");
	CHECK_STR("value", "5000", json_string_value(json_object_get(pop, "value")));
	CHECK_STR("state", "state_waiting", json_string_value(json_object_get(pop, "state")));
	json_t *iu = json_object_get(json_object_get(o, "sent"), "internet_users");
	CHECK_STR("qualified", "hơn 264", json_string_value(json_object_get(iu, "value")));
	CHECK_STR("label", message_find("state_waiting")->text,
		  json_string_value(json_object_get(pop, "label")));
	CHECK_STR("csrf", "tok", json_string_value(json_object_get(o, "csrf")));
	CHECK_INT("indicators", test_cat()->nindicators,
		  json_array_size(json_object_get(o, "indicators")));
	json_decref(o);
	free(json);
}

/* The live check of the page: the cached unit and catalogue, and what was sent. */
static void save_live_check(struct fixture *fx)
{
	const char *cb = "csrf=x&period=2024&v.population=1.463&v.households=";
	char cerr[128];
	struct formbody *b = formbody_parse(cb, strlen(cb), cerr, sizeof cerr);
	int cstatus = 0;
	char *json = formstate_check(fx->fc, fx->ob, fx->c, b, &cstatus);
	CHECK_INT("checked", 200, cstatus);
	CHECK_HAS("checked", "\"population\":{\"value\":\"1463\",\"shown\":\"1.463\"", json);
	CHECK_HAS("empty", "\"households\":{\"code\":\"form_required_empty\"", json);
	free(json);
	formbody_destroy(&b);
}

/* Delivered: the batch leaves the outbox, the figure reads "tỉnh đã nhận". */
static void save_received(struct fixture *fx)
{
	uint64_t *seqs;
	size_t n;
	assert_int_equal(outbox_list(fx->ob, &seqs, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(outbox_remove(fx->ob, seqs[0]), 0);
	free(seqs);
	char *json = formstate_json(fx->fc, fx->ob, fx->c, "2024", "tok");
	CHECK_HAS("received", "\"state\":\"state_received\"", json);
	free(json);
}

/* Refused by the province: the sender wrote the row (line 2 of the save) beside the
 * save's source; the page shows the reason. */
static void save_refused(struct fixture *fx)
{
	char path[512], rjpath[600], err[256], line[1024];
	snprintf(path, sizeof path, "%s/form/journal.tsv", fx->dir);
	FILE *fp = fopen(path, "r");
	assert_non_null(fp);
	assert_non_null(fgets(line, sizeof line, fp));
	fclose(fp);
	line[strcspn(line, "\t")] = '\0';
	char *source = line + strlen(line) + 1;
	source[strcspn(source, "\t")] = '\0';
	snprintf(rjpath, sizeof rjpath, "%s/form/%s.rejected.csv", fx->dir, source);
	struct rejects *rj = rejects_open(rjpath, err, sizeof err);
	assert_non_null(rj);
	const char *f[REJECTS_NCOLUMNS] = {"2",	  "21298", "internet_users", "2024",
					   "264", "",	   "period_locked",  "Kỳ 2024 đã khóa sổ"};
	assert_int_equal(rejects_add(rj, f), 0);
	assert_int_equal(rejects_close(&rj, err, sizeof err), 0);
	char *json = formstate_json(fx->fc, fx->ob, fx->c, "2024", "tok");
	json_t *o = json_loads(json, 0, NULL);
	json_t *iu = json_object_get(json_object_get(o, "sent"), "internet_users");
	CHECK_STR("refused", "state_refused", json_string_value(json_object_get(iu, "state")));
	CHECK_STR("reason", "Kỳ 2024 đã khóa sổ", json_string_value(json_object_get(iu, "reason")));
	json_t *pop = json_object_get(json_object_get(o, "sent"), "population");
	CHECK_STR("line 1 still received", "state_received",
		  json_string_value(json_object_get(pop, "state")));
	json_decref(o);
	free(json);
}

static void test_save(void **state)
{
	struct fixture *fx = *state;

	save_cases(fx);
	save_waiting(fx);
	save_live_check(fx);
	save_received(fx);
	save_refused(fx);
}

static const char *or_null(const char *s)
{
	return s ? s : "null";
}

/* The entry of array whose key is value (the period offered, the indicator listed). */
static json_t *entry(json_t *o, const char *array, const char *key, const char *value)
{
	json_t *a = json_object_get(o, array);

	for (size_t i = 0; i < json_array_size(a); i++) {
		json_t *e = json_array_get(a, i);
		if (strcmp(json_string_value(json_object_get(e, key)), value) == 0)
			return e;
	}
	fail_msg("%s: no %s %s", array, key, value);
	return NULL;
}

static json_t *offered(json_t *o, const char *id)
{
	return entry(o, "periods", "id", id);
}

/* Whether period id is offered, and the ids offered are in order. */
static bool has_period(json_t *o, const char *id)
{
	json_t *a = json_object_get(o, "periods");
	bool found = false;

	for (size_t i = 0; i < json_array_size(a); i++) {
		const char *at = json_string_value(json_object_get(json_array_get(a, i), "id"));
		found = found || strcmp(at, id) == 0;
		if (i > 0)
			assert_true(strcmp(json_string_value(
					       json_object_get(json_array_get(a, i - 1), "id")),
					   at) < 0);
	}
	return found;
}

static bool expected(json_t *o, const char *code)
{
	return json_is_true(json_object_get(entry(o, "indicators", "code", code), "expected"));
}

/*
 * A WELCOME of version 2 for unit (of tier) kept in dir/welcome.json, this
 * year being y: last year's deadline past, this year's and last year's
 * statistical one far ahead, a closed half-year, an open quarter and a
 * closed month of last year.
 */
static void welcome_save(const char *dir, const char *unit, const char *tier, int y)
{
	char welcome[2048];
	int n = snprintf(
	    welcome, sizeof welcome,
	    "{\"server\":\"s\",\"collector\":\"xa-21298\",\"scope\":\"%s\",\"max_rows\":1,"
	    "\"max_body\":1,\"catalog_version\":\"2024.1\",\"unit\":{\"code\":\"%s\","
	    "\"name_vi\":\"X\",\"tier\":\"%s\"},\"periods\":["
	    "{\"period\":\"%d\",\"type\":\"yearly\",\"calendar\":\"administrative\","
	    "\"deadline\":\"%d-12-19\",\"closed\":false},"
	    "{\"period\":\"%d\",\"type\":\"yearly\",\"calendar\":\"statistical\","
	    "\"deadline\":\"2100-02-01\",\"closed\":false},"
	    "{\"period\":\"%d\",\"type\":\"yearly\",\"calendar\":\"administrative\","
	    "\"deadline\":\"2100-01-01\",\"closed\":false},"
	    "{\"period\":\"%dS1\",\"type\":\"six-monthly\",\"calendar\":\"administrative\","
	    "\"deadline\":\"2100-01-01\",\"closed\":true},"
	    "{\"period\":\"%dQ4\",\"type\":\"quarterly\",\"calendar\":\"statistical\","
	    "\"deadline\":\"2100-03-01\",\"closed\":false},"
	    "{\"period\":\"%d11\",\"type\":\"monthly\",\"calendar\":\"statistical\","
	    "\"deadline\":\"2100-03-01\",\"closed\":true}]}",
	    unit, unit, tier, y - 1, y - 1, y, y, y, y - 1, y - 1);
	assert_int_equal(agentstate_file_save(dir, "welcome.json", welcome, (size_t)n), 0);
}

/*
 * The deadlines and the tier of the province's last WELCOME of version 2
 * (welcome.json): each period offered gets the earliest open deadline of its
 * calendars, or null; an indicator is expected when its levels hold the tier;
 * without a WELCOME of this unit nothing is known: no deadline, all expected.
 */
static void test_deadlines(void **state)
{
	struct fixture *fx = *state;
	time_t now = time(NULL);
	struct tm tm;
	char y0[8], y1[8], h1[8];
	localtime_r(&now, &tm);
	int y = tm.tm_year + 1900;
	snprintf(y0, sizeof y0, "%d", y);
	snprintf(y1, sizeof y1, "%d", y - 1);
	snprintf(h1, sizeof h1, "%dS1", y);
	static const struct {
		const char *unit;
		const char *tier;
	} whose[] = {{NULL, NULL}, {"536", "district"}, {"21298", "commune"}};

	for (size_t k = 0; k < sizeof whose / sizeof whose[0]; k++) {
		if (whose[k].unit)
			welcome_save(fx->dir, whose[k].unit, whose[k].tier, y);
		bool known = whose[k].unit && strcmp(whose[k].unit, "21298") == 0;
		char *json = formstate_json(fx->fc, fx->ob, fx->c, y0, "tok");
		json_t *o = json_loads(json, 0, NULL), *p;
		assert_non_null(o);
		char want[16];
		snprintf(want, sizeof want, "%d-12-19", y - 1);
		p = offered(o, y1);
		CHECK_STR("last year", known ? want : "null",
			  or_null(json_string_value(json_object_get(p, "deadline"))));
		CHECK_INT("last year overdue", known, json_is_true(json_object_get(p, "overdue")));
		p = offered(o, y0);
		CHECK_STR("this year: the earliest calendar", known ? "2100-01-01" : "null",
			  or_null(json_string_value(json_object_get(p, "deadline"))));
		CHECK_INT("this year not overdue", 0, json_is_true(json_object_get(p, "overdue")));
		CHECK_INT("closed: no deadline", 1,
			  json_is_null(json_object_get(offered(o, h1), "deadline")));
		/* A quarter the province asks for is offered; a closed month is not. */
		char q4[8], m11[8];
		snprintf(q4, sizeof q4, "%dQ4", y - 1);
		snprintf(m11, sizeof m11, "%d11", y - 1);
		CHECK_INT("an open quarter of the WELCOME", known, has_period(o, q4));
		if (known)
			CHECK_STR("its deadline", "2100-03-01",
				  json_string_value(json_object_get(offered(o, q4), "deadline")));
		CHECK_INT("a closed month of the WELCOME", 0, has_period(o, m11));
		/* Opened without a period: the one due next (this year's, 2100-01-01). */
		char *text = formstate_json(fx->fc, fx->ob, fx->c, "", "tok");
		json_t *first = json_loads(text, 0, NULL);
		CHECK_STR("the period due next", known ? y0 : y1,
			  json_string_value(json_object_get(first, "period")));
		json_decref(first);
		free(text);
		CHECK_STR("tier", known ? "commune" : "",
			  json_string_value(json_object_get(o, "tier")));
		CHECK_INT("a commune's indicator", 1, expected(o, "population"));
		CHECK_INT("a district's indicator", !known, expected(o, "id_card_applications"));
		json_decref(o);
		free(json);
	}
}

static void on_refused(size_t index, const char *msg, void *arg)
{
	char *buf = arg;
	snprintf(buf + strlen(buf), 512 - strlen(buf), "%zu: %s; ", index, msg);
}

/* submit_rows: the same figure twice, or one bad row, and nothing is queued. */
static void test_rows(void **state)
{
	struct fixture *fx = *state;
	struct submit_cells rows[] = {
	    {"21298", "population", "2023", "5000", "", ""},
	    {"21298", "population", "2023", "4999", "", ""},
	    {"21298", "households", "2023", "12,5", "", ""},
	};
	struct submit_result res;
	char refused[512] = "", err[256];
	struct outbox_stats before, after;

	outbox_stats(fx->ob, &before);
	assert_int_equal(submit_rows(fx->ob, "/x/form-1", rows, 3, test_cat(), 1000, on_refused,
				     refused, &res, err, sizeof err),
			 -1);
	CHECK_HAS("duplicate", "1: 21298 population 2023", refused);
	CHECK_HAS("not integer", "2: ", refused);
	CHECK_STR("no outbox error", "", err);
	outbox_stats(fx->ob, &after);
	CHECK_INT("nothing queued", before.next_seq, after.next_seq);
	refused[0] = '\0';
	assert_int_equal(submit_rows(fx->ob, "/x/form-2", rows, 1, test_cat(), 1000, on_refused,
				     refused, &res, err, sizeof err),
			 0);
	CHECK_INT("rows", 1, res.rows);
	CHECK_STR("refused", "", refused);
}

/* formcheck_json: what the page shows as the officer types, from submit's checks. */
/* A case of test_check: the form sent, and a key of formcheck_json's answer. */
struct check_case {
	const char *name, *body, *sent; /* sent: /api/state's "sent", or NULL */
	const char *where, *code, *key; /* fields.code.key or ratios.code.key */
	const char *want;		/* NULL: the key is absent */
};

/* Checks the form of c as the page would, and the key c names in the answer. */
static void check_case_run(const struct check_case *c)
{
	char err[128];
	struct formbody *b = formbody_parse(c->body, strlen(c->body), err, sizeof err);
	assert_non_null(b);
	json_t *sent = c->sent ? json_loads(c->sent, 0, NULL) : NULL;
	char *out = formcheck_json(test_cat(), "21298", b, sent);
	assert_non_null(out);
	json_t *o = json_loads(out, 0, NULL);
	assert_non_null(o);
	json_t *v = json_object_get(json_object_get(json_object_get(o, c->where), c->code), c->key);
	const char *got = json_is_true(v)    ? "true"
			  : json_is_false(v) ? "false"
					     : json_string_value(v);
	if (!c->want && v)
		fail_msg("%s: %s present in %s", c->name, c->key, out);
	if (c->want)
		CHECK_STR(c->name, c->want, got ? got : "(absent)");
	json_decref(o);
	json_decref(sent);
	free(out);
	formbody_destroy(&b);
}

static void test_check(void **state)
{
	(void)state;
	char neg[512], over[512], under[512], half[512], empty[512];
	const char *ratio = "\"Tỷ lệ thủ tục hành chính được triển khai thanh toán trực tuyến\" "
			    "(online_payment_procedures_pct)";
	message_format(neg, sizeof neg, "negative_value", "population", "-5", NULL);
	message_format(over, sizeof over, "numerator_exceeds_denominator",
		       "procedures_with_online_payment", "23", "procedures_with_fees", "14",
		       message_find("source_this_commit")->text, ratio, NULL);
	message_format(under, sizeof under, "numerator_exceeds_denominator",
		       "procedures_with_online_payment", "23", "procedures_with_fees", "14",
		       message_find("source_stored")->text, ratio, NULL);
	message_format(empty, sizeof empty, "form_required_empty", NULL);
	char longnote[400]; /* a note over the protocol's BATCH_NOTE_MAX bytes */
	int at = snprintf(longnote, sizeof longnote, "period=2024&v.population=5&n.population=");
	memset(longnote + at, 'a', BATCH_NOTE_MAX + 1);
	longnote[at + BATCH_NOTE_MAX + 1] = '\0';
	const struct indicator *fees = catalog_find(test_cat(), "procedures_with_fees");
	char other[512];
	snprintf(other, sizeof other, "\"%s\" (procedures_with_fees)", fees->name_vi);
	message_format(half, sizeof half, "form_ratio_half", other, ratio, NULL);
	const struct check_case cases[] = {
	    {"plain count", "period=2024&v.population=1463", NULL, "fields", "population", "shown",
	     "1.463"},
	    {"count the Vietnamese way", "period=2024&v.population=1.463", NULL, "fields",
	     "population", "value", "1463"},
	    {"decimal comma on a count", "period=2024&v.population=1%2C463", NULL, "fields",
	     "population", "code", "bad_value"},
	    {"qualifier", "period=2024&v.population=h%C6%A1n+2.000", NULL, "fields", "population",
	     "qualifier", "hơn"},
	    {"negative count", "period=2024&v.population=-5", NULL, "fields", "population",
	     "message", neg},
	    {"negative blocks", "period=2024&v.population=-5", NULL, "fields", "population",
	     "blocking", "true"},
	    {"words only", "period=2024&v.population=abc", NULL, "fields", "population", "code",
	     "bad_value"},
	    {"ratio computed",
	     "period=2024&v.procedures_with_online_payment=14&v.procedures_with_fees=23", NULL,
	     "ratios", "online_payment_procedures_pct", "percent", "60,87 %"},
	    {"share above its whole",
	     "period=2024&v.procedures_with_online_payment=23&v.procedures_with_fees=14", NULL,
	     "fields", "procedures_with_online_payment", "message", over},
	    {"against the figure sent",
	     "period=2024&v.procedures_with_online_payment=23&v.procedures_with_fees=",
	     "{\"procedures_with_fees\":{\"value\":\"14\",\"state\":\"state_received\"}}", "fields",
	     "procedures_with_online_payment", "message", under},
	    {"a refused figure does not count",
	     "period=2024&v.procedures_with_online_payment=23&v.procedures_with_fees=",
	     "{\"procedures_with_fees\":{\"value\":\"14\",\"state\":\"state_refused\"}}", "fields",
	     "procedures_with_online_payment", "message", NULL},
	    {"half a ratio",
	     "period=2024&v.procedures_with_online_payment=14&v.procedures_with_fees=", NULL,
	     "fields", "procedures_with_fees", "message", half},
	    {"half a ratio asks, does not block",
	     "period=2024&v.procedures_with_online_payment=14&v.procedures_with_fees=", NULL,
	     "fields", "procedures_with_fees", "blocking", "false"},
	    {"empty", "period=2024&v.population=", NULL, "fields", "population", "message", empty},
	    {"empty but sent", "period=2024&v.population=",
	     "{\"population\":{\"value\":\"5000\",\"state\":\"state_waiting\"}}", "fields",
	     "population", "code", NULL},
	    {"no ratio of half", "period=2024&v.procedures_with_online_payment=14", NULL, "ratios",
	     "online_payment_procedures_pct", "percent", NULL},
	    {"bad period", "period=2024H1&v.population=5", NULL, "fields", "population", "code",
	     "bad_period"},
	    {"note alone", "period=2024&v.population=&n.population=x", NULL, "fields", "population",
	     "code", "form_note_alone"},
	    {"note too long", longnote, NULL, "fields", "population", "code", "bad_note"},
	    {"note with its figure", "period=2024&v.population=5&n.population=x", NULL, "fields",
	     "population", "value", "5"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		check_case_run(&cases[i]);
}

/* Seconds of the monotonic clock, to the nanosecond. */
static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * The page's poll with a journal of 10 000 lines: the first request reads it
 * all (as every request did before formcache), the next ones only stat the
 * files; the answer is the same, and a line added, a reject file written or
 * a catalogue replaced is seen at the next request.
 */
static void test_cache(void **state)
{
	struct fixture *fx = *state;
	char path[512];
	const struct catalog *cat = test_cat();

	snprintf(path, sizeof path, "%s/form", fx->dir);
	plat_mkdir(PLAT_CWD, path, 0700);
	snprintf(path, sizeof path, "%s/form/journal.tsv", fx->dir);
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	for (int i = 0; i < 10000; i++)
		fprintf(fp, "%d\tform-%d\t%d\t%d\t%d\t21298\t%s\t2024\t%d\n", 1700000000 + i,
			i / 100, i % 100 + 1, i / 100 + 1, i / 100 + 1,
			cat->indicators[i % cat->nindicators].code, i);
	fclose(fp);

	double t0 = now_s();
	char *cold = formstate_json(fx->fc, fx->ob, fx->c, "2024", "tok");
	double t1 = now_s();
	char *warm = NULL;
	for (int i = 0; i < 10; i++) {
		free(warm);
		warm = formstate_json(fx->fc, fx->ob, fx->c, "2024", "tok");
	}
	double t2 = now_s();
	CHECK_STR("the same answer from the cache", cold, warm);
	printf("/api/state with a 10 000-line journal: first request %.2f ms (the whole journal "
	       "read, the catalogue parsed: each request before formcache), next ones %.2f ms\n",
	       (t1 - t0) * 1000, (t2 - t1) * 100);
	free(cold);
	free(warm);

	/* A line added, for the last indicator the journal named. */
	const char *code = cat->indicators[9999 % cat->nindicators].code;
	fp = fopen(path, "a");
	fprintf(fp, "1800000000\tform-x\t1\t200\t200\t21298\t%s\t2024\t777\n", code);
	fclose(fp);
	char *json = formstate_json(fx->fc, fx->ob, fx->c, "2024", "tok");
	json_t *o = json_loads(json, 0, NULL);
	json_t *e = json_object_get(json_object_get(o, "sent"), code);
	CHECK_STR("line added", "777", json_string_value(json_object_get(e, "value")));
	CHECK_STR("delivered", "state_received", json_string_value(json_object_get(e, "state")));
	json_decref(o);
	free(json);

	/* Its save refused by the province, then the catalogue replaced. */
	char rjpath[600], err[256];
	snprintf(rjpath, sizeof rjpath, "%s/form/form-x.rejected.csv", fx->dir);
	struct rejects *rj = rejects_open(rjpath, err, sizeof err);
	assert_non_null(rj);
	const char *f[REJECTS_NCOLUMNS] = {
	    "1", "21298", code, "2024", "777", "", "period_locked", "Kỳ 2024 đã khóa sổ"};
	assert_int_equal(rejects_add(rj, f), 0);
	assert_int_equal(rejects_close(&rj, err, sizeof err), 0);
	json = formstate_json(fx->fc, fx->ob, fx->c, "2024", "tok");
	CHECK_HAS("reject file seen", "Kỳ 2024 đã khóa sổ", json);
	free(json);
	char *text = catalog_to_json(test_cat());
	json_t *cj = json_loads(text, 0, NULL);
	free(text);
	assert_non_null(cj);
	json_object_set_new(cj, "version", json_string("2099.1"));
	text = json_dumps(cj, JSON_COMPACT);
	json_decref(cj);
	snprintf(path, sizeof path, "%s/catalog.json", fx->dir);
	assert_int_equal(test_write(path, text, strlen(text)), 0);
	free(text);
	json = formstate_json(fx->fc, fx->ob, fx->c, "2024", "tok");
	CHECK_HAS("catalogue replaced", "\"catalog_version\":\"2099.1\"", json);
	free(json);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_save, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rows, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_deadlines, setup, teardown),
	    cmocka_unit_test(test_check),
	    cmocka_unit_test_setup_teardown(test_cache, setup, teardown),
	};
	return cmocka_run_group_tests(tests, test_catalog_setup, test_catalog_teardown);
}
