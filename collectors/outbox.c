/*
 * outbox: durable batch files (see outbox.h).
 *
 * A record is readable text, so an operator can look into a stuck queue:
 *
 *   CHISO-OUTBOX 1
 *   epoch 4611686018427387904
 *   seq 7
 *   rows 41
 *   created 1732000000
 *   source /home/vanthu/bao-cao-2024.csv
 *   length 5321
 *
 *   <length bytes: the BATCH body exactly as sent>
 *   crc32 89abcdef
 *
 * The CRC-32 (zlib) covers every byte before the "crc32" line.  Writers hold
 * an flock on <dir>/lock while they pick a seq and write, so `submit` and
 * `run` can work at the same time; `run` only reads and deletes whole files.
 */
#include "outbox.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "log.h"

#define OUTBOX_MAGIC	  "CHISO-OUTBOX 1\n"
#define OUTBOX_MAX_RECORD (64u << 20)

struct outbox {
	char *dir;
	char *pending;
	char *corrupt;
	int lockfd;
	uint64_t max_bytes;
	uint64_t epoch, next_seq, refused;
};

static int outbox_fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int rc = fsync(fd);
	close(fd);
	return rc;
}

/* Writes data to path durably: temporary file, fsync, rename, fsync of the directory. */
static int outbox_write_file(const char *dir, const char *tmp, const char *path, const char *data,
			     size_t len, char *err, size_t errsize)
{
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	size_t off = 0;

	if (fd < 0) {
		snprintf(err, errsize, "cannot create %s: %s", tmp, strerror(errno));
		return -1;
	}
	while (off < len) {
		ssize_t n = write(fd, data + off, len - off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			snprintf(err, errsize, "cannot write %s: %s", tmp, strerror(errno));
			goto fail;
		}
		off += (size_t)n;
	}
	/* A failed fsync means the data may not be on disk: this write has failed. */
	if (fsync(fd) < 0) {
		snprintf(err, errsize, "fsync %s: %s", tmp, strerror(errno));
		goto fail;
	}
	if (close(fd) < 0) {
		fd = -1;
		snprintf(err, errsize, "close %s: %s", tmp, strerror(errno));
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) < 0) {
		snprintf(err, errsize, "rename %s: %s", tmp, strerror(errno));
		goto fail;
	}
	if (outbox_fsync_dir(dir) < 0) {
		snprintf(err, errsize, "fsync %s: %s", dir, strerror(errno));
		unlink(path);
		return -1;
	}
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return -1;
}

static int outbox_save_state(struct outbox *o, uint64_t next_seq, uint64_t refused, char *err,
			     size_t errsize)
{
	char path[4096], tmp[4160], text[128];
	int n = snprintf(text, sizeof text,
			 "epoch %" PRIu64 "\nnext_seq %" PRIu64 "\nrefused %" PRIu64 "\n", o->epoch,
			 next_seq, refused);
	snprintf(path, sizeof path, "%s/state", o->dir);
	snprintf(tmp, sizeof tmp, "%s/state.tmp", o->dir);
	if (outbox_write_file(o->dir, tmp, path, text, (size_t)n, err, errsize) < 0)
		return -1;
	o->next_seq = next_seq;
	o->refused = refused;
	return 0;
}

static int outbox_load_state(struct outbox *o)
{
	char path[4096];
	FILE *fp;
	unsigned long long e = 0, s = 0, r = 0;

	snprintf(path, sizeof path, "%s/state", o->dir);
	if ((fp = fopen(path, "re")) == NULL)
		return -1;
	int got = fscanf(fp, "epoch %llu next_seq %llu refused %llu", &e, &s, &r);
	fclose(fp);
	if (got < 2 || e == 0 || s == 0)
		return -1;
	o->epoch = e;
	o->next_seq = s;
	o->refused = got == 3 ? r : 0;
	return 0;
}

static void outbox_record_path(const struct outbox *o, uint64_t seq, char *buf, size_t size)
{
	snprintf(buf, size, "%s/%020" PRIu64 ".batch", o->pending, seq);
}

