/*
 * Fuzz target for lib/csv.c: reads every record of arbitrary bytes and checks
 * what any caller relies on.  The reader must end (every record consumes
 * input), report each error as "name:line: ...", return only bounded, valid
 * UTF-8, NUL-free fields with correct lengths (UTF-16 input included: its
 * transcoding must never yield anything else), never return a record whose
 * fields are all empty, and refuse any UTF-8 input holding a NUL byte
 * somewhere.  The seeds hold UTF-16 LE and BE files and sep= lines, so the
 * fuzzer starts inside those paths.
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
	int rc, errors = 0, utf16, named = 0;

	if (copy == NULL)
		return 0;
	memcpy(copy, data, size);
	fp = fmemopen(copy, size, "r");
	if (fp == NULL)
		goto done;
	r = csv_reader_new(fp, NAME);
	if (r == NULL)
		goto done;
	utf16 = size >= 2 &&
		((data[0] == 0xFF && data[1] == 0xFE) || (data[0] == 0xFE && data[1] == 0xFF));
	while ((rc = csv_next(r, &rec)) != 0) {
		size_t nonempty = 0;

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
			nonempty += rec.lens[i] > 0;
		}
		check(nonempty > 0);
		if (!named) { /* as submit does with the header: later errors name columns */
			csv_name_columns(r, &rec);
			named = 1;
		}
	}
	check(csv_error(r)[0] == '\0');
	check(csv_next(r, &rec) == 0);
	check(strchr(",;\t|", csv_delimiter(r)) != NULL);
	/* In UTF-16 a zero byte is half of most characters; in UTF-8 it is refused. */
	if (!utf16 && memchr(data, 0, size) != NULL)
		check(errors > 0);
done:
	csv_reader_destroy(&r);
	if (fp != NULL)
		fclose(fp);
	free(copy);
	return 0;
}
