/*
 * libchiso_fault.so: the fault suite's lost ACKs, preloaded into an agent.
 *
 * With CHISO_FAULT_DROP_ACKS=N (0-100) in the environment and this library in
 * LD_PRELOAD, about N % of the ACK messages an agent receives vanish before the
 * agent sees them, as if the line had lost them, so that batches already
 * committed are sent again (t_fault_link, docs/reliability.md).  The shipped
 * agent has no fault code: the switch lives here, in a test-only build product.
 *
 * It wraps zmq_msg_recv (and zmq_recv, zmq_recvmsg, which an agent might use
 * instead) and finds the real ones with dlsym(RTLD_NEXT).  A message of the
 * protocol is [tag "CHISO/n"][command][body]: when the first frame of a message
 * is the tag, the wrapper reads the command frame itself; an ACK picked to be
 * lost is read to its end and the next message is returned instead (or EAGAIN,
 * as the real call would say with ZMQ_DONTWAIT); any other command frame is
 * kept and returned by the next call on that socket.  libzmq is not linked:
 * every zmq_* function is looked up the same way, so the library costs nothing
 * to a process that never loads libzmq.
 *
 * Built without sanitizers; an AddressSanitizer agent needs
 * ASAN_OPTIONS=verify_asan_link_order=0 to accept a library loaded before its
 * runtime (the test sets it).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

/* Every version's tag ("CHISO/1", "CHISO/2" ...): matching only the first one
 * let a version-2 agent see every ACK, and the tests lost no ACK at all. */
#define FAULT_TAG_FAMILY "CHISO/"
/* Sockets tracked at once; an agent reads from two (the dealer, its monitor). */
#define FAULT_SOCKETS 16

struct fault_socket {
	void *sock;
	bool mid;     /* the last frame returned had MORE: the next is no message start */
	bool stashed; /* held holds the command frame to return next */
	zmq_msg_t held;
};

static struct {
	int (*msg_recv)(zmq_msg_t *, void *, int);
	int (*recv)(void *, void *, size_t, int);
	int (*msg_init)(zmq_msg_t *);
	int (*msg_close)(zmq_msg_t *);
	int (*msg_move)(zmq_msg_t *, zmq_msg_t *);
	int (*msg_more)(const zmq_msg_t *);
	void *(*msg_data)(zmq_msg_t *);
	size_t (*msg_size)(const zmq_msg_t *);
	int pct; /* 0: off */
	uint64_t rand, dropped;
	pthread_mutex_t lock;
	struct fault_socket socks[FAULT_SOCKETS];
} F = {.lock = PTHREAD_MUTEX_INITIALIZER};

static void *fault_real(const char *name)
{
	void *f = dlsym(RTLD_NEXT, name);
	if (!f) {
		fprintf(stderr, "libchiso_fault: no %s: %s\n", name, dlerror());
		abort();
	}
	return f;
}

__attribute__((constructor)) static void fault_init(void)
{
	const char *v = getenv("CHISO_FAULT_DROP_ACKS");

	if (!v || !*v)
		return;
	F.pct = atoi(v);
	if (F.pct < 0 || F.pct > 100)
		F.pct = 0;
	F.rand = (uint64_t)time(NULL) * 6364136223846793005u ^ (uint64_t)getpid();
	fprintf(stderr,
		"%s: warning: FAULT INJECTION: %d%% of the province's ACKs will be "
		"ignored (CHISO_FAULT_DROP_ACKS)\n",
		program_invocation_short_name, F.pct);
}

__attribute__((destructor)) static void fault_fini(void)
{
	if (F.pct > 0)
		fprintf(stderr, "%s: warning: fault injection: %llu ACKs ignored\n",
			program_invocation_short_name, (unsigned long long)F.dropped);
}

/* The real functions, found on first use (a process may load libzmq late). */
static void fault_resolve(void)
{
	if (F.msg_recv)
		return;
	F.msg_init = fault_real("zmq_msg_init");
	F.msg_close = fault_real("zmq_msg_close");
	F.msg_move = fault_real("zmq_msg_move");
	F.msg_more = fault_real("zmq_msg_more");
	F.msg_data = fault_real("zmq_msg_data");
	F.msg_size = fault_real("zmq_msg_size");
	F.recv = fault_real("zmq_recv");
	F.msg_recv = fault_real("zmq_msg_recv");
}

