/*
 * repfmt: words, titles, numbers, escaping and chart geometry for reports
 * (see repfmt.h).
 */
#include "repfmt.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "message.h"
#include "num.h"
#include "period.h"

static const char *const repfmt_words[W_NWORDS][2] = {
    [W_REPORT] = {"BÁO CÁO", "REPORT"},
    [W_SUBTITLE] = {"(số liệu tổng hợp từ báo cáo của các đơn vị; tỷ lệ tính từ tử số và mẫu số)",
		    "(figures aggregated from the units' reports; ratios computed from numerator "
		    "and denominator)"},
    [W_INDICATOR] = {"Chỉ tiêu", "Indicator"},
    [W_UNIT] = {"Đơn vị", "Unit"},
    [W_VALUE] = {"Giá trị", "Value"},
    [W_NUM_DEN] = {"Tử số / mẫu số", "Numerator / denominator"},
    [W_PREVIOUS] = {"Kỳ trước", "Previous period"},
    [W_CHANGE] = {"Thay đổi", "Change"},
    [W_REPORTING] = {"Đơn vị báo cáo", "Units reporting"},
    [W_LATE] = {"Nộp muộn", "Late"},
    [W_UNITS_REPORTED] = {"đơn vị báo cáo", "units reporting"},
    [W_LATE_SUFFIX] = {"nộp muộn", "late"},
    [W_COMPLETENESS] = {"Mức độ đầy đủ của số liệu theo đơn vị", "Completeness by unit"},
    [W_GROUP] = {"Đơn vị", "Unit"},
    [W_EXPECTED] = {"Phải báo cáo", "Expected"},
    [W_REPORTED] = {"Đã báo cáo", "Reported"},
    [W_ON_TIME] = {"Đúng hạn", "On time"},
    [W_SHARE] = {"Tỷ lệ", "Share"},
    [W_MISSING] = {"Đơn vị chưa báo cáo", "Units that did not report"},
    [W_NONE_MISSING] = {"Tất cả các đơn vị phải báo cáo đã báo cáo.",
			"Every unit expected to report has reported."},
    [W_PUBLISHED_AT] = {"Công bố lúc", "Published at"},
    [W_VERSION] = {"phiên bản", "version"},
    [W_BY] = {"người công bố", "published by"},
    [W_NOTE] = {"ghi chú", "note"},
    [W_HASH] = {"Mã kiểm tra (SHA-256)", "Checksum (SHA-256)"},
    [W_LIVE] = {"Số liệu hiện hành, chưa công bố", "Current figures, not published"},
    [W_COMPARED] = {"So sánh với", "Compared with"},
    [W_NO_PREVIOUS] = {"“—”: không có số liệu để so sánh.", "“—”: no figure to compare with."},
    [W_INCOMPARABLE] = {"“*”: số đơn vị báo cáo kỳ trước khác kỳ này, thay đổi có phần do đó.",
			"“*”: a different number of units reported in the previous period, which "
			"accounts for part of the change."},
    [W_RATIOS_NOTE] = {"Tỷ lệ được tính từ tử số và mẫu số đã tổng hợp, không nhập tay.",
		       "Ratios are computed from the aggregated numerator and denominator, never "
		       "typed."},
    [W_CONTENTS] = {"Mục lục", "Contents"},
    [W_CHART_RANKED] = {"theo đơn vị, xếp hạng", "by unit, ranked"},
    [W_TOTAL] = {"Tổng cộng", "Total"},
    [W_PERIOD] = {"Kỳ báo cáo", "Reporting period"},
    [W_PERIODS_BEHIND] = {"số liệu", "figures for"},
    [W_NO_FIGURES] = {"Không có số liệu trong kỳ này.", "No figures for this period."},
    [W_HASH_MISMATCH] = {"CẢNH BÁO: số liệu đã công bố không khớp mã kiểm tra",
			 "WARNING: the published rows no longer match their checksum"},
};

int repfmt_lang_from_name(const char *name)
{
	if (strcmp(name, "vi") == 0)
		return REPFMT_VI;
	if (strcmp(name, "en") == 0)
		return REPFMT_EN;
	return -1;
}

