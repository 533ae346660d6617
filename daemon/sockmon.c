/*
 * sockmon: the ROUTER's accept failures, counted and said (see sockmon.h).
 */
#include "sockmon.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "log.h"
#include "ratelimit.h"

#define SOCKMON_ENDPOINT "inproc://chisod-monitor"
/*
 * Events the monitor's queue holds before libzmq's I/O thread blocks on it
 * (the receiving end's share; libzmq adds the sender's 1000).  About a second
 * of a flood of failing accepts: a main loop busy for a moment does not stall
 * the I/O thread, which serves the connected agents too.
 */
#define SOCKMON_RCVHWM 100000

struct sockmon {
	void *router; /* borrowed */
	void *pair;   /* receives the monitor's events */
	struct ratelimit limit;
};

struct sockmon *sockmon_new(void *ctx, void *router, char *err, size_t errsize)
{
	struct sockmon *m = calloc(1, sizeof *m);
	int zero = 0, hwm = SOCKMON_RCVHWM;

	if (!m) {
		snprintf(err, errsize, "out of memory");
		return NULL;
	}
	m->router = router;
	if (zmq_socket_monitor(router, SOCKMON_ENDPOINT, ZMQ_EVENT_ACCEPT_FAILED) < 0 ||
	    (m->pair = zmq_socket(ctx, ZMQ_PAIR)) == NULL ||
	    zmq_setsockopt(m->pair, ZMQ_LINGER, &zero, sizeof zero) < 0 ||
	    zmq_setsockopt(m->pair, ZMQ_RCVHWM, &hwm, sizeof hwm) < 0 ||
	    zmq_connect(m->pair, SOCKMON_ENDPOINT) < 0) {
		snprintf(err, errsize, "socket monitor: %s", zmq_strerror(zmq_errno()));
		sockmon_destroy(&m);
		return NULL;
	}
	return m;
}

struct sockmon_drain {
	void *pair;
	atomic_bool done;
};

/* Reads the monitor's queue empty until told to stop (sockmon_destroy). */
static void *sockmon_drain_main(void *arg)
{
	struct sockmon_drain *d = arg;
	zmq_msg_t f;

	zmq_msg_init(&f);
	while (!atomic_load(&d->done)) {
		zmq_pollitem_t item = {d->pair, 0, ZMQ_POLLIN, 0};
		if (zmq_poll(&item, 1, 10) > 0)
			while (zmq_msg_recv(&f, d->pair, ZMQ_DONTWAIT) >= 0)
				;
	}
	zmq_msg_close(&f);
	return NULL;
}

/*
 * libzmq sends a monitor event with a blocking send while holding the lock
 * that zmq_socket_monitor(router, NULL, 0) takes (libzmq#3575).  During a
 * flood of failing accepts the queue fills at once when nobody reads it, the
 * I/O thread waits on it holding that lock, and stopping the monitor would
 * wait for ever.  So a short-lived thread reads the queue empty while the
 * monitor is stopped; the PAIR belongs to it until it is joined.
 */
void sockmon_destroy(struct sockmon **mp)
{
	struct sockmon *m;
	struct sockmon_drain d = {0};
	pthread_t t;
	bool draining = false;

	if (!mp || !*mp)
		return;
	m = *mp;
	if (m->pair) {
		d.pair = m->pair;
		atomic_init(&d.done, false);
		draining = pthread_create(&t, NULL, sockmon_drain_main, &d) == 0;
	}
	zmq_socket_monitor(m->router, NULL, 0);
	if (draining) {
		atomic_store(&d.done, true);
		pthread_join(t, NULL);
	}
	if (m->pair)
		zmq_close(m->pair);
	free(m);
	*mp = NULL;
}

void *sockmon_socket(struct sockmon *m)
{
	return m->pair;
}

/*
 * Reads one event: two frames, the first of 6 bytes (event number, then the
 * errno as a 32-bit value), the second the endpoint; *event is 0 if the
 * message was not such an event.  0, or -1 if none is left.
 */
static int sockmon_read(struct sockmon *m, uint16_t *event, uint32_t *value)
{
	zmq_msg_t f;
	int more;

	*event = 0;
	zmq_msg_init(&f);
	if (zmq_msg_recv(&f, m->pair, ZMQ_DONTWAIT) < 0) {
		zmq_msg_close(&f);
		return -1;
	}
	if (zmq_msg_size(&f) == 6) {
		const unsigned char *d = zmq_msg_data(&f);
		memcpy(event, d, sizeof *event);
		memcpy(value, d + 2, sizeof *value);
	}
	more = zmq_msg_more(&f);
	zmq_msg_close(&f);
	while (more) { /* the endpoint: not needed, the ROUTER has one */
		zmq_msg_init(&f);
		if (zmq_msg_recv(&f, m->pair, ZMQ_DONTWAIT) < 0)
			more = 0;
		else
			more = zmq_msg_more(&f);
		zmq_msg_close(&f);
	}
	return 0;
}

void sockmon_handle(struct sockmon *m, int64_t now_ms, uint64_t *failures)
{
	uint16_t event;
	uint32_t value;

	/* A bounded number per turn: the loop has agents to answer too. */
	for (int i = 0; i < 1024 && sockmon_read(m, &event, &value) == 0; i++) {
		uint64_t held;
		if (event != ZMQ_EVENT_ACCEPT_FAILED)
			continue;
		(*failures)++;
		if (!ratelimit_allow(&m->limit, now_ms, SOCKMON_LOG_MS, 1, &held))
			continue;
		if (held)
			log_err("cannot accept a collector's connection: %s (%llu more since the "
				"last such line); raise LimitNOFILE if it is EMFILE",
				strerror((int)value), (unsigned long long)held);
		else
			log_err("cannot accept a collector's connection: %s; raise LimitNOFILE if "
				"it is EMFILE",
				strerror((int)value));
	}
}
