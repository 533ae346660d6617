/*
 * Fuzz target for the control-message decoders of wire.c.  The first byte
 * picks the decoder (hello, welcome, ping, retry, error, empty, welcome of
 * version 2), the rest is the body.  Whatever decodes must encode, and the encoding must decode to
 * the same struct: the encoders never write what the decoders refuse.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

union message {
	struct wire_hello hello;
	struct wire_welcome welcome;
	struct wire_ping ping;
	struct wire_retry retry;
	struct wire_error error;
};

/* Decodes body as kind into *m; on success *text is its encoding. */
static int decode(int kind, const char *body, size_t len, union message *m, char **text)
{
	char err[256];
	int rc = -1;

	*text = NULL;
	memset(m, 0, sizeof *m);
	switch (kind) {
	case 0:
		if ((rc = wire_hello_decode(body, len, NULL, &m->hello, err, sizeof err)) == 0)
			*text = wire_hello_encode(&m->hello);
		break;
	case 1:
	case 6:
		if ((rc = wire_welcome_decode(body, len, NULL, kind == 6 ? 2 : 1, &m->welcome, err,
					      sizeof err)) == 0)
			*text = wire_welcome_encode(&m->welcome);
		break;
	case 2:
		if ((rc = wire_ping_decode(body, len, NULL, &m->ping, err, sizeof err)) == 0)
			*text = wire_ping_encode(&m->ping);
		break;
	case 3:
		if ((rc = wire_retry_decode(body, len, NULL, &m->retry, err, sizeof err)) == 0)
			*text = wire_retry_encode(&m->retry);
		break;
	case 4:
		if ((rc = wire_error_decode(body, len, NULL, &m->error, err, sizeof err)) == 0)
			*text = wire_error_encode(&m->error);
		break;
	default:
		if ((rc = wire_empty_decode(body, len, NULL, err, sizeof err)) == 0)
			*text = strdup("{}");
		break;
	}
	/* A refusal always says why, in one line. */
	if (rc != 0 && (err[0] == '\0' || strchr(err, '\n')))
		abort();
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	union message first, second;
	char *text = NULL, *again = NULL;

	if (size < 1)
		return 0;
	int kind = data[0] % 7;
	if (decode(kind, (const char *)data + 1, size - 1, &first, &text) != 0)
		return 0;
	if (!text)
		abort();
	if (decode(kind, text, strlen(text), &second, &again) != 0 ||
	    memcmp(&first, &second, sizeof first) != 0 || strcmp(text, again) != 0)
		abort();
	free(text);
	free(again);
	return 0;
}
