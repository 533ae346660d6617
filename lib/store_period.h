/*
 * store_period: chisod's housekeeping of periods: the deadlines from its
 * configuration, closing the periods whose deadline passed, and the
 * deadlines and closed state of the periods a WELCOME of version 2 lists.  Closing one
 * by hand and listing them is ctl/store_admin.h.
 */
#ifndef CHISO_STORE_PERIOD_H
#define CHISO_STORE_PERIOD_H

#include <stdbool.h>
#include <stddef.h>

struct store;
struct welcome_period;

/* Replaces the stored deadlines with chisod.conf's (days per period type, daily .. yearly; -1
 * none). */
int store_period_deadlines(struct store *s, const long long days[6], bool auto_close, char *err,
			   size_t errsize);
/*
 * Fills the deadline and closed state of the n periods p (welcome_candidates
 * made them) from the database's deadline_date() and period table; 0, or -1
 * with err.
 */
int store_period_welcome(struct store *s, struct welcome_period *p, size_t n, char *err,
			 size_t errsize);
/* Closes the periods whose deadline passed (where auto_close); *closed says how many. */
int store_period_autoclose(struct store *s, int *closed, char *err, size_t errsize);

/* One open period's progress (store_period_progress). */
struct store_period_progress {
	char code[16], type[16];
	int expected, reported; /* units expected to report, and those with any value */
	char due[11];		/* the deadline, YYYY-MM-DD; "" when none is configured */
	int days_left;		/* until due (negative: overdue); 0 without a deadline */
	long long due_epoch;	/* the end of the due day, unix seconds; 0 without a deadline */
	int open_periods;	/* open periods expecting units, all of them, not just these */
};
/*
 * The open periods that expect units, the earliest deadline first, at most
 * limit of them (chiso.period_progress); *out (caller frees) holds *n rows.
 * 0, or -1 with err.
 */
int store_period_progress(struct store *s, int limit, struct store_period_progress **out, size_t *n,
			  char *err, size_t errsize);

#endif
