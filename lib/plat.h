/*
 * plat: the agent's one seam to the operating system.
 *
 * The agent must run on a commune's Windows PC as well as on Linux with the
 * same outbox promise, so every call whose meaning differs between systems
 * (files relative to an open directory, durable rename, locks, directory
 * listing, random bytes, local time, stop requests, running as the outbox's
 * owner) goes through here and nowhere else.  plat_posix.c is the Linux
 * implementation, a thin layer over the very calls the agent made before;
 * plat_win.c (not built on Linux) maps the same names onto Win32.
 *
 * Handles are ints: a file descriptor on POSIX, a C runtime descriptor (or a
 * directory slot) on Windows.  Every call returns 0 (or a handle / a count)
 * on success and -1 with errno set on failure, so that callers keep one way
 * of reporting errors.  Names are UTF-8.
 *
 * A durable replace is built from these in this order, the one that survives
 * a power cut at any point: write a temporary, plat_sync it, plat_close,
 * plat_rename over the final name, plat_sync the directory (obio_replace).
 */
#ifndef CHISO_PLAT_H
#define CHISO_PLAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <time.h>

/*
 * The format attribute of printf-like functions.  GCC for Windows takes
 * "printf" as the C runtime's own (no %zu); the Windows build uses mingw's C99
 * printf instead (__USE_MINGW_ANSI_STDIO), which is GCC's gnu_printf.
 */
#ifdef __MINGW32__
#define PLAT_PRINTF(fmt, first) __attribute__((format(gnu_printf, fmt, first)))
#else
#define PLAT_PRINTF(fmt, first) __attribute__((format(printf, fmt, first)))
#endif

/*
 * Where the agent keeps its configuration and keys, and its data, unless its
 * configuration says otherwise: the one place this header tells the systems
 * apart, because the config key table needs them as constants.  On Windows
 * they start with PLAT_PROGRAMDATA, which plat_path_expand replaces with the
 * folder the system names (C:\ProgramData unless moved); forward slashes work
 * with the wide API.
 */
#define PLAT_PROGRAMDATA "%ProgramData%"
#ifdef _WIN32
#define PLAT_CONFIG_DIR PLAT_PROGRAMDATA "/chiso"
#define PLAT_STATE_DIR	PLAT_PROGRAMDATA "/chiso/agent"
#else
#define PLAT_CONFIG_DIR "/etc/chiso"
#define PLAT_STATE_DIR	"/var/lib/chiso-agent"
#endif

/* As a directory handle: names are relative to the working directory (or absolute). */
#define PLAT_CWD (-100)

/* How plat_open opens (a bit set); descriptors are never inherited by children. */
enum {
	PLAT_O_READ = 1 << 0,
	PLAT_O_WRITE = 1 << 1,
	PLAT_O_RDWR = PLAT_O_READ | PLAT_O_WRITE,
	PLAT_O_CREATE = 1 << 2,
	PLAT_O_EXCL = 1 << 3, /* with CREATE: fail with EEXIST if it exists */
	PLAT_O_TRUNC = 1 << 4,
	PLAT_O_APPEND = 1 << 5,
	PLAT_O_NOFOLLOW = 1 << 6, /* a symbolic link as the last part fails (ELOOP) */
	PLAT_O_DIR = 1 << 7,	  /* a directory handle, for the *at calls and plat_sync */
};

/* What the agent needs to know about a file. */
struct plat_stat {
	bool is_reg;
	bool is_dir;
	uint64_t size;
	uint64_t dev, ino;
	uint64_t nlink; /* 0 once removed while still open */
	unsigned perm;	/* permission bits as chmod's (07777); see plat_win.c for Windows */
	struct timespec mtime;
};

/* The lock kinds of plat_lock. */
enum plat_lock { PLAT_LOCK_UN, PLAT_LOCK_SH, PLAT_LOCK_EX };

