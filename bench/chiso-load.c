/*
 * chiso-load: many collectors in one process, for the benchmarks (bench/run).
 *
 * One process per agent cannot hold the whole country (10 794 collectors) on
 * a small machine, so this tool opens one DEALER socket per collector, each
 * with its own enrolled CURVE keypair, and speaks protocol version 1 as
 * chiso-agent does (HELLO, then BATCH under (epoch, seq), a window of batches
 * in flight, RETRY honoured, ACK after COMMIT).  It measures what the agent
 * cannot: the time from sending each batch to its ACK, which chisod sends only
 * after the transaction that stored the rows with their rollups committed, so
 * it bounds the time until a value is visible in the province rollup.
 *
 * Collector k (1-based line k of the agents file "NAME UNIT") sends, for
 * indicators f1..fI (zero-padded like tests/integration/faultlib.sh) and years
 * Y0..Y0+Y-1, the value (k * 1000003 + i * 7919 + y * 31) % 99991.
 *
 *   chiso-load keygen N DIR PREFIX     writes DIR/PREFIXnnnnn.{key,pub},
 *                                      prints "NAME PUBLIC-KEY" lines
 *   chiso-load run OPTIONS             the load; prints one "load:" line of figures
 *
 * Every loop is bounded by a count and by --deadline.  Benchmark code, not
 * shipped.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "batch.h"
#include "frame.h"
#include "keys.h"
#include "wire.h"

#define WINDOW_MAX	  64
#define RESEND_TIMEOUT_MS 30000.0 /* chiso-agent's default agent.resend_timeout_ms */

/* A batch sent and not yet acknowledged. */
struct pending {
	uint64_t seq;
	size_t first, n;  /* rows [first, first + n) of the collector's rows */
	double sent_ms;	  /* first send: latency counts from here, resends included */
	double resend_ms; /* > 0: RETRY asked us to send again at this time */
	double last_ms;	  /* last send, for the resend timeout */
};

struct collector {
	char name[65];
	char unit[BATCH_UNIT_MAX + 1];
	long no; /* 1-based, the k of the value formula */
	void *sock;
	bool welcomed, dead;
	double hello_ms; /* last HELLO sent */
	uint64_t next_seq;
	size_t next_row; /* first row not yet sent */
	int inflight;
	struct pending win[WINDOW_MAX];
};

struct options {
	const char *endpoint, *server_key, *keys_dir, *agents_file;
	long indicators, years, year0, batch_rows, window;
	double rate;		 /* rows per second, 0: as fast as acks allow */
	double deadline;	 /* seconds for the whole run */
	double hold;		 /* seconds to wait once every collector is welcomed */
	const char *start_file;	 /* then wait for this file (a barrier across processes) */
	double connect_deadline; /* seconds; collectors not welcomed by then sit out */
	uint64_t epoch;
};

struct figures {
	long connected, batches, acks, retries, resends, errors, rejected;
	long rows_sent, rows_acked;
	double *lat; /* ms per acknowledged batch */
	size_t nlat, latcap;
};

struct load {
	struct options opt;
	struct collector *c;
	size_t n;
	size_t rows_each;
	void *ctx;
	zmq_pollitem_t *items;
	struct figures fg;
	int width; /* digits of the indicator codes */
};

static void die(const char *fmt, const char *arg)
{
	fprintf(stderr, "chiso-load: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	exit(2);
}

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1000.0 + (double)t.tv_nsec / 1e6;
}

/* keygen N DIR PREFIX: the keypairs of N collectors through lib/keys.c. */
static int keygen(long n, const char *dir, const char *prefix)
{
	char name[64], path[4096], pub[KEYS_Z85_LEN + 1], err[256];

	for (long i = 1; i <= n; i++) {
		snprintf(name, sizeof name, "%s%05ld", prefix, i);
		snprintf(path, sizeof path, "%s/%s.pub", dir, name);
		if (keys_generate(dir, name, err, sizeof err) < 0 ||
		    keys_read_public(path, pub, err, sizeof err) < 0)
			die("%s", err);
		printf("%s %s\n", name, pub);
	}
	return 0;
}

