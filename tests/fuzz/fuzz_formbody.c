/*
 * Fuzz target for formbody: arbitrary bytes as the body of a POST to the
 * officer's form.  Whatever is accepted has at most FORMBODY_FIELDS_MAX
 * fields, each name and value valid UTF-8 of at most FORMBODY_TEXT_MAX bytes
 * without control characters; a refusal comes with a reason.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "formbody.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The checks must hold in every build type, so they do not use assert. */
static void check(bool ok)
{
	if (!ok)
		abort();
}

static void check_text(const char *s)
{
	size_t len = strlen(s);
	check(len <= FORMBODY_TEXT_MAX);
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t n = utf8_char_len((const unsigned char *)s + i, len - i, &cp);
		check(n > 0 && !utf8_unsafe(cp));
		i += n;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[128] = "";
	struct formbody *f = formbody_parse((const char *)data, size, err, sizeof err);

	if (!f) {
		check(err[0] != '\0');
		return 0;
	}
	check(formbody_count(f) <= FORMBODY_FIELDS_MAX);
	for (size_t i = 0; i < formbody_count(f); i++) {
		check_text(formbody_name(f, i));
		check_text(formbody_value(f, i));
		check(formbody_get(f, formbody_name(f, i)) != NULL);
	}
	formbody_destroy(&f);
	return 0;
}
