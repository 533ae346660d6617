/*
 * writer: chisod's database thread.
 *
 * The main thread must keep answering peers (ZAP handshakes, PING, RETRY)
 * while a commit runs or while PostgreSQL is away, so every database call
 * happens on this one thread.  The two talk over an inproc PAIR socket in
 * fixed-size messages that carry pointers: whoever receives a pointer owns it.
 * The writer reconnects with doubling pauses (and says why it failed, once per
 * pause length), reloads the catalogue and the collector registry when
 * PostgreSQL notifies a change, and answers a job it cannot commit with
 * JOB_RETRY (the batch keys make any retry harmless).  Its connection is for
 * ingest only: deadlines, closing and scheduled publication run on the
 * housekeeper's (housekeeper.h), so that none of them delays an ACK.
 */
#ifndef CHISOD_WRITER_H
#define CHISOD_WRITER_H

#include <stdint.h>

#include "catalog.h"
#include "job.h"
#include "registry.h"
#include "srvconf.h"

enum writer_event {
	WRITER_JOB_DONE, /* ptr: struct job * (result set) */
	WRITER_DB_UP,
	WRITER_DB_DOWN,	       /* text: why */
	WRITER_CATALOG,	       /* ptr: struct catalog *, ptr2: char * (its JSON) */
	WRITER_REGISTRY,       /* ptr: struct registry * or NULL (the read failed); gen */
	WRITER_CONNECT_FAILED, /* text: libpq's reason (each failed attempt, logged by step) */
};

struct writer_msg {
	int type; /* enum writer_event, or a command to the writer */
	void *ptr;
	void *ptr2;
	uint64_t gen; /* a registry's read generation: writer_collectors's, or 0 */
	char text[240];
};

struct writer;

/*
 * Starts the thread with its own connection settings copied from conf.
 * ctx is the ZeroMQ context (borrowed).  NULL with err on failure.
 */
struct writer *writer_start(void *ctx, const struct srvconf *conf, char *err, size_t errsize);
/*
 * Cancels the statement the writer is running, if any (SIGTERM during a
 * commit), and makes it take no further job: a job it is handed afterwards
 * comes back JOB_RETRY untried.  Does not wait: the cancel is sent from a
 * thread of its own (a failure to reach the server is logged there).  0, or
 * -1 if it could not be started (logged).
 */
int writer_cancel(struct writer *w);
/*
 * Stops the thread after its current call (cancelled if one is running),
 * frees everything, sets *wp to NULL.
 */
void writer_stop(struct writer **wp);
/* The main thread's end of the pipe, for zmq_poll. */
void *writer_socket(struct writer *w);
/* Hands a job to the writer (takes ownership of *jp); 0 or -1. */
int writer_submit(struct writer *w, struct job **jp);
/* Asks for the daemon's counters (JSON, takes ownership of *jsonp) to be recorded. */
int writer_status(struct writer *w, char **jsonp);
/* Asks for the catalogue and registry to be reloaded (SIGHUP). */
int writer_reload(struct writer *w);
/*
 * Asks for the collectors alone to be read now, for the ZAP handler's parked
 * requests (zapq.h): the registry comes back as WRITER_REGISTRY with this
 * gen, or with ptr NULL if it could not be read.  0 or -1.
 */
int writer_collectors(struct writer *w, uint64_t gen);
/* Receives one event (call when writer_socket is readable); 0 or -1. */
int writer_recv(struct writer *w, struct writer_msg *m);

#endif
