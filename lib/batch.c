/*
 * batch: BATCH and ACK bodies (see batch.h).
 *
 * A row is decoded field by field into fixed-size members; a row that breaks a
 * rule keeps its place with a reason, so the daemon stores it as a rejection
 * and the sender learns which row and field were wrong.  Only a body that is
 * not a batch at all fails whole.
 */
#include "batch.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const qualifier_names[] = {"", "at_least", "at_most", "about"};

const char *batch_qualifier_name(enum qualifier q)
{
	return (unsigned)q < 4 ? qualifier_names[q] : "";
}

int batch_qualifier_parse(const char *s)
{
	for (int i = 1; i < 4; i++)
		if (strcmp(s, qualifier_names[i]) == 0)
			return i;
	return -1;
}

struct batch *batch_new(size_t nrows)
{
	struct batch *b = calloc(1, sizeof *b);
	if (!b)
		return NULL;
	if (nrows && (b->rows = calloc(nrows, sizeof *b->rows)) == NULL) {
		free(b);
		return NULL;
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

/* Copies at most size-1 bytes of s, cutting on a UTF-8 character boundary. */
static void batch_copy_utf8(char *dst, size_t size, const char *s)
{
	size_t n = strlen(s);
	if (n >= size) {
		n = size - 1;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	}
	memcpy(dst, s, n);
	dst[n] = '\0';
}

static void batch_refuse(struct batch_row *r, const char *reason, size_t row, const char *fmt,
			 const char *a, const char *b)
{
	char msg[BATCH_MESSAGE_MAX * 2];
	char head[32];
	snprintf(head, sizeof head, "row %zu: ", row);
	snprintf(msg, sizeof msg, fmt, a, b);
	if (!r->reason) {
		char full[BATCH_MESSAGE_MAX * 2 + 32];
		snprintf(full, sizeof full, "%s%s", head, msg);
		r->reason = reason;
		batch_copy_utf8(r->message, sizeof r->message, full);
	}
}

static const char *batch_type_name(json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
	case JSON_REAL:
		return "a number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	default:
		return "null";
	}
}

/* A string field of the row: type, length, allowed characters. */
static int batch_string(json_t *obj, const char *key, char *dst, size_t size, const char *allowed,
			bool required, struct batch_row *r, size_t row)
{
	json_t *v = json_object_get(obj, key);
	if (!v) {
		if (required)
			batch_refuse(r, "bad_row", row, "missing field \"%s\"%s", key, "");
		return 0;
	}
	if (!json_is_string(v)) {
		batch_refuse(r, "bad_row", row, "field \"%s\": expected a string, got %s", key,
			     batch_type_name(v));
		return 0;
	}
	const char *s = json_string_value(v);
	size_t n = json_string_length(v);
	if (n == 0 || n >= size) {
		char lim[32];
		snprintf(lim, sizeof lim, "%zu", size - 1);
		batch_refuse(r, "bad_row", row, "field \"%s\": expected 1 to %s bytes", key, lim);
		return 0;
	}
	if (allowed && strspn(s, allowed) != n) {
		batch_refuse(r, "bad_row", row, "field \"%s\": unexpected character in \"%.40s\"",
			     key, s);
		return 0;
	}
	if (memchr(s, '\0', n)) {
		batch_refuse(r, "bad_row", row, "field \"%s\": NUL in string%s", key, "");
		return 0;
	}
	memcpy(dst, s, n + 1);
	return 1;
}

/* The canonical decimal text of a JSON number (no exponent, no trailing zeros). */
static int batch_value(json_t *v, struct num *out)
{
	memset(out, 0, sizeof *out);
	if (json_is_integer(v)) {
		json_int_t i = json_integer_value(v);
		if (i <= -1000000000000000LL || i >= 1000000000000000LL)
			return -1;
		snprintf(out->text, sizeof out->text, "%lld", (long long)i);
		out->integer = true;
		out->value = (double)i;
		return 0;
	}
	double d = json_real_value(v);
	if (!isfinite(d) || fabs(d) >= 1e15)
		return -1;
	char buf[64];
	snprintf(buf, sizeof buf, "%.15g", d);
	if (strchr(buf, 'e') || strchr(buf, 'E')) {
		/* small numbers: write them out in full, 15 significant digits at most */
		int exp10 = (int)floor(log10(fabs(d)));
		int decimals = 14 - exp10;
		if (decimals > 30)
			return -1; /* below 1e-16: no figure is that small */
		snprintf(buf, sizeof buf, "%.*f", decimals, d);
	}
	char *dot = strchr(buf, '.');
	if (dot) {
		char *end = buf + strlen(buf) - 1;
		while (end > dot && *end == '0')
			*end-- = '\0';
		if (end == dot)
			*end = '\0';
	}
	if (strcmp(buf, "-0") == 0)
		strcpy(buf, "0");
	snprintf(out->text, sizeof out->text, "%s", buf);
	out->integer = strchr(out->text, '.') == NULL;
	out->value = d;
	return 0;
}

static void batch_row_decode(json_t *obj, struct batch_row *r, size_t row)
{
	static const char *const known[] = {"unit",  "indicator", "period", "date",
					    "value", "qualifier", "ref"};
	const char *key;
	json_t *v;

	if (!json_is_object(obj)) {
		batch_refuse(r, "bad_row", row, "expected an object, got %s%s",
			     batch_type_name(obj), "");
		return;
	}
	json_object_foreach(obj, key, v)
	{
		size_t i;
		for (i = 0; i < sizeof known / sizeof known[0] && strcmp(key, known[i]) != 0; i++)
			;
		if (i == sizeof known / sizeof known[0]) {
			batch_refuse(r, "bad_row", row, "unknown field \"%.40s\"%s", key, "");
			return;
		}
	}
	batch_string(obj, "unit", r->unit, sizeof r->unit, "0123456789", true, r, row);
	batch_string(obj, "indicator", r->indicator, sizeof r->indicator,
		     "abcdefghijklmnopqrstuvwxyz0123456789_", true, r, row);
	json_t *period = json_object_get(obj, "period"), *date = json_object_get(obj, "date");
	if (period && date)
		batch_refuse(r, "bad_row", row, "give \"period\" or \"date\", not both%s%s", "",
			     "");
	else if (!period && !date)
		batch_refuse(r, "bad_row", row, "missing field \"period\" (or \"date\")%s%s", "",
			     "");
	else if (period)
		batch_string(obj, "period", r->period, sizeof r->period, "0123456789SQW", true, r,
			     row);
	else if (batch_string(obj, "date", r->date, sizeof r->date, "0123456789-", true, r, row) &&
		 (strlen(r->date) != 10 || r->date[4] != '-' || r->date[7] != '-'))
		batch_refuse(r, "bad_date", row,
			     "field \"date\": expected YYYY-MM-DD, got \"%s\"%s", r->date, "");
	char qual[16] = "";
	if (batch_string(obj, "qualifier", qual, sizeof qual, NULL, false, r, row)) {
		int q = batch_qualifier_parse(qual);
		if (q < 0)
			batch_refuse(
			    r, "bad_row", row,
			    "field \"qualifier\": expected at_least, at_most or about, got "
			    "\"%s\"%s",
			    qual, "");
		else
			r->qualifier = (enum qualifier)q;
	}
	batch_string(obj, "ref", r->ref, sizeof r->ref, NULL, false, r, row);
	json_t *value = json_object_get(obj, "value");
	if (!value)
		batch_refuse(r, "bad_row", row, "missing field \"value\"%s%s", "", "");
	else if (!json_is_number(value))
		batch_refuse(r, "bad_value", row, "field \"value\": expected a number, got %s%s",
			     batch_type_name(value), "");
	else if (batch_value(value, &r->value) < 0)
		batch_refuse(r, "bad_value", row,
			     "field \"value\": out of range (at most 15 significant digits)%s%s",
			     "", "");
}

int batch_decode(const char *body, size_t len, const struct wire_limits *lim, struct batch **out,
		 char *err, size_t errsize)
{
	json_t *root = wire_open(body, len, lim, err, errsize), *rows, *v;
	struct batch *b = NULL;
	const char *key;
	int rc = -1;

	*out = NULL;
	if (!root)
		return -1;
	json_object_foreach(root, key, v)
	{
		if (strcmp(key, "epoch") != 0 && strcmp(key, "seq") != 0 &&
		    strcmp(key, "rows") != 0) {
			snprintf(err, errsize, "unknown field \"%.40s\"", key);
			goto done;
		}
	}
	json_t *epoch = json_object_get(root, "epoch"), *seq = json_object_get(root, "seq");
	if (!json_is_integer(epoch) || json_integer_value(epoch) < 1 || !json_is_integer(seq) ||
	    json_integer_value(seq) < 1) {
		snprintf(err, errsize, "\"epoch\" and \"seq\" must be integers from 1 to 2^63-1");
		goto done;
	}
	rows = json_object_get(root, "rows");
	if (!json_is_array(rows) || json_array_size(rows) == 0) {
		snprintf(err, errsize, "\"rows\" must be a non-empty array");
		goto done;
	}
	if (json_array_size(rows) > lim->max_rows) {
		snprintf(err, errsize, "too many rows: %zu, limit %zu", json_array_size(rows),
			 lim->max_rows);
		goto done;
	}
	if ((b = batch_new(json_array_size(rows))) == NULL) {
		snprintf(err, errsize, "out of memory");
		goto done;
	}
	b->epoch = (uint64_t)json_integer_value(epoch);
	b->seq = (uint64_t)json_integer_value(seq);
	size_t i;
	json_array_foreach(rows, i, v) batch_row_decode(v, &b->rows[i], i);
	*out = b;
	b = NULL;
	rc = 0;
done:
	batch_destroy(&b);
	json_decref(root);
	return rc;
}

char *batch_encode(const struct batch *b)
{
	json_t *root = json_pack("{s:I, s:I, s:[]}", "epoch", (json_int_t)b->epoch, "seq",
				 (json_int_t)b->seq, "rows");
	json_t *rows = root ? json_object_get(root, "rows") : NULL;
	char *text = NULL;

	if (!rows)
		goto done;
	for (size_t i = 0; i < b->nrows; i++) {
		const struct batch_row *r = &b->rows[i];
		json_t *row = json_pack("{s:s, s:s}", "unit", r->unit, "indicator", r->indicator);
		if (!row)
			goto done;
		if (r->period[0])
			json_object_set_new(row, "period", json_string(r->period));
		else
			json_object_set_new(row, "date", json_string(r->date));
		if (r->value.integer && fabs(r->value.value) < 9007199254740992.0)
			json_object_set_new(row, "value",
					    json_integer(strtoll(r->value.text, NULL, 10)));
		else
			json_object_set_new(row, "value", json_real(strtod(r->value.text, NULL)));
		if (r->qualifier != QUAL_NONE)
			json_object_set_new(row, "qualifier",
					    json_string(batch_qualifier_name(r->qualifier)));
		if (r->ref[0])
			json_object_set_new(row, "ref", json_string(r->ref));
		json_array_append_new(rows, row);
	}
	text = json_dumps(root, JSON_COMPACT);
done:
	json_decref(root);
	return text;
}

void batch_ack_clear(struct batch_ack *a)
{
	free(a->rejected);
	free(a->flagged);
	a->rejected = a->flagged = NULL;
	a->nrejected = a->nflagged = 0;
}

static json_t *batch_verdicts(const struct batch_verdict *v, size_t n)
{
	json_t *arr = json_array();
	for (size_t i = 0; arr && i < n; i++) {
		char msg[BATCH_MESSAGE_MAX + 1];
		batch_copy_utf8(msg, sizeof msg, v[i].message);
		json_array_append_new(arr, json_pack("{s:I, s:s, s:s}", "row", (json_int_t)v[i].row,
						     "code", v[i].code, "message", msg));
	}
	return arr;
}

char *batch_ack_encode(const struct batch_ack *a)
{
	json_t *root = json_pack("{s:I, s:I, s:s, s:I, s:o, s:o}", "epoch", (json_int_t)a->epoch,
				 "seq", (json_int_t)a->seq, "status",
				 a->status == ACK_DUPLICATE ? "duplicate" : "committed", "accepted",
				 (json_int_t)a->accepted, "rejected",
				 batch_verdicts(a->rejected, a->nrejected), "flagged",
				 batch_verdicts(a->flagged, a->nflagged));
	char *text = root ? json_dumps(root, JSON_COMPACT) : NULL;
	json_decref(root);
	return text;
}

static int batch_verdicts_decode(json_t *arr, const char *name, const struct wire_limits *lim,
				 struct batch_verdict **out, size_t *n, char *err, size_t errsize)
{
	size_t i;
	json_t *v;

