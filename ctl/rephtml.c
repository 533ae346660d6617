/*
 * rephtml: reports as one self-contained HTML file (see rephtml.h).
 */
#include "rephtml.h"

#include <stdlib.h>
#include <string.h>

#include "reptext.h"

/* One stylesheet for screen and print; the SVG charts use its classes too. */
static const char rephtml_css[] =
    ":root{--ink:#1b1f24;--muted:#5b6470;--rule:#cfd6de;--head:#eef2f6;--bar:#2b6cb0;"
    "--ok:#2f855a;--late:#dd6b20;--none:#e2e8f0}\n"
    "*{box-sizing:border-box}\n"
    "body{margin:0 auto;max-width:1100px;padding:24px;color:var(--ink);"
    "font:14px/1.45 \"Noto Sans\",\"DejaVu Sans\",\"Liberation Sans\",Arial,sans-serif}\n"
    "header{border-bottom:2px solid var(--ink);margin-bottom:16px}\n"
    "h1{font-size:22px;margin:0 0 8px;text-align:center}\n"
    "h1 .kicker{display:block;font-size:26px;letter-spacing:.04em}\n"
    "h2{font-size:18px;margin:28px 0 10px;border-bottom:1px solid var(--rule)}\n"
    "h3{font-size:15px;margin:14px 0 6px}\n"
    "dl.meta{display:grid;grid-template-columns:max-content auto;gap:2px 12px;margin:12px 0}\n"
    "dl.meta dt{color:var(--muted)}dl.meta dd{margin:0}\n"
    "p.reexpressed{border-left:4px solid var(--late);padding:4px 10px;background:var(--head)}\n"
    ".status{padding:6px 10px;margin:8px 0 12px;border-left:4px solid var(--bar);"
    "background:var(--head)}\n"
    ".warn{border-left-color:#c53030;font-weight:bold}\n"
    ".hash{font-family:\"DejaVu Sans Mono\",monospace;font-size:12px;word-break:break-all}\n"
    "nav ol{columns:2;margin:0;padding-left:22px}\n"
    "table{border-collapse:collapse;width:100%;margin:8px 0 16px;font-size:13px}\n"
    "th,td{border:1px solid var(--rule);padding:3px 6px;vertical-align:top}\n"
    "thead th{background:var(--head);text-align:center}\n"
    "tr.ind th{background:#f7f9fb;text-align:left;font-weight:600}\n"
    "td.n{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}\n"
    "td.d1{padding-left:18px}td.d2{padding-left:30px}td.d3{padding-left:42px}"
    "td.d4{padding-left:54px}\n"
    ".code,.measure{color:var(--muted);font-size:12px}\n"
    "tr.total td{font-weight:bold}\n"
    ".charts{margin-top:8px}\n"
    "figure{margin:8px 0;break-inside:avoid;page-break-inside:avoid}\n"
    "figcaption{font-weight:600;font-size:13px;margin-bottom:4px}\n"
    "svg{max-width:100%;height:auto;font-size:12px}\n"
    "svg .lbl{fill:var(--ink)}svg .val{fill:var(--ink);font-weight:600}\n"
    "svg .axis{stroke:var(--muted);stroke-width:1}svg .tick{fill:var(--muted);font-size:10px}\n"
    "svg .bar{fill:var(--bar)}svg .ok{fill:var(--ok)}svg .late{fill:var(--late)}"
    "svg .none{fill:var(--none)}\n"
    "svg .ref{stroke:#c53030;stroke-width:1.5;stroke-dasharray:4 3}.refnote{color:#c53030}\n"
    "ul.units{columns:3;margin:4px 0 10px;padding-left:20px;font-size:13px}\n"
    "footer{margin-top:24px;border-top:1px solid var(--rule);color:var(--muted);font-size:12px}\n"
    "@page{size:A4;margin:14mm 12mm}\n"
    "@media print{body{max-width:none;padding:0;font-size:11pt}nav{display:none}"
    "section.pillar,section.missing{break-before:page;page-break-before:always}"
    "section.empty{break-before:auto;page-break-before:auto}"
    "thead{display:table-header-group}tr{break-inside:avoid;page-break-inside:avoid}"
    "a{color:inherit;text-decoration:none}}\n";

