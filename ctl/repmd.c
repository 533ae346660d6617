/*
 * repmd: reports as GitHub-flavoured Markdown (see repmd.h).
 */
#include "repmd.h"

#include <string.h>

#include "reptext.h"

/* "Huyện Sơn Hà (529)", escaped. */
static void repmd_unit(FILE *out, const char *name, const char *code)
{
	repfmt_md_put(out, name);
	fprintf(out, " (%s)", code);
}

static void repmd_head(FILE *out, const struct repdoc *d)
{
	enum repfmt_lang lang = d->opt.lang;
	const struct store_report_set *set = d->set;
	char line[256];

	fputs("# ", out);
	repfmt_md_put(out, d->title);
	if (d->reexpressed[0]) {
		fputs("\n\n> **", out);
		repfmt_md_put(out, d->reexpressed);
		fputs("**", out);
		if (d->unmapped_note[0]) {
			fputs("\n> ", out);
			repfmt_md_put(out, d->unmapped_note);
		}
	}
	fprintf(out, "\n\n- %s: ", repfmt_word(lang, W_PERIOD));
	repfmt_md_put(out, d->period_words);
	fprintf(out, " (%s)\n- %s: ", d->period, repfmt_word(lang, W_UNIT));
	repmd_unit(out, d->unit_name, d->unit_code);
	if (d->prev_period[0]) {
		fprintf(out, "\n- %s: ", repfmt_word(lang, W_COMPARED));
		repfmt_md_put(out, d->prev_words);
		fprintf(out, " (%s)", d->prev_period);
	}
	fputs("\n- ", out);
	if (set->published) {
		reptext_published(lang, &set->pub, line, sizeof line);
		repfmt_md_put(out, line);
		if (set->pub.note[0]) {
			fprintf(out, "\n- %s: ", repfmt_word(lang, W_NOTE));
			repfmt_md_put(out, set->pub.note);
		}
		fprintf(out, "\n- %s: `%s`", repfmt_word(lang, W_HASH), set->pub.content_hash);
		if (!set->pub.content_ok)
			fprintf(out, "\n- **%s**", repfmt_word(lang, W_HASH_MISMATCH));
	} else {
		fputs(repfmt_word(lang, W_LIVE), out);
	}
	fprintf(out, "\n\n%s %s %s\n", repfmt_word(lang, W_RATIOS_NOTE),
		repfmt_word(lang, W_NO_PREVIOUS), repfmt_word(lang, W_INCOMPARABLE));
}

static void repmd_group_row(FILE *out, enum repfmt_lang lang, const struct repdoc_group *g,
			    bool total)
{
	char share[32];

	repfmt_percent(lang, repdoc_group_share(g), 2, share, sizeof share);
	fputs("| ", out);
	if (total)
		fprintf(out, "**%s**", repfmt_word(lang, W_TOTAL));
	else
		repmd_unit(out, g->name, g->code);
	fprintf(out, " | %d | %d | %s | %d | %d |\n", g->expected, g->reported, share, g->on_time,
		g->reported - g->on_time);
}

static void repmd_completeness(FILE *out, const struct repdoc *d)
{
	enum repfmt_lang lang = d->opt.lang;

	fprintf(out, "\n## %s\n\n", repfmt_word(lang, W_COMPLETENESS));
	fprintf(out, "| %s | %s | %s | %s | %s | %s |\n|---|---:|---:|---:|---:|---:|\n",
		repfmt_word(lang, W_GROUP), repfmt_word(lang, W_EXPECTED),
		repfmt_word(lang, W_REPORTED), repfmt_word(lang, W_SHARE),
		repfmt_word(lang, W_ON_TIME), repfmt_word(lang, W_LATE));
	for (size_t i = 0; i < d->ngroups; i++)
		repmd_group_row(out, lang, &d->groups[i], false);
	repmd_group_row(out, lang, &d->total, true);
}

static void repmd_pillar(FILE *out, const struct repdoc *d, size_t k, struct progress *progress)
{
	enum repfmt_lang lang = d->opt.lang;
	const struct repdoc_pillar *p = &d->pillars[k];
	const char *indicator = "";
	struct repdoc_cells c;

	fprintf(out, "\n## %zu. ", k + 1);
	repfmt_md_put(out, p->name);
	if (p->count == 0) {
		fprintf(out, "\n\n%s\n", repfmt_word(lang, W_NO_FIGURES));
		return;
	}
	fprintf(out, "\n\n| %s | %s | %s | %s | %s", repfmt_word(lang, W_INDICATOR),
		repfmt_word(lang, W_UNIT), repfmt_word(lang, W_VALUE), repfmt_word(lang, W_NUM_DEN),
		repfmt_word(lang, W_PREVIOUS));
	if (d->prev_period[0])
		fprintf(out, " (%s)", d->prev_period);
	fprintf(out, " | %s | %s | %s |\n|---|---|---:|---:|---:|---:|---:|---:|\n",
		repfmt_word(lang, W_CHANGE), repfmt_word(lang, W_REPORTING),
		repfmt_word(lang, W_LATE));
	for (size_t i = p->first; i < p->first + p->count; i++) {
		const struct store_report_row *r = repdoc_row(d, i);
		fputs("| ", out);
		/* the indicator's name on its first row only: the units below belong to it */
		if (strcmp(indicator, r->indicator_code) != 0) {
			indicator = r->indicator_code;
			fputs("**", out);
			repfmt_md_put(out, repdoc_indicator_name(d, r));
			fputs("**", out);
			if (!repdoc_is_ratio(r) && r->measure[0]) {
				fputs(" (", out);
				repfmt_md_put(out, r->measure);
				fputs(")", out);
			}
		}
		repdoc_cells(d, r, &c);
		fputs(" | ", out);
		repmd_unit(out, r->unit_name, r->unit_code);
		fputs(" | ", out);
		repfmt_md_put(out, c.value);
		fputs(" | ", out);
		repfmt_md_put(out, c.parts);
		fputs(" | ", out);
		repfmt_md_put(out, c.previous);
		fputs(" | ", out);
		repfmt_md_put(out, c.change);
		fprintf(out, " | %s | %d |\n", c.reporting, r->reporting_units - r->on_time_units);
		progress_update(progress, i + 1);
	}
}

static void repmd_missing(FILE *out, const struct repdoc *d)
{
	enum repfmt_lang lang = d->opt.lang;
	const char *group = NULL;

	fprintf(out, "\n## %s (%zu)\n\n", repfmt_word(lang, W_MISSING), d->nmissing);
	if (d->nmissing == 0) {
		fprintf(out, "%s\n", repfmt_word(lang, W_NONE_MISSING));
		return;
	}
	for (size_t i = 0; i < d->nmissing; i++) {
		const struct store_report_unit *u = d->missing[i];
		if (!group || strcmp(group, u->group_code) != 0) {
			size_t n = repdoc_missing_run(d, i);
			fprintf(out, "%s- **", group ? "\n" : "");
			repmd_unit(out, u->group_name, u->group_code);
			fprintf(out, "** — %zu: ", n);
			group = u->group_code;
		} else {
			fputs(", ", out);
		}
		repmd_unit(out, u->unit_name, u->unit_code);
	}
	fputc('\n', out);
}

void repmd_write(FILE *out, const struct repdoc *d, struct progress *progress)
{
	repmd_head(out, d);
	repmd_completeness(out, d);
	for (size_t k = 0; k < d->npillars; k++)
		repmd_pillar(out, d, k, progress);
	repmd_missing(out, d);
}
