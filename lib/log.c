/*
 * log: stderr lines with journald priority prefixes (see log.h).
 *
 * Each line is formatted into one buffer and written with one call so that lines
 * from the daemon's two threads never interleave.  The settings are written once
 * at start (and by a reload on the main thread) and only read elsewhere.
 *
 * systemd sets JOURNAL_STREAM when stderr is connected to the journal: only then
 * do lines carry the <N> prefix; a person at a terminal or reading a piped log
 * sees "chisoctl: warning: ..." instead.
 */
#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *log_prog = "chiso";
static enum log_level log_max = LOGL_INFO;
static int log_journal = -1;

void log_init(const char *progname, enum log_level max_level)
{
	log_prog = progname;
	log_max = max_level;
	log_journal = getenv("JOURNAL_STREAM") != NULL;
}

void log_set_level(enum log_level max_level)
{
	log_max = max_level;
}

int log_level_from_name(const char *name)
{
	static const struct {
		const char *name;
		enum log_level level;
	} names[] = {
	    {"error", LOGL_ERR},
	    {"warning", LOGL_WARNING},
	    {"info", LOGL_INFO},
	    {"debug", LOGL_DEBUG},
	};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(name, names[i].name) == 0)
			return (int)names[i].level;
	return -1;
}

static const char *log_word(enum log_level level)
{
	switch (level) {
	case LOGL_ERR:
		return "error: ";
	case LOGL_WARNING:
		return "warning: ";
	case LOGL_DEBUG:
		return "debug: ";
	default:
		return "";
	}
}

void log_vmsg(enum log_level level, const char *fmt, va_list ap)
{
	char line[2048];
	int n;

	if (level > log_max)
		return;
	if (log_journal < 0)
		log_journal = getenv("JOURNAL_STREAM") != NULL;
	if (log_journal)
		n = snprintf(line, sizeof line, "<%d>", (int)level);
	else
		n = snprintf(line, sizeof line, "%s: %s", log_prog, log_word(level));
	if (n < 0 || (size_t)n >= sizeof line)
		n = 0;
	int m = vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
	size_t len = m < 0 ? (size_t)n : (size_t)n + (size_t)m;
	if (len > sizeof line - 2)
		len = sizeof line - 2; /* a truncated line is still one line */
	line[len++] = '\n';
	line[len] = '\0';
	fputs(line, stderr);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_vmsg(level, fmt, ap);
	va_end(ap);
}

void log_fatal(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_vmsg(LOGL_ERR, fmt, ap);
	va_end(ap);
	exit(1);
}
