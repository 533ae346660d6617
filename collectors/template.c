/*
 * template: the officer's Excel workbook (see template.h).
 *
 * The layout is the one collectors/xlsx.c reads back: the indicators from
 * TPL_FIRST_ROW on, columns A code, B name, C unit of measure, D value, E
 * qualifier, F note; the hidden sheet lists "input" rows only, so a ratio's
 * formula is never taken for a figure.
 */
#include "template.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

#include "message.h"
#include "period.h"

/* Rows 1-2 title and help, row 4 the headers (0-based here, as libxlsxwriter counts). */
#define TPL_HEADER_ROW 3
#define TPL_FIRST_ROW  4
enum { C_CODE, C_NAME, C_MEASURE, C_VALUE, C_QUALIFIER, C_NOTE, C_N };

/* The formats of the sheet. */
struct fmts {
	lxw_format *title, *help, *header, *locked, *name, *count, *number, *text, *ratio;
};

/* Officer texts: the message table's, copied (libxlsxwriter keeps no pointer). */
static const char *msg(char *buf, size_t size, const char *code)
{
	message_format(buf, size, code, NULL);
	return buf;
}

static lxw_format *fmt(lxw_workbook *wb, bool input, const char *numfmt)
{
	lxw_format *f = workbook_add_format(wb);
	format_set_border(f, LXW_BORDER_THIN);
	format_set_align(f, LXW_ALIGN_VERTICAL_CENTER);
	if (input) {
		format_set_unlocked(f);
		format_set_bg_color(f, 0xFFF2CC);
	}
	if (numfmt)
		format_set_num_format(f, numfmt);
	return f;
}

static void make_formats(lxw_workbook *wb, struct fmts *f)
{
	f->title = workbook_add_format(wb);
	format_set_bold(f->title);
	format_set_font_size(f->title, 14);
	f->help = workbook_add_format(wb);
	format_set_text_wrap(f->help);
	format_set_align(f->help, LXW_ALIGN_VERTICAL_TOP);
	f->header = fmt(wb, false, NULL);
	format_set_bold(f->header);
	format_set_text_wrap(f->header);
	format_set_bg_color(f->header, 0xD9E1F2);
	f->locked = fmt(wb, false, NULL);
	f->name = fmt(wb, false, NULL);
	format_set_text_wrap(f->name);
	/* "#,##0" is locale-neutral: a Vietnamese Excel shows 1.463 */
	f->count = fmt(wb, true, "#,##0");
	f->number = fmt(wb, true, "#,##0.######");
	f->text = fmt(wb, true, "@");
	format_set_text_wrap(f->text);
	f->ratio = NULL; /* one per decimals, made as needed */
}

/* 1 if the indicator is reported for periods of type t by units of tier (0: any; a ratio: never).
 */
static int is_input(const struct indicator *ind, enum period_type t, unsigned tier)
{
	return ind->kind != IND_RATIO && (ind->period_types & (1u << t)) &&
	       (!tier || (ind->levels & tier));
}

/* The sheet row (0-based) of code among the inputs, or -1. */
static long row_of(const struct catalog *cat, const long *rows, const char *code)
{
	for (size_t i = 0; i < cat->nindicators; i++)
		if (rows[i] >= 0 && strcmp(cat->indicators[i].code, code) == 0)
			return rows[i];
	return -1;
}

/*
 * The share ratio whose numerator ind is, with both parts in the template: the
 * 0-based row of its denominator, else -1.
 */
static long share_denominator(const struct catalog *cat, const long *rows,
			      const struct indicator *ind, const struct indicator **ratio)
{
	for (size_t i = 0; i < cat->nindicators; i++) {
		const struct indicator *r = &cat->indicators[i];
		if (r->kind == IND_RATIO && r->share && rows[i] >= 0 &&
		    strcmp(r->numerator, ind->code) == 0) {
			*ratio = r;
			return row_of(cat, rows, r->denominator);
		}
	}
	return -1;
}

/*
 * Data validation of an input value cell.  A share's numerator may not exceed
 * its denominator once that is typed (the 164 % of the seed report): a custom
 * formula, which then also says what the kind and bounds say.
 */
