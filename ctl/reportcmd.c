/*
 * reportcmd: the periodic report from the rollups (see reportcmd.h).
 */
#include "reportcmd.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "num.h"
#include "period.h"

int reportcmd_period_vi(const char *period, char *buf, size_t size)
{
	static const char *const roman[] = {"", "I", "II", "III", "IV"};
	struct period p;
	const char *why;

	if (period_parse(period, strlen(period), &p, &why) < 0)
		return snprintf(buf, size, "kỳ %s", period);
	switch (p.type) {
	case PERIOD_YEARLY:
		return snprintf(buf, size, "năm %d", p.year);
	case PERIOD_SIXMONTHLY:
		return snprintf(buf, size, "6 tháng %s năm %d", p.num == 1 ? "đầu" : "cuối",
				p.year);
	case PERIOD_QUARTERLY:
		return snprintf(buf, size, "quý %s năm %d", roman[p.num], p.year);
	case PERIOD_MONTHLY:
		return snprintf(buf, size, "tháng %d năm %d", p.num, p.year);
	case PERIOD_WEEKLY:
		return snprintf(buf, size, "tuần %d năm %d", p.num, p.year);
	case PERIOD_DAILY:
		return snprintf(buf, size, "ngày %02d/%02d/%d", p.day, p.num, p.year);
	}
	return snprintf(buf, size, "kỳ %s", period);
}

/* A number for machines: integers without decimals, others with up to 4. */
static void plain(double v, char *buf, size_t size)
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

static void csv_text(FILE *out, const char *s, char sep)
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

static void report_csv(FILE *out, const struct store_report_row *rows, size_t n)
{
	char v[64], num[64], den[64];

	fputs("unit_code,unit_name,level,indicator_code,indicator_name,period,value,numerator,"
	      "denominator,reporting_units,expected_units\n",
	      out);
	for (size_t i = 0; i < n; i++) {
		const struct store_report_row *r = &rows[i];
		bool ratio = strcmp(r->kind, "ratio") == 0;
		v[0] = num[0] = den[0] = '\0';
		if (r->has_value) {
			if (ratio)
				num_format_plain(r->value, 2, v, sizeof v);
			else
				plain(r->value, v, sizeof v);
		}
		if (ratio && r->has_ratio) {
			plain(r->numerator, num, sizeof num);
			plain(r->denominator, den, sizeof den);
		}
		csv_text(out, r->unit_code, ',');
		csv_text(out, r->unit_name, ',');
		fprintf(out, "%d,", r->level);
		csv_text(out, r->indicator_code, ',');
		csv_text(out, r->indicator_name, ',');
		csv_text(out, r->period, ',');
		csv_text(out, v, ',');
		csv_text(out, num, ',');
		csv_text(out, den, ',');
		fprintf(out, "%d,%d\n", r->reporting_units, r->expected_units);
	}
}

static const char *qualifier_vi(const char *q)
{
	if (strcmp(q, "at_least") == 0)
		return "ít nhất ";
	if (strcmp(q, "at_most") == 0)
		return "nhiều nhất ";
	if (strcmp(q, "about") == 0)
		return "khoảng ";
	return "";
}

/* How a report names the finer periods behind a derived figure ("3/4 kỳ 6 tháng"). */
static const char *period_type_vi(const char *type)
{
	static const struct {
		const char *type, *vi;
	} names[] = {{"daily", "ngày"},
		     {"weekly", "tuần"},
		     {"monthly", "tháng"},
		     {"quarterly", "quý"},
		     {"six-monthly", "kỳ 6 tháng"},
		     {"yearly", "năm"}};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(names[i].type, type) == 0)
			return names[i].vi;
	return type;
}

static void report_text(FILE *out, const struct store_report_row *rows, size_t n,
			const char *period)
{
	char when[64], v[64], num[64], den[64];
	const char *unit = "", *pillar = "";

	reportcmd_period_vi(period, when, sizeof when);
	fprintf(out, "BÁO CÁO KẾT QUẢ CHUYỂN ĐỔI SỐ %s — %s\n", when, rows[0].unit_name);
	fprintf(out,
		"(số liệu tổng hợp từ báo cáo của các đơn vị; tỷ lệ tính từ tử số và mẫu số)\n");
	for (size_t i = 0; i < n; i++) {
		const struct store_report_row *r = &rows[i];
		int indent = 2 * r->depth;
		if (strcmp(unit, r->unit_code) != 0) {
			unit = r->unit_code;
			pillar = "";
			fprintf(out, "\n%*s%s (%s)\n", indent, "", r->unit_name, r->unit_code);
		}
		if (strcmp(pillar, r->pillar) != 0) {
			pillar = r->pillar;
			fprintf(out, "%*s  %s\n", indent, "", r->pillar_name);
		}
		if (!r->has_value)
			snprintf(v, sizeof v, "—");
		else
			num_format_vi(r->value, r->decimals, v, sizeof v);
		if (strcmp(r->kind, "ratio") == 0 && r->has_ratio) {
			num_format_vi(r->numerator, 0, num, sizeof num);
			num_format_vi(r->denominator, 0, den, sizeof den);
			fprintf(out, "%*s    %s: %s%s%% (%s / %s)", indent, "", r->indicator_name,
				qualifier_vi(r->qualifier), v, num, den);
		} else {
			fprintf(out, "%*s    %s: %s%s %s", indent, "", r->indicator_name,
				qualifier_vi(r->qualifier), v, r->measure);
		}
		fprintf(out, " — %d/%d đơn vị báo cáo", r->reporting_units, r->expected_units);
		if (r->on_time_units < r->reporting_units)
			fprintf(out, ", %d nộp muộn", r->reporting_units - r->on_time_units);
		if (r->periods_reported < r->periods_expected)
			fprintf(out, "; số liệu %d/%d %s", r->periods_reported, r->periods_expected,
				period_type_vi(r->native_period));
		fputc('\n', out);
	}
}

int reportcmd_main(struct ctl *c, int argc, char **argv)
{
	const char *period = NULL, *unit = NULL, *format = "text", *output = NULL;
	struct store_report_row *rows;
	size_t n;
	char err[1024];
	FILE *out = stdout;

	for (int i = 0; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--period") == 0)
			period = argv[i + 1];
		else if (strcmp(argv[i], "--unit") == 0)
			unit = argv[i + 1];
		else if (strcmp(argv[i], "--format") == 0)
			format = argv[i + 1];
		else if (strcmp(argv[i], "--output") == 0)
			output = argv[i + 1];
		else
			period = NULL, i = argc;
	}
	if (!period || !unit || argc % 2 ||
	    (strcmp(format, "text") != 0 && strcmp(format, "csv") != 0)) {
		fprintf(stderr, "usage: chisoctl report --period P --unit CODE [--format text|csv] "
				"[--output FILE]\n");
		return 2;
	}
	struct store *s = ctl_store(c, CTL_READER);
	int rc = store_report(s, period, unit, &rows, &n, err, sizeof err);
	store_close(&s);
	if (rc < 0)
		return ctl_fail(err);
	if (n == 0) {
		log_err("no figures for unit %s in period %s", unit, period);
		free(rows);
		return 1;
	}
	if (output && (out = fopen(output, "w")) == NULL) {
		free(rows);
		return ctl_fail("cannot write the report file");
	}
	if (strcmp(format, "csv") == 0)
		report_csv(out, rows, n);
	else
		report_text(out, rows, n, period);
	if (output) {
		fclose(out);
		log_info("report written to %s", output);
	}
	free(rows);
	return 0;
}
