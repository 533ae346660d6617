/* Fuzz target: the catalogue's JSON form (what an agent receives in CATALOG). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[512];
	struct catalog *c = catalog_from_json((const char *)data, size, err, sizeof err);
	if (c) {
		char *json = catalog_to_json(c);
		struct catalog *again =
		    json ? catalog_from_json(json, strlen(json), err, sizeof err) : NULL;
		if (json && !again)
			abort();
		catalog_destroy(&again);
		free(json);
	}
	catalog_destroy(&c);
	return 0;
}
