/* catalog: the shipped catalogue, refusals with file:line, the JSON round trip. */
#include "testutil.h"

#include "catalog.h"

static char catalog_path[4096];

static int setup(void **state)
{
	const char *src = getenv("CHISO_SOURCE_DIR");
	(void)state;
	snprintf(catalog_path, sizeof catalog_path, "%s/config/catalog.conf", src ? src : ".");
	return 0;
}

static void test_shipped(void **state)
{
	static const struct {
		const char *code, *num, *den;
		bool share; /* false: may exceed 100 (two SIM cards per person) */
	} ratios[] = {
	    {"internet_users_pct", "internet_users", "population", true},
	    {"online_payment_procedures_pct", "procedures_with_online_payment",
	     "procedures_with_fees", true},
	    {"dossier_digitization_pct", "dossiers_digitized", "dossiers_received", true},
	    {"tax_code_standardization_pct", "tax_codes_standardized", "tax_codes_total", true},
	    {"mobile_subscription_pct", "mobile_subscriptions", "population", false},
	    {"mobile_broadband_pct", "mobile_broadband_subscriptions", "population", false},
	};
	static const char *const required[] = {"population",
					       "households",
					       "internet_users",
					       "procedures_with_fees",
					       "procedures_with_online_payment",
					       "dossiers_received",
					       "dossiers_digitized",
					       "tax_codes_total",
					       "tax_codes_standardized",
					       "mobile_subscriptions"};
	char err[512];
	(void)state;
	struct catalog *c = catalog_load(catalog_path, err, sizeof err);
	if (!c)
		fail_msg("%s", err);
	assert_int_equal(c->npillars, 8);
	assert_true(c->nindicators >= 70);
	for (size_t i = 0; i < sizeof required / sizeof required[0]; i++) {
		const struct indicator *ind = catalog_find(c, required[i]);
		if (!ind || ind->kind == IND_RATIO)
			fail_msg("%s missing or a ratio", required[i]);
	}
	for (size_t i = 0; i < sizeof ratios / sizeof ratios[0]; i++) {
		const struct indicator *r = catalog_find(c, ratios[i].code);
		if (!r)
			fail_msg("%s missing", ratios[i].code);
		assert_int_equal(r->kind, IND_RATIO);
		CHECK_STR(ratios[i].code, ratios[i].num, r->numerator);
		CHECK_STR(ratios[i].code, ratios[i].den, r->denominator);
		assert_true(r->factor == 100);
		if (r->share != ratios[i].share)
			fail_msg("%s: share should be %d", ratios[i].code, ratios[i].share);
		/* a ratio is reported where and when its numerator is */
		assert_int_equal(r->levels, catalog_find(c, r->numerator)->levels);
	}
	const struct indicator *pop = catalog_find(c, "population");
	assert_int_equal(pop->agg_time, TAGG_LAST);
	assert_int_equal(pop->agg_space, AGG_SUM);
	assert_true(pop->has_min && pop->min == 0);
	assert_int_equal(pop->native_period, PERIOD_SIXMONTHLY);
	assert_true(pop->period_types & (1u << PERIOD_YEARLY));
	assert_int_equal(pop->calendar, CAL_ADMINISTRATIVE);
	assert_null(catalog_find(c, "no_such_indicator"));
	assert_non_null(catalog_pillar(c, "e_government"));
	catalog_destroy(&c);
	catalog_destroy(&c);
}

#define PIL "version = \"t\"; pillars = ({ code = \"p\"; name_vi = \"P\"; name_en = \"P\"; });\n"
#define IND(extra)                                                                                 \
	"{ code = \"a\"; name_vi = \"A\"; pillar = \"p\"; kind = \"count\"; levels = "             \
	"[\"commune\"]; "                                                                          \
	"period_types = [\"yearly\"]; " extra " }"

