/*
 * embedded: where the private PostgreSQL cluster lives and what it holds (see
 * embedded.h); pgctl.c drives the PostgreSQL tools for it.
 *
 * Every entry point first resolves a `struct emb`: the binaries, who runs the
 * server, and every path of the layout, absolute and with symlinks resolved, so
 * that messages name real places and the server gets paths it can reach.  The
 * passwords are made here, kept in the credentials file, and handed to initdb
 * and psql by pgctl without ever appearing on a command line.  The pure pieces
 * (credentials text, conninfo quoting, the path decisions) sit at the end and
 * are unit-tested; the rest runs in tests/integration/t_embedded.sh.
 */
#include "embedded.h"

#include "log.h"
#include "paths.h"
#include "pgctl.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#define EMB_SUPERUSER	    "postgres"
#define EMB_DBNAME	    "chiso"
#define EMB_PORT	    5432
#define EMB_SOCKET_NAME	    "/.s.PGSQL.5432"
#define EMB_SUN_PATH_MAX    107 /* sizeof(sun_path) - 1: PostgreSQL refuses longer */
#define EMB_FALLBACK_ROOT   "/var/lib/chiso"
#define EMB_SOCKET_FALLBACK "/tmp/chiso-pg-"
#define EMB_CRED_MAX	    4096

/* Everything one command needs to know about the cluster of one directory. */
struct emb {
	struct pgctl ctl;     /* binaries, users, data dir, log, socket dir */
	char dir[PATH_MAX];   /* <dir>, absolute, symlinks resolved */
	char hash[17];	      /* of dir: names the fallback directories */
	char pgdir[PATH_MAX]; /* <dir>/pg as the user names it */
	char real[PATH_MAX];  /* where <dir>/pg really is */
	char run[PATH_MAX], log_dir[PATH_MAX], cred[PATH_MAX], version[PATH_MAX];
};

/* dir made absolute for messages, without resolving anything. */
static void emb_absolute(const char *dir, char *out, size_t size)
{
	char cwd[PATH_MAX];

	if (dir[0] != '/' && getcwd(cwd, sizeof cwd))
		snprintf(out, size, "%s/%s", cwd, dir);
	else
		snprintf(out, size, "%s", dir);
}

/*
 * Makes path a directory with mode, owned by the server user.  An existing one
 * must be a real directory owned by that user or by us: a /tmp directory made
 * by someone else is refused, not adopted.
 */
static int emb_own_dir(const struct emb *e, const char *path, mode_t mode, char *err,
		       size_t errsize)
{
	const struct pgctl *c = &e->ctl;
	struct stat st;

	if (mkdir(path, mode) != 0 && errno != EEXIST) {
		snprintf(err, errsize, "cannot create directory %s: %s", path, strerror(errno));
		return -1;
	}
	if (lstat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
		snprintf(err, errsize, "%s is not a directory", path);
		return -1;
	}
	if (st.st_uid != c->uid && st.st_uid != geteuid()) {
		snprintf(err, errsize, "%s belongs to uid %u, not to %s: remove it", path,
			 (unsigned)st.st_uid, c->user);
		return -1;
	}
	if ((c->drop && chown(path, c->uid, c->gid) != 0) || chmod(path, mode) != 0) {
		snprintf(err, errsize, "cannot set owner and mode of %s: %s", path,
			 strerror(errno));
		return -1;
	}
	return 0;
}

/* Fills the layout paths from e->real (its length checked) and decides the socket directory. */
static int emb_layout(struct emb *e, char *err, size_t errsize)
{
	struct pgctl *c = &e->ctl;

	if (pgctl_path_check(e->real, err, errsize))
		return -1;
	snprintf(c->data_dir, sizeof c->data_dir, "%s/data", e->real);
	snprintf(e->run, sizeof e->run, "%s/run", e->real);
	snprintf(e->log_dir, sizeof e->log_dir, "%s/log", e->real);
	snprintf(c->log_file, sizeof c->log_file, "%s/postgresql.log", e->log_dir);
	snprintf(e->cred, sizeof e->cred, "%s/credentials", e->real);
	snprintf(e->version, sizeof e->version, "%s/PG_VERSION", c->data_dir);
	if (embedded_socket_dir(e->run, e->hash, c->socket_dir, sizeof c->socket_dir) < 0) {
		snprintf(err, errsize, "socket directory name too long for %s", e->run);
		return -1;
	}
	return 0;
}