/* "Huyện Sơn Hà <span class=code>529</span>". */
static void rephtml_unit(FILE *out, const char *name, const char *code)
{
	repfmt_html_put(out, name);
	fputs(" <span class=\"code\">", out);
	repfmt_html_put(out, code);
	fputs("</span>", out);
}

/* An escaped table cell; numbers right-aligned. */
static void rephtml_cell(FILE *out, const char *text, bool number)
{
	fputs(number ? "<td class=\"n\">" : "<td>", out);
	repfmt_html_put(out, text);
	fputs("</td>", out);
}

static void rephtml_head(FILE *out, const struct repdoc *d)
{
	enum repfmt_lang lang = d->opt.lang;
	const struct store_report_set *set = d->set;
	const char *report = repfmt_word(lang, W_REPORT);
	size_t rl = strlen(report);
	char line[256];

	fprintf(out,
		"<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n"
		"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		"<title>",
		lang == REPFMT_EN ? "en" : "vi");
	repfmt_html_put(out, d->title);
	fprintf(out, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<header>\n<h1>", rephtml_css);
	/* "BÁO CÁO" above the rest of the title, as the seed reports set it */
	if (strncmp(d->title, report, rl) == 0 && d->title[rl] == ' ') {
		fputs("<span class=\"kicker\">", out);
		repfmt_html_put(out, report);
		fputs("</span> ", out);
		repfmt_html_put(out, d->title + rl + 1);
	} else {
		repfmt_html_put(out, d->title);
	}
	fputs("</h1>\n", out);
	if (d->reexpressed[0]) {
		fputs("<p class=\"reexpressed\"><strong>", out);
		repfmt_html_put(out, d->reexpressed);
		fputs("</strong>", out);
		if (d->unmapped_note[0]) {
			fputs("<br>", out);
			repfmt_html_put(out, d->unmapped_note);
		}
		fputs("</p>\n", out);
	}
	fprintf(out, "<dl class=\"meta\">\n<dt>%s</dt><dd>", repfmt_word(lang, W_PERIOD));
	repfmt_html_put(out, d->period_words);
	fputs(" (", out);
	repfmt_html_put(out, d->period);
	fprintf(out, ")</dd>\n<dt>%s</dt><dd>", repfmt_word(lang, W_UNIT));
	rephtml_unit(out, d->unit_name, d->unit_code);
	fputs("</dd>\n", out);
	if (d->prev_period[0]) {
		fprintf(out, "<dt>%s</dt><dd>", repfmt_word(lang, W_COMPARED));
		repfmt_html_put(out, d->prev_words);
		fputs(" (", out);
		repfmt_html_put(out, d->prev_period);
		fputs(")</dd>\n", out);
	}
	fputs("</dl>\n", out);
	if (set->published) {
		reptext_published(lang, &set->pub, line, sizeof line);
		fputs("<p class=\"status\">", out);
		repfmt_html_put(out, line);
		if (set->pub.note[0]) {
			fprintf(out, "<br>%s: ", repfmt_word(lang, W_NOTE));
			repfmt_html_put(out, set->pub.note);
		}
		fputs("</p>\n", out);
		if (!set->pub.content_ok)
			fprintf(out, "<p class=\"status warn\">%s</p>\n",
				repfmt_word(lang, W_HASH_MISMATCH));
	} else {
		fprintf(out, "<p class=\"status\">%s</p>\n", repfmt_word(lang, W_LIVE));
	}
	fputs("</header>\n", out);
}

static void rephtml_nav(FILE *out, const struct repdoc *d)
{
	enum repfmt_lang lang = d->opt.lang;

	fprintf(out, "<nav>\n<h2>%s</h2>\n<ol>\n<li><a href=\"#completeness\">%s</a></li>\n",
		repfmt_word(lang, W_CONTENTS), repfmt_word(lang, W_COMPLETENESS));
	for (size_t k = 0; k < d->npillars; k++) {
		fputs("<li><a href=\"#p-", out);
		repfmt_html_put(out, d->pillars[k].code);
		fputs("\">", out);
		repfmt_html_put(out, d->pillars[k].name);
		fputs("</a></li>\n", out);
	}
	fprintf(out, "<li><a href=\"#missing\">%s</a></li>\n</ol>\n</nav>\n",
		repfmt_word(lang, W_MISSING));
}

/* The horizontal axis under n bars: 0, half and full scale. */
static void rephtml_axis(FILE *out, const struct repfmt_chart *c, size_t n, double scale,
			 enum repfmt_lang lang, bool percent)
{
	double y = repfmt_chart_height(c, n) - c->bottom + 4;
	char num[64];

	fprintf(out, "<line class=\"axis\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n",
		c->label_w, y, repfmt_axis_x(c, scale, scale), y);
	for (int t = 0; t <= 2; t++) {
		double v = scale * t / 2;
		if (percent)
			repfmt_percent(lang, v, 0, num, sizeof num);
		else
			repfmt_number(lang, v, v < 10 ? 1 : 0, num, sizeof num);
		fprintf(
		    out,
		    "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>\n",
		    repfmt_axis_x(c, v, scale), y + 12, num);
	}
}

/* Rows of one ratio indicator to chart: the units one level below the report's unit. */
static size_t rephtml_ranked(const struct repdoc *d, size_t first, size_t end,
			     const struct store_report_row **bars,
			     const struct store_report_row **root)
{
	size_t n = 0;

	*root = NULL;
	for (size_t i = first; i < end; i++) {
		const struct store_report_row *r = repdoc_row(d, i);
		if (r->depth == 0 && r->has_value)
			*root = r;
		else if (r->depth == 1 && r->has_value)
			bars[n++] = r;
	}
	/* ranked: highest first, ties in tree order (insertion sort keeps it stable) */
	for (size_t i = 1; i < n; i++)
		for (size_t k = i; k > 0 && bars[k]->value > bars[k - 1]->value; k--) {
			const struct store_report_row *t = bars[k];
			bars[k] = bars[k - 1];
			bars[k - 1] = t;
		}
	return n;
}

/* A ranked bar chart of one ratio indicator (rows first .. end of the reading order). */
static void rephtml_ratio_chart(FILE *out, const struct repdoc *d, size_t first, size_t end,
				const struct store_report_row **bars)
{
	const struct repfmt_chart *c = &repfmt_chart_default;
	enum repfmt_lang lang = d->opt.lang;
	const struct store_report_row *root, *ind = repdoc_row(d, first);
	size_t n = rephtml_ranked(d, first, end, bars, &root);
	double max = root ? root->value : 0;
	char num[64];

	if (n == 0)
		return;
	for (size_t i = 0; i < n; i++)
		if (bars[i]->value > max)
			max = bars[i]->value;
	double scale = repfmt_scale_max(max, true), height = repfmt_chart_height(c, n);
	fputs("<figure>\n<figcaption>", out);
	repfmt_html_put(out, repdoc_indicator_name(d, ind));
	fprintf(out, " — %s</figcaption>\n", repfmt_word(lang, W_CHART_RANKED));
	fprintf(out,
		"<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %.0f %.1f\" width=\"%.0f\""
		" height=\"%.1f\" role=\"img\" aria-label=\"",
		c->width, height, c->width, height);
	repfmt_html_put(out, repdoc_indicator_name(d, ind));
	fputs("\">\n", out);
	for (size_t i = 0; i < n; i++) {
		struct repfmt_rect b = repfmt_bar(c, i, bars[i]->value, scale);
		repfmt_percent(lang, bars[i]->value, bars[i]->decimals, num, sizeof num);
		fprintf(out, "<text class=\"lbl\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">",
			b.x - 6, b.y + b.h - 5);
		repfmt_html_put(out, bars[i]->unit_name);
		fprintf(out,
			"</text><rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
			"height=\"%.1f\"/><text class=\"val\" x=\"%.1f\" y=\"%.1f\">%s</text>\n",
			b.x, b.y, b.w, b.h, b.x + b.w + 4, b.y + b.h - 5, num);
	}
	if (root) {
		/* the report's own unit: where the bars stand against the whole */
		double x = repfmt_axis_x(c, root->value, scale);
		repfmt_percent(lang, root->value, root->decimals, num, sizeof num);
		fprintf(out,
			"<line class=\"ref\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n",
			x, c->top - 4, x, height - c->bottom + 4);
	}
	rephtml_axis(out, c, n, scale, lang, true);
	fputs("</svg>\n", out);
	if (root) {
		fputs("<div class=\"code refnote\">- - - ", out);
		repfmt_html_put(out, root->unit_name);
		fprintf(out, ": %s</div>\n", num);
	}
	fputs("</figure>\n", out);
}

/* Completeness by group as stacked bars: on time, late, not reported. */
static void rephtml_completeness_chart(FILE *out, const struct repdoc *d)
{
	const struct repfmt_chart *c = &repfmt_chart_default;
	enum repfmt_lang lang = d->opt.lang;
	double height = repfmt_chart_height(c, d->ngroups);
	char share[32];

	if (d->ngroups == 0)
		return;
	fprintf(out,
		"<figure>\n<figcaption>%s</figcaption>\n<svg xmlns=\"http://www.w3.org/2000/svg\""
		" viewBox=\"0 0 %.0f %.1f\" width=\"%.0f\" height=\"%.1f\" role=\"img\""
		" aria-label=\"%s\">\n",
		repfmt_word(lang, W_COMPLETENESS), c->width, height, c->width, height,
		repfmt_word(lang, W_COMPLETENESS));
	for (size_t i = 0; i < d->ngroups; i++) {
		const struct repdoc_group *g = &d->groups[i];
		struct repfmt_rect all = repfmt_bar(c, i, g->expected, g->expected);
		struct repfmt_rect rep = repfmt_bar(c, i, g->reported, g->expected);
		struct repfmt_rect ok = repfmt_bar(c, i, g->on_time, g->expected);
		repfmt_percent(lang, repdoc_group_share(g), 2, share, sizeof share);
		fprintf(out, "<text class=\"lbl\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">",
			all.x - 6, all.y + all.h - 5);
		repfmt_html_put(out, g->name);
		fprintf(out,
			"</text><rect class=\"none\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
			"height=\"%.1f\"/>",
			all.x, all.y, all.w, all.h);
		if (rep.w > 0)
			fprintf(out,
				"<rect class=\"late\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
				"height=\"%.1f\"/>",
				rep.x, rep.y, rep.w, rep.h);
		if (ok.w > 0)
			fprintf(out,
				"<rect class=\"ok\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
				"height=\"%.1f\"/>",
				ok.x, ok.y, ok.w, ok.h);
		fprintf(out, "<text class=\"val\" x=\"%.1f\" y=\"%.1f\">%d/%d (%s)</text>\n",
			all.x + all.w + 4, all.y + all.h - 5, g->reported, g->expected, share);
	}
	rephtml_axis(out, c, d->ngroups, 100, lang, true);
	fputs("</svg>\n", out);
	fprintf(
	    out,
	    "<div class=\"code\"><svg width=\"10\" height=\"10\"><rect class=\"ok\" width=\"10\" "
	    "height=\"10\"/></svg> %s &nbsp; <svg width=\"10\" height=\"10\"><rect "
	    "class=\"late\" width=\"10\" height=\"10\"/></svg> %s &nbsp; <svg width=\"10\" "
	    "height=\"10\"><rect class=\"none\" width=\"10\" height=\"10\"/></svg> %s</div>\n"
	    "</figure>\n",
	    repfmt_word(lang, W_ON_TIME), repfmt_word(lang, W_LATE),
	    lang == REPFMT_EN ? "Not reported" : "Chưa báo cáo");
}

static void rephtml_group_row(FILE *out, enum repfmt_lang lang, const struct repdoc_group *g,
			      bool total)
{
	char num[32];

	fputs(total ? "<tr class=\"total\"><td>" : "<tr><td>", out);
	if (total)
		fputs(repfmt_word(lang, W_TOTAL), out);
	else
		rephtml_unit(out, g->name, g->code);
	fprintf(out, "</td><td class=\"n\">%d</td><td class=\"n\">%d</td>", g->expected,
		g->reported);
	repfmt_percent(lang, repdoc_group_share(g), 2, num, sizeof num);
	rephtml_cell(out, num, true);
	fprintf(out, "<td class=\"n\">%d</td><td class=\"n\">%d</td></tr>\n", g->on_time,
		g->reported - g->on_time);
}

static void rephtml_completeness(FILE *out, const struct repdoc *d)
{
	enum repfmt_lang lang = d->opt.lang;

	fprintf(out, "<section id=\"completeness\">\n<h2>%s</h2>\n",
		repfmt_word(lang, W_COMPLETENESS));
	fprintf(out,
		"<table>\n<thead><tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th>"
		"<th>%s</th></tr></thead>\n<tbody>\n",
		repfmt_word(lang, W_GROUP), repfmt_word(lang, W_EXPECTED),
		repfmt_word(lang, W_REPORTED), repfmt_word(lang, W_SHARE),
		repfmt_word(lang, W_ON_TIME), repfmt_word(lang, W_LATE));
	for (size_t i = 0; i < d->ngroups; i++)
		rephtml_group_row(out, lang, &d->groups[i], false);
	rephtml_group_row(out, lang, &d->total, true);
	fputs("</tbody>\n</table>\n", out);
	rephtml_completeness_chart(out, d);
	fputs("</section>\n", out);
}

static void rephtml_table_head(FILE *out, const struct repdoc *d)
{
	enum repfmt_lang lang = d->opt.lang;

	fprintf(out, "<table>\n<thead><tr><th>%s / %s</th><th>%s</th><th>%s</th><th>%s",
		repfmt_word(lang, W_INDICATOR), repfmt_word(lang, W_UNIT),
		repfmt_word(lang, W_VALUE), repfmt_word(lang, W_NUM_DEN),
		repfmt_word(lang, W_PREVIOUS));
	if (d->prev_period[0])
		fputs(" (", out);
	repfmt_html_put(out, d->prev_period);
	fputs(")", out);
	fprintf(out, "</th><th>%s</th><th>%s</th><th>%s</th></tr></thead>\n<tbody>\n",
		repfmt_word(lang, W_CHANGE), repfmt_word(lang, W_REPORTING),
		repfmt_word(lang, W_LATE));
}

static void rephtml_pillar(FILE *out, const struct repdoc *d, size_t k,
			   const struct store_report_row **bars, struct progress *progress)
{
	const struct repdoc_pillar *p = &d->pillars[k];
	size_t end = p->first + p->count;
	struct repdoc_cells c;
	bool charts = false;

	fprintf(out, "<section class=\"pillar%s\" id=\"p-", p->count ? "" : " empty");
	repfmt_html_put(out, p->code);
	fprintf(out, "\">\n<h2>%zu. ", k + 1);
	repfmt_html_put(out, p->name);
	fputs("</h2>\n", out);
	if (p->count == 0) {
		fprintf(out, "<p>%s</p>\n</section>\n", repfmt_word(d->opt.lang, W_NO_FIGURES));
		return;
	}
	rephtml_table_head(out, d);
	for (size_t i = p->first; i < end; i++) {
		const struct store_report_row *r = repdoc_row(d, i);
		if (i == p->first ||
		    strcmp(r->indicator_code, repdoc_row(d, i - 1)->indicator_code)) {
			fputs("<tr class=\"ind\"><th colspan=\"7\">", out);
			repfmt_html_put(out, repdoc_indicator_name(d, r));
			if (!repdoc_is_ratio(r) && r->measure[0]) {
				fputs(" <span class=\"measure\">(", out);
				repfmt_html_put(out, r->measure);
				fputs(")</span>", out);
			}
			fputs("</th></tr>\n", out);
		}
		repdoc_cells(d, r, &c);
		fprintf(out, "<tr><td class=\"d%d\">", r->depth < 4 ? r->depth : 4);
		rephtml_unit(out, r->unit_name, r->unit_code);
		fputs("</td>", out);
		rephtml_cell(out, c.value, true);
		rephtml_cell(out, c.parts, true);
		rephtml_cell(out, c.previous, true);
		rephtml_cell(out, c.change, true);
		rephtml_cell(out, c.reporting, true);
		fprintf(out, "<td class=\"n\">%d</td></tr>\n",
			r->reporting_units - r->on_time_units);
		progress_update(progress, i + 1);
	}
	fputs("</tbody>\n</table>\n", out);
	/* one chart per ratio, from the indicator's run of rows */
	for (size_t i = p->first; i < end;) {
		const struct store_report_row *r = repdoc_row(d, i);
		size_t j = i + 1;
		while (j < end && strcmp(repdoc_row(d, j)->indicator_code, r->indicator_code) == 0)
			j++;
		if (repdoc_is_ratio(r)) {
			if (!charts)
				fputs("<div class=\"charts\">\n", out);
			charts = true;
			rephtml_ratio_chart(out, d, i, j, bars);
		}
		i = j;
	}
	if (charts)
		fputs("</div>\n", out);
	fputs("</section>\n", out);
}

static void rephtml_missing(FILE *out, const struct repdoc *d)
{
	enum repfmt_lang lang = d->opt.lang;
	const char *group = NULL;

	fprintf(out, "<section class=\"missing\" id=\"missing\">\n<h2>%s (%zu)</h2>\n",
		repfmt_word(lang, W_MISSING), d->nmissing);
	if (d->nmissing == 0)
		fprintf(out, "<p>%s</p>\n", repfmt_word(lang, W_NONE_MISSING));
	for (size_t i = 0; i < d->nmissing; i++) {
		const struct store_report_unit *u = d->missing[i];
		if (!group || strcmp(group, u->group_code) != 0) {
			size_t n = repdoc_missing_run(d, i);
			fputs(group ? "</ul>\n<h3>" : "<h3>", out);
			rephtml_unit(out, u->group_name, u->group_code);
			fprintf(out, " — %zu</h3>\n<ul class=\"units\">\n", n);
			group = u->group_code;
		}
		fputs("<li>", out);
		rephtml_unit(out, u->unit_name, u->unit_code);
		fputs("</li>\n", out);
	}
	if (group)
		fputs("</ul>\n", out);
	fputs("</section>\n", out);
}

static void rephtml_foot(FILE *out, const struct repdoc *d)
{
	enum repfmt_lang lang = d->opt.lang;

	fprintf(out, "<footer>\n<p>%s %s %s</p>\n", repfmt_word(lang, W_RATIOS_NOTE),
		repfmt_word(lang, W_NO_PREVIOUS), repfmt_word(lang, W_INCOMPARABLE));
	if (d->set->published) {
		fprintf(out, "<p>%s: <span class=\"hash\">", repfmt_word(lang, W_HASH));
		repfmt_html_put(out, d->set->pub.content_hash);
		fputs("</span></p>\n", out);
	}
	fputs("</footer>\n</body>\n</html>\n", out);
}

int rephtml_write(FILE *out, const struct repdoc *d, struct progress *progress)
{
	/* room for the bars of the largest chart: at most every row */
	const struct store_report_row **bars = calloc(d->norder ? d->norder : 1, sizeof *bars);

	if (!bars)
		return -1;
	rephtml_head(out, d);
	rephtml_nav(out, d);
	rephtml_completeness(out, d);
	for (size_t k = 0; k < d->npillars; k++)
		rephtml_pillar(out, d, k, bars, progress);
	rephtml_missing(out, d);
	rephtml_foot(out, d);
	free(bars);
	return 0;
}
