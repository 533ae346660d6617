/*
 * job: a growing array of batches for one group commit (see job.h).
 */
#include "job.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "message.h"
#include "period.h"

struct job *job_new(void)
{
	return calloc(1, sizeof(struct job));
}

void job_destroy(struct job **jp)
{
	if (!jp || !*jp)
		return;
	for (size_t i = 0; i < (*jp)->n; i++) {
		batch_ack_clear(&(*jp)->entries[i].item.ack);
		batch_destroy(&(*jp)->entries[i].batch);
	}
	free((*jp)->entries);
	free(*jp);
	*jp = NULL;
}

/* Room for one more entry; 0 or -1. */
static int job_reserve(struct job *j)
{
	if (j->n < j->cap)
		return 0;
	size_t cap = j->cap ? j->cap * 2 : 16;
	struct job_entry *more = realloc(j->entries, cap * sizeof *more);
	if (!more)
		return -1;
	j->entries = more;
	j->cap = cap;
	return 0;
}

int job_split(struct job *j, uint64_t limit, struct job **chain)
{
	struct job *head = NULL, **tail = &head, *cur = NULL;
	size_t keep = 0;
	int pieces = 0;

	*chain = NULL;
	/* Copies first, so that running out of memory leaves j as it was. */
	for (size_t i = 0; i < j->n; i++) {
		const struct job_entry *e = &j->entries[i];
		if (e->item.done)
			continue;
		if (!cur || cur->rows + e->batch->nrows > limit) {
			if ((cur = job_new()) == NULL)
				goto fail;
			*tail = cur;
			tail = &cur->next;
			cur->first_us = e->item.received_us;
			pieces++;
		}
		if (job_reserve(cur) < 0)
			goto fail;
		struct job_entry *to = &cur->entries[cur->n++];
		*to = *e;
		memset(&to->item.ack, 0, sizeof to->item.ack);
		cur->rows += e->batch->nrows;
	}
	/* The batches now belong to the chain: j keeps only the done entries. */
	j->rows = 0;
	for (size_t i = 0; i < j->n; i++) {
		if (!j->entries[i].item.done) {
			batch_ack_clear(&j->entries[i].item.ack);
			continue;
		}
		j->entries[keep] = j->entries[i];
		j->rows += j->entries[keep].batch->nrows;
		keep++;
	}
	j->n = keep;
	*chain = head;
	return pieces;
fail:
	while (head) {
		struct job *next = head->next;
		head->n = 0; /* its batches are still j's */
		job_destroy(&head);
		head = next;
	}
	return -1;
}

int job_add(struct job *j, const void *routing_id, size_t routing_id_len, int version,
	    int collector_id, const char *collector, struct batch **bp, int64_t now_us)
{
	struct job_entry *e;

	if (job_reserve(j) < 0)
		return -1;
	e = &j->entries[j->n];
	memset(e, 0, sizeof *e);
	if (routing_id_len > JOB_ROUTING_ID_MAX)
		routing_id_len = JOB_ROUTING_ID_MAX;
	memcpy(e->routing_id, routing_id, routing_id_len);
	e->routing_id_len = routing_id_len;
	e->version = version;
	snprintf(e->collector, sizeof e->collector, "%s", collector);
	e->batch = *bp;
	*bp = NULL;
	e->item.collector_id = collector_id;
	e->item.received_us = now_us;
	e->item.batch = e->batch;
	if (j->n == 0)
		j->first_us = now_us;
	j->rows += e->batch->nrows;
	j->n++;
	return 0;
}

/*
 * Refuses one row.  The message goes back to the commune officer: Vietnamese,
 * from the message table (lib/message.h) or lib/period.c's.
 */
static void job_refuse(struct batch_row *r, const char *reason, const char *message)
{
	r->reason = reason;
	snprintf(r->message, sizeof r->message, "%s", message);
}

void job_prepare(struct batch *b, const struct catalog *cat)
{
	for (size_t i = 0; i < b->nrows; i++) {
		struct batch_row *r = &b->rows[i];
		struct period p;
		const char *why;
		int32_t day;

		if (r->reason)
			continue;
		if (r->date[0]) {
			const struct indicator *ind = catalog_find(cat, r->indicator);
			if (date_parse(r->date, strlen(r->date), &day, &why) < 0) {
				job_refuse(r, "bad_date", why);
			} else if (!ind) {
				r->reason = "unknown_indicator";
				message_format(r->message, sizeof r->message, "unknown_indicator",
					       r->indicator, NULL);
			} else {
				/* A date belongs to the indicator's finest period in its calendar.
				 */
				if (period_of_date_checked(day, ind->native_period, ind->calendar,
							   &p, &why) < 0)
					job_refuse(r, "bad_period", why);
				period_format(&p, r->period, sizeof r->period);
			}
		} else if (period_parse(r->period, strlen(r->period), &p, &why) < 0) {
			job_refuse(r, "bad_period", why);
		}
	}
}
