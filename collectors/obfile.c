/*
 * obfile: formats and strict parsers for the outbox's record and state files
 * (the formats are described in obfile.h).
 *
 * The parsers take bytes that may have been cut short by a power cut or
 * altered by a failing disk: every length is checked before it is used, every
 * field must be exactly where the format puts it, and the first thing wrong
 * is named in the error so that the warning logged for a record moved to
 * corrupt/ tells a person what happened to it.
 */
#include "obfile.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include "outbox_impl.h"

#define NAME_DIGITS   20
#define NAME_SUFFIX   ".batch"
#define STAGED_SUFFIX ".staged"

/* Decimal digits only, no overflow; leading zeros only when allowed (file names). */
static int parse_u64(const char *s, size_t n, int zeros_ok, uint64_t *out)
{
	uint64_t v = 0;

	if (n == 0 || n > NAME_DIGITS || (!zeros_ok && n > 1 && s[0] == '0'))
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		unsigned d = (unsigned)(s[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

static int take_line(const char **p, const char *end, const char **line, size_t *len)
{
	const char *nl = memchr(*p, '\n', (size_t)(end - *p));

	if (nl == NULL)
		return -1;
	*line = *p;
	*len = (size_t)(nl - *p);
	*p = nl + 1;
	return 0;
}

/* Takes the line "key value" with a decimal value. */
static int take_u64(const char **p, const char *end, const char *key, uint64_t *v, char *err,
		    size_t errsize)
{
	size_t klen = strlen(key), len;
	const char *line;

	if (take_line(p, end, &line, &len) != 0) {
		outbox_seterr(err, errsize, "no complete \"%s\" line", key);
		return -1;
	}
	if (len <= klen || memcmp(line, key, klen) != 0 || line[klen] != ' ' ||
	    parse_u64(line + klen + 1, len - klen - 1, 0, v) != 0) {
		outbox_seterr(err, errsize, "bad \"%s\" line", key);
		return -1;
	}
	return 0;
}

void obfile_record_name(char *buf, size_t size, uint64_t seq)
{
	snprintf(buf, size, "%0*" PRIu64 NAME_SUFFIX, NAME_DIGITS, seq);
}

void obfile_staged_name(char *buf, size_t size, uint64_t seq)
{
	snprintf(buf, size, "%0*" PRIu64 STAGED_SUFFIX, NAME_DIGITS, seq);
}

enum obfile_kind obfile_classify(const char *name, uint64_t *seq)
{
	size_t n = strlen(name);

	if (strncmp(name, OBFILE_TMP_PREFIX, strlen(OBFILE_TMP_PREFIX)) == 0)
		return OBFILE_TMP;
	if (n == NAME_DIGITS + strlen(NAME_SUFFIX) &&
	    strcmp(name + NAME_DIGITS, NAME_SUFFIX) == 0 &&
	    parse_u64(name, NAME_DIGITS, 1, seq) == 0 && *seq != 0)
		return OBFILE_RECORD;
	if (n == NAME_DIGITS + strlen(STAGED_SUFFIX) &&
	    strcmp(name + NAME_DIGITS, STAGED_SUFFIX) == 0 &&
	    parse_u64(name, NAME_DIGITS, 1, seq) == 0 && *seq != 0)
		return OBFILE_STAGED;
	return OBFILE_OTHER;
}

size_t obfile_header_format(char *buf, size_t size, uint64_t epoch, uint64_t seq, size_t nrows,
			    int64_t created, const char *source, size_t body_len)
{
	if (source == NULL)
		source = "";
	if (strchr(source, '\n') != NULL || strlen(source) > OUTBOX_SOURCE_MAX)
		return 0;
	int n = snprintf(buf, size,
			 OBFILE_MAGIC "\nepoch %" PRIu64 "\nseq %" PRIu64
				      "\nrows %zu\ncreated %" PRId64 "\nsource %s\nlength %zu\n\n",
			 epoch, seq, nrows, created < 0 ? 0 : created, source, body_len);
	return n < 0 || (size_t)n >= size ? 0 : (size_t)n;
}

void obfile_trailer(char *buf, const char *hdr, size_t hdr_len, const char *body, size_t body_len)
{
	uLong crc = crc32(0L, (const Bytef *)hdr, (uInt)hdr_len);

	crc = crc32(crc, (const Bytef *)body, (uInt)body_len);
	crc = crc32(crc, (const Bytef *)"\n", 1);
	snprintf(buf, OBFILE_TRAILER_LEN + 1, "\ncrc32 %08lx\n", (unsigned long)crc);
}

int obfile_header_parse(const char *buf, size_t n, struct obfile_header *h, char *err,
			size_t errsize)
{
	const char *p = buf, *end = buf + n, *line;
	uint64_t created;
	size_t len;

	if (n == 0) {
		outbox_seterr(err, errsize, "empty file");
		return -1;
	}
	if (take_line(&p, end, &line, &len) != 0 || len != strlen(OBFILE_MAGIC) ||
	    memcmp(line, OBFILE_MAGIC, len) != 0) {
		outbox_seterr(err, errsize, "not an outbox record (first line is not \"%s\")",
			      OBFILE_MAGIC);
		return -1;
	}
	if (take_u64(&p, end, "epoch", &h->epoch, err, errsize) != 0 ||
	    take_u64(&p, end, "seq", &h->seq, err, errsize) != 0 ||
	    take_u64(&p, end, "rows", &h->rows, err, errsize) != 0 ||
	    take_u64(&p, end, "created", &created, err, errsize) != 0)
		return -1;
	if (h->epoch == 0 || created > INT64_MAX) {
		outbox_seterr(err, errsize, "epoch or created out of range");
		return -1;
	}
	h->created = (int64_t)created;
	if (take_line(&p, end, &line, &len) != 0) {
		outbox_seterr(err, errsize, "no complete \"source\" line");
		return -1;
	}
	if (len < 7 || memcmp(line, "source ", 7) != 0 || memchr(line, '\0', len) != NULL) {
		outbox_seterr(err, errsize, "bad \"source\" line");
		return -1;
	}
	h->source = line + 7;
	h->source_len = len - 7;
	if (take_u64(&p, end, "length", &h->length, err, errsize) != 0)
		return -1;
	if (take_line(&p, end, &line, &len) != 0 || len != 0) {
		outbox_seterr(err, errsize, "no blank line after the header");
		return -1;
	}
	h->len = (size_t)(p - buf);
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/*
 * Checks the trailer "\ncrc32 XXXXXXXX\n" at buf + t and its crc over
 * buf[0 .. t + 1), the newline that opens it included: records and the state
 * file end alike.  The caller has made sure that the trailer's bytes exist.
 */
static int trailer_check(const char *buf, size_t t, char *err, size_t errsize)
{
	const char *tr = buf + t;
	uint32_t stored = 0;

	if (memcmp(tr, "\ncrc32 ", 7) != 0 || tr[OBFILE_TRAILER_LEN - 1] != '\n') {
		outbox_seterr(err, errsize, "bad \"crc32\" line");
		return -1;
	}
	for (int i = 0; i < 8; i++) {
		int d = hexval(tr[7 + i]);
		if (d < 0) {
			outbox_seterr(err, errsize, "bad \"crc32\" line");
			return -1;
		}
		stored = stored << 4 | (uint32_t)d;
	}
	uLong crc = crc32(0L, (const Bytef *)buf, (uInt)(t + 1));
	if ((uint32_t)crc != stored) {
		outbox_seterr(err, errsize, "crc32 mismatch (stored %08" PRIx32 ", computed %08lx)",
			      stored, (unsigned long)crc);
		return -1;
	}
	return 0;
}

int obfile_record_parse(const char *buf, size_t size, uint64_t seq, struct obfile_header *h,
			char *err, size_t errsize)
{
	if (obfile_header_parse(buf, size < OBFILE_HEADER_MAX ? size : OBFILE_HEADER_MAX, h, err,
				errsize) != 0)
		return -1;
	if (h->seq != seq) {
		outbox_seterr(err, errsize, "header says seq %" PRIu64 ", file name says %" PRIu64,
			      h->seq, seq);
		return -1;
	}
	/* Checked against the limit first so that the sum cannot overflow. */
	if (h->length > OUTBOX_RECORD_MAX || size - h->len != h->length + OBFILE_TRAILER_LEN) {
		outbox_seterr(err, errsize, "length %" PRIu64 " does not match the file size %zu",
			      h->length, size);
		return -1;
	}
	if (trailer_check(buf, h->len + h->length, err, errsize) != 0)
		return -1;
	return 0;
}

size_t obfile_state_format(char *buf, size_t size, const struct obfile_state *st)
{
	int n = snprintf(buf, size,
			 OBFILE_STATE_MAGIC "\nepoch %" PRIu64 "\nnext_seq %" PRIu64
					    "\nrefused %" PRIu64 "\n",
			 st->epoch, st->next_seq, st->refused);
	size_t len = (size_t)n;

	if (n < 0 || len >= size || st->nfiles > OBFILE_STATE_FILES)
		return 0;
	for (size_t i = 0; i < st->nfiles; i++) {
		const struct outbox_file *f = &st->files[i];
		n = snprintf(buf + len, size - len,
			     "file %016" PRIx64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRId64
			     "\n",
			     f->hash, f->size, f->first, f->last, f->when < 0 ? 0 : f->when);
		if (n < 0 || (size_t)n >= size - len)
			return 0;
		len += (size_t)n;
	}
	/*
	 * The text ends in a newline, which serves as the trailer's first byte:
	 * the crc covers the text as it would a record's header and body.
	 */
	char tr[OBFILE_TRAILER_LEN + 1];
	if (len + OBFILE_TRAILER_LEN - 1 >= size)
		return 0;
	obfile_trailer(tr, buf, len - 1, buf + len - 1, 0);
	memcpy(buf + len, tr + 1, OBFILE_TRAILER_LEN);
	return len + OBFILE_TRAILER_LEN - 1;
}

void obfile_state_add_file(struct obfile_state *st, const struct outbox_file *f)
{
	if (st->nfiles == OBFILE_STATE_FILES) {
		memmove(&st->files[0], &st->files[1],
			(OBFILE_STATE_FILES - 1) * sizeof st->files[0]);
		st->nfiles--;
	}
	st->files[st->nfiles++] = *f;
}

/* One "file HASH SIZE FIRST LAST WHEN" line (without its newline) into f. */
static int parse_file_line(const char *line, size_t len, struct outbox_file *f)
{
	const char *p = line + 5, *end = line + len;
	uint64_t v[4];

	if (len < 5 || memcmp(line, "file ", 5) != 0 || end - p < 17 || p[16] != ' ')
		return -1;
	f->hash = 0;
	for (int i = 0; i < 16; i++) {
		int h = hexval(p[i]);
		if (h < 0)
			return -1;
		f->hash = f->hash << 4 | (uint64_t)h;
	}
	p += 17;
	for (int i = 0; i < 4; i++) {
		const char *sp = memchr(p, ' ', (size_t)(end - p));
		const char *stop = i < 3 ? sp : end;
		if (stop == NULL || (i == 3 && sp != NULL) ||
		    parse_u64(p, (size_t)(stop - p), 0, &v[i]) != 0)
			return -1;
		p = stop + (i < 3);
	}
	if (v[3] > INT64_MAX || v[1] == 0 || v[2] < v[1])
		return -1;
	f->size = v[0];
	f->first = v[1];
	f->last = v[2];
	f->when = (int64_t)v[3];
	return 0;
}

int obfile_state_parse(const char *buf, size_t n, struct obfile_state *st, char *err,
		       size_t errsize)
{
	const char *p = buf, *end = buf + n;
	size_t mlen = strlen(OBFILE_STATE_MAGIC "\n");

	/*
	 * The magic line comes first, so a file cut short anywhere after it is
	 * known to miss its crc; a file without it is one an older agent wrote.
	 */
	st->legacy = n < mlen || memcmp(buf, OBFILE_STATE_MAGIC "\n", mlen) != 0;
	if (!st->legacy) {
		/* The trailer's first byte is the newline that ends the line before it. */
		if (n < mlen + OBFILE_TRAILER_LEN - 1) {
			outbox_seterr(err, errsize, "no complete \"crc32\" line at the end");
			return -1;
		}
		if (trailer_check(buf, n - OBFILE_TRAILER_LEN, err, errsize) != 0)
			return -1;
		p += mlen;
		end -= OBFILE_TRAILER_LEN - 1;
	}

	if (take_u64(&p, end, "epoch", &st->epoch, err, errsize) != 0 ||
	    take_u64(&p, end, "next_seq", &st->next_seq, err, errsize) != 0 ||
	    take_u64(&p, end, "refused", &st->refused, err, errsize) != 0)
		return -1;
	st->nfiles = 0;
	while (p != end) {
		const char *line;
		size_t len;
		if (st->nfiles == OBFILE_STATE_FILES || take_line(&p, end, &line, &len) != 0 ||
		    parse_file_line(line, len, &st->files[st->nfiles]) != 0) {
			outbox_seterr(err, errsize, "bad line %zu after the \"refused\" line",
				      st->nfiles + 1);
			return -1;
		}
		st->nfiles++;
	}
	if (st->epoch == 0 || st->epoch > INT64_MAX || st->next_seq == 0) {
		outbox_seterr(err, errsize, "epoch or next_seq out of range");
		return -1;
	}
	return 0;
}