static void validate_value(lxw_worksheet *ws, long row, const struct indicator *ind,
			   const struct catalog *cat, const long *rows)
{
	lxw_data_validation dv = {0};
	char title[64], text[256], etitle[64], etext[256], formula[256], max[64] = "";
	bool integer = ind->kind == IND_COUNT || ind->kind == IND_AMOUNT;
	const struct indicator *ratio = NULL;
	long den = share_denominator(cat, rows, ind, &ratio);

	dv.validate = integer ? LXW_VALIDATION_TYPE_INTEGER : LXW_VALIDATION_TYPE_DECIMAL;
	dv.criteria = LXW_VALIDATION_CRITERIA_BETWEEN;
	dv.minimum_number = ind->has_min ? ind->min : integer ? 0 : -1e15;
	dv.maximum_number = ind->has_max ? ind->max : 1e15;
	if (integer && dv.minimum_number < 0)
		dv.minimum_number = 0;
	message_format(title, sizeof title, "tpl_input_title", NULL);
	message_format(text, sizeof text, integer ? "tpl_input_count" : "tpl_input_number",
		       ind->measure ? ind->measure : "", NULL);
	message_format(etitle, sizeof etitle, "tpl_error_title", NULL);
	message_format(etext, sizeof etext, integer ? "tpl_error_count" : "tpl_error_number", NULL);
	if (den >= 0) {
		long r = row + 1;
		if (ind->has_max)
			snprintf(max, sizeof max, ",D%ld<=%.15g", r, ind->max);
		if (integer)
			snprintf(formula, sizeof formula,
				 "=AND(ISNUMBER(D%ld),INT(D%ld)=D%ld,D%ld>=%.15g%s,"
				 "OR(NOT(ISNUMBER(D%ld)),D%ld<=D%ld))",
				 r, r, r, r, dv.minimum_number, max, den + 1, r, den + 1);
		else
			snprintf(
			    formula, sizeof formula,
			    "=AND(ISNUMBER(D%ld),D%ld>=%.15g%s,OR(NOT(ISNUMBER(D%ld)),D%ld<=D%ld))",
			    r, r, dv.minimum_number, max, den + 1, r, den + 1);
		dv.validate = LXW_VALIDATION_TYPE_CUSTOM_FORMULA;
		dv.value_formula = formula;
		message_format(etext, sizeof etext, "tpl_error_share", ind->code,
			       ratio->denominator, NULL);
	}
	dv.input_title = title;
	dv.input_message = text;
	dv.error_title = etitle;
	dv.error_message = etext;
	worksheet_data_validation_cell(ws, (lxw_row_t)row, C_VALUE, &dv);
}

/* The qualifier's list: words submit_qualifier reads (collectors/submit_row.c). */
static void validate_qualifier(lxw_worksheet *ws, long row)
{
	static const char *words[] = {"khoảng", "ít nhất", "tối đa", NULL};
	lxw_data_validation dv = {0};
	dv.validate = LXW_VALIDATION_TYPE_LIST;
	dv.value_list = (char **)words;
	worksheet_data_validation_cell(ws, (lxw_row_t)row, C_QUALIFIER, &dv);
}

/* The formula of a ratio's row from its two input rows (0-based), e.g. D5/D6. */
static void write_ratio(lxw_workbook *wb, lxw_worksheet *ws, long row, long num, long den,
			const struct indicator *ind, const struct fmts *f)
{
	char formula[160], numfmt[32] = "0", note[256];
	int dec = ind->decimals > 0 && ind->decimals < 10 ? ind->decimals : 2;
	bool percent = ind->factor == 100;

	if (dec > 0)
		snprintf(numfmt + 1, sizeof numfmt - 1, ".%.*s", dec, "0000000000");
	if (percent)
		strcat(numfmt, "%");
	lxw_format *rf = fmt(wb, false, numfmt);
	format_set_bold(rf);
	if (percent)
		snprintf(formula, sizeof formula,
			 "=IF(AND(ISNUMBER(D%ld),ISNUMBER(D%ld),D%ld>0),D%ld/D%ld,\"\")", num + 1,
			 den + 1, den + 1, num + 1, den + 1);
	else
		snprintf(formula, sizeof formula,
			 "=IF(AND(ISNUMBER(D%ld),ISNUMBER(D%ld),D%ld>0),D%ld/D%ld*%.15g,\"\")",
			 num + 1, den + 1, den + 1, num + 1, den + 1, ind->factor);
	worksheet_write_formula(ws, (lxw_row_t)row, C_VALUE, formula, rf);
	worksheet_write_blank(ws, (lxw_row_t)row, C_QUALIFIER, f->locked);
	message_format(note, sizeof note, "tpl_ratio_note", ind->numerator, ind->denominator, NULL);
	worksheet_write_string(ws, (lxw_row_t)row, C_NOTE, note, f->name);
}

