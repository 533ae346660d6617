/*
 * plat_win: lib/plat.h on Windows, with the Win32 wide API (built only by the
 * Windows cross build; CMake leaves it out on Linux).
 *
 * Names are UTF-8 inside the agent and UTF-16 at the API (the narrow calls
 * would use the ANSI code page and lose Vietnamese letters).  A file handle
 * is a C runtime descriptor made from the Win32 HANDLE, so that stdio's
 * fdopen works on it; a directory handle also remembers its path in a slot
 * of its own, because Win32 has no calls relative to an open directory.
 *
 * The outbox's promise holds as on Linux: plat_sync is FlushFileBuffers and
 * plat_rename is MoveFileExW(MOVEFILE_REPLACE_EXISTING |
 * MOVEFILE_WRITE_THROUGH), which returns only once the rename is on disk, so
 * a directory needs no sync of its own.  Files are opened with every share
 * mode (so that a rename or removal works while another process reads), and
 * plat_lock is LockFileEx over the whole file: a second agent, or Excel
 * holding a workbook open, cannot take or break it.
 */
#define WIN32_LEAN_AND_MEAN
#ifndef _WIN32_WINNT
#define _WIN32_WINNT 0x0601 /* Windows 7: inet_pton, SRW locks */
#endif
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
#include <shellapi.h> /* CommandLineToArgvW */
#include <bcrypt.h>
#include <fcntl.h>
#include <io.h>
/* FOLDERID_ProgramData defined here rather than taken from libuuid. */
#include <initguid.h>
#include <knownfolders.h>
#include <shlobj.h>

#include "plat.h"
#include "plat_win.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Descriptors that may be directories: the slots of their paths. */
#define PLAT_WIN_FDS 1024

/*
 * The directories' paths, by descriptor.  A table shared by the threads (the
 * delivery loop and the form's HTTP thread both open outboxes): Win32 gives
 * no per-handle user data, so it is the one shared state here, under a lock.
 */
static char *plat_dirs[PLAT_WIN_FDS];
/* The handles opened with PLAT_O_APPEND: plat_write_all writes them at the end. */
static bool plat_appends[PLAT_WIN_FDS];
static SRWLOCK plat_dirs_lock = SRWLOCK_INIT;

/* The stop request: Windows calls the console handler with no argument of ours. */
static volatile LONG plat_stop_flag;

int plat_errno(DWORD e)
{
	switch (e) {
	case ERROR_FILE_NOT_FOUND:
	case ERROR_PATH_NOT_FOUND:
	case ERROR_INVALID_DRIVE:
		return ENOENT;
	case ERROR_FILE_EXISTS:
	case ERROR_ALREADY_EXISTS:
		return EEXIST;
	case ERROR_ACCESS_DENIED:
	case ERROR_SHARING_VIOLATION:
		return EACCES;
	case ERROR_LOCK_VIOLATION:
	case ERROR_IO_PENDING:
		return EWOULDBLOCK;
	case ERROR_DISK_FULL:
	case ERROR_HANDLE_DISK_FULL:
		return ENOSPC;
	case ERROR_DIRECTORY:
		return ENOTDIR;
	case ERROR_DIR_NOT_EMPTY:
		return ENOTEMPTY;
	case ERROR_NOT_SAME_DEVICE:
		return EXDEV;
	case ERROR_FILENAME_EXCED_RANGE:
		return ENAMETOOLONG;
	case ERROR_INVALID_NAME:
	case ERROR_INVALID_PARAMETER:
		return EINVAL;
	case ERROR_NOT_ENOUGH_MEMORY:
	case ERROR_OUTOFMEMORY:
		return ENOMEM;
	default:
		return EIO;
	}
}

/* Fails with errno from GetLastError; returns -1. */
static int plat_fail(void)
{
	errno = plat_errno(GetLastError());
	return -1;
}

