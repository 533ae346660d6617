/*
 * jscan: where the "value" number of each row of a BATCH body is written, as
 * bytes of the body.
 *
 * The number rule (num_json_literal) is applied to a value's JSON literal as
 * sent, and jansson keeps only a long long or a double of it: 1e300 and
 * 0.1234567890123456 are gone by the time batch.c sees them.  So the body,
 * once jansson has accepted it, is scanned again here for the literals.  The
 * scan trusts nothing: on text that is not what it expects it stops with -1,
 * and it never reads outside body[0..len) nor recurses deeper than
 * JSCAN_MAX_DEPTH.
 */
#ifndef CHISO_JSCAN_H
#define CHISO_JSCAN_H

#include <stddef.h>

/* Nesting the scan follows at most; deeper text is refused (wire.c allows 4). */
#define JSCAN_MAX_DEPTH 32

/* A literal as bytes body[off .. off + len); len 0: none. */
struct jscan_span {
	size_t off, len;
};

/*
 * For each element i < n of the array under the key "rows" of the top-level
 * object, spans[i] is the literal of the element's "value" member when the
 * element is an object and that member is a JSON number, else {0, 0}.  Keys
 * are compared after their escapes are decoded ("\u0076alue" is "value"), as
 * jansson does.  Returns the number of elements of "rows" (0 if there is no
 * such array), or -1 if body is not well-formed JSON of that shape.
 */
long jscan_row_values(const char *body, size_t len, struct jscan_span *spans, size_t n);

#endif
