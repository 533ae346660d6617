/*
 * progress: redraws "\r<what>: done / total unit (pct%)" on a terminal.
 */
#include "progress.h"

#include "clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct progress {
	char what[96];
	char unit[32];
	uint64_t total;
	int64_t last_ms;
};

struct progress *progress_new(const char *what, const char *unit, uint64_t total)
{
	struct progress *p;

	if (!isatty(STDERR_FILENO) || (p = calloc(1, sizeof *p)) == NULL)
		return NULL;
	snprintf(p->what, sizeof p->what, "%s", what);
	snprintf(p->unit, sizeof p->unit, "%s", unit);
	p->total = total;
	return p;
}

void progress_update(struct progress *p, uint64_t done)
{
	int64_t now;

	if (!p || ((now = clock_mono_ms()) - p->last_ms < 100 && done != p->total))
		return;
	p->last_ms = now;
	if (p->total)
		fprintf(stderr, "\r%s: %llu / %llu %s (%llu%%)\033[K", p->what,
			(unsigned long long)done, (unsigned long long)p->total, p->unit,
			(unsigned long long)(done * 100 / p->total));
	else
		fprintf(stderr, "\r%s: %llu %s\033[K", p->what, (unsigned long long)done, p->unit);
	fflush(stderr);
}

void progress_done(struct progress **pp)
{
	if (!pp || !*pp)
		return;
	fprintf(stderr, "\r\033[K");
	fflush(stderr);
	free(*pp);
	*pp = NULL;
}
