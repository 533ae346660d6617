/*
 * store_publish: freezing a report as a publication and listing them, which
 * chisod's scheduled publication and chisoctl both do.  Reading a report,
 * live or as published, is ctl/store_report.h.
 */
#ifndef CHISO_STORE_PUBLISH_H
#define CHISO_STORE_PUBLISH_H

#include <stdbool.h>
#include <stddef.h>

struct store;

/* One published version of a report. */
struct store_publication {
	int id;
	char period[17];
	char unit_code[17];
	char unit_name[128];
	int version; /* 1, 2, ... per period and unit */
	char prev_period[17];
	char note[512];
	char actor[128];       /* who published: a login name, or a program */
	char role[64];	       /* the database role that published */
	char published_at[32]; /* Vietnam time (UTC+7): "2024-07-01 09:30:00" */
	int nrows, nunits;
	char content_hash[65]; /* SHA-256 of the frozen rows and units, hex */
	bool content_ok;       /* it still matches its seal and content_hash */
	bool latest;	       /* the latest version of its period and unit */
};

/*
 * Freezes the live report as the next version of (period, unit_code), recording actor and
 * note, in one statement (chisoctl as chiso_owner; chisod's writer connection may call it
 * too).  Fills *out; -1 with err when there are no figures to publish.  1 with err
 * when the publication was made but reading it back failed (a statement cancelled
 * at a stop, a lost connection): *out then holds id, version, period, unit_code,
 * nrows, nunits and content_hash only, and the caller must not say "not published".
 */
int store_report_publish(struct store *s, const char *period, const char *unit_code,
			 const char *actor, const char *note, struct store_publication *out,
			 char *err, size_t errsize);
/* Published versions, filtered by period and unit when not NULL; the caller frees *out. */
int store_publications(struct store *s, const char *period, const char *unit_code,
		       struct store_publication **out, size_t *n, char *err, size_t errsize);

#endif
