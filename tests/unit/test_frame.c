/*
 * Unit tests for frame: the receive-side check as a table of frame lists
 * (count, tag, command, size, routing id), and a round trip over an inproc
 * ROUTER/DEALER pair that proves frame_send writes what frame_recv accepts and
 * that extra frames are read and dropped, leaving the socket in step.
 */
#include "testutil.h"

#include <stdbool.h>
#include <zmq.h>

#include "frame.h"
#include "wire.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Splits "a|b|c" into frames (NULL: none); returns the count. */
static int split(const char *spec, char buf[256], struct frame_part parts[FRAME_MAX])
{
	int n = 0;

	if (!spec)
		return 0;
	snprintf(buf, 256, "%s", spec);
	for (char *p = buf;; n++) {
		char *bar = strchr(p, '|');
		if (n < FRAME_MAX)
			parts[n] = (struct frame_part){p, bar ? (size_t)(bar - p) : strlen(p)};
		if (!bar)
			return n + 1;
		p = bar + 1;
	}
}

/* A case of test_check: frames as received, and what frame_check makes of them. */
struct check_case {
	const char *name;
	bool router;
	const char *frames; /* separated by '|' */
	size_t max_body;
	enum frame_status expect;
	int cmd, nframes;
	const char *err; /* a fragment of the reason, "" when accepted */
};

/* Checks the frames of c and every field of frame_check's answer. */
static void check_case_run(const struct check_case *c)
{
	const char *name = c->name;
	struct frame_part parts[FRAME_MAX];
	struct frame_in in;
	char buf[256];
	int n = split(c->frames, buf, parts);
	enum frame_status st = frame_check(parts, n, c->router, c->max_body, &in);
	CHECK_INT(name, c->expect, st);
	CHECK_INT(name, c->expect, in.status);
	CHECK_INT(name, c->cmd, in.cmd);
	CHECK_INT(name, c->nframes, in.nframes);
	/* The version is the tag's once the tag is one spoken, whatever comes after. */
	const char *tag = (const char *)parts[c->router ? 1 : 0].data;
	int version =
	    in.nframes == 3 && st != FRAME_BAD_TAG && st != FRAME_BAD_VERSION ? tag[6] - '0' : 0;
	CHECK_INT(name, version, in.version);
	CHECK_STR(name, "", in.user);
	if (*c->err)
		CHECK_HAS(name, c->err, in.err);
	else
		CHECK_STR(name, "", in.err);
	if (c->router && n >= 1)
		CHECK_INT(name, 2, in.rid_len);
	else if (in.rid)
		fail_msg("%s: a routing id without a ROUTER", name);
	int last = c->router ? 3 : 2;
	if ((st == FRAME_OK || st == FRAME_TOO_BIG) &&
	    (in.body != parts[last].data || in.len != parts[last].len))
		fail_msg("%s: the body is not the last frame", name);
}

