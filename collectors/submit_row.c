/*
 * submit_row: one row of an officer's CSV file, read and checked (see
 * submit_impl.h): the columns its header names, and each column's checks,
 * with the messages of the message table.
 *
 * Every message says what to write instead, because the person reading it is
 * a commune officer with the spreadsheet open, not a programmer.
 */
#include "submit_impl.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "message.h"
#include "num.h"
#include "period.h"

const char *const submit_column_names[COL_N] = {"unit",	 "indicator", "period", "date",
						"value", "qualifier", "note"};

const char *const submit_error_codes[RE_N] = {
    "csv_syntax", "wrong_field_count", "bad_unit",	"bad_indicator", "bad_period",
    "bad_date",	  "bad_value",	       "bad_qualifier", "bad_note",	 "duplicate_in_file",
};
/* row_fault maps a column to its kind by offset from RE_UNIT. */
_Static_assert(RE_NOTE - RE_UNIT == COL_NOTE && RE_QUALIFIER - RE_UNIT == COL_QUALIFIER,
	       "error kinds follow the columns");

int submit_qualifier(const char *s)
{
	static const struct {
		const char *text;
		enum qualifier q;
	} words[] = {
	    {"", QUAL_NONE},
	    {"at_least", QUAL_AT_LEAST},
	    {">", QUAL_AT_LEAST},
	    {">=", QUAL_AT_LEAST},
	    {"hơn", QUAL_AT_LEAST},
	    {"trên", QUAL_AT_LEAST},
	    {"ít nhất", QUAL_AT_LEAST},
	    {"at_most", QUAL_AT_MOST},
	    {"<", QUAL_AT_MOST},
	    {"<=", QUAL_AT_MOST},
	    {"dưới", QUAL_AT_MOST},
	    {"tối đa", QUAL_AT_MOST},
	    {"about", QUAL_ABOUT},
	    {"~", QUAL_ABOUT},
	    {"khoảng", QUAL_ABOUT},
	    {"ước tính", QUAL_ABOUT},
	    {"ước", QUAL_ABOUT},
	};
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		if (strcmp(s, words[i].text) == 0)
			return (int)words[i].q;
	return -1;
}

/* Copies field i of rec without surrounding spaces into buf; returns buf. */
static const char *cell(const struct csv_record *rec, size_t i, char *buf, size_t size)
{
	const char *s = rec->fields[i];
	size_t len = rec->lens[i];

	while (len && isspace((unsigned char)*s)) {
		s++;
		len--;
	}
	while (len && isspace((unsigned char)s[len - 1]))
		len--;
	if (len >= size)
		len = size - 1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return buf;
}

const char *submit_field(const struct csv_record *rec, const struct submit_layout *l,
			 enum submit_column c, char *buf, size_t size)
{
	buf[0] = '\0';
	if (l->at[c] < 0 || (size_t)l->at[c] >= rec->nfields)
		return buf;
	return cell(rec, (size_t)l->at[c], buf, size);
}

int submit_header(const struct csv_record *rec, const char *path, struct submit_layout *l,
		  FILE *out)
{
	char msg[1024], name[CSV_FIELD_MAX + 1];

	memset(l, 0, sizeof *l);
	for (int c = 0; c < COL_N; c++)
		l->at[c] = -1;
	_Static_assert(CSV_FIELDS_MAX <= 64, "one bit of l->named per field");
	for (size_t i = 0; i < rec->nfields; i++) {
		int c;
		/* Excel keeps the spaces typed around a heading. */
		if (!*cell(rec, i, name, sizeof name))
			continue;
		for (c = 0; c < COL_N; c++)
			if (strcmp(name, submit_column_names[c]) == 0)
				break;
		if (c == COL_N) {
			message_format(msg, sizeof msg, "header_unknown_column", name, NULL);
			fprintf(out, "%s:%ld: %s\n", path, rec->line, msg);
			return -1;
		}
		if (l->at[c] >= 0) {
			message_format(msg, sizeof msg, "header_column_twice",
				       submit_column_names[c], NULL);
			fprintf(out, "%s:%ld: %s\n", path, rec->line, msg);
			return -1;
		}
		l->at[c] = (int)i;
		l->named |= UINT64_C(1) << i;
		l->nfields = i + 1;
	}
	if (l->at[COL_UNIT] < 0 || l->at[COL_INDICATOR] < 0 || l->at[COL_VALUE] < 0 ||
	    (l->at[COL_PERIOD] < 0 && l->at[COL_DATE] < 0)) {
		message_format(msg, sizeof msg, "header_columns_missing", NULL);
		fprintf(out, "%s:%ld: %s\n", path, rec->line, msg);
		return -1;
	}
	return 0;
}

/*
 * The row's fields against the header: at least one per named column, and
 * nothing under a header cell that names none (a value there would be
 * silently dropped).
 */
