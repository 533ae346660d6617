/*
 * stats: counters and their two renderings (see stats.h).
 *
 * Collectors are kept sorted by name; a province has hundreds, the country
 * about 11 000, and a new one is inserted once, so a sorted array is enough.
 */
#include "stats.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct stats *stats_new(void)
{
	return calloc(1, sizeof(struct stats));
}

void stats_destroy(struct stats **sp)
{
	if (!sp || !*sp)
		return;
	free((*sp)->peers);
	free(*sp);
	*sp = NULL;
}

struct peer_stat *stats_peer(struct stats *s, const char *name)
{
	size_t lo = 0, hi = s->npeers;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(s->peers[mid].name, name);
		if (c == 0)
			return &s->peers[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (s->npeers == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		struct peer_stat *more = realloc(s->peers, cap * sizeof *more);
		if (!more)
			return NULL;
		s->peers = more;
		s->cap = cap;
	}
	memmove(&s->peers[lo + 1], &s->peers[lo], (s->npeers - lo) * sizeof *s->peers);
	memset(&s->peers[lo], 0, sizeof *s->peers);
	snprintf(s->peers[lo].name, sizeof s->peers[lo].name, "%s", name);
	s->npeers++;
	return &s->peers[lo];
}

void stats_reason(struct stats *s, const char *code)
{
	size_t i;
	for (i = 0; i < s->nreasons; i++)
		if (strcmp(s->reasons[i].code, code) == 0)
			break;
	if (i == s->nreasons) {
		if (s->nreasons == sizeof s->reasons / sizeof s->reasons[0])
			return; /* reason codes are a fixed list; this cannot fill up */
		snprintf(s->reasons[i].code, sizeof s->reasons[i].code, "%s", code);
		s->nreasons++;
	}
	s->reasons[i].count++;
}

void stats_tick(struct stats *s, int64_t now_ms)
{
	if (s->last_rate_ms) {
		double secs = (double)(now_ms - s->last_rate_ms) / 1000.0;
		if (secs > 0) {
			s->batches_per_s = (double)(s->batches_received - s->last_batches) / secs;
			s->rows_per_s = (double)(s->rows_received - s->last_rows) / secs;
		}
	}
	s->last_rate_ms = now_ms;
	s->last_batches = s->batches_received;
	s->last_rows = s->rows_received;
}

void stats_line(const struct stats *s, char *buf, size_t size)
{
	snprintf(
	    buf, size,
	    "db %s; %zu collectors; %.0f values/s; %llu batches committed, %llu rejected rows, "
	    "%llu pending",
	    s->db_up ? "up" : "DOWN", s->npeers, s->rows_per_s,
	    (unsigned long long)s->batches_committed, (unsigned long long)s->rows_rejected,
	    (unsigned long long)s->pending_rows);
}

char *stats_json(const struct stats *s, int64_t now, int64_t connected_window_s)
{
	json_t *root = json_object(), *peers = json_array(), *reasons = json_object();
	size_t connected = 0;
	char *text = NULL;

	if (!root || !peers || !reasons)
		goto done;
	for (size_t i = 0; i < s->npeers; i++) {
		const struct peer_stat *p = &s->peers[i];
		bool on = now - p->last_seen <= connected_window_s;
		connected += on;
		json_array_append_new(
		    peers,
		    json_pack("{s:s, s:I, s:b, s:I, s:I, s:I, s:I, s:I, s:I}", "name", p->name,
			      "last_seen", (json_int_t)p->last_seen, "connected", on,
			      "backlog_batches", (json_int_t)p->backlog_batches, "backlog_rows",
			      (json_int_t)p->backlog_rows, "oldest_age_s",
			      (json_int_t)p->oldest_age_s, "batches", (json_int_t)p->batches,
			      "rows", (json_int_t)p->rows, "rejected", (json_int_t)p->rejected));
	}
	for (size_t i = 0; i < s->nreasons; i++)
		json_object_set_new(reasons, s->reasons[i].code,
				    json_integer((json_int_t)s->reasons[i].count));
	json_object_set_new(root, "version", json_string(CHISO_VERSION));
	json_object_set_new(root, "started", json_integer(s->started));
	json_object_set_new(root, "updated", json_integer(now));
	json_object_set_new(root, "db", json_string(s->db_up ? "up" : "down"));
	json_object_set_new(root, "db_error", json_string(s->db_error));
	json_object_set_new(root, "collectors_enrolled",
			    json_integer((json_int_t)s->collectors_enrolled));
	json_object_set_new(root, "collectors_connected", json_integer((json_int_t)connected));
	json_object_set_new(root, "batches_received",
			    json_integer((json_int_t)s->batches_received));
	json_object_set_new(root, "rows_received", json_integer((json_int_t)s->rows_received));
	json_object_set_new(root, "batches_committed",
			    json_integer((json_int_t)s->batches_committed));
	json_object_set_new(root, "batches_duplicate",
			    json_integer((json_int_t)s->batches_duplicate));
	json_object_set_new(root, "batches_key_reused",
			    json_integer((json_int_t)s->batches_key_reused));
	json_object_set_new(root, "rows_accepted", json_integer((json_int_t)s->rows_accepted));
	json_object_set_new(root, "rows_rejected", json_integer((json_int_t)s->rows_rejected));
	json_object_set_new(root, "retries", json_integer((json_int_t)s->retries));
	json_object_set_new(root, "bad_messages", json_integer((json_int_t)s->bad_messages));
	json_object_set_new(root, "replies_lost", json_integer((json_int_t)s->replies_lost));
	json_object_set_new(root, "commits", json_integer((json_int_t)s->commits));
	json_object_set_new(root, "last_commit", json_integer(s->last_commit));
	json_object_set_new(root, "pending_rows", json_integer((json_int_t)s->pending_rows));
	json_object_set_new(root, "commit_cap_rows", json_integer((json_int_t)s->commit_cap_rows));
	json_object_set_new(root, "commit_timeouts", json_integer((json_int_t)s->commit_timeouts));
	json_object_set_new(root, "commit_target_ms",
			    json_integer((json_int_t)s->commit_target_ms));
	json_object_set_new(root, "db_connect_failures",
			    json_integer((json_int_t)s->db_connect_failures));
	json_object_set_new(root, "accept_failures", json_integer((json_int_t)s->accept_failures));
	json_object_set_new(root, "zap_accepted", json_integer((json_int_t)s->zap_accepted));
	json_object_set_new(root, "zap_refused", json_integer((json_int_t)s->zap_refused));
	json_object_set_new(root, "zap_parked", json_integer((json_int_t)s->zap_parked));
	json_object_set_new(root, "zap_admitted_after_read",
			    json_integer((json_int_t)s->zap_admitted_after_read));
	json_object_set_new(root, "zap_refused_after_read",
			    json_integer((json_int_t)s->zap_refused_after_read));
	json_object_set_new(root, "batches_per_s", json_real(s->batches_per_s));
	json_object_set_new(root, "rows_per_s", json_real(s->rows_per_s));
	json_object_set_new(root, "rejections_by_reason", reasons);
	reasons = NULL;
	json_object_set_new(root, "collectors", peers);
	peers = NULL;
	text = json_dumps(root, JSON_COMPACT);
done:
	json_decref(root);
	json_decref(peers);
	json_decref(reasons);
	return text;
}
