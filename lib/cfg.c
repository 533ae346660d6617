/*
 * cfg: table-driven libconfig files (see cfg.h).
 *
 * libconfig gives us the syntax and line numbers; the table gives types,
 * defaults, bounds and the list of known keys.  Every libconfig string is
 * copied out before config_destroy, so nothing here outlives its owner.
 */
#include "cfg.h"

#include <errno.h>
#include <libconfig.h>
#include <stdlib.h>
#include <string.h>

#include "plat.h"

const char *const cfg_log_levels[] = {"error", "warning", "info", "debug", NULL};

static bool *cfg_bool_at(void *dst, const struct cfg_key *k)
{
	return (bool *)((char *)dst + k->offset);
}

static long long *cfg_int_at(void *dst, const struct cfg_key *k)
{
	return (long long *)((char *)dst + k->offset);
}

static char **cfg_str_at(void *dst, const struct cfg_key *k)
{
	return (char **)((char *)dst + k->offset);
}

static const struct cfg_key *cfg_find(const struct cfg_key *keys, size_t nkeys, const char *path)
{
	for (size_t i = 0; i < nkeys; i++)
		if (strcmp(keys[i].path, path) == 0)
			return &keys[i];
	return NULL;
}

/* True if some key lives under the group "prefix" ("server" for "server.x"). */
static bool cfg_is_group(const struct cfg_key *keys, size_t nkeys, const char *prefix)
{
	size_t n = strlen(prefix);
	for (size_t i = 0; i < nkeys; i++)
		if (strncmp(keys[i].path, prefix, n) == 0 && keys[i].path[n] == '.')
			return true;
	return false;
}

int cfg_parse_int(const char *name, const char *text, long long min, long long max, long long *out,
		  char *err, size_t errsize)
{
	/* strtoll alone would take " 5", "+5", "5s" as 5 and "abc" as 0. */
	const char *digits = text && text[0] == '-' ? text + 1 : text;
	bool number = digits && digits[0] >= '0' && digits[0] <= '9';
	char *end = NULL;
	long long v = 0;

	if (number) {
		errno = 0;
		v = strtoll(text, &end, 10);
		number = *end == '\0';
	}
	if (!number) {
		snprintf(err, errsize, "%s: \"%s\" is not a whole number (%lld..%lld)", name,
			 text ? text : "", min, max);
		return -1;
	}
	if (errno == ERANGE || v < min || v > max) {
		snprintf(err, errsize, "%s: %s is outside %lld..%lld", name, text, min, max);
		return -1;
	}
	*out = v;
	return 0;
}

/*
 * Checks that text is "tcp://HOST:PORT" with PORT 1..65535 (or, if allow_ipc,
 * "ipc://PATH").  0, or -1 with err naming what is wrong (not the key).
 */
static int cfg_endpoint_check(const char *text, bool allow_ipc, char *err, size_t errsize)
{
	const char *host, *colon;
	size_t hostlen;
	long long port = 0;
	char why[96];

	if (allow_ipc && strncmp(text, "ipc://", 6) == 0 && text[6])
		return 0;
	if (!*text) {
		snprintf(err, errsize, "empty: expected tcp://HOST:PORT");
		return -1;
	}
	if (strncmp(text, "tcp://", 6) != 0) {
		snprintf(err, errsize, "%s is not a tcp:// address%s", text,
			 allow_ipc ? " (nor ipc://)" : "");
		return -1;
	}
	host = text + 6;
	colon = strrchr(host, ':');
	hostlen = colon ? (size_t)(colon - host) : 0;
	/* An IPv6 address is bracketed, so its colons are not the port's: a host with a
	 * colon or a bracket is "[...]" with neither bracket inside ("tcp://::1" would
	 * otherwise be host ":" and port 1). */
	bool bracketed = hostlen >= 3 && host[0] == '[' && host[hostlen - 1] == ']';
	const char *refused = bracketed ? "[]" : "[]:";
	bool odd = false;
	for (size_t i = bracketed; i < hostlen - bracketed; i++)
		odd = odd || strchr(refused, host[i]) != NULL;
	if (!colon || hostlen == 0 || odd) {
		snprintf(err, errsize, "%s: expected tcp://HOST:PORT", text);
		return -1;
	}
	if (cfg_parse_int("port", colon + 1, 1, 65535, &port, why, sizeof why) < 0) {
		snprintf(err, errsize, "%s: the port must be 1..65535, not \"%s\"", text,
			 colon + 1);
		return -1;
	}
	return 0;
}

