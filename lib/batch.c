/*
 * batch: encode and decode the BATCH and ACK bodies of protocol version 1.
 *
 * The batch decoder has two ways to fail.  Whatever makes the body unusable as
 * a batch (bad JSON, no epoch, no rows, too many rows) fails it whole, and the
 * sender gets an ERROR.  A malformed row only marks that row with a reason
 * code and a message naming the field: the daemon stores it as a rejection,
 * the other rows go on, and the decoder never drops or reorders rows.
 *
 * Values arrive as JSON numbers and leave as canonical decimal text (struct
 * num): at most 15 significant digits, no exponent, no trailing fractional
 * zeros, so that the text survives a double and PostgreSQL's numeric exactly.
 * The rule is applied to the literal as written (num_json_literal), which
 * jscan finds in the body: jansson's double would have rounded it.
 */
#include "batch.h"

#include <assert.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include "jscan.h"
#include "utf8.h"

/* The start of the whole-batch error that maps to ERROR too_many_rows. */
#define BATCH_TOO_MANY_ROWS "too many rows"
/* Integers up to 2^53 are exact in a double and in every JSON reader. */
#define BATCH_EXACT_LIMIT 9007199254740992.0
#define BATCH_SIG_DIGITS  15
#define BATCH_ERR_MAX	  256

static const char *const batch_qualifiers[] = {[QUAL_NONE] = "",
					       [QUAL_AT_LEAST] = "at_least",
					       [QUAL_AT_MOST] = "at_most",
					       [QUAL_ABOUT] = "about"};
#define BATCH_NQUALIFIERS (sizeof batch_qualifiers / sizeof batch_qualifiers[0])

const char *batch_qualifier_name(enum qualifier q)
{
	if ((size_t)q >= BATCH_NQUALIFIERS)
		return "";
	return batch_qualifiers[q];
}

int batch_qualifier_parse(const char *s)
{
	for (size_t i = QUAL_AT_LEAST; i < BATCH_NQUALIFIERS; i++)
		if (strcmp(s, batch_qualifiers[i]) == 0)
			return (int)i;
	return -1;
}

enum wire_error_code batch_error_code(const char *err)
{
	if (err && strncmp(err, BATCH_TOO_MANY_ROWS, strlen(BATCH_TOO_MANY_ROWS)) == 0)
		return WIRE_ERR_TOO_MANY_ROWS;
	return WIRE_ERR_BAD_BODY;
}

struct batch *batch_new(size_t nrows)
{
	struct batch *b = calloc(1, sizeof *b);

	if (!b)
		return NULL;
	if (nrows > 0) {
		b->rows = calloc(nrows, sizeof *b->rows);
		if (!b->rows) {
			free(b);
			return NULL;
		}
	}
	b->nrows = nrows;
	return b;
}

void batch_destroy(struct batch **bp)
{
	if (!bp || !*bp)
		return;
	free((*bp)->rows);
	free(*bp);
	*bp = NULL;
}

/* Marks row i refused unless an earlier field already did. */
static void batch_row_fail(struct batch_row *r, size_t i, const char *reason, const char *detail)
{
	if (r->reason)
		return;
	r->reason = reason;
	wire_errorf(r->message, sizeof r->message, "row %zu: %s", i, detail);
}

static bool batch_all_of(const char *s, const char *set)
{
	return s[strspn(s, set)] == '\0';
}

static bool batch_date_shape(const char *s)
{
	static const char shape[] = "dddd-dd-dd";

	if (strlen(s) != sizeof shape - 1)
		return false;
	for (size_t i = 0; shape[i]; i++)
		if (shape[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != '-')
			return false;
	return true;
}

size_t batch_note_control(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s), n;
	uint32_t cp;

	/* The set log lines escape and quotes replace: besides the C0 and C1 controls, a
	 * line separator or a bidirectional override would make a note read as something
	 * else.  A byte that starts no character is refused the same way. */
	for (size_t i = 0; i < len; i += n)
		if ((n = utf8_char_len(p + i, len - i, &cp)) == 0 || utf8_unsafe(cp))
			return i;
	return SIZE_MAX;
}

