/*
 * quote: a piece of untrusted input made safe to repeat inside a message.
 *
 * Rejection messages quote what the officer typed ("1.463" is ambiguous), and
 * those messages end up in the journal, in the database and on a terminal.  The
 * input may be anything a CSV cell holds, so before it is quoted it is cut to a
 * bounded length and every byte that is not printable UTF-8 (control bytes,
 * broken sequences, C1 controls, bidirectional overrides that could make a log
 * line read backwards) becomes '?'.  Vietnamese text passes through unchanged.
 */
#ifndef CHISO_QUOTE_H
#define CHISO_QUOTE_H

#include <stddef.h>

/* Input bytes a message quotes before cutting with "...". */
#define QUOTE_MAX 40

/*
 * Writes s[0..len) into buf (size bytes, always NUL-terminated when size > 0):
 * printable UTF-8 kept, anything else as '?', cut after at most max bytes of
 * output on a character boundary with "..." appended.  Returns buf, so that the
 * call can be an argument of snprintf.
 */
char *quote_text(char *buf, size_t size, const char *s, size_t len, size_t max);

#endif
