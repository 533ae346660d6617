/*
 * statuscmd: `chisoctl status [--all] [--json]`, what the operator asks every
 * morning, in one screen of at most 24 lines of 100 columns: is chisod up
 * (the age of the counters it records in the database every few seconds: a
 * stale record means it is not running or cannot reach PostgreSQL), how far
 * behind (last commit, rows waiting, agents' outboxes, standby lag), who has
 * not reported for the open periods (counts, deadline, the first units), and
 * what was refused in the last 24 hours.  --all lists everything (every open
 * period, every unit, chisod's counters and collectors); --json prints
 * chisod's record as is with the rest beside it, for Zabbix or any
 * monitoring system.  Reads only: works on a hot standby too.
 */
#ifndef CHISOCTL_STATUSCMD_H
#define CHISOCTL_STATUSCMD_H

#include "ctl.h"

/* Runs `status ...`; returns the exit status (1 if the daemon's record is stale or missing). */
int statuscmd_main(struct ctl *c, int argc, char **argv);

#endif
