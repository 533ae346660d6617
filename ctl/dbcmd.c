/*
 * dbcmd: the embedded cluster and migrations (see dbcmd.h).
 */
#include "dbcmd.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "embedded.h"
#include "keys.h"
#include "log.h"
#include "paths.h"

/* Writes conf to path atomically, mode 0600 (it holds the database passwords). */
static int dbcmd_write_config(const struct srvconf *conf, const char *path, char *err,
			      size_t errsize)
{
	char tmp[PATH_MAX + 8];
	FILE *fp;

	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	umask(077);
	if ((fp = fopen(tmp, "w")) == NULL) {
		snprintf(err, errsize, "%s: %s", tmp, strerror(errno));
		return -1;
	}
	fprintf(fp, "# chisod / chisoctl configuration written by `chisoctl db init`\n"
		    "# for the embedded PostgreSQL cluster.  Every key is documented in\n"
		    "# chisod.conf(5); this file holds passwords: keep it mode 0600.\n\n");
	srvconf_print(conf, true, fp);
	if (fflush(fp) != 0 || fsync(fileno(fp)) != 0 || fclose(fp) != 0 || rename(tmp, path) < 0) {
		snprintf(err, errsize, "%s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

static int dbcmd_init(struct ctl *c, bool config_given, const char *dir_arg)
{
	char dir[PATH_MAX], keydir[PATH_MAX + 8], pub[PATH_MAX + 32], key[PATH_MAX + 32];
	char cfgpath[PATH_MAX + 32], err[1024], conninfo[1024];
	struct embedded_info info;
	struct srvconf *conf;

	if (paths_mkdirs(dir_arg, 0755) < 0) {
		snprintf(err, sizeof err, "cannot create %s: %s", dir_arg, strerror(errno));
		return ctl_fail(err);
	}
	if (!realpath(dir_arg, dir))
		return ctl_fail(strerror(errno));
	if (embedded_init(dir, &info, err, sizeof err) < 0)
		return ctl_fail(err);

	snprintf(keydir, sizeof keydir, "%s/keys", dir);
	snprintf(pub, sizeof pub, "%s/server.pub", keydir);
	snprintf(key, sizeof key, "%s/server.key", keydir);
	if (mkdir(keydir, 0700) < 0 && errno != EEXIST)
		return ctl_fail(strerror(errno));
	if (access(key, F_OK) != 0) {
		if (keys_generate(keydir, "server", err, sizeof err) < 0)
			return ctl_fail(err);
		log_info("server keypair written to %s", keydir);
	}

	snprintf(cfgpath, sizeof cfgpath, "%s", config_given ? c->config_path : "");
	if (!config_given)
		snprintf(cfgpath, sizeof cfgpath, "%s/chiso.conf", dir);
	/* Keep what an earlier init or the operator put in the file. */
	conf = srvconf_load(access(cfgpath, F_OK) == 0 ? cfgpath : NULL, err, sizeof err);
	if (!conf)
		return ctl_fail(err);
	static const struct {
		const char *role, *key;
	} roles[] = {{"writer", "database.conninfo"},
		     {"owner", "database.owner_conninfo"},
		     {"reader", "database.reader_conninfo"}};
	int rc = 0;
	for (size_t i = 0; i < 3 && rc == 0; i++) {
		embedded_conninfo(&info, roles[i].role, conninfo, sizeof conninfo);
		rc = cfg_set(srvconf_keys, srvconf_nkeys, conf, roles[i].key, conninfo, err,
			     sizeof err);
	}
	if (rc == 0 && strcmp(conf->endpoint, "tcp://*:7460") == 0)
		rc = cfg_set(srvconf_keys, srvconf_nkeys, conf, "server.endpoint",
			     "tcp://127.0.0.1:7460", err, sizeof err);
	if (rc == 0)
		rc = cfg_set(srvconf_keys, srvconf_nkeys, conf, "server.public_key_file", pub, err,
			     sizeof err);
	if (rc == 0)
		rc = cfg_set(srvconf_keys, srvconf_nkeys, conf, "server.secret_key_file", key, err,
			     sizeof err);
	if (rc == 0)
		rc = cfg_set(srvconf_keys, srvconf_nkeys, conf, "embedded.dir", dir, err,
			     sizeof err);
	if (rc == 0)
		rc = dbcmd_write_config(conf, cfgpath, err, sizeof err);
	srvconf_destroy(&conf);
	if (rc < 0)
		return ctl_fail(err);
	printf("PostgreSQL is running in %s; configuration written to %s\n", info.data_dir,
	       cfgpath);
	return 0;
}

/* The embedded directory: --dir, else embedded.dir of the configuration. */
static const char *dbcmd_dir(struct ctl *c, const char *dir_arg)
{
	if (dir_arg)
		return dir_arg;
	const char *dir = ctl_conf(c)->embedded_dir;
	if (!dir || !*dir)
		log_fatal("%s has no embedded.dir: this database is not an embedded cluster",
			  c->config_path);
	return dir;
}

static int dbcmd_migrate(struct ctl *c)
{
	char err[2048];
	int applied;
	struct store *s = ctl_store(c, CTL_OWNER);
	int rc = store_migrate(s, paths_sql_dir(), &applied, err, sizeof err);

	store_close(&s);
	if (rc < 0)
		return ctl_fail(err);
	if (applied)
		printf("%d migration%s applied\n", applied, applied == 1 ? "" : "s");
	else
		printf("database schema is up to date\n");
	return 0;
}

int dbcmd_main(struct ctl *c, bool config_given, int argc, char **argv)
{
	const char *dir = NULL;
	char err[1024];
	struct embedded_info info;

	const char *role = "owner";
	for (int i = 1; i + 1 < argc; i++) {
		if (strcmp(argv[i], "--dir") == 0)
			dir = argv[i + 1];
		else if (strcmp(argv[i], "--role") == 0)
			role = argv[i + 1];
	}
	if (argc < 1)
		goto usage;
	if (strcmp(argv[0], "init") == 0)
		return dbcmd_init(c, config_given, dir ? dir : "var");
	if (strcmp(argv[0], "migrate") == 0)
		return dbcmd_migrate(c);
	if (strcmp(argv[0], "start") == 0) {
		if (embedded_start(dbcmd_dir(c, dir), &info, err, sizeof err) < 0)
			return ctl_fail(err);
		printf("PostgreSQL is running in %s\n", info.data_dir);
		return 0;
	}
	if (strcmp(argv[0], "stop") == 0) {
		if (embedded_stop(dbcmd_dir(c, dir), err, sizeof err) < 0)
			return ctl_fail(err);
		printf("PostgreSQL stopped\n");
		return 0;
	}
	if (strcmp(argv[0], "status") == 0) {
		/* exit status as pg_ctl status: 0 running, 3 stopped, 4 no cluster */
		const char *where = dbcmd_dir(c, dir);
		int st = embedded_status(where, &info);
		if (st < 0) {
			printf("no PostgreSQL cluster in %s\n", where);
			return 4;
		}
		printf("%s\ndata directory: %s\nsocket directory: %s\nport: %d\ndatabase: %s\n"
		       "log: %s\n",
		       st > 0 ? "running" : "stopped", info.data_dir, info.socket_dir, info.port,
		       info.dbname, info.log_file);
		return st > 0 ? 0 : 3;
	}
	if (strcmp(argv[0], "conninfo") == 0) {
		/* for psql and BI tools: chisoctl db conninfo --role reader */
		char buf[1024];
		if (embedded_status(dbcmd_dir(c, dir), &info) < 0)
			return ctl_fail("no embedded cluster there: run chisoctl db init");
		if (embedded_conninfo(&info, role, buf, sizeof buf) != 0)
			return ctl_fail("role must be owner, writer, reader or superuser");
		printf("%s\n", buf);
		return 0;
	}
usage:
	fprintf(stderr, "usage: chisoctl [--config FILE] db init [--dir DIR]\n"
			"       chisoctl [--config FILE] db start|stop|status [--dir DIR]\n"
			"       chisoctl [--config FILE] db conninfo [--dir DIR] [--role ROLE]\n"
			"       chisoctl [--config FILE] db migrate\n");
	return 2;
}
