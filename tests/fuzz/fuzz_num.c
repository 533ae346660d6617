/*
 * Fuzz target for num: arbitrary bytes as a number typed in a CSV cell.
 *
 * Whatever parses must print back (num_format_plain, as many decimals as the
 * canonical text but four instead of an ambiguous three) to a form that parses
 * to the same value and text.  Refusals must come with a short message.  The
 * first eight bytes are also taken as a double and printed both ways: the two
 * outputs must agree digit for digit, whatever the buffer size.
 */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "num.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The checks must hold in every build type, so they do not use assert. */
static void check(bool ok)
{
	if (!ok)
		abort();
}

/* The vi form with its grouping dots removed and its comma made a dot. */
static void fuzz_vi_to_plain(const char *vi, char *out)
{
	for (; *vi; vi++)
		if (*vi != '.')
			*out++ = *vi == ',' ? '.' : *vi;
	*out = '\0';
}

static void fuzz_format(double v, int decimals)
{
	char vi[512], plain[512], small[8], undone[512];
	int nvi = num_format_vi(v, decimals, vi, sizeof vi);
	int nplain = num_format_plain(v, decimals, plain, sizeof plain);

	check(nvi > 0 && nplain > 0);
	if ((size_t)nvi >= sizeof vi)
		return; /* 1e308 and the like: only the lengths are checked */
	check(num_format_vi(v, decimals, small, sizeof small) == nvi);
	check(strncmp(small, vi, sizeof small - 1) == 0);
	fuzz_vi_to_plain(vi, undone);
	check(strcmp(undone, plain) == 0);
	check((size_t)nplain == strlen(plain));
}

/*
 * The bytes as a JSON literal under the protocol's rule: what is accepted has
 * a canonical text that reads back to itself, within the rule's 15 + 15 digits.
 */
static void fuzz_json_literal(const char *s, size_t size)
{
	struct num a, b;
	const char *why = NULL;

	if (num_json_literal(s, size, &a, &why) != 0) {
		check(why && why[0]);
		return;
	}
	check(!why && strlen(a.text) <= 33 && isfinite(a.value));
	check(num_json_literal(a.text, strlen(a.text), &b, &why) == 0);
	check(strcmp(a.text, b.text) == 0 && a.value == b.value && a.integer == b.integer);
	check(a.integer == !strchr(a.text, '.'));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data, *why = NULL, *dot;
	struct num a, b;
	char buf[128];
	int decimals;

	if (size >= sizeof(double) + 1) {
		double v;

		memcpy(&v, data, sizeof v);
		fuzz_format(v, data[sizeof v] % (NUM_DECIMALS_MAX + 3) - 1);
	}
	fuzz_json_literal(s, size);
	if (num_parse(s, size, &a, &why) != 0) {
		check(why && why[0] && strlen(why) < 256);
		return 0;
	}
	check(strlen(a.text) < NUM_TEXT_MAX && isfinite(a.value));
	dot = strchr(a.text, '.');
	check(a.integer == !dot);
	decimals = dot ? (int)strlen(dot + 1) : 0;
	if (decimals == 3)
		decimals = 4;
	num_format_plain(a.value, decimals, buf, sizeof buf);
	if (num_parse(buf, strlen(buf), &b, &why) != 0) {
		fprintf(stderr, "\"%s\" from \"%s\" refused: %s\n", buf, a.text, why);
		abort();
	}
	check(b.value == a.value && strcmp(a.text, b.text) == 0);
	fuzz_format(a.value, decimals);
	return 0;
}
