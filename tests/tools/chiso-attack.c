/*
 * chiso-attack: hostile collectors for the security tests (tests/integration/
 * t_attack.sh).  Each attack prints one line of figures:
 *
 *   attack=unknown-key tried=50 answered=0 errors=0 acks=0 rows_sent=0 rows_rejected=0
 *
 * "answered" counts replies of any kind; for the handshake attacks it must stay
 * 0 (the server never talks to an unauthenticated peer).  The log-forge attack
 * also prints each refusal's code and message ("rejected: CODE: MESSAGE") so a
 * test can read what an officer would.  Test code, not shipped.
 */
#include <jansson.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "frame.h"
#include "keys.h"
#include "wire.h"

struct figures {
	long tried, answered, errors, acks, rows_sent, rows_rejected;
};

struct client {
	void *ctx, *sock;
};

static const char *endpoint, *server_pub_file;
static bool show_rejections; /* print the code and message of each rejected row */
static bool show_answers;    /* print each answer's command and ERROR code and message */

static void fail(const char *what)
{
	fprintf(stderr, "chiso-attack: %s\n", what);
	exit(2);
}

/* A DEALER with the given keys (NULL keys: no CURVE at all). */
static void client_open(struct client *c, const char *pub, const char *sec)
{
	char server[41], err[256];
	int zero = 0;

	int timeout = 2000; /* a send that cannot proceed (connection cut) is given up */
	c->sock = zmq_socket(c->ctx, ZMQ_DEALER);
	zmq_setsockopt(c->sock, ZMQ_LINGER, &zero, sizeof zero);
	zmq_setsockopt(c->sock, ZMQ_SNDTIMEO, &timeout, sizeof timeout);
	if (pub) {
		if (keys_read_public(server_pub_file, server, err, sizeof err) < 0)
			fail(err);
		zmq_setsockopt(c->sock, ZMQ_CURVE_SERVERKEY, server, 41);
		zmq_setsockopt(c->sock, ZMQ_CURVE_PUBLICKEY, pub, 41);
		zmq_setsockopt(c->sock, ZMQ_CURVE_SECRETKEY, sec, 41);
	}
	if (zmq_connect(c->sock, endpoint) < 0)
		fail("connect");
}

static void client_close(struct client *c)
{
	zmq_close(c->sock);
	c->sock = NULL;
}

/*
 * The raw path, only for the messages that break the framing on purpose (a
 * wrong frame count, a wrong tag, an unknown command): frame_send cannot
 * write them, by design.  Everything else goes through frame_send, so these
 * attacks exercise the framing the agent really uses.
 */
static void send_frames(struct client *c, const void *const *frames, const size_t *lens, int n)
{
	for (int i = 0; i < n; i++)
		zmq_send(c->sock, frames[i], lens[i], i + 1 < n ? ZMQ_SNDMORE : 0);
}

/* A well-framed message; its body may still be as hostile as the attack wants. */
static void send3(struct client *c, enum wire_command cmd, const char *body, size_t len)
{
	frame_send(c->sock, NULL, 0, 1, cmd, body, len, 0);
}

/* Counts one reply (frame_recv's callback; ctx is the figures). */
static void count_reply(const struct frame_in *in, void *ctx)
{
	struct figures *fg = ctx;

	fg->answered++;
	if (in->status != FRAME_OK)
		return;
	if (in->cmd == WIRE_ERROR)
		fg->errors++;
	if (show_answers) {
		struct wire_error e = {.code = "-", .message = ""};
		if (in->cmd == WIRE_ERROR)
			wire_error_decode(in->body, in->len, NULL, &e, (char[8]){0}, 8);
		printf("answer: %s %s %s\n", wire_command_name(in->cmd), e.code, e.message);
	}
	if (in->cmd == WIRE_ACK) {
		json_t *ack = json_loadb(in->body, in->len, 0, NULL);
		fg->acks++;
		json_t *rej = json_object_get(ack, "rejected");
		fg->rows_rejected += (long)json_array_size(rej);
		for (size_t k = 0; show_rejections && k < json_array_size(rej); k++)
			printf(
			    "rejected: %s: %s\n",
			    json_string_value(json_object_get(json_array_get(rej, k), "code")),
			    json_string_value(json_object_get(json_array_get(rej, k), "message")));
		json_decref(ack);
	}
}