/*
 * Resolves binaries, users and <dir> (which init has made).  *found says
 * whether <dir>/pg exists; if so the whole layout is resolved too.
 */
static int emb_open(struct emb *e, const char *dir, int *found, char *err, size_t errsize)
{
	char abs[PATH_MAX + 8];
	struct stat st;

	memset(e, 0, sizeof *e);
	*found = 0;
	e->ctl.port = EMB_PORT;
	if (pgctl_find(&e->ctl, err, errsize))
		return -1;
	if (!realpath(dir, e->dir)) {
		if (errno == ENOENT)
			return 0;
		emb_absolute(dir, abs, sizeof abs);
		snprintf(err, errsize, "cannot resolve %s: %s", abs, strerror(errno));
		return -1;
	}
	embedded_dir_hash(e->dir, e->hash);
	if (snprintf(e->pgdir, sizeof e->pgdir, "%s/pg", e->dir) >= (int)sizeof e->pgdir) {
		snprintf(err, errsize, "path too long: %.80s...", e->dir);
		return -1;
	}
	if (lstat(e->pgdir, &st) != 0) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errsize, "cannot inspect %s: %s", e->pgdir, strerror(errno));
		return -1;
	}
	if (!realpath(e->pgdir, e->real) || stat(e->real, &st) != 0 || !S_ISDIR(st.st_mode)) {
		snprintf(err, errsize, "%s is not a directory (or a symlink to one)", e->pgdir);
		return -1;
	}
	*found = 1;
	return emb_layout(e, err, errsize);
}

/*
 * Creates <dir>/pg for the server user, or, if that user cannot traverse the
 * path to it (a clone under a 0700 home), /var/lib/chiso/embedded-<hash> with
 * <dir>/pg a symlink to it.
 */
static int emb_create_pg(struct emb *e, char *err, size_t errsize)
{
	char fallback[PATH_MAX];
	int reach;

	if (emb_own_dir(e, e->pgdir, 0700, err, errsize))
		return -1;
	if ((reach = pgctl_can_enter(&e->ctl, e->pgdir)) < 0) {
		snprintf(err, errsize, "cannot check whether %s can reach %s", e->ctl.user,
			 e->pgdir);
		return -1;
	}
	if (!reach) {
		snprintf(fallback, sizeof fallback, "%s/embedded-%s", EMB_FALLBACK_ROOT, e->hash);
		log_info("user %s cannot reach %s: the cluster goes to %s", e->ctl.user, e->pgdir,
			 fallback);
		if (rmdir(e->pgdir) != 0 ||
		    (mkdir(EMB_FALLBACK_ROOT, 0755) != 0 && errno != EEXIST)) {
			snprintf(err, errsize, "cannot prepare %s: %s", EMB_FALLBACK_ROOT,
				 strerror(errno));
			return -1;
		}
		if (emb_own_dir(e, fallback, 0700, err, errsize))
			return -1;
		if (pgctl_can_enter(&e->ctl, fallback) != 1) {
			snprintf(err, errsize, "user %s cannot reach %s either", e->ctl.user,
				 fallback);
			return -1;
		}
		if (symlink(fallback, e->pgdir) != 0) {
			snprintf(err, errsize, "cannot link %s to %s: %s", e->pgdir, fallback,
				 strerror(errno));
			return -1;
		}
	}
	if (!realpath(e->pgdir, e->real)) {
		snprintf(err, errsize, "cannot resolve %s: %s", e->pgdir, strerror(errno));
		return -1;
	}
	return emb_layout(e, err, errsize);
}

