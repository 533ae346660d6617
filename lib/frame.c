/*
 * frame: sends and receives the messages of protocol versions 1 and 2 (see frame.h).
 *
 * The check is split from the socket so that the fuzz target and the unit
 * tests reach the same code as the daemon, the agent, the load generator and
 * the attack tool: frame_recv only gathers frames and hands them to
 * frame_check.
 */
#include "frame.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <zmq.h>

#include "wire.h"

/* How much of a tag or command from the network a message quotes. */
#define FRAME_QUOTE_MAX 32

const char *frame_status_name(enum frame_status status)
{
	switch (status) {
	case FRAME_OK:
		return "ok";
	case FRAME_BAD_COUNT:
		return "bad frame count";
	case FRAME_BAD_TAG:
		return "bad tag";
	case FRAME_BAD_VERSION:
		return "unsupported version";
	case FRAME_UNKNOWN_COMMAND:
		return "unknown command";
	case FRAME_TOO_BIG:
		return "body too large";
	}
	return "?";
}

int frame_send(void *sock, const void *rid, size_t rid_len, int version, enum wire_command cmd,
	       const char *body, size_t len, int flags)
{
	const char *name = wire_command_name(cmd), *tag = wire_tag(version);

	/* Only the first frame can be refused: the rest of the message follows it. */
	if (rid && zmq_send(sock, rid, rid_len, ZMQ_SNDMORE | flags) < 0)
		return -1;
	if (zmq_send(sock, tag, strlen(tag), ZMQ_SNDMORE | flags) < 0 && !rid)
		return -1;
	zmq_send(sock, name, strlen(name), ZMQ_SNDMORE | flags);
	zmq_send(sock, body, len, flags);
	return 0;
}

/*
 * A frame from the network as it may be quoted in a log line: at most
 * FRAME_QUOTE_MAX bytes, printable ASCII, the rest '?', "..." when cut.
 */
static void frame_quote(char *dst, size_t dstsize, const struct frame_part *f)
{
	const unsigned char *s = f->data;
	size_t n = f->len < FRAME_QUOTE_MAX ? f->len : FRAME_QUOTE_MAX, out = 0;

	for (size_t i = 0; i < n && out + 1 < dstsize; i++)
		dst[out++] = s[i] >= 0x20 && s[i] < 0x7f && s[i] != '"' ? (char)s[i] : '?';
	dst[out] = '\0';
	if (f->len > n && out + 4 <= dstsize)
		memcpy(dst + out, "...", 4);
}

/* true if the frame is a tag of the protocol's family, "CHISO/<anything>". */
static bool frame_tag_family(const struct frame_part *f)
{
	size_t n = strlen(WIRE_TAG_FAMILY);
	return f->len > n && memcmp(f->data, WIRE_TAG_FAMILY, n) == 0;
}

/* The tag, command and body frames p[0..2] of a message of the right length. */
_Static_assert(WIRE_VERSION_MAX == 2, "frame_check_three's message names the versions spoken");

static void frame_check_three(const struct frame_part *p, size_t max_body, struct frame_in *in)
{
	char q[FRAME_QUOTE_MAX + 4];

	in->version = wire_tag_version(p[0].data, p[0].len);
	if (!in->version) {
		/* Another version is answered as such, so that its agent can say why. */
		bool family = frame_tag_family(&p[0]);
		frame_quote(q, sizeof q, &p[0]);
		in->status = family ? FRAME_BAD_VERSION : FRAME_BAD_TAG;
		if (family)
			snprintf(
			    in->err, sizeof in->err,
			    "this server speaks CHISO/1 and CHISO/2; your message was tagged %s",
			    q);
		else
			snprintf(in->err, sizeof in->err,
				 "message with tag \"%s\" refused (the first frame must be \"%s\")",
				 q, WIRE_PROTOCOL);
		return;
	}
	in->cmd = wire_command_parse(p[1].data, p[1].len);
	if (in->cmd < 0) {
		frame_quote(q, sizeof q, &p[1]);
		in->status = FRAME_UNKNOWN_COMMAND;
		snprintf(in->err, sizeof in->err, "message with unknown command \"%s\" refused", q);
		return;
	}
	in->body = p[2].data;
	in->len = p[2].len;
	if (max_body && in->len > max_body) {
		in->status = FRAME_TOO_BIG;
		snprintf(in->err, sizeof in->err, "body too large: %zu bytes, limit %zu", in->len,
			 max_body);
	}
}

enum frame_status frame_check(const struct frame_part *parts, int n, bool router, size_t max_body,
			      struct frame_in *in)
{
	int first = router ? 1 : 0;

	memset(in, 0, sizeof *in);
	in->user = "";
	in->cmd = -1;
	in->nframes = n - first > 0 ? n - first : 0;
	if (router && n >= 1) {
		in->rid = parts[0].data;
		in->rid_len = parts[0].len;
	}
	if (in->nframes != 3) {
		in->status = FRAME_BAD_COUNT;
		snprintf(in->err, sizeof in->err,
			 "message of %d frames refused (a message is 3 frames: tag, command, body)",
			 in->nframes);
	} else {
		frame_check_three(parts + first, max_body, in);
	}
	return in->status;
}

int frame_recv(void *sock, bool router, size_t max_body, frame_fn fn, void *ctx)
{
	zmq_msg_t f[FRAME_MAX];
	struct frame_part parts[FRAME_MAX];
	struct frame_in in;
	char user[65] = "";
	int n = 0, more = 1, rc = 0;

	while (more) {
		zmq_msg_t m;
		zmq_msg_init(&m);
		if (zmq_msg_recv(&m, sock, ZMQ_DONTWAIT) < 0) {
			/* EAGAIN before the first frame: nothing waiting; later cannot happen */
			zmq_msg_close(&m);
			rc = zmq_errno() == EAGAIN ? 0 : -1;
			break;
		}
		more = zmq_msg_more(&m);
		if (n == (router ? 1 : 0)) {
			const char *uid = zmq_msg_gets(&m, "User-Id");
			snprintf(user, sizeof user, "%s", uid ? uid : "");
		}
		if (n < FRAME_MAX) {
			f[n] = m; /* ownership moves into the array */
			parts[n] = (struct frame_part){zmq_msg_data(&f[n]), zmq_msg_size(&f[n])};
		} else {
			zmq_msg_close(&m); /* extra frames are read and dropped */
		}
		n++;
	}
	if (n > 0) {
		frame_check(parts, n, router, max_body, &in);
		in.user = user;
		fn(&in, ctx);
		rc = 1;
	}
	for (int i = 0; i < n && i < FRAME_MAX; i++)
		zmq_msg_close(&f[i]);
	return rc;
}
