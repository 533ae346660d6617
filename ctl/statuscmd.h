/*
 * statuscmd: `chisoctl status [--json]`, the operator's view of a running chisod.
 *
 * chisod records its counters in the database every few seconds; this reads
 * them and says how old they are (a stale record means the daemon is not
 * running or cannot reach PostgreSQL).  --json prints the record as is, for
 * Zabbix or any monitoring system.
 */
#ifndef CHISOCTL_STATUSCMD_H
#define CHISOCTL_STATUSCMD_H

#include "ctl.h"

/* Runs `status ...`; returns the exit status (1 if the daemon's record is stale). */
int statuscmd_main(struct ctl *c, int argc, char **argv);

#endif
