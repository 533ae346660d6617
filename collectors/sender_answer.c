/*
 * sender_answer: what the province answered to a batch (see sender_impl.h):
 * an ACK removes the batch from the outbox once its refused rows are durably
 * in the reject file; a RETRY puts it back after the pause asked for; a key
 * the province already holds under other figures gets the batch a new key.
 */
#include "sender_impl.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include "batch.h"
#include "clock.h"
#include "rejects.h"

/* The body of old under a new key: decoded, re-keyed and encoded again. */
static char *sender_rerender(const struct outbox_record *old, uint64_t epoch, uint64_t seq,
			     void *arg)
{
	struct wire_limits lim = {.max_body = OUTBOX_RECORD_MAX,
				  .max_rows = old->nrows + 1,
				  .max_depth = wire_default_limits.max_depth};
	struct batch *b = NULL;
	char err[256], *body = NULL;

	(void)arg;
	if (batch_decode(old->body, old->body_len, &lim, &b, err, sizeof err) == 0) {
		b->epoch = epoch;
		b->seq = seq;
		body = batch_encode(b);
	} else {
		log_err("batch %llu cannot be read back to re-key it: %s",
			(unsigned long long)old->seq, err);
	}
	batch_destroy(&b);
	return body;
}

/*
 * The province has another batch under this key: this outbox handed the key
 * out twice (its state went back in time).  The record gets a key the
 * province cannot have and is sent again at once; acknowledging it as it was
 * would have lost its figures.
 */
static void sender_rekey(struct sender *s, struct inflight *f, const struct batch_ack *a)
{
	char err[512];
	uint64_t epoch = 0;
	int rc = outbox_rekey(s->ob, f->seq, sender_rerender, NULL, &epoch, err, sizeof err);

	if (rc < 0 || rc == 2) {
		/* Sent again later under its old key, refused again, and re-keyed then. */
		if (rc < 0)
			sender_error(s, LOGL_WARNING,
				     "outbox: cannot re-key a batch the province refused: %s", err);
		else
			log_debug("batch %llu: a submit holds the outbox; re-keyed later",
				  (unsigned long long)f->seq);
		f->not_before_ms = clock_mono_ms() + s->conf->resend_timeout_ms;
	} else if (rc == 0) {
		log_warn("batch %llu: the province already has other figures under key %llu/%llu "
			 "(%s); this outbox's state went back in time (restored, copied or a lost "
			 "write). Sending it again as %llu/%llu",
			 (unsigned long long)f->seq, (unsigned long long)a->epoch,
			 (unsigned long long)a->seq, a->nrejected ? a->rejected[0].message : "",
			 (unsigned long long)epoch, (unsigned long long)f->seq);
		s->st.rekeyed_batches++;
	}
	f->sent_ms = 0;
	f->epoch = 0;
}

/*
 * Keeps batch f in the outbox and in flight, to be sent (and answered)
 * again after agent.resend_timeout_ms: its refused rows could not be written.
 */
static void sender_keep(struct sender *s, struct inflight *f, const char *why)
{
	sender_error(s, LOGL_ERR,
		     "lô %llu: %s; lô này vẫn được giữ trong hàng đợi và sẽ được gửi lại",
		     (unsigned long long)f->seq, why);
	f->blocked = true;
	f->sent_ms = 0;
	f->not_before_ms = clock_mono_ms() + s->conf->resend_timeout_ms;
}

void sender_ack(struct sender *s, const char *body, size_t len)
{
	struct batch_ack a;
	struct outbox_record *rec = NULL;
	struct batch *b = NULL;
	struct inflight *f;
	char err[512], where[4200];

	if (batch_ack_decode(body, len, &s->limits, &a, err, sizeof err) < 0) {
		sender_error(s, LOGL_WARNING, "malformed ACK from the province: %s", err);
		return;
	}
	/* Matched on the whole key: a record may carry an older epoch than the outbox. */
	if ((f = sender_find(s, a.seq)) == NULL || f->epoch != a.epoch) {
		/* An answer to a resend we already settled. */
		batch_ack_clear(&a);
		return;
	}
	if (a.status == ACK_KEY_REUSED) {
		sender_rekey(s, f, &a);
		batch_ack_clear(&a);
		return;
	}
	/*
	 * The refused rows exist nowhere else on this PC: the record leaves the
	 * outbox only once they are durably in the reject file.  If not (a full
	 * disk), it stays, and the resend gets the same answer from chisod, which
	 * answers a duplicate from what it stored.
	 */
	if (a.nrejected > 0) {
		if (outbox_read(s->ob, a.seq, &rec, err, sizeof err) != 0 ||
		    batch_decode(rec->body, rec->body_len, &s->limits, &b, err, sizeof err) != 0) {
			/* Gone, moved to corrupt/, or unreadable for now: never removed here. */
			sender_error(s, LOGL_WARNING, "outbox: %s", err);
			sender_forget(s, a.seq);
			goto done;
		}
		if (rejects_write(rec->source, s->conf->outbox_dir, b, &a, where, sizeof where) <
		    0) {
			sender_keep(s, f, where);
			goto done;
		}
		log_warn("%zu row(s) of batch %llu refused by the province: see %s", a.nrejected,
			 (unsigned long long)a.seq, where);
	}
	for (size_t i = 0; i < a.nflagged; i++)
		log_info("batch %llu row %u: %s: %s", (unsigned long long)a.seq, a.flagged[i].row,
			 a.flagged[i].code, a.flagged[i].message);
	if (outbox_remove(s->ob, a.seq) < 0)
		sender_error(s, LOGL_WARNING, "outbox: cannot remove an acknowledged batch: %s",
			     strerror(errno));
	sender_forget(s, a.seq);
	s->st.last_ack = time(NULL);
	s->st.acked_batches++;
	s->st.acked_rows += a.accepted + a.nrejected;
	s->st.rejected_rows += a.nrejected;
	if (a.status == ACK_DUPLICATE)
		s->st.duplicate_acks++;
	log_info("batch %llu acknowledged%s: %llu accepted, %zu refused", (unsigned long long)a.seq,
		 a.status == ACK_DUPLICATE ? " (already committed)" : "",
		 (unsigned long long)a.accepted, a.nrejected);
	s->next_scan_ms = 0; /* room in the window: look at the outbox again */
done:
	batch_destroy(&b);
	outbox_record_destroy(&rec);
	batch_ack_clear(&a);
}

void sender_retry(struct sender *s, const char *body, size_t len, int64_t now)
{
	struct wire_retry r;
	char err[256];
	struct inflight *f;

	if (wire_retry_decode(body, len, &s->limits, &r, err, sizeof err) < 0) {
		sender_error(s, LOGL_WARNING, "malformed RETRY from the province: %s", err);
		return;
	}
	s->st.retries++;
	if ((f = sender_find(s, r.seq)) != NULL && f->epoch == r.epoch) {
		f->sent_ms = 0;
		f->not_before_ms = now + r.after_ms + sender_jitter(r.after_ms);
		/* said at the 1st, 2nd, 4th, 8th ... retry: a long database outage must not
		 * fill the officer's terminal or the journal */
		if ((s->st.retries & (s->st.retries - 1)) == 0)
			log_info("batch %llu: the province asks to retry (%s; %llu retries so far)",
				 (unsigned long long)r.seq, r.reason,
				 (unsigned long long)s->st.retries);
	}
}
