/*
 * jscan: a small JSON scanner that finds the rows' "value" literals of a
 * BATCH body (see jscan.h).
 *
 * It is a recursive descent over the JSON grammar that only moves a cursor:
 * strings, numbers and the literals true, false and null are stepped over,
 * objects and arrays entered.  Only the top-level "rows" array and the
 * members of its objects are looked at closer.  Every step checks the end of
 * the buffer first, so any input, well-formed or not, ends in a bounded time
 * with a result or -1.
 */
#include "jscan.h"

#include <stdbool.h>
#include <string.h>

struct jscan {
	const char *p, *end;
	const char *base;
};

static void jscan_ws(struct jscan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
		s->p++;
}

static bool jscan_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int jscan_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Steps over the string at the cursor (which is at its opening quote) and
 * says whether its decoded text is the ASCII word `want` (NULL: no
 * comparison).  0, or -1 if it is no well-formed string.
 */
static int jscan_string(struct jscan *s, const char *want, bool *same)
{
	size_t at = 0, wlen = want ? strlen(want) : 0;
	bool match = want != NULL;

	if (s->p >= s->end || *s->p != '"')
		return -1;
	s->p++;
	while (s->p < s->end && *s->p != '"') {
		unsigned code;
		if (*s->p == '\\') {
			if (s->end - s->p < 2)
				return -1;
			char e = s->p[1];
			s->p += 2;
			if (e == 'u') {
				code = 0;
				for (int k = 0; k < 4; k++) {
					int h = s->p < s->end ? jscan_hex(*s->p) : -1;
					if (h < 0)
						return -1;
					code = code << 4 | (unsigned)h;
					s->p++;
				}
			} else {
				static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
				const char *k = e ? strchr(from, e) : NULL;
				if (!k)
					return -1;
				code = (unsigned char)to[k - from];
			}
		} else {
			if ((unsigned char)*s->p < 0x20)
				return -1;
			code = (unsigned char)*s->p++;
		}
		/* Non-ASCII never equals an ASCII word, whatever its encoding. */
		match = match && at < wlen && code < 0x80 && (char)code == want[at];
		at++;
	}
	if (s->p >= s->end)
		return -1;
	s->p++; /* the closing quote */
	if (same)
		*same = match && at == wlen;
	return 0;
}

/* Steps over the number at the cursor into *span; 0, or -1 if it is none. */
static int jscan_number(struct jscan *s, struct jscan_span *span)
{
	const char *start = s->p;

	if (s->p < s->end && *s->p == '-')
		s->p++;
	if (s->p >= s->end || !jscan_digit(*s->p))
		return -1;
	if (*s->p == '0') /* JSON: no leading zeros, "0521" is no number */
		s->p++;
	else
		while (s->p < s->end && jscan_digit(*s->p))
			s->p++;
	if (s->p < s->end && *s->p == '.') {
		s->p++;
		if (s->p >= s->end || !jscan_digit(*s->p))
			return -1;
		while (s->p < s->end && jscan_digit(*s->p))
			s->p++;
	}
	if (s->p < s->end && (*s->p == 'e' || *s->p == 'E')) {
		s->p++;
		if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
			s->p++;
		if (s->p >= s->end || !jscan_digit(*s->p))
			return -1;
		while (s->p < s->end && jscan_digit(*s->p))
			s->p++;
	}
	span->off = (size_t)(start - s->base);
	span->len = (size_t)(s->p - start);
	return 0;
}

static int jscan_value(struct jscan *s, int depth);

/*
 * Steps over the object at the cursor.  If want is set, the number under the
 * key want (if any) goes into *span.
 */
