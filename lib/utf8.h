/*
 * utf8: the one strict UTF-8 decoder, and the one list of code points that
 * must not reach a person's screen as they are.
 *
 * Quoted input (quote.c), log lines (log.c) and batch notes (batch.c) all
 * decide "is this a character, and may it be shown" with these two
 * functions, so that a character one of them lets through the others do too.
 * The CSV reader keeps a byte-at-a-time form of the same rules because it
 * sees a sequence across reads; its csv_utf8_valid() check uses this one.
 */
#ifndef CHISO_UTF8_H
#define CHISO_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The length (1 to 4, at most len) of the well-formed UTF-8 character at s, its
 * code point in *cp; 0 if s[0] does not start one: a stray continuation byte, a
 * truncated sequence, an overlong form, a surrogate, a code point past U+10FFFF
 * or a 5- or 6-byte lead.  len must be at least 1.
 */
size_t utf8_char_len(const unsigned char *s, size_t len, uint32_t *cp);

/*
 * True for a code point that must not reach a terminal or a log line as it is:
 * C0 controls, DEL, C1 controls, the left-to-right and right-to-left marks, the
 * line and paragraph separators, and the bidirectional embeddings, overrides
 * and isolates (each can make a line read as something it is not).
 */
bool utf8_unsafe(uint32_t cp);

#endif
