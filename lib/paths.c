/*
 * paths: locate sql/ and the shipped data, from the build tree or installed.
 *
 * The build tree is recognised by the executable living in <top>/<build dir>/bin and
 * <top>/sql/ existing; this keeps `build/bin/chisoctl db migrate` working from a
 * fresh clone without an install step.
 */
#include "paths.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef CHISO_SQL_DIR
#define CHISO_SQL_DIR "/usr/share/chiso/sql"
#endif
#ifndef CHISO_DATA_DIR
#define CHISO_DATA_DIR "/usr/share/chiso"
#endif

static int paths_is_dir(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The source tree top if this executable runs from <top>/<build dir>/bin. */
static const char *paths_source_top(void)
{
	static char top[PATH_MAX];
	static int done;
	char exe[PATH_MAX], probe[PATH_MAX + 8];

	if (done)
		return top[0] ? top : NULL;
	done = 1;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	for (int up = 0; up < 3; up++) { /* strip program, bin, build dir */
		char *slash = strrchr(exe, '/');
		if (!slash)
			return NULL;
		*slash = '\0';
	}
	snprintf(probe, sizeof probe, "%s/sql", exe);
	if (!paths_is_dir(probe))
		return NULL;
	snprintf(top, sizeof top, "%s", exe);
	return top;
}

const char *paths_sql_dir(void)
{
	static char dir[PATH_MAX + 8];
	const char *env = getenv("CHISO_SQL_DIR");
	const char *top;

	if (env && *env)
		return env;
	if ((top = paths_source_top()) != NULL) {
		snprintf(dir, sizeof dir, "%s/sql", top);
		return dir;
	}
	return CHISO_SQL_DIR;
}

const char *paths_data_dir(void)
{
	const char *env = getenv("CHISO_DATA_DIR");
	const char *top;

	if (env && *env)
		return env;
	if ((top = paths_source_top()) != NULL)
		return top;
	return CHISO_DATA_DIR;
}