void outbox_record_destroy(struct outbox_record **rp)
{
	if (!rp || !*rp)
		return;
	free((*rp)->source);
	free((*rp)->body);
	free(*rp);
	*rp = NULL;
}

/* Parses and checks a record held in text[0..len); NULL with why. */
static struct outbox_record *outbox_parse(const char *text, size_t len, const char **why)
{
	struct outbox_record *r = calloc(1, sizeof *r);
	const char *p = text, *end = text + len;
	unsigned long long epoch, seq, rows, length;
	long long created;
	int used = 0;

	if (!r) {
		*why = "out of memory";
		return NULL;
	}
	*why = "bad header";
	if (len < sizeof OUTBOX_MAGIC || memcmp(p, OUTBOX_MAGIC, sizeof OUTBOX_MAGIC - 1) != 0) {
		*why = "not an outbox record";
		goto fail;
	}
	p += sizeof OUTBOX_MAGIC - 1;
	if (sscanf(p, "epoch %llu\nseq %llu\nrows %llu\ncreated %lld\n%n", &epoch, &seq, &rows,
		   &created, &used) != 4 ||
	    used == 0)
		goto fail;
	p += used;
	if ((size_t)(end - p) < 8 || strncmp(p, "source ", 7) != 0)
		goto fail;
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	if (!nl)
		goto fail;
	if ((r->source = strndup(p + 7, (size_t)(nl - p - 7))) == NULL)
		goto fail;
	p = nl + 1;
	used = 0;
	if (sscanf(p, "length %llu\n\n%n", &length, &used) != 1 || used == 0 ||
	    p[used - 1] != '\n' || p[used - 2] != '\n')
		goto fail;
	p += used;
	if (length > OUTBOX_MAX_RECORD || (size_t)(end - p) < length + 1) {
		*why = "truncated";
		goto fail;
	}
	const char *body = p;
	p += length;
	if (*p != '\n') {
		*why = "length does not match";
		goto fail;
	}
	p++;
	unsigned stored;
	used = 0;
	if ((size_t)(end - p) != 15 || sscanf(p, "crc32 %8x\n%n", &stored, &used) != 1 ||
	    used != 15) {
		*why = "missing or damaged checksum";
		goto fail;
	}
	uLong crc = crc32(0L, (const Bytef *)text, (uInt)(p - text));
	if ((unsigned)crc != stored) {
		*why = "checksum mismatch";
		goto fail;
	}
	if ((r->body = malloc(length + 1)) == NULL) {
		*why = "out of memory";
		goto fail;
	}
	memcpy(r->body, body, length);
	r->body[length] = '\0';
	r->body_len = length;
	r->epoch = epoch;
	r->seq = seq;
	r->nrows = rows;
	r->created = created;
	return r;
fail:
	outbox_record_destroy(&r);
	return NULL;
}

/* Reads a whole file (bounded); NULL with why. */
static char *outbox_slurp(const char *path, size_t *len, const char **why)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	char *buf = NULL;

	*why = strerror(errno);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0 || st.st_size > (off_t)OUTBOX_MAX_RECORD + 8192) {
		*why = "too large";
		goto done;
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
		*why = "out of memory";
		goto done;
	}
	size_t off = 0;
	while (off < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + off, (size_t)st.st_size - off);
		if (n <= 0) {
			*why = n < 0 ? strerror(errno) : "short read";
			free(buf);
			buf = NULL;
			goto done;
		}
		off += (size_t)n;
	}
	buf[off] = '\0';
	*len = off;
done:
	close(fd);
	return buf;
}

/* Moves a damaged record aside, never deleting it. */
static void outbox_quarantine(struct outbox *o, const char *path, const char *name, const char *why)
{
	char dst[4200];
	snprintf(dst, sizeof dst, "%s/%s", o->corrupt, name);
	if (rename(path, dst) == 0) {
		outbox_fsync_dir(o->pending);
		log_warn("outbox: %s is damaged (%s): moved to %s", name, why, dst);
	} else {
		log_err("outbox: %s is damaged (%s) and cannot be moved: %s", name, why,
			strerror(errno));
	}
}