wchar_t *plat_wide(const char *s)
{
	int n = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, NULL, 0);
	wchar_t *w;

	if (n <= 0) {
		errno = EILSEQ;
		return NULL;
	}
	if ((w = malloc((size_t)n * sizeof *w)) == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, w, n);
	return w;
}

int plat_narrow(const wchar_t *w, char *buf, size_t size)
{
	int n = WideCharToMultiByte(CP_UTF8, 0, w, -1, buf, (int)size, NULL, NULL);

	if (n <= 0) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

static bool plat_absolute(const char *name)
{
	return name[0] == '/' || name[0] == '\\' ||
	       (name[0] != '\0' && name[1] == ':' && (name[2] == '/' || name[2] == '\\'));
}

/* The UTF-16 path of dfd/name (malloc'd), or NULL with errno. */
static wchar_t *plat_path_at(int dfd, const char *name)
{
	if (dfd == PLAT_CWD || plat_absolute(name))
		return plat_wide(name);
	AcquireSRWLockShared(&plat_dirs_lock);
	const char *dir = dfd >= 0 && dfd < PLAT_WIN_FDS ? plat_dirs[dfd] : NULL;
	size_t len = dir ? strlen(dir) + strlen(name) + 2 : 0;
	char *full = dir ? malloc(len) : NULL;
	if (full)
		snprintf(full, len, "%s/%s", dir, name);
	ReleaseSRWLockShared(&plat_dirs_lock);
	if (!full) {
		errno = dir ? ENOMEM : EBADF;
		return NULL;
	}
	wchar_t *w = plat_wide(full);
	free(full);
	return w;
}

static HANDLE plat_handle(int fd)
{
	return (HANDLE)_get_osfhandle(fd);
}

static bool plat_is_dir_fd(int fd)
{
	AcquireSRWLockShared(&plat_dirs_lock);
	bool dir = fd >= 0 && fd < PLAT_WIN_FDS && plat_dirs[fd] != NULL;
	ReleaseSRWLockShared(&plat_dirs_lock);
	return dir;
}

/* CreateFileW's disposition for the PLAT_O_* bits. */
static DWORD plat_disposition(unsigned how)
{
	if ((how & PLAT_O_CREATE) && (how & PLAT_O_EXCL))
		return CREATE_NEW;
	if ((how & PLAT_O_CREATE) && (how & PLAT_O_TRUNC))
		return CREATE_ALWAYS;
	if (how & PLAT_O_CREATE)
		return OPEN_ALWAYS;
	if (how & PLAT_O_TRUNC)
		return TRUNCATE_EXISTING;
	return OPEN_EXISTING;
}

/* Remembers the path of a directory descriptor; 0 or -1. */
static int plat_dir_remember(int fd, int dfd, const char *name)
{
	wchar_t *w = plat_path_at(dfd, name), full[MAX_PATH * 4];
	char *utf8 = NULL;
	DWORD n = w ? GetFullPathNameW(w, MAX_PATH * 4, full, NULL) : 0;

	free(w);
	if (n == 0 || n >= MAX_PATH * 4 || fd >= PLAT_WIN_FDS)
		return errno = ENAMETOOLONG, -1;
	if ((utf8 = malloc(n * 4 + 1)) == NULL || plat_narrow(full, utf8, n * 4 + 1) != 0) {
		free(utf8);
		return errno = ENOMEM, -1;
	}
	AcquireSRWLockExclusive(&plat_dirs_lock);
	free(plat_dirs[fd]);
	plat_dirs[fd] = utf8;
	ReleaseSRWLockExclusive(&plat_dirs_lock);
	return 0;
}

int plat_open(int dfd, const char *name, unsigned how, unsigned mode)
{
	DWORD access = 0, flags = FILE_ATTRIBUTE_NORMAL;
	int crt = _O_BINARY | _O_NOINHERIT;
	wchar_t *w = plat_path_at(dfd, name);
	BY_HANDLE_FILE_INFORMATION info;
	HANDLE h;

	/* A mode closed to group and others (a key, the outbox) becomes a private access
	 * list; any other mode leaves the folder's list to apply. */
	SECURITY_ATTRIBUTES sa = {sizeof sa, NULL, FALSE};
	if (w == NULL)
		return -1;
	if ((how & PLAT_O_CREATE) && mode != 0 && (mode & 077) == 0)
		sa.lpSecurityDescriptor = plat_private_sd(false);
	if (how & PLAT_O_READ)
		access |= GENERIC_READ;
	/* Appends go through stdio, whose _O_APPEND seeks to the end; GENERIC_WRITE
	 * also lets FlushFileBuffers and the truncate of a reject file work. */
	if (how & PLAT_O_WRITE)
		access |= GENERIC_WRITE;
	crt |= (how & PLAT_O_RDWR) == PLAT_O_RDWR ? _O_RDWR
	       : (how & PLAT_O_WRITE)		  ? _O_WRONLY
						  : _O_RDONLY;
	if (how & PLAT_O_APPEND)
		crt |= _O_APPEND;
	if (how & PLAT_O_DIR) {
		access = FILE_LIST_DIRECTORY | FILE_READ_ATTRIBUTES;
		flags = FILE_FLAG_BACKUP_SEMANTICS;
	}
	if (how & PLAT_O_NOFOLLOW)
		flags |= FILE_FLAG_OPEN_REPARSE_POINT;
	h = CreateFileW(w, access ? access : FILE_READ_ATTRIBUTES,
			FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
			sa.lpSecurityDescriptor ? &sa : NULL, plat_disposition(how), flags, NULL);
	free(w);
	LocalFree(sa.lpSecurityDescriptor);
	if (h == INVALID_HANDLE_VALUE)
		return plat_fail();
	if (!GetFileInformationByHandle(h, &info)) {
		int e = plat_errno(GetLastError());
		CloseHandle(h);
		return errno = e, -1;
	}
	bool is_dir = (info.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) != 0;
	int e = 0;
	if ((how & PLAT_O_NOFOLLOW) && (info.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT))
		e = ELOOP;
	else if ((how & PLAT_O_DIR) && !is_dir)
		e = ENOTDIR;
	else if (!(how & PLAT_O_DIR) && is_dir)
		e = EISDIR;
	if (e) {
		CloseHandle(h);
		return errno = e, -1;
	}
	int fd = _open_osfhandle((intptr_t)h, crt);
	if (fd < 0) {
		CloseHandle(h);
		return errno = EMFILE, -1;
	}
	if (is_dir && plat_dir_remember(fd, dfd, name) != 0) {
		e = errno;
		_close(fd);
		return errno = e, -1;
	}
	if (fd < PLAT_WIN_FDS)
		plat_appends[fd] = (how & PLAT_O_APPEND) != 0;
	return fd;
}

int plat_close(int fd)
{
	if (fd >= 0 && fd < PLAT_WIN_FDS) {
		AcquireSRWLockExclusive(&plat_dirs_lock);
		free(plat_dirs[fd]);
		plat_dirs[fd] = NULL;
		plat_appends[fd] = false;
		ReleaseSRWLockExclusive(&plat_dirs_lock);
	}
	return _close(fd);
}

int plat_dup(int fd)
{
	return _dup(fd);
}

ssize_t plat_read(int fd, void *buf, size_t n)
{
	DWORD got = 0;

	if (n > 0x7fffffffu)
		n = 0x7fffffffu;
	if (!ReadFile(plat_handle(fd), buf, (DWORD)n, &got, NULL))
		return GetLastError() == ERROR_HANDLE_EOF ? 0 : plat_fail();
	return (ssize_t)got;
}

ssize_t plat_read_full(int fd, void *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		OVERLAPPED ov = {0};
		DWORD r = 0, want = n - got > 0x7fffffffu ? 0x7fffffffu : (DWORD)(n - got);
		ov.Offset = (DWORD)got;
		ov.OffsetHigh = (DWORD)((uint64_t)got >> 32);
		if (!ReadFile(plat_handle(fd), (char *)buf + got, want, &r, &ov)) {
			if (GetLastError() == ERROR_HANDLE_EOF)
				break;
			return plat_fail();
		}
		if (r == 0)
			break;
		got += r;
	}
	return (ssize_t)got;
}

