/*
 * num: numbers typed by people, read without guessing the locale, and numbers
 * printed for people and for machines (see num.h for the accepted forms).
 *
 * Parsing runs in two passes over the text after the sign.  The first pass
 * checks that it is digit runs joined by single separators and counts the
 * separators of each kind; from those counts alone it decides which separator,
 * if any, is the decimal one, or that the number has two readings.  The second
 * pass checks the thousands groups and builds the canonical text.  Nothing
 * depends on the process locale: the value comes from strtod on a form with no
 * radix character ("5283e-3"), which every locale reads the same way.
 *
 * Formatting rounds on decimal digits, not on the binary value: it takes the
 * shortest decimal (at most 17 significant digits) that reads back as the same
 * double and rounds that half away from zero.  So 2.675 and 1.005, which a
 * person typed and which are stored as 2.67499.. and 1.00499.., print as 2.68
 * and 1.01 at two decimals, as the person expects.
 */
#include "num.h"
#include "message.h"
#include "quote.h"

#include <assert.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NUM_SIG_MAX  15	 /* significant digits a double keeps exactly */
#define NUM_WHY_SIZE 480 /* longest message: the ambiguous one with words */

/*
 * The messages go to the commune officer (chiso-agent submit) and into a
 * refused row's message: Vietnamese, quoting the input; their texts are in
 * the message table (sql/R_05_messages.sql).
 */

const char num_json_rule[] = "a value has at most 15 significant digits, at most 15 digits "
			     "before the decimal point and 15 after it";
/* An exponent beyond this refuses any non-zero value: saturating keeps it in range. */
#define NUM_EXP_SATURATE 100000

/* Separator kinds.  The space-like ones can only group thousands. */
enum num_sep { SEP_NONE, SEP_DOT, SEP_COMMA, SEP_SPACE, SEP_NBSP, SEP_NNBSP, SEP_NKINDS };

/* What the first pass learned about the text after the sign. */
struct num_shape {
	size_t nsep;		  /* separators in all */
	size_t kind[SEP_NKINDS];  /* separators of each kind */
	enum num_sep last;	  /* the last separator */
	const char *last_at;	  /* where it starts */
	size_t before, after;	  /* digits in the runs either side of it */
	const char *before_start; /* the run before it */
};

/* The parse in progress: the trimmed input for messages, the canonical parts. */
struct num_build {
	const char *in;
	size_t inlen;
	char decimal; /* the decimal mark of the file's locale, or 0 if unknown */
	bool negative;
	char intd[NUM_SIG_MAX + 1]; /* integer digits without leading zeros */
	size_t nint;
	char fracd[NUM_TEXT_MAX]; /* fraction digits up to the last non-zero */
	size_t nfrac, fracseen;
};

