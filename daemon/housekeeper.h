/*
 * housekeeper: chisod's thread for the work no agent waits for.
 *
 * Recording the configured deadlines (deadline.*), closing the periods whose
 * deadline has passed (deadline.auto_close), counting the units that have not
 * reported for the open periods (for the metrics) and publishing the
 * scheduled reports (publish.schedule) run here, on a PostgreSQL connection of their
 * own (application_name chisod-housekeeper), so that a slow or blocked
 * housekeeping query never delays a commit or an ACK: the writer's connection
 * is for ingest only.  A pass runs once connected, every minute after, and on
 * SIGHUP (housekeeper_kick); a failed query is logged and tried again at the
 * next pass, a lost connection reopened with doubling pauses.
 */
#ifndef CHISOD_HOUSEKEEPER_H
#define CHISOD_HOUSEKEEPER_H

#include <stdbool.h>
#include <stddef.h>

#include "srvconf.h"
#include "stats.h"

struct housekeeper;

/*
 * Starts the thread with its settings copied from conf (conninfo, timeouts,
 * deadline.*, publish.schedule).  NULL with err on failure.
 */
struct housekeeper *housekeeper_start(const struct srvconf *conf, char *err, size_t errsize);
/*
 * A file descriptor that becomes readable once the first pass has recorded
 * the deadlines and closed what was due, or has failed to (logged): chisod
 * says READY only then, so that its first batches meet the periods as this
 * configuration has them.  For poll; read it with housekeeper_settled.
 */
int housekeeper_fd(const struct housekeeper *h);
/* Consumes the readiness of housekeeper_fd; true once the first pass got that far. */
bool housekeeper_settled(struct housekeeper *h);
/*
 * Copies the open periods' units as the last pass counted them (at most max,
 * the earliest deadline first) into out; returns how many, and *known says
 * whether any pass has counted them yet.  Counted once a pass, not per call:
 * the metrics endpoint reads them at every scrape.
 */
size_t housekeeper_progress(struct housekeeper *h, struct stats_period *out, size_t max,
			    bool *known);
/* Asks for a pass now (SIGHUP); does not wait. */
void housekeeper_kick(struct housekeeper *h);
/*
 * Cancels the statement running, if any, and makes the thread take no further
 * pass (SIGTERM).  Does not wait: the cancel is sent from a thread of its own.
 */
void housekeeper_cancel(struct housekeeper *h);
/* Cancels (housekeeper_cancel), waits for the thread, frees, sets *hp to NULL; safe on NULL. */
void housekeeper_stop(struct housekeeper **hp);

#endif