int plat_write_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;
	/* WriteFile ignores the C runtime's _O_APPEND: an offset of all ones is
	 * Windows' "at the end of the file", as O_APPEND, at each write. */
	bool append = fd >= 0 && fd < PLAT_WIN_FDS && plat_appends[fd];

	while (n > 0) {
		DWORD w = 0, want = n > 0x7fffffffu ? 0x7fffffffu : (DWORD)n;
		OVERLAPPED end = {.Offset = 0xffffffffu, .OffsetHigh = 0xffffffffu};
		if (!WriteFile(plat_handle(fd), p, want, &w, append ? &end : NULL))
			return plat_fail();
		p += w;
		n -= w;
	}
	return 0;
}

int plat_sync(int fd)
{
	/* A directory's entries are durable once MoveFileExW(WRITE_THROUGH) returns. */
	if (plat_is_dir_fd(fd))
		return 0;
	return FlushFileBuffers(plat_handle(fd)) ? 0 : plat_fail();
}

int plat_touch(int fd)
{
	FILETIME now;

	GetSystemTimeAsFileTime(&now);
	return SetFileTime(plat_handle(fd), NULL, NULL, &now) ? 0 : plat_fail();
}

int plat_set_mtime(int fd, time_t t)
{
	/* FILETIME counts 100 ns from 1601-01-01, 11644473600 s before the Unix epoch. */
	ULONGLONG v = ((ULONGLONG)t + 11644473600ULL) * 10000000ULL;
	FILETIME ft = {(DWORD)v, (DWORD)(v >> 32)};

	return SetFileTime(plat_handle(fd), NULL, &ft, &ft) ? 0 : plat_fail();
}

