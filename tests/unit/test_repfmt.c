/* repfmt: report words, titles, numbers, changes, escaping and chart geometry. */
#include "testutil.h"

#include <math.h>

#include "repfmt.h"

static void test_title(void **state)
{
	static const struct {
		const char *period, *unit, *vi, *en;
	} cases[] = {
	    {"2024S1", "Tỉnh Quảng Ngãi",
	     "BÁO CÁO Kết quả chuyển đổi số 6 tháng đầu năm 2024 — tỉnh Quảng Ngãi",
	     "REPORT Digital transformation results, first half of 2024 — Tỉnh Quảng Ngãi"},
	    {"2024", "Tỉnh Quảng Ngãi", "BÁO CÁO Kết quả chuyển đổi số năm 2024 — tỉnh Quảng Ngãi",
	     "REPORT Digital transformation results, year 2024 — Tỉnh Quảng Ngãi"},
	    {"2024Q2", "Huyện Lý Sơn",
	     "BÁO CÁO Kết quả chuyển đổi số quý II năm 2024 — huyện Lý Sơn",
	     "REPORT Digital transformation results, Q2 2024 — Huyện Lý Sơn"},
	    {"2024M03", "Xã Sơn Nham",
	     "BÁO CÁO Kết quả chuyển đổi số tháng 3 năm 2024 — xã Sơn Nham",
	     "REPORT Digital transformation results, March 2024 — Xã Sơn Nham"},
	    {"202403", "Thành phố Quảng Ngãi",
	     "BÁO CÁO Kết quả chuyển đổi số tháng 3 năm 2024 — thành phố Quảng Ngãi",
	     "REPORT Digital transformation results, March 2024 — Thành phố Quảng Ngãi"},
	    {"2024S2", "Đặc khu Lý Sơn",
	     "BÁO CÁO Kết quả chuyển đổi số 6 tháng cuối năm 2024 — đặc khu Lý Sơn",
	     "REPORT Digital transformation results, second half of 2024 — Đặc khu Lý Sơn"},
	    {"2024W10", "Thị xã Đức Phổ",
	     "BÁO CÁO Kết quả chuyển đổi số tuần 10 năm 2024 — thị xã Đức Phổ",
	     "REPORT Digital transformation results, week 10 of 2024 — Thị xã Đức Phổ"},
	    {"20240615", "Phường Nghĩa Lộ",
	     "BÁO CÁO Kết quả chuyển đổi số ngày 15/06/2024 — phường Nghĩa Lộ",
	     "REPORT Digital transformation results, 15/06/2024 — Phường Nghĩa Lộ"},
	    {"2024H9", "Tỉnh X", "BÁO CÁO Kết quả chuyển đổi số kỳ 2024H9 — tỉnh X",
	     "REPORT Digital transformation results, period 2024H9 — Tỉnh X"},
	};
	char buf[256];
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		repfmt_title(REPFMT_VI, cases[i].period, cases[i].unit, buf, sizeof buf);
		CHECK_STR(cases[i].period, cases[i].vi, buf);
		repfmt_title(REPFMT_EN, cases[i].period, cases[i].unit, buf, sizeof buf);
		CHECK_STR(cases[i].period, cases[i].en, buf);
	}
}

static void test_period_canon(void **state)
{
	static const struct {
		const char *in, *out; /* out NULL: refused */
	} cases[] = {
	    {"2024M03", "202403"},
	    {"2024m3", "202403"},
	    {"2024M12", "202412"},
	    {"2024M13", NULL},
	    {"2024M00", NULL},
	    {"1999M03", NULL}, /* years as the server takes them: 2000..2100 */
	    {"2101m1", NULL},
	    {"2000M01", "200001"},
	    {"2100m12", "210012"},
	    {"2024M003", NULL},
	    {"2024S1", "2024S1"},
	    {"2024", "2024"},
	    {"2024W05", "2024W5"},
	    {"2024H1", NULL},
	    {"junk", NULL},
	    {"", NULL},
	};
	char buf[32];
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int rc = repfmt_period_canon(cases[i].in, buf, sizeof buf);
		if (!cases[i].out) {
			CHECK_INT(cases[i].in, -1, rc);
			continue;
		}
		CHECK_INT(cases[i].in, 0, rc);
		CHECK_STR(cases[i].in, cases[i].out, buf);
	}
}

static void test_numbers(void **state)
{
	static const struct {
		double v;
		int decimals;
		const char *vi, *en, *vi_pct;
	} cases[] = {
	    {1463, 0, "1.463", "1,463", "1.463%"},
	    {24080, 0, "24.080", "24,080", "24.080%"},
	    {2115025641, 0, "2.115.025.641", "2,115,025,641", "2.115.025.641%"},
	    {89.5238095, 2, "89,52", "89.52", "89,52%"},
	    {60.8695652, 2, "60,87", "60.87", "60,87%"},
	    {55.3948832, 2, "55,39", "55.39", "55,39%"},
	    {100, 2, "100,00", "100.00", "100,00%"},
	    {0, 2, "0,00", "0.00", "0,00%"},
	    {-3, 0, "-3", "-3", "-3%"},
	    {1234.5, 1, "1.234,5", "1,234.5", "1.234,5%"},
	};
	char buf[64];
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		repfmt_number(REPFMT_VI, cases[i].v, cases[i].decimals, buf, sizeof buf);
		CHECK_STR(cases[i].vi, cases[i].vi, buf);
		repfmt_number(REPFMT_EN, cases[i].v, cases[i].decimals, buf, sizeof buf);
		CHECK_STR(cases[i].en, cases[i].en, buf);
		repfmt_percent(REPFMT_VI, cases[i].v, cases[i].decimals, buf, sizeof buf);
		CHECK_STR(cases[i].vi_pct, cases[i].vi_pct, buf);
	}
}

