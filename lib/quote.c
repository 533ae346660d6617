/*
 * quote: untrusted input cut and cleaned before a message repeats it (see
 * quote.h).  The UTF-8 decoder here is deliberately strict: overlong forms,
 * surrogates and code points past U+10FFFF are not characters, so they are
 * shown as '?' like any other broken byte.
 */
#include "quote.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* Code points that must not reach a terminal or a log line as they are. */
static bool quote_unsafe(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x200e || cp == 0x200f ||
	       (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

/* Length of the printable UTF-8 character at s, or 0 if it is not one. */
static size_t quote_char_len(const unsigned char *s, size_t len)
{
	uint32_t cp, min;
	size_t n;

	if (s[0] < 0x80)
		return quote_unsafe(s[0]) ? 0 : 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2, cp = s[0] & 0x1f, min = 0x80;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3, cp = s[0] & 0x0f, min = 0x800;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4, cp = s[0] & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (len < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) || quote_unsafe(cp))
		return 0;
	return n;
}

char *quote_text(char *buf, size_t size, const char *s, size_t len, size_t max)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, o = 0;

	if (size == 0)
		return buf;
	/* Room for "..." and the NUL is kept back so a cut can always be marked. */
	if (size < 4) {
		buf[0] = '\0';
		return buf;
	}
	if (max > size - 4)
		max = size - 4;
	while (i < len) {
		size_t n = quote_char_len(u + i, len - i);
		size_t w = n ? n : 1;

		if (o + w > max) {
			memcpy(buf + o, "...", 3);
			o += 3;
			break;
		}
		if (n)
			memcpy(buf + o, u + i, n);
		else
			buf[o] = '?';
		o += w;
		i += w;
	}
	buf[o] = '\0';
	return buf;
}
