/*
 * ctl: what every chisoctl command shares: the configuration it was given and
 * a way to open PostgreSQL as the role the command needs (migrations and
 * administration as chiso_owner, reports as chiso_reader).
 */
#ifndef CHISOCTL_CTL_H
#define CHISOCTL_CTL_H

#include "srvconf.h"
#include "store.h"
#include "store_admin.h"
#include "store_migrate.h"
#include "store_reference.h"
#include "store_report.h"
#include "store_status.h"

struct ctl {
	const char *config_path; /* as given (--config), or the default */
	struct srvconf *conf;	 /* loaded on first use */
};

enum ctl_role { CTL_OWNER, CTL_READER, CTL_WRITER };

/* The configuration, loaded on first use; exits with the file:line error if invalid. */
const struct srvconf *ctl_conf(struct ctl *c);
/* A connection as the role; exits with a message if PostgreSQL cannot be reached. */
struct store *ctl_store(struct ctl *c, enum ctl_role role);
/* ctl_store, then says on stderr which server it reached (primary or standby, host:port),
 * for the commands that work on either node of a failover pair. */
struct store *ctl_store_said(struct ctl *c, enum ctl_role role);
/* Prints err with the program name and returns exit status 1. */
int ctl_fail(const char *err);

#endif
