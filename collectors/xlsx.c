/*
 * xlsx: an officer's workbook read as CSV records (see xlsx.h).
 *
 * The parts are found as Office Open XML says, never by a fixed name:
 * xl/workbook.xml lists the sheets in order with their relationship ids,
 * xl/_rels/workbook.xml.rels maps those ids (and the shared strings) to parts.
 * The sheet is parsed by expat in chunks as libzip inflates it; the parser is
 * suspended at the end of every row (XML_StopParser, resumable), so a row is
 * handed out before the next one is read and memory stays one row deep.
 * Element names are matched without their prefix ("x:row" is a row), since
 * some writers use one.  A document type declaration is refused: no part of a
 * workbook has one, and entities are how XML bombs are built.
 */
#include "xlsx_impl.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "message.h"
#include "period.h"
#include "template.h"

static const char *local(const char *name)
{
	const char *c = strrchr(name, ':');
	return c ? c + 1 : name;
}

static const char *attr(const char **atts, const char *want)
{
	for (size_t i = 0; atts[i]; i += 2)
		if (strcmp(local(atts[i]), want) == 0)
			return atts[i + 1];
	return NULL;
}

void xlsx_fail(struct xlsx_reader *x, const char *code, ...)
{
	va_list ap;
	size_t n = (size_t)snprintf(x->err, sizeof x->err, "%s: ", x->name);
	va_start(ap, code);
	message_vformat(x->err + n, sizeof x->err - n, code, ap);
	va_end(ap);
}

