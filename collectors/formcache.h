/*
 * formcache: what the officer's form reads from disk, read again only when it
 * changed, so that the page's poll (every second while figures wait) costs a
 * few stat calls instead of reading the whole journal, parsing the catalogue
 * and opening every reject file each time.
 *
 *   <outbox>/catalog.json          parsed again when its inode, size or mtime changes
 *   <outbox>/form/journal.tsv      read on from where the last request stopped (it only
 *                                  grows; a shorter or replaced file is read again whole)
 *   <outbox>/form/SOURCE.rejected.csv  read again when its size or mtime changes
 *   the outbox's pending batches   listed only while a figure shown still waits: a batch
 *                                  delivered never comes back, so neither does its state
 *
 * A formcache belongs to the form's HTTP thread: it has no lock.
 */
#ifndef CHISO_FORMCACHE_H
#define CHISO_FORMCACHE_H

#include <jansson.h>

#include "catalog.h"
#include "outbox.h"

struct formcache;

/* The cache of the form of outbox directory dir (copied); NULL when out of memory. */
struct formcache *formcache_new(const char *dir);
/* Frees and sets *fcp to NULL; safe on NULL and twice. */
void formcache_destroy(struct formcache **fcp);
/* The cached catalogue, or NULL if none was received yet; borrowed until the next call. */
const struct catalog *formcache_catalog(struct formcache *fc);
/*
 * What the form saved for unit and period, the latest of each indicator:
 * indicator -> {"value","state","label","reason","when"}, with state
 * state_waiting (still in ob), state_refused (with the province's reason) or
 * state_received.  A new reference (an empty object on a read error).
 */
json_t *formcache_sent(struct formcache *fc, struct outbox *ob, const char *unit,
		       const char *period);

#endif
