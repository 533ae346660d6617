/*
 * chiso-relay: a TCP relay between agents and chisod that breaks the link on
 * command, for the fault suite (tests/integration/t_fault_link.sh).  The
 * traffic is CURVE-encrypted, so the relay cannot pick messages: it breaks
 * the byte stream, as a bad line does.
 *
 *   chiso-relay LISTEN_PORT TARGET_PORT [-c CHUNK] [-d MS]
 *
 * Bytes are forwarded in pieces of 1 .. CHUNK bytes (default 4096), each
 * delayed by 0 .. MS milliseconds (default 0), so ZeroMQ frames arrive cut at
 * random places and late.  Signals:
 *   SIGUSR1  cut every connection (both sides closed at once): a dropped line
 *   SIGUSR2  make every current connection half-open: the relay stops reading
 *            and writing them but keeps the sockets open, so neither end sees
 *            a close; only heartbeats can tell.  New connections work.
 *   SIGTERM  exit
 * On exit it prints the bytes forwarded and the connections cut and frozen.
 * Loopback only; bounded to 256 connections.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_PAIRS 256

struct pair {
	int fd[2]; /* 0: the agent's side, 1: chisod's side */
	int frozen;
};

/* The relay's state, passed to each step of the loop. */
struct relay {
	int lfd, target_port;
	size_t chunk;
	int delay_ms;
	struct pair pairs[MAX_PAIRS];
	size_t npairs;
	unsigned long long forwarded, cuts, frozen_count;
};

/* Set by the signal handler, acted on by the loop. */
static volatile sig_atomic_t cut_all, freeze_all, stop;

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		cut_all = 1;
	else if (sig == SIGUSR2)
		freeze_all = 1;
	else
		stop = 1;
}

static void close_pair(struct relay *rl, size_t i)
{
	close(rl->pairs[i].fd[0]);
	close(rl->pairs[i].fd[1]);
	rl->pairs[i] = rl->pairs[--rl->npairs];
}

static int listen_on(int port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
	    bind(fd, (struct sockaddr *)&a, sizeof a) < 0 || listen(fd, 64) < 0) {
		perror("chiso-relay: listen");
		exit(1);
	}
	return fd;
}

static int connect_to(int port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof a) == 0)
		return fd;
	if (fd >= 0)
		close(fd);
	return -1;
}

/* Writes all of buf, in random pieces of at most chunk bytes, each maybe late. */
static int forward(struct relay *rl, int to, const char *buf, size_t n)
{
	while (n > 0) {
		size_t piece = 1 + (size_t)rand() % rl->chunk;
		if (piece > n)
			piece = n;
		if (rl->delay_ms > 0) {
			struct timespec ts = {0, (long)(rand() % (rl->delay_ms + 1)) * 1000000L};
			nanosleep(&ts, NULL);
		}
		ssize_t w = write(to, buf, piece);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		buf += w;
		n -= (size_t)w;
		rl->forwarded += (unsigned long long)w;
	}
	return 0;
}

/* Reads the command line into rl; returns -1 (usage printed) if it is short. */
static int parse_args(struct relay *rl, int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: chiso-relay LISTEN_PORT TARGET_PORT [-c CHUNK] [-d MS]\n");
		return -1;
	}
	rl->chunk = 4096;
	rl->delay_ms = 0;
	rl->target_port = atoi(argv[2]);
	for (int i = 3; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "-c") == 0)
			rl->chunk = (size_t)atol(argv[i + 1]);
		else if (strcmp(argv[i], "-d") == 0)
			rl->delay_ms = atoi(argv[i + 1]);
	}
	if (rl->chunk == 0 || rl->chunk > 65536)
		rl->chunk = 4096;
	return 0;
}

static void catch_signals(void)
{
	struct sigaction sa = {.sa_handler = on_signal};

	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* Carries out a cut or a freeze the signal handler asked for. */
static void obey_signals(struct relay *rl)
{
	if (cut_all) {
		cut_all = 0;
		rl->cuts += rl->npairs;
		while (rl->npairs > 0)
			close_pair(rl, 0);
	}
	if (freeze_all) {
		freeze_all = 0;
		for (size_t i = 0; i < rl->npairs; i++)
			if (!rl->pairs[i].frozen) {
				rl->pairs[i].frozen = 1;
				rl->frozen_count++;
			}
	}
}

/* Fills pfd: the listening socket, then both sides of each pair (a frozen one
 * is skipped, fd -1); returns how many entries. */
static size_t poll_set(const struct relay *rl, struct pollfd *pfd)
{
	size_t np = 0;

	pfd[np++] = (struct pollfd){.fd = rl->lfd, .events = POLLIN};
	for (size_t i = 0; i < rl->npairs; i++)
		for (int k = 0; k < 2; k++)
			pfd[np++] = (struct pollfd){
			    .fd = rl->pairs[i].frozen ? -1 : rl->pairs[i].fd[k], .events = POLLIN};
	return np;
}

/* Forwards what the first polled pairs have to read; a pair whose side
 * closed or failed is closed whole. */
static void pump(struct relay *rl, const struct pollfd *pfd, size_t polled)
{
	/* Walk backwards: close_pair moves the last pair into the hole. */
	for (size_t i = polled; i-- > 0;) {
		if (rl->pairs[i].frozen)
			continue;
		for (int k = 0; k < 2; k++) {
			short re = pfd[1 + 2 * i + (size_t)k].revents;
			if (!(re & (POLLIN | POLLHUP | POLLERR)))
				continue;
			char buf[65536];
			ssize_t r = read(rl->pairs[i].fd[k], buf, sizeof buf);
			if (r <= 0 || forward(rl, rl->pairs[i].fd[1 - k], buf, (size_t)r) < 0) {
				close_pair(rl, i);
				break;
			}
		}
	}
}

/* Accepts an agent and pairs it with a new connection to chisod. */
static void accept_pair(struct relay *rl)
{
	int a = accept(rl->lfd, NULL, NULL);
	if (a < 0)
		return;
	int b = rl->npairs < MAX_PAIRS ? connect_to(rl->target_port) : -1;
	if (b < 0) {
		close(a); /* no chisod, or too many: the agent retries */
		return;
	}
	int one = 1;
	setsockopt(a, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	setsockopt(b, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	rl->pairs[rl->npairs++] = (struct pair){{a, b}, 0};
}

int main(int argc, char **argv)
{
	struct relay rl = {.lfd = -1};

	if (parse_args(&rl, argc, argv) != 0)
		return 2;
	srand((unsigned)time(NULL) ^ (unsigned)getpid());
	catch_signals();
	rl.lfd = listen_on(atoi(argv[1]));

	while (!stop) {
		obey_signals(&rl);
		struct pollfd pfd[1 + 2 * MAX_PAIRS];
		size_t np = poll_set(&rl, pfd);
		if (poll(pfd, (nfds_t)np, 200) < 0) {
			if (errno == EINTR)
				continue;
			perror("chiso-relay: poll");
			return 1;
		}
		/* pfd covers the pairs polled; a pair accepted now waits a turn */
		pump(&rl, pfd, rl.npairs);
		if (pfd[0].revents & POLLIN)
			accept_pair(&rl);
	}
	printf("chiso-relay: %llu bytes forwarded, %llu connections cut, %llu made half-open\n",
	       rl.forwarded, rl.cuts, rl.frozen_count);
	return 0;
}
