/*
 * repdoc and the writers that lay it out (reptext, repmd, rephtml), on a small
 * report built by hand: a province, a district with two communes (one
 * reported, late), and a district without communes that reported on time.
 */
#include "testutil.h"

#include "repdoc.h"
#include "rephtml.h"
#include "repmd.h"
#include "reptext.h"

static void fixture_row(struct store_report_row *r, const char *unit, const char *name, int level,
			int depth, const char *ind, bool ratio, double value, int reporting,
			int expected)
{
	memset(r, 0, sizeof *r);
	snprintf(r->unit_code, sizeof r->unit_code, "%s", unit);
	snprintf(r->unit_name, sizeof r->unit_name, "%s", name);
	r->level = level;
	r->depth = depth;
	snprintf(r->indicator_code, sizeof r->indicator_code, "%s", ind);
	snprintf(r->period, sizeof r->period, "2024");
	snprintf(r->prev_period, sizeof r->prev_period, "2023");
	snprintf(r->native_period, sizeof r->native_period, "six-monthly");
	r->has_value = true;
	r->value = value;
	r->reporting_units = reporting;
	r->expected_units = expected;
	r->on_time_units = 0;
	if (ratio) {
		snprintf(r->kind, sizeof r->kind, "ratio");
		snprintf(r->indicator_name, sizeof r->indicator_name, "Tỷ lệ người dùng Internet");
		snprintf(r->indicator_name_en, sizeof r->indicator_name_en, "Internet users (%%)");
		snprintf(r->pillar, sizeof r->pillar, "infrastructure");
		snprintf(r->pillar_name, sizeof r->pillar_name, "Hạ tầng số");
		snprintf(r->pillar_name_en, sizeof r->pillar_name_en, "Digital infrastructure");
		r->pillar_ord = 3;
		r->indicator_ord = 20;
		r->decimals = 2;
		r->has_ratio = true;
		r->numerator = value * 50;
		r->denominator = 5000;
	} else {
		snprintf(r->kind, sizeof r->kind, "count");
		snprintf(r->indicator_name, sizeof r->indicator_name, "Dân số");
		snprintf(r->indicator_name_en, sizeof r->indicator_name_en, "Population");
		snprintf(r->measure, sizeof r->measure, "người");
		snprintf(r->pillar, sizeof r->pillar, "awareness");
		snprintf(r->pillar_name, sizeof r->pillar_name, "Nhận thức số");
		snprintf(r->pillar_name_en, sizeof r->pillar_name_en, "Digital awareness");
		r->pillar_ord = 1;
		r->indicator_ord = 1;
	}
}

static void fixture_unit(struct store_report_unit *u, const char *code, const char *name, int level,
			 int depth, const char *group, const char *group_name, bool expected,
			 bool reported, bool on_time)
{
	memset(u, 0, sizeof *u);
	snprintf(u->unit_code, sizeof u->unit_code, "%s", code);
	snprintf(u->unit_name, sizeof u->unit_name, "%s", name);
	u->level = level;
	u->depth = depth;
	snprintf(u->group_code, sizeof u->group_code, "%s", group);
	snprintf(u->group_name, sizeof u->group_name, "%s", group_name);
	u->expected = expected;
	u->reported = reported;
	u->on_time = on_time;
}

/* The report of unit 51, rows in tree order then catalogue order, as the store gives them. */
static struct store_report_set *fixture(void)
{
	static struct store_report_row rows[7];
	static struct store_report_unit units[5];
	static struct store_report_set set;

