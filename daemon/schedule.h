/*
 * schedule: the reports chisod publishes by itself (chisod.conf
 * publish.schedule), e.g. "2024S1 51 2024-06-20, 2024 51 2024-12-20": on the
 * date, or at the first check after it, the report of the unit for the period
 * is frozen as `chisoctl report publish` would, once.  "Once" is kept in the
 * database: the publication's note names the schedule entry, so a restart, a
 * second chisod or a database restored from backup never publishes it twice.
 */
#ifndef CHISOD_SCHEDULE_H
#define CHISOD_SCHEDULE_H

#include <stddef.h>

struct schedule_entry {
	char period[17]; /* as written: 2024S1 */
	char unit[17];	 /* unit code */
	char date[11];	 /* YYYY-MM-DD, local date */
	char note[96];	 /* the publication note that marks it done */
};

struct schedule {
	struct schedule_entry *entries;
	size_t n;
};

/*
 * Parses text (entries "PERIOD UNIT YYYY-MM-DD" separated by commas; empty:
 * none) into a new schedule.  NULL with err ("entry 2: ...") on a bad entry.
 */
struct schedule *schedule_parse(const char *text, char *err, size_t errsize);
/* Frees the schedule and sets *sp to NULL; safe on NULL. */
void schedule_destroy(struct schedule **sp);
/* The entries due on local date today ("YYYY-MM-DD"): a bit per entry in due[]. */
size_t schedule_due(const struct schedule *s, const char *today, unsigned char *due);

#endif
