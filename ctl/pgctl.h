/*
 * pgctl: drive one PostgreSQL 15 cluster with its own tools: initdb, pg_ctl,
 * psql, and the libpq ping.
 *
 * The embedded cluster (embedded.h) decides where things live; this module
 * knows how the tools want to be called.  initdb, pg_ctl and so the server run
 * as the server user, psql as the client user (runas.h), all with a clean
 * environment.  Passwords go through a 0600 file (initdb) or the environment
 * (psql), never a command line.  Settings go into postgresql.conf, which is
 * data: no SQL is built from paths.  One limit shapes the paths: pg_ctl starts
 * the server through `/bin/sh -c` with the paths in double quotes, so a path
 * must not contain " $ ` \ or control characters (pgctl_path_check).
 */
#ifndef CHISO_PGCTL_H
#define CHISO_PGCTL_H

#include "runas.h"

#include <limits.h>
#include <stddef.h>

/* One cluster and how to run its tools; filled by the caller after pgctl_find. */
struct pgctl {
	char bindir[PATH_MAX]; /* initdb, pg_ctl, postgres (and psql if there) */
	char psql[PATH_MAX];   /* bindir's psql, else /usr/bin/psql */
	struct runas server;   /* runs initdb, pg_ctl and so the server */
	struct runas client;   /* runs psql */
	char data_dir[PATH_MAX];
	char log_file[PATH_MAX];
	char socket_dir[108];
	int port;
};

/*
 * Finds the binaries in $CHISO_PG_BINDIR, else /usr/lib/postgresql/15/bin, and
 * psql; fills bindir and psql.  -1 with err ("PostgreSQL 15 server binaries not
 * found in DIR: install postgresql-15") if they are missing.
 */
int pgctl_find(struct pgctl *pg, char *err, size_t errsize);
/*
 * Runs initdb for data_dir (scram-sha-256 on the socket, no TCP, UTF8,
 * C.UTF-8) with superuser and its password, passed in a temporary 0600 file
 * created in tmp_dir (a directory of the server user) and removed after.
 */
int pgctl_initdb(const struct pgctl *pg, const char *superuser, const char *password,
		 const char *tmp_dir, char *err, size_t errsize);
/*
 * Appends chiso's settings to postgresql.conf (no TCP, the socket directory,
 * port, memory) once, and the socket directory again if it changed since.
 */
int pgctl_configure(const struct pgctl *pg, char *err, size_t errsize);
/* Sets *running to 1 if the postmaster of data_dir is alive (pg_ctl status), else 0. */
int pgctl_running(const struct pgctl *pg, int *running, char *err, size_t errsize);
/*
 * Starts the server unless it runs, then waits (up to 60 s) until a libpq ping
 * with conninfo says it accepts connections.  After a crash (kill -9 of the
 * postmaster) pg_ctl handles the stale postmaster.pid; a start refused while
 * the dead server's children linger is tried again, up to three times.
 */
int pgctl_start(const struct pgctl *pg, const char *conninfo, char *err, size_t errsize);
/* Stops the server (fast shutdown) unless it is stopped already. */
int pgctl_stop(const struct pgctl *pg, char *err, size_t errsize);
/*
 * Runs the SQL file script with psql -X -q -w -v ON_ERROR_STOP=1 -d conninfo
 * as the client user; env (NULL-terminated, may be NULL) adds variables such as
 * PGPASSWORD.  -1 with err holding psql's telling line if it fails.
 */
int pgctl_psql_file(const struct pgctl *pg, const char *conninfo, const char *script,
		    const char *const env[], char *err, size_t errsize);

/* The pure parts below are exposed for the unit tests. */

/* 0 if path can go through pg_ctl's shell command and postgresql.conf; else -1 with err. */
int pgctl_path_check(const char *path, char *err, size_t errsize);
/*
 * The postgresql.conf value for unix_socket_directories = dir: a quoted string
 * (' and \ doubled), the directory double-quoted inside it if it holds a blank,
 * a comma or a double quote.  Returns 0, or -1 if out is too small.
 */
int pgctl_conf_socket_value(const char *dir, char *out, size_t size);
/*
 * Copies the last line of postgresql.conf text that sets key (not commented
 * out), from the key to the end of the line.  Returns 1 if found, 0 if not, -1
 * if out is too small.
 */
int pgctl_conf_last(const char *text, const char *key, char *out, size_t size);
/* The line of a tool's output worth quoting: the last with "FATAL:", else the last non-empty. */
void pgctl_last_line(const char *text, char *line, size_t size);

#endif
