/*
 * natcmd: `chisoctl national publish ORIGIN | setup`, the national tier's
 * setup on a province and on the national database (docs/scaling.md, "A
 * national tier"; the SQL is sql/national/).
 */
#ifndef CHISOCTL_NATCMD_H
#define CHISOCTL_NATCMD_H

struct ctl;

/* Runs the national subcommand in argv; returns the exit status. */
int natcmd_main(struct ctl *c, int argc, char **argv);

#endif
