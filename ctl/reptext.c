/*
 * reptext: text and CSV reports, and the changes since publication (see reptext.h).
 */
#include "reptext.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "num.h"

/* A number for machines: integers without decimals, others with up to 4. */
static void reptext_plain(double v, char *buf, size_t size)
{
	if (v == floor(v) && fabs(v) < 1e15) {
		num_format_plain(v, 0, buf, size);
		return;
	}
	num_format_plain(v, 4, buf, size);
	char *dot = strchr(buf, '.');
	if (dot) {
		char *end = buf + strlen(buf) - 1;
		while (end > dot && *end == '0')
			*end-- = '\0';
		if (end == dot)
			*end = '\0';
	}
}

static void reptext_csv_field(FILE *out, const char *s, char sep)
{
	if (strpbrk(s, ",\"\n\r")) {
		fputc('"', out);
		for (; *s; s++) {
			if (*s == '"')
				fputc('"', out);
			fputc(*s, out);
		}
		fputc('"', out);
	} else {
		fputs(s, out);
	}
	fputc(sep, out);
}

/*
 * The CSV value of a figure, with the catalogue's decimals as in the text,
 * Markdown and HTML reports (a ratio as a percentage), so one figure reads
 * the same in every format; a negative count of decimals is read as 0.
 */
static void reptext_csv_value(bool has, double v, int decimals, char *buf, size_t size)
{
	buf[0] = '\0';
	if (!has)
		return;
	num_format_plain(v, decimals < 0 ? 0 : decimals, buf, size);
}

void reptext_csv(FILE *out, const struct repdoc *d)
{
	const struct store_report_set *set = d->set;
	char v[64], num[64], den[64];

	/* re-expressed figures say so on every line, with the day of their structure */
	bool re = set->on_structure[0] != '\0';
	fputs("unit_code,unit_name,level,indicator_code,indicator_name,period,value,numerator,"
	      "denominator,reporting_units,expected_units",
	      out);
	fputs(re ? ",reexpressed_on\n" : "\n", out);
	for (size_t i = 0; i < set->nrows; i++) {
		const struct store_report_row *r = &set->rows[i];
		bool ratio = repdoc_is_ratio(r);
		if (d->opt.max_level > 0 && r->level > d->opt.max_level)
			continue;
		reptext_csv_value(r->has_value, r->value, r->decimals, v, sizeof v);
		num[0] = den[0] = '\0';
		if (ratio && r->has_ratio) {
			reptext_plain(r->numerator, num, sizeof num);
			reptext_plain(r->denominator, den, sizeof den);
		}
		reptext_csv_field(out, r->unit_code, ',');
		reptext_csv_field(out, r->unit_name, ',');
		fprintf(out, "%d,", r->level);
		reptext_csv_field(out, r->indicator_code, ',');
		reptext_csv_field(out, repdoc_indicator_name(d, r), ',');
		reptext_csv_field(out, r->period, ',');
		reptext_csv_field(out, v, ',');
		reptext_csv_field(out, num, ',');
		reptext_csv_field(out, den, ',');
		fprintf(out, "%d,%d", r->reporting_units, r->expected_units);
		if (re)
			fprintf(out, ",%s", set->on_structure);
		fputc('\n', out);
	}
}

int reptext_published(enum repfmt_lang lang, const struct store_publication *pub, char *buf,
		      size_t size)
{
	char when[64];

	repfmt_when(lang, pub->published_at, when, sizeof when);
	return snprintf(buf, size, "%s %s (%s %d, %s: %s)", repfmt_word(lang, W_PUBLISHED_AT), when,
			repfmt_word(lang, W_VERSION), pub->version, repfmt_word(lang, W_BY),
			pub->actor);
}

void reptext_text(FILE *out, const struct repdoc *d)
{
	const struct store_report_set *set = d->set;
	enum repfmt_lang lang = d->opt.lang;
	const char *unit = "", *pillar = "";
	char v[96], parts[96], line[256], change[64];

	fprintf(out, "%s\n%s\n", d->title, repfmt_word(lang, W_SUBTITLE));
	if (d->reexpressed[0])
		fprintf(out, "%s\n", d->reexpressed);
	if (d->unmapped_note[0])
		fprintf(out, "%s\n", d->unmapped_note);
	if (set->published) {
		reptext_published(lang, &set->pub, line, sizeof line);
		fprintf(out, "%s", line);
		if (set->pub.note[0])
			fprintf(out, " %s: %s", repfmt_word(lang, W_NOTE), set->pub.note);
		fputc('\n', out);
	}
	for (size_t i = 0; i < set->nrows; i++) {
		const struct store_report_row *r = &set->rows[i];
		int indent = 2 * r->depth;
		if (d->opt.max_level > 0 && r->level > d->opt.max_level)
			continue;
		if (strcmp(unit, r->unit_code) != 0) {
			unit = r->unit_code;
			pillar = "";
			fprintf(out, "\n%*s%s (%s)\n", indent, "", r->unit_name, r->unit_code);
		}
		if (strcmp(pillar, r->pillar) != 0) {
			pillar = r->pillar;
			fprintf(out, "%*s  %s\n", indent, "",
				lang == REPFMT_EN && r->pillar_name_en[0] ? r->pillar_name_en
									  : r->pillar_name);
		}
		repdoc_value(d, r, v, sizeof v);
		if (repdoc_is_ratio(r) && r->has_ratio) {
			repdoc_parts(d, r, parts, sizeof parts);
			fprintf(out, "%*s    %s: %s (%s)", indent, "", repdoc_indicator_name(d, r),
				v, parts);
		} else {
			fprintf(out, "%*s    %s: %s %s", indent, "", repdoc_indicator_name(d, r), v,
				r->measure);
		}
		fprintf(out, " — %d/%d %s", r->reporting_units, r->expected_units,
			repfmt_word(lang, W_UNITS_REPORTED));
		if (r->on_time_units < r->reporting_units)
			fprintf(out, ", %d %s", r->reporting_units - r->on_time_units,
				repfmt_word(lang, W_LATE_SUFFIX));
		if (r->periods_reported < r->periods_expected)
			fprintf(out, "; %s %d/%d %s", repfmt_word(lang, W_PERIODS_BEHIND),
				r->periods_reported, r->periods_expected,
				repfmt_period_type(lang, r->native_period));
		if (r->has_prev) {
			repdoc_change(d, r, change, sizeof change);
			fprintf(out, "; %s %s: %s", lang == REPFMT_EN ? "against" : "so với",
				d->prev_words, change);
		}
		fputc('\n', out);
	}
}

