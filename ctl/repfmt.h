/*
 * repfmt: the small pieces every report for people is made of, with no
 * database and no I/O beyond writing escaped text: words in Vietnamese or
 * English, the title, numbers and changes formatted the reader's way, text
 * escaped for HTML and Markdown, and the geometry of SVG bar charts.  The
 * writers (reptext, repmd, rephtml) only arrange these pieces, and the unit
 * tests check them as tables of cases.
 *
 * Vietnamese is the default: numbers as 1.463 and 89,52%, the title as the
 * seed reports write it ("BÁO CÁO Kết quả chuyển đổi số 6 tháng đầu năm 2024
 * — tỉnh Quảng Ngãi").  English swaps the separators (1,463 and 89.52%).
 */
#ifndef CHISOCTL_REPFMT_H
#define CHISOCTL_REPFMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum repfmt_lang { REPFMT_VI, REPFMT_EN };

/* The words of a report, one id per phrase; repfmt_word gives it in a language. */
enum repfmt_word {
	W_REPORT,	  /* "BÁO CÁO" */
	W_SUBTITLE,	  /* "(số liệu tổng hợp ...)" */
	W_INDICATOR,	  /* column: indicator */
	W_UNIT,		  /* column: unit */
	W_VALUE,	  /* column: value */
	W_NUM_DEN,	  /* column: numerator / denominator */
	W_PREVIOUS,	  /* column: previous period */
	W_CHANGE,	  /* column: change */
	W_REPORTING,	  /* column: units reporting */
	W_LATE,		  /* column: late */
	W_UNITS_REPORTED, /* "đơn vị báo cáo" */
	W_LATE_SUFFIX,	  /* "nộp muộn" */
	W_COMPLETENESS,	  /* section: completeness by district */
	W_GROUP,	  /* column: district */
	W_EXPECTED,	  /* column: expected units */
	W_REPORTED,	  /* column: units that reported */
	W_ON_TIME,	  /* column: on time */
	W_SHARE,	  /* column: share reported */
	W_MISSING,	  /* section: units that did not report */
	W_NONE_MISSING,	  /* every expected unit reported */
	W_PUBLISHED_AT,	  /* "Công bố lúc" */
	W_VERSION,	  /* "phiên bản" */
	W_BY,		  /* "người công bố" */
	W_NOTE,		  /* "ghi chú" */
	W_HASH,		  /* "mã kiểm tra (SHA-256)" */
	W_LIVE,		  /* figures as they stand, not published */
	W_COMPARED,	  /* "so với" */
	W_NO_PREVIOUS,	  /* explains "—" */
	W_INCOMPARABLE,	  /* explains "*" after a change */
	W_RATIOS_NOTE,	  /* ratios are computed from their parts */
	W_CONTENTS,	  /* table of contents */
	W_CHART_RANKED,	  /* chart caption: by unit, ranked */
	W_TOTAL,	  /* the total row of a table */
	W_PERIOD,	  /* "Kỳ báo cáo" */
	W_PERIODS_BEHIND, /* "số liệu" before "3/4 kỳ 6 tháng" */
	W_HASH_MISMATCH,  /* warning: rows do not match the hash */
	W_NO_FIGURES,	  /* an empty pillar */
	W_NWORDS
};

/* "vi" or "en"; -1 for anything else. */
int repfmt_lang_from_name(const char *name);
/* The phrase in the language (never NULL). */
const char *repfmt_word(enum repfmt_lang lang, enum repfmt_word w);
/* "khoảng " / "about " for a qualifier code (at_least, at_most, about); "" otherwise. */
const char *repfmt_qualifier(enum repfmt_lang lang, const char *qualifier);
/* How finer periods are named behind a derived figure ("kỳ 6 tháng"), by period type name. */
const char *repfmt_period_type(enum repfmt_lang lang, const char *type);

/*
 * The DHIS2 identifier of a period as written on a command line: 2024M03 (the
 * month written with M) becomes 202403, anything period_parse reads is
 * written back canonically ("2024w05" -> 2024W5).  0, or -1 if unreadable.
 */
int repfmt_period_canon(const char *in, char *buf, size_t size);
/*
 * A period in words: "năm 2024", "6 tháng đầu năm 2024", "quý II năm 2024",
 * "tháng 3 năm 2024", "tuần 10 năm 2024", "ngày 15/06/2024"; in English
 * "2024", "the first half of 2024", "Q2 2024", "March 2024", "week 10 of
 * 2024", "15/06/2024".  An unreadable code gives "kỳ CODE" / "period CODE".
 * Returns the length as snprintf.
 */