	fixture_row(&rows[0], "51", "Tỉnh Quảng Ngãi", 1, 0, "population", false, 24080, 2, 4);
	fixture_row(&rows[1], "51", "Tỉnh Quảng Ngãi", 1, 0, "internet_pct", true, 40, 2, 4);
	fixture_row(&rows[2], "529", "Huyện <Sơn|Hà>", 2, 1, "population", false, 5000, 1, 3);
	fixture_row(&rows[3], "529", "Huyện <Sơn|Hà>", 2, 1, "internet_pct", true, 5.28, 1, 3);
	fixture_row(&rows[4], "21298", "Xã Sơn Nham", 3, 2, "population", false, 5000, 1, 1);
	fixture_row(&rows[5], "21298", "Xã Sơn Nham", 3, 2, "internet_pct", true, 5.28, 1, 1);
	fixture_row(&rows[6], "536", "Huyện Lý Sơn", 2, 1, "internet_pct", true, 89.5238095, 1, 1);
	rows[4].has_prev = true;
	rows[4].prev_value = 4950;
	rows[5].has_prev = true;
	rows[5].prev_value = 4.85;
	rows[4].prev_reporting_units = rows[5].prev_reporting_units = 1;
	rows[2].has_prev = true; /* the district: 1 unit then, 1 now */
	rows[2].prev_value = 4950;
	rows[2].prev_reporting_units = 1;
	rows[0].has_prev = true; /* the province: 1 unit then, 2 now */
	rows[0].prev_value = 4950;
	rows[0].prev_reporting_units = 1;
	rows[6].on_time_units = 1;
	rows[6].numerator = 94;
	rows[6].denominator = 105;
	snprintf(rows[0].qualifier, sizeof rows[0].qualifier, "about");
	fixture_unit(&units[0], "51", "Tỉnh Quảng Ngãi", 1, 0, "51", "Tỉnh Quảng Ngãi", false,
		     false, false);
	fixture_unit(&units[1], "529", "Huyện <Sơn|Hà>", 2, 1, "529", "Huyện <Sơn|Hà>", true, false,
		     false);
	fixture_unit(&units[2], "21298", "Xã Sơn Nham", 3, 2, "529", "Huyện <Sơn|Hà>", true, true,
		     false);
	fixture_unit(&units[3], "21301", "Xã Sơn Bao", 3, 2, "529", "Huyện <Sơn|Hà>", true, false,
		     false);
	fixture_unit(&units[4], "536", "Huyện Lý Sơn", 2, 1, "536", "Huyện Lý Sơn", true, true,
		     true);
	static struct store_report_pillar pillars[] = {
	    {"awareness", "Nhận thức số", "Digital awareness", 1},
	    {"institutions", "Thể chế số", "Digital institutions", 2},
	    {"infrastructure", "Hạ tầng số", "Digital infrastructure", 3}};
	memset(&set, 0, sizeof set);
	set.pillars = pillars;
	set.npillars = 3;
	set.rows = rows;
	set.nrows = 7;
	set.units = units;
	set.nunits = 5;
	return &set;
}

static void test_order_and_counts(void **state)
{
	static const struct {
		int level;
		const char *order; /* unit:indicator of the reading order */
		size_t npillars, nmissing;
	} cases[] = {
	    {0,
	     "51:population 529:population 21298:population 51:internet_pct 529:internet_pct "
	     "21298:internet_pct 536:internet_pct ",
	     3, 2},
	    {2, "51:population 529:population 51:internet_pct 529:internet_pct 536:internet_pct ",
	     3, 1},
	    {1, "51:population 51:internet_pct ", 3, 0},
	};
	struct store_report_set *set = fixture();
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct repdoc_options opt = {.lang = REPFMT_VI, .max_level = cases[i].level};
		struct repdoc *d = repdoc_new(set, "2024", "51", &opt);
		char got[512] = "", name[32];
		assert_non_null(d);
		for (size_t k = 0; k < d->norder; k++) {
			const struct store_report_row *r = repdoc_row(d, k);
			snprintf(got + strlen(got), sizeof got - strlen(got), "%s:%s ",
				 r->unit_code, r->indicator_code);
		}
		snprintf(name, sizeof name, "level %d", cases[i].level);
		CHECK_STR(name, cases[i].order, got);
		CHECK_INT(name, cases[i].npillars, d->npillars);
		CHECK_INT(name, cases[i].nmissing, d->nmissing);
		/* completeness does not depend on the level shown */
		CHECK_INT(name, 2, d->ngroups);
		CHECK_STR(name, "529", d->groups[0].code);
		CHECK_INT(name, 3, d->groups[0].expected);
		CHECK_INT(name, 1, d->groups[0].reported);
		CHECK_INT(name, 0, d->groups[0].on_time);
		CHECK_INT(name, 1, d->groups[1].on_time);
		CHECK_INT(name, 4, d->total.expected);
		CHECK_INT(name, 2, d->total.reported);
		CHECK_INT(name, 1, d->total.on_time);
		CHECK_STR(name, "BÁO CÁO Kết quả chuyển đổi số năm 2024 — tỉnh Quảng Ngãi",
			  d->title);
		CHECK_STR(name, "năm 2023", d->prev_words);
		repdoc_destroy(&d);
		assert_null(d);
		repdoc_destroy(&d);
	}
	/* without the catalogue's pillars, the sections are the pillars that have rows */
	set->npillars = 0;
	struct repdoc_options opt = {.lang = REPFMT_EN};
	struct repdoc *d = repdoc_new(set, "2024", "51", &opt);
	assert_non_null(d);
	CHECK_INT("sections from rows", 2, d->npillars);
	CHECK_STR("first section", "Digital awareness", d->pillars[0].name);
	CHECK_INT("second section rows", 4, d->pillars[1].count);
	repdoc_destroy(&d);
}

