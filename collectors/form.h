/*
 * form: the officer's form in the browser, served by `chiso-agent run` on
 * form.listen:form.port (loopback by default) in libmicrohttpd's thread, so
 * the delivery loop is never slowed by it (docs/officer-guide.md).
 *
 * Nothing but the officer's browser can use it.  A per-install secret
 * (form.secret, 0600, in the outbox directory) is in the address `run` and
 * `status` print; the page exchanges it for an HttpOnly SameSite=Strict
 * cookie, and every request without that cookie gets 403.  The Host header
 * must name the form's own address (a DNS rebinding page cannot borrow the
 * browser): 421 otherwise.  Every POST carries the page's CSRF token.  The
 * page, its script and its style are compiled in (formpage.h): no external
 * asset, and a Content-Security-Policy that allows nothing else.
 */
#ifndef CHISO_FORM_H
#define CHISO_FORM_H

#include <stddef.h>

#include "agentconf.h"

/* Longest request body accepted (bytes): the whole catalogue's figures, many times over. */
#define FORM_BODY_MAX (64u * 1024)

struct form;

/*
 * Starts serving the form for c (borrowed: it must outlive the form).
 * Returns the owned server, or NULL with err (the port is taken, the secret
 * cannot be written...).
 */
struct form *form_new(const struct agentconf *c, char *err, size_t errsize);
/* Stops serving, frees and sets *fp to NULL; safe on NULL and twice. */
void form_destroy(struct form **fp);
/*
 * The address to open, http://HOST:PORT/?k=SECRET, into buf; the secret is
 * read from (or, the first time, written to) c's outbox directory.  0, or -1
 * with err.
 */
int form_url(const struct agentconf *c, char *buf, size_t size, char *err, size_t errsize);

#endif