/* The period or the date of a row, exactly one of them. */
static void batch_row_when(json_t *o, size_t i, struct batch_row *r)
{
	bool has_period = json_object_get(o, "period") != NULL;
	bool has_date = json_object_get(o, "date") != NULL;
	char e[BATCH_ERR_MAX];

	if (has_period && has_date) {
		batch_row_fail(r, i, "bad_row",
			       "fields \"period\" and \"date\" exclude each other");
	} else if (has_period) {
		if (wire_json_str(o, "period", true, 1, BATCH_PERIOD_MAX, NULL, r->period,
				  sizeof r->period, e, sizeof e))
			batch_row_fail(r, i, "bad_row", e);
	} else if (has_date) {
		if (wire_json_str(o, "date", true, 1, sizeof r->date - 1, "a date \"YYYY-MM-DD\"",
				  r->date, sizeof r->date, e, sizeof e)) {
			batch_row_fail(r, i, "bad_row", e);
		} else if (!batch_date_shape(r->date)) {
			/* A date written otherwise is a bad date, as an impossible one is
			   (job_prepare); a date that is no string is a bad row. */
			wire_errorf(e, sizeof e,
				    "field \"date\": expected \"YYYY-MM-DD\", got \"%s\"", r->date);
			batch_row_fail(r, i, "bad_date", e);
		}
	} else {
		batch_row_fail(r, i, "bad_row", "missing field \"period\" (or \"date\")");
	}
}

/* The literal text of row i's value in the body; len 0 if none was found. */
struct batch_literal {
	const char *text;
	size_t len;
};

/*
 * The value v of row i, under the number rule applied to its literal as
 * written.  A value refused is kept as sent in r->value_sent.
 */
static void batch_row_value(json_t *v, const struct batch_literal *lit, size_t i,
			    struct batch_row *r)
{
	char e[BATCH_ERR_MAX];
	const char *why;

	if (!json_is_number(v)) {
		char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		if (text)
			wire_utf8_copy(r->value_sent, sizeof r->value_sent, text, strlen(text));
		free(text);
		wire_errorf(e, sizeof e, "field \"value\": expected a number, got %s",
			    wire_json_kind(v));
		batch_row_fail(r, i, "bad_value", e);
		return;
	}
	if (lit->len == 0) {
		/* jansson took a number jscan did not find: never seen, but refused, not
		   guessed from a double. */
		batch_row_fail(r, i, "bad_value", "field \"value\": the number could not be read");
		return;
	}
	if (num_json_literal(lit->text, lit->len, &r->value, &why) == 0)
		return;
	wire_utf8_copy(r->value_sent, sizeof r->value_sent, lit->text, lit->len);
	wire_errorf(e, sizeof e, "field \"value\": %s%s is refused: %s", r->value_sent,
		    lit->len > BATCH_SENT_MAX ? "..." : "", why);
	batch_row_fail(r, i, "bad_value", e);
}

/*
 * Reads row i into *r.  Every field is read even after a failure so that the
 * rejection keeps as much of the row as could be read; the first failure wins.
 */
static void batch_row_decode(json_t *o, size_t i, const struct batch_literal *lit,
			     struct batch_row *r)
{
	static const char *const names[] = {"unit",	 "indicator", "period", "date", "value",
					    "qualifier", "ref",	      "note",	NULL};
	char e[BATCH_ERR_MAX];

	if (!json_is_object(o)) {
		wire_errorf(e, sizeof e, "expected an object, got %s", wire_json_kind(o));
		batch_row_fail(r, i, "bad_row", e);
		return;
	}
	if (wire_json_known(o, names, e, sizeof e))
		batch_row_fail(r, i, "bad_row", e);

	if (wire_json_str(o, "unit", true, 1, BATCH_UNIT_MAX, "a string of digits", r->unit,
			  sizeof r->unit, e, sizeof e)) {
		batch_row_fail(r, i, "bad_row", e);
	} else if (!batch_all_of(r->unit, "0123456789")) {
		wire_errorf(e, sizeof e, "field \"unit\": expected a string of digits, got \"%s\"",
			    r->unit);
		batch_row_fail(r, i, "bad_row", e);
	}

