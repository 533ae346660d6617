/*
 * obfile: the two on-disk text formats of the outbox, as pure functions on
 * bytes (no I/O), so that every way a file can be damaged is testable and
 * fuzzable without a disk.
 *
 * A record, pending/<seq as 20 digits>.batch:
 *
 *   CHISO-OUTBOX 1\n
 *   epoch 1234\n
 *   seq 7\n
 *   rows 41\n
 *   created 1732000000\n
 *   source /abs/path/to/input.csv\n      ("source \n" when there is none)
 *   length 5321\n
 *   \n
 *   <length bytes: the BATCH body>\n
 *   crc32 89abcdef\n
 *
 * The crc32 (zlib, 8 lowercase hex digits) covers every byte before the
 * "crc32" line, so a record cut short, grown or altered anywhere fails.
 * Numbers are plain decimal without sign or leading zeros.
 *
 * A staged record, pending/<seq as 20 digits>.staged, has the same content: it
 * belongs to a submit that has not committed yet (see outbox.h).
 *
 * The state file: "CHISO-OUTBOX-STATE 2\n", "epoch N\nnext_seq N\nrefused N\n",
 * then up to OBFILE_STATE_FILES lines "file HASH SIZE FIRST LAST WHEN\n"
 * (HASH 16 lowercase hex digits, the rest decimal), the files most recently
 * submitted, oldest first, and last "crc32 XXXXXXXX\n" over every byte before
 * it.  A state whose key has gone wrong would hand out batch keys twice, so
 * it is checked like a record.  A file without the first line was written by
 * an older agent (no crc, maybe no "file" lines): it is still read (legacy is
 * set) and rewritten in this format.
 */
#ifndef CHISO_OBFILE_H
#define CHISO_OBFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "outbox.h"

#define OBFILE_MAGIC	   "CHISO-OUTBOX 1"
#define OBFILE_HEADER_MAX  (OUTBOX_SOURCE_MAX + 256)
#define OBFILE_TRAILER_LEN 16 /* "\ncrc32 " + 8 hex digits + "\n" */
#define OBFILE_NAME_SIZE   32 /* room for a record's file name */
#define OBFILE_TMP_PREFIX  ".tmp-"
#define OBFILE_STATE_FILES 32
#define OBFILE_STATE_MAX   (160 + OBFILE_STATE_FILES * 112)
#define OBFILE_STATE_MAGIC "CHISO-OUTBOX-STATE 2"

/* A parsed record header; source points into the buffer it was parsed from. */
struct obfile_header {
	uint64_t epoch;
	uint64_t seq;
	uint64_t rows;
	int64_t created;
	uint64_t length; /* of the body */
	const char *source;
	size_t source_len;
	size_t len; /* bytes of header, up to and including the blank line */
};

struct obfile_state {
	uint64_t epoch;	   /* 1 .. 2^63-1 */
	uint64_t next_seq; /* >= 1 */
	uint64_t refused;
	size_t nfiles; /* <= OBFILE_STATE_FILES, oldest first */
	struct outbox_file files[OBFILE_STATE_FILES];
	bool legacy; /* set by the parser: an older agent's file, without magic and crc */
};

enum obfile_kind {
	OBFILE_RECORD, /* "<20 digits>.batch" naming a seq >= 1 */
	OBFILE_STAGED, /* "<20 digits>.staged": written by a submit not yet committed */
	OBFILE_TMP,    /* ".tmp-...": a put in progress, or one that crashed */
	OBFILE_OTHER,
};

/* The file name of record seq, "00000000000000000007.batch", into buf. */
void obfile_record_name(char *buf, size_t size, uint64_t seq);
/* The file name of staged record seq, "00000000000000000007.staged", into buf. */
void obfile_staged_name(char *buf, size_t size, uint64_t seq);
/* What a directory entry of pending/ is; *seq is set for a record or staged record. */
enum obfile_kind obfile_classify(const char *name, uint64_t *seq);

/*
 * Writes the header of a record into buf; returns its length, or 0 if it does
 * not fit or source has a line break or is longer than OUTBOX_SOURCE_MAX.
 */
size_t obfile_header_format(char *buf, size_t size, uint64_t epoch, uint64_t seq, size_t nrows,
			    int64_t created, const char *source, size_t body_len);
/* Writes the trailer for a header and body into buf[OBFILE_TRAILER_LEN + 1]. */
void obfile_trailer(char *buf, const char *hdr, size_t hdr_len, const char *body, size_t body_len);
/* Parses the header at the start of buf[0..n); 0, or -1 with the reason in err. */
int obfile_header_parse(const char *buf, size_t n, struct obfile_header *h, char *err,
			size_t errsize);
/*
 * Checks a whole record file image read from the file named for seq: header,
 * length against size, trailer and crc.  0 with *h filled, or -1 with the
 * reason in err ("crc32 mismatch ...", "length 12 does not match ...").
 */
int obfile_record_parse(const char *buf, size_t size, uint64_t seq, struct obfile_header *h,
			char *err, size_t errsize);

/* Writes the state file text into buf; returns its length, or 0 if it does not fit. */
size_t obfile_state_format(char *buf, size_t size, const struct obfile_state *st);
/* Appends a submitted file to st, dropping the oldest beyond OBFILE_STATE_FILES. */
void obfile_state_add_file(struct obfile_state *st, const struct outbox_file *f);
/* Parses a whole state file; 0, or -1 with the reason in err. */
int obfile_state_parse(const char *buf, size_t n, struct obfile_state *st, char *err,
		       size_t errsize);

#endif
