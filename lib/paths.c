/*
 * paths: locate sql/ and the shipped data relative to the executable (see paths.h).
 *
 * An installed program lives in <prefix>/bin and its data in
 * <prefix>/share/chiso; the build tree is laid out the same way (CMake links
 * <build>/share/chiso/{sql,config,data} to the source folders), so one rule
 * serves both, whatever directory the build tree is in.  Only when neither is
 * found (the executable moved on its own) is the configured install path used.
 */
#include "paths.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plat.h"

#ifndef CHISO_SQL_DIR
#define CHISO_SQL_DIR "/usr/share/chiso/sql"
#endif
#ifndef CHISO_DATA_DIR
#define CHISO_DATA_DIR "/usr/share/chiso"
#endif

int paths_mkdirs(const char *dir, mode_t mode)
{
	char path[PATH_MAX];

	if (snprintf(path, sizeof path, "%s", dir) >= (int)sizeof path) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (plat_mkdir(PLAT_CWD, path, mode) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return plat_mkdir(PLAT_CWD, path, mode) < 0 && errno != EEXIST ? -1 : 0;
}

static int paths_is_dir(const char *p)
{
	struct plat_stat st;
	return plat_stat(PLAT_CWD, p, true, &st) == 0 && st.is_dir;
}

/* <exe dir>/../share/chiso if it holds sql/, else NULL; found once. */
static const char *paths_share(void)
{
	static char share[PATH_MAX];
	static int done;
	char exe[PATH_MAX], probe[PATH_MAX + 8];

	if (done)
		return share[0] ? share : NULL;
	done = 1;
	if (plat_exe_path(exe, sizeof exe) != 0)
		return NULL;
	for (int up = 0; up < 2; up++) { /* strip the program, then bin */
		char *slash = strrchr(exe, '/');
		if (!slash)
			return NULL;
		*slash = '\0';
	}
	if (snprintf(probe, sizeof probe, "%s/share/chiso/sql", exe) >= (int)sizeof probe ||
	    !paths_is_dir(probe))
		return NULL;
	snprintf(share, sizeof share, "%.*s", (int)(strlen(probe) - 4), probe);
	return share;
}

const char *paths_sql_dir(void)
{
	static char dir[PATH_MAX + 8];
	const char *env = getenv("CHISO_SQL_DIR");
	const char *share;

	if (env && *env)
		return env;
	if ((share = paths_share()) != NULL) {
		snprintf(dir, sizeof dir, "%s/sql", share);
		return dir;
	}
	return CHISO_SQL_DIR;
}

const char *paths_data_dir(void)
{
	const char *env = getenv("CHISO_DATA_DIR");
	const char *share;

	if (env && *env)
		return env;
	if ((share = paths_share()) != NULL)
		return share;
	return CHISO_DATA_DIR;
}