static int seq_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* The seq a record file name stands for, or 0 if it is not one. */
static uint64_t outbox_name_seq(const char *name)
{
	size_t n = strlen(name);
	if (n != 26 || strcmp(name + 20, ".batch") != 0 || strspn(name, "0123456789") != 20)
		return 0;
	return strtoull(name, NULL, 10);
}

int outbox_list(struct outbox *o, uint64_t **seqs, size_t *n)
{
	DIR *d = opendir(o->pending);
	size_t cap = 0;

	*seqs = NULL;
	*n = 0;
	if (!d)
		return -1;
	for (struct dirent *e; (e = readdir(d)) != NULL;) {
		uint64_t seq = outbox_name_seq(e->d_name);
		if (!seq)
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			uint64_t *more = realloc(*seqs, cap * sizeof *more);
			if (!more) {
				closedir(d);
				free(*seqs);
				*seqs = NULL;
				*n = 0;
				return -1;
			}
			*seqs = more;
		}
		(*seqs)[(*n)++] = seq;
	}
	closedir(d);
	if (*n > 1)
		qsort(*seqs, *n, sizeof **seqs, seq_cmp);
	return 0;
}

int outbox_read(struct outbox *o, uint64_t seq, struct outbox_record **rec, char *err,
		size_t errsize)
{
	char path[4096], name[64];
	const char *why;
	size_t len;
	char *text;

	*rec = NULL;
	outbox_record_path(o, seq, path, sizeof path);
	snprintf(name, sizeof name, "%020" PRIu64 ".batch", seq);
	if ((text = outbox_slurp(path, &len, &why)) == NULL) {
		snprintf(err, errsize, "%s: %s", path, why);
		return -1;
	}
	*rec = outbox_parse(text, len, &why);
	free(text);
	if (!*rec || (*rec)->seq != seq || (*rec)->epoch != o->epoch) {
		if (*rec)
			why = "seq or epoch does not match its name";
		outbox_record_destroy(rec);
		outbox_quarantine(o, path, name, why);
		snprintf(err, errsize, "%s: %s (moved to corrupt/)", path, why);
		return -1;
	}
	return 0;
}

int outbox_remove(struct outbox *o, uint64_t seq)
{
	char path[4096];
	outbox_record_path(o, seq, path, sizeof path);
	if (unlink(path) < 0 && errno != ENOENT)
		return -1;
	return outbox_fsync_dir(o->pending);
}

uint64_t outbox_epoch(const struct outbox *o)
{
	return o->epoch;
}

int outbox_stats(struct outbox *o, struct outbox_stats *st)
{
	uint64_t *seqs;
	size_t n;
	DIR *d;

	memset(st, 0, sizeof *st);
	st->epoch = o->epoch;
	outbox_load_state(o); /* another process may have advanced it */
	st->next_seq = o->next_seq;
	st->refused = o->refused;
	if ((d = opendir(o->corrupt)) != NULL) {
		for (struct dirent *e; (e = readdir(d)) != NULL;)
			st->corrupt += e->d_name[0] != '.';
		closedir(d);
	}
	if (outbox_list(o, &seqs, &n) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		char path[4096], head[512];
		struct stat sb;
		unsigned long long rows = 0;
		long long created = 0;
		outbox_record_path(o, seqs[i], path, sizeof path);
		FILE *fp = fopen(path, "re");
		if (!fp)
			continue; /* acknowledged meanwhile */
		size_t got = fread(head, 1, sizeof head - 1, fp);
		head[got] = '\0';
		if (fstat(fileno(fp), &sb) == 0)
			st->pending_bytes += (uint64_t)sb.st_size;
		fclose(fp);
		const char *p = strstr(head, "\nrows ");
		if (p)
			rows = strtoull(p + 6, NULL, 10);
		p = strstr(head, "\ncreated ");
		if (p)
			created = strtoll(p + 9, NULL, 10);
		st->pending_rows += rows;
		st->pending_batches++;
		if (created && (!st->oldest_created || created < st->oldest_created))
			st->oldest_created = created;
	}
	free(seqs);
	return 0;
}