static void test_cells(void **state)
{
	static const struct {
		enum repfmt_lang lang;
		size_t row;
		const char *value, *parts, *prev, *change, *reporting;
	} cases[] = {
	    {REPFMT_VI, 0, "khoảng 24.080", "", "4.950", "+19.130 *", "2/4"},
	    {REPFMT_EN, 0, "about 24,080", "", "4,950", "+19,130 *", "2/4"},
	    {REPFMT_VI, 2, "5.000", "", "4.950", "+50", "1/3"},
	    {REPFMT_VI, 4, "5.000", "", "4.950", "+50", "1/1"},
	    {REPFMT_VI, 5, "5,28%", "264 / 5.000", "4,85%", "+0,43 điểm %", "1/1"},
	    {REPFMT_EN, 5, "5.28%", "264 / 5,000", "4.85%", "+0.43 pp", "1/1"},
	    {REPFMT_VI, 6, "89,52%", "94 / 105", "—", "—", "1/1"},
	};
	struct store_report_set *set = fixture();
	char buf[128];
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct repdoc_options opt = {.lang = cases[i].lang};
		struct repdoc *d = repdoc_new(set, "2024", "51", &opt);
		const struct store_report_row *r = &set->rows[cases[i].row];
		assert_non_null(d);
		repdoc_value(d, r, buf, sizeof buf);
		CHECK_STR(cases[i].value, cases[i].value, buf);
		repdoc_parts(d, r, buf, sizeof buf);
		CHECK_STR(cases[i].value, cases[i].parts, buf);
		repdoc_previous(d, r, buf, sizeof buf);
		CHECK_STR(cases[i].value, cases[i].prev, buf);
		repdoc_change(d, r, buf, sizeof buf);
		CHECK_STR(cases[i].value, cases[i].change, buf);
		repdoc_reporting(r, buf, sizeof buf);
		CHECK_STR(cases[i].value, cases[i].reporting, buf);
		/* repdoc_cells, which the writers use, gives the same five cells */
		struct repdoc_cells c;
		repdoc_cells(d, r, &c);
		CHECK_STR(cases[i].value, cases[i].value, c.value);
		CHECK_STR(cases[i].value, cases[i].parts, c.parts);
		CHECK_STR(cases[i].value, cases[i].prev, c.previous);
		CHECK_STR(cases[i].value, cases[i].change, c.change);
		CHECK_STR(cases[i].value, cases[i].reporting, c.reporting);
		repdoc_destroy(&d);
	}
}

/* Renders the fixture with a writer into a string (caller frees). */
/* mode: 0 live, 1 published, 2 re-expressed on the structure of 01/07/2025 with one unit
 * left out, 3 the district's population an average shown with 1 decimal */
