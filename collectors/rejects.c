/*
 * rejects: CSV of refused rows (see rejects.h).  Fields are quoted when they
 * hold a comma, a quote or a newline, so that Excel opens the file as written.
 */
#include "rejects.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void rejects_field(FILE *fp, const char *s, char sep)
{
	if (strpbrk(s, ",\"\n\r")) {
		fputc('"', fp);
		for (; *s; s++) {
			if (*s == '"')
				fputc('"', fp);
			fputc(*s, fp);
		}
		fputc('"', fp);
	} else {
		fputs(s, fp);
	}
	fputc(sep, fp);
}

static FILE *rejects_open(const char *path)
{
	struct stat st;
	int fresh = stat(path, &st) < 0 || st.st_size == 0;
	FILE *fp = fopen(path, "a");
	if (fp && fresh)
		fputs("line,unit,indicator,period,value,qualifier,reason,message\n", fp);
	return fp;
}

int rejects_write(const char *source, const char *fallback_dir, const struct batch *b,
		  const struct batch_ack *a, char *where, size_t wsize)
{
	FILE *fp = NULL;
	const char *base;

	if (a->nrejected == 0)
		return 0;
	if (source && *source) {
		snprintf(where, wsize, "%s.rejected.csv", source);
		fp = rejects_open(where);
	}
	if (!fp) {
		char dir[4096];
		base = source && strrchr(source, '/') ? strrchr(source, '/') + 1 : "batches";
		snprintf(dir, sizeof dir, "%s/rejected", fallback_dir);
		mkdir(dir, 0700);
		snprintf(where, wsize, "%s/%s.rejected.csv", dir, *base ? base : "batches");
		if ((fp = rejects_open(where)) == NULL) {
			snprintf(where, wsize, "cannot write rejected rows: %s", strerror(errno));
			return -1;
		}
	}
	for (size_t i = 0; i < a->nrejected; i++) {
		const struct batch_verdict *v = &a->rejected[i];
		const struct batch_row *r = v->row < b->nrows ? &b->rows[v->row] : NULL;
		const char *line = r && strrchr(r->ref, ':') ? strrchr(r->ref, ':') + 1 : "";
		rejects_field(fp, line, ',');
		rejects_field(fp, r ? r->unit : "", ',');
		rejects_field(fp, r ? r->indicator : "", ',');
		rejects_field(fp, r ? (r->period[0] ? r->period : r->date) : "", ',');
		rejects_field(fp, r ? r->value.text : "", ',');
		rejects_field(fp, r ? batch_qualifier_name(r->qualifier) : "", ',');
		rejects_field(fp, v->code, ',');
		rejects_field(fp, v->message, '\n');
	}
	if (fclose(fp) != 0) {
		snprintf(where, wsize, "cannot write rejected rows: %s", strerror(errno));
		return -1;
	}
	return 0;
}
