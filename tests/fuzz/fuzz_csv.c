/* Fuzz target: the CSV reader (officers' files); reads every record to the end. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FILE *fp;
	struct csv_reader *r;
	struct csv_record rec;
	int got, guard = 0;

	if (size == 0 || (fp = fmemopen((void *)data, size, "rb")) == NULL)
		return 0;
	r = csv_reader_new(fp, "fuzz.csv");
	while (r && (got = csv_next(r, &rec)) != 0 && guard++ < 100000) {
		if (got < 0)
			continue;
		if (rec.nfields > CSV_FIELDS_MAX)
			abort();
		for (size_t i = 0; i < rec.nfields; i++)
			if (strlen(rec.fields[i]) != rec.lens[i] || rec.lens[i] > CSV_FIELD_MAX ||
			    !csv_utf8_valid(rec.fields[i], rec.lens[i]))
				abort();
	}
	csv_reader_destroy(&r);
	fclose(fp);
	return 0;
}
