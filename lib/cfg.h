/*
 * cfg: configuration files described by one table of keys.
 *
 * Each program declares its keys once (path, type, default, bounds, comment,
 * where the value lands in its config struct).  The same table drives the
 * parser (libconfig syntax), the defaults, `-n` (check and exit), `-nv` (print
 * the effective configuration with comments) and the example files in config/.
 * Unknown keys are errors, because a misspelt key silently ignored is a setting
 * the operator believes in and does not have.  Errors read "file:line: message".
 */
#ifndef CHISO_CFG_H
#define CHISO_CFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum cfg_type {
	CFG_BOOL,   /* bool */
	CFG_INT,    /* long long, within [min, max] */
	CFG_STRING, /* char *, owned by the config struct */
};

enum cfg_flags {
	CFG_SECRET = 1u << 0, /* printed as "(hidden)": conninfo strings hold passwords */
	CFG_RELOAD = 1u << 1, /* applied on reload (SIGHUP); other keys only at a restart */
	/* CFG_STRING: a ZeroMQ endpoint "tcp://HOST:PORT", PORT 1..65535 (empty only
	 * if the default is empty: "off") */
	CFG_TCP = 1u << 2,
	CFG_IPC = 1u << 3,	/* with CFG_TCP: "ipc://PATH" is accepted too */
	CFG_NONEMPTY = 1u << 4, /* CFG_STRING: "" is refused (a path that must name something) */
};

struct cfg_key {
	const char *path; /* "section.key" or "key" */
	enum cfg_type type;
	const char *def;    /* default as text: "true", "4194304", a string; NULL = "" */
	long long min, max; /* CFG_INT bounds */
	size_t offset;	    /* offsetof() of the field in the config struct */
	unsigned flags;
	const char *comment;	    /* one sentence, printed above the key */
	const char *const *choices; /* CFG_STRING: the allowed values (NULL-terminated), or NULL */
};

/* The values of log.level, for key tables. */
extern const char *const cfg_log_levels[];

struct config_t;
/*
 * Reads a libconfig file into cf (initialised by the caller) the safe way:
 * bounded size, and @include refused (libconfig 1.5 can exit() the process on a
 * bad include, hyperrealm/libconfig#292).  0, or -1 with "file:line: message".
 */
int cfg_read(struct config_t *cf, const char *path, char *err, size_t errsize);

/*
 * A new config struct of size bytes: defaults, then path (NULL: defaults only).
 * The caller frees it with cfg_destroy.  NULL with err ("file:line: message").
 */
void *cfg_create(const struct cfg_key *keys, size_t nkeys, size_t size, const char *path, char *err,
		 size_t errsize);
/* Frees a struct made by cfg_create and sets *p to NULL; safe on NULL. */
void cfg_destroy(const struct cfg_key *keys, size_t nkeys, void **p);

/* Sets every key of dst to its default.  Returns 0, or -1 if out of memory. */
int cfg_defaults(const struct cfg_key *keys, size_t nkeys, void *dst);
/*
 * Reads path over the defaults already in dst.  Returns 0, or -1 with err holding
 * "file:line: message" (syntax error, unknown key, wrong type, out of bounds).
 * On error dst may be partly updated: parse into a fresh struct and swap.
 */
int cfg_load(const struct cfg_key *keys, size_t nkeys, void *dst, const char *path, char *err,
	     size_t errsize);
/* Sets one key from text (path "server.endpoint", value "tcp://0.0.0.0:7460"); 0 or -1. */
int cfg_set(const struct cfg_key *keys, size_t nkeys, void *dst, const char *path,
	    const char *value, char *err, size_t errsize);
/*
 * Reads text as a whole number in min..max, strictly: digits, a '-' before them
 * for a negative one, nothing else (no space, '+', unit or hex: strtoll alone
 * takes " +5s" as 5).  The one integer parser of config values and command-line
 * options.  0 with *out set, or -1 with err "NAME: \"5s\" is not a whole number
 * (MIN..MAX)" or "NAME: N is outside MIN..MAX".
 */
int cfg_parse_int(const char *name, const char *text, long long min, long long max, long long *out,
		  char *err, size_t errsize);
/* Writes the configuration in libconfig syntax with each key's comment. */
void cfg_print(const struct cfg_key *keys, size_t nkeys, const void *src, bool show_secrets,
	       FILE *out);
/* Frees the strings of dst (not dst itself) and sets them to NULL. */
void cfg_free(const struct cfg_key *keys, size_t nkeys, void *dst);
/* Whether the key has the same value in two config structs of its table. */
bool cfg_same(const struct cfg_key *k, const void *a, const void *b);

#endif