/* Catalogues refused at load, each with its file:line and reason. */
static const struct {
	const char *name, *text, *err;
} refusal_cases[] = {
    {"syntax", PIL "indicators = ( { code = ; } );\n", ":2: syntax error"},
    {"unknown top key", PIL "indicators = (" IND("") ");\nextra = 1;\n",
     ":3: unknown key \"extra\""},
    {"unknown indicator key", PIL "indicators = (\n" IND("colour = \"red\";") ");\n",
     ":3: unknown key \"colour\""},
    {"bad kind",
     PIL "indicators = (\n{ code = \"a\"; name_vi = \"A\"; pillar = \"p\"; kind = "
	 "\"rate\"; });\n",
     ":3: a: kind \"rate\""},
    {"bad code",
     PIL "indicators = (\n{ code = \"Bad-Code\"; name_vi = \"A\"; pillar = \"p\"; kind = "
	 "\"count\"; });\n",
     "code \"Bad-Code\""},
    {"unknown pillar",
     PIL "indicators = (\n{ code = \"a\"; name_vi = \"A\"; pillar = \"q\"; "
	 "kind = \"count\"; levels = [\"commune\"]; period_types = [\"yearly\"]; });\n",
     "a: unknown pillar \"q\""},
    {"no levels",
     PIL "indicators = (\n{ code = \"a\"; name_vi = \"A\"; pillar = \"p\"; kind = \"count\"; "
	 "period_types = [\"yearly\"]; });\n",
     "levels is required"},
    {"bad level",
     PIL "indicators = (\n" IND(
	 "") ",\n{ code = \"b\"; name_vi = \"B\"; pillar = \"p\"; "
	     "kind = \"count\"; levels = [\"village\"]; period_types = [\"yearly\"]; });\n",
     ":4: levels: unknown name \"village\""},
    {"bad period type",
     PIL "indicators = (\n{ code = \"a\"; name_vi = \"A\"; pillar = \"p\"; "
	 "kind = \"count\"; levels = [\"commune\"]; period_types = [\"half-year\"]; });\n",
     "period_types: unknown name \"half-year\""},
    {"duplicate", PIL "indicators = (\n" IND("") ",\n" IND("") ");\n",
     "indicator a is defined twice"},
    {"min over max", PIL "indicators = (\n" IND("min = 5.0; max = 1.0;") ");\n",
     "min is greater than max"},
    {"ratio without parts",
     PIL "indicators = (\n" IND("") ",\n{ code = \"r\"; name_vi = \"R\"; "
				    "pillar = \"p\"; kind = \"ratio\"; numerator = \"a\"; });\n",
     "r: a ratio needs a numerator and a denominator"},
    {"ratio of unknown",
     PIL "indicators = (\n" IND("") ",\n{ code = \"r\"; name_vi = \"R\"; "
				    "pillar = \"p\"; kind = \"ratio\"; numerator = \"a\"; "
				    "denominator = \"zz\"; });\n",
     "r: numerator a and denominator zz must be indicators"},
    {"ratio of ratio",
     PIL "indicators = (\n" IND(
	 "") ",\n{ code = \"r\"; name_vi = \"R\"; pillar = "
	     "\"p\"; kind = \"ratio\"; numerator = \"a\"; denominator = \"a\"; },\n"
	     "{ code = \"s\"; name_vi = \"S\"; pillar = \"p\"; kind = \"ratio\"; "
	     "numerator = \"r\"; denominator = \"a\"; });\n",
     "s: numerator r and denominator a must be indicators of the catalogue that are not "
     "ratios"},
    {"ratio with levels",
     PIL "indicators = (\n" IND(
	 "") ",\n{ code = \"r\"; name_vi = \"R\"; "
	     "pillar = \"p\"; kind = \"ratio\"; numerator = \"a\"; denominator = \"a\"; "
	     "levels = [\"commune\"]; });\n",
     ":4: r: a ratio takes levels from its numerator"},
    {"count with numerator", PIL "indicators = (\n" IND("numerator = \"a\";") ");\n",
     "only a ratio has a numerator"},
    {"count with share", PIL "indicators = (\n" IND("share = false;") ");\n",
     "a: only a ratio has a numerator, a denominator and share"},
    {"share not a boolean",
     PIL "indicators = (\n" IND(
	 "") ",\n{ code = \"r\"; name_vi = \"R\"; "
	     "pillar = \"p\"; kind = \"ratio\"; numerator = \"a\"; denominator = \"a\"; "
	     "share = \"no\"; });\n",
     ":4: share: expected true or false"},
    {"outlier window too short", PIL "indicators = (\n" IND("outlier_window = 3;") ");\n",
     ":3: a: outlier_window must be a whole number of periods from 4 to 120"},
    {"outlier window of a ratio",
     PIL "indicators = (\n" IND(
	 "") ",\n{ code = \"r\"; name_vi = \"R\"; "
	     "pillar = \"p\"; kind = \"ratio\"; numerator = \"a\"; denominator = \"a\"; "
	     "outlier_window = 8; });\n",
     ":4: r: a ratio is computed, never sent: it has no outlier_window"},
    {"rule of unknown",
     PIL "indicators = (" IND("") ");\nrules = ({ code = \"x\"; total = \"a\"; "
				  "parts = [\"a\", \"b\"]; });\n",
     "rule x: unknown indicator b"},
    {"rule of one part",
     PIL "indicators = (" IND("") ");\nrules = ({ code = \"x\"; total = \"a\"; "
				  "parts = [\"a\"]; });\n",
     "parts must list at least two"},
    {"no version", "pillars = (); indicators = ();\n", "needs version"},
};

