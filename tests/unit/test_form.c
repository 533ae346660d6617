/*
 * form (agent): the officer's form without a browser.  formstate_save queues
 * the figures through submit_rows (the checks and messages of submit), or
 * refuses them naming each indicator; formstate_json shows what was saved
 * with its state; submit_rows refuses a form with a bad row whole.
 */
#include "testutil.h"

#include <jansson.h>
#include <time.h>

#include "agentconf.h"
#include "agentstate.h"
#include "formbody.h"
#include "formstate.h"
#include "message.h"
#include "outbox.h"
#include "rejects.h"
#include "submit.h"

struct fixture {
	char *dir;
	struct agentconf *c;
	struct outbox *ob;
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
	agentconf_destroy(&fx->c);
	test_rm_rf(fx->dir);
	free(fx->dir);
	return 0;
}

static void test_save(void **state)
{
	struct fixture *fx = *state;
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
	    {"saved", "period=2024&v.population=5000&v.internet_users=h%C6%A1n+264", 200,
	     "\"rows\":2"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char err[128];
		int status = 0;
		struct formbody *b =
		    formbody_parse(cases[i].body, strlen(cases[i].body), err, sizeof err);
		assert_non_null(b);
		char *out = formstate_save(fx->ob, fx->c, b, &status);
		CHECK_INT(cases[i].name, cases[i].status, status);
		CHECK_HAS(cases[i].name, cases[i].has, out);
		free(out);
		formbody_destroy(&b);
	}
	/* Only the last case queued anything: one batch, two rows. */
	struct outbox_stats st;
	assert_int_equal(outbox_stats(fx->ob, &st), 0);
	CHECK_INT("batches", 1, st.pending_batches);
	CHECK_INT("rows", 2, st.pending_rows);

	char *json = formstate_json(fx->ob, fx->c, "2024", "tok");
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

	/* Delivered: the batch leaves the outbox, the figure reads "tỉnh đã nhận". */
	uint64_t *seqs;
	size_t n;
	assert_int_equal(outbox_list(fx->ob, &seqs, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(outbox_remove(fx->ob, seqs[0]), 0);
	free(seqs);
	json = formstate_json(fx->ob, fx->c, "2024", "tok");
	CHECK_HAS("received", "\"state\":\"state_received\"", json);
	free(json);

	/* Refused by the province: the sender wrote the row (line 2 of the save) beside the
	 * save's source; the page shows the reason. */
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
	json = formstate_json(fx->ob, fx->c, "2024", "tok");
	o = json_loads(json, 0, NULL);
	iu = json_object_get(json_object_get(o, "sent"), "internet_users");
	CHECK_STR("refused", "state_refused", json_string_value(json_object_get(iu, "state")));
	CHECK_STR("reason", "Kỳ 2024 đã khóa sổ", json_string_value(json_object_get(iu, "reason")));
	pop = json_object_get(json_object_get(o, "sent"), "population");
	CHECK_STR("line 1 still received", "state_received",
		  json_string_value(json_object_get(pop, "state")));
	json_decref(o);
	free(json);
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

static bool expected(json_t *o, const char *code)
{
	return json_is_true(json_object_get(entry(o, "indicators", "code", code), "expected"));
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
	char welcome[2048], y0[8], y1[8], h1[8];
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
		if (whose[k].unit) {
			int n = snprintf(
			    welcome, sizeof welcome,
			    "{\"server\":\"s\",\"collector\":\"xa-21298\",\"scope\":\"%s\",\"max_"
			    "rows\":1,"
			    "\"max_body\":1,\"catalog_version\":\"2024.1\",\"unit\":{\"code\":\"%"
			    "s\","
			    "\"name_vi\":\"X\",\"tier\":\"%s\"},\"periods\":["
			    "{\"period\":\"%d\",\"type\":\"yearly\",\"calendar\":"
			    "\"administrative\","
			    "\"deadline\":\"%d-12-19\",\"closed\":false},"
			    "{\"period\":\"%d\",\"type\":\"yearly\",\"calendar\":\"statistical\","
			    "\"deadline\":\"2100-02-01\",\"closed\":false},"
			    "{\"period\":\"%d\",\"type\":\"yearly\",\"calendar\":"
			    "\"administrative\","
			    "\"deadline\":\"2100-01-01\",\"closed\":false},"
			    "{\"period\":\"%dS1\",\"type\":\"six-monthly\",\"calendar\":"
			    "\"administrative\",\"deadline\":\"2100-01-01\",\"closed\":true}]}",
			    whose[k].unit, whose[k].unit, whose[k].tier, y - 1, y - 1, y, y, y);
			assert_int_equal(
			    agentstate_file_save(fx->dir, "welcome.json", welcome, (size_t)n), 0);
		}
		bool known = whose[k].unit && strcmp(whose[k].unit, "21298") == 0;
		char *json = formstate_json(fx->ob, fx->c, y0, "tok");
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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_save, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rows, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_deadlines, setup, teardown),
	};
	return cmocka_run_group_tests(tests, test_catalog_setup, test_catalog_teardown);
}