/* The run, log and socket directories, made again if gone (a cleaned /tmp). */
static int emb_own_dirs(const struct emb *e, char *err, size_t errsize)
{
	const char *socket = e->ctl.socket_dir;

	if (emb_own_dir(e, e->ctl.data_dir, 0700, err, errsize) ||
	    emb_own_dir(e, e->run, 0700, err, errsize) ||
	    emb_own_dir(e, e->log_dir, 0700, err, errsize) ||
	    (strcmp(socket, e->run) != 0 && emb_own_dir(e, socket, 0700, err, errsize)))
		return -1;
	return 0;
}

/* Copies the layout into info. */
static void emb_fill_info(const struct emb *e, struct embedded_info *info)
{
	snprintf(info->socket_dir, sizeof info->socket_dir, "%s", e->ctl.socket_dir);
	info->port = EMB_PORT;
	snprintf(info->dbname, sizeof info->dbname, "%s", EMB_DBNAME);
	snprintf(info->data_dir, sizeof info->data_dir, "%s", e->ctl.data_dir);
	snprintf(info->log_file, sizeof info->log_file, "%s", e->ctl.log_file);
}

static int emb_cred_load(const struct emb *e, struct embedded_info *info, char *err, size_t errsize)
{
	char text[EMB_CRED_MAX + 1];
	int fd = open(e->cred, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), rc = -1;
	ssize_t n;

	if (fd < 0) {
		snprintf(err, errsize, "cannot open %s: %s", e->cred, strerror(errno));
		return -1;
	}
	n = read(fd, text, sizeof text);
	close(fd);
	if (n < 0 || n > EMB_CRED_MAX) {
		snprintf(err, errsize, "cannot read %s: %s", e->cred,
			 n < 0 ? strerror(errno) : "file too large");
		goto fail;
	}
	text[n] = '\0';
	rc = embedded_credentials_parse(text, e->cred, info, err, errsize);
fail:
	explicit_bzero(text, sizeof text);
	return rc;
}

static int emb_random_hex(char out[33], char *err, size_t errsize)
{
	unsigned char b[16];

	/* Up to 256 bytes, getrandom neither blocks once seeded nor returns less. */
	if (getrandom(b, sizeof b, 0) != (ssize_t)sizeof b) {
		snprintf(err, errsize, "getrandom: %s", strerror(errno));
		return -1;
	}
	for (size_t i = 0; i < sizeof b; i++)
		snprintf(out + 2 * i, 3, "%02x", b[i]);
	explicit_bzero(b, sizeof b);
	return 0;
}

/* New random passwords into info and the credentials file (0600, ours), atomically. */
static int emb_cred_create(const struct emb *e, struct embedded_info *info, char *err,
			   size_t errsize)
{
	char text[EMB_CRED_MAX], tmp[PATH_MAX + 8];
	int fd = -1, rc = -1;
	size_t len;

	if (emb_random_hex(info->superuser_password, err, errsize) ||
	    emb_random_hex(info->owner_password, err, errsize) ||
	    emb_random_hex(info->writer_password, err, errsize) ||
	    emb_random_hex(info->reader_password, err, errsize))
		return -1;
	snprintf(tmp, sizeof tmp, "%s.new", e->cred);
	if (embedded_credentials_format(info, text, sizeof text)) {
		snprintf(err, errsize, "credentials too long for %s", e->cred);
		goto fail;
	}
	unlink(tmp); /* left by an interrupted init */
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	len = strlen(text);
	if (fd < 0 || write(fd, text, len) != (ssize_t)len || fsync(fd) != 0 || close(fd) != 0 ||
	    rename(tmp, e->cred) != 0) {
		snprintf(err, errsize, "cannot write %s: %s", e->cred, strerror(errno));
		if (fd >= 0)
			unlink(tmp);
		goto fail;
	}
	rc = 0;
fail:
	explicit_bzero(text, sizeof text);
	return rc;
}

/* Starts the server (if stopped) and waits until it answers on its socket. */
static int emb_start(const struct emb *e, const struct embedded_info *info, char *err,
		     size_t errsize)
{
	char ci[1024];
	int rc;

	if (emb_own_dirs(e, err, errsize) || pgctl_configure(&e->ctl, err, errsize))
		return -1;
	if (embedded_conninfo(info, "superuser", ci, sizeof ci)) {
		snprintf(err, errsize, "conninfo too long for %s", info->socket_dir);
		return -1;
	}
	rc = pgctl_start(&e->ctl, ci, err, errsize);
	explicit_bzero(ci, sizeof ci);
	return rc;
}