/* Reads replies for up to ms milliseconds (returning early once expect arrived). */
static void drain(struct client *c, struct figures *fg, int ms, long expect)
{
	long got = 0;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &t1);
		long left =
		    ms - ((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000);
		if (left <= 0 || (expect && got >= expect))
			return;
		zmq_pollitem_t it = {c->sock, 0, ZMQ_POLLIN, 0};
		if (zmq_poll(&it, 1, left) <= 0)
			continue;
		if (frame_recv(c->sock, false, 0, count_reply, fg) > 0)
			got++;
	}
}

/* Sends a whole BATCH body of one row, written by hand, and waits for its answer. */
static void batch_body(struct client *c, struct figures *fg, const char *body)
{
	send3(c, WIRE_BATCH, body, strlen(body));
	fg->tried++;
	fg->rows_sent++;
	drain(c, fg, 3000, 1);
}

/* Sends one BATCH of the given rows (JSON array text) and waits for its answer. */
static void batch(struct client *c, struct figures *fg, long seq, const char *rows, long nrows)
{
	char *body = malloc(strlen(rows) + 128);
	sprintf(body, "{\"epoch\":424242,\"seq\":%ld,\"rows\":%s}", seq, rows);
	send3(c, WIRE_BATCH, body, strlen(body));
	free(body);
	fg->tried++;
	fg->rows_sent += nrows;
	drain(c, fg, 5000, 1);
}

static void handshake_attack(struct figures *fg, void *ctx, bool curve, long count)
{
	for (long i = 0; i < count; i++) {
		struct client c = {ctx, NULL};
		char pub[41], sec[41];
		zmq_curve_keypair(pub, sec);
		client_open(&c, curve ? pub : NULL, curve ? sec : NULL);
		send3(&c, WIRE_HELLO, "{\"agent\":\"attacker\"}", 20);
		fg->tried++;
		drain(&c, fg, 200, 1);
		client_close(&c);
	}
}

static const char *const injections[] = {"'; DROP TABLE chiso.observation; --",
					 "1 OR 1=1",
					 "\\\\x00\\\\\\\"",
					 "$$; SELECT 1; $$",
					 "\\u0000",
					 "Robert'); DELETE FROM chiso.rollup;--"};

/* Milliseconds since the first call: the load loops stop at a deadline as well as at a count,
 * so a daemon that stops reading cannot hold the suite until CI's timeout. */
