/*
 * store_admin: chisoctl's administration of the figures: checking and
 * rebuilding the rollups, closing and reopening periods by hand, listing them.
 */
#ifndef CHISOCTL_STORE_ADMIN_H
#define CHISOCTL_STORE_ADMIN_H

#include <stdbool.h>
#include <stddef.h>

struct store;

struct store_difference {
	char check[32];
	char unit_code[17];
	char indicator_code[65];
	char period[17];
	char stored[160];
	char recomputed[160];
};
/*
 * Recomputes every rollup two ways (rebuild, and a plain aggregation) inside a
 * transaction it rolls back; fills the differences (caller frees) and *nrows.
 * Where the transaction cannot write (a hot standby) only the plain
 * aggregation is compared with the stored rollups, and *read_only is true.
 */
int store_rollup_verify(struct store *s, struct store_difference **diffs, size_t *n,
			long long *nrows, bool *read_only, char *err, size_t errsize);
/* Recomputes every rollup from the observations and commits; *nrows gets the count. */
int store_rollup_rebuild(struct store *s, long long *nrows, char *err, size_t errsize);

/* Closes (close) or reopens a period by its identifier, recording actor and reason. */
int store_period_set_closed(struct store *s, const char *code, bool close, const char *actor,
			    const char *reason, char *err, size_t errsize);

/* One line of `chisoctl period list`. */
struct store_period {
	char code[16], type[16], adm[32], stat[32], due[16], closed[96];
};
/* Every known period; *out is freed by the caller. */
int store_period_list(struct store *s, struct store_period **out, size_t *n, char *err,
		      size_t errsize);

#endif