/*
 * Runs sql/bootstrap.sql as the superuser with psql as the calling user; the
 * passwords travel in psql's environment.
 */
static int emb_bootstrap(const struct emb *e, const struct embedded_info *info, char *err,
			 size_t errsize)
{
	char script[PATH_MAX + 16], target[1024];
	char su[64], owner[64], writer[64], reader[64];
	const char *env[] = {su, owner, writer, reader, "PGAPPNAME=chisoctl", NULL};
	struct embedded_info maint = *info;
	int rc = -1;

	snprintf(script, sizeof script, "%s/bootstrap.sql", paths_sql_dir());
	maint.superuser_password[0] = '\0'; /* no password on psql's command line */
	if (embedded_conninfo(&maint, "superuser", target, sizeof target)) {
		snprintf(err, errsize, "conninfo too long for %s", info->socket_dir);
		goto fail;
	}
	snprintf(su, sizeof su, "PGPASSWORD=%s", info->superuser_password);
	snprintf(owner, sizeof owner, "CHISO_OWNER_PW=%s", info->owner_password);
	snprintf(writer, sizeof writer, "CHISO_WRITER_PW=%s", info->writer_password);
	snprintf(reader, sizeof reader, "CHISO_READER_PW=%s", info->reader_password);
	log_info("creating roles and database %s ...", EMB_DBNAME);
	rc = pgctl_psql_file(&e->ctl, target, script, env, err, errsize);
fail:
	explicit_bzero(&maint, sizeof maint);
	explicit_bzero(su, sizeof su);
	explicit_bzero(owner, sizeof owner);
	explicit_bzero(writer, sizeof writer);
	explicit_bzero(reader, sizeof reader);
	return rc;
}

int embedded_init(const char *dir, struct embedded_info *info, char *err, size_t errsize)
{
	struct embedded_info scratch;
	struct emb e;
	int found, has_cred, has_data;

	if (!info)
		info = &scratch;
	memset(info, 0, sizeof *info);
	if (emb_open(&e, dir, &found, err, errsize))
		return -1;
	if (!e.dir[0]) {
		snprintf(err, errsize, "cannot resolve %s: %s", dir, strerror(ENOENT));
		return -1;
	}
	if ((!found && emb_create_pg(&e, err, errsize)) || emb_own_dirs(&e, err, errsize))
		return -1;
	emb_fill_info(&e, info);
	has_cred = access(e.cred, F_OK) == 0;
	has_data = access(e.version, F_OK) == 0;
	if (has_data && !has_cred) {
		snprintf(err, errsize,
			 "the cluster in %s has no credentials file %s, so its passwords are "
			 "lost: move %s away and run init again",
			 e.ctl.data_dir, e.cred, e.real);
		return -1;
	}
	if (has_cred ? emb_cred_load(&e, info, err, errsize)
		     : emb_cred_create(&e, info, err, errsize))
		return -1;
	if (!has_data &&
	    pgctl_initdb(&e.ctl, EMB_SUPERUSER, info->superuser_password, e.real, err, errsize))
		return -1;
	if (emb_start(&e, info, err, errsize) || emb_bootstrap(&e, info, err, errsize))
		return -1;
	return 0;
}

/* Opens dir's existing cluster: -1 with "run chisoctl db init" if there is none. */
static int emb_open_existing(struct emb *e, const char *dir, char *err, size_t errsize)
{
	char abs[PATH_MAX + 8];
	int found;

	if (emb_open(e, dir, &found, err, errsize))
		return -1;
	if (!found || access(e->version, F_OK) != 0) {
		emb_absolute(dir, abs, sizeof abs);
		snprintf(err, errsize, "no PostgreSQL cluster in %s/pg: run chisoctl db init",
			 found ? e->dir : abs);
		return -1;
	}
	return 0;
}