static int cfg_assign(const struct cfg_key *k, void *dst, const char *text, char *err,
		      size_t errsize)
{
	long long v;
	char *copy;

	switch (k->type) {
	case CFG_BOOL:
		if (strcmp(text, "true") == 0)
			*cfg_bool_at(dst, k) = true;
		else if (strcmp(text, "false") == 0)
			*cfg_bool_at(dst, k) = false;
		else {
			snprintf(err, errsize, "%s: expected true or false", k->path);
			return -1;
		}
		return 0;
	case CFG_INT:
		if (cfg_parse_int(k->path, text, k->min, k->max, &v, err, errsize) < 0)
			return -1;
		*cfg_int_at(dst, k) = v;
		return 0;
	case CFG_STRING:
		if (k->choices) {
			const char *const *c;
			for (c = k->choices; *c && strcmp(*c, text) != 0; c++)
				;
			if (!*c) {
				char list[256] = "";
				for (c = k->choices; *c; c++)
					snprintf(list + strlen(list), sizeof list - strlen(list),
						 "%s%s", c == k->choices ? "" : ", ", *c);
				snprintf(err, errsize, "%s: \"%s\" is not one of %s", k->path, text,
					 list);
				return -1;
			}
		}
		if ((k->flags & CFG_NONEMPTY) && !*text) {
			snprintf(err, errsize, "%s: must not be empty", k->path);
			return -1;
		}
		if ((k->flags & CFG_TCP) && (*text || (k->def && *k->def)) &&
		    cfg_endpoint_check(text, k->flags & CFG_IPC, err, errsize) < 0) {
			/* the key first, as every other message of this file */
			char why[256];
			snprintf(why, sizeof why, "%s", err);
			snprintf(err, errsize, "%s: %s", k->path, why);
			return -1;
		}
		if ((copy = strdup(text)) == NULL) {
			snprintf(err, errsize, "out of memory");
			return -1;
		}
		free(*cfg_str_at(dst, k));
		*cfg_str_at(dst, k) = copy;
		return 0;
	}
	return -1;
}

int cfg_defaults(const struct cfg_key *keys, size_t nkeys, void *dst)
{
	char err[128];
	for (size_t i = 0; i < nkeys; i++)
		if (cfg_assign(&keys[i], dst, keys[i].def ? keys[i].def : "", err, sizeof err) < 0)
			return -1;
	return 0;
}

int cfg_set(const struct cfg_key *keys, size_t nkeys, void *dst, const char *path,
	    const char *value, char *err, size_t errsize)
{
	const struct cfg_key *k = cfg_find(keys, nkeys, path);
	if (!k) {
		snprintf(err, errsize, "unknown key \"%s\"", path);
		return -1;
	}
	return cfg_assign(k, dst, value, err, errsize);
}