	*out = NULL;
	*n = 0;
	if (!json_is_array(arr) || json_array_size(arr) > lim->max_rows) {
		snprintf(err, errsize, "\"%s\" must be an array of at most %zu entries", name,
			 lim->max_rows);
		return -1;
	}
	if (json_array_size(arr) == 0)
		return 0;
	if ((*out = calloc(json_array_size(arr), sizeof **out)) == NULL) {
		snprintf(err, errsize, "out of memory");
		return -1;
	}
	json_array_foreach(arr, i, v)
	{
		json_t *row = json_object_get(v, "row"), *code = json_object_get(v, "code"),
		       *msg = json_object_get(v, "message");
		if (!json_is_object(v) || json_object_size(v) != 3 || !json_is_integer(row) ||
		    json_integer_value(row) < 0 || json_integer_value(row) > 0xffffffffLL ||
		    !json_is_string(code) || json_string_length(code) > BATCH_CODE_MAX ||
		    !json_is_string(msg) || json_string_length(msg) > BATCH_MESSAGE_MAX) {
			snprintf(err, errsize, "\"%s\"[%zu]: expected {row, code, message}", name,
				 i);
			free(*out);
			*out = NULL;
			return -1;
		}
		(*out)[i].row = (uint32_t)json_integer_value(row);
		snprintf((*out)[i].code, sizeof(*out)[i].code, "%s", json_string_value(code));
		snprintf((*out)[i].message, sizeof(*out)[i].message, "%s", json_string_value(msg));
	}
	*n = json_array_size(arr);
	return 0;
}

int batch_ack_decode(const char *body, size_t len, const struct wire_limits *lim,
		     struct batch_ack *a, char *err, size_t errsize)
{
	json_t *root = wire_open(body, len, lim, err, errsize);
	int rc = -1;