static void load_agents(struct load *L)
{
	FILE *f = fopen(L->opt.agents_file, "r");
	char name[65], unit[BATCH_UNIT_MAX + 1];
	size_t cap = 64;

	if (!f)
		die("cannot open %s", L->opt.agents_file);
	L->c = calloc(cap, sizeof *L->c);
	while (L->c && fscanf(f, "%64s %16s", name, unit) == 2) {
		if (L->n == cap) {
			cap *= 2;
			struct collector *c = realloc(L->c, cap * sizeof *c);
			if (!c)
				die("%s", "out of memory");
			L->c = c;
		}
		struct collector *c = &L->c[L->n++];
		memset(c, 0, sizeof *c);
		snprintf(c->name, sizeof c->name, "%s", name);
		snprintf(c->unit, sizeof c->unit, "%s", unit);
		c->no = (long)L->n;
		c->next_seq = 1;
	}
	fclose(f);
	if (!L->c || L->n == 0)
		die("no collectors in %s", L->opt.agents_file);
}

/* Through the wire module the agent uses, so the load measures the real framing. */
static void send_message(void *sock, enum wire_command cmd, const char *body)
{
	frame_send(sock, NULL, 0, 1, cmd, body, strlen(body), 0);
}

static void send_hello(struct load *L, struct collector *c);

static void open_collector(struct load *L, struct collector *c)
{
	char path[4096], server[KEYS_Z85_LEN + 1], err[256];
	struct keypair kp;
	int zero = 0, hb = 10000;

	snprintf(path, sizeof path, "%s/%s.key", L->opt.keys_dir, c->name);
	if (keys_read_secret(path, &kp, err, sizeof err) < 0 ||
	    keys_read_public(L->opt.server_key, server, err, sizeof err) < 0)
		die("%s", err);
	c->sock = zmq_socket(L->ctx, ZMQ_DEALER);
	if (!c->sock)
		die("zmq_socket: %s (raise ZMQ_MAX_SOCKETS or ulimit -n)",
		    zmq_strerror(zmq_errno()));
	zmq_setsockopt(c->sock, ZMQ_LINGER, &zero, sizeof zero);
	zmq_setsockopt(c->sock, ZMQ_HEARTBEAT_IVL, &hb, sizeof hb);
	zmq_setsockopt(c->sock, ZMQ_ROUTING_ID, c->name, strlen(c->name));
	zmq_setsockopt(c->sock, ZMQ_CURVE_SERVERKEY, server, 41);
	zmq_setsockopt(c->sock, ZMQ_CURVE_PUBLICKEY, kp.public_key, 41);
	zmq_setsockopt(c->sock, ZMQ_CURVE_SECRETKEY, kp.secret_key, 41);
	memset(&kp, 0, sizeof kp);
	if (zmq_connect(c->sock, L->opt.endpoint) < 0)
		die("cannot connect to %s", L->opt.endpoint);
	send_hello(L, c);
}

/*
 * HELLO, and again while no WELCOME came: under a flood of handshakes libzmq
 * may drop a connection whose handshake took too long, and the new one needs
 * its own HELLO (chiso-agent sends one on every handshake it sees).
 */
static void send_hello(struct load *L, struct collector *c)
{

	struct wire_hello h = {.epoch = L->opt.epoch, .backlog_rows = L->rows_each};
	snprintf(h.agent, sizeof h.agent, "chiso-load %s", CHISO_VERSION);
	char *body = wire_hello_encode(&h);
	if (!body)
		die("%s", "out of memory");
	send_message(c->sock, WIRE_HELLO, body);
	free(body);
	c->hello_ms = now_ms();
}

