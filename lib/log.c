/*
 * log: stderr lines with journald priority prefixes (see log.h).
 *
 * Each line is formatted into one buffer, escaped, and written with one call so
 * that lines from the daemon's threads never interleave.  The settings are
 * atomics: the writer thread reads the level while the main thread's reload
 * sets it, and a plain int shared that way is a data race.
 *
 * systemd sets JOURNAL_STREAM when stderr is connected to the journal: only then
 * do lines carry the <N> prefix; a person at a terminal or reading a piped log
 * sees "chisoctl: warning: ..." instead.
 *
 * Escaping is done on the whole formatted message, not on the arguments, so it
 * happens exactly once whatever the caller passed.  Besides the C0 and C1
 * controls and DEL, the Unicode line and paragraph separators, the
 * bidirectional marks and overrides are escaped (utf8_unsafe(), the same set
 * quote.c and batch notes refuse): each can make a log line read as something
 * it is not.  A backslash is left as it is: the escaping exists to
 * keep one message on one line and away from the terminal, not to be reversed.
 */
#include "log.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "plat.h"
#include "utf8.h"

static _Atomic(const char *) log_prog = "chiso";
static atomic_int log_max = LOGL_INFO;
static atomic_int log_journal = -1;
/* Whether lines start with the local time (log_set_stamp). */
static atomic_bool log_stamp;

/* Room kept at the end of an escaped message for "…[+N bytes]" with any N. */
#define LOG_MARKER_ROOM 32

void log_init(const char *progname, enum log_level max_level)
{
	atomic_store(&log_prog, progname);
	atomic_store(&log_max, (int)max_level);
	atomic_store(&log_journal, getenv("JOURNAL_STREAM") != NULL);
}

void log_set_level(enum log_level max_level)
{
	atomic_store(&log_max, (int)max_level);
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

/*
 * Escapes the character at s (of len bytes left) into tok (room for 16 bytes).
 * Returns the length of tok; *used is the number of input bytes it stands for.
 */
static size_t log_token(const unsigned char *s, size_t len, char *tok, size_t *used)
{
	static const char hex[] = "0123456789abcdef";
	uint32_t cp;
	size_t n, t = 0;

	if (s[0] >= 0x20 && s[0] < 0x7f) {
		tok[0] = (char)s[0];
		*used = 1;
		return 1;
	}
	if (s[0] == '\n' || s[0] == '\r' || s[0] == '\t') {
		tok[0] = '\\';
		tok[1] = s[0] == '\n' ? 'n' : s[0] == '\r' ? 'r' : 't';
		*used = 1;
		return 2;
	}
	n = s[0] >= 0x80 ? utf8_char_len(s, len, &cp) : 0;
	if (n > 0 && !utf8_unsafe(cp)) {
		memcpy(tok, s, n);
		*used = n;
		return n;
	}
	/* a control character, a stray byte, or each byte of an unsafe code point */
	*used = n > 0 ? n : 1;
	for (size_t i = 0; i < *used; i++) {
		tok[t++] = '\\';
		tok[t++] = 'x';
		tok[t++] = hex[s[i] >> 4];
		tok[t++] = hex[s[i] & 0xfu];
	}
	return t;
}

/*
 * log_escape for text of which only the first avail of total bytes are at hand
 * (a message vsnprintf cut short): the bytes beyond count in the marker.  One
 * pass: it writes as far as the whole buffer allows, remembering where the
 * marker would still have fitted, and goes back there if the text does not end.
 */
static size_t log_escape_part(char *out, size_t outsize, const char *s, size_t avail, size_t total)
{
	const unsigned char *u = (const unsigned char *)s;
	char tok[16];
	size_t i = 0, used, w = 0, cut_i = SIZE_MAX, cut_w = 0;

	if (outsize <= LOG_MARKER_ROOM) {
		if (outsize > 0)
			out[0] = '\0';
		return 0;
	}
	while (i < avail) {
		size_t t = log_token(u + i, avail - i, tok, &used);
		if (cut_i == SIZE_MAX && w + t > outsize - 1 - LOG_MARKER_ROOM)
			cut_i = i, cut_w = w;
		if (w + t > outsize - 1)
			break;
		memcpy(out + w, tok, t);
		w += t;
		i += used;
	}
	/* all of it fits: no marker; otherwise stop where the marker still fits */
	if (i < total) {
		if (cut_i != SIZE_MAX)
			i = cut_i, w = cut_w;
		w += (size_t)snprintf(out + w, outsize - w, "\xe2\x80\xa6[+%zu bytes]", total - i);
	}
	out[w] = '\0';
	return w;
}

size_t log_escape(char *out, size_t outsize, const char *s, size_t len)
{
	return log_escape_part(out, outsize, s, len, len);
}

void log_vmsg(enum log_level level, const char *fmt, va_list ap)
{
	/* the prefix ("<4>", or "chisoctl: warning: " after the time if stamped; at most
	 * 95 bytes), then the escaped message written in place after it, then the newline */
	char raw[2 * LOG_MESSAGE_MAX], line[96 + LOG_MESSAGE_MAX + 1], stamp[32] = "";
	int p, m;
	struct tm tm;

	if ((int)level > atomic_load_explicit(&log_max, memory_order_relaxed))
		return;
	if (atomic_load_explicit(&log_journal, memory_order_relaxed) < 0)
		atomic_store(&log_journal, getenv("JOURNAL_STREAM") != NULL);
	m = vsnprintf(raw, sizeof raw, fmt, ap);
	if (atomic_load_explicit(&log_journal, memory_order_relaxed))
		p = snprintf(line, 96, "<%d>", (int)level);
	else {
		if (atomic_load_explicit(&log_stamp, memory_order_relaxed) &&
		    plat_localtime(time(NULL), &tm))
			strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S ", &tm);
		p = snprintf(line, 96, "%s%.64s: %s", stamp,
			     atomic_load_explicit(&log_prog, memory_order_relaxed),
			     log_word(level));
	}
	size_t total = m < 0 ? 0 : (size_t)m;
	size_t n = (size_t)(p < 0 ? 0 : p > 95 ? 95 : p);
	n += log_escape_part(line + n, LOG_MESSAGE_MAX + 1, raw,
			     total < sizeof raw ? total : sizeof raw - 1, total);
	line[n++] = '\n';
	fwrite(line, 1, n, stderr);
}

void log_set_stamp(bool on)
{
	atomic_store(&log_stamp, on);
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