static long elapsed_ms(void)
{
	static struct timespec t0;
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	if (t0.tv_sec == 0 && t0.tv_nsec == 0)
		t0 = t;
	return (t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000;
}

enum { MALFORMED_DEADLINE_MS = 120 * 1000 };

/* The attacker's keys, for the extra connections of the oversized messages. */
static const struct keypair *attack_keys;

/* Every kind of broken message, count times; kinds 0-2 break the framing itself (raw path). */
static void malformed(struct client *c, struct figures *fg, long count)
{
	static char big[5 << 20], many[64 << 10];
	char buf[4096];
	size_t nmany = 0;

	/* built once: an oversized body, and a batch of 10 001 empty rows */
	memset(big, 'x', sizeof big);
	nmany = (size_t)snprintf(many, sizeof many, "{\"epoch\":1,\"seq\":1,\"rows\":[");
	for (int r = 0; r < 10001; r++)
		nmany += (size_t)snprintf(many + nmany, sizeof many - nmany, "%s{}", r ? "," : "");
	nmany += (size_t)snprintf(many + nmany, sizeof many - nmany, "]}");
	elapsed_ms();
	for (long i = 0; i < count && elapsed_ms() < MALFORMED_DEADLINE_MS; i++) {
		long kind = i % 10;
		fg->tried++;
		switch (kind) {
		case 0: { /* wrong number of frames */
			const void *f[] = {"CHISO/1", "BATCH"};
			size_t l[] = {7, 5};
			send_frames(c, f, l, 2);
			break;
		}
		case 1: { /* wrong tag */
			const void *f[] = {"CHISO/9", "PING", "{}"};
			size_t l[] = {7, 4, 2};
			send_frames(c, f, l, 3);
			break;
		}
		case 2: { /* unknown command */
			const void *f[] = {"CHISO/1", "DELETE", "{}"};
			size_t l[] = {7, 6, 2};
			send_frames(c, f, l, 3);
			break;
		}
		case 3: /* truncated JSON */
			snprintf(buf, sizeof buf,
				 "{\"epoch\":1,\"seq\":%ld,\"rows\":[{\"unit\":\"1", i + 1);
			send3(c, WIRE_BATCH, buf, strlen(buf));
			break;
		case 4: /* nested 1000 deep */
			memset(buf, '[', 1000);
			send3(c, WIRE_BATCH, buf, 1000);
			break;
		case 5: /* invalid UTF-8 */
			send3(c, WIRE_HELLO, "{\"agent\":\"\xff\xfe\"}", 14);
			break;
		case 6: /* random bytes */
			for (size_t k = 0; k < 200; k++)
				buf[k] = (char)rand();
			send3(c, WIRE_BATCH, buf, 200);
			break;
		case 7: /* too many rows */
			send3(c, WIRE_BATCH, many, nmany);
			break;
		case 8: /* a PING with a negative count and an unknown field */
			send3(c, WIRE_PING, "{\"backlog_rows\":-5,\"evil\":true}", 31);
			break;
		default: /* now and then oversized: dropped by ZMQ_MAXMSGSIZE, the connection is cut
			  */
			if (i % 1000 == 9) {
				/* on a connection of its own, as a flooder would: the
				 * cut connection is not the one the other kinds use */
				struct client o = {c->ctx, NULL};
				client_open(&o, attack_keys->public_key, attack_keys->secret_key);
				send3(&o, WIRE_BATCH, big, sizeof big);
				drain(&o, fg, 200, 1);
				client_close(&o);
			} else
				send3(c, WIRE_BATCH, "[]", 2);
		}
		if (i % 100 == 99)
			drain(c, fg, 20, 0);
	}
	drain(c, fg, 3000, 0);
}

/* The last line of defence against a hang: the suite fails with a reason instead of waiting for
 * ctest's timeout. */
static void give_up(int sig)
{
	(void)sig;
	static const char msg[] =
	    "chiso-attack: gave up after 300 s (the daemon stopped answering?)\n";
	(void)!write(2, msg, sizeof msg - 1);
	_exit(3);
}

/* A HELLO with a key the registry has revoked: answered ERROR revoked. */
static void attack_revoked_key(struct client *c, struct figures *fg, long count)
{
	(void)count;
	send3(c, WIRE_HELLO, "{\"agent\":\"attacker\"}", 20);
	fg->tried++;
	drain(c, fg, 1000, 1);
}

/* A valid key writing units outside its scope. */
static void attack_other_commune(struct client *c, struct figures *fg, long count)
{
	(void)count;
	batch(c, fg, 1,
	      "[{\"unit\":\"21298\",\"indicator\":\"population\",\"period\":"
	      "\"2024\",\"value\":1},"
	      "{\"unit\":\"536\",\"indicator\":\"population\",\"period\":"
	      "\"2024S1\",\"value\":1},"
	      "{\"unit\":\"51\",\"indicator\":\"population\",\"period\":\"2024\","
	      "\"value\":1}]",
	      3);
}

/* Rows and a body that claim another collector: the key decides, not the body. */
static void attack_claim_collector(struct client *c, struct figures *fg, long count)
{
	char rows[8192];

	(void)count;
	snprintf(rows, sizeof rows,
		 "{\"epoch\":424242,\"seq\":2,\"collector\":\"tinh-51\","
		 "\"rows\":[{\"unit\":\"536\",\"indicator\":\"population\","
		 "\"period\":\"2024S1\",\"value\":1}]}");
	batch_body(c, fg, rows);
	batch(c, fg, 3,
	      "[{\"unit\":\"536\",\"indicator\":\"population\",\"period\":\"2024S1\","
	      "\"value\":1,\"collector\":\"tinh-51\"}]",
	      1);
}

/* SQL and escape injections in each field of a row. */
static void attack_inject(struct client *c, struct figures *fg, long count)
{
	char rows[8192];

	(void)count;
	long seq = 10;
	for (size_t i = 0; i < sizeof injections / sizeof injections[0]; i++) {
		const char *x = injections[i];
		/* in each field; the ref row is otherwise valid but for a future
		 * period */
		snprintf(rows, sizeof rows,
			 "[{\"unit\":\"%s\",\"indicator\":\"population\","
			 "\"period\":\"2024\","
			 "\"value\":1},"
			 "{\"unit\":\"21301\",\"indicator\":\"%s\",\"period\":"
			 "\"2024\",\"value\":1},"
			 "{\"unit\":\"21301\",\"indicator\":\"population\","
			 "\"period\":\"%s\","
			 "\"value\":1},"
			 "{\"unit\":\"21301\",\"indicator\":\"population\","
			 "\"date\":\"%s\",\"value\":1},"
			 "{\"unit\":\"21301\",\"indicator\":\"population\","
			 "\"period\":\"2031\","
			 "\"value\":1,\"ref\":\"%s\"},"
			 "{\"unit\":\"21301\",\"indicator\":\"population\","
			 "\"period\":\"2024\","
			 "\"value\":1,\"qualifier\":\"%s\"}]",
			 x, x, x, x, x, x);
		batch(c, fg, seq++, rows, 6);
	}
}

/* Text that would forge log lines or drive a terminal, years out of range, values refused. */
static void attack_log_forge(struct client *c, struct figures *fg, long count)
{
	(void)count;
	/* an agent string that would start a line of its own at error
	 * priority, then colour and clear a terminal (ESC and the C1 CSI) */
	static const char hello[] = "{\"agent\":\"chiso-agent 0.1\\n<3>forged: database wiped"
				    "\\u001b[31m\\u009b2J\",\"epoch\":424242,\"backlog_batches\":0,"
				    "\"backlog_rows\":0}";
	send3(c, WIRE_HELLO, hello, sizeof hello - 1);
	fg->tried++;
	drain(c, fg, 3000, 1);
	/* a year outside the range, as a period and as a date; then values
	 * refused, kept as sent, a row without one (bad_row), and dates that
	 * cannot be or are not written YYYY-MM-DD (bad_date) */
	show_rejections = true;
	long acks0 = fg->acks;
	batch(c, fg, 30,
	      "[{\"unit\":\"21301\",\"indicator\":\"population\",\"period\":"
	      "\"1900\",\"value\":1},"
	      "{\"unit\":\"21301\",\"indicator\":\"population\",\"date\":"
	      "\"1900-06-01\",\"value\":1},"
	      "{\"unit\":\"21301\",\"indicator\":\"population\",\"period\":"
	      "\"2024\",\"value\":1e+16},"
	      "{\"unit\":\"21301\",\"indicator\":\"population\",\"period\":"
	      "\"2024\",\"value\":\"264\"},"
	      "{\"unit\":\"21301\",\"indicator\":\"population\",\"period\":"
	      "\"2024\"},"
	      "{\"unit\":\"21301\",\"indicator\":\"population\",\"date\":"
	      "\"2024-02-31\",\"value\":1},"
	      "{\"unit\":\"21301\",\"indicator\":\"population\",\"date\":"
	      "\"31/02/2024\",\"value\":1}]",
	      7);
	/* The test reads this ACK's verdicts: wait for it, not for any answer
	 * (a late WELCOME would do for batch()), up to a minute on a slow run. */
	for (int i = 0; i < 12 && fg->acks == acks0; i++)
		drain(c, fg, 5000, 1);
}

/* Values out of range, too large for 64 bits, NaN and Infinity. */
static void attack_values(struct client *c, struct figures *fg, long count)
{
	(void)count;
	batch(c, fg, 20,
	      "[{\"unit\":\"21301\",\"indicator\":\"population\",\"period\":"
	      "\"2024\",\"value\":-5},"
	      "{\"unit\":\"21301\",\"indicator\":\"population\",\"period\":"
	      "\"2024\",\"value\":1e300},"
	      "{\"unit\":\"21301\",\"indicator\":\"households\",\"period\":"
	      "\"2024\",\"value\":2.5},"
	      "{\"unit\":\"21301\",\"indicator\":\"coverage_4g_pct\",\"period\":"
	      "\"2024\",\"value\":"
	      "250}]",
	      4);
	/* an integer beyond 64 bits, NaN and Infinity: the whole body is refused */
	const char *huge = "{\"epoch\":424242,\"seq\":22,\"rows\":[{\"unit\":\"21301\","
			   "\"indicator\":\"population\",\"period\":\"2024\","
			   "\"value\":99999999999999999999}]}";
	batch_body(c, fg, huge);
	const char *nan = "{\"epoch\":424242,\"seq\":21,\"rows\":[{\"unit\":\"21301\","
			  "\"indicator\":\"population\",\"period\":\"2024\",\"value\":NaN}]}";
	batch_body(c, fg, nan);
}

/*
 * Bodies around max_body (COUNT, else the default 4 MiB), padded with JSON
 * whitespace: exactly max_body is taken (an ACK), max_body + 1 and
 * max_body + 256 are answered ERROR bad_body; max_body + 257 and a frame well
 * past the socket's limit are dropped with their connection (no answer), each
 * on a connection of its own.
 */
static void attack_limits(struct client *c, struct figures *fg, long count)
{
	static const char head[] =
	    "{\"epoch\":424242,\"seq\":%ld,\"rows\":[{\"unit\":\"21301\",\"indicator\":"
	    "\"population\",\"period\":\"2024\",\"value\":7}]";
	size_t max = count > 1 ? (size_t)count : wire_default_limits.max_body;
	const size_t over[] = {0, 1, 256, 257, 2000};
	char *body = malloc(max + 2001);

	if (!body)
		fail("out of memory");
	show_answers = true;
	for (size_t k = 0; k < sizeof over / sizeof over[0]; k++) {
		size_t len = max + over[k];
		int n = snprintf(body, 256, head, 40 + (long)k);
		memset(body + n, ' ', len - 1 - (size_t)n);
		body[len - 1] = '}';
		struct client o = {c->ctx, NULL};
		struct client *to = c;
		if (over[k] > 256) { /* the connection is cut: not the one the others use */
			client_open(&o, attack_keys->public_key, attack_keys->secret_key);
			to = &o;
		}
		printf("sent: %zu bytes (max_body + %zu)\n", len, over[k]);
		fflush(stdout);
		send3(to, WIRE_BATCH, body, len);
		fg->tried++;
		fg->rows_sent++;
		drain(to, fg, over[k] > 256 ? 3000 : 30000, 1);
		printf("done: max_body + %zu\n", over[k]);
		if (to == &o)
			client_close(&o);
	}
	free(body);
}

/*
 * One message of each framing fault, each answer printed: a wrong frame count,
 * another version's tag, a tag that is none, an unknown command.
 */
static void attack_framing(struct client *c, struct figures *fg, long count)
{
	static const struct {
		const char *name;
		int n;
		const char *f[3];
	} cases[] = {
	    {"two frames", 2, {"CHISO/1", "PING", NULL}},
	    {"version 3", 3, {"CHISO/3", "PING", "{}"}},
	    {"not a tag", 3, {"HELLO", "PING", "{}"}},
	    {"unknown command", 3, {"CHISO/1", "DELETE", "{}"}},
	};
	(void)count;
	show_answers = true;
	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		size_t lens[3];
		for (int i = 0; i < cases[k].n; i++)
			lens[i] = strlen(cases[k].f[i]);
		printf("sent: %s\n", cases[k].name);
		fflush(stdout);
		send_frames(c, (const void *const *)cases[k].f, lens, cases[k].n);
		fg->tried++;
		drain(c, fg, 5000, 1);
	}
}

