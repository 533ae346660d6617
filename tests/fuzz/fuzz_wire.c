/* Fuzz target: the control messages; the first byte picks the decoder. */
#include <stdint.h>
#include <stdlib.h>

#include "wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256];
	union {
		struct wire_hello h;
		struct wire_welcome w;
		struct wire_ping p;
		struct wire_retry r;
		struct wire_error e;
	} m;

	if (size < 1)
		return 0;
	const char *body = (const char *)data + 1;
	size_t len = size - 1;
	const struct wire_limits *lim = &wire_default_limits;
	switch (data[0] % 7) {
	case 0:
		wire_hello_decode(body, len, lim, &m.h, err, sizeof err);
		break;
	case 1:
		wire_welcome_decode(body, len, lim, &m.w, err, sizeof err);
		break;
	case 2:
		wire_ping_decode(body, len, lim, &m.p, err, sizeof err);
		break;
	case 3:
		wire_retry_decode(body, len, lim, &m.r, err, sizeof err);
		break;
	case 4:
		wire_error_decode(body, len, lim, &m.e, err, sizeof err);
		break;
	case 5:
		wire_empty_decode(body, len, lim, err, sizeof err);
		break;
	default:
		wire_command_parse(body, len);
		wire_depth_ok(body, len, 4);
	}
	return 0;
}
