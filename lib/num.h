/*
 * num: numbers typed by people, parsed without guessing the locale, and numbers
 * printed the Vietnamese way.
 *
 * A CSV exported from Excel in Vietnam may write one thousand four hundred and
 * sixty-three as "1.463" (dot groups thousands) while an English export writes
 * 1.463 for a number below two.  The parser accepts only forms with a single
 * reading and refuses the rest with a message that says how to write the number
 * (docs/protocol.md, "Numbers in CSV files"):
 *
 *   accepted   1463   -12   0.5   5.28   1463.25   0,5   5,28   1463,25
 *              2.115.025.641   2,115,025,641   1 463   1.463,5   1,463.5
 *   refused    1.463  1,463  12.500  (one separator, three digits after, 1-3 before)
 *              1e3  0x10  NaN  inf  89,52%  ""  "1.2.3"  "--1"  "1 46"
 *
 * Thousands may be grouped by dot, comma, space, no-break space (U+00A0) or
 * narrow no-break space (U+202F); groups after the first have exactly three
 * digits.  A number has at most 15 significant digits so that it survives a
 * double and PostgreSQL's numeric exactly, and at most 15 decimals, as the
 * protocol's rule for the province says (num_json_literal).
 */
#ifndef CHISO_NUM_H
#define CHISO_NUM_H

#include <stdbool.h>
#include <stddef.h>

#define NUM_TEXT_MAX 40

struct num {
	double value;
	bool integer;		 /* no fractional digits were written (or all zero) */
	char text[NUM_TEXT_MAX]; /* canonical form: "-1463", "5.28", no grouping */
};

/*
 * The protocol's number rule (docs/protocol.md, the "value" field), applied to
 * a JSON number literal lit[0..len) exactly, never through a double: in any
 * JSON spelling (5000, 5e3, 5.0E+3, 5000.000 are one number), written out as a
 * plain decimal it has at most 15 significant digits, at most 15 digits before
 * the decimal point and none beyond the 15th after it; zero in any spelling is
 * 0.  Returns 0 and fills *out (text canonical: no exponent, no trailing
 * fractional zeros, no "+", "0" for any zero; the same text %.15g gave for
 * such values), or -1 with *why pointing at a static English reason that
 * states the rule (or says the text is no JSON number).
 */
int num_json_literal(const char *lit, size_t len, struct num *out, const char **why);
/* The rule as num_json_literal's refusal states it. */
extern const char num_json_rule[];

/* Decimals the formatters print at most; more are clamped to this. */
#define NUM_DECIMALS_MAX 40

/*
 * Parses s[0..len) (surrounding ASCII whitespace is ignored; s need not be
 * NUL-terminated).  Returns 0 and fills *out, or -1 and points *why at a
 * Vietnamese message for the commune officer that quotes the input and says what
 * to write instead, such as "số không rõ nghĩa \"1.463\": ghi 1463 nếu là một
 * nghìn bốn trăm sáu mươi ba, hoặc 1,4630 / 1.4630 nếu là số thập phân".  The
 * message lives in a thread-local buffer: it stays valid until the next
 * num_parse in this thread.
 */
int num_parse(const char *s, size_t len, struct num *out, const char **why);
/*
 * num_parse for text whose locale is known: decimal is its decimal mark (','
 * or '.'), which settles the forms num_parse refuses as having two readings:
 * with ',' (a file an Excel with a Vietnamese or another decimal-comma
 * locale saved, which is what a ';' delimiter says) "1.463" is 1463 and
 * "1,463" is 1.463.  decimal 0 is num_parse.
 */
int num_parse_decimal(const char *s, size_t len, char decimal, struct num *out, const char **why);

/*
 * Formats v with exactly `decimals` decimals (0..NUM_DECIMALS_MAX) the
 * Vietnamese way: dot groups thousands, comma separates decimals ("1.463",
 * "60,87", "-2.115.025.641", "100,00").  Rounds half away from zero on the
 * shortest decimal that reads back as v, so 0.125 and 2.675 give "0,13" and
 * "2,68"; a value that rounds to zero prints without a sign; NaN and infinities
 * print "nan", "inf", "-inf".  Returns the length as snprintf: the whole length,
 * even when buf (size bytes, NUL-terminated if size > 0) was too small.
 */
int num_format_vi(double v, int decimals, char *buf, size_t size);

/*
 * Formats v like num_format_vi but for machines: no grouping, dot decimal
 * ("1463", "60.87").  Returns the length as snprintf.  Note that with exactly
 * three decimals and 1-3 integer digits ("1.463") the result is a form that
 * num_parse refuses as ambiguous; print four decimals to feed such a value back.
 */
int num_format_plain(double v, int decimals, char *buf, size_t size);

#endif
