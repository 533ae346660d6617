/*
 * Fuzz target for collectors/xlsx.c: opens arbitrary bytes as a workbook and
 * reads every record.  The reader must end, refuse what it cannot read with
 * "name: ..." (never crash, never read past a limit), and hand out only
 * bounded, valid UTF-8, NUL-free fields with correct lengths, the header
 * first, rows in increasing order.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xlsx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NAME "fuzz.xlsx"
/* Parts inflate to at most 1 MiB here: the limit is reached in milliseconds, not seconds. */
#define FUZZ_PART_MAX (1u << 20)

static void check(int ok)
{
	if (!ok)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[2048];
	struct csv_record rec;
	long last = 0;
	int got;
	struct xlsx_reader *x = xlsx_open(NULL, data, size, NAME, FUZZ_PART_MAX, err, sizeof err);

	if (!x) {
		check(strncmp(err, NAME ": ", strlen(NAME ": ")) == 0);
		return 0;
	}
	while ((got = xlsx_next(x, &rec)) != 0) {
		check(got == 1 || got == -1);
		if (got < 0) {
			check(strncmp(xlsx_error(x), NAME ": ", strlen(NAME ": ")) == 0);
			check(rec.nfields == 0);
			continue;
		}
		check(xlsx_error(x)[0] == '\0');
		/* a template's header carries its header row, which its rows follow */
		check(rec.line > last || (last == 0 && rec.line >= 0));
		last = rec.line;
		check(rec.nfields >= 1 && rec.nfields <= CSV_FIELDS_MAX);
		for (size_t i = 0; i < rec.nfields; i++) {
			check(rec.lens[i] == strlen(rec.fields[i]));
			check(rec.lens[i] <= CSV_FIELD_MAX);
			check(csv_utf8_valid(rec.fields[i], rec.lens[i]));
		}
		char where[512];
		xlsx_where(x, rec.line, (int)rec.nfields - 1, where, sizeof where);
		check(where[0] != '\0');
	}
	check(xlsx_next(x, &rec) == 0);
	xlsx_destroy(&x);
	return 0;
}
