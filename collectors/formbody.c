/*
 * formbody: x-www-form-urlencoded bodies (see formbody.h).
 *
 * One pass over the bytes: '&' ends a field, the first '=' ends its name,
 * '+' is a space, %XY a byte.  Decoded text is checked as UTF-8 without
 * control characters, since it ends up in batch rows and on the page.
 */
#include "formbody.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

struct formbody {
	size_t n;
	char **names, **values;
};

/* Decodes s[0..len) into a new string; NULL with why (a static text) on failure. */
static char *decode(const char *s, size_t len, const char **why)
{
	char *out;
	size_t o = 0;

	if (len > 3 * FORMBODY_TEXT_MAX) {
		*why = "too long";
		return NULL;
	}
	if ((out = malloc(len + 1)) == NULL) {
		*why = "out of memory";
		return NULL;
	}
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '+') {
			out[o++] = ' ';
		} else if (s[i] == '%') {
			if (i + 2 >= len || !isxdigit((unsigned char)s[i + 1]) ||
			    !isxdigit((unsigned char)s[i + 2])) {
				*why = "bad %-escape";
				goto fail;
			}
			char hex[3] = {s[i + 1], s[i + 2], '\0'};
			out[o++] = (char)strtol(hex, NULL, 16);
			i += 2;
		} else {
			out[o++] = s[i];
		}
	}
	out[o] = '\0';
	if (o > FORMBODY_TEXT_MAX) {
		*why = "too long";
		goto fail;
	}
	for (size_t i = 0; i < o;) {
		uint32_t cp;
		size_t n = utf8_char_len((const unsigned char *)out + i, o - i, &cp);
		if (n == 0) {
			*why = "not UTF-8";
			goto fail;
		}
		if (utf8_unsafe(cp)) {
			*why = "control character";
			goto fail;
		}
		i += n;
	}
	return out;
fail:
	free(out);
	return NULL;
}

struct formbody *formbody_parse(const char *body, size_t len, char *err, size_t errsize)
{
	struct formbody *f = calloc(1, sizeof *f);
	const char *why = "out of memory";
	size_t cap = 0;

	if (!f)
		goto fail;
	for (size_t at = 0; at < len;) {
		const char *end = memchr(body + at, '&', len - at);
		size_t flen = end ? (size_t)(end - (body + at)) : len - at;
		const char *field = body + at;
		at += flen + 1;
		if (flen == 0)
			continue; /* "a=1&&b=2": browsers never send it, but it is harmless */
		const char *eq = memchr(field, '=', flen);
		if (!eq) {
			why = "no '='";
			goto fail_field;
		}
		if (f->n == FORMBODY_FIELDS_MAX) {
			why = "too many fields";
			goto fail_field;
		}
		if (f->n == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			char **nn = realloc(f->names, ncap * sizeof *nn);
			if (nn)
				f->names = nn;
			char **nv = nn ? realloc(f->values, ncap * sizeof *nv) : NULL;
			if (!nv)
				goto fail;
			f->values = nv;
			cap = ncap;
		}
		char *name = decode(field, (size_t)(eq - field), &why);
		char *value = name ? decode(eq + 1, flen - (size_t)(eq - field) - 1, &why) : NULL;
		if (!value) {
			free(name);
			goto fail_field;
		}
		f->names[f->n] = name;
		f->values[f->n++] = value;
	}
	return f;
fail_field:
	snprintf(err, errsize, "field %zu: %s", f->n + 1, why);
	formbody_destroy(&f);
	return NULL;
fail:
	snprintf(err, errsize, "%s", why);
	formbody_destroy(&f);
	return NULL;
}

void formbody_destroy(struct formbody **fp)
{
	if (!fp || !*fp)
		return;
	for (size_t i = 0; i < (*fp)->n; i++) {
		free((*fp)->names[i]);
		free((*fp)->values[i]);
	}
	free((*fp)->names);
	free((*fp)->values);
	free(*fp);
	*fp = NULL;
}

size_t formbody_count(const struct formbody *f)
{
	return f->n;
}

const char *formbody_name(const struct formbody *f, size_t i)
{
	return f->names[i];
}

const char *formbody_value(const struct formbody *f, size_t i)
{
	return f->values[i];
}

const char *formbody_get(const struct formbody *f, const char *name)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->names[i], name) == 0)
			return f->values[i];
	return NULL;
}