static bool num_isspace(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

static bool num_isdigit(char c)
{
	return c >= '0' && c <= '9';
}

static bool num_isalpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* The separator at p and its length in bytes, or SEP_NONE. */
static enum num_sep num_sep_at(const char *p, const char *end, size_t *n)
{
	size_t left = (size_t)(end - p);

	*n = 1;
	if (*p == '.')
		return SEP_DOT;
	if (*p == ',')
		return SEP_COMMA;
	if (*p == ' ')
		return SEP_SPACE;
	if (left >= 2 && memcmp(p, "\xc2\xa0", 2) == 0) {
		*n = 2;
		return SEP_NBSP;
	}
	if (left >= 3 && memcmp(p, "\xe2\x80\xaf", 3) == 0) {
		*n = 3;
		return SEP_NNBSP;
	}
	return SEP_NONE;
}

/* The thread's message buffer for num_parse. */
static char *num_why_buf(void)
{
	static _Thread_local char msg[NUM_WHY_SIZE];

	return msg;
}

/* Sets the thread's message to the text of code (number_invalid or number_ambiguous),
   which quotes the input and gives the reason, and returns -1. */
static int num_frame(const struct num_build *b, const char **why, const char *code,
		     const char *reason)
{
	char q[QUOTE_MAX + 4];

	message_format(num_why_buf(), NUM_WHY_SIZE, code,
		       quote_text(q, sizeof q, b->in, b->inlen, QUOTE_MAX), reason, NULL);
	*why = num_why_buf();
	return -1;
}

/* num_frame with number_invalid and, as the reason, the text of code with the arguments
   after it (NULL-terminated). */
static int num_fail(const struct num_build *b, const char **why, const char *code, ...)
    __attribute__((sentinel));
static int num_fail(const struct num_build *b, const char **why, const char *code, ...)
{
	char reason[NUM_WHY_SIZE];
	va_list ap;

	va_start(ap, code);
	message_vformat(reason, sizeof reason, code, ap);
	va_end(ap);
	return num_frame(b, why, "number_invalid", reason);
}

/*
 * Appends the Vietnamese words for 0 <= n <= 999 to buf.  full: the group
 * follows a thousands group, so that its hundreds and a missing ten are said
 * ("một nghìn không trăm linh năm" for 1005).
 */
static void num_words_999(char *buf, size_t size, int n, bool full)
{
	static const char *const ones[] = {"không", "một", "hai", "ba",	 "bốn",
					   "năm",   "sáu", "bảy", "tám", "chín"};
	size_t len = strlen(buf);
	int h = n / 100, t = n / 10 % 10, u = n % 10;
	const char *sep = len ? " " : "";

	if (h || full) {
		len += (size_t)snprintf(buf + len, size - len, "%s%s trăm", sep, ones[h]);
		sep = " ";
	}
	if (t == 0) {
		if (u && (h || full))
			snprintf(buf + len, size - len, "%slinh %s", sep, ones[u]);
		else if (u || (!h && !full))
			snprintf(buf + len, size - len, "%s%s", sep, ones[u]);
		return;
	}
	/* 15 is "mười lăm", 21 "hai mươi mốt", 25 "hai mươi lăm". */
	len += (size_t)snprintf(buf + len, size - len, "%s%s%s", sep, t == 1 ? "mười" : ones[t],
				t == 1 ? "" : " mươi");
	if (u)
		snprintf(buf + len, size - len, " %s",
			 u == 5		   ? "lăm"
			 : u == 1 && t > 1 ? "mốt"
					   : ones[u]);
}

/*
 * The message for "1.463": both readings spelled out, so that whoever typed it
 * sees at once which form to use for what they meant.
 */
static int num_fail_ambiguous(const struct num_build *b, const char **why,
			      const struct num_shape *sh)
{
	char ip[4], fp[4], words[192] = "", reason[280], thousands[16], comma[16], dot[16];
	const char *sign = b->negative ? "-" : "";
	int n;

	memcpy(ip, sh->before_start, sh->before);
	ip[sh->before] = '\0';
	memcpy(fp, sh->last_at + 1, 3);
	fp[3] = '\0';
	n = atoi(ip) * 1000 + atoi(fp);
	if (b->negative)
		strcat(words, "âm");
	num_words_999(words, sizeof words, n / 1000, false);
	strcat(words, " nghìn");
	if (n % 1000)
		num_words_999(words, sizeof words, n % 1000, true);
	snprintf(thousands, sizeof thousands, "%s%s%s", sign, ip, fp);
	snprintf(comma, sizeof comma, "%s%s,%s0", sign, ip, fp);
	snprintf(dot, sizeof dot, "%s%s.%s0", sign, ip, fp);
	message_format(reason, sizeof reason, "number_readings", thousands, words, comma, dot,
		       NULL);
	return num_frame(b, why, "number_ambiguous", reason);
}

/* The message for a character that has no place in a number. */
static int num_fail_char(const struct num_build *b, const char **why, const char *p,
			 const char *start, const char *end)
{
	if (*p == '%')
		return num_fail(b, why, "number_percent", NULL);
	if ((*p == 'e' || *p == 'E') && p > start && num_isdigit(p[-1]) && p + 1 < end &&
	    (num_isdigit(p[1]) ||
	     ((p[1] == '+' || p[1] == '-') && p + 2 < end && num_isdigit(p[2]))))
		return num_fail(b, why, "number_exponent", NULL);
	if ((*p == 'x' || *p == 'X') && p == start + 1 && *start == '0')
		return num_fail(b, why, "number_hex", NULL);
	if (*p == '+' || *p == '-')
		return p == start ? num_fail(b, why, "number_two_signs", NULL)
				  : num_fail(b, why, "number_sign_first", NULL);
	if (num_isalpha(*p))
		return num_fail(b, why, "number_letter", NULL);
	if (*p > ' ' && *p < 0x7f) {
		char ch[2] = {*p, '\0'};

		return num_fail(b, why, "number_char", ch, NULL);
	}
	return num_fail(b, why, "number_byte", NULL);
}

/* Case-insensitive: is s[0..len) exactly word? */
static bool num_word_is(const char *s, size_t len, const char *word)
{
	if (strlen(word) != len)
		return false;
	for (size_t i = 0; i < len; i++)
		if ((s[i] | 0x20) != word[i])
			return false;
	return true;
}

/* First pass: digit runs joined by single separators; counts the separators. */
static int num_scan(const struct num_build *b, const char **why, const char *start, const char *end,
		    struct num_shape *sh)
{
	const char *p = start, *run = NULL, *prev_run = NULL;
	bool want_digit = true;
	size_t n;

	memset(sh, 0, sizeof *sh);
	while (p < end) {
		enum num_sep k;

		if (num_isdigit(*p)) {
			run = p;
			while (p < end && num_isdigit(*p))
				p++;
			if (sh->nsep > 0 && sh->after == 0)
				sh->after = (size_t)(p - run);
			want_digit = false;
			continue;
		}
		k = num_sep_at(p, end, &n);
		if (k == SEP_NONE)
			return num_fail_char(b, why, p, start, end);
		if (want_digit)
			return num_fail(b, why, "number_separator", NULL);
		prev_run = run;
		sh->nsep++;
		sh->kind[k]++;
		sh->last = k;
		sh->last_at = p;
		sh->before = (size_t)(p - prev_run);
		sh->before_start = prev_run;
		sh->after = 0;
		p += n;
		want_digit = true;
	}
	if (p == start)
		return num_fail(b, why, "number_sign_only", NULL);
	if (want_digit)
		return num_fail(b, why, "number_separator", NULL);
	return 0;
}

/*
 * Decides the decimal separator from the shape: *dec is the last separator's
 * position, or NULL for an integer.  Refuses the forms with two readings.
 */
static int num_decide(const struct num_build *b, const char **why, const struct num_shape *sh,
		      const char **dec)
{
	size_t kinds = 0;

	*dec = NULL;
	for (int k = 0; k < SEP_NKINDS; k++)
		kinds += sh->kind[k] > 0;
	if (sh->nsep == 0)
		return 0;
	if (kinds == 1) {
		if (sh->nsep > 1 || (sh->last != SEP_DOT && sh->last != SEP_COMMA))
			return 0; /* grouping only */
		/* "1.463": a group cannot start with 0, so "0.463" is a decimal. */
		if (sh->after == 3 && sh->before <= 3 && sh->before_start[0] != '0') {
			if (b->decimal == 0)
				return num_fail_ambiguous(b, why, sh);
			/* The file's locale says which reading: the other mark groups. */
			if ((b->decimal == ',') != (sh->last == SEP_COMMA))
				return 0;
		}
		*dec = sh->last_at;
		return 0;
	}
	/* Two kinds: one groups, the last one, written once, separates decimals. */
	if (kinds > 2 || (sh->last != SEP_DOT && sh->last != SEP_COMMA) || sh->kind[sh->last] != 1)
		return num_fail(b, why, "number_mixed_groups", NULL);
	*dec = sh->last_at;
	return 0;
}

/* Second pass: checks the groups and collects the digits of the canonical text. */
static int num_collect(struct num_build *b, const char **why, const char *start, const char *end,
		       const char *dec)
{
	const char *p = start, *intend = dec ? dec : end;
	size_t group = 0, ngroups = 0;
	bool leading = true;

	for (; p < intend; p++) {
		size_t n;

		if (!num_isdigit(*p)) {
			/* A separator in the integer part: close the group before it. */
			if ((ngroups == 0 && (group > 3 || *start == '0')) ||
			    (ngroups > 0 && group != 3))
				goto badgroup;
			ngroups++;
			group = 0;
			num_sep_at(p, end, &n);
			p += n - 1;
			continue;
		}
		group++;
		if (leading && *p == '0')
			continue;
		leading = false;
		if (b->nint == NUM_SIG_MAX)
			return num_fail(b, why, "number_digits", NULL);
		b->intd[b->nint++] = *p;
	}
	if (ngroups > 0 && group != 3)
		goto badgroup;
	if (dec) {
		size_t n;

		num_sep_at(dec, end, &n);
		for (p = dec + n; p < end; p++) {
			b->fracseen++;
			if (*p == '0')
				continue;
			if (b->fracseen >= sizeof b->fracd)
				return num_fail(b, why, "number_decimals", NULL);
			memset(b->fracd + b->nfrac, '0', b->fracseen - 1 - b->nfrac);
			b->fracd[b->fracseen - 1] = *p;
			b->nfrac = b->fracseen;
		}
	}
	return 0;
badgroup:
	return num_fail(b, why, "number_group_size", NULL);
}

/* Writes the canonical text and the value from the collected digits. */
static int num_finish(struct num_build *b, const char **why, struct num *out)
{
	char text[NUM_TEXT_MAX + 24], mant[sizeof b->intd + sizeof b->fracd + 32];
	size_t sig = b->nint + b->nfrac, len;
	bool zero = b->nint == 0 && b->nfrac == 0;

	b->intd[b->nint] = '\0';
	b->fracd[b->nfrac] = '\0';
	if (b->nint == 0)
		sig -= strspn(b->fracd, "0"); /* 0.05 has one significant digit */
	if (sig > NUM_SIG_MAX)
		return num_fail(b, why, "number_digits", NULL);
	/* The protocol's rule (num_json_literal): what the province would refuse is
	   refused here, where the officer can still correct it. */
	if (b->nfrac > NUM_SIG_MAX)
		return num_fail(b, why, "number_decimals_max", NULL);
	len = (size_t)snprintf(text, sizeof text, "%s%s%s%s", b->negative && !zero ? "-" : "",
			       b->nint ? b->intd : "0", b->nfrac ? "." : "", b->fracd);
	if (len >= sizeof out->text)
		return num_fail(b, why, "number_decimals", NULL);
	memcpy(out->text, text, len + 1);
	out->integer = b->nfrac == 0;
	/* No radix character, so no locale can change how strtod reads it. */
	snprintf(mant, sizeof mant, "%s%s%se-%zu", b->negative && !zero ? "-" : "", b->intd,
		 b->fracd, b->nfrac);
	out->value = zero ? 0.0 : strtod(mant, NULL);
	return 0;
}

int num_parse(const char *s, size_t len, struct num *out, const char **why)
{
	return num_parse_decimal(s, len, 0, out, why);
}

int num_parse_decimal(const char *s, size_t len, char decimal, struct num *out, const char **why)
{
	struct num_build b;
	struct num_shape sh;
	const char *start = s, *end = s + len, *dec;

	assert(decimal == 0 || decimal == ',' || decimal == '.');
	memset(&b, 0, sizeof b);
	b.decimal = decimal;
	while (start < end && num_isspace(*start))
		start++;
	while (end > start && num_isspace(end[-1]))
		end--;
	b.in = start;
	b.inlen = (size_t)(end - start);
	if (start == end) {
		message_format(num_why_buf(), NUM_WHY_SIZE, "value_empty", NULL);
		*why = num_why_buf();
		return -1;
	}
	if (*start == '-' || *start == '+')
		b.negative = *start++ == '-';
	if (num_word_is(start, (size_t)(end - start), "nan") ||
	    num_word_is(start, (size_t)(end - start), "inf") ||
	    num_word_is(start, (size_t)(end - start), "infinity"))
		return num_fail(&b, why, "number_not_finite", NULL);
	if (num_scan(&b, why, start, end, &sh) < 0 || num_decide(&b, why, &sh, &dec) < 0 ||
	    num_collect(&b, why, start, end, dec) < 0)
		return -1;
	return num_finish(&b, why, out);
}

/* Output with snprintf's contract: count everything, store what fits. */
struct num_out {
	char *buf;
	size_t size, len;
};

static void num_put(struct num_out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void num_puts(struct num_out *o, const char *s)
{
	while (*s)
		num_put(o, *s++);
}

/*
 * |v| rounded half away from zero to `decimals` places, as the integer
 * |v| * 10^decimals: the digits in r (at most 18 of them) followed by *zeros
 * zeros.
 */
static void num_round(double v, int decimals, char r[20], size_t *zeros)
{
	char tmp[40], d[20];
	size_t nd = 0;
	int e = 0, p, n;

	*zeros = 0;
	if (v == 0) {
		strcpy(r, "0");
		return;
	}
	/* The shortest of 15, 16, 17 digits that reads back as v. */
	for (p = 15; p < 17; p++) {
		snprintf(tmp, sizeof tmp, "%.*e", p - 1, v);
		if (strtod(tmp, NULL) == v)
			break;
	}
	snprintf(tmp, sizeof tmp, "%.*e", p - 1, v);
	/* "d.ddde+XX" with whatever radix character the locale prints. */
	for (const char *t = tmp; *t && *t != 'e'; t++)
		if (num_isdigit(*t))
			d[nd++] = *t;
	e = atoi(strchr(tmp, 'e') + 1);
	n = e + decimals + 1; /* digits of d kept */
	if (n < 0 || (n == 0 && d[0] < '5')) {
		strcpy(r, "0");
		return;
	}
	if (n == 0) {
		strcpy(r, "1");
		return;
	}
	if ((size_t)n >= nd) {
		memcpy(r, d, nd);
		r[nd] = '\0';
		*zeros = (size_t)n - nd;
		return;
	}
	memcpy(r, d, (size_t)n);
	r[n] = '\0';
	if (d[n] >= '5') {
		int i = n - 1;

		while (i >= 0 && r[i] == '9')
			r[i--] = '0';
		if (i >= 0) {
			r[i]++;
		} else {
			memmove(r + 1, r, (size_t)n + 1);
			r[0] = '1';
		}
	}
}

/* The two formatters differ only in the grouping and decimal characters. */
static int num_format(double v, int decimals, char group, char point, char *buf, size_t size)
{
	struct num_out o = {buf, size, 0};
	char r[20];
	size_t zeros, nr, total, nint;

	if (decimals < 0)
		decimals = 0;
	if (decimals > NUM_DECIMALS_MAX)
		decimals = NUM_DECIMALS_MAX;
	if (isnan(v)) {
		num_puts(&o, "nan");
	} else if (isinf(v)) {
		num_puts(&o, v < 0 ? "-inf" : "inf");
	} else {
		num_round(fabs(v), decimals, r, &zeros);
		nr = strlen(r);
		total = nr + zeros;
		if (v < 0 && (nr > 1 || r[0] != '0'))
			num_put(&o, '-');
		nint = total > (size_t)decimals ? total - (size_t)decimals : 0;
		if (nint == 0)
			num_put(&o, '0');
		for (size_t i = 0; i < nint; i++) {
			if (group && i > 0 && (nint - i) % 3 == 0)
				num_put(&o, group);
			num_put(&o, i < nr ? r[i] : '0');
		}
		if (decimals > 0)
			num_put(&o, point);
		for (size_t i = total; i < (size_t)decimals; i++)
			num_put(&o, '0');
		for (size_t i = nint; i < total; i++)
			num_put(&o, i < nr ? r[i] : '0');
	}
	if (size > 0)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int num_format_vi(double v, int decimals, char *buf, size_t size)
{
	return num_format(v, decimals, '.', ',', buf, size);
}

int num_format_plain(double v, int decimals, char *buf, size_t size)
{
	return num_format(v, decimals, '\0', '.', buf, size);
}

/*
 * The significant digits of a JSON literal as they are read: digits[0..nd)
 * without leading or trailing zeros, zeros seen since the last non-zero digit
 * (they count only if another non-zero digit follows), and point, the place
 * of the decimal point counted in digits from the first significant one (the
 * value is 0.d1d2... * 10^point).
 */
struct num_lit {
	char digits[NUM_SIG_MAX + 1];
	size_t nd;
	long long zeros, point;
	bool nonzero, toomany;
};

/* One mantissa digit c, before the point (intpart) or after it. */
static void num_lit_digit(struct num_lit *l, char c, bool intpart)
{
	if (!l->nonzero && c == '0') {
		if (!intpart)
			l->point--; /* 0.00d: the point is further left of d */
		return;
	}
	if (intpart)
		l->point++;
	l->nonzero = true;
	if (c == '0') {
		l->zeros++;
		return;
	}
	if ((long long)l->nd + l->zeros + 1 > NUM_SIG_MAX) {
		l->toomany = true;
		return;
	}
	while (l->zeros > 0) {
		l->digits[l->nd++] = '0';
		l->zeros--;
	}
	l->digits[l->nd++] = c;
}

/* The canonical text of l (non-zero, within the rule) into out->text. */
static void num_lit_text(const struct num_lit *l, bool negative, struct num *out)
{
	char *t = out->text;
	long long nd = (long long)l->nd;

	if (negative)
		*t++ = '-';
	if (l->point <= 0) {
		*t++ = '0';
		*t++ = '.';
		for (long long i = 0; i < -l->point; i++)
			*t++ = '0';
		memcpy(t, l->digits, l->nd);
		t += l->nd;
	} else if (l->point >= nd) {
		memcpy(t, l->digits, l->nd);
		t += l->nd;
		for (long long i = nd; i < l->point; i++)
			*t++ = '0';
	} else {
		memcpy(t, l->digits, (size_t)l->point);
		t += l->point;
		*t++ = '.';
		memcpy(t, l->digits + l->point, (size_t)(nd - l->point));
		t += nd - l->point;
	}
	*t = '\0';
}

int num_json_literal(const char *lit, size_t len, struct num *out, const char **why)
{
	const char *p = lit, *end = lit + len;
	struct num_lit l = {.nd = 0};
	bool negative = false, expneg = false;
	long long exp = 0;

	memset(out, 0, sizeof *out);
	*why = "not a JSON number";
	/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? and nothing else */
	if (p < end && *p == '-') {
		negative = true;
		p++;
	}
	if (p == end || !num_isdigit(*p) || (*p == '0' && p + 1 < end && num_isdigit(p[1])))
		return -1;
	while (p < end && num_isdigit(*p))
		num_lit_digit(&l, *p++, true);
	if (p < end && *p == '.') {
		if (++p == end || !num_isdigit(*p))
			return -1;
		while (p < end && num_isdigit(*p))
			num_lit_digit(&l, *p++, false);
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			expneg = *p++ == '-';
		if (p == end || !num_isdigit(*p))
			return -1;
		while (p < end && num_isdigit(*p)) {
			exp = exp * 10 + (*p++ - '0');
			if (exp > NUM_EXP_SATURATE)
				exp = NUM_EXP_SATURATE;
		}
	}
	if (p != end)
		return -1;
	*why = NULL;
	if (!l.nonzero) { /* -0, 0e5, 0.000: zero */
		snprintf(out->text, sizeof out->text, "0");
		out->integer = true;
		return 0;
	}
	l.point += expneg ? -exp : exp;
	long long nd = (long long)l.nd;
	if (l.toomany || l.point > NUM_SIG_MAX || nd - l.point > NUM_SIG_MAX) {
		*why = num_json_rule;
		return -1;
	}
	num_lit_text(&l, negative, out);
	out->integer = l.point >= nd;
	/* No radix character in this form: every locale reads it alike. */
	char sci[NUM_SIG_MAX + 32];
	snprintf(sci, sizeof sci, "%s%.*se%lld", negative ? "-" : "", (int)l.nd, l.digits,
		 l.point - nd);
	out->value = strtod(sci, NULL);
	return 0;
}
