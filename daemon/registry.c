/*
 * registry: collectors sorted twice (by key for ZAP, by name for messages),
 * looked up with bsearch.  A province has hundreds of collectors, the whole
 * country about 11 000: two sorted arrays of pointers are all it needs.
 */
#include "registry.h"

#include <stdlib.h>
#include <string.h>

struct registry {
	struct store_collector *entries;
	size_t n;
	const struct store_collector **by_key;
	const struct store_collector **by_name;
	struct welcome_period periods[WELCOME_PERIODS_MAX];
	size_t nperiods;
};

static int registry_cmp_key(const void *a, const void *b)
{
	return strcmp((*(const struct store_collector *const *)a)->public_key,
		      (*(const struct store_collector *const *)b)->public_key);
}

static int registry_cmp_name(const void *a, const void *b)
{
	return strcmp((*(const struct store_collector *const *)a)->name,
		      (*(const struct store_collector *const *)b)->name);
}

struct registry *registry_new(struct store_collector **entries, size_t n)
{
	struct registry *r = calloc(1, sizeof *r);

	if (!r)
		return NULL;
	r->by_key = calloc(n ? n : 1, sizeof *r->by_key);
	r->by_name = calloc(n ? n : 1, sizeof *r->by_name);
	if (!r->by_key || !r->by_name) {
		free(r->by_key);
		free(r->by_name);
		free(r);
		return NULL;
	}
	r->entries = *entries;
	*entries = NULL;
	r->n = n;
	for (size_t i = 0; i < n; i++)
		r->by_key[i] = r->by_name[i] = &r->entries[i];
	qsort(r->by_key, n, sizeof *r->by_key, registry_cmp_key);
	qsort(r->by_name, n, sizeof *r->by_name, registry_cmp_name);
	return r;
}

void registry_set_periods(struct registry *r, const struct welcome_period *p, size_t n)
{
	r->nperiods = n < WELCOME_PERIODS_MAX ? n : WELCOME_PERIODS_MAX;
	memcpy(r->periods, p, r->nperiods * sizeof *p);
}

const struct welcome_period *registry_periods(const struct registry *r, size_t *n)
{
	*n = r ? r->nperiods : 0;
	return r ? r->periods : NULL;
}

void registry_destroy(struct registry **rp)
{
	if (!rp || !*rp)
		return;
	free((*rp)->entries);
	free((*rp)->by_key);
	free((*rp)->by_name);
	free(*rp);
	*rp = NULL;
}

const struct store_collector *registry_by_key(const struct registry *r, const char *z85)
{
	struct store_collector probe;
	const struct store_collector *p = &probe, **hit;

	if (!r || strlen(z85) >= sizeof probe.public_key)
		return NULL;
	strcpy(probe.public_key, z85);
	hit = bsearch(&p, r->by_key, r->n, sizeof *r->by_key, registry_cmp_key);
	return hit ? *hit : NULL;
}

const struct store_collector *registry_by_name(const struct registry *r, const char *name)
{
	struct store_collector probe;
	const struct store_collector *p = &probe, **hit;

	if (!r || strlen(name) >= sizeof probe.name)
		return NULL;
	strcpy(probe.name, name);
	hit = bsearch(&p, r->by_name, r->n, sizeof *r->by_name, registry_cmp_name);
	return hit ? *hit : NULL;
}

size_t registry_count(const struct registry *r)
{
	return r ? r->n : 0;
}

const struct store_collector *registry_at(const struct registry *r, size_t i)
{
	return r && i < r->n ? r->by_name[i] : NULL;
}
