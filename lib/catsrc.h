/*
 * catsrc: a source-neutral reader for the entries of the indicator catalogue:
 * a libconfig group of config/catalog.conf or an object of the catalogue's
 * JSON form.  lib/catalog.c builds the catalogue through it; nothing else
 * needs it.  Every reader returns -1 with err ("file:line: message" for the
 * file, "catalogue JSON: message" for JSON) when a member has the wrong form.
 */
#ifndef CHISO_CATSRC_H
#define CHISO_CATSRC_H

#include <jansson.h>
#include <libconfig.h>
#include <stdbool.h>
#include <stddef.h>

/* One entry: cs for the file (file names it in messages), else js.  Both borrowed. */
struct catsrc {
	config_setting_t *cs;
	json_t *js;
	const char *file;
};

/* The index of s in names[0..n), or -1. */
int catsrc_lookup(const char *const *names, int n, const char *s);
/* Writes fmt (with a and b) into err, prefixed with where the entry is. */
void catsrc_error(const struct catsrc *s, char *err, size_t errsize, const char *fmt, const char *a,
		  const char *b);
/* A string member, borrowed: NULL if absent; -1 if present but not a short string. */
int catsrc_string(const struct catsrc *s, const char *key, const char **out, char *err,
		  size_t errsize);
/* A number member; 0 absent, 1 present, -1 wrong type. */
int catsrc_number(const struct catsrc *s, const char *key, double *out, char *err, size_t errsize);
/* A boolean member; 0 absent, 1 present, -1 wrong type. */
int catsrc_bool(const struct catsrc *s, const char *key, bool *out, char *err, size_t errsize);
/* A list of names (["commune", "district"]) mapped to bits through names[0..n), *first
 * the first listed; 0 absent, 1 present, -1 wrong type, unknown name or empty list. */
int catsrc_names(const struct catsrc *s, const char *key, const char *const *names, int n,
		 unsigned *bits, int *first, char *err, size_t errsize);
/* Whether the entry has a member key. */
bool catsrc_has(const struct catsrc *s, const char *key);
/* Refuses members not in known[] (NULL-terminated); 0 or -1. */
int catsrc_known(const struct catsrc *s, const char *const *known, char *err, size_t errsize);

#endif
