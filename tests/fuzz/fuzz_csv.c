/*
 * Fuzz target for lib/csv.c: reads every record of arbitrary bytes and checks
 * what any caller relies on.  The reader must end (every record consumes
 * input), report each error as "name:line: ...", return only bounded, valid
 * UTF-8, NUL-free fields with correct lengths, and refuse any input holding a
 * NUL byte somewhere.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NAME "fuzz.csv"

static void check(int ok)
{
	if (!ok)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* A private copy: fmemopen takes a writable buffer even to read. */
	char *copy = malloc(size + 1);
	FILE *fp = NULL;
	struct csv_reader *r = NULL;
	struct csv_record rec;
	size_t calls = 0;
	long last_line = 0;
	int rc, errors = 0;

	if (copy == NULL)
		return 0;
	memcpy(copy, data, size);
	fp = fmemopen(copy, size, "r");
	if (fp == NULL)
		goto done;
	r = csv_reader_new(fp, NAME);
	if (r == NULL)
		goto done;
	while ((rc = csv_next(r, &rec)) != 0) {
		/* Each record or error consumes at least one byte. */
		check(++calls <= size + 1);
		check(rc == 1 || rc == -1);
		check(rec.line > last_line);
		last_line = rec.line;
		if (rc < 0) {
			errors++;
			check(strncmp(csv_error(r), NAME ":", strlen(NAME ":")) == 0);
			check(rec.nfields == 0 && rec.fields == NULL);
			continue;
		}
		check(csv_error(r)[0] == '\0');
		check(rec.nfields >= 1 && rec.nfields <= CSV_FIELDS_MAX);
		for (size_t i = 0; i < rec.nfields; i++) {
			check(rec.lens[i] == strlen(rec.fields[i]));
			check(rec.lens[i] <= CSV_FIELD_MAX);
			check(csv_utf8_valid(rec.fields[i], rec.lens[i]));
		}
	}
	check(csv_error(r)[0] == '\0');
	check(csv_next(r, &rec) == 0);
	check(csv_delimiter(r) == ',' || csv_delimiter(r) == ';');
	if (memchr(data, 0, size) != NULL)
		check(errors > 0);
done:
	csv_reader_destroy(&r);
	if (fp != NULL)
		fclose(fp);
	free(copy);
	return 0;
}