void xlsx_col_letters(int col, char *buf)
{
	char tmp[8];
	int n = 0;
	for (col++; col > 0 && n < 7; col = (col - 1) / 26)
		tmp[n++] = (char)('A' + (col - 1) % 26);
	for (int i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	buf[n] = '\0';
}

/* Column index of a reference such as "D5"; -1 if it has no letters. */
static int ref_col(const char *r)
{
	long col = 0;
	int n = 0;
	for (; *r >= 'A' && *r <= 'Z' && n < 4; r++, n++)
		col = col * 26 + (*r - 'A' + 1);
	return n == 0 || n > 3 ? -1 : (int)(col - 1);
}

/* A number as Excel stores it, written so that lib/num.c reads one meaning. */
static void number_text(const char *v, char *out, size_t size)
{
	char *end;
	double d = strtod(v, &end);

	if (end == v || *end || !isfinite(d)) {
		snprintf(out, size, "%s", v);
		return;
	}
	if (d == 0) {
		snprintf(out, size, "0");
		return;
	}
	if (d == trunc(d) && fabs(d) < 1e15) {
		snprintf(out, size, "%.0f", d);
		return;
	}
	snprintf(out, size, "%.15g", d);
	if (strchr(out, 'e')) {
		snprintf(out, size, "%.15f", d);
		size_t n = strlen(out);
		while (n > 1 && out[n - 1] == '0')
			out[--n] = '\0';
	}
	/* a decimal comma: "0.8952" would also read as 8952 the Vietnamese way */
	char *dot = strchr(out, '.');
	if (dot)
		*dot = ',';
}

/*
 * A date as Excel stores it, a serial day count (45458 is 15 June 2024; the
 * fraction is the time of day), written as lib/period.c reads a date:
 * "2024-06-15".  Day 60 is Excel's 29 February 1900, which never was; serials
 * from 61 on count from 30 December 1899.  A workbook of the 1904 date system
 * (an old Mac Excel's) counts from 1 January 1904.  Anything else is left as
 * typed.
 */
static void date_text(const char *v, bool date1904, char *out, size_t size)
{
	char *end;
	double d = strtod(v, &end);

	if (end == v || *end || !(d >= (date1904 ? 0 : 61) && d < 2958466)) {
		number_text(v, out, size);
		return;
	}
	date_format((date1904 ? date_from_ymd(1904, 1, 1) : date_from_ymd(1899, 12, 30)) +
			(int32_t)d,
		    out, size);
}

/* 1 if a number format's code shows a date: a d or a y outside quotes, brackets, escapes. */
static bool format_is_date(const char *code)
{
	for (const char *c = code; *c; c++) {
		if (*c == '"') {
			while (c[1] && c[1] != '"')
				c++;
			c += c[1] != '\0';
		} else if (*c == '[') {
			while (c[1] && c[1] != ']')
				c++;
		} else if (*c == '\\' && c[1]) {
			c++;
		} else if (*c == 'd' || *c == 'D' || *c == 'y' || *c == 'Y') {
			return true;
		}
	}
	return false;
}

/* The built-in number formats that show a date (ECMA-376 18.8.30, and the East Asian ones). */
static bool builtin_is_date(long id)
{
	return (id >= 14 && id <= 17) || id == 22 || (id >= 27 && id <= 36) ||
	       (id >= 50 && id <= 58);
}

/* ---- reading a part ---- */

static void text_add(struct xlsx_reader *x, const char *s, int len)
{
	size_t room = CELL_MAX - x->textlen;
	size_t n = (size_t)len < room ? (size_t)len : room;
	memcpy(x->text + x->textlen, s, n);
	x->textlen += n;
	x->text[x->textlen] = '\0';
}

static void XMLCALL on_doctype(void *ud, const XML_Char *name, const XML_Char *sysid,
			       const XML_Char *pubid, int internal)
{
	struct xlsx_reader *x = ud;
	(void)name, (void)sysid, (void)pubid, (void)internal;
	xlsx_fail(x, "xlsx_part_damaged", x->part, "DOCTYPE", NULL);
	XML_StopParser(x->p, XML_FALSE);
}

/* Parses the whole part, or streams it when the handlers suspend; opens it. */
static int part_open(struct xlsx_reader *x, const char *part, XML_StartElementHandler start,
		     XML_EndElementHandler end, XML_CharacterDataHandler chars)
{
	x->part = part;
	x->zf = zip_fopen(x->zip, part, 0);
	if (!x->zf)
		x->zf = zip_fopen(x->zip, part, ZIP_FL_NOCASE);
	if (!x->zf) {
		xlsx_fail(x, "xlsx_part_missing", part, NULL);
		return -1;
	}
	x->p = XML_ParserCreate("UTF-8");
	if (!x->p) {
		xlsx_fail(x, "xlsx_part_damaged", part, "out of memory", NULL);
		return -1;
	}
	XML_SetUserData(x->p, x);
	XML_SetElementHandler(x->p, start, end);
	XML_SetCharacterDataHandler(x->p, chars);
	XML_SetStartDoctypeDeclHandler(x->p, on_doctype);
	x->total = 0;
	x->suspended = x->final = x->row_ready = false;
	return 0;
}

void xlsx_part_close(struct xlsx_reader *x)
{
	if (x->p)
		XML_ParserFree(x->p);
	x->p = NULL;
	if (x->zf)
		zip_fclose(x->zf);
	x->zf = NULL;
}

/*
 * Feeds the part to the parser until a handler suspends it (1: a row is
 * ready), the part ends (0), or it cannot be read (-1 with the error set).
 */
static int part_step(struct xlsx_reader *x)
{
	for (;;) {
		enum XML_Status st;
		x->row_ready = false;
		if (x->suspended) {
			st = XML_ResumeParser(x->p);
		} else if (x->final) {
			return 0;
		} else {
			zip_int64_t n = zip_fread(x->zf, x->buf, sizeof x->buf);
			if (n < 0) {
				xlsx_fail(x, "xlsx_part_damaged", x->part,
					  zip_error_strerror(zip_file_get_error(x->zf)), NULL);
				return -1;
			}
			x->total += (size_t)n;
			if (x->total > x->part_max) {
				char max[32];
				snprintf(max, sizeof max, "%zu", x->part_max);
				xlsx_fail(x, "xlsx_part_too_large", x->part, max, NULL);
				return -1;
			}
			x->final = n == 0;
			st = XML_Parse(x->p, x->buf, (int)n, x->final);
		}
		if (st == XML_STATUS_ERROR) {
			if (XML_GetErrorCode(x->p) != XML_ERROR_ABORTED) {
				char why[256];
				snprintf(why, sizeof why, "%lu: %s",
					 (unsigned long)XML_GetCurrentLineNumber(x->p),
					 XML_ErrorString(XML_GetErrorCode(x->p)));
				xlsx_fail(x, "xlsx_part_damaged", x->part, why, NULL);
			}
			return -1;
		}
		x->suspended = st == XML_STATUS_SUSPENDED;
		if (x->row_ready)
			return 1;
	}
}

/* ---- the workbook, its relationships, its shared strings ---- */

static void XMLCALL wb_start(void *ud, const XML_Char *el, const XML_Char **atts)
{
	struct xlsx_reader *x = ud;
	if (strcmp(local(el), "workbookPr") == 0) {
		const char *a = attr(atts, "date1904");
		x->date1904 = a && (strcmp(a, "1") == 0 || strcmp(a, "true") == 0);
	}
	if (strcmp(local(el), "sheet") != 0 || x->nsheets == SHEETS_MAX)
		return;
	const char *name = attr(atts, "name"), *rid = NULL;
	for (size_t i = 0; atts[i]; i += 2)
		if (strchr(atts[i], ':') && strcmp(local(atts[i]), "id") == 0)
			rid = atts[i + 1];
	if (!name || !rid)
		return;
	struct sheet_ref *s = &x->sheets[x->nsheets++];
	snprintf(s->name, sizeof s->name, "%s", name);
	snprintf(s->rid, sizeof s->rid, "%s", rid);
	s->part[0] = '\0';
}

static void XMLCALL rels_start(void *ud, const XML_Char *el, const XML_Char **atts)
{
	struct xlsx_reader *x = ud;
	if (strcmp(local(el), "Relationship") != 0)
		return;
	const char *id = attr(atts, "Id"), *target = attr(atts, "Target"),
		   *type = attr(atts, "Type");
	if (!id || !target || !type)
		return;
	char part[NAME_MAX_X];
	if (target[0] == '/')
		snprintf(part, sizeof part, "%s", target + 1);
	else
		snprintf(part, sizeof part, "xl/%s", target);
	size_t tl = strlen(type);
	if (tl >= 14 && strcmp(type + tl - 14, "/sharedStrings") == 0)
		snprintf(x->sst_part, sizeof x->sst_part, "%s", part);
	if (tl >= 7 && strcmp(type + tl - 7, "/styles") == 0)
		snprintf(x->styles_part, sizeof x->styles_part, "%s", part);
	for (size_t i = 0; i < x->nsheets; i++)
		if (strcmp(x->sheets[i].rid, id) == 0)
			snprintf(x->sheets[i].part, sizeof x->sheets[i].part, "%s", part);
}

static void XMLCALL no_end(void *ud, const XML_Char *el)
{
	(void)ud, (void)el;
}

static void XMLCALL text_chars(void *ud, const XML_Char *s, int len)
{
	struct xlsx_reader *x = ud;
	if ((x->in_t && !x->in_rph) || x->in_v)
		text_add(x, s, len);
}

/*
 * The array arr (capacity *cap elements of size) with room for element n,
 * doubled when full: arr itself, or its new place; NULL with the reader's error
 * set and its parser stopped (arr is then still valid and still the reader's).
 */
static void *grow(struct xlsx_reader *x, void *arr, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return arr;
	size_t want = *cap ? *cap * 2 : 64;
	void *p = realloc(arr, want * size);
	if (!p) {
		xlsx_fail(x, "xlsx_part_damaged", x->part, "out of memory", NULL);
		if (x->p)
			XML_StopParser(x->p, XML_FALSE);
		return NULL;
	}
	*cap = want;
	return p;
}

static void XMLCALL sst_start(void *ud, const XML_Char *el, const XML_Char **atts)
{
	struct xlsx_reader *x = ud;
	const char *n = local(el);
	(void)atts;
	if (strcmp(n, "si") == 0)
		x->textlen = 0, x->text[0] = '\0';
	else if (strcmp(n, "rPh") == 0)
		x->in_rph++;
	else if (strcmp(n, "t") == 0)
		x->in_t++;
}

static void XMLCALL sst_end(void *ud, const XML_Char *el)
{
	struct xlsx_reader *x = ud;
	const char *n = local(el);
	if (strcmp(n, "rPh") == 0)
		x->in_rph--;
	else if (strcmp(n, "t") == 0)
		x->in_t--;
	if (strcmp(n, "si") != 0)
		return;
	if (x->nsst == XLSX_STRINGS_MAX) {
		char max[32];
		snprintf(max, sizeof max, "%d", XLSX_STRINGS_MAX);
		xlsx_fail(x, "xlsx_too_many_strings", max, NULL);
		XML_StopParser(x->p, XML_FALSE);
		return;
	}
	char **sst = grow(x, x->sst, &x->capsst, x->nsst, sizeof *sst);
	if (!sst)
		return;
	x->sst = sst;
	if ((x->sst[x->nsst] = strdup(x->text)) == NULL) {
		xlsx_fail(x, "xlsx_part_damaged", x->part, "out of memory", NULL);
		XML_StopParser(x->p, XML_FALSE);
		return;
	}
	x->nsst++;
}

static void XMLCALL styles_start(void *ud, const XML_Char *el, const XML_Char **atts)
{
	struct xlsx_reader *x = ud;
	const char *n = local(el), *id = attr(atts, "numFmtId");
	long fmt = id ? strtol(id, NULL, 10) : 0;

	if (strcmp(n, "cellXfs") == 0) {
		x->in_xfs = 1;
	} else if (strcmp(n, "numFmt") == 0 && fmt >= 0 && fmt < XLSX_NUMFMT_MAX) {
		const char *code = attr(atts, "formatCode");
		x->date_fmt[fmt] = code && format_is_date(code);
	} else if (strcmp(n, "xf") == 0 && x->in_xfs && x->nxf < XLSX_XF_MAX) {
		bool *date_xf = grow(x, x->date_xf, &x->capxf, x->nxf, sizeof *date_xf);
		if (!date_xf)
			return;
		x->date_xf = date_xf;
		x->date_xf[x->nxf++] =
		    builtin_is_date(fmt) || (fmt >= 0 && fmt < XLSX_NUMFMT_MAX && x->date_fmt[fmt]);
	}
}

static void XMLCALL styles_end(void *ud, const XML_Char *el)
{
	struct xlsx_reader *x = ud;
	if (strcmp(local(el), "cellXfs") == 0)
		x->in_xfs = 0;
}

/* Reads a part that is not a sheet whole; 0, or -1 with the error set. */
static int part_read(struct xlsx_reader *x, const char *part, XML_StartElementHandler start,
		     XML_EndElementHandler end)
{
	int rc = part_open(x, part, start, end, text_chars);
	if (rc == 0)
		rc = part_step(x);
	xlsx_part_close(x);
	x->in_t = x->in_rph = x->in_v = 0;
	return rc;
}

/* ---- a sheet, row by row ---- */

static void XMLCALL sheet_start(void *ud, const XML_Char *el, const XML_Char **atts)
{
	struct xlsx_reader *x = ud;
	const char *n = local(el), *a;

	if (strcmp(n, "sheetData") == 0) {
		x->in_sheetdata = 1;
	} else if (!x->in_sheetdata) {
		return;
	} else if (strcmp(n, "row") == 0) {
		a = attr(atts, "r");
		x->row = a ? strtol(a, NULL, 10) : x->prev_row + 1;
		if (x->row <= x->prev_row)
			x->row = x->prev_row + 1;
		x->next_col = 0;
	} else if (strcmp(n, "c") == 0) {
		a = attr(atts, "r");
		x->col = a ? ref_col(a) : x->next_col;
		if (x->col < 0)
			x->col = x->next_col;
		x->next_col = x->col + 1;
		a = attr(atts, "t");
		x->type = !a || strcmp(a, "n") == 0	? CT_NUMBER
			  : strcmp(a, "s") == 0		? CT_SHARED
			  : strcmp(a, "inlineStr") == 0 ? CT_INLINE
							: CT_TEXT;
		x->has_f = x->has_v = false;
		a = attr(atts, "s");
		x->style = a ? strtol(a, NULL, 10) : -1;
		x->textlen = 0;
		x->text[0] = '\0';
	} else if (strcmp(n, "v") == 0) {
		x->in_v = 1;
		x->has_v = true;
	} else if (strcmp(n, "f") == 0) {
		x->has_f = true;
	} else if (strcmp(n, "is") == 0) {
		x->in_is = 1;
	} else if (strcmp(n, "rPh") == 0) {
		x->in_rph++;
	} else if (strcmp(n, "t") == 0 && x->in_is) {
		x->in_t++;
	}
}

/* The value of the cell just read, into x->cells. */
static void cell_done(struct xlsx_reader *x)
{
	char value[CELL_MAX + 1];
	bool empty_formula = x->has_f && !x->has_v;

	if (x->type == CT_SHARED && x->textlen) {
		char *end;
		unsigned long i = strtoul(x->text, &end, 10);
		if (end == x->text || *end || i >= x->nsst) {
			x->bad_index = true;
			value[0] = '\0';
		} else {
			snprintf(value, sizeof value, "%s", x->sst[i]);
		}
	} else if (x->type == CT_NUMBER && x->textlen && x->style >= 0 &&
		   (size_t)x->style < x->nxf && x->date_xf[x->style]) {
		date_text(x->text, x->date1904, value, sizeof value);
	} else if (x->type == CT_NUMBER && x->textlen) {
		number_text(x->text, value, sizeof value);
	} else {
		snprintf(value, sizeof value, "%s", x->text);
	}
	if (!value[0] && !empty_formula)
		return;
	if (x->col >= CSV_FIELDS_MAX) {
		x->overflow = true;
		return;
	}
	snprintf(x->cells[x->col], sizeof x->cells[x->col], "%s", value);
	x->formula_empty[x->col] = empty_formula;
	if (x->col + 1 > x->ncells)
		x->ncells = x->col + 1;
}

static void XMLCALL sheet_end(void *ud, const XML_Char *el)
{
	struct xlsx_reader *x = ud;
	const char *n = local(el);

	if (!x->in_sheetdata)
		return;
	if (strcmp(n, "sheetData") == 0)
		x->in_sheetdata = 0;
	else if (strcmp(n, "v") == 0)
		x->in_v = 0;
	else if (strcmp(n, "is") == 0)
		x->in_is = 0;
	else if (strcmp(n, "rPh") == 0)
		x->in_rph--;
	else if (strcmp(n, "t") == 0 && x->in_is)
		x->in_t--;
	else if (strcmp(n, "c") == 0)
		cell_done(x);
	else if (strcmp(n, "row") == 0) {
		x->prev_row = x->row;
		x->row_ready = true;
		XML_StopParser(x->p, XML_TRUE);
	}
}

static int sheet_begin(struct xlsx_reader *x, const char *part)
{
	x->in_sheetdata = x->in_is = x->in_rph = x->in_t = x->in_v = 0;
	x->row = x->prev_row = 0;
	return part_open(x, part, sheet_start, sheet_end, text_chars);
}

int xlsx_sheet_row(struct xlsx_reader *x)
{
	for (int i = 0; i < x->ncells; i++) {
		x->cells[i][0] = '\0';
		x->formula_empty[i] = false;
	}
	x->ncells = 0;
	x->overflow = x->bad_index = false;
	return part_step(x);
}

/* ---- opening: the sheets, the template's map ---- */

static const struct sheet_ref *sheet_named(const struct xlsx_reader *x, const char *name)
{
	for (size_t i = 0; i < x->nsheets; i++)
		if (strcmp(x->sheets[i].name, name) == 0 && x->sheets[i].part[0])
			return &x->sheets[i];
	return NULL;
}

/* Reads the template's hidden sheet, if there is one; 0, or -1 with the error set. */
static int read_meta(struct xlsx_reader *x, const struct sheet_ref *meta)
{
	int got, version = -1;
	size_t cap = 0;

	if (sheet_begin(x, meta->part) < 0)
		return -1;
	while ((got = xlsx_sheet_row(x)) > 0) {
		const char *k = x->cells[0], *v = x->cells[1];
		if (x->row == 1) {
			if (strcmp(k, TEMPLATE_META_MARK) != 0)
				break; /* a sheet of the officer's own that happens to be named so
					*/
			x->is_template = true;
			version = atoi(v);
		} else if (strcmp(k, "unit") == 0) {
			snprintf(x->unit, sizeof x->unit, "%s", v);
		} else if (strcmp(k, "period") == 0) {
			snprintf(x->period, sizeof x->period, "%s", v);
		} else if (strcmp(k, "sheet") == 0) {
			snprintf(x->sheet_name, sizeof x->sheet_name, "%s", v);
		} else if (strcmp(k, "header") == 0) {
			x->header_row = atol(v);
		} else if (strcmp(k, "input") == 0 && x->nmap < META_ROWS) {
			long row = atol(x->cells[2]);
			if (row <= (x->nmap ? x->map[x->nmap - 1].row : x->header_row))
				break; /* rows increase: anything else is no map of ours */
			struct tpl_row *m = grow(x, x->map, &cap, x->nmap, sizeof *m);
			if (!m) {
				got = -1;
				break;
			}
			x->map = m;
			x->map[x->nmap].row = row;
			snprintf(x->map[x->nmap].code, sizeof x->map[x->nmap].code, "%s", v);
			x->nmap++;
		}
	}
	xlsx_part_close(x);
	if (got < 0)
		return -1;
	if (!x->is_template)
		return 0;
	char ver[16], known[16];
	snprintf(ver, sizeof ver, "%d", version);
	snprintf(known, sizeof known, "%d", TEMPLATE_VERSION);
	if (version != TEMPLATE_VERSION) {
		xlsx_fail(x, "xlsx_template_version", ver, known, NULL);
		return -1;
	}
	if (got > 0 || !x->unit[0] || !x->period[0] || !x->sheet_name[0] || x->header_row <= 0 ||
	    !sheet_named(x, x->sheet_name)) {
		xlsx_fail(x, "xlsx_template_damaged", NULL);
		return -1;
	}
	return 0;
}

/* How far down a sheet the template's column headers are looked for. */
#define TEMPLATE_LOOK_ROWS 10

/*
 * 1 if the sheet at part shows the template's column headers (Mã chỉ tiêu,
 * Tên chỉ tiêu ...) in one of its first rows: a template whose hidden sheet
 * was deleted, which read as a plain sheet would be refused for its title
 * row, not for the map it lost.  0 if not (a sheet that cannot be read
 * is refused by the reading itself, as before), -1 with the error set.
 */
static int shows_template_headers(struct xlsx_reader *x, const char *part)
{
	static const char *const codes[] = {"tpl_col_code",  "tpl_col_name",	  "tpl_col_measure",
					    "tpl_col_value", "tpl_col_qualifier", "tpl_col_note"};
	const int n = (int)(sizeof codes / sizeof codes[0]);
	char want[sizeof codes / sizeof codes[0]][64];
	int found = 0;

	for (int i = 0; i < n; i++)
		message_format(want[i], sizeof want[i], codes[i], NULL);
	if (sheet_begin(x, part) < 0)
		return -1;
	while (!found && xlsx_sheet_row(x) > 0 && x->row <= TEMPLATE_LOOK_ROWS) {
		found = x->ncells >= n;
		for (int i = 0; i < n && found; i++)
			found = strcmp(x->cells[i], want[i]) == 0;
	}
	xlsx_part_close(x);
	x->err[0] = '\0';
	return found;
}

static int open_workbook(struct xlsx_reader *x)
{
	zip_int64_t entries = zip_get_num_entries(x->zip, 0);
	if (entries > XLSX_ENTRIES_MAX) {
		char n[32], max[32];
		snprintf(n, sizeof n, "%lld", (long long)entries);
		snprintf(max, sizeof max, "%d", XLSX_ENTRIES_MAX);
		xlsx_fail(x, "xlsx_too_many_parts", n, max, NULL);
		return -1;
	}
	if (part_read(x, "xl/workbook.xml", wb_start, no_end) < 0 ||
	    part_read(x, "xl/_rels/workbook.xml.rels", rels_start, no_end) < 0)
		return -1;
	if (x->sst_part[0] && part_read(x, x->sst_part, sst_start, sst_end) < 0)
		return -1;
	if (x->styles_part[0] && part_read(x, x->styles_part, styles_start, styles_end) < 0)
		return -1;
	const struct sheet_ref *meta = sheet_named(x, TEMPLATE_META_SHEET);
	if (meta && read_meta(x, meta) < 0)
		return -1;
	if (!x->is_template) {
		size_t i = 0;
		while (i < x->nsheets && (!x->sheets[i].part[0] || &x->sheets[i] == meta))
			i++;
		if (i == x->nsheets) {
			xlsx_fail(x, "xlsx_no_sheet", NULL);
			return -1;
		}
		snprintf(x->sheet_name, sizeof x->sheet_name, "%s", x->sheets[i].name);
		int lost = shows_template_headers(x, x->sheets[i].part);
		if (lost != 0) {
			if (lost > 0)
				xlsx_fail(x, "xlsx_template_damaged", NULL);
			return -1;
		}
	}
	return sheet_begin(x, sheet_named(x, x->sheet_name)->part);
}

struct xlsx_reader *xlsx_open(const char *path, const void *data, size_t size, const char *name,
			      size_t part_max, char *err, size_t errsize)
{
	struct xlsx_reader *x = calloc(1, sizeof *x);
	zip_error_t ze;
	int code = 0;

	if (!x || (x->cells = calloc(CSV_FIELDS_MAX, sizeof *x->cells)) == NULL ||
	    (x->names = calloc(CSV_FIELDS_MAX, sizeof *x->names)) == NULL) {
		snprintf(err, errsize, "%s: out of memory", name);
		if (x)
			free(x->cells);
		free(x);
		return NULL;
	}
	snprintf(x->name, sizeof x->name, "%s", name);
	x->part_max = part_max ? part_max : XLSX_PART_MAX;
	zip_error_init(&ze);
	if (path) {
		x->zip = zip_open(path, ZIP_RDONLY, &code);
		zip_error_init_with_code(&ze, code);
	} else {
		zip_source_t *src = zip_source_buffer_create(data, size, 0, &ze);
		if (src && (x->zip = zip_open_from_source(src, ZIP_RDONLY, &ze)) == NULL)
			zip_source_free(src);
	}
	if (!x->zip) {
		xlsx_fail(x, "xlsx_unreadable", zip_error_strerror(&ze), NULL);
		zip_error_fini(&ze);
		goto fail;
	}
	zip_error_fini(&ze);
	if (open_workbook(x) < 0)
		goto fail;
	return x;
fail:
	snprintf(err, errsize, "%s", x->err);
	xlsx_destroy(&x);
	return NULL;
}

void xlsx_destroy(struct xlsx_reader **xp)
{
	struct xlsx_reader *x = xp ? *xp : NULL;
	if (!x)
		return;
	xlsx_part_close(x);
	if (x->zip)
		zip_discard(x->zip);
	for (size_t i = 0; i < x->nsst; i++)
		free(x->sst[i]);
	free(x->sst);
	free(x->date_xf);
	free(x->map);
	free(x->cells);
	free(x->names);
	free(x);
	*xp = NULL;
}
