/*
 * formbody: the body of a form's POST (application/x-www-form-urlencoded),
 * decoded into name/value pairs.
 *
 * The body comes from a browser, but anything on the PC could send it, so the
 * decoder takes any bytes: a bad %-escape, a name without '=', a value that is
 * not UTF-8 or holds a control character fails the whole body with a reason
 * naming the field, and nothing it reads is trusted for its length.
 */
#ifndef CHISO_FORMBODY_H
#define CHISO_FORMBODY_H

#include <stddef.h>

/* The most fields a body may have; the whole catalogue twice over fits. */
#define FORMBODY_FIELDS_MAX 1024
/* The longest name or value after decoding, in bytes. */
#define FORMBODY_TEXT_MAX 1024

struct formbody;

/*
 * Decodes len bytes of body; returns the owned fields, or NULL with err
 * filled (why, and the field's position: "field 3: bad %-escape").
 */
struct formbody *formbody_parse(const char *body, size_t len, char *err, size_t errsize);
/* Frees and sets *fp to NULL; safe on NULL and twice. */
void formbody_destroy(struct formbody **fp);
/* The number of fields. */
size_t formbody_count(const struct formbody *f);
/* The name and value of field i (borrowed from f); i < formbody_count. */
const char *formbody_name(const struct formbody *f, size_t i);
const char *formbody_value(const struct formbody *f, size_t i);
/* The value of the first field called name (borrowed), or NULL. */
const char *formbody_get(const struct formbody *f, const char *name);

#endif