static char *render(int format, enum repfmt_lang lang, int mode)
{
	struct store_report_set *set = fixture();
	struct repdoc_options opt = {.lang = lang};
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	bool published = mode == 1;
	set->published = published;
	if (mode == 2) {
		snprintf(set->on_structure, sizeof set->on_structure, "2025-07-01");
		set->nunmapped = 1;
		snprintf(set->unmapped, sizeof set->unmapped, "536 Huyện Lý Sơn");
	}
	if (mode == 3) {
		set->rows[2].value = 5000.2567;
		set->rows[2].decimals = 1;
	}
	if (published) {
		memset(&set->pub, 0, sizeof set->pub);
		set->pub.version = 2;
		set->pub.content_ok = true;
		snprintf(set->pub.published_at, sizeof set->pub.published_at,
			 "2024-07-01 09:30:05");
		snprintf(set->pub.actor, sizeof set->pub.actor, "an <admin>");
		snprintf(set->pub.note, sizeof set->pub.note, "đã chốt | số liệu");
		snprintf(set->pub.content_hash, sizeof set->pub.content_hash, "%064d", 7);
		snprintf(set->pub.prev_period, sizeof set->pub.prev_period, "2023");
	}
	struct repdoc *d = repdoc_new(set, "2024", "51", &opt);
	assert_non_null(d);
	assert_non_null(out);
	switch (format) {
	case 0:
		reptext_text(out, d);
		break;
	case 1:
		reptext_csv(out, d);
		break;
	case 2:
		repmd_write(out, d, NULL);
		break;
	default:
		assert_int_equal(rephtml_write(out, d, NULL), 0);
	}
	fclose(out);
	repdoc_destroy(&d);
	return text;
}

