/*
 * pgctl: initdb, chiso.conf, pg_ctl, psql and the ping for one cluster, each
 * tool spawned through setpriv when the ids must change (see pgctl.h).
 *
 * A tool's output is captured, not shown: on success the officer sees one
 * progress line per step, on failure the error carries the tool's telling line
 * (or the server log's, when the server did not start) and the log's path.
 */
#include "pgctl.h"

#include "log.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PGCTL_DEFAULT_BINDIR "/usr/lib/postgresql/15/bin"
#define PGCTL_SERVER_USER    "postgres"
#define PGCTL_SETPRIV	     "/usr/bin/setpriv"
#define PGCTL_PATH_MAX	     900 /* pg_ctl builds its shell command in 1024 bytes */
#define PGCTL_WAIT_SECONDS   60
#define PGCTL_START_TRIES    3
#define PGCTL_ARGS_MAX	     24 /* arguments of one tool, with its path */
#define PGCTL_ENV_MAX	     8	/* LANG, PATH, five of the caller's, NULL */

/* Reads fd to its end, keeping the last size - 1 bytes in out. */
static void pgctl_drain(int fd, char *out, size_t size)
{
	char buf[4096];
	size_t len = 0;
	ssize_t n;

	while ((n = read(fd, buf, sizeof buf)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		size_t keep = (size_t)n < size - 1 ? (size_t)n : size - 1;
		size_t drop = len + keep > size - 1 ? len + keep - (size - 1) : 0;
		memmove(out, out + drop, len - drop);
		len -= drop;
		memcpy(out + len, buf + (size_t)n - keep, keep);
		len += keep;
	}
	out[len] = '\0';
}

int pgctl_run(const struct pgctl *pg, int as_server, const char *const argv[],
	      const char *const env[], char *out, size_t outsize, char *err, size_t errsize)
{
	char reuid[32], regid[32];
	const char *full[PGCTL_ARGS_MAX + 6] = {PGCTL_SETPRIV, reuid, regid, "--init-groups", "--"};
	size_t n = as_server && pg->drop ? 5 : 0;
	posix_spawn_file_actions_t fa;
	int p[2], status, rc;
	pid_t pid;

	snprintf(reuid, sizeof reuid, "--reuid=%u", (unsigned)pg->uid);
	snprintf(regid, sizeof regid, "--regid=%u", (unsigned)pg->gid);
	for (size_t i = 0; argv[i]; i++) {
		assert(i < PGCTL_ARGS_MAX);
		full[n++] = argv[i];
	}
	full[n] = NULL;
	/* Close-on-exec: only the dup2'ed copies reach the program. */
	if (pipe(p) != 0) {
		snprintf(err, errsize, "cannot run %s: pipe: %s", argv[0], strerror(errno));
		return -1;
	}
	fcntl(p[0], F_SETFD, FD_CLOEXEC);
	fcntl(p[1], F_SETFD, FD_CLOEXEC);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, p[1], STDOUT_FILENO);
	posix_spawn_file_actions_adddup2(&fa, p[1], STDERR_FILENO);
	/* posix_spawn's prototype predates const; it does not modify the arrays. */
	rc = posix_spawn(&pid, full[0], &fa, NULL, (char *const *)full, (char *const *)env);
	posix_spawn_file_actions_destroy(&fa);
	close(p[1]);
	if (rc == 0)
		pgctl_drain(p[0], out, outsize);
	close(p[0]);
	if (rc != 0) {
		snprintf(err, errsize, "cannot run %s: %s", full[0], strerror(rc));
		return -1;
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			snprintf(err, errsize, "cannot run %s: waitpid: %s", argv[0],
				 strerror(errno));
			return -1;
		}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/*
 * Runs tool with args and a clean environment plus env: a bare name is one of
 * bindir's server tools and runs as the server user, a path (psql) as the caller.
 */
static int pgctl_tool(const struct pgctl *pg, const char *tool, const char *const args[],
		      const char *const env[], char *out, size_t outsize, char *err, size_t errsize)
{
	char path[PATH_MAX + 16], pathenv[PATH_MAX + 32];
	const char *argv[PGCTL_ARGS_MAX] = {path},
		   *fullenv[PGCTL_ENV_MAX] = {"LANG=C.UTF-8", pathenv};
	int as_server = tool[0] != '/';

	snprintf(path, sizeof path, "%s/%s", pg->bindir, tool);
	if (!as_server)
		snprintf(path, sizeof path, "%s", tool);
	snprintf(pathenv, sizeof pathenv, "PATH=%s:/usr/bin:/bin", pg->bindir);
	for (size_t i = 0; args[i]; i++) {
		assert(i + 2 < PGCTL_ARGS_MAX);
		argv[i + 1] = args[i];
	}
	for (size_t i = 0; env && env[i]; i++) {
		assert(i + 3 < PGCTL_ENV_MAX);
		fullenv[i + 2] = env[i];
	}
	return pgctl_run(pg, as_server, argv, fullenv, out, outsize, err, errsize);
}

/* Runs a tool that must succeed; -1 with "WHAT failed for DATA (exit N): line" if not. */
static int pgctl_must(const struct pgctl *pg, const char *tool, const char *const args[],
		      const char *what, char *err, size_t errsize)
{
	char out[1024], line[512];
	int st = pgctl_tool(pg, tool, args, NULL, out, sizeof out, err, errsize);

	if (st > 0) {
		pgctl_last_line(out, line, sizeof line);
		snprintf(err, errsize, "%s failed for %s (exit %d): %s", what, pg->data_dir, st,
			 line);
	}
	return st == 0 ? 0 : -1;
}

/* The server user: postgres when we are root (PostgreSQL refuses root), else ourselves. */
static int pgctl_find_user(struct pgctl *pg, char *err, size_t errsize)
{
	struct passwd *pw;

	errno = 0;
	pw = geteuid() == 0 ? getpwnam(PGCTL_SERVER_USER) : getpwuid(geteuid());
	if (!pw && geteuid() == 0) {
		snprintf(err, errsize,
			 "system user %s does not exist: PostgreSQL refuses to run as root and "
			 "runs as this user; install postgresql-common, which creates it",
			 PGCTL_SERVER_USER);
		return -1;
	}
	pg->uid = pw ? pw->pw_uid : geteuid();
	pg->gid = pw ? pw->pw_gid : getegid();
	pg->drop = pg->uid != geteuid();
	if (pw && strlen(pw->pw_name) < sizeof pg->user)
		snprintf(pg->user, sizeof pg->user, "%s", pw->pw_name);
	else
		snprintf(pg->user, sizeof pg->user, "uid %u", (unsigned)pg->uid);
	return 0;
}

int pgctl_find(struct pgctl *pg, char *err, size_t errsize)
{
	static const char *const tools[] = {"initdb", "pg_ctl", "postgres"};
	const char *bindir = getenv("CHISO_PG_BINDIR");
	char probe[PATH_MAX + 16];

	if (!bindir || !*bindir)
		bindir = PGCTL_DEFAULT_BINDIR;
	if (pgctl_path_check(bindir, err, errsize))
		return -1;
	snprintf(pg->bindir, sizeof pg->bindir, "%s", bindir); /* the check bounds its length */
	for (size_t i = 0; i < sizeof tools / sizeof tools[0]; i++) {
		snprintf(probe, sizeof probe, "%s/%s", pg->bindir, tools[i]);
		if (access(probe, X_OK) != 0) {
			snprintf(err, errsize,
				 "PostgreSQL 15 server binaries not found in %s: install "
				 "postgresql-15",
				 pg->bindir);
			return -1;
		}
	}
	/* The bindir's own psql, else Debian's wrapper, which picks the newest client. */
	snprintf(pg->psql, sizeof pg->psql, "%s/psql", pg->bindir);
	if (access(pg->psql, X_OK) != 0)
		snprintf(pg->psql, sizeof pg->psql, "/usr/bin/psql");
	if (access(pg->psql, X_OK) != 0) {
		snprintf(err, errsize,
			 "psql not found in %s nor /usr/bin: install postgresql-client-15",
			 pg->bindir);
		return -1;
	}
	return pgctl_find_user(pg, err, errsize);
}

int pgctl_initdb(const struct pgctl *pg, const char *superuser, const char *password,
		 const char *tmp_dir, char *err, size_t errsize)
{
	char pwfile[PATH_MAX + 16], pwopt[PATH_MAX + 32], uopt[96];
	const char *args[] = {"-D",
			      pg->data_dir,
			      uopt,
			      "--auth-local=scram-sha-256",
			      "--auth-host=reject",
			      "-E",
			      "UTF8",
			      "--locale=C.UTF-8",
			      pwopt,
			      NULL};
	size_t len = strlen(password);
	int fd, rc = -1;

	snprintf(uopt, sizeof uopt, "--username=%s", superuser);
	snprintf(pwfile, sizeof pwfile, "%s/.pwfile-XXXXXX", tmp_dir);
	fd = mkstemp(pwfile);
	if (fd < 0) {
		snprintf(err, errsize, "cannot create a password file in %s: %s", tmp_dir,
			 strerror(errno));
		return -1;
	}
	if (fchmod(fd, 0600) != 0 || (pg->drop && fchown(fd, pg->uid, pg->gid) != 0) ||
	    write(fd, password, len) != (ssize_t)len || write(fd, "\n", 1) != 1) {
		snprintf(err, errsize, "cannot write %s: %s", pwfile, strerror(errno));
		goto fail;
	}
	snprintf(pwopt, sizeof pwopt, "--pwfile=%s", pwfile);
	log_info("creating PostgreSQL cluster in %s", pg->data_dir);
	rc = pgctl_must(pg, "initdb", args, "initdb", err, errsize);
fail:
	close(fd);
	unlink(pwfile);
	return rc;
}

int pgctl_configure(const struct pgctl *pg, char *err, size_t errsize)
{
	char conf[PATH_MAX + 32], value[512];
	FILE *fp;

	if (pgctl_conf_socket_value(pg->socket_dir, value, sizeof value) != 0) {
		snprintf(err, errsize, "socket directory too long: %s", pg->socket_dir);
		return -1;
	}
	/* Written whole at every start: the last setting of a name wins over initdb's. */
	snprintf(conf, sizeof conf, "%s/chiso.conf", pg->data_dir);
	if (access(conf, F_OK) != 0) {
		snprintf(conf, sizeof conf, "%s/postgresql.conf", pg->data_dir);
		if (access(conf, F_OK) != 0 || !(fp = fopen(conf, "a")) ||
		    fputs("\n# chiso embedded cluster (chisoctl db init)\n"
			  "include_if_exists = 'chiso.conf'\n",
			  fp) == EOF ||
		    fclose(fp) != 0)
			goto fail;
		snprintf(conf, sizeof conf, "%s/chiso.conf", pg->data_dir);
	}
	if (!(fp = fopen(conf, "w")) ||
	    fprintf(fp,
		    "# written by chisoctl at every start of the embedded cluster\n"
		    "listen_addresses = ''\nunix_socket_directories = %s\nport = %d\n"
		    "fsync = on\nshared_buffers = 128MB\nmax_connections = 200\n"
		    "log_destination = stderr\nlogging_collector = off\nwork_mem = 64MB\n",
		    value, pg->port) < 0 ||
	    fclose(fp) != 0)
		goto fail;
	if (chmod(conf, 0600) != 0 || (pg->drop && chown(conf, pg->uid, pg->gid) != 0))
		goto fail;
	return 0;
fail:
	snprintf(err, errsize, "cannot write %s: %s", conf, strerror(errno));
	return -1;
}

int pgctl_running(const struct pgctl *pg, int *running, char *err, size_t errsize)
{
	const char *args[] = {"status", "-D", pg->data_dir, NULL};
	char out[512], line[256];
	int st = pgctl_tool(pg, "pg_ctl", args, NULL, out, sizeof out, err, errsize);

	if (st < 0)
		return -1;
	if (st != 0 && st != 3) { /* 3: not running; 4: no readable data directory */
		pgctl_last_line(out, line, sizeof line);
		snprintf(err, errsize, "pg_ctl status failed for %s (exit %d): %s", pg->data_dir,
			 st, line);
		return -1;
	}
	*running = st == 0;
	return 0;
}

/* The telling line of the end of the server log, for a start failure. */
static void pgctl_log_tail(const char *path, char *line, size_t size)
{
	char buf[4096];
	FILE *fp = fopen(path, "r");
	size_t n;

	snprintf(line, size, "no log");
	if (!fp)
		return;
	if (fseek(fp, -(long)(sizeof buf - 1), SEEK_END) != 0)
		rewind(fp);
	n = fread(buf, 1, sizeof buf - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	pgctl_last_line(buf, line, size);
}

/*
 * pg_ctl -w returns once the server accepts connections.  A postmaster that was
 * just killed leaves children holding its shared memory for a moment, which
 * makes a start fail ("pre-existing shared memory block is still in use"): so
 * a failed start is tried again a second later.  A server someone else is
 * starting is waited for with the ping.
 */
int pgctl_start(const struct pgctl *pg, const char *conninfo, char *err, size_t errsize)
{
	const char *args[] = {"-D", pg->data_dir, "-l",	   pg->log_file, "-w",
			      "-t", "60",	  "start", NULL};
	char out[1024], line[512];
	int running, st = 0;

	for (int tries = 0; tries < PGCTL_START_TRIES; tries++) {
		if (pgctl_running(pg, &running, err, errsize))
			return -1;
		if (running)
			break;
		if (tries == 0)
			log_info("starting PostgreSQL (socket in %s) ...", pg->socket_dir);
		else
			sleep(1);
		if ((st = pgctl_tool(pg, "pg_ctl", args, NULL, out, sizeof out, err, errsize)) < 0)
			return -1;
		if (st == 0)
			break;
	}
	if (st != 0) {
		pgctl_log_tail(pg->log_file, line, sizeof line);
		snprintf(err, errsize, "PostgreSQL did not start: %s (log: %s)", line,
			 pg->log_file);
		return -1;
	}
	for (int i = 0; i < PGCTL_WAIT_SECONDS * 10; i++) {
		PGPing ping = PQping(conninfo);
		if (ping == PQPING_OK)
			return 0;
		if (ping == PQPING_NO_ATTEMPT)
			break;
		nanosleep(&(struct timespec){0, 100 * 1000 * 1000}, NULL);
	}
	snprintf(err, errsize, "PostgreSQL does not accept connections in %s (log: %s)",
		 pg->socket_dir, pg->log_file);
	return -1;
}

int pgctl_stop(const struct pgctl *pg, char *err, size_t errsize)
{
	const char *args[] = {"-D", pg->data_dir, "-m", "fast", "-w", "-t", "60", "stop", NULL};
	int running;

	if (pgctl_running(pg, &running, err, errsize))
		return -1;
	if (!running) {
		log_info("PostgreSQL in %s is not running", pg->data_dir);
		return 0;
	}
	log_info("stopping PostgreSQL in %s ...", pg->data_dir);
	return pgctl_must(pg, "pg_ctl", args, "pg_ctl stop", err, errsize);
}

int pgctl_psql_file(const struct pgctl *pg, const char *conninfo, const char *script,
		    const char *const env[], char *err, size_t errsize)
{
	const char *args[] = {"-X", "-q",     "-w", "-v",   "ON_ERROR_STOP=1",
			      "-d", conninfo, "-f", script, NULL};
	char out[1024], line[512];
	int st;

	if (access(script, R_OK) != 0) {
		snprintf(err, errsize, "cannot read %s: %s", script, strerror(errno));
		return -1;
	}
	st = pgctl_tool(pg, pg->psql, args, env, out, sizeof out, err, errsize);
	if (st > 0) {
		pgctl_last_line(out, line, sizeof line);
		snprintf(err, errsize, "%s failed (psql exit %d): %s", script, st, line);
	}
	return st == 0 ? 0 : -1;
}

int pgctl_can_enter(const struct pgctl *pg, const char *path)
{
	const char *argv[] = {"/usr/bin/test", "-x", path, NULL}, *env[] = {NULL};
	char out[256], err[256];
	int st;

	if (!pg->drop)
		return access(path, X_OK) == 0;
	st = pgctl_run(pg, 1, argv, env, out, sizeof out, err, sizeof err);
	return st == 0 || st == 1 ? st == 0 : -1;
}
int pgctl_path_check(const char *path, char *err, size_t errsize)
{
	if (strlen(path) > PGCTL_PATH_MAX) {
		snprintf(err, errsize, "path longer than %d bytes: %.60s...", PGCTL_PATH_MAX, path);
		return -1;
	}
	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		if (*p < 0x20 || *p == 0x7f) {
			snprintf(err, errsize, "path contains a control character: %s", path);
			return -1;
		}
		if (strchr("\"$`\\", *p)) {
			snprintf(err, errsize,
				 "path contains %c, which pg_ctl's shell command cannot carry: %s",
				 *p, path);
			return -1;
		}
	}
	return 0;
}
int pgctl_conf_socket_value(const char *dir, char *out, size_t size)
{
	/* A list element with blanks or commas is double-quoted, "" inside. */
	int dq = strpbrk(dir, " \t\n\r\f,\"") != NULL;
	size_t len = 0;

	if (size < 3 + 2 * (size_t)dq)
		return -1;
	out[len++] = '\'';
	if (dq)
		out[len++] = '"';
	for (const char *p = dir; *p; p++) {
		/* The conf string doubles ' and \ (an escape); the list doubles ". */
		int twice = *p == '\'' || *p == '\\' || (dq && *p == '"');
		if (len + (size_t)twice + 1 + (size_t)dq + 2 > size)
			return -1;
		if (twice)
			out[len++] = *p;
		out[len++] = *p;
	}
	if (dq)
		out[len++] = '"';
	out[len++] = '\'';
	out[len] = '\0';
	return 0;
}

/* 1 if the len bytes at p contain needle. */
static int pgctl_contains(const char *p, size_t len, const char *needle)
{
	size_t n = strlen(needle);

	for (size_t i = 0; i + n <= len; i++)
		if (memcmp(p + i, needle, n) == 0)
			return 1;
	return 0;
}

void pgctl_last_line(const char *text, char *line, size_t size)
{
	const char *best = NULL, *p = text;
	size_t best_len = 0;
	int best_fatal = 0;

	while (*p) {
		size_t len = strcspn(p, "\n");
		int fatal = pgctl_contains(p, len, "FATAL:");
		if (len > 0 && (fatal || !best_fatal)) {
			best = p;
			best_len = len;
			best_fatal = fatal;
		}
		p += len + (p[len] == '\n');
	}
	if (!best)
		snprintf(line, size, "no output");
	else
		snprintf(line, size, "%.*s", (int)best_len, best);
}
