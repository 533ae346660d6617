/*
 * embedded: create, start and stop the private PostgreSQL cluster (see
 * embedded.h).
 *
 * The server programs run through fork + setgid/setuid + execve with a clean
 * environment, never through a shell.  Passwords reach initdb through a
 * 0600 file removed right after, and psql through its environment.
 */
#include "embedded.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "paths.h"

#define EMBEDDED_PORT	     5432
#define EMBEDDED_SERVER_USER "postgres"

static const char *embedded_bindir(void)
{
	const char *env = getenv("CHISO_PG_BINDIR");
	return env && *env ? env : "/usr/lib/postgresql/15/bin";
}

/* FNV-1a of s as 16 hex digits: a short stable name for a directory. */
static void embedded_hash(const char *s, char out[17])
{
	unsigned long long h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	snprintf(out, 17, "%016llx", h);
}

struct who {
	bool drop; /* run server programs as another user */
	uid_t uid;
	gid_t gid;
	char name[64];
};

static int embedded_who(struct who *w, char *err, size_t errsize)
{
	memset(w, 0, sizeof *w);
	if (geteuid() != 0)
		return 0;
	struct passwd *pw = getpwnam(EMBEDDED_SERVER_USER);
	if (!pw) {
		snprintf(err, errsize,
			 "running as root, PostgreSQL needs an unprivileged user; user %s does not "
			 "exist (install postgresql-common)",
			 EMBEDDED_SERVER_USER);
		return -1;
	}
	w->drop = true;
	w->uid = pw->pw_uid;
	w->gid = pw->pw_gid;
	snprintf(w->name, sizeof w->name, "%s", pw->pw_name);
	return 0;
}

/* Runs argv[0] with argv as w (or as ourselves), in cwd, with env; returns the exit status.
 * Its standard output goes to /dev/null: the programs' messages of interest go to stderr. */
static int embedded_run(const struct who *w, bool as_server, const char *cwd, char *const argv[],
			char *const env[])
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		int devnull = open("/dev/null", O_WRONLY);
		if (devnull >= 0)
			dup2(devnull, STDOUT_FILENO);
		if (as_server && w->drop &&
		    (setgroups(0, NULL) < 0 || setgid(w->gid) < 0 || setuid(w->uid) < 0))
			_exit(126);
		if (cwd && chdir(cwd) < 0)
			_exit(126);
		execve(argv[0], argv, env);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Whether the server user can traverse path (checked in a child that drops to it). */