/* A figure of a change: "89,52% (94 / 105)", "1.463", "—". */
static void reptext_side(enum repfmt_lang lang, const struct store_change *c,
			 const struct store_change_side *s, char *buf, size_t size)
{
	char v[64], num[64], den[64];
	bool ratio = strcmp(c->kind, "ratio") == 0;

	if (!s->has_value) {
		snprintf(buf, size, "—");
		return;
	}
	if (ratio)
		repfmt_percent(lang, s->value, c->decimals, v, sizeof v);
	else
		repfmt_number(lang, s->value, c->decimals, v, sizeof v);
	if (ratio && s->has_ratio) {
		repfmt_number(lang, s->numerator, 0, num, sizeof num);
		repfmt_number(lang, s->denominator, 0, den, sizeof den);
		snprintf(buf, size, "%s%s (%s / %s)", repfmt_qualifier(lang, s->qualifier), v, num,
			 den);
	} else {
		snprintf(buf, size, "%s%s", repfmt_qualifier(lang, s->qualifier), v);
	}
}

static void reptext_changes_csv(FILE *out, const struct store_change *changes, size_t n)
{
	char v[64], num[64], den[64];

	fputs("unit_code,unit_name,indicator_code,indicator_name,published_value,"
	      "published_numerator,published_denominator,current_value,current_numerator,"
	      "current_denominator\n",
	      out);
	for (size_t i = 0; i < n; i++) {
		const struct store_change *c = &changes[i];
		bool ratio = strcmp(c->kind, "ratio") == 0;
		reptext_csv_field(out, c->unit_code, ',');
		reptext_csv_field(out, c->unit_name, ',');
		reptext_csv_field(out, c->indicator_code, ',');
		reptext_csv_field(out, c->indicator_name, ',');
		const struct store_change_side *sides[] = {&c->published, &c->current};
		for (int k = 0; k < 2; k++) {
			const struct store_change_side *s = sides[k];
			reptext_csv_value(s->has_value, s->value, c->decimals, v, sizeof v);
			num[0] = den[0] = '\0';
			if (ratio && s->has_ratio) {
				reptext_plain(s->numerator, num, sizeof num);
				reptext_plain(s->denominator, den, sizeof den);
			}
			reptext_csv_field(out, v, ',');
			reptext_csv_field(out, num, ',');
			reptext_csv_field(out, den, k == 1 ? '\n' : ',');
		}
	}
}

void reptext_changes(FILE *out, enum reptext_format format, enum repfmt_lang lang,
		     const struct store_publication *pub, const struct store_change *changes,
		     size_t n)
{
	bool en = lang == REPFMT_EN;
	char head[256], a[128], b[128];

	if (format == REPTEXT_CSV) {
		reptext_changes_csv(out, changes, n);
		return;
	}
	reptext_published(lang, pub, head, sizeof head);
	if (format == REPTEXT_MARKDOWN) {
		fprintf(out, "## %s\n\n",
			en ? "Changes since publication" : "Thay đổi từ khi công bố");
		repfmt_md_put(out, head);
		fprintf(out, "\n\n");
		if (n == 0) {
			fprintf(out, "%s\n",
				en ? "No figure has changed." : "Không có số liệu nào thay đổi.");
			return;
		}
		fprintf(out, "| %s | %s | %s | %s |\n|---|---|---:|---:|\n",
			repfmt_word(lang, W_INDICATOR), repfmt_word(lang, W_UNIT),
			en ? "Published" : "Đã công bố", en ? "Current" : "Hiện nay");
	} else {
		fprintf(out, "%s %s — %s\n%s\n",
			en ? "Changes since publication:" : "Thay đổi từ khi công bố:", pub->period,
			pub->unit_name, head);
		if (n == 0)
			fprintf(out, "%s\n",
				en ? "No figure has changed." : "Không có số liệu nào thay đổi.");
	}
	for (size_t i = 0; i < n; i++) {
		const struct store_change *c = &changes[i];
		const char *name =
		    en && c->indicator_name_en[0] ? c->indicator_name_en : c->indicator_name;
		reptext_side(lang, c, &c->published, a, sizeof a);
		reptext_side(lang, c, &c->current, b, sizeof b);
		if (format == REPTEXT_MARKDOWN) {
			fputs("| ", out);
			repfmt_md_put(out, name);
			fputs(" | ", out);
			repfmt_md_put(out, c->unit_name);
			fprintf(out, " (%s) | ", c->unit_code);
			repfmt_md_put(out, a);
			fputs(" | ", out);
			repfmt_md_put(out, b);
			fputs(" |\n", out);
		} else {
			fprintf(out, "  %s — %s (%s): %s → %s\n", name, c->unit_name, c->unit_code,
				a, b);
		}
	}
}
