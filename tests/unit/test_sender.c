/*
 * sender (agent): the protocol version it speaks, against a fake province
 * server on a loopback socket that speaks version 2, or version 1 alone as a
 * chisod before version 2 does (docs/protocol.md §9).  The fake answers from
 * the sender's own loop (sender_set_tick), so no thread is needed.
 */
#include "testutil.h"

#include <zmq.h>

#include "agentconf.h"
#include "agentstate.h"
#include "batch.h"
#include "frame.h"
#include "outbox.h"
#include "sender.h"
#include "wire.h"

/* A province server: which versions it speaks, and what it was sent ("HELLO@2 ..."). */
struct fake {
	void *ctx, *router;
	int speaks; /* the highest version it speaks */
	char seen[256];
};

#define WELCOME_V1                                                                                 \
	"{\"server\":\"fake\",\"collector\":\"xa-21298\",\"scope\":\"21298\",\"max_rows\":10000,"  \
	"\"max_body\":4194304,\"catalog_version\":\"2024.1\""
#define WELCOME_V2                                                                                 \
	WELCOME_V1                                                                                 \
	",\"unit\":{\"code\":\"21298\",\"name_vi\":\"Xã Sơn Nham\",\"tier\":\"commune\"},"       \
	"\"periods\":[{\"period\":\"2026S2\",\"type\":\"six-monthly\",\"calendar\":"               \
	"\"administrative\",\"deadline\":\"2026-12-19\",\"closed\":false}]}"

static void fake_send(struct fake *f, const struct frame_in *in, int version, enum wire_command cmd,
		      const char *body)
{
	assert_int_equal(frame_send(f->router, in->rid, in->rid_len, version, cmd, body,
				    strlen(body), ZMQ_DONTWAIT),
			 0);
}

/* Answers one message as chisod of version f->speaks would. */
static void fake_answer(const struct frame_in *in, void *ctx)
{
	struct fake *f = ctx;
	size_t len = strlen(f->seen);

	assert_int_equal(in->status, FRAME_OK);
	snprintf(f->seen + len, sizeof f->seen - len, "%s%s@%d", len ? " " : "",
		 wire_command_name(in->cmd), in->version);
	if (in->version > f->speaks) {
		fake_send(f, in, 1, WIRE_ERROR,
			  "{\"code\":\"unsupported_version\",\"message\":\"this server speaks "
			  "CHISO/1; your message was tagged CHISO/2\"}");
	} else if (in->cmd == WIRE_HELLO) {
		fake_send(f, in, in->version, WIRE_WELCOME,
			  in->version == 2 ? WELCOME_V2 : WELCOME_V1 "}");
	} else if (in->cmd == WIRE_BATCH) {
		struct batch *b = NULL;
		char err[256];
		assert_int_equal(batch_decode(in->body, in->len, NULL, &b, err, sizeof err), 0);
		struct batch_ack a = {b->epoch, b->seq, ACK_COMMITTED, b->nrows, 0, NULL, 0, NULL};
		char *ack = batch_ack_encode(&a);
		fake_send(f, in, in->version, WIRE_ACK, ack);
		free(ack);
		batch_destroy(&b);
	}
	/* CATALOG and PING go unanswered: the agent does without them. */
}

static void fake_tick(void *arg, int64_t now_ms)
{
	struct fake *f = arg;
	(void)now_ms;
	while (frame_recv(f->router, true, 0, fake_answer, f) == 1)
		;
}

static char *one_row(uint64_t epoch, uint64_t seq, void *arg)
{
	struct batch *b = batch_new(1);
	const char *why;
	(void)arg;
	b->epoch = epoch;
	b->seq = seq;
	snprintf(b->rows[0].unit, sizeof b->rows[0].unit, "21298");
	snprintf(b->rows[0].indicator, sizeof b->rows[0].indicator, "population");
	snprintf(b->rows[0].period, sizeof b->rows[0].period, "2026S2");
	assert_int_equal(num_parse("5200", 4, &b->rows[0].value, &why), 0);
	char *body = batch_encode(b);
	batch_destroy(&b);
	return body;
}