/* Sends rows [p->first, p->first + p->n) of collector c as batch p->seq. */
static void send_batch(struct load *L, struct collector *c, const struct pending *p)
{
	struct batch *b = batch_new(p->n);
	long ny = L->opt.years;

	if (!b)
		die("%s", "out of memory");
	b->epoch = L->opt.epoch;
	b->seq = p->seq;
	for (size_t r = 0; r < p->n; r++) {
		struct batch_row *row = &b->rows[r];
		long k = (long)(p->first + r), i = k / ny + 1, y = L->opt.year0 + k % ny;
		long v = (c->no * 1000003L + i * 7919L + y * 31L) % 99991L;
		snprintf(row->unit, sizeof row->unit, "%s", c->unit);
		snprintf(row->indicator, sizeof row->indicator, "f%0*ld", L->width, i);
		snprintf(row->period, sizeof row->period, "%ld", y);
		snprintf(row->value.text, sizeof row->value.text, "%ld", v);
		row->value.value = (double)v;
		row->value.integer = true;
	}
	char *body = batch_encode(b);
	batch_destroy(&b);
	if (!body)
		die("%s", "out of memory");
	send_message(c->sock, WIRE_BATCH, body);
	free(body);
	L->fg.batches++;
}

static void record_latency(struct figures *fg, double ms)
{
	if (fg->nlat == fg->latcap) {
		fg->latcap = fg->latcap ? 2 * fg->latcap : 4096;
		double *l = realloc(fg->lat, fg->latcap * sizeof *l);
		if (!l)
			die("%s", "out of memory");
		fg->lat = l;
	}
	fg->lat[fg->nlat++] = ms;
}

static struct pending *find_pending(struct collector *c, uint64_t seq)
{
	for (int i = 0; i < c->inflight; i++)
		if (c->win[i].seq == seq)
			return &c->win[i];
	return NULL;
}

/* Whom a message read by receive() is for. */
struct load_rx {
	struct load *L;
	struct collector *c;
};

/* Acts on one message from the daemon (frame_recv's callback); bad framing is ignored. */
static void handle(const struct frame_in *in, void *ctx)
{
	struct load *L = ((struct load_rx *)ctx)->L;
	struct collector *c = ((struct load_rx *)ctx)->c;
	const char *body = in->body;
	size_t len = in->len;
	int cmd = in->status == FRAME_OK ? in->cmd : -1;
	char err[256];

	if (cmd == WIRE_WELCOME) {
		if (!c->welcomed)
			L->fg.connected++;
		c->welcomed = true;
	} else if (cmd == WIRE_ACK) {
		struct batch_ack a = {0};
		if (batch_ack_decode(body, len, NULL, &a, err, sizeof err) < 0)
			die("bad ACK: %s", err);
		struct pending *p = find_pending(c, a.seq);
		if (p) {
			record_latency(&L->fg, now_ms() - p->sent_ms);
			L->fg.acks++;
			L->fg.rows_acked += (long)p->n;
			L->fg.rejected += (long)a.nrejected;
			*p = c->win[--c->inflight];
		}
		batch_ack_clear(&a);
	} else if (cmd == WIRE_RETRY) {
		struct wire_retry r;
		if (wire_retry_decode(body, len, NULL, &r, err, sizeof err) < 0)
			die("bad RETRY: %s", err);
		struct pending *p = find_pending(c, r.seq);
		if (p)
			p->resend_ms = now_ms() + r.after_ms;
		L->fg.retries++;
	} else if (cmd == WIRE_ERROR) {
		fprintf(stderr, "chiso-load: %s: ERROR %.*s\n", c->name, (int)len, body);
		L->fg.errors++;
		c->dead = true;
	}
}

/* Reads every message waiting on c's socket. */
static void receive(struct load *L, struct collector *c)
{
	struct load_rx rx = {L, c};

	while (frame_recv(c->sock, false, 0, handle, &rx) > 0)
		;
}

