/*
 * batch: the BATCH and ACK bodies of protocol version 1.
 *
 *   BATCH {"epoch":1732000000,"seq":7,"rows":[
 *            {"unit":"21298","indicator":"internet_users","period":"2024",
 *             "value":264,"ref":"sonnham.csv:12"},
 *            {"unit":"21298","indicator":"digital_skills_learners","period":"2024",
 *             "value":2000,"qualifier":"at_least","note":"ước tính"},
 *            {"unit":"536","indicator":"dossiers_received","date":"2024-06-10",
 *             "value":3380}]}
 *   ACK   {"epoch":1732000000,"seq":7,"status":"committed","accepted":2,
 *          "rejected":[{"row":2,"code":"unit_out_of_scope","message":"..."}],
 *          "flagged":[]}
 *
 * Decoding a batch separates two kinds of failure.  A body that is not a batch
 * (not JSON, no epoch, too many rows) fails whole.  A row that is malformed
 * (a string where a number belongs, a field too long, an unknown field) is kept
 * with a reason code so the daemon can store it as a rejection and the sender
 * learns which row was wrong; the other rows go on.
 */
#ifndef CHISO_BATCH_H
#define CHISO_BATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "num.h"
#include "wire.h"

#define BATCH_UNIT_MAX	    16
#define BATCH_INDICATOR_MAX 64
#define BATCH_PERIOD_MAX    16
#define BATCH_REF_MAX	    128
#define BATCH_NOTE_MAX	    240 /* bytes of UTF-8: about 80 Vietnamese words' letters */
#define BATCH_MESSAGE_MAX   240
#define BATCH_CODE_MAX	    32
#define BATCH_SENT_MAX	    64 /* bytes of a refused value kept as sent */

enum qualifier {
	QUAL_NONE,
	QUAL_AT_LEAST, /* "hơn 2000": a lower bound */
	QUAL_AT_MOST,
	QUAL_ABOUT, /* "khoảng 4000": an estimate */
};

struct batch_row {
	char unit[BATCH_UNIT_MAX + 1];
	char indicator[BATCH_INDICATOR_MAX + 1];
	char period[BATCH_PERIOD_MAX + 1]; /* empty when a date was sent instead */
	char date[11];			   /* "YYYY-MM-DD", empty when a period was sent */
	struct num value; /* value.text canonical decimal, no exponent; value = strtod(text) */
	/*
	 * A value that was sent and refused, as sent: a number's literal ("1e+16"),
	 * another type's compact JSON ("\"264\"", "null"), cut at BATCH_SENT_MAX
	 * bytes on a UTF-8 boundary; "" when the value is acceptable or missing.
	 */
	char value_sent[BATCH_SENT_MAX + 1];
	enum qualifier qualifier;
	char ref[BATCH_REF_MAX + 1];   /* where the row came from, for people: "file.csv:12" */
	char note[BATCH_NOTE_MAX + 1]; /* the officer's remark on the value, "" if none */
	/*
	 * Set by the decoder (or later by validation) when the row is refused.  The
	 * decoder still fills every field it could read, for the rejection record.
	 */
	const char *reason;		     /* static reason code, NULL if fine */
	char message[BATCH_MESSAGE_MAX + 1]; /* human message naming the field */
};

struct batch {
	uint64_t epoch;
	uint64_t seq;
	size_t nrows;
	struct batch_row *rows;
};

/* One rejected or flagged row in an ACK. */
struct batch_verdict {
	uint32_t row; /* 0-based index in the batch */
	char code[BATCH_CODE_MAX + 1];
	char message[BATCH_MESSAGE_MAX + 1];
};

enum ack_status {
	ACK_COMMITTED,	/* written in this commit */
	ACK_DUPLICATE,	/* the batch key was already committed: nothing written again */
	ACK_KEY_REUSED, /* the key was committed with other rows: refused whole, nothing
			   written; the one verdict (row 0, key_reused) says why */
	ACK_NSTATUSES
};

/* The wire name of an ACK status: "committed", "duplicate", "key_reused". */
const char *batch_ack_status_name(enum ack_status s);

/*
 * Every code an ACK may give a rejected row, and a flagged row, NULL-ended:
 * the decoder's (bad_row, bad_value, bad_date), job.c's and ingest()'s in
 * sql/R_20_ingest.sql.  `chisod --codes` lists them; tests/unit/test_batch.c
 * reads those sources so that a code added there and not here fails.
 */
extern const char *const batch_row_codes[];
extern const char *const batch_flag_codes[];

struct batch_ack {
	uint64_t epoch;
	uint64_t seq;
	enum ack_status status;
	uint64_t accepted;
	size_t nrejected;
	struct batch_verdict *rejected;
	size_t nflagged;
	struct batch_verdict *flagged;
};

/* An empty batch with room for nrows rows (zeroed); NULL if out of memory. */
struct batch *batch_new(size_t nrows);
/* Frees the batch and sets *bp to NULL; safe on NULL. */
void batch_destroy(struct batch **bp);
/*
 * The BATCH body; the caller frees it.  NULL if out of memory or a value is
 * not finite.  A row with neither period nor date is sent with "period":"".
 */
char *batch_encode(const struct batch *b);
/*
 * What a BATCH body adds to its rows: the epoch, the seq (each at most 19
 * digits) and the brackets.  A body is at most BATCH_HEAD_MAX plus, for each
 * row, batch_row_size + 1 (the comma).
 */
#define BATCH_HEAD_MAX 80
/* The bytes of r as batch_encode writes it; 0 if it cannot be encoded. */
size_t batch_row_size(const struct batch_row *r);
/*
 * Decodes a BATCH body under the limits.  Returns 0 with *out owned by the
 * caller (rows that failed carry reason and message), or -1 with err filled
 * and *out NULL when the body is not a batch at all.  lim NULL: the defaults.
 */
int batch_decode(const char *body, size_t len, const struct wire_limits *lim, struct batch **out,
		 char *err, size_t errsize);
/* The ERROR code for a batch_decode failure's err: too_many_rows or bad_body. */
enum wire_error_code batch_error_code(const char *err);

/* The byte offset of the first character of a note that utf8_unsafe() refuses, or a
 * byte that starts no UTF-8 character; SIZE_MAX if there is none. */
size_t batch_note_control(const char *s);
/* The wire name of a qualifier: "at_least", ...; "" for QUAL_NONE. */
const char *batch_qualifier_name(enum qualifier q);
/* The qualifier for a wire name, or -1. */
int batch_qualifier_parse(const char *s);

/*
 * Puts an ACK's verdicts in the order the protocol promises: rejected and
 * flagged each by row ascending (then code), a row at most once in rejected
 * (the first kept), and a rejected row never in flagged.
 */
void batch_ack_sort(struct batch_ack *a);
/* Frees the verdict arrays of an ACK (not the struct itself). */
void batch_ack_clear(struct batch_ack *a);
/* The ACK body, strings cut on a UTF-8 boundary; the caller frees it (NULL: no memory). */
char *batch_ack_encode(const struct batch_ack *a);
/*
 * Decodes an ACK body into *a, which is overwritten (clear it first); the
 * arrays are owned by *a.  0, or -1 with err and *a cleared.
 */
int batch_ack_decode(const char *body, size_t len, const struct wire_limits *lim,
		     struct batch_ack *a, char *err, size_t errsize);

#endif
