/*
 * plat_win: what the Windows files of lib/plat.h share (plat_win.c,
 * plat_win_acl.c, plat_win_svc.c); nothing outside lib/plat_win*.c includes
 * it.
 */
#ifndef CHISO_PLAT_WIN_H
#define CHISO_PLAT_WIN_H

#include <stdbool.h>
#include <windows.h>

/* errno for a Win32 error code. */
int plat_errno(DWORD e);
/* UTF-8 to a malloc'd UTF-16 string; NULL with errno (EILSEQ: not UTF-8). */
wchar_t *plat_wide(const char *s);
/* UTF-16 to UTF-8 into buf; 0, or -1 (ENAMETOOLONG when it does not fit). */
int plat_narrow(const wchar_t *w, char *buf, size_t size);
/*
 * The security descriptor a file (or, with dir, a folder) gets when created
 * with a mode that lets no group or others in (0600, 0700): the system, the
 * administrators and the user who creates it.  The caller frees it with
 * LocalFree; NULL when it cannot be made (the parent's list then applies).
 */
void *plat_private_sd(bool dir);
/* Asks for a stop, as Ctrl-C does: what the service manager's stop turns into. */
void plat_stop_raise(void);

#endif
