/*
 * utf8: strict decoding and the unsafe code points (see utf8.h).
 */
#include "utf8.h"

size_t utf8_char_len(const unsigned char *s, size_t len, uint32_t *cp)
{
	uint32_t c, min;
	size_t n;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, c = s[0] & 0x1fu, min = 0x80;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, c = s[0] & 0x0fu, min = 0x800;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, c = s[0] & 0x07u, min = 0x10000;
	else
		return 0;
	if (len < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0u) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3fu);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

bool utf8_unsafe(uint32_t cp)
{
	return cp < 0x20 ||			 /* C0 controls */
	       (cp >= 0x7f && cp <= 0x9f) ||	 /* DEL, C1 controls (0x9b is CSI) */
	       cp == 0x200e || cp == 0x200f ||	 /* left-to-right, right-to-left marks */
	       cp == 0x2028 || cp == 0x2029 ||	 /* line and paragraph separators */
	       (cp >= 0x202a && cp <= 0x202e) || /* bidirectional embeddings, overrides */
	       (cp >= 0x2066 && cp <= 0x2069);	 /* bidirectional isolates */
}