int repfmt_period_words(enum repfmt_lang lang, const char *period, char *buf, size_t size);
/*
 * The report's title: "BÁO CÁO Kết quả chuyển đổi số năm 2024 — tỉnh Quảng
 * Ngãi" (the unit's type word in lower case, as in running text), or "REPORT
 * Digital transformation results, 2024 — Tỉnh Quảng Ngãi".  Returns the length
 * as snprintf.
 */
int repfmt_title(enum repfmt_lang lang, const char *period, const char *unit_name, char *buf,
		 size_t size);
/* A time "YYYY-MM-DD HH:MM:SS" as "09:30 ngày 01/07/2024" / "09:30 on 01/07/2024"; the text
 * unchanged if it is not of that form. */
int repfmt_when(enum repfmt_lang lang, const char *ts, char *buf, size_t size);

/* A number with exactly `decimals` decimals: "24.080", "5,28" / "24,080", "5.28". */
int repfmt_number(enum repfmt_lang lang, double v, int decimals, char *buf, size_t size);
/* A percentage with the sign attached as Vietnamese reports write it: "89,52%" / "89.52%". */
int repfmt_percent(enum repfmt_lang lang, double v, int decimals, char *buf, size_t size);
/*
 * The change from prev to cur: "+50", "-3", "0", for a ratio in percentage
 * points ("+1,25 điểm %" / "+1.25 pp"); "—" when either side is missing.
 * Rounded to `decimals` first, so a change that rounds to zero prints "0".
 */
int repfmt_change(enum repfmt_lang lang, bool has_cur, double cur, bool has_prev, double prev,
		  int decimals, bool ratio, char *buf, size_t size);

/*
 * s escaped for HTML text and attribute values: & < > " ' as entities, and
 * control characters other than tab and newline (which HTML does not allow)
 * as U+FFFD.  Writes into buf like snprintf and returns the whole length.
 */
size_t repfmt_html_escape(const char *s, char *buf, size_t size);
/* Writes s to out escaped for HTML. */
void repfmt_html_put(FILE *out, const char *s);
/*
 * s escaped for a GitHub-flavoured Markdown table cell: the punctuation that
 * starts formatting (\ ` * _ [ ] < > | ~ &) after a backslash, line breaks as
 * spaces.  Writes into buf like snprintf and returns the whole length.
 */
size_t repfmt_md_escape(const char *s, char *buf, size_t size);
/* Writes s to out escaped for a Markdown table cell. */
void repfmt_md_put(FILE *out, const char *s);

/* The layout of a horizontal bar chart, in SVG user units (pixels). */
struct repfmt_chart {
	double width;	/* whole chart */
	double label_w; /* unit names on the left */
	double value_w; /* value labels on the right */
	double top;	/* room above the first bar */
	double bar_h;	/* height of a bar */
	double gap;	/* between bars */
	double bottom;	/* room below the last bar (axis labels) */
};
/* The layout rephtml uses. */
extern const struct repfmt_chart repfmt_chart_default;

struct repfmt_rect {
	double x, y, w, h;
};

/*
 * The end of the value axis: 100 for percentages that stay within 100, else
 * the smallest 1, 2 or 5 times a power of ten at or above max_value (136 ->
 * 200, 0.3 -> 0.5); 1 when there is nothing to show (max_value <= 0 or NaN).
 */
double repfmt_scale_max(double max_value, bool percent);
/*
 * Bar `index` (0 at the top) of value on the axis 0..scale_max: starts at
 * label_w, as long as value / scale_max of the plot width (width - label_w -
 * value_w), clamped to 0..plot width (negative, NaN: 0).  Positions are
 * rounded to 0.1 so that the SVG text stays short.
 */
struct repfmt_rect repfmt_bar(const struct repfmt_chart *c, size_t index, double value,
			      double scale_max);
/* The x coordinate of value on the axis (for reference lines), clamped like a bar's end. */
double repfmt_axis_x(const struct repfmt_chart *c, double value, double scale_max);
/* The height of a chart with nbars bars: top + n bars and gaps + bottom. */
double repfmt_chart_height(const struct repfmt_chart *c, size_t nbars);

#endif
