/*
 * ctl: configuration and connections for chisoctl's commands (see ctl.h).
 */
#include "ctl.h"

#include <stdio.h>
#include <stdlib.h>

#include "log.h"

const struct srvconf *ctl_conf(struct ctl *c)
{
	char err[1024];

	if (!c->conf && (c->conf = srvconf_load(c->config_path, err, sizeof err)) == NULL)
		log_fatal("%s", err);
	return c->conf;
}

struct store *ctl_store(struct ctl *c, enum ctl_role role)
{
	const struct srvconf *conf = ctl_conf(c);
	const char *conninfo = role == CTL_OWNER    ? conf->owner_conninfo
			       : role == CTL_READER ? conf->reader_conninfo
						    : conf->conninfo;
	struct store_options opt = {.application_name = "chisoctl",
				    .connect_timeout_s = conf->connect_timeout_s};
	char err[1024];
	struct store *s = store_open(conninfo, &opt, err, sizeof err);

	if (!s)
		log_fatal("%s (configuration %s)", err, c->config_path);
	return s;
}

struct store *ctl_store_said(struct ctl *c, enum ctl_role role)
{
	struct store *s = ctl_store(c, role);
	char where[512];

	store_server_describe(s, where, sizeof where);
	log_info("database: %s", where);
	return s;
}

int ctl_fail(const char *err)
{
	log_err("%s", err);
	return 1;
}