/* Opens dfd/name (how: PLAT_O_*; mode: permissions when created); a handle or -1. */
int plat_open(int dfd, const char *name, unsigned how, unsigned mode);
/* Closes a handle; its error (a deferred write error) is returned. */
int plat_close(int fd);
/* A second handle on the same open file (its close reports deferred errors too); or -1. */
int plat_dup(int fd);
/* One read at the current offset: the count (0 at the end), or -1. */
ssize_t plat_read(int fd, void *buf, size_t n);
/* Reads up to n bytes from offset 0, retrying short reads: the count, or -1. */
ssize_t plat_read_full(int fd, void *buf, size_t n);
/* Writes all n bytes (retrying short writes and interruptions); 0 or -1. */
int plat_write_all(int fd, const void *buf, size_t n);
/* Makes a file's data, or a directory's entries, durable (fsync); 0 or -1. */
int plat_sync(int fd);
/* Sets an open file's modification time to now (opened for writing); 0 or -1. */
int plat_touch(int fd);
/* Sets an open file's access and modification times to t (opened for writing); 0 or -1. */
int plat_set_mtime(int fd, time_t t);
/* Cuts the file to size bytes; 0 or -1. */
int plat_truncate(int fd, uint64_t size);
/* Renames from_dfd/from to to_dfd/to, replacing it atomically; 0 or -1. */
int plat_rename(int from_dfd, const char *from, int to_dfd, const char *to);
/* Removes the file dfd/name; 0 or -1. */
int plat_unlink(int dfd, const char *name);
/* Creates the directory dfd/name; 0, or -1 (EEXIST when it is there). */
int plat_mkdir(int dfd, const char *name, unsigned mode);
/* Whether dfd/name exists (follow: a symbolic link counts as its target). */
bool plat_exists(int dfd, const char *name, bool follow);
/* Facts about dfd/name (follow: through a symbolic link); 0 or -1. */
int plat_stat(int dfd, const char *name, bool follow, struct plat_stat *st);
/* Facts about an open handle; 0 or -1. */
int plat_fstat(int fd, struct plat_stat *st);
/*
 * Calls fn(name, arg) for every entry of directory dfd from its start, in the
 * system's order, except "." and "..", stopping at the first non-zero return.
 * dfd itself is not moved.  Returns 0, or -1 (errno from the listing or fn).
 */
int plat_dir_walk(int dfd, int (*fn)(const char *name, void *arg), void *arg);
/* An absolute, resolved copy of path into buf (size bytes); 0 or -1. */
int plat_abspath(const char *path, char *buf, size_t size);

/*
 * Takes or releases an advisory whole-file lock on fd, shared by every handle
 * of the same open (POSIX flock semantics: a second open, in this process or
 * another, is refused).  Without wait a taken lock fails at once with
 * EWOULDBLOCK.  Interruptions are retried.  0 or -1.
 */
int plat_lock(int fd, enum plat_lock how, bool wait);
/*
 * Names the other process holding a lock on fd's file, "PID 1234 (its
 * command line)", into buf; "" when the system does not say.
 */
void plat_lock_holder(int fd, char *buf, size_t size);

/*
 * Copies path into buf (size bytes), a leading PLAT_PROGRAMDATA replaced with
 * the system's folder for every user's program data (Windows: the
 * known-folder API; POSIX has none and copies path as it is).  0, or -1 with
 * errno (ENAMETOOLONG).
 */
int plat_path_expand(const char *path, char *buf, size_t size);
/*
 * Whether someone other than the file's owner, the system and the
 * administrators may read path (a secret key): 0 if not; 1 if so, with why
 * saying who ("group or others (mode 0644)" on POSIX, the group the access
 * list lets in on Windows) and how to fix it; -1 with errno when the system
 * cannot tell.
 */
int plat_secret_exposed(const char *path, char *why, size_t whysize);
/*
 * Makes path (a folder: with everything in it) readable and writable only by
 * the system (the Windows service's account, LocalSystem) and the
 * administrators, ignoring what the parent folder would pass down: how the
 * Windows installer keeps the keys and the outbox private.  POSIX: nothing to
 * do (the package sets owners and modes).  0, or -1 with err.
 */
int plat_secure_path(const char *path, char *err, size_t errsize);

/* What plat_service_install registers. */
struct plat_service {
	const char *name;	 /* the service's key name, "chiso-agent" */
	const char *display;	 /* the name the Services console shows */
	const char *description; /* its one-line description */
	const char *args;	 /* this program's arguments, already quoted */
};
/*
 * Runs body(arg) as the service name and returns its exit status.  Windows:
 * under the Service Control Manager, which must have started the program;
 * stderr goes to log (the SCM gives a service none); the manager's stop and
 * shutdown reach plat_stop_requested as Ctrl-C does, and the service reports
 * stopped with body's status, so that a failure is restarted.  POSIX, where
 * systemd runs the program as it is: body(arg).  -1 with err if the program
 * cannot run as a service.
 */
