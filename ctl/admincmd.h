/*
 * admincmd: the operator's small commands.
 *
 *   chisoctl catalog load [FILE]             check and apply the indicator catalogue
 *   chisoctl keygen NAME [--dir DIR]         write NAME.pub and NAME.key (0600)
 *   chisoctl collector add ID --key FILE --unit CODE
 *   chisoctl collector revoke ID
 *   chisoctl collector list
 *   chisoctl rollup verify | rebuild
 *   chisoctl period close P [--reason TEXT] | reopen P [--reason TEXT] | list
 */
#ifndef CHISOCTL_ADMINCMD_H
#define CHISOCTL_ADMINCMD_H

#include "ctl.h"

/* `catalog ...`; returns the exit status. */
int admincmd_catalog(struct ctl *c, int argc, char **argv);
/* `keygen ...`. */
int admincmd_keygen(struct ctl *c, int argc, char **argv);
/* `collector ...`. */
int admincmd_collector(struct ctl *c, int argc, char **argv);
/* `rollup ...`. */
int admincmd_rollup(struct ctl *c, int argc, char **argv);
/* `period ...`. */
int admincmd_period(struct ctl *c, int argc, char **argv);

#endif
