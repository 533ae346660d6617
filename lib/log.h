/*
 * log: the one logging API of the three programs.
 *
 * Every line goes to stderr.  Under systemd (JOURNAL_STREAM set) each line
 * starts with the journald priority prefix, <3> error, <4> warning, <6> info,
 * <7> debug, so the journal files it at the right priority.  Elsewhere the
 * prefix becomes the program and a word ("chisoctl: warning: ") so an officer
 * reads plain sentences.
 * Lines about a peer name it: "collector xa-21298: ...".
 *
 * Every line is escaped here, once, after formatting, so that no caller can
 * forget: text a peer sent (an agent string, a unit code, a reason) can never
 * start a second line or drive the terminal of whoever reads the log.  Control
 * characters become \n \r \t or \xNN, bytes that are not valid UTF-8 become
 * \xNN, valid UTF-8 (Vietnamese) is kept, and a message longer than
 * LOG_MESSAGE_MAX bytes ends in "…[+N bytes]".  Output meant to span lines
 * (usage, reports, the effective configuration) goes to stdout, not here.
 */
#ifndef CHISO_LOG_H
#define CHISO_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdnoreturn.h>

#include "plat.h" /* PLAT_PRINTF */

/* Most bytes of one message after escaping, marker included (the prefix is extra). */
#define LOG_MESSAGE_MAX 1024

enum log_level {
	LOGL_ERR = 3,
	LOGL_WARNING = 4,
	LOGL_INFO = 6,
	LOGL_DEBUG = 7,
};

/* Sets the program name (borrowed, kept) and the most verbose level printed; call it
 * before starting threads.  The level may change later from any thread. */
void log_init(const char *progname, enum log_level max_level);
/* Changes the most verbose level printed (SIGHUP reload). */
void log_set_level(enum log_level max_level);
/* Starts every line with the local time: for a log file, which no journal stamps (the
 * Windows service's); call it before starting threads. */
void log_set_stamp(bool on);
/* Parses "error", "warning", "info" or "debug"; returns -1 if unknown. */
int log_level_from_name(const char *name);
/* Prints one line at the given level. */
void log_msg(enum log_level level, const char *fmt, ...) PLAT_PRINTF(2, 3);
/* Same with a va_list. */
void log_vmsg(enum log_level level, const char *fmt, va_list ap);
/* Start-up or environment failure: prints at error level and exits with status 1. */
noreturn void log_fatal(const char *fmt, ...) PLAT_PRINTF(1, 2);

/*
 * Writes s[0..len) escaped as described above into out (outsize > 32 bytes),
 * always NUL-terminated.  What does not fit is dropped at a character boundary
 * and replaced by "…[+N bytes]", N counting the input bytes left out.  Returns
 * the length written.
 */
size_t log_escape(char *out, size_t outsize, const char *s, size_t len);

#define log_err(...)   log_msg(LOGL_ERR, __VA_ARGS__)
#define log_warn(...)  log_msg(LOGL_WARNING, __VA_ARGS__)
#define log_info(...)  log_msg(LOGL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOGL_DEBUG, __VA_ARGS__)

#endif