static void test_check(void **state)
{
	static const struct check_case cases[] = {
	    {"dealer ok", false, "CHISO/1|ACK|{}", 0, FRAME_OK, WIRE_ACK, 3, ""},
	    {"router ok", true, "id|CHISO/1|BATCH|{}", 0, FRAME_OK, WIRE_BATCH, 3, ""},
	    {"at the limit", false, "CHISO/1|PING|{}", 2, FRAME_OK, WIRE_PING, 3, ""},
	    {"over the limit", false, "CHISO/1|PING|{ }", 2, FRAME_TOO_BIG, WIRE_PING, 3,
	     "limit 2"},
	    {"no frames", false, NULL, 0, FRAME_BAD_COUNT, -1, 0, "0 frames"},
	    {"only a routing id", true, "id", 0, FRAME_BAD_COUNT, -1, 0, "0 frames"},
	    {"two frames", false, "CHISO/1|BATCH", 0, FRAME_BAD_COUNT, -1, 2, "2 frames"},
	    {"router two frames", true, "id|CHISO/1|BATCH", 0, FRAME_BAD_COUNT, -1, 2, "2 frames"},
	    {"four frames", false, "CHISO/1|PING|{}|{}", 0, FRAME_BAD_COUNT, -1, 4, "4 frames"},
	    {"six frames", false, "CHISO/1|PING|{}|a|b|c", 0, FRAME_BAD_COUNT, -1, 6, "6 frames"},
	    /* Another version of the protocol is told apart from a message that is not ours. */
	    {"wrong version", false, "CHISO/9|PING|{}", 0, FRAME_BAD_VERSION, -1, 3,
	     "this server speaks CHISO/1 and CHISO/2; your message was tagged CHISO/9"},
	    {"version 2 router", true, "id|CHISO/2|BATCH|{}", 0, FRAME_OK, WIRE_BATCH, 3, ""},
	    {"version 2 dealer", false, "CHISO/2|WELCOME|{}", 0, FRAME_OK, WIRE_WELCOME, 3, ""},
	    {"version 3 router", true, "id|CHISO/3|BATCH|{}", 0, FRAME_BAD_VERSION, -1, 3,
	     "tagged CHISO/3"},
	    {"version 2 with a tail", false, "CHISO/2 |PING|{}", 0, FRAME_BAD_VERSION, -1, 3,
	     "tagged CHISO/2 "},
	    {"version 10", false, "CHISO/10|PING|{}", 0, FRAME_BAD_VERSION, -1, 3, "CHISO/10"},
	    {"family without version", false, "CHISO/|PING|{}", 0, FRAME_BAD_TAG, -1, 3,
	     "tag \"CHISO/\" refused"},
	    {"lower-case tag", false, "chiso/1|PING|{}", 0, FRAME_BAD_TAG, -1, 3,
	     "message with tag \"chiso/1\" refused (the first frame must be \"CHISO/1\")"},
	    {"long tag cut", false, "HTTP/1.1 GET /index.html?aaaaaaaaaaaaaaaaaaaaaa|PING|{}", 0,
	     FRAME_BAD_TAG, -1, 3, "tag \"HTTP/1.1 GET /index.html?aaaaaaa...\""},
	    {"quoted tag printable", false, "a\"b\x01|PING|{}", 0, FRAME_BAD_TAG, -1, 3,
	     "tag \"a?b?\""},
	    {"empty tag", false, "|PING|{}", 0, FRAME_BAD_TAG, -1, 3, "first frame"},
	    {"frame count named", false, "CHISO/1|PING", 0, FRAME_BAD_COUNT, -1, 2,
	     "message of 2 frames refused (a message is 3 frames: tag, command, body)"},
	    {"unknown quoted", false, "CHISO/1|DELETE|{}", 0, FRAME_UNKNOWN_COMMAND, -1, 3,
	     "unknown command \"DELETE\""},
	    {"unknown", false, "CHISO/1|DELETE|{}", 0, FRAME_UNKNOWN_COMMAND, -1, 3, "unknown"},
	    {"lower case", true, "id|CHISO/1|ping|{}", 0, FRAME_UNKNOWN_COMMAND, -1, 3, "unknown"},
	    {"unknown first", false, "CHISO/1|NO|{   }", 1, FRAME_UNKNOWN_COMMAND, -1, 3,
	     "unknown"},
	};
	(void)state;
	for (size_t i = 0; i < N(cases); i++)
		check_case_run(&cases[i]);
	assert_string_equal(frame_status_name(FRAME_BAD_TAG), "bad tag");
	assert_string_equal(frame_status_name(FRAME_BAD_VERSION), "unsupported version");
	assert_string_equal(frame_status_name((enum frame_status)99), "?");
}

/* What a callback saw, copied out because the frames are closed after it. */
struct seen {
	int calls;
	enum frame_status status;
	int cmd, nframes, version;
	char body[64], rid[64];
};

static void remember(const struct frame_in *in, void *ctx)
{
	struct seen *s = ctx;
	s->calls++;
	s->status = in->status;
	s->cmd = in->cmd;
	s->nframes = in->nframes;
	s->version = in->version;
	snprintf(s->body, sizeof s->body, "%.*s", (int)in->len, in->body ? in->body : "");
	snprintf(s->rid, sizeof s->rid, "%.*s", (int)in->rid_len,
		 in->rid ? (const char *)in->rid : "");
}

