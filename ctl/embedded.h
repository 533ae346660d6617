/*
 * embedded: the private PostgreSQL 15 cluster of the demo and the tests.
 *
 * `chisoctl db init` creates it under DIR/pg (data, run, log, credentials)
 * and starts it; `db stop` and `db start` stop and start it.  PostgreSQL
 * refuses to run as root, so when chisoctl runs as root the server runs as the
 * system user postgres.  When that user cannot reach DIR (a clone under a
 * private home), the cluster lives in /var/lib/chiso/embedded-<hash> and
 * DIR/pg is a symlink to it.  It listens on a unix socket only, with password
 * (scram) authentication for the three chiso roles.  Production uses a
 * configured conninfo instead; nothing here is involved then.
 */
#ifndef CHISOCTL_EMBEDDED_H
#define CHISOCTL_EMBEDDED_H

#include <stddef.h>

struct embedded_info {
	char socket_dir[108];
	int port;
	char owner_password[33], writer_password[33], reader_password[33];
	char superuser_password[33];
	char dbname[32];
	char data_dir[4096];
	char log_file[4096];
};

/* Creates (if needed) and starts the cluster in dir (absolute); fills info. 0 or -1. */
int embedded_init(const char *dir, struct embedded_info *info, char *err, size_t errsize);
/* Starts an existing cluster (after a stop, a reboot or a kill -9). 0 or -1. */
int embedded_start(const char *dir, struct embedded_info *info, char *err, size_t errsize);
/* Stops it (fast shutdown); a stopped cluster is fine. 0 or -1. */
int embedded_stop(const char *dir, char *err, size_t errsize);
/* 1 running, 0 stopped, -1 no cluster; fills info when there is one. */
int embedded_status(const char *dir, struct embedded_info *info);
/* A libpq conninfo for "owner", "writer" or "reader"; returns the length as snprintf. */
int embedded_conninfo(const struct embedded_info *info, const char *role, char *buf, size_t size);

#endif