static void write_headers(lxw_worksheet *ws, const struct fmts *f, const char *unit,
			  const struct period *p, const char *period)
{
	static const char *const codes[C_N] = {"tpl_col_code",	    "tpl_col_name",
					       "tpl_col_measure",   "tpl_col_value",
					       "tpl_col_qualifier", "tpl_col_note"};
	/* widths in characters: the six columns fit a 1366x768 screen beside the row numbers */
	static const double widths[C_N] = {26, 58, 12, 14, 11, 30};
	char buf[512], words[64];

	period_words_vi(p, words, sizeof words);
	message_format(buf, sizeof buf, "tpl_title", unit, period, words, NULL);
	worksheet_write_string(ws, 0, 0, buf, f->title);
	worksheet_merge_range(ws, 1, 0, 1, C_N - 1, msg(buf, sizeof buf, "tpl_help"), f->help);
	worksheet_set_row(ws, 1, 45, NULL);
	for (int c = 0; c < C_N; c++) {
		worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, widths[c], NULL);
		worksheet_write_string(ws, TPL_HEADER_ROW, (lxw_col_t)c,
				       msg(buf, sizeof buf, codes[c]), f->header);
	}
	worksheet_freeze_panes(ws, TPL_FIRST_ROW, 0);
	worksheet_set_landscape(ws);
	worksheet_fit_to_pages(ws, 1, 0);
}

/* The hidden map: what collectors/xlsx.c needs to read the workbook back. */
static void write_meta(lxw_worksheet *meta, const struct catalog *cat, const long *rows,
		       const char *unit, const char *period, const char *sheet)
{
	lxw_row_t r = 0;
	worksheet_write_string(meta, r, 0, TEMPLATE_META_MARK, NULL);
	worksheet_write_number(meta, r++, 1, TEMPLATE_VERSION, NULL);
	const char *kv[][2] = {{"unit", unit}, {"period", period}, {"sheet", sheet}};
	for (size_t i = 0; i < 3; i++) {
		worksheet_write_string(meta, r, 0, kv[i][0], NULL);
		/* as text: a unit code's leading zeros must survive */
		worksheet_write_string(meta, r++, 1, kv[i][1], NULL);
	}
	worksheet_write_string(meta, r, 0, "header", NULL);
	worksheet_write_number(meta, r++, 1, TPL_HEADER_ROW + 1, NULL);
	worksheet_write_string(meta, r, 0, "catalog", NULL);
	worksheet_write_string(meta, r++, 1, cat->version ? cat->version : "", NULL);
	for (size_t i = 0; i < cat->nindicators; i++) {
		if (rows[i] < 0 || cat->indicators[i].kind == IND_RATIO)
			continue;
		worksheet_write_string(meta, r, 0, "input", NULL);
		worksheet_write_string(meta, r, 1, cat->indicators[i].code, NULL);
		worksheet_write_number(meta, r++, 2, (double)rows[i] + 1, NULL);
	}
	worksheet_protect(meta, NULL, NULL);
	worksheet_hide(meta);
}

/*
 * Numbers the sheet rows: rows[i] the row of the catalogue's i-th indicator,
 * -1 if it has none.  The inputs of p's type and the tier, and the ratios both
 * of whose parts are inputs, in catalogue order (which puts a ratio under its
 * parts).  Returns the number of inputs.
 */
static long number_rows(const struct catalog *cat, const struct period *p, unsigned tier,
			long *rows)
{
	long next = TPL_FIRST_ROW, ninputs = 0;

	for (size_t i = 0; i < cat->nindicators; i++) {
		rows[i] = is_input(&cat->indicators[i], p->type, tier) ? 0 : -1;
		ninputs += rows[i] >= 0;
	}
	for (size_t i = 0; i < cat->nindicators; i++) {
		const struct indicator *ind = &cat->indicators[i];
		if (ind->kind == IND_RATIO && row_of(cat, rows, ind->numerator) >= 0 &&
		    row_of(cat, rows, ind->denominator) >= 0)
			rows[i] = 0;
	}
	for (size_t i = 0; i < cat->nindicators; i++)
		if (rows[i] == 0)
			rows[i] = next++;
	return ninputs;
}