static void test_refusals(void **state)
{
	char *dir = test_tmpdir(), path[256], err[512];
	(void)state;
	snprintf(path, sizeof path, "%s/c.conf", dir);
	for (size_t i = 0; i < sizeof refusal_cases / sizeof refusal_cases[0]; i++) {
		test_write(path, refusal_cases[i].text, strlen(refusal_cases[i].text));
		err[0] = '\0';
		struct catalog *c = catalog_load(path, err, sizeof err);
		if (c)
			fail_msg("%s: accepted", refusal_cases[i].name);
		CHECK_HAS(refusal_cases[i].name, refusal_cases[i].err, err);
	}
	test_rm_rf(dir);
}

/* An explicit outlier_window survives the JSON round trip (chisod loads the
 * JSON into the database) but is not in the form agents receive; the shipped
 * catalogue sets none, so its JSON does not carry the key. */
static void test_outlier_window_json(void)
{
	static const char text[] = PIL "indicators = (" IND("outlier_window = 8;") ");\n";
	char *dir = test_tmpdir(), path[256], err[512];
	snprintf(path, sizeof path, "%s/c.conf", dir);
	test_write(path, text, strlen(text));
	struct catalog *c = catalog_load(path, err, sizeof err);
	if (!c)
		fail_msg("%s", err);
	assert_int_equal(catalog_find(c, "a")->outlier_window, 8);
	char *j = catalog_to_json(c);
	CHECK_HAS("json", "\"outlier_window\":8", j);
	struct catalog *back = catalog_from_json(j, strlen(j), err, sizeof err);
	if (!back)
		fail_msg("from_json: %s", err);
	assert_int_equal(catalog_find(back, "a")->outlier_window, 8);
	/* Agents get it without the key (an older agent refuses unknown keys). */
	char *w = catalog_to_wire_json(c);
	assert_null(strstr(w, "outlier_window"));
	struct catalog *agent = catalog_from_json(w, strlen(w), err, sizeof err);
	if (!agent)
		fail_msg("wire from_json: %s", err);
	assert_int_equal(agent->nindicators, c->nindicators);
	catalog_destroy(&agent);
	free(w);
	free(j);
	catalog_destroy(&back);
	catalog_destroy(&c);
	test_rm_rf(dir);
}

static void test_json(void **state)
{
	char err[512];
	(void)state;
	struct catalog *c = catalog_load(catalog_path, err, sizeof err);
	assert_non_null(c);
	char *j1 = catalog_to_json(c);
	struct catalog *back = catalog_from_json(j1, strlen(j1), err, sizeof err);
	if (!back)
		fail_msg("from_json: %s", err);
	char *j2 = catalog_to_json(back);
	CHECK_STR("round trip", j1, j2);
	assert_null(strstr(j1, "outlier_window"));
	assert_int_equal(back->nindicators, c->nindicators);
	const struct indicator *r = catalog_find(back, "internet_users_pct");
	assert_int_equal(r->levels, catalog_find(back, "internet_users")->levels);
	free(j1);
	free(j2);
	catalog_destroy(&back);
	catalog_destroy(&c);
	test_outlier_window_json();

	static const struct {
		const char *name, *json, *err;
	} bad[] = {
	    {"not json", "{", "invalid JSON"},
	    {"stranger", "{\"version\":\"1\",\"pillars\":[],\"indicators\":[],\"x\":1}",
	     "unknown key"},
	    {"indicator not object", "{\"version\":\"1\",\"pillars\":[],\"indicators\":[1]}",
	     "must be objects"},
	    {"unknown pillar",
	     "{\"version\":\"1\",\"pillars\":[],\"indicators\":[{\"code\":\"a\",\"name_vi\":\"A\","
	     "\"pillar\":\"p\",\"kind\":\"count\",\"levels\":[\"commune\"],\"period_types\":["
	     "\"yearly\"]}]}",
	     "unknown pillar"},
	    {"deep", "{\"version\":\"1\",\"pillars\":[[[[[]]]]],\"indicators\":[]}",
	     "nested deeper"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err[0] = '\0';
		struct catalog *x =
		    catalog_from_json(bad[i].json, strlen(bad[i].json), err, sizeof err);
		if (x)
			fail_msg("%s: accepted", bad[i].name);
		CHECK_HAS(bad[i].name, bad[i].err, err);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_shipped),
	    cmocka_unit_test(test_refusals),
	    cmocka_unit_test(test_json),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
