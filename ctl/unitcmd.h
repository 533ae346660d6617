/*
 * unitcmd: `chisoctl units import FILE.csv [--valid-from DATE]`.
 *
 * The file has the header code,name,level,parent_code,type of data/units/.
 * Every row is checked before anything is written and every problem is
 * printed as file:line: column: message; the structure then replaces the one
 * valid on DATE (default: the structure as it always was) in one transaction.
 */
#ifndef CHISOCTL_UNITCMD_H
#define CHISOCTL_UNITCMD_H

#include "ctl.h"

/* Runs `units ...`; argv[0] is the subcommand. Returns the exit status. */
int unitcmd_main(struct ctl *c, int argc, char **argv);

#endif
