/*
 * dbcmd: `chisoctl db init | start | stop | status | migrate`.
 *
 * init creates the embedded PostgreSQL cluster under DIR (default var/), the
 * roles and database, a server keypair in DIR/keys, and writes the
 * configuration that points at all of it (the file named by --config, else
 * DIR/chiso.conf).  migrate applies sql/NNN_*.sql as chiso_owner; it works the
 * same against a production server named in database.owner_conninfo.
 */
#ifndef CHISOCTL_DBCMD_H
#define CHISOCTL_DBCMD_H

#include <stdbool.h>

#include "ctl.h"

/* Runs `db ...`; config_given says whether --config was on the command line. */
int dbcmd_main(struct ctl *c, bool config_given, int argc, char **argv);

#endif
