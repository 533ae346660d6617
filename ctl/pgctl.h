/*
 * pgctl: the thinnest wrapper over PostgreSQL 15's own tools for one cluster:
 * initdb, pg_ctl, psql, and the libpq ping.
 *
 * The embedded cluster (embedded.h) decides where things live; this module
 * knows how the tools want to be called.  PostgreSQL refuses to run as root,
 * so when chisoctl runs as root, initdb and pg_ctl (and so the server) run as
 * the system user postgres through util-linux's setpriv, which switches the
 * ids and groups and execs; psql always runs as the caller.  Every tool is
 * started with posix_spawn, no shell, and a clean environment, so nothing of
 * the caller's (PGHOST, LD_PRELOAD, ...) reaches the server.  Passwords go
 * through a 0600 file (initdb) or the environment (psql), never a command
 * line.  chiso's settings live in <data>/chiso.conf, included from
 * postgresql.conf: data, so no SQL is built from paths.  One limit shapes the
 * paths: pg_ctl starts the server through `/bin/sh -c` with the paths in
 * double quotes, so a path must not contain " $ ` \ or control characters
 * (pgctl_path_check).
 */
#ifndef CHISO_PGCTL_H
#define CHISO_PGCTL_H

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

/* One cluster and how to run its tools; filled by pgctl_find, then the caller. */
struct pgctl {
	char bindir[PATH_MAX]; /* initdb, pg_ctl, postgres (and psql if there) */
	char psql[PATH_MAX];   /* bindir's psql, else /usr/bin/psql */
	char user[64];	       /* who runs the server: postgres as root, else the caller */
	uid_t uid;	       /* and its ids, for the directories made for it */
	gid_t gid;
	int drop; /* 1: the server tools run through setpriv as uid/gid */
	char data_dir[PATH_MAX];
	char log_file[PATH_MAX];
	char socket_dir[108];
	int port;
};

/*
 * Finds the binaries in $CHISO_PG_BINDIR, else /usr/lib/postgresql/15/bin, and
 * psql, and who runs the server; fills everything above data_dir.  -1 with err
 * ("PostgreSQL 15 server binaries not found in DIR: install postgresql-15",
 * "system user postgres does not exist: ...") if something is missing.
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
 * Writes chiso's settings (no TCP, the socket directory, port, memory) to
 * <data_dir>/chiso.conf, and includes that file from postgresql.conf the
 * first time, so a cluster that moved gets its new socket directory.
 */
int pgctl_configure(const struct pgctl *pg, char *err, size_t errsize);
/* Sets *running to 1 if the postmaster of data_dir is alive (pg_ctl status), else 0. */
int pgctl_running(const struct pgctl *pg, int *running, char *err, size_t errsize);
/*
 * Starts the server unless it runs, then waits (up to 60 s) until a libpq ping
 * with conninfo says it accepts connections.  A start refused while a killed
 * server's children linger is tried again a second later, up to three times.
 */
int pgctl_start(const struct pgctl *pg, const char *conninfo, char *err, size_t errsize);
/* Stops the server (fast shutdown) unless it is stopped already. */
int pgctl_stop(const struct pgctl *pg, char *err, size_t errsize);
/*
 * Runs the SQL file script with psql -X -q -w -v ON_ERROR_STOP=1 -d conninfo
 * as the caller; env (NULL-terminated, may be NULL) adds variables such as
 * PGPASSWORD.  -1 with err holding psql's telling line if it fails.
 */
int pgctl_psql_file(const struct pgctl *pg, const char *conninfo, const char *script,
		    const char *const env[], char *err, size_t errsize);
/* 1 if the server user may enter the directory path (every step on the way), 0 if not, -1. */
int pgctl_can_enter(const struct pgctl *pg, const char *path);
/*
 * Runs argv[0] (an absolute path) with argv and exactly env (both
 * NULL-terminated), as the server user if as_server, else as the caller;
 * stdin from /dev/null, stdout and stderr into one pipe whose last outsize - 1
 * bytes land in out.  Returns the exit status (128 + signal if killed), or -1
 * with err if it could not be started.
 */
int pgctl_run(const struct pgctl *pg, int as_server, const char *const argv[],
	      const char *const env[], char *out, size_t outsize, char *err, size_t errsize);

/* The pure parts below are exposed for the unit tests. */

/* 0 if path can go through pg_ctl's shell command and postgresql.conf; else -1 with err. */
int pgctl_path_check(const char *path, char *err, size_t errsize);
/*
 * The postgresql.conf value for unix_socket_directories = dir: a quoted string
 * (' and \ doubled), the directory double-quoted inside it if it holds a blank,
 * a comma or a double quote.  Returns 0, or -1 if out is too small.
 */
int pgctl_conf_socket_value(const char *dir, char *out, size_t size);
/* The line of a tool's output worth quoting: the last with "FATAL:", else the last non-empty. */
void pgctl_last_line(const char *text, char *line, size_t size);

#endif
