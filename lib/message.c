/*
 * message: officers' texts by code, from the generated table (see message.h).
 *
 * The substitution is the one of msg() in sql/R_05_messages.sql: one pass,
 * text between braces is a parameter name, so an argument that holds braces
 * is copied as it is.
 */
#include "message.h"

#include <string.h>

#define MESSAGE_ARGS_MAX 8

const struct message *message_find(const char *code)
{
	for (size_t i = 0; i < message_table_len; i++)
		if (strcmp(message_table[i].code, code) == 0)
			return &message_table[i];
	return NULL;
}

size_t message_nparams(const struct message *m)
{
	size_t n = m->params[0] ? 1 : 0;
	for (const char *p = m->params; *p; p++)
		n += *p == ',';
	return n;
}

/* The index of the parameter name (len bytes at name) in m's params, or -1. */
static int message_param(const struct message *m, const char *name, size_t len)
{
	const char *p = m->params;
	for (int i = 0; *p; i++) {
		size_t n = strcspn(p, ",");
		if (n == len && strncmp(p, name, len) == 0)
			return i;
		p += n + (p[n] == ',');
	}
	return -1;
}

/* Appends len bytes of s to buf (at *at), stopping short of a cut character. */
static void message_put(char *buf, size_t size, size_t *at, const char *s, size_t len)
{
	if (*at + len >= size) {
		len = size - 1 - *at;
		while (len && ((unsigned char)s[len] & 0xc0) == 0x80)
			len--;
	}
	memcpy(buf + *at, s, len);
	*at += len;
	buf[*at] = '\0';
}

int message_format(char *buf, size_t size, const char *code, ...)
{
	va_list ap;
	va_start(ap, code);
	int n = message_vformat(buf, size, code, ap);
	va_end(ap);
	return n;
}

int message_vformat(char *buf, size_t size, const char *code, va_list ap)
{
	const struct message *m = message_find(code);
	const char *args[MESSAGE_ARGS_MAX];
	size_t nargs = 0, at = 0;

	if (size == 0)
		return -1;
	buf[0] = '\0';
	for (const char *a; (a = va_arg(ap, const char *)) != NULL;)
		if (nargs < MESSAGE_ARGS_MAX)
			args[nargs++] = a;
		else
			nargs++;
	if (!m || nargs != message_nparams(m)) {
		message_put(buf, size, &at, code, strlen(code));
		return -1;
	}
	for (const char *t = m->text; *t;) {
		size_t lit = strcspn(t, "{");
		message_put(buf, size, &at, t, lit);
		t += lit;
		if (!*t)
			break;
		size_t len = strcspn(t + 1, "}");
		int i = message_param(m, t + 1, len);
		if (i >= 0)
			message_put(buf, size, &at, args[i], strlen(args[i]));
		t += 1 + len + (t[1 + len] == '}');
	}
	return (int)at;
}