int template_write(const char *path, const struct catalog *cat, const char *unit, unsigned tier,
		   const char *period, char *err, size_t errsize)
{
	struct period p;
	const char *why;
	char sheet[64], id[PERIOD_ID_MAX];
	long *rows = calloc(cat->nindicators + 1, sizeof *rows);
	int rc = -1;

	if (!rows) {
		snprintf(err, errsize, "out of memory");
		return -1;
	}
	if (period_parse(period, strlen(period), &p, &why) < 0) {
		snprintf(err, errsize, "%s", why);
		goto done;
	}
	period_format(&p, id, sizeof id);
	if (number_rows(cat, &p, tier, rows) == 0) {
		char words[64], tier_code[16], tier_vi[32];
		period_words_vi(&p, words, sizeof words);
		snprintf(tier_code, sizeof tier_code, "tier_%s",
			 catalog_tier_name((enum tier)tier));
		if (tier)
			message_format(err, errsize, "tpl_no_indicator_tier",
				       msg(tier_vi, sizeof tier_vi, tier_code), id, words, NULL);
		else
			message_format(err, errsize, "tpl_no_indicator", id, words, NULL);
		goto done;
	}
	lxw_workbook *wb = workbook_new(path);
	if (!wb) {
		snprintf(err, errsize, "%s: cannot create the workbook", path);
		goto done;
	}
	struct fmts f;
	make_formats(wb, &f);
	msg(sheet, sizeof sheet, "tpl_sheet");
	lxw_worksheet *ws = workbook_add_worksheet(wb, sheet);
	lxw_worksheet *meta = workbook_add_worksheet(wb, TEMPLATE_META_SHEET);
	write_headers(ws, &f, unit, &p, id);
	for (size_t i = 0; i < cat->nindicators; i++) {
		const struct indicator *ind = &cat->indicators[i];
		lxw_row_t r = (lxw_row_t)rows[i];
		if (rows[i] < 0)
			continue;
		worksheet_write_string(ws, r, C_CODE, ind->code, f.locked);
		worksheet_write_string(ws, r, C_NAME, ind->name_vi ? ind->name_vi : "", f.name);
		worksheet_write_string(ws, r, C_MEASURE, ind->measure ? ind->measure : "",
				       f.locked);
		if (ind->kind == IND_RATIO) {
			write_ratio(wb, ws, rows[i], row_of(cat, rows, ind->numerator),
				    row_of(cat, rows, ind->denominator), ind, &f);
			continue;
		}
		bool integer = ind->kind == IND_COUNT || ind->kind == IND_AMOUNT;
		worksheet_write_blank(ws, r, C_VALUE, integer ? f.count : f.number);
		worksheet_write_blank(ws, r, C_QUALIFIER, f.text);
		worksheet_write_blank(ws, r, C_NOTE, f.text);
		validate_value(ws, rows[i], ind, cat, rows);
		validate_qualifier(ws, rows[i]);
	}
	lxw_protection prot = {.format_columns = 1, .format_rows = 1};
	worksheet_protect(ws, NULL, &prot);
	worksheet_activate(ws);
	write_meta(meta, cat, rows, unit, id, sheet);
	lxw_error e = workbook_close(wb);
	if (e != LXW_NO_ERROR) {
		snprintf(err, errsize, "%s: %s", path, lxw_strerror(e));
		goto done;
	}
	rc = 0;
done:
	free(rows);
	return rc;
}

void template_default_period(const struct catalog *cat, int32_t day, char *buf, size_t size)
{
	size_t count[PERIOD_NTYPES] = {0};
	int best = PERIOD_YEARLY;
	struct period p;

	for (size_t i = 0; i < cat->nindicators; i++)
		if (cat->indicators[i].kind != IND_RATIO)
			count[cat->indicators[i].native_period]++;
	for (int t = 0; t < PERIOD_NTYPES; t++)
		if (count[t] > count[best])
			best = t;
	period_of_date(day, (enum period_type)best, CAL_STATISTICAL, &p);
	period_format(&p, buf, size);
}