const char *repfmt_word(enum repfmt_lang lang, enum repfmt_word w)
{
	const char *s = (unsigned)w < W_NWORDS ? repfmt_words[w][lang == REPFMT_EN] : NULL;
	return s ? s : "";
}

const char *repfmt_qualifier(enum repfmt_lang lang, const char *q)
{
	static const struct {
		const char *code, *vi, *en;
	} names[] = {{"at_least", "ít nhất ", "at least "},
		     {"at_most", "nhiều nhất ", "at most "},
		     {"about", "khoảng ", "about "}};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(names[i].code, q) == 0)
			return lang == REPFMT_EN ? names[i].en : names[i].vi;
	return "";
}

const char *repfmt_period_type(enum repfmt_lang lang, const char *type)
{
	static const struct {
		const char *type, *vi, *en;
	} names[] = {{"daily", "ngày", "days"},
		     {"weekly", "tuần", "weeks"},
		     {"monthly", "tháng", "months"},
		     {"quarterly", "quý", "quarters"},
		     {"six-monthly", "kỳ 6 tháng", "half-years"},
		     {"yearly", "năm", "years"}};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(names[i].type, type) == 0)
			return lang == REPFMT_EN ? names[i].en : names[i].vi;
	return type;
}

/*
 * Parses a period as written on a command line: "2024M03" or "2024m3", a month
 * written with M, is rewritten as "202403" first, so that period_parse alone
 * judges the year and the month (its range, PERIOD_YEAR_MIN..MAX, is the one the
 * server takes).
 */
static int repfmt_parse(const char *in, struct period *p)
{
	const char *why;
	size_t len = strlen(in);
	char month[7];

	if (len >= 6 && len <= 7 && strspn(in, "0123456789") == 4 &&
	    (in[4] == 'M' || in[4] == 'm') && strspn(in + 5, "0123456789") == len - 5) {
		snprintf(month, sizeof month, "%.4s%s%s", in, len == 6 ? "0" : "", in + 5);
		in = month;
		len = 6;
	}
	return period_parse(in, len, p, &why);
}

int repfmt_period_canon(const char *in, char *buf, size_t size)
{
	struct period p;

	if (repfmt_parse(in, &p) < 0)
		return -1;
	period_format(&p, buf, size);
	return 0;
}

int repfmt_period_words(enum repfmt_lang lang, const char *period, char *buf, size_t size)
{
	static const char *const months[] = {
	    "",	    "January", "February",  "March",   "April",	   "May",     "June",
	    "July", "August",  "September", "October", "November", "December"};
	bool en = lang == REPFMT_EN;
	struct period p;

	if (repfmt_parse(period, &p) < 0) {
		if (en)
			return snprintf(buf, size, "period %s", period);
		return message_format(buf, size, "period_other", period, NULL);
	}
	/* Vietnamese: the words of the messages officers read (lib/period.c). */
	if (!en) {
		period_words_vi(&p, buf, size);
		return (int)strlen(buf);
	}
	switch (p.type) {
	case PERIOD_YEARLY:
		return snprintf(buf, size, "year %d", p.year);
	case PERIOD_SIXMONTHLY:
		return snprintf(buf, size, "%s half of %d", p.num == 1 ? "first" : "second",
				p.year);
	case PERIOD_QUARTERLY:
		return snprintf(buf, size, "Q%d %d", p.num, p.year);
	case PERIOD_MONTHLY:
		return snprintf(buf, size, "%s %d", months[p.num], p.year);
	case PERIOD_WEEKLY:
		return snprintf(buf, size, "week %d of %d", p.num, p.year);
	case PERIOD_DAILY:
		return snprintf(buf, size, "%02d/%02d/%d", p.day, p.num, p.year);
	}
	return snprintf(buf, size, "period %s", period);
}