static void test_change(void **state)
{
	static const struct {
		const char *name;
		bool has_cur;
		double cur;
		bool has_prev;
		double prev;
		int decimals;
		bool ratio;
		const char *vi, *en;
	} cases[] = {
	    {"count up", true, 5000, true, 4950, 0, false, "+50", "+50"},
	    {"count down", true, 4950, true, 5000, 0, false, "-50", "-50"},
	    {"thousands", true, 24080, true, 12000, 0, false, "+12.080", "+12,080"},
	    {"same", true, 7, true, 7, 0, false, "0", "0"},
	    {"ratio up", true, 89.5238095, true, 85.7142857, 2, true, "+3,81 điểm %", "+3.81 pp"},
	    {"ratio down", true, 60.8695652, true, 61.1, 2, true, "-0,23 điểm %", "-0.23 pp"},
	    {"ratio rounds to 0", true, 50.001, true, 50.0, 2, true, "0 điểm %", "0 pp"},
	    {"no previous", true, 5, false, 0, 0, false, "—", "—"},
	    {"no current", false, 0, true, 5, 0, false, "—", "—"},
	    {"NaN", true, NAN, true, 1, 0, false, "—", "—"},
	};
	char buf[64];
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		repfmt_change(REPFMT_VI, cases[i].has_cur, cases[i].cur, cases[i].has_prev,
			      cases[i].prev, cases[i].decimals, cases[i].ratio, buf, sizeof buf);
		CHECK_STR(cases[i].name, cases[i].vi, buf);
		repfmt_change(REPFMT_EN, cases[i].has_cur, cases[i].cur, cases[i].has_prev,
			      cases[i].prev, cases[i].decimals, cases[i].ratio, buf, sizeof buf);
		CHECK_STR(cases[i].name, cases[i].en, buf);
	}
}

static void test_words(void **state)
{
	static const struct {
		const char *ts, *vi, *en;
	} when[] = {
	    {"2024-07-01 09:30:05", "09:30 ngày 01/07/2024", "09:30 on 01/07/2024"},
	    {"not a time", "not a time", "not a time"},
	};
	char buf[64];
	(void)state;
	for (size_t i = 0; i < sizeof when / sizeof when[0]; i++) {
		repfmt_when(REPFMT_VI, when[i].ts, buf, sizeof buf);
		CHECK_STR(when[i].ts, when[i].vi, buf);
		repfmt_when(REPFMT_EN, when[i].ts, buf, sizeof buf);
		CHECK_STR(when[i].ts, when[i].en, buf);
	}
	CHECK_STR("about", "khoảng ", repfmt_qualifier(REPFMT_VI, "about"));
	CHECK_STR("at least en", "at least ", repfmt_qualifier(REPFMT_EN, "at_least"));
	CHECK_STR("none", "", repfmt_qualifier(REPFMT_VI, ""));
	CHECK_STR("half-years", "kỳ 6 tháng", repfmt_period_type(REPFMT_VI, "six-monthly"));
	CHECK_STR("unknown type", "fortnightly", repfmt_period_type(REPFMT_EN, "fortnightly"));
	CHECK_INT("vi", REPFMT_VI, repfmt_lang_from_name("vi"));
	CHECK_INT("en", REPFMT_EN, repfmt_lang_from_name("en"));
	CHECK_INT("fr", -1, repfmt_lang_from_name("fr"));
	CHECK_STR("published at", "Công bố lúc", repfmt_word(REPFMT_VI, W_PUBLISHED_AT));
	for (int w = 0; w < W_NWORDS; w++) {
		if (!*repfmt_word(REPFMT_VI, (enum repfmt_word)w) ||
		    !*repfmt_word(REPFMT_EN, (enum repfmt_word)w))
			fail_msg("word %d has no text in one language", w);
	}
}

static void test_html_escape(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
	    {"Xã Sơn Nham", "Xã Sơn Nham"},
	    {"<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"},
	    {"A & B", "A &amp; B"},
	    {"\"quoted\" 'single'", "&quot;quoted&quot; &#39;single&#39;"},
	    {"tab\tand\nnewline", "tab\tand\nnewline"},
	    {"bell\a", "bell\xEF\xBF\xBD"},
	    {"del\x7F", "del\xEF\xBF\xBD"},
	    {"c1 \xC2\x85 next line", "c1 \xEF\xBF\xBD next line"},
	    {"nbsp\xC2\xA0kept", "nbsp\xC2\xA0kept"},
	    {"", ""},
	};
	char buf[128], small[8];
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		size_t n = repfmt_html_escape(cases[i].in, buf, sizeof buf);
		CHECK_STR(cases[i].in, cases[i].out, buf);
		CHECK_INT(cases[i].in, strlen(cases[i].out), n);
	}
	/* a small buffer gets a cut, terminated copy and the whole length */
	size_t n = repfmt_html_escape("<<<<", small, sizeof small);
	CHECK_INT("whole length", 16, n);
	CHECK_STR("cut", "&lt;&lt", small);
}