int plat_truncate(int fd, uint64_t size)
{
	FILE_END_OF_FILE_INFO eof;

	eof.EndOfFile.QuadPart = (LONGLONG)size;
	return SetFileInformationByHandle(plat_handle(fd), FileEndOfFileInfo, &eof, sizeof eof)
		   ? 0
		   : plat_fail();
}

int plat_rename(int from_dfd, const char *from, int to_dfd, const char *to)
{
	wchar_t *wf = plat_path_at(from_dfd, from), *wt = wf ? plat_path_at(to_dfd, to) : NULL;
	int rc = -1;

	/*
	 * Windows refuses to replace a file another handle has open (a second
	 * agent process, or the form's thread, reading the outbox's state at
	 * that moment), which POSIX allows: such a read is short, so the rename
	 * is tried again for up to a second before the refusal counts.
	 */
	for (int tries = 0; wf && wt && rc != 0; tries++) {
		if (MoveFileExW(wf, wt, MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH)) {
			rc = 0;
			break;
		}
		DWORD e = GetLastError();
		if ((e != ERROR_ACCESS_DENIED && e != ERROR_SHARING_VIOLATION) || tries == 200) {
			errno = plat_errno(e);
			break;
		}
		Sleep(5);
	}
	free(wf);
	free(wt);
	return rc;
}

int plat_unlink(int dfd, const char *name)
{
	wchar_t *w = plat_path_at(dfd, name);
	int rc = -1;

	if (w)
		rc = DeleteFileW(w) ? 0 : plat_fail();
	/*
	 * A file another handle has open is only marked for deletion: its name
	 * stays listed until that handle closes, and an outbox's reader would
	 * list a removed record again.  Such handles are short (a writer's look
	 * at pending/), so wait, up to a second, for the name to go, as POSIX's
	 * unlink takes it at once.
	 */
	for (int tries = 0; rc == 0 && tries < 200; tries++) {
		if (GetFileAttributesW(w) == INVALID_FILE_ATTRIBUTES &&
		    (GetLastError() == ERROR_FILE_NOT_FOUND ||
		     GetLastError() == ERROR_PATH_NOT_FOUND))
			break;
		Sleep(5);
	}
	free(w);
	return rc;
}

