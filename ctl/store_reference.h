/*
 * store_reference: loading the reference data (unit structures, crosswalks,
 * the catalogue) and enrolling or revoking collectors; chisoctl only.  What
 * chisod reads of them is lib/store_catalog.h.
 */
#ifndef CHISOCTL_STORE_REFERENCE_H
#define CHISOCTL_STORE_REFERENCE_H

#include <stddef.h>

struct store;

struct store_unit {
	long line; /* in the CSV file, for messages */
	const char *code, *name, *parent_code, *type;
	int level;
};
struct store_import_counts {
	int added, changed, closed, unchanged;
};
/* Loads a whole unit structure valid from valid_from ("YYYY-MM-DD" or "-infinity"). */
int store_units_import(struct store *s, const struct store_unit *units, size_t n,
		       const char *valid_from, struct store_import_counts *out, char *err,
		       size_t errsize);

struct crosswalk_row;
/* A problem of one line of an imported file, found by the database. */
struct store_problem {
	long line;
	char field[16];
	char message[256];
};
/*
 * Imports a checked crosswalk (ctl/crosswalk.h) in one transaction: when the database finds
 * problems (units that do not exist on their days, weights of an old unit that do not add up
 * to 1), *problems gets them all (caller frees), nothing is imported and 0 is returned; else
 * *imported gets the rows written.  -1 with err when the database fails.
 */
int store_crosswalk_import(struct store *s, const struct crosswalk_row *rows, size_t n,
			   int *imported, struct store_problem **problems, size_t *nproblems,
			   char *err, size_t errsize);

struct store_catalog_counts {
	int added, updated, retired;
};
/* Applies a catalogue in its JSON form (catalog_to_json). */
int store_catalog_load(struct store *s, const char *json, struct store_catalog_counts *out,
		       char *err, size_t errsize);

/* Enrols a collector for the subtree of unit_code (its version valid today). */
int store_collector_add(struct store *s, const char *name, const char *public_key,
			const char *unit_code, char *err, size_t errsize);
/* Revokes a collector; 0, or -1 with err (unknown or already revoked). */
int store_collector_revoke(struct store *s, const char *name, char *err, size_t errsize);

#endif