/* The attacks that need an enrolled collector's key file, by name. */
static const struct {
	const char *name;
	void (*run)(struct client *c, struct figures *fg, long count);
} keyed_attacks[] = {
    {"revoked-key", attack_revoked_key},
    {"other-commune", attack_other_commune},
    {"claim-collector", attack_claim_collector},
    {"malformed", malformed},
    {"inject", attack_inject},
    {"log-forge", attack_log_forge},
    {"limits", attack_limits},
    {"framing", attack_framing},
    {"values", attack_values},
};

int main(int argc, char **argv)
{
	if (argc < 4)
		fail("usage: chiso-attack ENDPOINT SERVER.pub ATTACK [KEYFILE] [COUNT]");
	endpoint = argv[1];
	server_pub_file = argv[2];
	const char *attack = argv[3];
	struct figures fg = {0};
	void *ctx = zmq_ctx_new();
	struct client c = {ctx, NULL};
	struct keypair kp;
	char err[256];
	long count = argc > 5 ? atol(argv[5]) : 1;

	signal(SIGALRM, give_up);
	alarm(300);

	if (strcmp(attack, "unknown-key") == 0) {
		handshake_attack(&fg, ctx, true, count);
	} else if (strcmp(attack, "no-curve") == 0) {
		handshake_attack(&fg, ctx, false, count);
	} else {
		if (argc < 5 || keys_read_secret(argv[4], &kp, err, sizeof err) < 0)
			fail(argc < 5 ? "this attack needs a key file" : err);
		size_t i = 0;
		while (i < sizeof keyed_attacks / sizeof keyed_attacks[0] &&
		       strcmp(attack, keyed_attacks[i].name) != 0)
			i++;
		if (i == sizeof keyed_attacks / sizeof keyed_attacks[0])
			fail("unknown attack");
		attack_keys = &kp;
		client_open(&c, kp.public_key, kp.secret_key);
		keyed_attacks[i].run(&c, &fg, count);
		client_close(&c);
	}
	printf("attack=%s tried=%ld answered=%ld errors=%ld acks=%ld rows_sent=%ld "
	       "rows_rejected=%ld\n",
	       attack, fg.tried, fg.answered, fg.errors, fg.acks, fg.rows_sent, fg.rows_rejected);
	zmq_ctx_term(ctx);
	return 0;
}
