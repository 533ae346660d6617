/*
 * num: parse numbers as people type them, print them the Vietnamese way.
 *
 * The parser splits the text into digit runs and separators and accepts only
 * arrangements with a single reading (the table in num.h).  A lone dot or
 * comma followed by exactly three digits after one to three digits is the one
 * arrangement that Vietnamese and English conventions read differently, so it
 * is refused with a message saying what to write.  Messages quote the input
 * and live in a thread-local buffer until the next call in the same thread.
 */
#include "num.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define NUM_MAX_DIGITS 15
#define NUM_MAX_PARTS  16

static _Thread_local char num_msg[200];

static int num_refuse(const char *s, size_t len, const char *what, const char **why)
{
	snprintf(num_msg, sizeof num_msg, "\"%.*s\": %s", (int)(len > 40 ? 40 : len), s, what);
	*why = num_msg;
	return -1;
}

/* Length of a separator at s (1 for . , and space, 2 for U+00A0, 3 for U+202F), 0 if none. */
static size_t num_sep(const char *s, const char *end, char *kind)
{
	if (*s == '.' || *s == ',') {
		*kind = *s;
		return 1;
	}
	if (*s == ' ') {
		*kind = ' ';
		return 1;
	}
	if (end - s >= 2 && (unsigned char)s[0] == 0xC2 && (unsigned char)s[1] == 0xA0) {
		*kind = ' ';
		return 2;
	}
	if (end - s >= 3 && (unsigned char)s[0] == 0xE2 && (unsigned char)s[1] == 0x80 &&
	    (unsigned char)s[2] == 0xAF) {
		*kind = ' ';
		return 3;
	}
	return 0;
}

/* A grouped integer: first run 1-3 digits, every later run exactly 3. */
static int num_grouped(const size_t *runs, size_t n)
{
	if (runs[0] < 1 || runs[0] > 3)
		return 0;
	for (size_t i = 1; i < n; i++)
		if (runs[i] != 3)
			return 0;
	return 1;
}