/*
 * Whether the folder that would hold w is a file: Windows says "path not
 * found" there, POSIX ENOTDIR, which tells the officer what is wrong.
 */
static bool plat_parent_is_file(const wchar_t *w)
{
	size_t n = wcslen(w);
	while (n > 0 && w[n - 1] != L'/' && w[n - 1] != L'\\')
		n--;
	if (n <= 1)
		return false;
	wchar_t *parent = _wcsdup(w);
	if (!parent)
		return false;
	parent[n - 1] = L'\0';
	DWORD a = GetFileAttributesW(parent);
	free(parent);
	return a != INVALID_FILE_ATTRIBUTES && !(a & FILE_ATTRIBUTE_DIRECTORY);
}

int plat_mkdir(int dfd, const char *name, unsigned mode)
{
	wchar_t *w = plat_path_at(dfd, name);
	int rc = -1;

	SECURITY_ATTRIBUTES sa = {sizeof sa, NULL, FALSE};

	/* As plat_open: 0700 is private, any other mode takes the parent's list. */
	if (mode != 0 && (mode & 077) == 0)
		sa.lpSecurityDescriptor = plat_private_sd(true);
	if (w)
		rc = CreateDirectoryW(w, sa.lpSecurityDescriptor ? &sa : NULL) ? 0 : plat_fail();
	if (rc != 0 && errno == ENOENT && w && plat_parent_is_file(w))
		errno = ENOTDIR;
	free(w);
	LocalFree(sa.lpSecurityDescriptor);
	return rc;
}

bool plat_exists(int dfd, const char *name, bool follow)
{
	struct plat_stat st;

	return plat_stat(dfd, name, follow, &st) == 0;
}

/* FILETIME (100 ns since 1601) to a timespec since 1970. */
static struct timespec plat_timespec(FILETIME ft)
{
	uint64_t t = ((uint64_t)ft.dwHighDateTime << 32 | ft.dwLowDateTime) - 116444736000000000ULL;
	struct timespec ts = {(time_t)(t / 10000000ULL), (long)(t % 10000000ULL) * 100};
	return ts;
}

/* Fills st from an open handle; 0 or -1. */
static int plat_stat_handle(HANDLE h, struct plat_stat *st)
{
	BY_HANDLE_FILE_INFORMATION info;
	FILE_STANDARD_INFO std;

	if (!GetFileInformationByHandle(h, &info))
		return plat_fail();
	memset(st, 0, sizeof *st);
	st->is_dir = (info.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) != 0;
	st->is_reg = !st->is_dir && !(info.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT);
	st->size = (uint64_t)info.nFileSizeHigh << 32 | info.nFileSizeLow;
	st->dev = info.dwVolumeSerialNumber;
	st->ino = (uint64_t)info.nFileIndexHigh << 32 | info.nFileIndexLow;
	st->nlink = info.nNumberOfLinks;
	/*
	 * Windows has access lists, not mode bits: who may read a key is
	 * plat_secret_exposed's question (plat_win_acl.c), not this field's.
	 */
	st->perm = st->is_dir ? 0700 : 0600;
	/* Removed while open: Windows keeps the name until the last close, but it is gone. */
	if (GetFileInformationByHandleEx(h, FileStandardInfo, &std, sizeof std) &&
	    std.DeletePending)
		st->nlink = 0;
	st->mtime = plat_timespec(info.ftLastWriteTime);
	return 0;
}