/* Whether to lose this ACK: a xorshift draw, seeded per process. */
static bool fault_pick(void)
{
	F.rand ^= F.rand << 13;
	F.rand ^= F.rand >> 7;
	F.rand ^= F.rand << 17;
	return (int)(F.rand % 100) < F.pct;
}

static struct fault_socket *fault_socket(void *sock)
{
	struct fault_socket *free_slot = NULL;

	for (size_t i = 0; i < FAULT_SOCKETS; i++) {
		if (F.socks[i].sock == sock)
			return &F.socks[i];
		if (!F.socks[i].sock && !free_slot)
			free_slot = &F.socks[i];
	}
	if (free_slot)
		free_slot->sock = sock;
	return free_slot;
}

static bool fault_is(zmq_msg_t *m, const char *text)
{
	size_t n = strlen(text);
	return F.msg_size(m) == n && memcmp(F.msg_data(m), text, n) == 0;
}

/* Whether m is a protocol tag of any version. */
static bool fault_is_tag(zmq_msg_t *m)
{
	size_t n = strlen(FAULT_TAG_FAMILY);
	return F.msg_size(m) > n && memcmp(F.msg_data(m), FAULT_TAG_FAMILY, n) == 0;
}

/* Reads and discards the rest of a message whose last frame read was m. */
static void fault_skip(zmq_msg_t *m, void *sock)
{
	while (F.msg_more(m)) {
		F.msg_close(m);
		F.msg_init(m);
		if (F.msg_recv(m, sock, 0) < 0)
			break;
	}
	F.msg_close(m);
}

/* zmq_msg_recv with the losses; called with F.lock held and F resolved. */
static int fault_recv(struct fault_socket *fs, zmq_msg_t *msg, void *sock, int flags)
{
	for (;;) {
		if (fs->stashed) {
			fs->stashed = false;
			F.msg_move(msg, &fs->held); /* releases what msg held */
			F.msg_close(&fs->held);
			fs->mid = F.msg_more(msg);
			return (int)F.msg_size(msg);
		}
		int rc = F.msg_recv(msg, sock, flags);
		if (rc < 0)
			return rc;
		bool start = !fs->mid;
		fs->mid = F.msg_more(msg);
		if (!start || !fs->mid || !fault_is_tag(msg))
			return rc;
		/* The rest of a message is there once its first frame is. */
		F.msg_init(&fs->held);
		if (F.msg_recv(&fs->held, sock, 0) < 0) {
			F.msg_close(&fs->held);
			return rc;
		}
		if (!fault_is(&fs->held, "ACK") || !fault_pick()) {
			fs->stashed = true;
			return rc;
		}
		fault_skip(&fs->held, sock);
		fs->mid = false;
		F.dropped++;
	}
}

int zmq_msg_recv(zmq_msg_t *msg, void *sock, int flags)
{
	fault_resolve();
	if (F.pct == 0)
		return F.msg_recv(msg, sock, flags);
	pthread_mutex_lock(&F.lock);
	struct fault_socket *fs = fault_socket(sock);
	int rc = fs ? fault_recv(fs, msg, sock, flags) : F.msg_recv(msg, sock, flags);
	int e = errno;
	pthread_mutex_unlock(&F.lock);
	errno = e;
	return rc;
}

int zmq_recvmsg(void *sock, zmq_msg_t *msg, int flags)
{
	return zmq_msg_recv(msg, sock, flags);
}

int zmq_recv(void *sock, void *buf, size_t len, int flags)
{
	zmq_msg_t m;

	fault_resolve();
	if (F.pct == 0)
		return F.recv(sock, buf, len, flags);
	F.msg_init(&m);
	int rc = zmq_msg_recv(&m, sock, flags);
	if (rc >= 0) {
		size_t n = F.msg_size(&m);
		memcpy(buf, F.msg_data(&m), n < len ? n : len);
	}
	int e = errno;
	F.msg_close(&m);
	errno = e;
	return rc;
}