int repfmt_title(enum repfmt_lang lang, const char *period, const char *unit_name, char *buf,
		 size_t size)
{
	char when[96];

	repfmt_period_words(lang, period, when, sizeof when);
	if (lang == REPFMT_EN)
		return snprintf(buf, size, "REPORT Digital transformation results, %s — %s", when,
				unit_name);
	/*
	 * In running text the type word of a unit name is lower case: "tỉnh Quảng
	 * Ngãi", "huyện Sơn Hà", "đặc khu Lý Sơn".  Every type word starts with an
	 * ASCII letter or with Đ (U+0110, lower case U+0111).
	 */
	if ((unsigned char)unit_name[0] == 0xC4 && (unsigned char)unit_name[1] == 0x90)
		return snprintf(buf, size, "BÁO CÁO Kết quả chuyển đổi số %s — \xC4\x91%s", when,
				unit_name + 2);
	if (isupper((unsigned char)unit_name[0]))
		return snprintf(buf, size, "BÁO CÁO Kết quả chuyển đổi số %s — %c%s", when,
				tolower((unsigned char)unit_name[0]), unit_name + 1);
	return snprintf(buf, size, "BÁO CÁO Kết quả chuyển đổi số %s — %s", when, unit_name);
}

int repfmt_when(enum repfmt_lang lang, const char *ts, char *buf, size_t size)
{
	int y, mo, d, h, mi, s;
	char tail;

	if (sscanf(ts, "%4d-%2d-%2d %2d:%2d:%2d%c", &y, &mo, &d, &h, &mi, &s, &tail) != 6)
		return snprintf(buf, size, "%s", ts);
	return snprintf(buf, size, "%02d:%02d %s %02d/%02d/%04d", h, mi,
			lang == REPFMT_EN ? "on" : "ngày", d, mo, y);
}

int repfmt_number(enum repfmt_lang lang, double v, int decimals, char *buf, size_t size)
{
	int n = num_format_vi(v, decimals, buf, size);

	/* English groups with commas and separates decimals with a dot: swap the two. */
	if (lang == REPFMT_EN)
		for (char *c = buf; size > 0 && *c; c++)
			*c = *c == '.' ? ',' : *c == ',' ? '.' : *c;
	return n;
}

int repfmt_percent(enum repfmt_lang lang, double v, int decimals, char *buf, size_t size)
{
	char num[64];

	repfmt_number(lang, v, decimals, num, sizeof num);
	return snprintf(buf, size, "%s%%", num);
}

int repfmt_change(enum repfmt_lang lang, bool has_cur, double cur, bool has_prev, double prev,
		  int decimals, bool ratio, char *buf, size_t size)
{
	const char *unit = !ratio ? "" : lang == REPFMT_EN ? " pp" : " điểm %";
	char num[64];
	double diff = cur - prev;

	if (!has_cur || !has_prev || !isfinite(diff))
		return snprintf(buf, size, "—");
	if (decimals < 0)
		decimals = 0;
	if (fabs(diff) < 0.5 * pow(10, -decimals))
		return snprintf(buf, size, "0%s", unit);
	repfmt_number(lang, diff, decimals, num, sizeof num);
	return snprintf(buf, size, "%s%s%s", diff > 0 ? "+" : "", num, unit);
}

/* ---- escaping ---- */

/* Appends text to buf (size bytes) at *len, counting past the end like snprintf. */
static void repfmt_append(char *buf, size_t size, size_t *len, const char *text, size_t n)
{
	for (size_t i = 0; i < n; i++, (*len)++)
		if (*len + 1 < size)
			buf[*len] = text[i];
	if (size > 0)
		buf[*len < size ? *len : size - 1] = '\0';
}

#define REPFMT_REPLACEMENT "\xEF\xBF\xBD" /* U+FFFD */