static void test_md_escape(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
	    {"Huyện Sơn Hà (529)", "Huyện Sơn Hà (529)"},
	    {"a|b", "a\\|b"},
	    {"*bold* _it_ `code`", "\\*bold\\* \\_it\\_ \\`code\\`"},
	    {"[link](x) <b>", "\\[link\\](x) \\<b\\>"},
	    {"two\nlines\r\n", "two lines  "},
	    {"a & b ~c~ \\", "a \\& b \\~c\\~ \\\\"},
	    {"89,52%", "89,52%"},
	};
	char buf[128];
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		repfmt_md_escape(cases[i].in, buf, sizeof buf);
		CHECK_STR(cases[i].in, cases[i].out, buf);
	}
}

static void test_scale(void **state)
{
	static const struct {
		double max;
		bool percent;
		double scale;
	} cases[] = {
	    {5.28, true, 100}, {100, true, 100},  {94.44, true, 100},
	    {136, true, 200},  {136, false, 200}, {0.3, false, 0.5},
	    {1, false, 1},     {7, false, 10},	  {100, false, 100},
	    {101, false, 200}, {0, true, 100},	  {0, false, 1},
	    {-5, false, 1},    {NAN, true, 100},  {2115025641, false, 5000000000},
	};
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		double s = repfmt_scale_max(cases[i].max, cases[i].percent);
		if (fabs(s - cases[i].scale) > 1e-9 * cases[i].scale)
			fail_msg("scale of %g (%s): expected %g, got %g", cases[i].max,
				 cases[i].percent ? "percent" : "number", cases[i].scale, s);
	}
}

static void test_bars(void **state)
{
	/* a plot 400 wide starting at x = 200: width 700 - label 200 - value 100 */
	const struct repfmt_chart c = {.width = 700,
				       .label_w = 200,
				       .value_w = 100,
				       .top = 10,
				       .bar_h = 20,
				       .gap = 5,
				       .bottom = 30};
	static const struct {
		const char *name;
		size_t index;
		double value, scale;
		struct repfmt_rect want;
	} cases[] = {
	    {"half", 0, 50, 100, {200, 10, 200, 20}},
	    {"full", 1, 100, 100, {200, 35, 400, 20}},
	    {"89,52%", 2, 89.5238095, 100, {200, 60, 358.1, 20}},
	    {"5,28%", 0, 5.28, 100, {200, 10, 21.1, 20}},
	    {"zero", 3, 0, 100, {200, 85, 0, 20}},
	    {"over the scale", 0, 150, 100, {200, 10, 400, 20}},
	    {"negative", 0, -5, 100, {200, 10, 0, 20}},
	    {"NaN", 0, NAN, 100, {200, 10, 0, 20}},
	    {"no scale", 0, 5, 0, {200, 10, 0, 20}},
	    {"completeness 1 of 15", 5, 1, 15, {200, 135, 26.7, 20}},
	};
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct repfmt_rect r =
		    repfmt_bar(&c, cases[i].index, cases[i].value, cases[i].scale);
		const struct repfmt_rect *w = &cases[i].want;
		if (fabs(r.x - w->x) > 1e-9 || fabs(r.y - w->y) > 1e-9 || fabs(r.w - w->w) > 1e-9 ||
		    fabs(r.h - w->h) > 1e-9)
			fail_msg("%s: expected (%g, %g, %g, %g), got (%g, %g, %g, %g)",
				 cases[i].name, w->x, w->y, w->w, w->h, r.x, r.y, r.w, r.h);
	}
	CHECK_INT("height of 0 bars", 40, repfmt_chart_height(&c, 0));
	CHECK_INT("height of 1 bar", 60, repfmt_chart_height(&c, 1));
	CHECK_INT("height of 3 bars", 110, repfmt_chart_height(&c, 3));
	CHECK_INT("axis at 25%", 300, repfmt_axis_x(&c, 25, 100));
	CHECK_INT("axis clamped", 600, repfmt_axis_x(&c, 250, 100));
	/* the default layout leaves a positive plot width */
	const struct repfmt_chart *d = &repfmt_chart_default;
	if (!(d->width - d->label_w - d->value_w > 100))
		fail_msg("default chart has no room for bars");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_title),     cmocka_unit_test(test_period_canon),
	    cmocka_unit_test(test_numbers),   cmocka_unit_test(test_change),
	    cmocka_unit_test(test_words),     cmocka_unit_test(test_html_escape),
	    cmocka_unit_test(test_md_escape), cmocka_unit_test(test_scale),
	    cmocka_unit_test(test_bars),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