static bool embedded_reachable(const struct who *w, const char *path)
{
	if (!w->drop)
		return true;
	pid_t pid = fork();
	int status;
	if (pid < 0)
		return false;
	if (pid == 0) {
		if (setgroups(0, NULL) < 0 || setgid(w->gid) < 0 || setuid(w->uid) < 0)
			_exit(1);
		_exit(access(path, X_OK) == 0 ? 0 : 1);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return false;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static int embedded_mkdir_owned(const struct who *w, const char *path, mode_t mode, char *err,
				size_t errsize)
{
	if (mkdir(path, mode) < 0 && errno != EEXIST) {
		snprintf(err, errsize, "cannot create %s: %s", path, strerror(errno));
		return -1;
	}
	if (w->drop && chown(path, w->uid, w->gid) < 0) {
		snprintf(err, errsize, "cannot give %s to %s: %s", path, w->name, strerror(errno));
		return -1;
	}
	return 0;
}

/* The cluster's real root: dir/pg, or a directory under /var/lib/chiso linked from it. */
static int embedded_root(const struct who *w, const char *dir, bool create, char *root, size_t size,
			 char *err, size_t errsize)
{
	char link[PATH_MAX + 8], hash[17];
	struct stat st;

	snprintf(link, sizeof link, "%s/pg", dir);
	if (lstat(link, &st) == 0) {
		if (!realpath(link, root)) {
			snprintf(err, errsize, "%s: %s", link, strerror(errno));
			return -1;
		}
		return 0;
	}
	if (!create) {
		snprintf(err, errsize, "no embedded cluster in %s (run chisoctl db init)", dir);
		return -1;
	}
	if (embedded_reachable(w, dir)) {
		snprintf(root, size, "%s", link);
		return embedded_mkdir_owned(w, root, 0700, err, errsize);
	}
	/* The server user cannot reach dir: keep the cluster where it can, link it from dir. */
	embedded_hash(dir, hash);
	if (mkdir("/var/lib/chiso", 0755) < 0 && errno != EEXIST) {
		snprintf(err, errsize, "cannot create /var/lib/chiso: %s", strerror(errno));
		return -1;
	}
	snprintf(root, size, "/var/lib/chiso/embedded-%s", hash);
	if (embedded_mkdir_owned(w, root, 0700, err, errsize) < 0)
		return -1;
	if (symlink(root, link) < 0) {
		snprintf(err, errsize, "cannot link %s: %s", link, strerror(errno));
		return -1;
	}
	log_info("%s cannot reach %s: the cluster lives in %s (linked from %s)", w->name, dir, root,
		 link);
	return 0;
}

static void embedded_password(char out[33])
{
	unsigned char raw[16];
	if (getrandom(raw, sizeof raw, 0) != sizeof raw)
		log_fatal("getrandom: %s", strerror(errno));
	for (int i = 0; i < 16; i++)
		snprintf(out + 2 * i, 3, "%02x", raw[i]);
}

static int embedded_read_credentials(const char *root, struct embedded_info *info)
{
	char path[PATH_MAX + 16], line[256];
	FILE *fp;

	snprintf(path, sizeof path, "%s/credentials", root);
	if ((fp = fopen(path, "re")) == NULL)
		return -1;
	while (fgets(line, sizeof line, fp)) {
		char *eq = strchr(line, '=');
		if (!eq)
			continue;
		*eq++ = '\0';
		eq[strcspn(eq, "\n")] = '\0';
		if (strcmp(line, "owner") == 0)
			snprintf(info->owner_password, 33, "%s", eq);
		else if (strcmp(line, "writer") == 0)
			snprintf(info->writer_password, 33, "%s", eq);
		else if (strcmp(line, "reader") == 0)
			snprintf(info->reader_password, 33, "%s", eq);
		else if (strcmp(line, "superuser") == 0)
			snprintf(info->superuser_password, 33, "%s", eq);
	}
	fclose(fp);
	return info->owner_password[0] && info->superuser_password[0] ? 0 : -1;
}

static int embedded_write_credentials(const char *root, const struct embedded_info *info, char *err,
				      size_t errsize)
{
	char path[PATH_MAX + 16];
	int fd;
	FILE *fp;

	snprintf(path, sizeof path, "%s/credentials", root);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0 ||
	    (fp = fdopen(fd, "w")) == NULL) {
		snprintf(err, errsize, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	fprintf(fp,
		"# passwords of the embedded cluster (chisoctl db init); keep private\n"
		"superuser=%s\nowner=%s\nwriter=%s\nreader=%s\n",
		info->superuser_password, info->owner_password, info->writer_password,
		info->reader_password);
	if (fclose(fp) != 0) {
		snprintf(err, errsize, "%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* Fills the paths of info for a cluster rooted at root. */
static void embedded_paths(const char *root, struct embedded_info *info)
{
	char hash[17], sock[PATH_MAX + 8];

	snprintf(info->data_dir, sizeof info->data_dir, "%s/data", root);
	snprintf(info->log_file, sizeof info->log_file, "%s/log/postgresql.log", root);
	snprintf(info->dbname, sizeof info->dbname, "chiso");
	info->port = EMBEDDED_PORT;
	snprintf(sock, sizeof sock, "%s/run", root);
	/* "<dir>/.s.PGSQL.5432" must fit a unix socket address (107 bytes). */
	if (strlen(sock) + 15 >= sizeof info->socket_dir) {
		embedded_hash(root, hash);
		snprintf(sock, sizeof sock, "/tmp/chiso-pg-%s", hash);
	}
	snprintf(info->socket_dir, sizeof info->socket_dir, "%s", sock);
}

static char *const *embedded_env(void)
{
	static char *env[] = {"LANG=C.UTF-8", "LC_ALL=C.UTF-8", "PATH=/usr/local/bin:/usr/bin:/bin",
			      NULL};
	return env;
}

static int embedded_pg_ctl(const struct who *w, const char *root, const struct embedded_info *info,
			   const char *action)
{
	char pg_ctl[PATH_MAX];
	snprintf(pg_ctl, sizeof pg_ctl, "%s/pg_ctl", embedded_bindir());
	if (strcmp(action, "start") == 0) {
		char *argv[] = {pg_ctl,
				"-D",
				(char *)info->data_dir,
				"-l",
				(char *)info->log_file,
				"-w",
				"-t",
				"60",
				"-s",
				"start",
				NULL};
		return embedded_run(w, true, root, argv, embedded_env());
	}
	if (strcmp(action, "stop") == 0) {
		char *argv[] = {
		    pg_ctl, "-D", (char *)info->data_dir, "-m", "fast", "-w", "-t", "60", "-s",
		    "stop", NULL};
		return embedded_run(w, true, root, argv, embedded_env());
	}
	char *argv[] = {pg_ctl, "-D", (char *)info->data_dir, "-s", "status", NULL};
	return embedded_run(w, true, root, argv, embedded_env());
}

static int embedded_start_root(const struct who *w, const char *root, struct embedded_info *info,
			       char *err, size_t errsize)
{
	if (embedded_pg_ctl(w, root, info, "status") == 0)
		return 0;
	if (strncmp(info->socket_dir, "/tmp/chiso-pg-", 14) == 0 &&
	    embedded_mkdir_owned(w, info->socket_dir, 0755, err, errsize) < 0)
		return -1;
	log_info("starting PostgreSQL (%s)", info->data_dir);
	if (embedded_pg_ctl(w, root, info, "start") != 0) {
		snprintf(err, errsize, "PostgreSQL did not start: see %s", info->log_file);
		return -1;
	}
	return 0;
}

static int embedded_initdb(const struct who *w, const char *root, struct embedded_info *info,
			   char *err, size_t errsize)
{
	char initdb[PATH_MAX], pwfile[PATH_MAX + 16], logdir[PATH_MAX + 8], run[PATH_MAX + 8];
	char pwopt[PATH_MAX + 32], conf[PATH_MAX + 32];
	int fd;
	FILE *fp;

	snprintf(initdb, sizeof initdb, "%s/initdb", embedded_bindir());
	if (access(initdb, X_OK) != 0) {
		snprintf(err, errsize,
			 "PostgreSQL 15 server binaries not found in %s: install "
			 "postgresql-15 (or set CHISO_PG_BINDIR)",
			 embedded_bindir());
		return -1;
	}
	snprintf(logdir, sizeof logdir, "%s/log", root);
	snprintf(run, sizeof run, "%s/run", root);
	if (embedded_mkdir_owned(w, logdir, 0700, err, errsize) < 0 ||
	    embedded_mkdir_owned(w, run, 0755, err, errsize) < 0)
		return -1;
	embedded_password(info->superuser_password);
	embedded_password(info->owner_password);
	embedded_password(info->writer_password);
	embedded_password(info->reader_password);
	if (embedded_write_credentials(root, info, err, errsize) < 0)
		return -1;

	snprintf(pwfile, sizeof pwfile, "%s/.pwfile", root);
	if ((fd = open(pwfile, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0) {
		snprintf(err, errsize, "%s: %s", pwfile, strerror(errno));
		return -1;
	}
	dprintf(fd, "%s\n", info->superuser_password);
	close(fd);
	if (w->drop && chown(pwfile, w->uid, w->gid) < 0) {
		snprintf(err, errsize, "%s: %s", pwfile, strerror(errno));
		unlink(pwfile);
		return -1;
	}
	log_info("creating a PostgreSQL cluster in %s", info->data_dir);
	snprintf(pwopt, sizeof pwopt, "--pwfile=%s", pwfile);
	char *argv[] = {initdb,
			"-D",
			info->data_dir,
			"-U",
			"postgres",
			"--auth-local=scram-sha-256",
			"--auth-host=reject",
			"-E",
			"UTF8",
			"--locale=C.UTF-8",
			pwopt,
			NULL};
	int rc = embedded_run(w, true, root, argv, embedded_env());
	unlink(pwfile);
	if (rc != 0) {
		snprintf(err, errsize, "initdb failed (exit %d) for %s", rc, info->data_dir);
		return -1;
	}
	/* Settings of the embedded default; a configuration file is data, not SQL. */
	snprintf(conf, sizeof conf, "%s/postgresql.conf", info->data_dir);
	if ((fp = fopen(conf, "a")) == NULL) {
		snprintf(err, errsize, "%s: %s", conf, strerror(errno));
		return -1;
	}
	fprintf(fp,
		"\n# chiso embedded cluster (chisoctl db init)\n"
		"listen_addresses = ''\n"
		"unix_socket_directories = '%s'\n"
		"port = %d\n"
		"fsync = on\n"
		"shared_buffers = 128MB\n"
		"work_mem = 64MB\n"
		"max_connections = 200\n"
		"logging_collector = off\n",
		info->socket_dir, info->port);
	if (fclose(fp) != 0) {
		snprintf(err, errsize, "%s: %s", conf, strerror(errno));
		return -1;
	}
	return 0;
}

/* Creates the roles and the database (sql/bootstrap.sql through psql). */
static int embedded_bootstrap(const struct who *w, const struct embedded_info *info, char *err,
			      size_t errsize)
{
	char psql[PATH_MAX], script[PATH_MAX + 32], port[16];
	char e_pw[64], e_o[64], e_w[64], e_r[64];

	snprintf(psql, sizeof psql, "%s/psql", embedded_bindir());
	if (access(psql, X_OK) != 0)
		snprintf(psql, sizeof psql, "/usr/bin/psql");
	snprintf(script, sizeof script, "%s/bootstrap.sql", paths_sql_dir());
	snprintf(port, sizeof port, "%d", info->port);
	snprintf(e_pw, sizeof e_pw, "PGPASSWORD=%s", info->superuser_password);
	snprintf(e_o, sizeof e_o, "CHISO_OWNER_PW=%s", info->owner_password);
	snprintf(e_w, sizeof e_w, "CHISO_WRITER_PW=%s", info->writer_password);
	snprintf(e_r, sizeof e_r, "CHISO_READER_PW=%s", info->reader_password);
	char *env[] = {"LANG=C.UTF-8", "PATH=/usr/bin:/bin", e_pw, e_o, e_w, e_r, NULL};
	char *argv[] = {psql,
			"-X",
			"-q",
			"-v",
			"ON_ERROR_STOP=1",
			"-h",
			(char *)info->socket_dir,
			"-p",
			port,
			"-U",
			"postgres",
			"-d",
			"postgres",
			"-f",
			script,
			NULL};
	log_info("creating roles and database");
	int rc = embedded_run(w, false, NULL, argv, env);
	if (rc != 0) {
		snprintf(err, errsize, "creating roles and database failed (psql exit %d)", rc);
		return -1;
	}
	return 0;
}

int embedded_init(const char *dir, struct embedded_info *info, char *err, size_t errsize)
{
	struct who w;
	char root[PATH_MAX], version[PATH_MAX + 16];

	memset(info, 0, sizeof *info);
	if (embedded_who(&w, err, errsize) < 0 ||
	    embedded_root(&w, dir, true, root, sizeof root, err, errsize) < 0)
		return -1;
	embedded_paths(root, info);
	snprintf(version, sizeof version, "%s/PG_VERSION", info->data_dir);
	if (access(version, F_OK) == 0) {
		/* Initialized before: keep the data and the passwords. */
		if (embedded_read_credentials(root, info) < 0) {
			snprintf(err, errsize, "%s exists but %s/credentials is missing",
				 info->data_dir, root);
			return -1;
		}
	} else if (embedded_initdb(&w, root, info, err, errsize) < 0) {
		return -1;
	}
	if (embedded_start_root(&w, root, info, err, errsize) < 0)
		return -1;
	return embedded_bootstrap(&w, info, err, errsize);
}

int embedded_start(const char *dir, struct embedded_info *info, char *err, size_t errsize)
{
	struct who w;
	char root[PATH_MAX];

	memset(info, 0, sizeof *info);
	if (embedded_who(&w, err, errsize) < 0 ||
	    embedded_root(&w, dir, false, root, sizeof root, err, errsize) < 0)
		return -1;
	embedded_paths(root, info);
	embedded_read_credentials(root, info);
	return embedded_start_root(&w, root, info, err, errsize);
}

int embedded_stop(const char *dir, char *err, size_t errsize)
{
	struct who w;
	struct embedded_info info;
	char root[PATH_MAX];

	if (embedded_who(&w, err, errsize) < 0 ||
	    embedded_root(&w, dir, false, root, sizeof root, err, errsize) < 0)
		return -1;
	embedded_paths(root, &info);
	if (embedded_pg_ctl(&w, root, &info, "status") != 0)
		return 0; /* already stopped */
	if (embedded_pg_ctl(&w, root, &info, "stop") != 0) {
		snprintf(err, errsize, "PostgreSQL did not stop: see %s", info.log_file);
		return -1;
	}
	return 0;
}

int embedded_status(const char *dir, struct embedded_info *info)
{
	struct who w;
	char root[PATH_MAX], err[256];

	memset(info, 0, sizeof *info);
	if (embedded_who(&w, err, sizeof err) < 0 ||
	    embedded_root(&w, dir, false, root, sizeof root, err, sizeof err) < 0)
		return -1;
	embedded_paths(root, info);
	embedded_read_credentials(root, info);
	return embedded_pg_ctl(&w, root, info, "status") == 0 ? 1 : 0;
}

int embedded_conninfo(const struct embedded_info *info, const char *role, char *buf, size_t size)
{
	const char *pw = strcmp(role, "owner") == 0    ? info->owner_password
			 : strcmp(role, "writer") == 0 ? info->writer_password
						       : info->reader_password;
	/* Values are paths and hex passwords; quote them the libpq way anyway. */
	char sock[sizeof info->socket_dir * 2 + 1];
	size_t o = 0;
	for (const char *p = info->socket_dir; *p && o + 2 < sizeof sock; p++) {
		if (*p == '\'' || *p == '\\')
			sock[o++] = '\\';
		sock[o++] = *p;
	}
	sock[o] = '\0';
	return snprintf(buf, size, "host='%s' port=%d dbname=%s user=chiso_%s password=%s", sock,
			info->port, info->dbname, role, pw);
}
