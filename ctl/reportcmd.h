/*
 * reportcmd: `chisoctl report --period P --unit CODE [--format text|csv] [--output FILE]`.
 *
 * Every figure comes from the rollups: a ratio is always its aggregated
 * numerator divided by its aggregated denominator, printed with both, so the
 * 164 % a commune once typed for 14 of 23 procedures cannot happen.  The text
 * form is for people (Vietnamese, 1.463 and 60,87 %); the CSV form for
 * machines (header below, dot decimals, ratios as percentages to 2 decimals):
 *
 *   unit_code,unit_name,level,indicator_code,indicator_name,period,value,
 *   numerator,denominator,reporting_units,expected_units
 */
#ifndef CHISOCTL_REPORTCMD_H
#define CHISOCTL_REPORTCMD_H

#include <stddef.h>

#include "ctl.h"

/* Runs `report ...`; returns the exit status. */
int reportcmd_main(struct ctl *c, int argc, char **argv);
/* "năm 2024", "6 tháng đầu năm 2024", "quý II năm 2024", "tháng 6 năm 2024"... */
int reportcmd_period_vi(const char *period, char *buf, size_t size);

#endif