static int jscan_object(struct jscan *s, int depth, const char *want, struct jscan_span *span)
{
	if (depth > JSCAN_MAX_DEPTH || s->p >= s->end || *s->p != '{')
		return -1;
	s->p++;
	jscan_ws(s);
	if (s->p < s->end && *s->p == '}') {
		s->p++;
		return 0;
	}
	for (;;) {
		bool is_want = false;
		jscan_ws(s);
		if (jscan_string(s, want, &is_want) < 0)
			return -1;
		jscan_ws(s);
		if (s->p >= s->end || *s->p != ':')
			return -1;
		s->p++;
		jscan_ws(s);
		if (is_want && s->p < s->end && (*s->p == '-' || jscan_digit(*s->p))) {
			if (jscan_number(s, span) < 0)
				return -1;
		} else if (jscan_value(s, depth + 1) < 0) {
			return -1;
		}
		jscan_ws(s);
		if (s->p >= s->end)
			return -1;
		if (*s->p == '}') {
			s->p++;
			return 0;
		}
		if (*s->p++ != ',')
			return -1;
	}
}

/*
 * Steps over the array at the cursor.  With spans, element i < n that is an
 * object gets its "value" number into spans[i]; *count is the elements seen.
 */
static int jscan_array(struct jscan *s, int depth, struct jscan_span *spans, size_t n, long *count)
{
	long i = 0;

	if (depth > JSCAN_MAX_DEPTH || s->p >= s->end || *s->p != '[')
		return -1;
	s->p++;
	jscan_ws(s);
	if (s->p < s->end && *s->p == ']') {
		s->p++;
		return 0;
	}
	for (;; i++) {
		jscan_ws(s);
		bool row = spans && (size_t)i < n && s->p < s->end && *s->p == '{';
		if (row ? jscan_object(s, depth + 1, "value", &spans[i]) < 0
			: jscan_value(s, depth + 1) < 0)
			return -1;
		jscan_ws(s);
		if (s->p >= s->end)
			return -1;
		if (*s->p == ']') {
			s->p++;
			if (count)
				*count = i + 1;
			return 0;
		}
		if (*s->p++ != ',')
			return -1;
	}
}

/* Steps over the literal word at the cursor. */
static int jscan_word(struct jscan *s, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(s->end - s->p) < n || memcmp(s->p, word, n) != 0)
		return -1;
	s->p += n;
	return 0;
}

static int jscan_value(struct jscan *s, int depth)
{
	struct jscan_span ignored;

	if (s->p >= s->end)
		return -1;
	switch (*s->p) {
	case '{':
		return jscan_object(s, depth, NULL, NULL);
	case '[':
		return jscan_array(s, depth, NULL, 0, NULL);
	case '"':
		return jscan_string(s, NULL, NULL);
	case 't':
		return jscan_word(s, "true");
	case 'f':
		return jscan_word(s, "false");
	case 'n':
		return jscan_word(s, "null");
	default:
		return jscan_number(s, &ignored);
	}
}

long jscan_row_values(const char *body, size_t len, struct jscan_span *spans, size_t n)
{
	struct jscan s = {body, body + len, body};
	long rows = 0;

	for (size_t i = 0; i < n; i++)
		spans[i] = (struct jscan_span){0, 0};
	jscan_ws(&s);
	if (s.p >= s.end || *s.p != '{')
		return -1;
	s.p++;
	jscan_ws(&s);
	if (s.p < s.end && *s.p == '}') {
		s.p++;
	} else {
		for (;;) {
			bool is_rows = false;
			jscan_ws(&s);
			if (jscan_string(&s, "rows", &is_rows) < 0)
				return -1;
			jscan_ws(&s);
			if (s.p >= s.end || *s.p != ':')
				return -1;
			s.p++;
			jscan_ws(&s);
			if (is_rows && s.p < s.end && *s.p == '[') {
				if (jscan_array(&s, 1, spans, n, &rows) < 0)
					return -1;
			} else if (jscan_value(&s, 1) < 0) {
				return -1;
			}
			jscan_ws(&s);
			if (s.p >= s.end)
				return -1;
			if (*s.p == '}') {
				s.p++;
				break;
			}
			if (*s.p++ != ',')
				return -1;
		}
	}
	jscan_ws(&s);
	return s.p == s.end ? rows : -1;
}
