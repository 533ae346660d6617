/*
 * registry: the enrolled collectors as chisod holds them in memory.
 *
 * It also holds the periods collectors can still report, with their
 * deadlines, read at the same time (a WELCOME of version 2 lists them).
 *
 * Built by the writer thread from the database (at start, on every
 * chiso_collectors notification and periodically) and handed to the main
 * thread, which swaps it in whole: the ZAP handler and the per-message checks
 * never see a half-updated list.  Revoking a collector therefore takes effect
 * within one notification, without a restart and without touching other peers.
 */
#ifndef CHISOD_REGISTRY_H
#define CHISOD_REGISTRY_H

#include <stddef.h>

#include "store.h"
#include "welcome.h"

struct registry;

/* Takes ownership of the array *entries (sets it to NULL).  NULL if out of memory. */
struct registry *registry_new(struct store_collector **entries, size_t n);
/* Frees the registry and sets *rp to NULL; safe on NULL. */
void registry_destroy(struct registry **rp);
/* The collector with this Z85 public key, or NULL.  Borrowed. */
const struct store_collector *registry_by_key(const struct registry *r, const char *z85);
/* The collector with this id (name), or NULL.  Borrowed. */
const struct store_collector *registry_by_name(const struct registry *r, const char *name);
/* Number of collectors, revoked ones included. */
size_t registry_count(const struct registry *r);
/* The i-th collector in name order.  Borrowed. */
const struct store_collector *registry_at(const struct registry *r, size_t i);
/*
 * Sets the periods a WELCOME of version 2 may list (store_period_welcome
 * filled them when the collectors were read), n of them; at most
 * WELCOME_PERIODS_MAX are kept.
 */
void registry_set_periods(struct registry *r, const struct welcome_period *p, size_t n);
/* The periods set, *n of them; borrowed, valid as long as r. */
const struct welcome_period *registry_periods(const struct registry *r, size_t *n);

#endif
