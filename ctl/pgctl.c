/*
 * pgctl: initdb, postgresql.conf, pg_ctl, psql and the ping for one cluster
 * (see pgctl.h).
 *
 * A tool's output is captured, not shown: on success the officer sees one
 * progress line per step, on failure the error carries the tool's telling line
 * (or the server log's, when the server did not start) and the log's path.
 */
#include "pgctl.h"

#include "log.h"

#include <assert.h>
#include <errno.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define PGCTL_DEFAULT_BINDIR "/usr/lib/postgresql/15/bin"
#define PGCTL_PATH_MAX	     900 /* pg_ctl builds its shell command in 1024 bytes */
#define PGCTL_WAIT_SECONDS   60
#define PGCTL_START_TRIES    3
#define PGCTL_CONF_MAX	     (1 << 20)
#define PGCTL_CONF_MARK	     "# chiso embedded cluster, added by chisoctl db init"

/* Runs tool (a path) with args as who, with a clean environment plus extra_env. */
static int pgctl_run(const struct pgctl *pg, const struct runas *who, const char *tool,
		     const char *const args[], const char *const extra_env[], char *out,
		     size_t outsize, char *err, size_t errsize)
{
	const char *argv[24], *env[12];
	char pathenv[PATH_MAX + 32];
	size_t n = 0, m = 0;

	snprintf(pathenv, sizeof pathenv, "PATH=%s:/usr/bin:/bin", pg->bindir);
	argv[n++] = tool;
	for (size_t i = 0; args[i]; i++) {
		assert(n < sizeof argv / sizeof argv[0] - 1);
		argv[n++] = args[i];
	}
	argv[n] = NULL;
	env[m++] = "LANG=C.UTF-8";
	env[m++] = pathenv;
	for (size_t i = 0; extra_env && extra_env[i]; i++) {
		assert(m < sizeof env / sizeof env[0] - 1);
		env[m++] = extra_env[i];
	}
	env[m] = NULL;
	return runas_run(who, argv, env, out, outsize, err, errsize);
}

/* Runs pg_ctl as the server user; returns its exit status or -1. */
static int pgctl_pg_ctl(const struct pgctl *pg, const char *const args[], char *out, size_t outsize,
			char *err, size_t errsize)
{
	char tool[PATH_MAX + 8];

	snprintf(tool, sizeof tool, "%s/pg_ctl", pg->bindir);
	return pgctl_run(pg, &pg->server, tool, args, NULL, out, outsize, err, errsize);
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
	if (snprintf(pg->psql, sizeof pg->psql, "%s/psql", pg->bindir) >= (int)sizeof pg->psql ||
	    access(pg->psql, X_OK) != 0)
		snprintf(pg->psql, sizeof pg->psql, "/usr/bin/psql");
	if (access(pg->psql, X_OK) != 0) {
		snprintf(err, errsize,
			 "psql not found in %s nor /usr/bin: install postgresql-client-15",
			 pg->bindir);
		return -1;
	}
	return 0;
}

int pgctl_initdb(const struct pgctl *pg, const char *superuser, const char *password,
		 const char *tmp_dir, char *err, size_t errsize)
{
	char pwfile[PATH_MAX + 16], pwopt[PATH_MAX + 32], uopt[96], tool[PATH_MAX + 8];
	char out[1024], line[512];
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
	int fd, rc = -1, st;

	snprintf(uopt, sizeof uopt, "--username=%s", superuser);
	snprintf(pwfile, sizeof pwfile, "%s/.pwfile-XXXXXX", tmp_dir);
	fd = mkstemp(pwfile);
	if (fd < 0) {
		snprintf(err, errsize, "cannot create a password file in %s: %s", tmp_dir,
			 strerror(errno));
		return -1;
	}
	if (fchmod(fd, 0600) != 0 ||
	    (pg->server.drop && fchown(fd, pg->server.uid, pg->server.gid) != 0) ||
	    write(fd, password, len) != (ssize_t)len || write(fd, "\n", 1) != 1) {
		snprintf(err, errsize, "cannot write %s: %s", pwfile, strerror(errno));
		goto fail;
	}
	snprintf(pwopt, sizeof pwopt, "--pwfile=%s", pwfile);
	snprintf(tool, sizeof tool, "%s/initdb", pg->bindir);
	log_info("creating PostgreSQL cluster in %s", pg->data_dir);
	st = pgctl_run(pg, &pg->server, tool, args, NULL, out, sizeof out, err, errsize);
	if (st < 0)
		goto fail;
	if (st != 0) {
		pgctl_last_line(out, line, sizeof line);
		snprintf(err, errsize, "initdb failed for %s (exit %d): %s", pg->data_dir, st,
			 line);
		goto fail;
	}
	rc = 0;
fail:
	close(fd);
	unlink(pwfile);
	return rc;
}

