/*
 * formstate: what the officer's form shows and what its Save does, as JSON
 * for the page (form.c serves it; the HTTP and the security are there).
 *
 * The form's rows go through submit_rows, the path of `chiso-agent submit`:
 * the same checks, one outbox transaction, durable before the answer.  Each
 * save is named form-<milliseconds> in the outbox (so its refused rows land in
 * <outbox>/form/form-<ms>.rejected.csv), and a line per row is added to
 * <outbox>/form/journal.tsv after the commit, so that the page can say of
 * each figure: still in the outbox (chờ gửi), refused by the province with
 * its reason (bị từ chối), or delivered (tỉnh đã nhận).  The journal only
 * feeds that display: losing it loses no figure.
 */
#ifndef CHISO_FORMSTATE_H
#define CHISO_FORMSTATE_H

#include "agentconf.h"
#include "formcache.h"
#include "formbody.h"
#include "outbox.h"

/*
 * The page's data for period (NULL: the year before the current one): the
 * unit and its tier, the periods offered with their deadlines ("deadline",
 * ISO or null; "overdue"), the catalogue's indicators with their names, units
 * of measure and whether the unit's tier reports them ("expected"), and what
 * was sent of each with its state.  csrf is put in
 * for the page's POSTs.  Returns malloc'd JSON, or NULL when out of memory.
 */
char *formstate_json(struct formcache *fc, struct outbox *ob, const struct agentconf *c,
		     const char *period, const char *csrf);
/*
 * Saves the figures of body (period, and v.CODE=value per indicator; empty
 * values are left out; words before a number, "hơn 2000", are its qualifier;
 * n.CODE=note is saved with its figure, refused without one).  Returns malloc'd
 * JSON with *status: 200 {"rows":N}, 422 {"errors":[{"indicator":..,"message":..}]} when a row is
 * refused (nothing is queued), 409 or 500 {"error":..}.  NULL when out of memory.
 */
char *formstate_save(struct formcache *fc, struct outbox *ob, const struct agentconf *c,
		     const struct formbody *body, int *status);
/*
 * The live checks of the figures of body (period, v.CODE=text for every input),
 * with submit's rules, for the page as it is typed: formcheck_json's answer
 * for the cached unit and catalogue and what was sent for period, with
 * *status 200; 409 {"error":..} while the unit is not known.  NULL when out of
 * memory.
 */
char *formstate_check(struct formcache *fc, struct outbox *ob, const struct agentconf *c,
		      const struct formbody *body, int *status);
/* The message table as one JSON object, code -> text, for the page's checks; malloc'd. */
char *formstate_messages(void);

#endif