static int check_shape(const struct csv_record *rec, const struct submit_layout *l,
		       struct submit_fault *f)
{
	char buf[CSV_FIELD_MAX + 1], letters[16], col[64];

	f->kind = RE_FIELDS;
	if (rec->nfields < l->nfields) {
		char want[24], got[24];
		snprintf(want, sizeof want, "%zu", l->nfields);
		snprintf(got, sizeof got, "%zu", rec->nfields);
		message_format(f->msg, sizeof f->msg, "wrong_field_count", want, got, NULL);
		return -1;
	}
	for (size_t i = 0; i < rec->nfields; i++) {
		if ((l->named >> i & 1) || !*cell(rec, i, buf, sizeof buf))
			continue;
		csv_column_letters(i + 1, letters, sizeof letters);
		message_format(col, sizeof col, "csv_column", letters, NULL);
		message_format(f->msg, sizeof f->msg, "header_value_without_name", col, buf, NULL);
		return -1;
	}
	return 0;
}

/*
 * v written the Vietnamese way for an officer (1.463; 5,5), with the decimals
 * of text (a canonical decimal such as "5.5") or, without it, up to 6 with
 * trailing zeros dropped.  Returns buf.
 */
static const char *submit_number_vi(double v, const char *text, char *buf, size_t size)
{
	const char *dot = text ? strchr(text, '.') : NULL;
	int decimals = dot ? (int)strlen(dot + 1) : 0;

	if (!text) {
		decimals = 6;
		while (decimals > 0 && num_format_plain(v, decimals - 1, buf, size) >= 0 &&
		       strtod(buf, NULL) == v)
			decimals--;
	}
	if (decimals > NUM_DECIMALS_MAX)
		decimals = NUM_DECIMALS_MAX;
	num_format_vi(v, decimals, buf, size);
	return buf;
}

/* Fills f for column c with the message code and its NULL-terminated arguments; -1. */
static int row_fault(struct submit_fault *f, enum submit_column c, const char *code, ...)
{
	va_list ap;

	f->kind = (enum submit_error)(RE_UNIT + c);
	va_start(ap, code);
	message_vformat(f->msg, sizeof f->msg, code, ap);
	va_end(ap);
	return -1;
}

/* Fills f for column c with why, a message lib/period.c or lib/num.c wrote; -1. */
static int row_fault_text(struct submit_fault *f, enum submit_column c, const char *why)
{
	f->kind = (enum submit_error)(RE_UNIT + c);
	snprintf(f->msg, sizeof f->msg, "%s", why);
	return -1;
}

/* The unit and indicator columns into row; *ind is the indicator when cat knows it. */
static int check_codes(const struct csv_record *rec, const struct submit_layout *l,
		       const struct catalog *cat, struct batch_row *row,
		       const struct indicator **ind, struct submit_fault *f)
{
	char buf[CSV_FIELD_MAX + 1];

	submit_field(rec, l, COL_UNIT, buf, sizeof buf);
	if (!*buf || strlen(buf) > BATCH_UNIT_MAX || strspn(buf, "0123456789") != strlen(buf))
		return row_fault(f, COL_UNIT, "bad_unit", buf, NULL);
	snprintf(row->unit, sizeof row->unit, "%s", buf);

	submit_field(rec, l, COL_INDICATOR, buf, sizeof buf);
	if (!*buf || strlen(buf) > BATCH_INDICATOR_MAX ||
	    strspn(buf, "abcdefghijklmnopqrstuvwxyz0123456789_") != strlen(buf))
		return row_fault(f, COL_INDICATOR, "bad_indicator", buf, NULL);
	if (cat && (*ind = catalog_find(cat, buf)) == NULL) {
		char unknown[512], version[128];
		message_format(unknown, sizeof unknown, "unknown_indicator", buf, NULL);
		message_format(version, sizeof version, "catalog_version", cat->version, NULL);
		snprintf(f->msg, sizeof f->msg, "%s (%s)", unknown, version);
		f->kind = RE_INDICATOR;
		return -1;
	}
	if (*ind && (*ind)->kind == IND_RATIO)
		return row_fault(f, COL_INDICATOR, "computed_indicator", (*ind)->code,
				 (*ind)->numerator, (*ind)->denominator, NULL);
	snprintf(row->indicator, sizeof row->indicator, "%s", buf);
	return 0;
}