/* Applies one scalar setting found in the file. */
static int cfg_apply(const struct cfg_key *keys, size_t nkeys, void *dst, config_setting_t *s,
		     const char *path, const char *file, char *err, size_t errsize)
{
	const struct cfg_key *k = cfg_find(keys, nkeys, path);
	int line = config_setting_source_line(s);
	int type = config_setting_type(s);
	char msg[256], num[32];
	const char *text = NULL;

	if (!k) {
		snprintf(err, errsize, "%s:%d: unknown key \"%s\"", file, line, path);
		return -1;
	}
	switch (k->type) {
	case CFG_BOOL:
		if (type == CONFIG_TYPE_BOOL)
			text = config_setting_get_bool(s) ? "true" : "false";
		break;
	case CFG_INT:
		if (type == CONFIG_TYPE_INT || type == CONFIG_TYPE_INT64) {
			snprintf(num, sizeof num, "%lld", config_setting_get_int64(s));
			text = num;
		}
		break;
	case CFG_STRING:
		if (type == CONFIG_TYPE_STRING)
			text = config_setting_get_string(s);
		break;
	}
	if (!text) {
		static const char *const want[] = {"true or false", "an integer",
						   "a quoted string"};
		snprintf(err, errsize, "%s:%d: %s: expected %s", file, line, path, want[k->type]);
		return -1;
	}
	if (cfg_assign(k, dst, text, msg, sizeof msg) < 0) {
		snprintf(err, errsize, "%s:%d: %s", file, line, msg);
		return -1;
	}
	return 0;
}

/* Walks a group, applying scalars and refusing what the table does not know. */
static int cfg_walk(const struct cfg_key *keys, size_t nkeys, void *dst, config_setting_t *group,
		    const char *prefix, const char *file, char *err, size_t errsize)
{
	int n = config_setting_length(group);
	for (int i = 0; i < n; i++) {
		config_setting_t *s = config_setting_get_elem(group, (unsigned)i);
		const char *name = config_setting_name(s);
		char path[256];

		snprintf(path, sizeof path, "%s%s%s", prefix, *prefix ? "." : "", name ? name : "");
		if (config_setting_is_group(s)) {
			if (!cfg_is_group(keys, nkeys, path)) {
				snprintf(err, errsize, "%s:%d: unknown section \"%s\"", file,
					 config_setting_source_line(s), path);
				return -1;
			}
			if (cfg_walk(keys, nkeys, dst, s, path, file, err, errsize) < 0)
				return -1;
		} else if (config_setting_is_aggregate(s)) {
			snprintf(err, errsize, "%s:%d: %s: lists and arrays are not used here",
				 file, config_setting_source_line(s), path);
			return -1;
		} else if (cfg_apply(keys, nkeys, dst, s, path, file, err, errsize) < 0) {
			return -1;
		}
	}
	return 0;
}

#define CFG_FILE_MAX (16u << 20)

int cfg_read(config_t *cf, const char *path, char *err, size_t errsize)
{
	FILE *fp = plat_fopen_read(path);
	char *text = NULL;
	size_t len = 0;
	struct plat_stat st;
	int rc = -1;

	if (!fp) {
		snprintf(err, errsize, "%s: cannot read: %s", path, strerror(errno));
		return -1;
	}
	if (plat_fstat(fileno(fp), &st) < 0 || st.size > CFG_FILE_MAX) {
		snprintf(err, errsize, "%s: unreadable or larger than 16 MiB", path);
		goto done;
	}
	if ((text = malloc((size_t)st.size + 1)) == NULL) {
		snprintf(err, errsize, "out of memory");
		goto done;
	}
	len = fread(text, 1, (size_t)st.size, fp);
	if (ferror(fp)) {
		snprintf(err, errsize, "%s: cannot read: %s", path, strerror(errno));
		goto done;
	}
	text[len] = '\0';
	if (memchr(text, '\0', len)) {
		snprintf(err, errsize, "%s: NUL byte in the file", path);
		goto done;
	}
	for (const char *p = text; (p = strstr(p, "@include")) != NULL; p++) {
		int line = 1;
		for (const char *q = text; q < p; q++)
			line += *q == '\n';
		snprintf(err, errsize, "%s:%d: @include is not supported: write the settings here",
			 path, line);
		goto done;
	}
	if (config_read_string(cf, text) != CONFIG_TRUE) {
		snprintf(err, errsize, "%s:%d: %s", path, config_error_line(cf),
			 config_error_text(cf));
		goto done;
	}
	rc = 0;
done:
	free(text);
	fclose(fp);
	return rc;
}