	memset(a, 0, sizeof *a);
	if (!root)
		return -1;
	json_t *epoch = json_object_get(root, "epoch"), *seq = json_object_get(root, "seq"),
	       *status = json_object_get(root, "status"),
	       *accepted = json_object_get(root, "accepted");
	if (json_object_size(root) != 6 || !json_is_integer(epoch) || !json_is_integer(seq) ||
	    !json_is_string(status) || !json_is_integer(accepted) ||
	    json_integer_value(accepted) < 0) {
		snprintf(err, errsize,
			 "an ACK has exactly epoch, seq, status, accepted, rejected and flagged");
		goto done;
	}
	if (strcmp(json_string_value(status), "committed") == 0)
		a->status = ACK_COMMITTED;
	else if (strcmp(json_string_value(status), "duplicate") == 0)
		a->status = ACK_DUPLICATE;
	else {
		snprintf(err, errsize, "\"status\" must be committed or duplicate");
		goto done;
	}
	a->epoch = (uint64_t)json_integer_value(epoch);
	a->seq = (uint64_t)json_integer_value(seq);
	a->accepted = (uint64_t)json_integer_value(accepted);
	if (batch_verdicts_decode(json_object_get(root, "rejected"), "rejected", lim, &a->rejected,
				  &a->nrejected, err, errsize) < 0 ||
	    batch_verdicts_decode(json_object_get(root, "flagged"), "flagged", lim, &a->flagged,
				  &a->nflagged, err, errsize) < 0) {
		batch_ack_clear(a);
		goto done;
	}
	rc = 0;
done:
	json_decref(root);
	return rc;
}
