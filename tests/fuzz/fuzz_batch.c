/*
 * Fuzz target for batch.c.  The bytes are decoded as a BATCH; a batch that
 * decodes is encoded and decoded again, and every row that was accepted the
 * first time must come back identical (the canonical value text is a fixed
 * point).  The same bytes are then decoded as an ACK, with the same round trip.
 * They are also scanned by jscan alone: every literal it reports lies inside
 * the input and is a JSON number to num_json_literal.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "jscan.h"
#include "num.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool same_row(const struct batch_row *x, const struct batch_row *y)
{
	return !y->reason && strcmp(x->unit, y->unit) == 0 &&
	       strcmp(x->indicator, y->indicator) == 0 && strcmp(x->period, y->period) == 0 &&
	       strcmp(x->date, y->date) == 0 && strcmp(x->value.text, y->value.text) == 0 &&
	       x->value.integer == y->value.integer && x->value.value == y->value.value &&
	       x->qualifier == y->qualifier && strcmp(x->ref, y->ref) == 0;
}

static void batch_round_trip(const char *body, size_t len)
{
	/* The re-encoding may be longer than the input (escapes, defaults). */
	struct wire_limits big = wire_default_limits;
	struct batch *a = NULL, *b = NULL;
	char err[256];

	big.max_body = SIZE_MAX;
	if (batch_decode(body, len, NULL, &a, err, sizeof err) != 0) {
		if (a || err[0] == '\0')
			abort();
		return;
	}
	for (size_t i = 0; i < a->nrows; i++)
		if (a->rows[i].reason && a->rows[i].message[0] == '\0')
			abort();
	/* What jansson accepted, jscan reads alike: no value is lost to "could not be read". */
	if (jscan_row_values(body, len, NULL, 0) != (long)a->nrows)
		abort();
	char *text = batch_encode(a);
	if (!text || batch_decode(text, strlen(text), &big, &b, err, sizeof err) != 0 ||
	    a->epoch != b->epoch || a->seq != b->seq || a->nrows != b->nrows)
		abort();
	for (size_t i = 0; i < a->nrows; i++)
		if (!a->rows[i].reason && !same_row(&a->rows[i], &b->rows[i]))
			abort();
	free(text);
	batch_destroy(&a);
	batch_destroy(&b);
}

static bool same_verdicts(const struct batch_verdict *x, const struct batch_verdict *y, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (x[i].row != y[i].row || strcmp(x[i].code, y[i].code) != 0 ||
		    strcmp(x[i].message, y[i].message) != 0)
			return false;
	return true;
}

static void ack_round_trip(const char *body, size_t len)
{
	struct batch_ack a, b;
	char err[256];

	if (batch_ack_decode(body, len, NULL, &a, err, sizeof err) != 0) {
		if (a.rejected || a.flagged || err[0] == '\0')
			abort();
		return;
	}
	char *text = batch_ack_encode(&a);
	if (!text || batch_ack_decode(text, strlen(text), NULL, &b, err, sizeof err) != 0 ||
	    a.epoch != b.epoch || a.seq != b.seq || a.status != b.status ||
	    a.accepted != b.accepted || a.nrejected != b.nrejected || a.nflagged != b.nflagged ||
	    !same_verdicts(a.rejected, b.rejected, a.nrejected) ||
	    !same_verdicts(a.flagged, b.flagged, a.nflagged))
		abort();
	free(text);
	batch_ack_clear(&a);
	batch_ack_clear(&b);
}

static void scan(const char *body, size_t len)
{
	struct jscan_span spans[16];
	long n = jscan_row_values(body, len, spans, 16);

	if (n < -1)
		abort();
	for (long i = 0; i < n && i < 16; i++) {
		struct num v;
		const char *why = NULL;
		if (spans[i].len == 0)
			continue;
		if (spans[i].off > len || spans[i].len > len - spans[i].off)
			abort();
		if (num_json_literal(body + spans[i].off, spans[i].len, &v, &why) < 0 &&
		    why != num_json_rule)
			abort(); /* jscan reported something that is no JSON number */
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	scan((const char *)data, size);
	batch_round_trip((const char *)data, size);
	ack_round_trip((const char *)data, size);
	return 0;
}
