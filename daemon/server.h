/*
 * server: chisod's main loop.
 *
 * One thread polls the ROUTER socket (agents), the ZAP socket (handshakes),
 * the writer's pipe (commits, database state, reloads) and a signalfd
 * (SIGTERM drains, SIGHUP reloads).  It reads and checks every message and
 * hands batches to ingest.h, which gathers them into group commits and answers
 * ACK after COMMIT or RETRY when nothing could be committed; it reports to
 * systemd.  Bad input costs only its
 * sender: it is refused with a reason and counted, and the loop goes on.
 */
#ifndef CHISOD_SERVER_H
#define CHISOD_SERVER_H

#include <stddef.h>

#include "srvconf.h"

struct server;

/*
 * Sets everything up: keys, ZAP handler, ROUTER socket, writer thread.  Takes
 * ownership of *confp.  NULL with err on a start-up failure (the caller exits).
 */
struct server *server_new(struct srvconf **confp, char *err, size_t errsize);
/* Runs until SIGTERM or SIGINT has been drained; returns the exit status. */
int server_run(struct server *s);
/* Frees everything and sets *sp to NULL; safe on NULL. */
void server_destroy(struct server **sp);

#endif