/* Delivers one batch to a fake server that speaks up to version speaks; what it saw. */
static void deliver(const char *dir, int speaks, char *seen, size_t seensize)
{
	char err[512], endpoint[64];
	size_t elen = sizeof endpoint;
	struct fake f = {.speaks = speaks};
	uint64_t seq;
	int zero = 0;

	f.ctx = zmq_ctx_new();
	f.router = zmq_socket(f.ctx, ZMQ_ROUTER);
	assert_int_equal(zmq_bind(f.router, "tcp://127.0.0.1:*"), 0);
	assert_int_equal(zmq_getsockopt(f.router, ZMQ_LAST_ENDPOINT, endpoint, &elen), 0);
	struct agentconf *c = agentconf_load(NULL, err, sizeof err);
	assert_non_null(c);
	free(c->outbox_dir);
	free(c->endpoint);
	free(c->collector);
	c->outbox_dir = strdup(dir);
	c->endpoint = strdup(endpoint);
	c->collector = strdup("xa-21298");
	c->insecure = true;
	struct outbox *ob = outbox_open(dir, 0, 1000, err, sizeof err);
	assert_non_null(ob);
	assert_int_equal(outbox_put(ob, 1, "test", one_row, NULL, &seq, err, sizeof err), 0);
	struct sender *s = sender_new(c, ob, err, sizeof err);
	assert_non_null(s);
	sender_set_tick(s, fake_tick, &f);
	CHECK_INT("delivered", 0, sender_run(s, true, 10000));
	snprintf(seen, seensize, "%s", f.seen);
	sender_destroy(&s);
	outbox_close(&ob);
	agentconf_destroy(&c);
	zmq_setsockopt(f.router, ZMQ_LINGER, &zero, sizeof zero);
	zmq_close(f.router);
	zmq_ctx_term(f.ctx);
}

/* A province of version 2: everything tagged 2, its unit and periods kept for the form. */
static void test_version2(void **state)
{
	char *dir = test_tmpdir(), seen[256];
	struct wire_welcome w;
	(void)state;

	assert_int_equal(agentstate_welcome(dir, &w), -1); /* never met a province */
	deliver(dir, 2, seen, sizeof seen);
	CHECK_STR("version 2", "HELLO@2 CATALOG@2 BATCH@2", seen);
	assert_int_equal(agentstate_welcome(dir, &w), 0);
	CHECK_STR("tier kept", "commune", w.unit.tier);
	CHECK_INT("periods kept", 1, w.nperiods);
	CHECK_STR("deadline kept", "2026-12-19", w.periods[0].deadline);
	test_rm_rf(dir);
}

/*
 * A province of version 1 alone: the HELLO of version 2 is refused, the agent
 * says it again in version 1 on the same connection and sends its batch so;
 * nothing of version 2 is kept, and what an earlier WELCOME said stays.
 */
static void test_version1_server(void **state)
{
	char *dir = test_tmpdir(), seen[256];
	struct wire_welcome w;
	(void)state;

	deliver(dir, 1, seen, sizeof seen);
	CHECK_STR("fallback", "HELLO@2 HELLO@1 CATALOG@1 BATCH@1", seen);
	assert_int_equal(agentstate_welcome(dir, &w), -1);
	deliver(dir, 2, seen, sizeof seen);
	deliver(dir, 1, seen, sizeof seen);
	CHECK_STR("fallback again", "HELLO@2 HELLO@1 CATALOG@1 BATCH@1", seen);
	assert_int_equal(agentstate_welcome(dir, &w), 0);
	CHECK_STR("the earlier deadlines stay", "2026S2", w.periods[0].period);
	test_rm_rf(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_version2),
	    cmocka_unit_test(test_version1_server),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
