/*
 * store_status: what `chisoctl status` reads besides chisod's own record
 * (lib/store_catalog.h) and the open periods' progress (lib/store_period.h):
 * the units of a period that have sent nothing, the rows refused lately by
 * reason, and the replication state of the server it reached.  Reads only,
 * so it works on a hot standby.
 */
#ifndef CHISOCTL_STORE_STATUS_H
#define CHISOCTL_STORE_STATUS_H

#include <stdbool.h>
#include <stddef.h>

struct store;

/* A unit that has sent nothing for a period. */
struct store_missing_unit {
	char code[17];
	char name[129];
	char parent[129]; /* "" for a unit without a parent */
};
/*
 * The units expected for period that have sent nothing for it, the lowest
 * tier first, then by code; *out (caller frees) holds *n.  0, or -1 with err.
 */
int store_status_missing(struct store *s, const char *period, struct store_missing_unit **out,
			 size_t *n, char *err, size_t errsize);

/* Rows refused with one reason. */
struct store_refused {
	char reason[33];
	long long rows;
};
/* The rows refused in the last hours, by reason, the most frequent first; *out as above. */
int store_status_refused(struct store *s, int hours, struct store_refused **out, size_t *n,
			 char *err, size_t errsize);

/* The replication state of the server the connection reached. */
struct store_replication {
	bool standby;	/* this server is a hot standby */
	bool lag_known; /* lag_s is set (on a primary: visible to this role) */
	double lag_s;	/* a standby's replay lag; a primary's largest standby lag */
	int standbys;	/* on a primary: the standbys streaming from it */
};
/* Fills r; 0, or -1 with err. */
int store_status_replication(struct store *s, struct store_replication *r, char *err,
			     size_t errsize);

#endif
