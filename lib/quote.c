/*
 * quote: untrusted input cut and cleaned before a message repeats it (see
 * quote.h).  The decoder (utf8.c) is deliberately strict: overlong forms,
 * surrogates and code points past U+10FFFF are not characters, so they are
 * shown as '?' like any other broken byte.
 */
#include "quote.h"

#include <stdint.h>
#include <string.h>

#include "utf8.h"

/* Length of the printable UTF-8 character at s, or 0 if it is not one. */
static size_t quote_char_len(const unsigned char *s, size_t len)
{
	uint32_t cp;
	size_t n = utf8_char_len(s, len, &cp);

	return n > 0 && !utf8_unsafe(cp) ? n : 0;
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
