/*
 * store_migrate: `chisoctl db migrate`: applies the numbered files of sql/
 * once each, and the repeatable R_ files again whenever one changed.
 */
#ifndef CHISOCTL_STORE_MIGRATE_H
#define CHISOCTL_STORE_MIGRATE_H

#include <stddef.h>

struct store;

/*
 * Applies the numbered migrations of sql_dir that are not applied yet, recording
 * name and checksum, then the repeatable files if any changed, all in one
 * transaction: on an error nothing of the run stays (err names the file, line
 * and statement).  Refuses when an applied file has changed.  *applied gets the
 * number applied now (0 on an error).
 */
int store_migrate(struct store *s, const char *sql_dir, int *applied, char *err, size_t errsize);

/*
 * Applies sql/national/tables.sql and then province.sql (origin given: this
 * database publishes as that origin) or nation.sql (origin NULL: this is the
 * national database), in one transaction (docs/scaling.md, "A national
 * tier").  counts: the rows of national.unit and national.observation after.
 * Returns 0, or -1 with err naming the file and line.
 */
int store_national(struct store *s, const char *sql_dir, const char *origin, long long counts[2],
		   char *err, size_t errsize);

#endif