/* The period or the date column into row. */
static int check_period(const struct csv_record *rec, const struct submit_layout *l,
			const struct indicator *ind, struct batch_row *row, struct submit_fault *f)
{
	char buf[CSV_FIELD_MAX + 1], date[64];
	const char *why;
	struct period p;
	int32_t day;

	submit_field(rec, l, COL_PERIOD, buf, sizeof buf);
	submit_field(rec, l, COL_DATE, date, sizeof date);
	if (*buf && *date)
		return row_fault(f, COL_PERIOD, "period_and_date", NULL);
	if (!*buf && !*date)
		return row_fault(f, COL_PERIOD, "period_missing", NULL);
	if (*date) {
		if (date_parse(date, strlen(date), &day, &why) < 0)
			return row_fault_text(f, COL_DATE, why);
		date_format(day, row->date, sizeof row->date);
		return 0;
	}
	if (period_parse(buf, strlen(buf), &p, &why) < 0)
		return row_fault_text(f, COL_PERIOD, why);
	period_format(&p, row->period, sizeof row->period);
	if (ind && !(ind->period_types & (1u << p.type))) {
		char allowed[128], words[64];
		period_types_vi(ind->period_types, allowed, sizeof allowed);
		period_words_vi(&p, words, sizeof words);
		return row_fault(f, COL_PERIOD, "period_type_not_allowed", ind->code, allowed,
				 period_type_vi(p.type), row->period, words, NULL);
	}
	return 0;
}

/* The value column into row, with the indicator's kind and bounds when known. */
static int check_value(const struct csv_record *rec, const struct submit_layout *l,
		       const struct indicator *ind, struct batch_row *row, struct submit_fault *f)
{
	char buf[CSV_FIELD_MAX + 1], num[48], lo[48], hi[48], range[128];
	const char *why;

	submit_field(rec, l, COL_VALUE, buf, sizeof buf);
	if (num_parse_decimal(buf, strlen(buf), l->decimal, &row->value, &why) < 0)
		return row_fault_text(f, COL_VALUE, why);
	if (!ind)
		return 0;
	submit_number_vi(row->value.value, row->value.text, num, sizeof num);
	if (ind->kind == IND_COUNT || ind->kind == IND_AMOUNT) {
		if (!row->value.integer)
			return row_fault(f, COL_VALUE, "not_integer", ind->code, ind->measure, num,
					 NULL);
		if (row->value.value < 0)
			return row_fault(f, COL_VALUE, "negative_value", ind->code, num, NULL);
	}
	if ((ind->has_min && row->value.value < ind->min) ||
	    (ind->has_max && row->value.value > ind->max)) {
		submit_number_vi(ind->min, NULL, lo, sizeof lo);
		submit_number_vi(ind->max, NULL, hi, sizeof hi);
		if (!ind->has_min)
			message_format(range, sizeof range, "range_at_most", hi, NULL);
		else if (!ind->has_max)
			message_format(range, sizeof range, "range_at_least", lo, NULL);
		else
			message_format(range, sizeof range, "range_between", lo, hi, NULL);
		return row_fault(f, COL_VALUE, "out_of_bounds", ind->code, range, num, NULL);
	}
	return 0;
}

/* The qualifier and note columns into row. */
static int check_extras(const struct csv_record *rec, const struct submit_layout *l,
			struct batch_row *row, struct submit_fault *f)
{
	char buf[CSV_FIELD_MAX + 1], n1[24], n2[24];

	submit_field(rec, l, COL_QUALIFIER, buf, sizeof buf);
	int q = submit_qualifier(buf);
	if (q < 0)
		return row_fault(f, COL_QUALIFIER, "bad_qualifier", buf, NULL);
	row->qualifier = (enum qualifier)q;

	/* The note goes to the server with the value; chisod refuses the same faults, but
	 * the officer learns of them here, with the file and line, before anything is sent. */
	submit_field(rec, l, COL_NOTE, buf, sizeof buf);
	size_t len = strlen(buf), at = batch_note_control(buf);
	if (len > BATCH_NOTE_MAX) {
		snprintf(n1, sizeof n1, "%zu", len);
		snprintf(n2, sizeof n2, "%d", BATCH_NOTE_MAX);
		return row_fault(f, COL_NOTE, "note_too_long", n1, n2, NULL);
	}
	if (at != SIZE_MAX) {
		snprintf(n1, sizeof n1, "%zu", at + 1);
		return row_fault(f, COL_NOTE, "note_control", n1, NULL);
	}
	memcpy(row->note, buf, len + 1);
	return 0;
}

int submit_row(const struct csv_record *rec, const struct submit_layout *l, const char *base,
	       const struct catalog *cat, struct batch_row *row, struct submit_fault *f)
{
	const struct indicator *ind = NULL;

	memset(row, 0, sizeof *row);
	if (check_shape(rec, l, f) < 0 || check_codes(rec, l, cat, row, &ind, f) < 0 ||
	    check_period(rec, l, ind, row, f) < 0 || check_value(rec, l, ind, row, f) < 0 ||
	    check_extras(rec, l, row, f) < 0)
		return -1;
	snprintf(row->ref, sizeof row->ref, "%s:%ld", base, rec->line);
	return 0;
}
