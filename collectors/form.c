/*
 * form: the HTTP side of the officer's form (see form.h): who may ask, and
 * which handler answers.  What the page shows and what Save does are in
 * formstate.c; the page itself in formpage.c.
 *
 * libmicrohttpd parses the requests, bounds each connection's memory, their
 * number and their idle time, and answers them one at a time on its own
 * thread.  Every answer, refusals included, carries the same security headers.
 */
#include "form.h"

#include <errno.h>
#include <microhttpd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formbody.h"
#include "formcache.h"
#include "formpage.h"
#include "formstate.h"
#include "log.h"
#include "message.h"
#include "outbox.h"
#include "plat.h"

/* Connections at once: one browser opens a handful. */
#define FORM_CONNS 32
/* A connection silent this long is closed (seconds). */
#define FORM_IDLE_S 30
/* Hex digits of the secret and of the CSRF token (128 bits each). */
#define FORM_TOKEN_HEX 32
/* The cookie that carries the secret once the page is open. */
#define FORM_COOKIE "chiso_form"

#define FORM_CSP                                                                                   \
	"default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "            \
	"img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

struct form {
	const struct agentconf *c;
	struct MHD_Daemon *d;
	struct outbox *ob;    /* the form's own handle, used on the HTTP thread only */
	struct formcache *fc; /* what the page reads from disk, on the HTTP thread only */
	char secret[FORM_TOKEN_HEX + 1];
	char csrf[FORM_TOKEN_HEX + 1];
	char hosts[4][128]; /* the Host headers accepted */
};

/* One request: its body as it arrives, and whether it was cut. */
struct form_req {
	char *body;
	size_t len;
	bool too_big;
};

/* 128 random bits as hex into out (FORM_TOKEN_HEX + 1 bytes); 0 or -1. */
static int form_random(char *out)
{
	unsigned char b[FORM_TOKEN_HEX / 2];

	if (plat_random(b, sizeof b) != 0)
		return -1;
	for (size_t i = 0; i < sizeof b; i++)
		snprintf(out + 2 * i, 3, "%02x", b[i]);
	return 0;
}

/*
 * The per-install secret: read from dir/form.secret, or drawn and written
 * there (0600, fsynced) the first time.  0, or -1 with err.
 */
static int form_secret(const char *dir, char *out, char *err, size_t errsize)
{
	char path[4096], tmp[FORM_TOKEN_HEX + 3];

	snprintf(path, sizeof path, "%s/form.secret", dir);
	for (int attempt = 0; attempt < 2; attempt++) {
		int fd = plat_open(PLAT_CWD, path, PLAT_O_READ, 0);
		if (fd >= 0) {
			ssize_t n = plat_read(fd, tmp, sizeof tmp - 1);
			plat_close(fd);
			tmp[n > 0 ? n : 0] = '\0';
			if (n < FORM_TOKEN_HEX ||
			    strspn(tmp, "0123456789abcdef") < FORM_TOKEN_HEX) {
				snprintf(err, errsize, "%s is damaged: remove it to draw a new one",
					 path);
				return -1;
			}
			memcpy(out, tmp, FORM_TOKEN_HEX);
			out[FORM_TOKEN_HEX] = '\0';
			return 0;
		}
		if (errno != ENOENT)
			break;
		/* O_EXCL: a second agent process drawing at the same time reads ours. */
		fd = plat_open(PLAT_CWD, path, PLAT_O_WRITE | PLAT_O_CREATE | PLAT_O_EXCL, 0600);
		if (fd < 0 && errno == EEXIST)
			continue;
		if (fd < 0)
			break;
		bool ok = form_random(tmp) == 0;
		tmp[FORM_TOKEN_HEX] = '\n';
		ok = ok && plat_write_all(fd, tmp, FORM_TOKEN_HEX + 1) == 0 && plat_sync(fd) == 0;
		plat_close(fd);
		if (!ok) {
			plat_unlink(PLAT_CWD, path);
			break;
		}
	}
	snprintf(err, errsize, "%s: %s", path, strerror(errno ? errno : EIO));
	return -1;
}

/* The address as a URL host: IPv6 in brackets, a wildcard as the loopback. */
static void form_host(const char *listen, char *buf, size_t size)
{
	if (strcmp(listen, "0.0.0.0") == 0)
		snprintf(buf, size, "127.0.0.1");
	else if (strcmp(listen, "::") == 0)
		snprintf(buf, size, "[::1]");
	else if (strchr(listen, ':'))
		snprintf(buf, size, "[%s]", listen);
	else
		snprintf(buf, size, "%s", listen);
}

int form_url(const struct agentconf *c, char *buf, size_t size, char *err, size_t errsize)
{
	char secret[FORM_TOKEN_HEX + 1], host[128];

	if (form_secret(c->outbox_dir, secret, err, errsize) < 0)
		return -1;
	form_host(c->form_listen, host, sizeof host);
	snprintf(buf, size, "http://%s:%lld/?k=%s", host, c->form_port, secret);
	return 0;
}