/* Removes leftovers of crashed writes and checks every record (with the lock held). */
static void outbox_recover(struct outbox *o)
{
	DIR *d = opendir(o->pending);
	uint64_t max_seq = 0;

	if (!d)
		return;
	for (struct dirent *e; (e = readdir(d)) != NULL;) {
		char path[4200];
		snprintf(path, sizeof path, "%s/%s", o->pending, e->d_name);
		if (strncmp(e->d_name, ".tmp-", 5) == 0) {
			/* A write that never returned success: nothing accepted is lost. */
			unlink(path);
			continue;
		}
		uint64_t seq = outbox_name_seq(e->d_name);
		if (!seq)
			continue;
		const char *why;
		size_t len;
		char *text = outbox_slurp(path, &len, &why);
		struct outbox_record *r = text ? outbox_parse(text, len, &why) : NULL;
		free(text);
		if (r && (r->seq != seq || r->epoch != o->epoch)) {
			why = "seq or epoch does not match its name";
			outbox_record_destroy(&r);
		}
		if (!r) {
			outbox_quarantine(o, path, e->d_name, why);
			continue;
		}
		if (seq > max_seq)
			max_seq = seq;
		outbox_record_destroy(&r);
	}
	closedir(d);
	outbox_fsync_dir(o->pending);
	if (max_seq >= o->next_seq) {
		char err[256];
		if (outbox_save_state(o, max_seq + 1, o->refused, err, sizeof err) < 0)
			log_err("outbox: %s", err);
	}
}

/* The epoch of the records already pending, if the state file was lost. */
static uint64_t outbox_epoch_from_records(struct outbox *o)
{
	uint64_t *seqs, epoch = 0;
	size_t n;
	char path[4096], head[128];

	if (outbox_list(o, &seqs, &n) < 0)
		return 0;
	if (n) {
		outbox_record_path(o, seqs[0], path, sizeof path);
		FILE *fp = fopen(path, "re");
		if (fp) {
			size_t got = fread(head, 1, sizeof head - 1, fp);
			head[got] = '\0';
			fclose(fp);
			const char *p = strstr(head, "\nepoch ");
			if (p)
				epoch = strtoull(p + 7, NULL, 10);
		}
	}
	free(seqs);
	return epoch;
}

static char *outbox_join(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = malloc(n);
	if (p)
		snprintf(p, n, "%s/%s", dir, name);
	return p;
}

struct outbox *outbox_open(const char *dir, uint64_t max_bytes, char *err, size_t errsize)
{
	struct outbox *o = calloc(1, sizeof *o);
	char lock[4200];