/* Each case renders the document in one format and language: what it must, and must not, hold. */
static const struct {
	const char *name;
	int format; /* 0 text, 1 csv, 2 markdown, 3 html */
	enum repfmt_lang lang;
	int mode; /* render()'s */
	const char *has, *hasnt;
} writer_cases[] = {
    {"text title", 0, REPFMT_VI, false,
     "BÁO CÁO Kết quả chuyển đổi số năm 2024 — tỉnh Quảng Ngãi\n", NULL},
    {"text ratio", 0, REPFMT_VI, false,
     "Tỷ lệ người dùng Internet: 5,28% (264 / 5.000) — 1/1 đơn vị báo cáo, 1 nộp muộn; so "
     "với năm 2023: +0,43 điểm %\n",
     NULL},
    {"text published", 0, REPFMT_VI, true,
     "Công bố lúc 09:30 ngày 01/07/2024 (phiên bản 2, người công bố: an <admin>) ghi chú: "
     "đã chốt | số liệu\n",
     NULL},
    {"csv header", 1, REPFMT_VI, false,
     "unit_code,unit_name,level,indicator_code,indicator_name,period,value,numerator,"
     "denominator,reporting_units,expected_units\n",
     NULL},
    {"csv ratio", 1, REPFMT_VI, false,
     "536,Huyện Lý Sơn,2,internet_pct,Tỷ lệ người dùng Internet,2024,89.52,94,105,1,1\n", NULL},
    {"csv en names", 1, REPFMT_EN, false,
     "21298,Xã Sơn Nham,3,population,Population,2024,5000,,,1,1\n", NULL},
    {"md table row", 2, REPFMT_VI, false,
     "| **Dân số** (người) | Tỉnh Quảng Ngãi (51) | khoảng 24.080 |  | 4.950 | +19.130 \\* "
     "| "
     "2/4 | 2 |\n",
     NULL},
    {"md escapes", 2, REPFMT_VI, false, "| Huyện \\<Sơn\\|Hà\\> (529) | 5.000 |", "<Sơn|Hà>"},
    {"md change", 2, REPFMT_VI, false,
     "| Xã Sơn Nham (21298) | 5,28% | 264 / 5.000 | 4,85% | +0,43 điểm % | 1/1 | 1 |", NULL},
    {"md completeness", 2, REPFMT_VI, false, "| Huyện Lý Sơn (536) | 1 | 1 | 100,00% | 1 | 0 |",
     NULL},
    {"md total", 2, REPFMT_VI, false, "| **Tổng cộng** | 4 | 2 | 50,00% | 1 | 1 |", NULL},
    {"md missing", 2, REPFMT_VI, false,
     "## Đơn vị chưa báo cáo (2)\n\n- **Huyện \\<Sơn\\|Hà\\> (529)** — 2: Huyện "
     "\\<Sơn\\|Hà\\> "
     "(529), Xã Sơn Bao (21301)\n",
     NULL},
    {"md live", 2, REPFMT_VI, false, "- Số liệu hiện hành, chưa công bố\n", "Công bố lúc"},
    {"md published", 2, REPFMT_VI, true,
     "- Công bố lúc 09:30 ngày 01/07/2024 (phiên bản 2, người công bố: an \\<admin\\>)\n- "
     "ghi "
     "chú: đã chốt \\| số liệu\n",
     "chưa công bố"},
    {"md english", 2, REPFMT_EN, false, "## 3. Digital infrastructure\n", NULL},
    {"md empty pillar", 2, REPFMT_VI, false, "## 2. Thể chế số\n\nKhông có số liệu trong kỳ này.\n",
     NULL},
    {"html empty pillar", 3, REPFMT_VI, false,
     "<section class=\"pillar empty\" id=\"p-institutions\">\n<h2>2. Thể chế "
     "số</h2>\n<p>Không "
     "có số liệu trong kỳ này.</p>",
     NULL},
    {"html doctype", 3, REPFMT_VI, false, "<!DOCTYPE html>\n<html lang=\"vi\">", NULL},
    {"html title", 3, REPFMT_VI, false,
     "<title>BÁO CÁO Kết quả chuyển đổi số năm 2024 — tỉnh Quảng Ngãi</title>", NULL},
    {"html escapes names", 3, REPFMT_VI, false, "Huyện &lt;Sơn|Hà&gt;", "<Sơn|Hà>"},
    {"html no script", 3, REPFMT_VI, false, "@media print", "<script"},
    {"html no external asset", 3, REPFMT_VI, false, "<svg", "src="},
    {"html page breaks", 3, REPFMT_VI, false, "section.pillar,section.missing{break-before:page",
     NULL},
    {"html ratio cell", 3, REPFMT_VI, false,
     "<td class=\"n\">89,52%</td><td class=\"n\">94 / 105</td>", NULL},
    /* ranked: Lý Sơn 89,52% above Sơn Hà 5,28%, bars 4 / 5 of a 380-wide plot... */
    {"html ranked bar", 3, REPFMT_VI, false,
     ">Huyện Lý Sơn</text><rect class=\"bar\" x=\"230.0\" y=\"6.0\" width=\"340.2\"", NULL},
    {"html second bar", 3, REPFMT_VI, false,
     ">Huyện &lt;Sơn|Hà&gt;</text><rect class=\"bar\" x=\"230.0\" y=\"30.0\" "
     "width=\"20.1\"",
     NULL},
    {"html published", 3, REPFMT_VI, true,
     "Công bố lúc 09:30 ngày 01/07/2024 (phiên bản 2, người công bố: an &lt;admin&gt;)",
     "chưa công bố"},
    {"html hash", 3, REPFMT_VI, true, "<span class=\"hash\">0000000", NULL},
    {"html english", 3, REPFMT_EN, false, "<html lang=\"en\">", NULL},
    {"text re-expressed", 0, REPFMT_VI, 2,
     "mẫu số)\nSố liệu quy đổi theo địa giới từ 01/07/2025\n1 đơn vị có số liệu chưa có "
     "trong bảng chuyển đổi, không được tính: 536 Huyện Lý Sơn\n",
     NULL},
    {"text not re-expressed", 0, REPFMT_VI, 0, "BÁO CÁO", "quy đổi"},
    {"text re-expressed en", 0, REPFMT_EN, 2,
     "Figures re-expressed on the units in force from 2025-07-01 (crosswalk)\n", NULL},
    {"csv re-expressed header", 1, REPFMT_VI, 2, "reporting_units,expected_units,reexpressed_on\n",
     NULL},
    {"csv re-expressed row", 1, REPFMT_VI, 2,
     "\n536,Huyện Lý Sơn,2,internet_pct,Tỷ lệ người dùng Internet,2024,89.52,94,105,1,1,"
     "2025-07-01\n",
     NULL},
    /* every format shows a figure with the catalogue's decimals, the CSV too */
    {"csv decimals", 1, REPFMT_VI, 3,
     "\n529,Huyện <Sơn|Hà>,2,population,Dân số,2024,5000.3,,,1,3\n", "5000.2567"},
    {"text decimals", 0, REPFMT_VI, 3, "5.000,3", "5.000,2567"},
    {"md decimals", 2, REPFMT_VI, 3, "| Huyện \\<Sơn\\|Hà\\> (529) | 5.000,3 |", NULL},
    {"md re-expressed", 2, REPFMT_VI, 2,
     "\n\n> **Số liệu quy đổi theo địa giới từ 01/07/2025**\n> 1 đơn vị", NULL},
    {"html re-expressed", 3, REPFMT_VI, 2,
     "</h1>\n<p class=\"reexpressed\"><strong>Số liệu quy đổi theo địa giới từ "
     "01/07/2025</strong><br>1 đơn vị",
     NULL},
};