/* Reads the whole conf file into a new buffer (*text, the caller's to free). */
static int pgctl_read_conf(const char *path, char **text, char *err, size_t errsize)
{
	FILE *fp = fopen(path, "r");
	size_t n;

	*text = NULL;
	if (!fp) {
		snprintf(err, errsize, "cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	*text = malloc(PGCTL_CONF_MAX + 1);
	if (!*text) {
		snprintf(err, errsize, "out of memory reading %s", path);
		goto fail;
	}
	n = fread(*text, 1, PGCTL_CONF_MAX + 1, fp);
	if (ferror(fp) || n > PGCTL_CONF_MAX) {
		snprintf(err, errsize, "cannot read %s: %s", path,
			 ferror(fp) ? strerror(errno) : "file too large");
		goto fail;
	}
	(*text)[n] = '\0';
	fclose(fp);
	return 0;
fail:
	free(*text);
	*text = NULL;
	fclose(fp);
	return -1;
}

int pgctl_configure(const struct pgctl *pg, char *err, size_t errsize)
{
	char conf[PATH_MAX + 32], value[512], want[600], have[600], block[1024];
	char *text = NULL;
	FILE *fp = NULL;
	int rc = -1;

	snprintf(conf, sizeof conf, "%s/postgresql.conf", pg->data_dir);
	if (pgctl_conf_socket_value(pg->socket_dir, value, sizeof value) != 0) {
		snprintf(err, errsize, "socket directory too long: %s", pg->socket_dir);
		goto fail;
	}
	snprintf(want, sizeof want, "unix_socket_directories = %s", value);
	if (pgctl_read_conf(conf, &text, err, errsize))
		goto fail;
	if (!strstr(text, PGCTL_CONF_MARK))
		snprintf(block, sizeof block,
			 "\n%s\nlisten_addresses = ''\n%s\nport = %d\nfsync = on\n"
			 "shared_buffers = 128MB\nmax_connections = 200\n"
			 "log_destination = stderr\nlogging_collector = off\nwork_mem = 64MB\n",
			 PGCTL_CONF_MARK, want, pg->port);
	else if (pgctl_conf_last(text, "unix_socket_directories", have, sizeof have) != 1 ||
		 strcmp(have, want) != 0)
		/* The cluster moved: the last setting in the file wins. */
		snprintf(block, sizeof block, "# the socket directory moved (chisoctl)\n%s\n",
			 want);
	else
		block[0] = '\0';
	if (block[0] && (!(fp = fopen(conf, "a")) || fputs(block, fp) == EOF)) {
		snprintf(err, errsize, "cannot append to %s: %s", conf, strerror(errno));
		goto fail;
	}
	rc = 0;
fail:
	if (fp && fclose(fp) != 0 && rc == 0) {
		snprintf(err, errsize, "cannot write %s: %s", conf, strerror(errno));
		rc = -1;
	}
	free(text);
	return rc;
}

int pgctl_running(const struct pgctl *pg, int *running, char *err, size_t errsize)
{
	const char *args[] = {"status", "-D", pg->data_dir, NULL};
	char out[512], line[256];
	int st = pgctl_pg_ctl(pg, args, out, sizeof out, err, errsize);

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

/* Runs pg_ctl start once; *failed gets the server log's telling line if it failed. */
static int pgctl_start_once(const struct pgctl *pg, int *failed, char *line, size_t linesize,
			    char *err, size_t errsize)
{
	const char *args[] = {"-D", pg->data_dir, "-l",	   pg->log_file, "-w",
			      "-t", "60",	  "start", NULL};
	char out[1024];
	int st = pgctl_pg_ctl(pg, args, out, sizeof out, err, errsize);

	if (st < 0)
		return -1;
	*failed = st != 0;
	if (*failed)
		pgctl_log_tail(pg->log_file, line, linesize);
	return 0;
}

/*
 * Checks once a second whether the postmaster lives and pings it in between.
 * A postmaster that was just killed may still look alive for a moment, and its
 * children may hold the old shared memory a little longer, which makes a start
 * fail ("pre-existing shared memory block is still in use"): so a failed
 * start is tried again, a second later, a few times.
 */
int pgctl_start(const struct pgctl *pg, const char *conninfo, char *err, size_t errsize)
{
	const struct timespec tick = {0, 100 * 1000 * 1000};
	char line[512] = "";
	int running, starts = 0, failed = 0;

	for (int i = 0; i < PGCTL_WAIT_SECONDS * 10; i++) {
		if (i % 10 == 0) {
			if (pgctl_running(pg, &running, err, errsize))
				return -1;
			if (!running && starts == PGCTL_START_TRIES)
				break;
			if (!running) {
				if (starts++ == 0)
					log_info("starting PostgreSQL (socket in %s) ...",
						 pg->socket_dir);
				if (pgctl_start_once(pg, &failed, line, sizeof line, err, errsize))
					return -1;
				if (failed)
					continue;
			}
		}
		PGPing ping = PQping(conninfo);
		if (ping == PQPING_OK)
			return 0;
		if (ping == PQPING_NO_ATTEMPT)
			break;
		nanosleep(&tick, NULL);
	}
	if (failed)
		snprintf(err, errsize, "PostgreSQL did not start: %s (log: %s)", line,
			 pg->log_file);
	else
		snprintf(err, errsize, "PostgreSQL does not accept connections in %s (log: %s)",
			 pg->socket_dir, pg->log_file);
	return -1;
}

int pgctl_stop(const struct pgctl *pg, char *err, size_t errsize)
{
	const char *args[] = {"-D", pg->data_dir, "-m", "fast", "-w", "-t", "60", "stop", NULL};
	char out[1024], line[512];
	int running, st;

	if (pgctl_running(pg, &running, err, errsize))
		return -1;
	if (!running) {
		log_info("PostgreSQL in %s is not running", pg->data_dir);
		return 0;
	}
	log_info("stopping PostgreSQL in %s ...", pg->data_dir);
	st = pgctl_pg_ctl(pg, args, out, sizeof out, err, errsize);
	if (st < 0)
		return -1;
	if (st != 0) {
		pgctl_last_line(out, line, sizeof line);
		snprintf(err, errsize, "pg_ctl stop failed for %s (exit %d): %s", pg->data_dir, st,
			 line);
		return -1;
	}
	return 0;
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
	st = pgctl_run(pg, &pg->client, pg->psql, args, env, out, sizeof out, err, errsize);
	if (st < 0)
		return -1;
	if (st != 0) {
		pgctl_last_line(out, line, sizeof line);
		snprintf(err, errsize, "%s failed (psql exit %d): %s", script, st, line);
		return -1;
	}
	return 0;
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

int pgctl_conf_last(const char *text, const char *key, char *out, size_t size)
{
	const char *found = NULL, *p = text;
	size_t klen = strlen(key), flen = 0;

	while (*p) {
		size_t len = strcspn(p, "\n");
		const char *s = p + strspn(p, " \t");
		if (s + klen <= p + len && strncmp(s, key, klen) == 0 &&
		    (s[klen] == ' ' || s[klen] == '\t' || s[klen] == '=')) {
			found = s;
			flen = len - (size_t)(s - p);
		}
		p += len + (p[len] == '\n');
	}
	if (!found)
		return 0;
	if (flen >= size)
		return -1;
	memcpy(out, found, flen);
	out[flen] = '\0';
	return 1;
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
