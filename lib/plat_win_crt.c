/*
 * plat_win_crt: the parts of lib/plat.h that fill the gaps of Windows' C
 * runtime (msvcrt): no open_memstream, getline or strndup, no EDQUOT, and an
 * fopen that takes names in the ANSI code page; and the program's own path.
 * Built with plat_win.c by the Windows cross build only.
 */
#include "plat.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WIN32_LEAN_AND_MEAN
#include <windows.h>

FILE *plat_fopen_read(const char *path)
{
	/* plat_open takes UTF-8 through the wide API; its descriptor is binary. */
	int fd = plat_open(PLAT_CWD, path, PLAT_O_READ, 0);
	FILE *fp;

	if (fd < 0)
		return NULL;
	if ((fp = fdopen(fd, "rb")) == NULL)
		plat_close(fd);
	return fp;
}

ssize_t plat_getline(char **line, size_t *cap, FILE *fp)
{
	size_t len = 0;
	int c;

	while ((c = getc(fp)) != EOF) {
		if (len + 2 > *cap) {
			size_t size = *cap ? *cap * 2 : 128;
			char *more = realloc(*line, size);
			if (more == NULL) {
				errno = ENOMEM;
				return -1;
			}
			*line = more;
			*cap = size;
		}
		(*line)[len++] = (char)c;
		if (c == '\n')
			break;
	}
	if (len == 0)
		return -1;
	(*line)[len] = '\0';
	return (ssize_t)len;
}

char *plat_strndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *copy = malloc(len + 1);

	if (copy != NULL) {
		memcpy(copy, s, len);
		copy[len] = '\0';
	}
	return copy;
}

bool plat_disk_full(int e)
{
	return e == ENOSPC; /* no quotas' errno: ERROR_DISK_FULL is ENOSPC */
}

/* A temporary file, removed at its close ("D"), stands in for the memory stream. */
struct plat_memout {
	FILE *fp;
};

FILE *plat_memout_open(struct plat_memout **mp)
{
	wchar_t dir[MAX_PATH + 1], name[MAX_PATH + 1];
	struct plat_memout *m = calloc(1, sizeof *m);

	*mp = NULL;
	if (m == NULL || GetTempPathW(MAX_PATH + 1, dir) == 0 ||
	    GetTempFileNameW(dir, L"chi", 0, name) == 0 ||
	    (m->fp = _wfopen(name, L"w+bDN")) == NULL) {
		free(m);
		return NULL;
	}
	*mp = m;
	return m->fp;
}

char *plat_memout_close(struct plat_memout **mp, size_t *len)
{
	struct plat_memout *m = *mp;
	char *buf = NULL;
	long size;

	if (m == NULL)
		return NULL;
	*mp = NULL;
	if (fflush(m->fp) == 0 && (size = ftell(m->fp)) >= 0 &&
	    (buf = malloc((size_t)size + 1)) != NULL) {
		rewind(m->fp);
		*len = fread(buf, 1, (size_t)size, m->fp);
		buf[*len] = '\0';
	}
	fclose(m->fp);
	free(m);
	return buf;
}

int plat_exe_path(char *buf, size_t size)
{
	wchar_t w[MAX_PATH + 1];
	DWORD n = GetModuleFileNameW(NULL, w, MAX_PATH + 1);

	if (n == 0 || n > MAX_PATH ||
	    WideCharToMultiByte(CP_UTF8, 0, w, -1, buf, (int)size, NULL, NULL) <= 0) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (char *p = buf; *p; p++)
		if (*p == '\\')
			*p = '/';
	return 0;
}
