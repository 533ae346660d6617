/*
 * Fuzz target for formcheck: arbitrary bytes as the body of a POST to the
 * form's /api/check, checked against the shipped catalogue.  Whatever the
 * body, the answer is JSON with "fields" and "ratios"; each field is a good
 * figure (its value) or a flag with a code and a message that is not empty.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "formbody.h"
#include "formcheck.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The checks must hold in every build type, so they do not use assert. */
static void check(bool ok)
{
	if (!ok)
		abort();
}

/* The shipped config/catalog.conf ($CHISO_SOURCE_DIR, else the tree this file is in), once. */
static const struct catalog *shipped(void)
{
	static struct catalog *cat;
	char path[4096], err[512];

	if (!cat) {
		const char *src = getenv("CHISO_SOURCE_DIR");
		snprintf(path, sizeof path, "%s/tests/fuzz/", src ? src : "");
		if (!src)
			snprintf(path, sizeof path, "%s", __FILE__); /* absolute under cmake */
		char *cut = strstr(path, "tests/fuzz/");
		check(cut != NULL);
		snprintf(cut, sizeof path - (size_t)(cut - path), "config/catalog.conf");
		cat = catalog_load(path, err, sizeof err);
		if (!cat)
			fprintf(stderr, "%s\n", err);
		check(cat != NULL);
	}
	return cat;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[128];
	struct formbody *b = formbody_parse((const char *)data, size, err, sizeof err);

	if (!b)
		return 0;
	char *out = formcheck_json(shipped(), "21298", b, NULL);
	check(out != NULL);
	json_t *o = json_loads(out, 0, NULL);
	check(o != NULL && json_is_object(json_object_get(o, "ratios")));
	const char *code;
	json_t *f;
	json_object_foreach(json_object_get(o, "fields"), code, f)
	{
		const char *msg = json_string_value(json_object_get(f, "message"));
		check(json_is_string(json_object_get(f, "value")) ||
		      (json_is_string(json_object_get(f, "code")) && msg && *msg));
	}
	json_decref(o);
	free(out);
	formbody_destroy(&b);
	return 0;
}