int embedded_start(const char *dir, struct embedded_info *info, char *err, size_t errsize)
{
	struct embedded_info scratch;
	struct emb e;

	if (!info)
		info = &scratch;
	memset(info, 0, sizeof *info);
	if (emb_open_existing(&e, dir, err, errsize))
		return -1;
	emb_fill_info(&e, info);
	if (emb_cred_load(&e, info, err, errsize))
		return -1;
	return emb_start(&e, info, err, errsize);
}

int embedded_stop(const char *dir, char *err, size_t errsize)
{
	struct emb e;
	char abs[PATH_MAX + 8];
	int found;

	if (emb_open(&e, dir, &found, err, errsize))
		return -1;
	if (!found || access(e.version, F_OK) != 0) {
		emb_absolute(dir, abs, sizeof abs);
		log_info("no PostgreSQL cluster in %s/pg: nothing to stop", found ? e.dir : abs);
		return 0;
	}
	return pgctl_stop(&e.ctl, err, errsize);
}

int embedded_status(const char *dir, struct embedded_info *info)
{
	struct emb e;
	char err[512];
	int running;

	if (info)
		memset(info, 0, sizeof *info);
	if (emb_open_existing(&e, dir, err, sizeof err))
		return -1;
	if (info) {
		emb_fill_info(&e, info);
		(void)emb_cred_load(&e, info, err, sizeof err); /* status works without them */
	}
	if (pgctl_running(&e.ctl, &running, err, sizeof err))
		return -1;
	return running;
}

/* ---- pure parts, unit-tested ---- */

/* Appends " key=value" with libpq's quoting: '...' with \' and \\ when needed. */
static int emb_ci_append(char *buf, size_t size, size_t *len, const char *key, const char *value)
{
	int quote = value[0] == '\0' || strpbrk(value, " \t\n\r\f\v'\\") != NULL;
	int n =
	    snprintf(buf + *len, size - *len, "%s%s=%s", *len ? " " : "", key, quote ? "'" : "");

	if (n < 0 || (size_t)n >= size - *len)
		return -1;
	*len += (size_t)n;
	for (const char *p = value; *p; p++) {
		int esc = quote && (*p == '\'' || *p == '\\');
		if (*len + (size_t)esc + 1 >= size)
			return -1;
		if (esc)
			buf[(*len)++] = '\\';
		buf[(*len)++] = *p;
	}
	if (quote) {
		if (*len + 1 >= size)
			return -1;
		buf[(*len)++] = '\'';
	}
	buf[*len] = '\0';
	return 0;
}

int embedded_conninfo(const struct embedded_info *info, const char *role, char *buf, size_t size)
{
	const struct {
		const char *role, *user, *password, *dbname;
	} roles[] = {
	    {"owner", "chiso_owner", info->owner_password, info->dbname},
	    {"writer", "chiso_writer", info->writer_password, info->dbname},
	    {"reader", "chiso_reader", info->reader_password, info->dbname},
	    {"superuser", EMB_SUPERUSER, info->superuser_password, "postgres"},
	};
	char port[16];
	size_t len = 0, i;

	for (i = 0; i < sizeof roles / sizeof roles[0] && strcmp(role, roles[i].role) != 0; i++)
		;
	if (i == sizeof roles / sizeof roles[0] || size == 0)
		return -1;
	buf[0] = '\0';
	snprintf(port, sizeof port, "%d", info->port);
	/* An empty password is left out, so that libpq takes PGPASSWORD. */
	if (emb_ci_append(buf, size, &len, "host", info->socket_dir) ||
	    emb_ci_append(buf, size, &len, "port", port) ||
	    emb_ci_append(buf, size, &len, "dbname", roles[i].dbname) ||
	    emb_ci_append(buf, size, &len, "user", roles[i].user) ||
	    (roles[i].password[0] && emb_ci_append(buf, size, &len, "password", roles[i].password)))
		return -1;
	return 0;
}

void embedded_dir_hash(const char *absdir, char out[17])
{
	uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a offset basis and prime */

	for (const unsigned char *p = (const unsigned char *)absdir; *p; p++) {
		h ^= *p;
		h *= 0x100000001b3ULL;
	}
	snprintf(out, 17, "%016llx", (unsigned long long)h);
}

