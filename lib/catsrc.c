/*
 * catsrc: one entry of the indicator catalogue read the same way whether it
 * comes from config/catalog.conf (a libconfig group, errors with file:line)
 * or from the catalogue's JSON form (a JSON object, as an agent receives it),
 * so that lib/catalog.c states its checks once for both.
 */
#include "catsrc.h"

#include <stdio.h>
#include <string.h>

/* Longest string a catalogue entry may hold, in bytes. */
#define CATSRC_TEXT_MAX 512

int catsrc_lookup(const char *const *names, int n, const char *s)
{
	for (int i = 0; i < n; i++)
		if (strcmp(names[i], s) == 0)
			return i;
	return -1;
}

static int src_line(const struct catsrc *s)
{
	return s->cs ? config_setting_source_line(s->cs) : 0;
}

void catsrc_error(const struct catsrc *s, char *err, size_t errsize, const char *fmt, const char *a,
		  const char *b)
{
	char msg[400];
	snprintf(msg, sizeof msg, fmt, a, b);
	if (s->cs)
		snprintf(err, errsize, "%s:%d: %s", s->file, src_line(s), msg);
	else
		snprintf(err, errsize, "catalogue JSON: %s", msg);
}

int catsrc_string(const struct catsrc *s, const char *key, const char **out, char *err,
		  size_t errsize)
{
	*out = NULL;
	if (s->cs) {
		config_setting_t *m = config_setting_get_member(s->cs, key);
		if (!m)
			return 0;
		if (config_setting_type(m) != CONFIG_TYPE_STRING) {
			struct catsrc at = {m, NULL, s->file};
			catsrc_error(&at, err, errsize, "%s: expected a quoted string%s", key, "");
			return -1;
		}
		*out = config_setting_get_string(m);
	} else {
		json_t *m = json_object_get(s->js, key);
		if (!m)
			return 0;
		if (!json_is_string(m)) {
			catsrc_error(s, err, errsize, "%s: expected a string%s", key, "");
			return -1;
		}
		*out = json_string_value(m);
	}
	if (strlen(*out) > CATSRC_TEXT_MAX) {
		catsrc_error(s, err, errsize, "%s: longer than 512 bytes%s", key, "");
		return -1;
	}
	return 0;
}

int catsrc_number(const struct catsrc *s, const char *key, double *out, char *err, size_t errsize)
{
	if (s->cs) {
		config_setting_t *m = config_setting_get_member(s->cs, key);
		if (!m)
			return 0;
		int t = config_setting_type(m);
		if (t == CONFIG_TYPE_FLOAT)
			*out = config_setting_get_float(m);
		else if (t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64)
			*out = (double)config_setting_get_int64(m);
		else {
			struct catsrc at = {m, NULL, s->file};
			catsrc_error(&at, err, errsize, "%s: expected a number%s", key, "");
			return -1;
		}
		return 1;
	}
	json_t *m = json_object_get(s->js, key);
	if (!m)
		return 0;
	if (!json_is_number(m)) {
		catsrc_error(s, err, errsize, "%s: expected a number%s", key, "");
		return -1;
	}
	*out = json_number_value(m);
	return 1;
}

int catsrc_bool(const struct catsrc *s, const char *key, bool *out, char *err, size_t errsize)
{
	if (s->cs) {
		config_setting_t *m = config_setting_get_member(s->cs, key);
		if (!m)
			return 0;
		if (config_setting_type(m) != CONFIG_TYPE_BOOL) {
			struct catsrc at = {m, NULL, s->file};
			catsrc_error(&at, err, errsize, "%s: expected true or false%s", key, "");
			return -1;
		}
		*out = config_setting_get_bool(m) != 0;
		return 1;
	}
	json_t *m = json_object_get(s->js, key);
	if (!m)
		return 0;
	if (!json_is_boolean(m)) {
		catsrc_error(s, err, errsize, "%s: expected true or false%s", key, "");
		return -1;
	}
	*out = json_is_true(m);
	return 1;
}

int catsrc_names(const struct catsrc *s, const char *key, const char *const *names, int n,
		 unsigned *bits, int *first, char *err, size_t errsize)
{
	int count;
	*bits = 0;
	*first = -1;
	if (s->cs) {
		config_setting_t *m = config_setting_get_member(s->cs, key);
		if (!m)
			return 0;
		if (!config_setting_is_array(m) && !config_setting_is_list(m)) {
			catsrc_error(s, err, errsize, "%s: expected a list of names like [\"%s\"]",
				     key, names[0]);
			return -1;
		}
		count = config_setting_length(m);
		for (int i = 0; i < count; i++) {
			const char *v = config_setting_get_string_elem(m, i);
			int k = v ? catsrc_lookup(names, n, v) : -1;
			if (k < 0) {
				catsrc_error(s, err, errsize, "%s: unknown name \"%s\"", key,
					     v ? v : "?");
				return -1;
			}
			if (*first < 0)
				*first = k;
			*bits |= 1u << k;
		}
	} else {
		json_t *m = json_object_get(s->js, key), *v;
		size_t i;
		if (!m)
			return 0;
		if (!json_is_array(m) || json_array_size(m) > 16) {
			catsrc_error(s, err, errsize, "%s: expected a short list of names%s", key,
				     "");
			return -1;
		}
		count = (int)json_array_size(m);
		json_array_foreach(m, i, v)
		{
			int k =
			    json_is_string(v) ? catsrc_lookup(names, n, json_string_value(v)) : -1;
			if (k < 0) {
				catsrc_error(s, err, errsize, "%s: unknown name%s", key, "");
				return -1;
			}
			if (*first < 0)
				*first = k;
			*bits |= 1u << k;
		}
	}
	if (count == 0) {
		catsrc_error(s, err, errsize, "%s: empty list%s", key, "");
		return -1;
	}
	return 1;
}

bool catsrc_has(const struct catsrc *s, const char *key)
{
	return s->cs ? config_setting_get_member(s->cs, key) != NULL
		     : json_object_get(s->js, key) != NULL;
}

int catsrc_known(const struct catsrc *s, const char *const *known, char *err, size_t errsize)
{
	if (s->cs) {
		int n = config_setting_length(s->cs);
		for (int i = 0; i < n; i++) {
			config_setting_t *m = config_setting_get_elem(s->cs, (unsigned)i);
			const char *name = config_setting_name(m);
			const char *const *k;
			for (k = known; *k && strcmp(*k, name ? name : "") != 0; k++)
				;
			if (!*k) {
				struct catsrc at = {m, NULL, s->file};
				catsrc_error(&at, err, errsize, "unknown key \"%s\"%s",
					     name ? name : "?", "");
				return -1;
			}
		}
		return 0;
	}
	const char *key;
	json_t *v;
	json_object_foreach(s->js, key, v)
	{
		const char *const *k;
		for (k = known; *k && strcmp(*k, key) != 0; k++)
			;
		if (!*k) {
			catsrc_error(s, err, errsize, "unknown key \"%.40s\"%s", key, "");
			return -1;
		}
	}
	return 0;
}
