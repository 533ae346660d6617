/*
 * store_catalog: what chisod reads of the reference data (the catalogue and
 * the enrolled collectors), and the daemons' status records that chisoctl
 * status reads back.  Loading and changing them is ctl/store_reference.h.
 */
#ifndef CHISO_STORE_CATALOG_H
#define CHISO_STORE_CATALOG_H

#include <stdbool.h>
#include <stddef.h>

struct store;

/* The latest catalogue document (JSON) and its version; the caller frees *doc. */
int store_catalog_current(struct store *s, char **doc, char *err, size_t errsize);

struct store_collector {
	int id;
	char name[65];
	char public_key[41];
	char unit_code[17];
	char unit_name[128];
	bool revoked;
	char created[20]; /* "YYYY-MM-DD HH:MM" */
	char last_batch[20];
	long long batches;
	char unit_until[11]; /* last day of the scope's unit when a reform closed it, or "" */
	char unit_tier[9];   /* the scope's unit's tier: "province", "district", "commune" */
};
/* Every enrolled collector (with delivery figures if stats); the caller frees *out. */
int store_collectors(struct store *s, bool stats, struct store_collector **out, size_t *n,
		     char *err, size_t errsize);
/* Records the daemon's live counters (JSON) under its name. */
int store_status_write(struct store *s, const char *name, const char *json, char *err,
		       size_t errsize);
/* The last counters a daemon recorded and their age in seconds; caller frees *json. */
int store_status_read(struct store *s, const char *name, char **json, double *age_s, char *err,
		      size_t errsize);

#endif