int plat_service_run(const char *name, const char *log, int (*body)(void *arg), void *arg,
		     char *err, size_t errsize);
/*
 * Registers this program as the service svc (or updates it): started with
 * the system, as LocalSystem, restarted a minute after a failure; then starts
 * it.  POSIX: -1 (the package installs the systemd unit).  0, or -1 with err.
 */
int plat_service_install(const struct plat_service *svc, char *err, size_t errsize);
/*
 * Stops the service name and waits (up to a minute) until it has stopped;
 * with remove, also unregisters it.  A service that is not there is no error.
 * POSIX: -1.  0, or -1 with err.
 */
int plat_service_stop(const char *name, bool remove, char *err, size_t errsize);

/*
 * The C library's differences: Windows' C runtime has no open_memstream,
 * getline or strndup, no EDQUOT, and its fopen takes names in the ANSI code
 * page and knows no "e" (lib/plat_win_crt.c fills these gaps).
 */
/* Opens path (UTF-8) for reading as stdio's "rb" (no newline translation), not inherited; or NULL.
 */
FILE *plat_fopen_read(const char *path);
/* getline(3): a line with its '\n' into *line (grown as needed); its length, or -1 at the end. */
ssize_t plat_getline(char **line, size_t *cap, FILE *fp);
/* A copy of at most n bytes of s, NUL-terminated; NULL when out of memory. */
char *plat_strndup(const char *s, size_t n);
/* Whether errno e means the disk (or the user's quota on it) is full. */
bool plat_disk_full(int e);
/* A stream written into memory (open_memstream); NULL when it cannot be made. */
struct plat_memout;
FILE *plat_memout_open(struct plat_memout **mp);
/* Closes *mp's stream and frees *mp: what was written, NUL-terminated (the caller's), or NULL. */
char *plat_memout_close(struct plat_memout **mp, size_t *len);

/* The running program's file, absolute, '/' between folders, into buf; 0 or -1. */
int plat_exe_path(char *buf, size_t size);
/* Fills buf with n bytes from the system's secure random source; 0 or -1. */
int plat_random(void *buf, size_t n);
/* The local (office) time of t into *tm; returns tm. */
struct tm *plat_localtime(time_t t, struct tm *tm);
/* Makes the console show UTF-8 (the officer's Vietnamese); once, at start. */
void plat_console_init(void);
/*
 * The command line in UTF-8: argv itself on POSIX; on Windows the wide
 * command line converted (main's argv is in the ANSI code page, which has no
 * Vietnamese letters: a file named "Sơn Nham.csv" would not be found).  The
 * copy lives as long as the process; argv when it cannot be made.
 */
char **plat_args(int argc, char **argv);
/* Sleeps about ms milliseconds. */
void plat_sleep_ms(unsigned ms);
/* This process's id, for temporary names and log lines. */
long plat_pid(void);

/*
 * Stop requests (SIGTERM and SIGINT on POSIX; the service manager's stop and
 * Ctrl-C on Windows), taken as events rather than by a handler so that the
 * main loop stops between two steps, never inside one.
 */
struct plat_stop;
/* Starts catching stop requests; an owned object, or NULL with err. */
struct plat_stop *plat_stop_new(char *err, size_t errsize);
/* A descriptor that polls readable once a stop is asked for (zmq_poll), or -1 if none. */
int plat_stop_fd(const struct plat_stop *s);
/* Whether a stop was asked for since the last call (consumes it). */
bool plat_stop_requested(struct plat_stop *s);
/* Frees *sp and sets it NULL; safe twice. */
void plat_stop_destroy(struct plat_stop **sp);

/* A socket address in the system's own layout (sockaddr_in or sockaddr_in6). */
struct plat_sockaddr {
	_Alignas(8) unsigned char bytes[128];
	bool ipv6;
};
/* A numeric IPv4 or IPv6 address and port into *sa; 0, or -1 when text is neither. */
int plat_sockaddr(const char *text, unsigned port, struct plat_sockaddr *sa);

/*
 * Run with full privileges, becomes the owner of path (so that the files it
 * makes stay readable by the service that owns them).  Returns 0 when there
 * was nothing to do, 1 when it became the owner, -1 (errno set) when it
 * could not; who names the owner in the last two cases.
 */
int plat_become_owner(const char *path, char *who, size_t whosize);

#endif
