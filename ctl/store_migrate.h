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

#endif