/* Equal strings, in a time that does not depend on where they differ. */
static bool form_same(const char *a, const char *b)
{
	size_t la = a ? strlen(a) : 0, lb = strlen(b);
	unsigned char d = la != lb;

	for (size_t i = 0; a && i < la && i < lb; i++)
		d |= (unsigned char)(a[i] ^ b[i]);
	return a && d == 0;
}

/* Answers with body (taken when own) and the security headers. */
static enum MHD_Result form_reply(struct MHD_Connection *conn, unsigned status, const char *type,
				  char *body, bool own, const char *cookie)
{
	struct MHD_Response *r;

	if (!body) {
		status = MHD_HTTP_INTERNAL_SERVER_ERROR;
		body = "out of memory";
		own = false;
	}
	r = MHD_create_response_from_buffer(strlen(body), body,
					    own ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
	if (!r) {
		if (own)
			free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(r, "Content-Security-Policy", FORM_CSP);
	MHD_add_response_header(r, "X-Frame-Options", "DENY");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	if (cookie)
		MHD_add_response_header(r, MHD_HTTP_HEADER_SET_COOKIE, cookie);
	if (status == MHD_HTTP_SEE_OTHER)
		MHD_add_response_header(r, MHD_HTTP_HEADER_LOCATION, "/");
	enum MHD_Result rc = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return rc;
}

/* A refusal: the officer's text of code (with one argument or none) as plain text. */
static enum MHD_Result form_refuse(struct MHD_Connection *conn, unsigned status, const char *code,
				   const char *arg)
{
	char msg[512];

	if (arg)
		message_format(msg, sizeof msg, code, arg, NULL);
	else
		message_format(msg, sizeof msg, code, NULL);
	return form_reply(conn, status, "text/plain; charset=utf-8", strdup(msg), true, NULL);
}

/* The Host header names this form (DNS rebinding: a foreign name resolved to us does not). */
static bool form_host_ok(const struct form *f, struct MHD_Connection *conn)
{
	const char *h = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
	for (size_t i = 0; h && i < sizeof f->hosts / sizeof f->hosts[0]; i++)
		if (f->hosts[i][0] && strcmp(h, f->hosts[i]) == 0)
			return true;
	return false;
}

/* Answers an authorised request once its body is in. */
static enum MHD_Result form_route(struct form *f, struct MHD_Connection *conn, const char *method,
				  const char *url, struct form_req *req)
{
	const char *json = "application/json; charset=utf-8";
	bool get = strcmp(method, "GET") == 0, post = strcmp(method, "POST") == 0;
	const struct formpage_file *page = formpage_find(url);
	char err[256], max[32];
	int status = 200;

	if (get && page)
		return form_reply(conn, 200, page->type, (char *)page->body, false, NULL);
	if (get && strcmp(url, "/api/messages") == 0)
		return form_reply(conn, 200, json, formstate_messages(), true, NULL);
	if (get && strcmp(url, "/api/state") == 0) {
		const char *period =
		    MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "period");
		return form_reply(conn, 200, json,
				  formstate_json(f->fc, f->ob, f->c, period, f->csrf), true, NULL);
	}
	bool check = post && strcmp(url, "/api/check") == 0;
	if (!post || (!check && strcmp(url, "/api/save") != 0))
		return form_refuse(conn, 404, "form_not_found", NULL);
	if (req->too_big) {
		snprintf(max, sizeof max, "%u", FORM_BODY_MAX);
		return form_refuse(conn, 413, "form_too_large", max);
	}
	struct formbody *body =
	    formbody_parse(req->body ? req->body : "", req->len, err, sizeof err);
	if (!body)
		return form_refuse(conn, 400, "form_bad_body", err);
	if (!form_same(formbody_get(body, "csrf"), f->csrf)) {
		formbody_destroy(&body);
		return form_refuse(conn, 403, "form_csrf", NULL);
	}
	char *out = check ? formstate_check(f->fc, f->ob, f->c, body, &status)
			  : formstate_save(f->fc, f->ob, f->c, body, &status);
	formbody_destroy(&body);
	return form_reply(conn, (unsigned)status, json, out, true, NULL);
}

static enum MHD_Result form_answer(void *cls, struct MHD_Connection *conn, const char *url,
				   const char *method, const char *version, const char *upload_data,
				   size_t *upload_data_size, void **con_cls)
{
	struct form *f = cls;
	struct form_req *req = *con_cls;
	(void)version;

	if (!req) {
		/* First call, headers only: refuse before reading any body. */
		if (!form_host_ok(f, conn)) {
			const char *h = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
								    MHD_HTTP_HEADER_HOST);
			log_warn("form: refused a request for host \"%.100s\"", h ? h : "");
			return form_refuse(conn, 421, "form_bad_host", h ? h : "");
		}
		const char *cookie =
		    MHD_lookup_connection_value(conn, MHD_COOKIE_KIND, FORM_COOKIE);
		if (!form_same(cookie, f->secret)) {
			const char *k =
			    MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "k");
			if (strcmp(method, "GET") == 0 && strcmp(url, "/") == 0 &&
			    form_same(k, f->secret)) {
				/* The secret leaves the address bar for a cookie scripts cannot
				 * read. */
				char set[256];
				snprintf(set, sizeof set,
					 FORM_COOKIE "=%s; Path=/; HttpOnly; SameSite=Strict",
					 f->secret);
				return form_reply(conn, MHD_HTTP_SEE_OTHER, "text/plain", "", false,
						  set);
			}
			return form_refuse(conn, 403, "form_forbidden", NULL);
		}
		if ((req = calloc(1, sizeof *req)) == NULL)
			return MHD_NO;
		*con_cls = req;
		return MHD_YES;
	}
	if (*upload_data_size) {
		size_t n = *upload_data_size;
		*upload_data_size = 0;
		if (req->too_big || req->len + n > FORM_BODY_MAX) {
			req->too_big = true;
			return MHD_YES;
		}
		char *b = realloc(req->body, req->len + n + 1);
		if (!b)
			return MHD_NO;
		memcpy(b + req->len, upload_data, n);
		req->body = b;
		req->len += n;
		b[req->len] = '\0';
		return MHD_YES;
	}
	return form_route(f, conn, method, url, req);
}

