/*
 * Fuzz target for frame_check, the receive-side check of every message.  The
 * first byte says whether the socket is a ROUTER (bit 0), the second is the
 * body limit (0: none); the rest is a list of frames, each a length byte and
 * that many bytes (a short last frame keeps what is left).  The check must
 * never read outside the frames it was given, must accept only three frames
 * with the tag and a known command, and must say why it refused, in one line.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"
#include "wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct frame_part parts[FRAME_MAX];
	struct frame_in in;
	size_t at = 2;
	int n = 0;

	if (size < 2)
		return 0;
	bool router = data[0] & 1;
	size_t max_body = data[1];
	while (at < size) {
		size_t len = data[at++];
		if (len > size - at)
			len = size - at;
		if (n < FRAME_MAX)
			parts[n] = (struct frame_part){data + at, len};
		n++;
		at += len;
	}
	enum frame_status st = frame_check(parts, n, router, max_body, &in);
	int first = router ? 1 : 0;
	if (st != in.status || in.nframes != (n > first ? n - first : 0))
		abort();
	if (st == FRAME_OK || st == FRAME_TOO_BIG) {
		if (in.nframes != 3 || !wire_tag_ok(parts[first].data, parts[first].len) ||
		    in.cmd < 0 || in.body != parts[first + 2].data ||
		    (st == FRAME_OK) != (max_body == 0 || in.len <= max_body))
			abort();
	} else if (in.body || in.cmd != -1) {
		abort();
	}
	if ((st == FRAME_OK) != (in.err[0] == '\0') || strchr(in.err, '\n'))
		abort();
	if (router && n >= 1 && in.rid != parts[0].data)
		abort();
	return 0;
}
