/* Fuzz target: BATCH and ACK bodies (what chisod and the agent read from the network).
 * A decoded batch must encode and decode again to the same rows. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct batch *b = NULL, *again = NULL;
	struct batch_ack a;
	char err[256];

	if (batch_decode((const char *)data, size, &wire_default_limits, &b, err, sizeof err) ==
	    0) {
		char *json = batch_encode(b);
		if (json && batch_decode(json, strlen(json), &wire_default_limits, &again, err,
					 sizeof err) == 0) {
			if (again->nrows != b->nrows)
				abort();
			for (size_t i = 0; i < b->nrows; i++)
				if (!b->rows[i].reason &&
				    (again->rows[i].reason ||
				     strcmp(b->rows[i].value.text, again->rows[i].value.text) != 0))
					abort();
		}
		free(json);
	}
	batch_destroy(&b);
	batch_destroy(&again);
	if (batch_ack_decode((const char *)data, size, &wire_default_limits, &a, err, sizeof err) ==
	    0)
		batch_ack_clear(&a);
	return 0;
}