int cfg_load(const struct cfg_key *keys, size_t nkeys, void *dst, const char *path, char *err,
	     size_t errsize)
{
	config_t cf;
	int rc = -1;

	config_init(&cf);
	if (cfg_read(&cf, path, err, errsize) < 0)
		goto done;
	rc = cfg_walk(keys, nkeys, dst, config_root_setting(&cf), "", path, err, errsize);
done:
	config_destroy(&cf);
	return rc;
}

void *cfg_create(const struct cfg_key *keys, size_t nkeys, size_t size, const char *path, char *err,
		 size_t errsize)
{
	void *c = calloc(1, size);

	if (!c || cfg_defaults(keys, nkeys, c) < 0) {
		snprintf(err, errsize, "out of memory");
		goto fail;
	}
	if (path && cfg_load(keys, nkeys, c, path, err, errsize) < 0)
		goto fail;
	return c;
fail:
	cfg_destroy(keys, nkeys, &c);
	return NULL;
}

void cfg_destroy(const struct cfg_key *keys, size_t nkeys, void **p)
{
	if (!p || !*p)
		return;
	cfg_free(keys, nkeys, *p);
	free(*p);
	*p = NULL;
}

static void cfg_print_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (; s && *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

void cfg_print(const struct cfg_key *keys, size_t nkeys, const void *src, bool show_secrets,
	       FILE *out)
{
	char group[128] = "";

	for (size_t i = 0; i < nkeys; i++) {
		const struct cfg_key *k = &keys[i];
		const char *dot = strchr(k->path, '.');
		size_t glen = dot ? (size_t)(dot - k->path) : 0;
		const char *name = dot ? dot + 1 : k->path;
		const char *indent = dot ? "\t" : "";

		if (strlen(group) != glen || strncmp(group, k->path, glen) != 0) {
			if (*group)
				fprintf(out, "};\n\n");
			snprintf(group, sizeof group, "%.*s", (int)glen, k->path);
			if (*group)
				fprintf(out, "%s: {\n", group);
		} else {
			fputc('\n', out);
		}
		/* a comment of several lines keeps its "#" on each */
		for (const char *c = k->comment, *nl; c; c = nl ? nl + 1 : NULL) {
			nl = strchr(c, '\n');
			fprintf(out, "%s# %.*s\n", indent, nl ? (int)(nl - c) : (int)strlen(c), c);
		}
		fprintf(out, "%s%s = ", indent, name);
		void *at = (char *)src + k->offset;
		switch (k->type) {
		case CFG_BOOL:
			fprintf(out, "%s", *(const bool *)at ? "true" : "false");
			break;
		case CFG_INT:
			fprintf(out, "%lld", *(const long long *)at);
			break;
		case CFG_STRING:
			if ((k->flags & CFG_SECRET) && !show_secrets)
				fprintf(out, "\"(hidden)\"");
			else
				cfg_print_string(out, *(char *const *)at);
			break;
		}
		fprintf(out, ";\n");
	}
	if (*group)
		fprintf(out, "};\n");
}

void cfg_free(const struct cfg_key *keys, size_t nkeys, void *dst)
{
	for (size_t i = 0; i < nkeys; i++)
		if (keys[i].type == CFG_STRING) {
			free(*cfg_str_at(dst, &keys[i]));
			*cfg_str_at(dst, &keys[i]) = NULL;
		}
}

bool cfg_same(const struct cfg_key *k, const void *a, const void *b)
{
	const char *pa = (const char *)a + k->offset, *pb = (const char *)b + k->offset;

	switch (k->type) {
	case CFG_BOOL:
		return *(const bool *)pa == *(const bool *)pb;
	case CFG_INT:
		return *(const long long *)pa == *(const long long *)pb;
	case CFG_STRING: {
		const char *sa = *(char *const *)pa, *sb = *(char *const *)pb;
		return strcmp(sa ? sa : "", sb ? sb : "") == 0;
	}
	}
	return false;
}