/* Sends what the window, the rate and RETRY pauses allow; returns rows first sent. */
static long pump(struct load *L, struct collector *c, double t, long allowed)
{
	long sent = 0;

	for (int i = 0; i < c->inflight; i++) {
		struct pending *p = &c->win[i];
		/* as chiso-agent: again after a RETRY's pause, or when no answer came
		 * (an ACK sent while the connection was being replaced is lost) */
		if ((p->resend_ms > 0 && t >= p->resend_ms) ||
		    (p->resend_ms == 0 && t - p->last_ms > RESEND_TIMEOUT_MS)) {
			p->resend_ms = 0;
			p->last_ms = t;
			send_batch(L, c, p);
			L->fg.resends++;
		}
	}
	while (!c->dead && c->welcomed && c->inflight < L->opt.window &&
	       c->next_row < L->rows_each && sent < allowed) {
		struct pending *p = &c->win[c->inflight++];
		size_t left = L->rows_each - c->next_row;
		p->seq = c->next_seq++;
		p->first = c->next_row;
		p->n = left < (size_t)L->opt.batch_rows ? left : (size_t)L->opt.batch_rows;
		p->sent_ms = t;
		p->last_ms = t;
		p->resend_ms = 0;
		c->next_row += p->n;
		send_batch(L, c, p);
		sent += (long)p->n;
	}
	return sent;
}

static bool finished(const struct load *L)
{
	for (size_t i = 0; i < L->n; i++) {
		const struct collector *c = &L->c[i];
		if (!c->dead && (c->next_row < L->rows_each || c->inflight > 0))
			return false;
	}
	return true;
}