	if (wire_json_str(o, "indicator", true, 1, BATCH_INDICATOR_MAX, NULL, r->indicator,
			  sizeof r->indicator, e, sizeof e)) {
		batch_row_fail(r, i, "bad_row", e);
	} else if (!batch_all_of(r->indicator, "abcdefghijklmnopqrstuvwxyz0123456789_")) {
		wire_errorf(e, sizeof e,
			    "field \"indicator\": expected a code of a-z, 0-9 and _, got \"%s\"",
			    r->indicator);
		batch_row_fail(r, i, "bad_row", e);
	}

	batch_row_when(o, i, r);

	json_t *q = json_object_get(o, "qualifier");
	if (q) {
		int qual = json_is_string(q) ? batch_qualifier_parse(json_string_value(q)) : -1;
		if (qual < 0)
			batch_row_fail(r, i, "bad_row",
				       "field \"qualifier\": expected \"at_least\", \"at_most\" or "
				       "\"about\"");
		else
			r->qualifier = (enum qualifier)qual;
	}

	if (wire_json_str(o, "ref", false, 0, BATCH_REF_MAX, NULL, r->ref, sizeof r->ref, e,
			  sizeof e))
		batch_row_fail(r, i, "bad_row", e);

	/* A note is stored and shown to people: no control characters (a newline or an
	 * escape sequence would forge lines in what they read). */
	size_t at;
	if (wire_json_str(o, "note", false, 0, BATCH_NOTE_MAX, NULL, r->note, sizeof r->note, e,
			  sizeof e)) {
		batch_row_fail(r, i, "bad_row", e);
	} else if ((at = batch_note_control(r->note)) != SIZE_MAX) {
		wire_errorf(e, sizeof e, "field \"note\": control character at byte %zu", at);
		batch_row_fail(r, i, "bad_row", e); /* kept as sent, like every refused field */
	}

	json_t *v = json_object_get(o, "value");
	if (!v) {
		/* Missing is the row's shape, like any missing field: bad_value is
		   for a value sent and not acceptable. */
		batch_row_fail(r, i, "bad_row", "missing field \"value\"");
	} else {
		batch_row_value(v, lit, i, r);
	}
}

struct batch_decoding {
	const struct wire_limits *lim;
	const char *body; /* what jansson parsed, for the values' literals */
	size_t len;
	struct batch *b;
};

static int batch_fields(json_t *o, void *ctx, char *err, size_t errsize)
{
	static const char *const names[] = {"epoch", "seq", "rows", NULL};
	struct batch_decoding *d = ctx;
	uint64_t epoch, seq;

	if (wire_json_known(o, names, err, errsize) ||
	    wire_json_uint(o, "epoch", true, 1, INT64_MAX, &epoch, err, errsize) ||
	    wire_json_uint(o, "seq", true, 1, INT64_MAX, &seq, err, errsize))
		return -1;
	json_t *rows = json_object_get(o, "rows");
	if (!rows) {
		wire_errorf(err, errsize, "missing field \"rows\"");
		return -1;
	}
	if (!json_is_array(rows)) {
		wire_errorf(err, errsize, "field \"rows\": expected an array, got %s",
			    wire_json_kind(rows));
		return -1;
	}
	size_t n = json_array_size(rows);
	if (n == 0) {
		wire_errorf(err, errsize, "field \"rows\": empty batch");
		return -1;
	}
	if (n > d->lim->max_rows) {
		wire_errorf(err, errsize, BATCH_TOO_MANY_ROWS ": %zu, limit %zu", n,
			    d->lim->max_rows);
		return -1;
	}
	d->b = batch_new(n);
	if (!d->b) {
		wire_errorf(err, errsize, "out of memory for %zu rows", n);
		return -1;
	}
	d->b->epoch = epoch;
	d->b->seq = seq;
	struct jscan_span *spans = calloc(n, sizeof *spans);
	if (!spans) {
		wire_errorf(err, errsize, "out of memory for %zu rows", n);
		return -1;
	}
	/* jansson accepted the body, so the scan finds the same n rows; if it
	   did not, every value reads as not found and is refused, not guessed. */
	if (jscan_row_values(d->body, d->len, spans, n) != (long)n)
		memset(spans, 0, n * sizeof *spans);
	for (size_t i = 0; i < n; i++) {
		struct batch_literal lit = {d->body + spans[i].off, spans[i].len};
		batch_row_decode(json_array_get(rows, i), i, &lit, &d->b->rows[i]);
	}
	free(spans);
	return 0;
}

