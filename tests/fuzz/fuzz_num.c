/* Fuzz target: the number parser.  The canonical text is what PostgreSQL reads: it
 * must hold the same value, and read back by the parser it is either the same text
 * or refused as ambiguous ("2.1240" becomes "2.124", which a person could misread). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "num.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct num n, again;
	const char *why;

	if (num_parse((const char *)data, size, &n, &why) != 0)
		return 0;
	if (strtod(n.text, NULL) != n.value || strspn(n.text, "-0123456789.") != strlen(n.text))
		abort();
	if (num_parse(n.text, strlen(n.text), &again, &why) == 0 ? strcmp(n.text, again.text) != 0
								 : strstr(why, "ambiguous") == NULL)
		abort();
	char buf[64];
	num_format_vi(n.value, 2, buf, sizeof buf);
	num_format_plain(n.value, 2, buf, sizeof buf);
	return 0;
}