int plat_stat(int dfd, const char *name, bool follow, struct plat_stat *st)
{
	wchar_t *w = plat_path_at(dfd, name);
	DWORD flags = FILE_FLAG_BACKUP_SEMANTICS | (follow ? 0 : FILE_FLAG_OPEN_REPARSE_POINT);
	HANDLE h;
	int rc;

	if (w == NULL)
		return -1;
	h = CreateFileW(w, FILE_READ_ATTRIBUTES,
			FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL, OPEN_EXISTING,
			flags, NULL);
	free(w);
	if (h == INVALID_HANDLE_VALUE)
		return plat_fail();
	rc = plat_stat_handle(h, st);
	CloseHandle(h);
	return rc;
}

int plat_fstat(int fd, struct plat_stat *st)
{
	return plat_stat_handle(plat_handle(fd), st);
}

int plat_dir_walk(int dfd, int (*fn)(const char *name, void *arg), void *arg)
{
	wchar_t *w = plat_path_at(dfd, "*");
	WIN32_FIND_DATAW fd;
	char name[MAX_PATH * 4];
	int rc = 0;

	if (w == NULL)
		return -1;
	HANDLE h = FindFirstFileW(w, &fd);
	free(w);
	if (h == INVALID_HANDLE_VALUE)
		return GetLastError() == ERROR_FILE_NOT_FOUND ? 0 : plat_fail();
	do {
		if (wcscmp(fd.cFileName, L".") == 0 || wcscmp(fd.cFileName, L"..") == 0)
			continue;
		if (plat_narrow(fd.cFileName, name, sizeof name) != 0) {
			rc = -1;
			break;
		}
		rc = fn(name, arg);
	} while (rc == 0 && FindNextFileW(h, &fd));
	if (rc == 0 && GetLastError() != ERROR_NO_MORE_FILES)
		rc = plat_fail();
	FindClose(h);
	return rc;
}

int plat_path_expand(const char *path, char *buf, size_t size)
{
	size_t plen = strlen(PLAT_PROGRAMDATA);
	wchar_t *known = NULL;
	char root[MAX_PATH * 4];

	if (strncmp(path, PLAT_PROGRAMDATA, plen) != 0) {
		if ((size_t)snprintf(buf, size, "%s", path) >= size)
			return errno = ENAMETOOLONG, -1;
		return 0;
	}
	/* The known folder, not the environment: a service's environment may lack it. */
	if (SHGetKnownFolderPath(&FOLDERID_ProgramData, 0, NULL, &known) != S_OK) {
		CoTaskMemFree(known);
		return errno = ENOENT, -1;
	}
	int rc = plat_narrow(known, root, sizeof root);
	CoTaskMemFree(known);
	if (rc != 0)
		return -1;
	if ((size_t)snprintf(buf, size, "%s%s", root, path + plen) >= size)
		return errno = ENAMETOOLONG, -1;
	return 0;
}

int plat_abspath(const char *path, char *buf, size_t size)
{
	wchar_t *w = plat_wide(path), full[MAX_PATH * 4];

	if (w == NULL)
		return -1;
	DWORD n = GetFullPathNameW(w, MAX_PATH * 4, full, NULL);
	free(w);
	if (n == 0)
		return plat_fail();
	if (n >= MAX_PATH * 4)
		return errno = ENAMETOOLONG, -1;
	/* realpath's promise: the file exists. */
	if (GetFileAttributesW(full) == INVALID_FILE_ATTRIBUTES)
		return plat_fail();
	return plat_narrow(full, buf, size);
}

int plat_lock(int fd, enum plat_lock how, bool wait)
{
	HANDLE h = plat_handle(fd);
	OVERLAPPED ov = {0};

	if (how == PLAT_LOCK_UN)
		return UnlockFileEx(h, 0, MAXDWORD, MAXDWORD, &ov) ||
			       GetLastError() == ERROR_NOT_LOCKED
			   ? 0
			   : plat_fail();
	DWORD flags = (how == PLAT_LOCK_EX ? LOCKFILE_EXCLUSIVE_LOCK : 0) |
		      (wait ? 0 : LOCKFILE_FAIL_IMMEDIATELY);
	if (LockFileEx(h, flags, 0, MAXDWORD, MAXDWORD, &ov))
		return 0;
	return plat_fail(); /* ERROR_LOCK_VIOLATION: EWOULDBLOCK, as flock's */
}

