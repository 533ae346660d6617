/*
 * Fuzz target for obfile: the record and state parsers read files that a
 * power cut or a failing disk may have left in any state.  Whatever the bytes,
 * they must return 0 or -1 without reading outside the buffer, and a record
 * they accept must describe a body that lies inside it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "obfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exact-size copy so that any over-read is caught by ASan. */
	char *buf = malloc(size ? size : 1);
	struct obfile_header h;
	struct obfile_state st;
	char err[256];

	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);
	if (obfile_header_parse(buf, size, &h, err, sizeof err) == 0 &&
	    obfile_record_parse(buf, size, h.seq, &h, err, sizeof err) == 0 &&
	    (h.len + h.length + OBFILE_TRAILER_LEN != size || h.source + h.source_len > buf + size))
		abort();
	obfile_state_parse(buf, size, &st, err, sizeof err);
	free(buf);
	return 0;
}
