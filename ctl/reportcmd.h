/*
 * reportcmd: `chisoctl report`, the periodic report from the rollups, and its
 * published versions.
 *
 *   report --period P --unit CODE [--format text|csv|markdown|html] [--lang vi|en]
 *          [--bom] [--level N] [--output FILE] [--published [--version N]]
 *   report --period P --unit CODE --changes [--version N] [--format text|csv|markdown]
 *   report publish --period P --unit CODE [--note TEXT]
 *   report published [--period P] [--unit CODE]
 *
 * Every figure comes from the rollups: a ratio is always its aggregated
 * numerator divided by its aggregated denominator, printed with both, so the
 * 164 % a commune once typed for 14 of 23 procedures cannot happen.  Text,
 * Markdown and HTML are for people (Vietnamese by default: 1.463 and 60,87%);
 * CSV for machines (reptext.h has its columns).  `publish` freezes the report
 * in the database (store_report_publish); `--published` renders that frozen
 * copy, which reads the same after any later correction, and `--changes` lists
 * what moved since.  Reports, publishing and listing read as chiso_reader,
 * publishing writes as chiso_owner.
 */
#ifndef CHISOCTL_REPORTCMD_H
#define CHISOCTL_REPORTCMD_H

#include "ctl.h"

/* Runs `report ...`; returns the exit status (2 for a usage error). */
int reportcmd_main(struct ctl *c, int argc, char **argv);

#endif
