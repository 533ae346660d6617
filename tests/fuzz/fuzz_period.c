/* Fuzz target: period identifiers and dates; parse, format, ranges and the way back. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "period.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct period p, q;
	const char *why;
	char id[PERIOD_ID_MAX];
	int32_t day;

	if (period_parse((const char *)data, size, &p, &why) == 0) {
		period_format(&p, id, sizeof id);
		if (strlen(id) != size || memcmp(id, data, size) != 0)
			abort();
		for (int cal = CAL_STATISTICAL; cal <= CAL_ADMINISTRATIVE; cal++) {
			int32_t first, last;
			period_range(&p, (enum period_calendar)cal, &first, &last);
			if (first > last)
				abort();
			period_of_date(first, p.type, (enum period_calendar)cal, &q);
			if (period_cmp(&p, &q) != 0)
				abort();
			period_of_date(last, p.type, (enum period_calendar)cal, &q);
			if (period_cmp(&p, &q) != 0)
				abort();
		}
	}
	if (date_parse((const char *)data, size, &day, &why) == 0) {
		char buf[16];
		date_format(day, buf, sizeof buf);
	}
	return 0;
}