int embedded_socket_dir(const char *run_dir, const char *hash, char *out, size_t size)
{
	int fallback = strlen(run_dir) + strlen(EMB_SOCKET_NAME) > EMB_SUN_PATH_MAX;
	int n = fallback ? snprintf(out, size, "%s%s", EMB_SOCKET_FALLBACK, hash)
			 : snprintf(out, size, "%s", run_dir);

	if (n < 0 || (size_t)n >= size)
		return -1;
	return fallback;
}

int embedded_credentials_format(const struct embedded_info *info, char *buf, size_t size)
{
	int n = snprintf(buf, size,
			 "# chiso embedded PostgreSQL: role passwords (chisoctl db init). "
			 "Keep secret.\n"
			 "superuser=%s\nsuperuser_password=%s\nowner_password=%s\n"
			 "writer_password=%s\nreader_password=%s\n",
			 EMB_SUPERUSER, info->superuser_password, info->owner_password,
			 info->writer_password, info->reader_password);
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

/* Trims blanks at both ends of s in place; returns the new start. */
static char *emb_trim(char *s)
{
	size_t len;

	s += strspn(s, " \t");
	len = strlen(s);
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\r'))
		s[--len] = '\0';
	return s;
}

static int emb_is_hex32(const char *s)
{
	return strlen(s) == 32 && strspn(s, "0123456789abcdef") == 32;
}

int embedded_credentials_parse(const char *text, const char *name, struct embedded_info *info,
			       char *err, size_t errsize)
{
	static const char *const keys[] = {"superuser", "superuser_password", "owner_password",
					   "writer_password", "reader_password"};
	enum { NKEYS = sizeof keys / sizeof keys[0] };
	char values[NKEYS][33], buf[256];
	int seen[NKEYS] = {0}, lineno = 0, rc = -1;
	const char *p = text;

	while (*p) {
		size_t len = strcspn(p, "\n");
		char *key, *value, *eq;
		size_t k;

		lineno++;
		if (len >= sizeof buf) {
			snprintf(err, errsize, "%s:%d: line too long", name, lineno);
			goto fail;
		}
		memcpy(buf, p, len);
		buf[len] = '\0';
		p += len + (p[len] == '\n');
		key = emb_trim(buf);
		if (key[0] == '\0' || key[0] == '#')
			continue;
		if (!(eq = strchr(key, '='))) {
			snprintf(err, errsize, "%s:%d: expected key=value", name, lineno);
			goto fail;
		}
		*eq = '\0';
		key = emb_trim(key);
		value = emb_trim(eq + 1);
		for (k = 0; k < NKEYS && strcmp(key, keys[k]) != 0; k++)
			;
		if (k == NKEYS) {
			snprintf(err, errsize, "%s:%d: unknown key \"%.40s\"", name, lineno, key);
			goto fail;
		}
		if (seen[k]) {
			snprintf(err, errsize, "%s:%d: duplicate key \"%s\"", name, lineno, key);
			goto fail;
		}
		if (k == 0 ? strcmp(value, EMB_SUPERUSER) != 0 : !emb_is_hex32(value)) {
			snprintf(err, errsize, "%s:%d: %s must be %s", name, lineno, key,
				 k == 0 ? EMB_SUPERUSER : "32 lowercase hex digits");
			goto fail;
		}
		seen[k] = 1;
		snprintf(values[k], sizeof values[k], "%s", value);
	}
	for (size_t k = 0; k < NKEYS; k++)
		if (!seen[k]) {
			snprintf(err, errsize, "%s: missing %s", name, keys[k]);
			goto fail;
		}
	memcpy(info->superuser_password, values[1], 33);
	memcpy(info->owner_password, values[2], 33);
	memcpy(info->writer_password, values[3], 33);
	memcpy(info->reader_password, values[4], 33);
	rc = 0;
fail:
	explicit_bzero(values, sizeof values);
	explicit_bzero(buf, sizeof buf);
	return rc;
}