/* Polls sock until a message is waiting (inproc delivery is not synchronous). */
static void wait_in(void *sock)
{
	zmq_pollitem_t it = {sock, 0, ZMQ_POLLIN, 0};
	assert_int_equal(zmq_poll(&it, 1, 2000), 1);
}

static void test_round_trip(void **state)
{
	void *ctx = zmq_ctx_new();
	void *router = zmq_socket(ctx, ZMQ_ROUTER), *dealer = zmq_socket(ctx, ZMQ_DEALER);
	struct seen s = {0};
	(void)state;

	assert_int_equal(zmq_setsockopt(dealer, ZMQ_ROUTING_ID, "agent-1", 7), 0);
	assert_int_equal(zmq_bind(router, "inproc://frame-test"), 0);
	assert_int_equal(zmq_connect(dealer, "inproc://frame-test"), 0);
	assert_int_equal(frame_recv(router, true, 0, remember, &s), 0); /* nothing yet */
	assert_int_equal(s.calls, 0);

	/* agent -> daemon, a well-framed HELLO */
	assert_int_equal(frame_send(dealer, NULL, 0, 1, WIRE_HELLO, "{\"a\":1}", 7, 0), 0);
	wait_in(router);
	assert_int_equal(frame_recv(router, true, 1024, remember, &s), 1);
	CHECK_INT("hello", FRAME_OK, s.status);
	CHECK_INT("hello", WIRE_HELLO, s.cmd);
	CHECK_STR("hello", "{\"a\":1}", s.body);
	CHECK_STR("hello", "agent-1", s.rid);
	CHECK_INT("hello", 1, s.version);

	/* daemon -> agent, addressed by routing id, tagged version 2 */
	assert_int_equal(frame_send(router, "agent-1", 7, 2, WIRE_PONG, "{}", 2, ZMQ_DONTWAIT), 0);
	wait_in(dealer);
	assert_int_equal(frame_recv(dealer, false, 0, remember, &s), 1);
	CHECK_INT("pong", FRAME_OK, s.status);
	CHECK_INT("pong", WIRE_PONG, s.cmd);
	CHECK_STR("pong", "{}", s.body);
	CHECK_INT("pong", 2, s.version);

	/* six frames: refused as a whole, every frame read, the next message intact */
	static const char *const extra[] = {"CHISO/1", "PING", "{}", "x", "y", "z"};
	for (size_t i = 0; i < N(extra); i++)
		zmq_send(dealer, extra[i], strlen(extra[i]), i + 1 < N(extra) ? ZMQ_SNDMORE : 0);
	frame_send(dealer, NULL, 0, 1, WIRE_PING, "{}", 2, 0);
	wait_in(router);
	assert_int_equal(frame_recv(router, true, 0, remember, &s), 1);
	CHECK_INT("extra frames", FRAME_BAD_COUNT, s.status);
	CHECK_INT("extra frames", 6, s.nframes);
	wait_in(router);
	assert_int_equal(frame_recv(router, true, 0, remember, &s), 1);
	CHECK_INT("after extra frames", FRAME_OK, s.status);
	CHECK_INT("after extra frames", WIRE_PING, s.cmd);
	CHECK_INT("calls", 4, s.calls);

	/* a ROUTER cannot send to a peer it does not know */
	int mandatory = 1;
	zmq_setsockopt(router, ZMQ_ROUTER_MANDATORY, &mandatory, sizeof mandatory);
	assert_int_equal(frame_send(router, "nobody", 6, 1, WIRE_PONG, "{}", 2, ZMQ_DONTWAIT), -1);

	int zero = 0;
	zmq_setsockopt(router, ZMQ_LINGER, &zero, sizeof zero);
	zmq_setsockopt(dealer, ZMQ_LINGER, &zero, sizeof zero);
	zmq_close(router);
	zmq_close(dealer);
	zmq_ctx_term(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_check),
	    cmocka_unit_test(test_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