int batch_decode(const char *body, size_t len, const struct wire_limits *lim, struct batch **out,
		 char *err, size_t errsize)
{
	struct batch_decoding d = {.lim = lim ? lim : &wire_default_limits,
				   .body = body ? body : "",
				   .len = len,
				   .b = NULL};

	*out = NULL;
	if (wire_decode_object(body, len, d.lim, batch_fields, &d, err, errsize) < 0) {
		batch_destroy(&d.b);
		return -1;
	}
	*out = d.b;
	return 0;
}

/* A fixed string field as JSON: bounded, valid UTF-8. */
static json_t *batch_string(const char *field, size_t fieldsize)
{
	char buf[BATCH_MESSAGE_MAX + 1];
	size_t cap = fieldsize < sizeof buf ? fieldsize : sizeof buf;

	wire_utf8_copy(buf, cap, field, strnlen(field, fieldsize));
	return json_string(buf);
}

static json_t *batch_integer(uint64_t v)
{
	return json_integer(v > INT64_MAX ? INT64_MAX : (json_int_t)v);
}

/* The canonical text's value, as an integer when every reader keeps it exact. */
static json_t *batch_value_json(const struct num *n)
{
	double d = n->text[0] ? strtod(n->text, NULL) : n->value;

	if (n->integer && fabs(d) < BATCH_EXACT_LIMIT)
		return json_integer((json_int_t)d);
	return json_real(d); /* NULL if not finite: the encoding fails */
}

/* Sets obj[key] = v (stolen); a NULL v fails the encoding. */
static int batch_put(json_t *obj, const char *key, json_t *v)
{
	return v ? json_object_set_new(obj, key, v) : -1;
}

static json_t *batch_row_json(const struct batch_row *r)
{
	json_t *o = json_object();
	int bad = !o;

	bad = bad || batch_put(o, "unit", batch_string(r->unit, sizeof r->unit));
	bad = bad || batch_put(o, "indicator", batch_string(r->indicator, sizeof r->indicator));
	if (r->date[0] && !r->period[0])
		bad = bad || batch_put(o, "date", batch_string(r->date, sizeof r->date));
	else
		bad = bad || batch_put(o, "period", batch_string(r->period, sizeof r->period));
	bad = bad || batch_put(o, "value", batch_value_json(&r->value));
	if (r->qualifier != QUAL_NONE)
		bad = bad ||
		      batch_put(o, "qualifier", json_string(batch_qualifier_name(r->qualifier)));
	if (r->ref[0])
		bad = bad || batch_put(o, "ref", batch_string(r->ref, sizeof r->ref));
	if (r->note[0])
		bad = bad || batch_put(o, "note", batch_string(r->note, sizeof r->note));
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* Dumps obj (reals with 15 digits: the canonical text) and releases it. */
static char *batch_dump(json_t *obj, int failed)
{
	char *text = NULL;

	if (obj && !failed)
		text = json_dumps(obj, JSON_COMPACT | JSON_REAL_PRECISION(BATCH_SIG_DIGITS));
	json_decref(obj);
	return text;
}

size_t batch_row_size(const struct batch_row *r)
{
	json_t *o = batch_row_json(r);
	char *text = NULL;
	size_t n = 0;

	/* The same flags as batch_dump: a row is written alike alone and in a batch. */
	if (o)
		text = json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(BATCH_SIG_DIGITS));
	if (text)
		n = strlen(text);
	free(text);
	json_decref(o);
	return n;
}

char *batch_encode(const struct batch *b)
{
	json_t *o = json_object(), *rows = json_array();
	int bad = !o || !rows;

	for (size_t i = 0; !bad && i < b->nrows; i++) {
		json_t *r = batch_row_json(&b->rows[i]);
		bad = !r || json_array_append_new(rows, r);
	}
	bad = bad || batch_put(o, "epoch", batch_integer(b->epoch));
	bad = bad || batch_put(o, "seq", batch_integer(b->seq));
	bad = bad || json_object_set(o, "rows", rows);
	json_decref(rows);
	return batch_dump(o, bad);
}

void batch_ack_clear(struct batch_ack *a)
{
	free(a->rejected);
	free(a->flagged);
	a->rejected = a->flagged = NULL;
	a->nrejected = a->nflagged = 0;
}