static void form_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			   enum MHD_RequestTerminationCode toe)
{
	struct form_req *req = *con_cls;
	(void)cls;
	(void)conn;
	(void)toe;
	if (req) {
		free(req->body);
		free(req);
		*con_cls = NULL;
	}
}

/* libmicrohttpd's own complaints (a malformed request, a refused connection). */
static void form_mhd_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	log_vmsg(LOGL_DEBUG, fmt, ap);
}

struct form *form_new(const struct agentconf *c, char *err, size_t errsize)
{
	struct form *f = calloc(1, sizeof *f);
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ERROR_LOG;
	struct plat_sockaddr sa;
	char host[128];

	if (!f) {
		snprintf(err, errsize, "out of memory");
		return NULL;
	}
	f->c = c;
	if (form_secret(c->outbox_dir, f->secret, err, errsize) < 0)
		goto fail;
	if (form_random(f->csrf) < 0) {
		snprintf(err, errsize, "form: no random bytes for the page's token");
		goto fail;
	}
	if ((f->ob = outbox_open(c->outbox_dir, (uint64_t)c->outbox_max_bytes, c->lock_wait_ms, err,
				 errsize)) == NULL)
		goto fail;
	if ((f->fc = formcache_new(c->outbox_dir)) == NULL) {
		snprintf(err, errsize, "out of memory");
		goto fail;
	}
	/* The catalogue parsed now, before the HTTP thread starts: not in the page's first load. */
	formcache_catalog(f->fc);
	form_host(c->form_listen, host, sizeof host);
	snprintf(f->hosts[0], sizeof f->hosts[0], "127.0.0.1:%lld", c->form_port);
	snprintf(f->hosts[1], sizeof f->hosts[1], "localhost:%lld", c->form_port);
	snprintf(f->hosts[2], sizeof f->hosts[2], "[::1]:%lld", c->form_port);
	snprintf(f->hosts[3], sizeof f->hosts[3], "%s:%lld", host, c->form_port);
	/* agentconf_load has checked that form.listen is an address of one family or the other. */
	plat_sockaddr(c->form_listen, (unsigned)c->form_port, &sa);
	if (sa.ipv6)
		flags |= MHD_USE_IPv6;
	f->d = MHD_start_daemon(flags, 0, NULL, NULL, form_answer, f, MHD_OPTION_SOCK_ADDR,
				(const struct sockaddr *)(const void *)sa.bytes,
				MHD_OPTION_CONNECTION_LIMIT, (unsigned)FORM_CONNS,
				MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)FORM_IDLE_S,
				MHD_OPTION_NOTIFY_COMPLETED, form_completed, NULL,
				MHD_OPTION_EXTERNAL_LOGGER, form_mhd_log, NULL, MHD_OPTION_END);
	if (!f->d) {
		snprintf(err, errsize,
			 "form: cannot listen on %s port %lld (form.listen, form.port)",
			 c->form_listen, c->form_port);
		goto fail;
	}
	if (strncmp(c->form_listen, "127.", 4) != 0 && strcmp(c->form_listen, "::1") != 0)
		log_warn("form.listen = %s is not a loopback address: other machines can reach "
			 "the form (with its secret)",
			 c->form_listen);
	return f;
fail:
	form_destroy(&f);
	return NULL;
}

void form_destroy(struct form **fp)
{
	if (!fp || !*fp)
		return;
	if ((*fp)->d)
		MHD_stop_daemon((*fp)->d);
	outbox_close(&(*fp)->ob);
	formcache_destroy(&(*fp)->fc);
	free(*fp);
	*fp = NULL;
}
