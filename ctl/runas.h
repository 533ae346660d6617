/*
 * runas: run a program as another system user, the way chisoctl runs
 * PostgreSQL's tools.
 *
 * PostgreSQL refuses to run as root, so when chisoctl runs as root it starts
 * initdb, pg_ctl and the server as the unprivileged server user: fork, give up
 * the groups and ids in the child (setgid, initgroups, setuid), then execve with
 * an environment the caller builds from scratch, so nothing of the caller's
 * environment (PGHOST, LD_PRELOAD, ...) reaches the server.  No shell is
 * involved: argv goes to the program as it is.  A caller that runs the program
 * as itself gets the same clean environment and the same output capture.
 *
 * chisoctl is single-threaded, which is what makes initgroups (it reads the
 * group database) safe to call between fork and exec.
 */
#ifndef CHISO_RUNAS_H
#define CHISO_RUNAS_H

#include <stddef.h>
#include <sys/types.h>

/* Who a child runs as. */
struct runas {
	uid_t uid;
	gid_t gid;
	int drop;      /* 1: the child switches to uid/gid first; 0: it keeps the caller's ids */
	char name[64]; /* the user name, for initgroups and for messages */
};

/*
 * Fills *who for the system user `name`; drop is set unless that user is the
 * caller.  Returns -1 with err ("system user NAME does not exist") if unknown.
 */
int runas_user(struct runas *who, const char *name, char *err, size_t errsize);
/* Fills *who for the calling user: children keep the caller's ids. */
void runas_self(struct runas *who);
/*
 * Runs argv[0] (an absolute path) with argv and env (both NULL-terminated) as
 * who, stdin from /dev/null, stdout and stderr captured into one pipe whose
 * last outsize - 1 bytes land in out, NUL-terminated (out may be NULL: the
 * output is read and dropped).  Waits until the program exits and its output
 * pipe is closed, so a program that leaves a daemon behind must redirect the
 * daemon's output elsewhere (pg_ctl -l does).  Returns the exit status
 * (0..255, or 128 + the signal number), or -1 with err if the program could not
 * be started: fork, switching ids or exec failed.
 */
int runas_run(const struct runas *who, const char *const argv[], const char *const env[], char *out,
	      size_t outsize, char *err, size_t errsize);
/*
 * 1 if who may access(path, mode) (F_OK, R_OK, W_OK, X_OK as in access(2)), 0
 * if not, -1 if the check itself failed; a child holding who's ids decides, so
 * every directory on the way is checked with that user's rights.
 */
int runas_access(const struct runas *who, const char *path, int mode);

#endif