size_t repfmt_html_escape(const char *s, char *buf, size_t size)
{
	size_t len = 0;

	if (size > 0)
		buf[0] = '\0';
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		const char *rep = NULL;
		switch (*p) {
		case '&':
			rep = "&amp;";
			break;
		case '<':
			rep = "&lt;";
			break;
		case '>':
			rep = "&gt;";
			break;
		case '"':
			rep = "&quot;";
			break;
		case '\'':
			rep = "&#39;";
			break;
		default:
			/* C0 and C1 controls are not allowed in HTML text */
			if ((*p < 0x20 && *p != '\t' && *p != '\n') || *p == 0x7F)
				rep = REPFMT_REPLACEMENT;
			else if (*p == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F)
				rep = REPFMT_REPLACEMENT, p++;
		}
		if (rep)
			repfmt_append(buf, size, &len, rep, strlen(rep));
		else
			repfmt_append(buf, size, &len, (const char *)p, 1);
	}
	return len;
}

/* Writes s through an escaper that works on buffers, a piece at a time. */
static void repfmt_put(FILE *out, const char *s, size_t (*escape)(const char *, char *, size_t))
{
	char small[512];
	size_t n = escape(s, small, sizeof small);

	if (n < sizeof small) {
		fputs(small, out);
		return;
	}
	char *big = malloc(n + 1);
	if (!big) {
		fputs(small, out); /* out of memory: a cut cell beats no report */
		return;
	}
	escape(s, big, n + 1);
	fputs(big, out);
	free(big);
}

void repfmt_html_put(FILE *out, const char *s)
{
	repfmt_put(out, s, repfmt_html_escape);
}

size_t repfmt_md_escape(const char *s, char *buf, size_t size)
{
	size_t len = 0;

	if (size > 0)
		buf[0] = '\0';
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '\n' || *p == '\r' || *p == '\t')
			repfmt_append(buf, size, &len, " ", 1);
		else if (*p < 0x20 || *p == 0x7F)
			repfmt_append(buf, size, &len, REPFMT_REPLACEMENT,
				      sizeof REPFMT_REPLACEMENT - 1);
		else if (strchr("\\`*_[]<>|~&", *p)) {
			repfmt_append(buf, size, &len, "\\", 1);
			repfmt_append(buf, size, &len, (const char *)p, 1);
		} else
			repfmt_append(buf, size, &len, (const char *)p, 1);
	}
	return len;
}

void repfmt_md_put(FILE *out, const char *s)
{
	repfmt_put(out, s, repfmt_md_escape);
}

/* ---- chart geometry ---- */

const struct repfmt_chart repfmt_chart_default = {
    .width = 720, .label_w = 230, .value_w = 110, .top = 6, .bar_h = 18, .gap = 6, .bottom = 24};

static double repfmt_round1(double v)
{
	return round(v * 10) / 10;
}

double repfmt_scale_max(double max_value, bool percent)
{
	static const double steps[] = {1, 2, 5, 10};

	if (!(max_value > 0) || !isfinite(max_value))
		return percent ? 100 : 1;
	if (percent && max_value <= 100)
		return 100;
	double p = pow(10, floor(log10(max_value)));
	for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
		if (steps[i] * p >= max_value * (1 - 1e-12))
			return steps[i] * p;
	return 10 * p;
}

double repfmt_axis_x(const struct repfmt_chart *c, double value, double scale_max)
{
	double plot = c->width - c->label_w - c->value_w;
	double f = scale_max > 0 ? value / scale_max : 0;

	if (!(f > 0)) /* negative, zero or NaN */
		f = 0;
	if (f > 1)
		f = 1;
	return repfmt_round1(c->label_w + f * plot);
}

struct repfmt_rect repfmt_bar(const struct repfmt_chart *c, size_t index, double value,
			      double scale_max)
{
	struct repfmt_rect r;

	r.x = repfmt_round1(c->label_w);
	r.w = repfmt_round1(repfmt_axis_x(c, value, scale_max) - c->label_w);
	r.y = repfmt_round1(c->top + (double)index * (c->bar_h + c->gap));
	r.h = c->bar_h;
	return r;
}

double repfmt_chart_height(const struct repfmt_chart *c, size_t nbars)
{
	double bars = nbars ? (double)nbars * c->bar_h + (double)(nbars - 1) * c->gap : 0;
	return repfmt_round1(c->top + bars + c->bottom);
}
