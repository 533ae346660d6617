/*
 * embedded: the private PostgreSQL 15 cluster of the demo and the tests.
 *
 * `chisoctl db init` creates a cluster under a directory (the repo's var/ by
 * default), starts it and creates the roles chiso_owner, chiso_writer and
 * chiso_reader and the database chiso; `db start`, `db stop` and `db status`
 * manage it afterwards.  In production chisod uses a configured conninfo and
 * this module is not involved.
 *
 * Layout under <dir>/pg: data/ (PGDATA), run/ (the unix socket), log/
 * postgresql.log, credentials (0600, the calling user's: the passwords of the
 * superuser "postgres" and of the three roles, as key=value lines).  The server
 * listens on no TCP address, only on the socket; port 5432 just names it.
 *
 * Run as root, initdb, pg_ctl and the server run as the system user postgres
 * (PostgreSQL refuses root; the postgresql-common package creates the user);
 * otherwise everything runs as the caller.  When postgres cannot traverse the
 * path to <dir>/pg (a clone under /root, mode 0700), the cluster lives in
 * /var/lib/chiso/embedded-<hash of dir> and <dir>/pg is a symlink to it;
 * deleting <dir> then leaves that cluster behind.  When the socket path would
 * not fit a unix socket address (107 bytes), the socket lives in
 * /tmp/chiso-pg-<hash> (0700, the server user's): root and the server user can
 * connect there, other users cannot.
 *
 * Paths may contain spaces and apostrophes but not " $ ` \ or control
 * characters, which pg_ctl's shell command cannot carry.  Two chisoctl
 * processes must not manage the same directory at the same time.
 */
#ifndef CHISO_EMBEDDED_H
#define CHISO_EMBEDDED_H

#include <stddef.h>

/* Where the cluster is and how to reach it; filled by init, start and status. */
struct embedded_info {
	char socket_dir[108]; /* directory of the unix socket */
	int port;	      /* 5432: listen_addresses='' so no TCP; the port names the socket */
	char owner_password[33], writer_password[33], reader_password[33]; /* hex, random */
	char superuser_password[33]; /* of "postgres", for maintenance */
	char dbname[32];	     /* "chiso" */
	char data_dir[4096];	     /* where the cluster really lives (PGDATA) */
	char log_file[4096];
};

/*
 * Creates the cluster under dir (which must exist) unless it exists, starts
 * it, makes sure the roles and the database exist.  Idempotent: an existing
 * cluster keeps its data and its passwords.  Prints one progress line per step.
 * Returns 0 with *info filled, or -1 with err (absolute paths in it).
 */
int embedded_init(const char *dir, struct embedded_info *info, char *err, size_t errsize);
/* Starts the cluster of dir unless it runs (a stale postmaster.pid is fine); 0 or -1 with err. */
int embedded_start(const char *dir, struct embedded_info *info, char *err, size_t errsize);
/* Stops the cluster of dir (fast shutdown); success if it is stopped or does not exist. */
int embedded_stop(const char *dir, char *err, size_t errsize);
/*
 * 1 if the cluster of dir runs, 0 if it is stopped, -1 if there is none (or it
 * cannot be told); info (may be NULL) is filled when there is a cluster.
 */
int embedded_status(const char *dir, struct embedded_info *info);
/*
 * Builds "host=... port=... dbname=... user=... password=..." for a role:
 * "owner", "writer", "reader" (database chiso) or "superuser" (postgres, in the
 * maintenance database postgres).  Values are quoted by libpq's rules; an
 * empty password is left out (libpq then reads PGPASSWORD or ~/.pgpass).
 * Returns 0, or -1 for an unknown role or a buffer too small.
 */
int embedded_conninfo(const struct embedded_info *info, const char *role, char *buf, size_t size);

/* The pure parts below are exposed for the unit tests; chisoctl needs only the above. */

/* 64-bit FNV-1a of the absolute dir as 16 lowercase hex digits: names fallback directories. */
void embedded_dir_hash(const char *absdir, char out[17]);
/*
 * Chooses the socket directory: run_dir if "<run_dir>/.s.PGSQL.5432" fits a
 * unix socket address, else /tmp/chiso-pg-<hash>.  Returns 1 if it fell back,
 * 0 if not, -1 if out is too small.
 */
int embedded_socket_dir(const char *run_dir, const char *hash, char *out, size_t size);
/* Writes the credentials file text for info's passwords; 0, or -1 if buf is too small. */
int embedded_credentials_format(const struct embedded_info *info, char *buf, size_t size);
/*
 * Parses credentials file text into info's password fields (changed only on
 * success).  Returns 0, or -1 with err as "name:line: message" or "name: missing KEY".
 */
int embedded_credentials_parse(const char *text, const char *name, struct embedded_info *info,
			       char *err, size_t errsize);

#endif