int num_parse(const char *s, size_t len, struct num *out, const char **why)
{
	const char *p = s, *end = s + len;
	const char *run[NUM_MAX_PARTS];
	size_t runlen[NUM_MAX_PARTS], nruns = 0;
	char sep[NUM_MAX_PARTS];
	size_t nsep = 0;
	int negative = 0;

	memset(out, 0, sizeof *out);
	while (p < end && isspace((unsigned char)*p))
		p++;
	while (end > p && isspace((unsigned char)end[-1]))
		end--;
	s = p;
	len = (size_t)(end - p);
	if (len == 0)
		return num_refuse(s, len, "empty value", why);
	if (end[-1] == '%')
		return num_refuse(s, len,
				  "percentages are computed by chiso: send the numerator and the "
				  "denominator instead",
				  why);
	if ((len >= 3 && (strncasecmp(s, "nan", 3) == 0 || strncasecmp(s, "inf", 3) == 0)) ||
	    (len >= 4 && (strncasecmp(s + 1, "nan", 3) == 0 || strncasecmp(s + 1, "inf", 3) == 0)))
		return num_refuse(s, len, "not a number", why);
	if (*p == '-' || *p == '+') {
		negative = *p == '-';
		p++;
	}
	if (p < end && *p == '0' && end - p > 1 && (p[1] == 'x' || p[1] == 'X'))
		return num_refuse(s, len, "hexadecimal numbers are not accepted", why);
	while (p < end) {
		const char *q = p;
		char kind;
		size_t sl;
		while (q < end && *q >= '0' && *q <= '9')
			q++;
		if (q == p) {
			if (*p == 'e' || *p == 'E')
				return num_refuse(s, len,
						  "exponent notation is not accepted: write the "
						  "number in full",
						  why);
			if (num_sep(p, end, &kind))
				return num_refuse(s, len, "misplaced separator", why);
			return num_refuse(s, len, "not a number", why);
		}
		if (nruns == NUM_MAX_PARTS)
			return num_refuse(s, len, "too many digits", why);
		run[nruns] = p;
		runlen[nruns++] = (size_t)(q - p);
		p = q;
		if (p == end)
			break;
		if ((sl = num_sep(p, end, &kind)) == 0) {
			if (*p == 'e' || *p == 'E')
				return num_refuse(s, len,
						  "exponent notation is not accepted: write the "
						  "number in full",
						  why);
			return num_refuse(s, len, "not a number", why);
		}
		sep[nsep++] = kind;
		p += sl;
		if (p == end)
			return num_refuse(s, len, "misplaced separator", why);
	}
	if (nruns == 0)
		return num_refuse(s, len, "not a number", why);

	/* Decide which runs are the integer part and which, if any, the fraction. */
	size_t nint = nruns;
	int has_frac = 0;
	if (nsep == 1) {
		if (sep[0] == ' ') {
			if (!num_grouped(runlen, nruns))
				return num_refuse(s, len, "digits grouped wrongly", why);
		} else if (runlen[1] == 3 && runlen[0] <= 3 && !(run[0][0] == '0')) {
			snprintf(
			    num_msg, sizeof num_msg,
			    "ambiguous number \"%.*s\": write %.*s%.*s for the whole number, or "
			    "%.*s%c%.*s0 for a decimal",
			    (int)(len > 40 ? 40 : len), s, (int)runlen[0], run[0], (int)runlen[1],
			    run[1], (int)runlen[0], run[0], sep[0], (int)runlen[1], run[1]);
			*why = num_msg;
			return -1;
		} else {
			nint = 1;
			has_frac = 1;
		}
	} else if (nsep > 1) {
		char last = sep[nsep - 1];
		int same = 1;
		for (size_t i = 0; i < nsep; i++)
			same &= sep[i] == sep[0];
		if (same) {
			if (!num_grouped(runlen, nruns))
				return num_refuse(s, len, "digits grouped wrongly", why);
		} else {
			/* The last separator is the decimal one; the others group thousands. */
			for (size_t i = 0; i + 1 < nsep; i++)
				if (sep[i] != sep[0] || sep[i] == last)
					return num_refuse(s, len, "mixed separators", why);
			if (last == ' ')
				return num_refuse(s, len, "mixed separators", why);
			if (!num_grouped(runlen, nruns - 1))
				return num_refuse(s, len, "digits grouped wrongly", why);
			nint = nruns - 1;
			has_frac = 1;
		}
	}

	/* Canonical text: integer digits without leading zeros, fraction without trailing. */
	char digits[64];
	size_t nd = 0, sig = 0;
	for (size_t i = 0; i < nint; i++)
		for (size_t k = 0; k < runlen[i]; k++)
			if (nd || run[i][k] != '0') {
				if (nd >= 40)
					return num_refuse(s, len, "too many digits", why);
				digits[nd++] = run[i][k];
			}
	sig = nd;
	const char *frac = has_frac ? run[nruns - 1] : "";
	size_t nfrac = has_frac ? runlen[nruns - 1] : 0;
	while (nfrac && frac[nfrac - 1] == '0')
		nfrac--;
	if (nd == 0) {
		size_t lead = 0;
		while (lead < nfrac && frac[lead] == '0')
			lead++;
		sig = nfrac - lead;
	} else {
		sig += nfrac;
	}
	if (sig > NUM_MAX_DIGITS)
		return num_refuse(s, len, "too many digits (at most 15 significant digits)", why);
	int zero = nd == 0 && nfrac == 0;
	int n =
	    snprintf(out->text, sizeof out->text, "%s%.*s%s%s%.*s", negative && !zero ? "-" : "",
		     (int)nd, digits, nd ? "" : "0", nfrac ? "." : "", (int)nfrac, frac);
	if (n < 0 || (size_t)n >= sizeof out->text)
		return num_refuse(s, len, "too many digits", why);
	out->integer = nfrac == 0;
	out->value = strtod(out->text, NULL);
	return 0;
}

/* Rounds |v| half away from zero to decimals digits as an integer count of units. */
static int num_scaled(double v, int decimals, unsigned long long *units)
{
	double scaled = fabs(v) * pow(10.0, decimals);
	if (!isfinite(scaled) || scaled >= 9007199254740992.0) /* 2^53 */
		return -1;
	*units = (unsigned long long)llround(scaled);
	return 0;
}

static int num_format(double v, int decimals, char group, char point, char *buf, size_t size)
{
	unsigned long long units, pow10 = 1;
	char intdigits[32], out[96];
	size_t o = 0;

	if (decimals < 0)
		decimals = 0;
	if (decimals > 9)
		decimals = 9;
	if (num_scaled(v, decimals, &units) < 0) {
		/* Beyond exact integers: let printf round, without grouping. */
		return snprintf(buf, size, "%.*f", decimals, v);
	}
	for (int i = 0; i < decimals; i++)
		pow10 *= 10;
	unsigned long long ip = units / pow10, fp = units % pow10;
	int nint = snprintf(intdigits, sizeof intdigits, "%llu", ip);
	if (v < 0 && units != 0)
		out[o++] = '-';
	for (int i = 0; i < nint; i++) {
		if (group && i > 0 && (nint - i) % 3 == 0)
			out[o++] = group;
		out[o++] = intdigits[i];
	}
	if (decimals > 0) {
		out[o++] = point;
		o += (size_t)snprintf(out + o, sizeof out - o, "%0*llu", decimals, fp);
	}
	out[o] = '\0';
	return snprintf(buf, size, "%s", out);
}

int num_format_vi(double v, int decimals, char *buf, size_t size)
{
	return num_format(v, decimals, '.', ',', buf, size);
}

int num_format_plain(double v, int decimals, char *buf, size_t size)
{
	return num_format(v, decimals, 0, '.', buf, size);
}