static void test_writers(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof writer_cases / sizeof writer_cases[0]; i++) {
		char *text =
		    render(writer_cases[i].format, writer_cases[i].lang, writer_cases[i].mode);
		CHECK_HAS(writer_cases[i].name, writer_cases[i].has, text);
		if (writer_cases[i].hasnt && strstr(text, writer_cases[i].hasnt))
			fail_msg("%s: \"%s\" should not be in the output", writer_cases[i].name,
				 writer_cases[i].hasnt);
		free(text);
	}
}

static void test_changes(void **state)
{
	struct store_publication pub = {.version = 1};
	struct store_change c = {0};
	char *text = NULL;
	size_t len = 0;
	(void)state;
	snprintf(pub.period, sizeof pub.period, "2024");
	snprintf(pub.unit_name, sizeof pub.unit_name, "Tỉnh Quảng Ngãi");
	snprintf(pub.published_at, sizeof pub.published_at, "2024-07-01 09:30:05");
	snprintf(c.unit_code, sizeof c.unit_code, "21298");
	snprintf(c.unit_name, sizeof c.unit_name, "Xã Sơn Nham");
	snprintf(c.indicator_code, sizeof c.indicator_code, "procedures_online_pct");
	snprintf(c.indicator_name, sizeof c.indicator_name, "Tỷ lệ TTHC trực tuyến");
	snprintf(c.kind, sizeof c.kind, "ratio");
	c.decimals = 2;
	c.published = (struct store_change_side){true, 89.5238095, true, 94, 105, ""};
	c.current = (struct store_change_side){true, 90.4761905, true, 95, 105, ""};

	FILE *out = open_memstream(&text, &len);
	reptext_changes(out, REPTEXT_TEXT, REPFMT_VI, &pub, &c, 1);
	fclose(out);
	CHECK_HAS(
	    "text",
	    "Tỷ lệ TTHC trực tuyến — Xã Sơn Nham (21298): 89,52% (94 / 105) → 90,48% (95 / 105)\n",
	    text);
	free(text);
	out = open_memstream(&text, &len);
	reptext_changes(out, REPTEXT_CSV, REPFMT_VI, &pub, &c, 1);
	fclose(out);
	CHECK_HAS("csv",
		  "21298,Xã Sơn Nham,procedures_online_pct,Tỷ lệ TTHC trực "
		  "tuyến,89.52,94,105,90.48,95,105\n",
		  text);
	free(text);
	out = open_memstream(&text, &len);
	reptext_changes(out, REPTEXT_MARKDOWN, REPFMT_VI, &pub, &c, 1);
	fclose(out);
	CHECK_HAS("markdown",
		  "| Tỷ lệ TTHC trực tuyến | Xã Sơn Nham (21298) | 89,52% (94 / 105) | 90,48% (95 "
		  "/ 105) |\n",
		  text);
	free(text);
	out = open_memstream(&text, &len);
	reptext_changes(out, REPTEXT_TEXT, REPFMT_EN, &pub, &c, 0);
	fclose(out);
	CHECK_HAS("none", "No figure has changed.\n", text);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_order_and_counts),
	    cmocka_unit_test(test_cells),
	    cmocka_unit_test(test_writers),
	    cmocka_unit_test(test_changes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