void plat_lock_holder(int fd, char *buf, size_t size)
{
	/* Windows names no lock holder without the Restart Manager: left to a later step. */
	(void)fd;
	if (size > 0)
		buf[0] = '\0';
}

int plat_random(void *buf, size_t n)
{
	while (n > 0) {
		ULONG part = n > 0x7fffffffu ? 0x7fffffffu : (ULONG)n;
		if (BCryptGenRandom(NULL, buf, part, BCRYPT_USE_SYSTEM_PREFERRED_RNG) != 0)
			return errno = EIO, -1;
		buf = (char *)buf + part;
		n -= part;
	}
	return 0;
}

struct tm *plat_localtime(time_t t, struct tm *tm)
{
	return localtime_s(tm, &t) == 0 ? tm : NULL;
}

void plat_console_init(void)
{
	SetConsoleOutputCP(CP_UTF8);
	SetConsoleCP(CP_UTF8);
}

char **plat_args(int argc, char **argv)
{
	int n = 0;
	wchar_t **w = CommandLineToArgvW(GetCommandLineW(), &n);
	char **out = w && n == argc ? calloc((size_t)n + 1, sizeof *out) : NULL;

	for (int i = 0; out && i < n; i++) {
		int len = WideCharToMultiByte(CP_UTF8, 0, w[i], -1, NULL, 0, NULL, NULL);
		if (len <= 0 || (out[i] = malloc((size_t)len)) == NULL) {
			while (i-- > 0)
				free(out[i]);
			free(out);
			out = NULL;
			break;
		}
		WideCharToMultiByte(CP_UTF8, 0, w[i], -1, out[i], len, NULL, NULL);
	}
	LocalFree(w);
	return out ? out : argv;
}

void plat_sleep_ms(unsigned ms)
{
	Sleep(ms);
}

long plat_pid(void)
{
	return (long)GetCurrentProcessId();
}

struct plat_stop {
	int unused; /* the request itself is plat_stop_flag */
};

void plat_stop_raise(void)
{
	InterlockedExchange(&plat_stop_flag, 1);
}

static BOOL WINAPI plat_stop_handler(DWORD event)
{
	switch (event) {
	case CTRL_C_EVENT:
	case CTRL_BREAK_EVENT:
	case CTRL_CLOSE_EVENT:
	case CTRL_SHUTDOWN_EVENT:
		plat_stop_raise();
		return TRUE;
	default:
		return FALSE;
	}
}

struct plat_stop *plat_stop_new(char *err, size_t errsize)
{
	struct plat_stop *s = calloc(1, sizeof *s);

	if (s == NULL) {
		snprintf(err, errsize, "out of memory");
		return NULL;
	}
	if (!SetConsoleCtrlHandler(plat_stop_handler, TRUE)) {
		snprintf(err, errsize, "SetConsoleCtrlHandler: error %lu",
			 (unsigned long)GetLastError());
		free(s);
		return NULL;
	}
	return s;
}

int plat_stop_fd(const struct plat_stop *s)
{
	(void)s;
	return -1; /* zmq_poll cannot wait on it: the loop asks at every turn */
}

bool plat_stop_requested(struct plat_stop *s)
{
	(void)s;
	return InterlockedExchange(&plat_stop_flag, 0) != 0;
}

void plat_stop_destroy(struct plat_stop **sp)
{
	if (sp == NULL || *sp == NULL)
		return;
	SetConsoleCtrlHandler(plat_stop_handler, FALSE);
	free(*sp);
	*sp = NULL;
}

int plat_become_owner(const char *path, char *who, size_t whosize)
{
	/* The service runs as its own account from the start: nothing to become. */
	(void)path;
	if (whosize > 0)
		who[0] = '\0';
	return 0;
}
