/*
 * store_period: chisod's housekeeping of periods: the deadlines from its
 * configuration, and closing the periods whose deadline passed.  Closing one
 * by hand and listing them is ctl/store_admin.h.
 */
#ifndef CHISO_STORE_PERIOD_H
#define CHISO_STORE_PERIOD_H

#include <stdbool.h>
#include <stddef.h>

struct store;

/* Replaces the stored deadlines with chisod.conf's (days per period type, daily .. yearly; -1
 * none). */
int store_period_deadlines(struct store *s, const long long days[6], bool auto_close, char *err,
			   size_t errsize);
/* Closes the periods whose deadline passed (where auto_close); *closed says how many. */
int store_period_autoclose(struct store *s, int *closed, char *err, size_t errsize);

#endif
