/*
 * store_migrate: `chisoctl db migrate`: applies the numbered files of sql/
 * once each, and the repeatable R_ files again whenever one changed.
 */
#ifndef CHISOCTL_STORE_MIGRATE_H
#define CHISOCTL_STORE_MIGRATE_H

#include <stddef.h>

struct store;

/*
 * Applies the numbered migrations of sql_dir that are not applied yet, each in
 * its own transaction, recording name and checksum.  Refuses when an applied
 * file has changed.  *applied gets the number applied now.
 */
int store_migrate(struct store *s, const char *sql_dir, int *applied, char *err, size_t errsize);

#endif
