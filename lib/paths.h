/*
 * paths: where the programs find their shipped data (sql/, config/).
 *
 * A program finds them at <its bin dir>/../share/chiso: installed, that is
 * /usr/share/chiso; run from a build tree (wherever it is), CMake has linked
 * <build>/share/chiso to the source folders, so the demo and the tests need no
 * install.  CHISO_SQL_DIR and CHISO_DATA_DIR in the environment win.
 */
#ifndef CHISO_PATHS_H
#define CHISO_PATHS_H

/* The folder of numbered migrations and reference SQL; borrowed, static storage. */
const char *paths_sql_dir(void);
/* The folder holding config/ and data/ as shipped; borrowed, static storage. */
const char *paths_data_dir(void);

#include <sys/types.h>
/* mkdir -p: creates dir and any missing parents with mode (before the umask);
 * 0, or -1 with errno. */
int paths_mkdirs(const char *dir, mode_t mode);

#endif