static int batch_verdict_cmp(const void *x, const void *y)
{
	const struct batch_verdict *a = x, *b = y;

	if (a->row != b->row)
		return a->row < b->row ? -1 : 1;
	int c = strcmp(a->code, b->code);
	return c ? c : strcmp(a->message, b->message);
}

/* true if row is among the n verdicts of v, sorted by row. */
static bool batch_verdict_has(const struct batch_verdict *v, size_t n, uint32_t row)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (v[mid].row < row)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && v[lo].row == row;
}

void batch_ack_sort(struct batch_ack *a)
{
	size_t keep = 0;

	/* The verdicts come from SQL in no promised order; the agent and a second
	   implementation are promised one. */
	if (a->nrejected > 1)
		qsort(a->rejected, a->nrejected, sizeof *a->rejected, batch_verdict_cmp);
	for (size_t i = 0; i < a->nrejected; i++)
		if (keep == 0 || a->rejected[keep - 1].row != a->rejected[i].row)
			a->rejected[keep++] = a->rejected[i];
	a->nrejected = keep;
	if (a->nflagged > 1)
		qsort(a->flagged, a->nflagged, sizeof *a->flagged, batch_verdict_cmp);
	keep = 0;
	for (size_t i = 0; i < a->nflagged; i++)
		if (!batch_verdict_has(a->rejected, a->nrejected, a->flagged[i].row))
			a->flagged[keep++] = a->flagged[i];
	a->nflagged = keep;
}

static json_t *batch_verdicts_json(const struct batch_verdict *v, size_t n)
{
	json_t *arr = json_array();
	int bad = !arr;

	for (size_t i = 0; !bad && i < n; i++) {
		json_t *o = json_object();
		bad = !o;
		bad = bad || batch_put(o, "row", json_integer(v[i].row));
		bad = bad || batch_put(o, "code", batch_string(v[i].code, sizeof v[i].code));
		bad =
		    bad || batch_put(o, "message", batch_string(v[i].message, sizeof v[i].message));
		bad = bad || json_array_append(arr, o);
		json_decref(o);
	}
	if (bad) {
		json_decref(arr);
		return NULL;
	}
	return arr;
}

static const char *const batch_ack_statuses[] = {
    [ACK_COMMITTED] = "committed",
    [ACK_DUPLICATE] = "duplicate",
    [ACK_KEY_REUSED] = "key_reused",
};

const char *batch_ack_status_name(enum ack_status s)
{
	assert((size_t)s < sizeof batch_ack_statuses / sizeof batch_ack_statuses[0]);
	return batch_ack_statuses[s];
}

const char *const batch_row_codes[] = {
    /* the decoder (this file) and job_prepare */
    "bad_row", "bad_value", "bad_date", "bad_period", "unknown_indicator",
    /* ingest() in sql/R_20_ingest.sql and R_25_ingest_checks.sql, in the order it checks */
    "collector_revoked", "computed_indicator", "period_type_not_allowed", "future_period",
    "unit_retired", "unknown_unit", "unit_out_of_scope", "level_not_allowed", "period_locked",
    "not_integer", "negative_value", "out_of_bounds", "numerator_exceeds_denominator",
    /* a key committed with other rows: the batch's one verdict */
    "key_reused", NULL};

const char *const batch_flag_codes[] = {"superseded", "sum_mismatch", "outlier", NULL};

char *batch_ack_encode(const struct batch_ack *a)
{
	json_t *o = json_object();
	int bad = !o;

	bad = bad || batch_put(o, "epoch", batch_integer(a->epoch));
	bad = bad || batch_put(o, "seq", batch_integer(a->seq));
	bad = bad || batch_put(o, "status", json_string(batch_ack_status_name(a->status)));
	bad = bad || batch_put(o, "accepted", batch_integer(a->accepted));
	bad = bad || batch_put(o, "rejected", batch_verdicts_json(a->rejected, a->nrejected));
	bad = bad || batch_put(o, "flagged", batch_verdicts_json(a->flagged, a->nflagged));
	return batch_dump(o, bad);
}