static void poll_all(struct load *L, int timeout_ms)
{
	if (zmq_poll(L->items, (int)L->n, timeout_ms) <= 0)
		return;
	for (size_t i = 0; i < L->n; i++)
		if (L->items[i].revents & ZMQ_POLLIN)
			receive(L, &L->c[i]);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double percentile(const struct figures *fg, double q)
{
	if (fg->nlat == 0)
		return 0;
	size_t k = (size_t)(q * (double)(fg->nlat - 1) + 0.5);
	return fg->lat[k];
}

/* Reads the agents, then opens one socket per collector and sends its HELLO. */
static void load_open(struct load *L)
{
	struct options *o = &L->opt;

	load_agents(L);
	L->rows_each = (size_t)(o->indicators * o->years);
	L->width = snprintf(NULL, 0, "%ld", o->indicators);
	L->ctx = zmq_ctx_new();
	/* one socket per collector: the default limit of 1 023 is too small */
	if (!L->ctx || zmq_ctx_set(L->ctx, ZMQ_MAX_SOCKETS, (int)L->n + 64) < 0)
		die("zmq_ctx_set(ZMQ_MAX_SOCKETS): %s", zmq_strerror(zmq_errno()));
	L->items = calloc(L->n, sizeof *L->items);
	if (!L->items)
		die("%s", "out of memory");
	for (size_t i = 0; i < L->n; i++) {
		open_collector(L, &L->c[i]);
		L->items[i] = (zmq_pollitem_t){L->c[i].sock, 0, ZMQ_POLLIN, 0};
	}
}

/* Waits for every WELCOME until the connect deadline (or the run's), saying
 * HELLO again every 15 s; collectors not welcomed by then sit out.  Returns the
 * time the wait ended. */
static double load_connect(struct load *L, double t0, double stop, double *last_progress)
{
	struct options *o = &L->opt;
	double cstop = o->connect_deadline > 0 ? t0 + o->connect_deadline * 1000.0 : stop;

	while (L->fg.connected < (long)L->n && now_ms() < stop && now_ms() < cstop) {
		poll_all(L, 100);
		for (size_t i = 0; i < L->n; i++)
			if (!L->c[i].welcomed && now_ms() - L->c[i].hello_ms > 15000)
				send_hello(L, &L->c[i]);
		if (now_ms() - *last_progress > 5000) {
			*last_progress = now_ms();
			fprintf(stderr, "chiso-load: %ld of %zu collectors welcomed\n",
				L->fg.connected, L->n);
		}
	}
	double t_conn = now_ms();
	for (size_t i = 0; i < L->n; i++)
		if (!L->c[i].welcomed)
			L->c[i].dead = true;
	printf("connected: %ld of %zu in %.1f s\n", L->fg.connected, L->n, (t_conn - t0) / 1000);
	fflush(stdout);
	return t_conn;
}

/* Sends every collector's rows at the --rate (round robin, so no collector
 * starves) until all are acknowledged or the deadline; returns the seconds it
 * took. */
static double load_send(struct load *L, double stop, double *last_progress)
{
	struct options *o = &L->opt;
	double start = now_ms();
	long first_sent = 0;
	size_t rr = 0;

	while (!finished(L) && now_ms() < stop) {
		double t = now_ms();
		long allowed = o->rate > 0 ? (long)(o->rate * (t - start) / 1000.0) - first_sent
					   : (long)1 << 62;
		for (size_t k = 0; k < L->n; k++) {
			struct collector *c = &L->c[(rr + k) % L->n];
			long s = pump(L, c, t, allowed);
			first_sent += s;
			allowed -= s;
		}
		rr++;
		poll_all(L, o->rate > 0 ? 1 : 10);
		if (now_ms() - *last_progress > 5000) {
			*last_progress = now_ms();
			fprintf(stderr, "chiso-load: %ld of %zu rows acknowledged\n",
				L->fg.rows_acked, L->rows_each * L->n);
		}
	}
	double secs = (now_ms() - start) / 1000.0;
	L->fg.rows_sent = first_sent;
	return secs;
}

/* Prints the one summary line the benchmark scripts parse. */
static void load_report(struct load *L, double secs, bool done)
{
	qsort(L->fg.lat, L->fg.nlat, sizeof *L->fg.lat, cmp_double);
	printf(
	    "load: collectors=%zu connected=%ld rows_sent=%ld rows_acked=%ld rejected=%ld "
	    "batches=%ld acks=%ld retries=%ld resends=%ld errors=%ld seconds=%.3f rows_per_s=%.0f "
	    "lat_p50_ms=%.1f lat_p99_ms=%.1f lat_max_ms=%.1f finished=%s\n",
	    L->n, L->fg.connected, L->fg.rows_sent, L->fg.rows_acked, L->fg.rejected, L->fg.batches,
	    L->fg.acks, L->fg.retries, L->fg.resends, L->fg.errors, secs,
	    secs > 0 ? (double)L->fg.rows_acked / secs : 0, percentile(&L->fg, 0.50),
	    percentile(&L->fg, 0.99), percentile(&L->fg, 1.0), done ? "yes" : "no");
}

static int run(struct load *L)
{
	struct options *o = &L->opt;
	double t0 = now_ms(), stop = t0 + o->deadline * 1000.0, last_progress = t0;

	load_open(L);
	double t_conn = load_connect(L, t0, stop, &last_progress);
	while (o->hold > 0 && now_ms() < t_conn + o->hold * 1000.0 && now_ms() < stop)
		poll_all(L, 100);
	while (o->start_file && access(o->start_file, F_OK) < 0 && now_ms() < stop)
		poll_all(L, 100);

	double secs = load_send(L, stop, &last_progress);
	bool done = finished(L) && L->fg.errors == 0;
	load_report(L, secs, done);
	for (size_t i = 0; i < L->n; i++)
		zmq_close(L->c[i].sock);
	zmq_ctx_term(L->ctx);
	free(L->items);
	free(L->c);
	free(L->fg.lat);
	return done ? 0 : 1;
}

static void usage(void)
{
	fputs("usage: chiso-load keygen N DIR PREFIX\n"
	      "       chiso-load run --endpoint E --server-key FILE --keys DIR --agents FILE\n"
	      "                      [--indicators I] [--years Y] [--year0 Y0] [--batch-rows B]\n"
	      "                      [--window W] [--rate ROWS/S] [--deadline S] [--hold S]\n"
	      "                      [--epoch E] [--start-file PATH]\n"
	      "                      [--connect-deadline S]\n",
	      stderr);
	exit(2);
}

/* Sets the option of getopt's ch from optarg; usage() for an unknown one. */
static void set_option(struct options *o, int ch)
{
	switch (ch) {
	case 'e':
		o->endpoint = optarg;
		break;
	case 's':
		o->server_key = optarg;
		break;
	case 'k':
		o->keys_dir = optarg;
		break;
	case 'a':
		o->agents_file = optarg;
		break;
	case 'i':
		o->indicators = strtol(optarg, NULL, 10);
		break;
	case 'y':
		o->years = strtol(optarg, NULL, 10);
		break;
	case '0':
		o->year0 = strtol(optarg, NULL, 10);
		break;
	case 'b':
		o->batch_rows = strtol(optarg, NULL, 10);
		break;
	case 'w':
		o->window = strtol(optarg, NULL, 10);
		break;
	case 'r':
		o->rate = strtod(optarg, NULL);
		break;
	case 'd':
		o->deadline = strtod(optarg, NULL);
		break;
	case 'h':
		o->hold = strtod(optarg, NULL);
		break;
	case 'E':
		o->epoch = strtoull(optarg, NULL, 10);
		break;
	case 'S':
		o->start_file = optarg;
		break;
	case 'C':
		o->connect_deadline = strtod(optarg, NULL);
		break;
	default:
		usage();
	}
}

/* Reads the options of "run" (argv[2] on) into *o, with their defaults; usage() if unusable. */
static void parse_options(struct options *o, int argc, char **argv)
{
	static const struct option longopts[] = {{"endpoint", required_argument, NULL, 'e'},
						 {"server-key", required_argument, NULL, 's'},
						 {"keys", required_argument, NULL, 'k'},
						 {"agents", required_argument, NULL, 'a'},
						 {"indicators", required_argument, NULL, 'i'},
						 {"years", required_argument, NULL, 'y'},
						 {"year0", required_argument, NULL, '0'},
						 {"batch-rows", required_argument, NULL, 'b'},
						 {"window", required_argument, NULL, 'w'},
						 {"rate", required_argument, NULL, 'r'},
						 {"deadline", required_argument, NULL, 'd'},
						 {"hold", required_argument, NULL, 'h'},
						 {"epoch", required_argument, NULL, 'E'},
						 {"start-file", required_argument, NULL, 'S'},
						 {"connect-deadline", required_argument, NULL, 'C'},
						 {NULL, 0, NULL, 0}};
	int ch;

	*o = (struct options){.indicators = 100,
			      .years = 1,
			      .year0 = 2000,
			      .batch_rows = 1000,
			      .window = 8,
			      .deadline = 600,
			      .epoch = (uint64_t)time(NULL)};
	optind = 2;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1)
		set_option(o, ch);
	if (!o->endpoint || !o->server_key || !o->keys_dir || !o->agents_file ||
	    o->indicators < 1 || o->years < 1 || o->batch_rows < 1 || o->window < 1 ||
	    o->window > WINDOW_MAX || o->deadline <= 0)
		usage();
}

int main(int argc, char **argv)
{
	static struct load L;

	if (argc == 5 && strcmp(argv[1], "keygen") == 0)
		return keygen(strtol(argv[2], NULL, 10), argv[3], argv[4]);
	if (argc < 2 || strcmp(argv[1], "run") != 0)
		usage();
	parse_options(&L.opt, argc, argv);
	return run(&L);
}