	if (o)
		o->lockfd = -1;
	if (!o || (o->pending = outbox_join(dir, "pending")) == NULL ||
	    (o->corrupt = outbox_join(dir, "corrupt")) == NULL || (o->dir = strdup(dir)) == NULL) {
		snprintf(err, errsize, "out of memory");
		goto fail_nolock;
	}
	o->max_bytes = max_bytes;
	if ((mkdir(dir, 0700) < 0 && errno != EEXIST) ||
	    (mkdir(o->pending, 0700) < 0 && errno != EEXIST) ||
	    (mkdir(o->corrupt, 0700) < 0 && errno != EEXIST)) {
		snprintf(err, errsize, "outbox %s: %s", dir, strerror(errno));
		goto fail_nolock;
	}
	snprintf(lock, sizeof lock, "%s/lock", dir);
	if ((o->lockfd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0 ||
	    flock(o->lockfd, LOCK_EX) < 0) {
		snprintf(err, errsize, "outbox %s: cannot lock: %s", dir, strerror(errno));
		goto fail_nolock;
	}
	if (outbox_load_state(o) < 0) {
		/* A new outbox, or one whose state file was lost: keep the records' epoch. */
		o->epoch = outbox_epoch_from_records(o);
		while (o->epoch == 0) {
			if (getrandom(&o->epoch, sizeof o->epoch, 0) != sizeof o->epoch) {
				snprintf(err, errsize, "getrandom: %s", strerror(errno));
				goto fail;
			}
			o->epoch &= 0x7fffffffffffffffull;
		}
		if (outbox_save_state(o, 1, 0, err, errsize) < 0)
			goto fail;
	}
	outbox_recover(o);
	flock(o->lockfd, LOCK_UN);
	return o;
fail:
	flock(o->lockfd, LOCK_UN);
fail_nolock:
	outbox_close(&o);
	return NULL;
}

void outbox_close(struct outbox **op)
{
	if (!op || !*op)
		return;
	if ((*op)->lockfd >= 0)
		close((*op)->lockfd);
	free((*op)->dir);
	free((*op)->pending);
	free((*op)->corrupt);
	free(*op);
	*op = NULL;
}

int outbox_put(struct outbox *o, size_t nrows, const char *source, outbox_render_fn render,
	       void *arg, uint64_t *seq_out, char *err, size_t errsize)
{
	char path[4096], tmp[4200], head[4608];
	char *body = NULL, *text = NULL;
	int rc = -1;

	if (flock(o->lockfd, LOCK_EX) < 0) {
		snprintf(err, errsize, "cannot lock the outbox: %s", strerror(errno));
		return -1;
	}
	if (outbox_load_state(o) < 0) {
		snprintf(err, errsize, "outbox %s: state file unreadable", o->dir);
		goto done;
	}
	uint64_t seq = o->next_seq;
	if ((body = render(o->epoch, seq, arg)) == NULL) {
		snprintf(err, errsize, "cannot build the batch (out of memory?)");
		goto done;
	}
	size_t blen = strlen(body);
	int hl =
	    snprintf(head, sizeof head,
		     OUTBOX_MAGIC "epoch %" PRIu64 "\nseq %" PRIu64 "\nrows %zu\ncreated %lld\n"
				  "source %s\nlength %zu\n\n",
		     o->epoch, seq, nrows, (long long)time(NULL), source ? source : "", blen);
	if (hl < 0 || (size_t)hl >= sizeof head || strchr(source ? source : "", '\n')) {
		snprintf(err, errsize, "source path too long or with a newline");
		goto done;
	}
	size_t total = (size_t)hl + blen + 1 + 15;
	if (o->max_bytes) {
		struct outbox_stats st;
		outbox_stats(o, &st);
		if (st.pending_bytes + total > o->max_bytes) {
			char e2[256];
			snprintf(
			    err, errsize,
			    "outbox full: %.1f MiB pending of %.1f MiB allowed, this batch needs "
			    "%.1f MiB more; deliver with `chiso-agent run` or raise "
			    "agent.outbox_max_bytes",
			    (double)st.pending_bytes / 1048576.0, (double)o->max_bytes / 1048576.0,
			    (double)total / 1048576.0);
			if (outbox_save_state(o, o->next_seq, o->refused + 1, e2, sizeof e2) < 0)
				log_err("outbox: %s", e2);
			goto done;
		}
	}
	if ((text = malloc(total + 1)) == NULL) {
		snprintf(err, errsize, "out of memory");
		goto done;
	}
	memcpy(text, head, (size_t)hl);
	memcpy(text + hl, body, blen);
	text[hl + blen] = '\n';
	uLong crc = crc32(0L, (const Bytef *)text, (uInt)(hl + blen + 1));
	snprintf(text + hl + blen + 1, 16, "crc32 %08lx\n", (unsigned long)crc);
	outbox_record_path(o, seq, path, sizeof path);
	snprintf(tmp, sizeof tmp, "%s/.tmp-%" PRIu64 "-%d", o->pending, seq, (int)getpid());
	if (outbox_write_file(o->pending, tmp, path, text, total, err, errsize) < 0)
		goto done;
	if (outbox_save_state(o, seq + 1, o->refused, err, errsize) < 0) {
		/* The seq is not consumed: take the record back. */
		unlink(path);
		outbox_fsync_dir(o->pending);
		goto done;
	}
	*seq_out = seq;
	rc = 0;
done:
	flock(o->lockfd, LOCK_UN);
	free(body);
	free(text);
	return rc;
}