static int batch_verdict_fields(json_t *o, struct batch_verdict *v, char *err, size_t errsize)
{
	static const char *const names[] = {"row", "code", "message", NULL};
	uint64_t row;

	if (!json_is_object(o)) {
		wire_errorf(err, errsize, "expected an object, got %s", wire_json_kind(o));
		return -1;
	}
	if (wire_json_known(o, names, err, errsize) ||
	    wire_json_uint(o, "row", true, 0, UINT32_MAX, &row, err, errsize) ||
	    wire_json_str(o, "code", true, 1, BATCH_CODE_MAX, NULL, v->code, sizeof v->code, err,
			  errsize) ||
	    wire_json_str(o, "message", true, 0, BATCH_MESSAGE_MAX, NULL, v->message,
			  sizeof v->message, err, errsize))
		return -1;
	v->row = (uint32_t)row;
	return 0;
}

/* Reads the verdict array obj[key] into a new array; 0, or -1 with err. */
static int batch_verdicts(json_t *obj, const char *key, size_t max, struct batch_verdict **out,
			  size_t *nout, char *err, size_t errsize)
{
	json_t *arr = json_object_get(obj, key);
	char e[BATCH_ERR_MAX];

	if (!arr) {
		wire_errorf(err, errsize, "missing field \"%s\"", key);
		return -1;
	}
	if (!json_is_array(arr)) {
		wire_errorf(err, errsize, "field \"%s\": expected an array, got %s", key,
			    wire_json_kind(arr));
		return -1;
	}
	size_t n = json_array_size(arr);
	if (n > max) {
		wire_errorf(err, errsize, "field \"%s\": %zu verdicts, limit %zu", key, n, max);
		return -1;
	}
	if (n == 0)
		return 0;
	*out = calloc(n, sizeof **out);
	if (!*out) {
		wire_errorf(err, errsize, "out of memory for %zu verdicts", n);
		return -1;
	}
	*nout = n;
	for (size_t i = 0; i < n; i++) {
		if (batch_verdict_fields(json_array_get(arr, i), &(*out)[i], e, sizeof e)) {
			wire_errorf(err, errsize, "%s[%zu]: %s", key, i, e);
			return -1;
		}
	}
	return 0;
}

struct batch_ack_decoding {
	const struct wire_limits *lim;
	struct batch_ack *a;
};

static int batch_ack_fields(json_t *o, void *ctx, char *err, size_t errsize)
{
	static const char *const names[] = {"epoch",	"seq",	   "status", "accepted",
					    "rejected", "flagged", NULL};
	struct batch_ack_decoding *d = ctx;
	struct batch_ack *a = d->a;
	char status[16] = "";

	if (wire_json_known(o, names, err, errsize) ||
	    wire_json_uint(o, "epoch", true, 1, INT64_MAX, &a->epoch, err, errsize) ||
	    wire_json_uint(o, "seq", true, 1, INT64_MAX, &a->seq, err, errsize))
		return -1;
	json_t *s = json_object_get(o, "status");
	if (s && json_is_string(s) && strlen(json_string_value(s)) < sizeof status)
		snprintf(status, sizeof status, "%s", json_string_value(s));
	size_t k = 0, nk = sizeof batch_ack_statuses / sizeof batch_ack_statuses[0];
	while (k < nk && strcmp(status, batch_ack_statuses[k]) != 0)
		k++;
	if (k == nk) {
		wire_errorf(err, errsize,
			    s ? "field \"status\": expected \"committed\", \"duplicate\" or "
				"\"key_reused\""
			      : "missing field \"status\"");
		return -1;
	}
	a->status = (enum ack_status)k;
	if (wire_json_uint(o, "accepted", true, 0, INT64_MAX, &a->accepted, err, errsize) ||
	    batch_verdicts(o, "rejected", d->lim->max_rows, &a->rejected, &a->nrejected, err,
			   errsize) ||
	    batch_verdicts(o, "flagged", d->lim->max_rows, &a->flagged, &a->nflagged, err, errsize))
		return -1;
	return 0;
}

int batch_ack_decode(const char *body, size_t len, const struct wire_limits *lim,
		     struct batch_ack *a, char *err, size_t errsize)
{
	struct batch_ack_decoding d = {.lim = lim ? lim : &wire_default_limits, .a = a};

	memset(a, 0, sizeof *a);
	if (wire_decode_object(body, len, d.lim, batch_ack_fields, &d, err, errsize) < 0) {
		batch_ack_clear(a);
		return -1;
	}
	return 0;
}
