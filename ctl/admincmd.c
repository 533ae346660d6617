/*
 * admincmd: catalogue, keys, collectors and rollup checks (see admincmd.h).
 */
#include "admincmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "keys.h"
#include "log.h"
#include "paths.h"

int admincmd_catalog(struct ctl *c, int argc, char **argv)
{
	char path[4096], err[1024];
	struct store_catalog_counts counts;

	if (argc < 1 || strcmp(argv[0], "load") != 0 || argc > 2) {
		fprintf(stderr, "usage: chisoctl catalog load [FILE]\n");
		return 2;
	}
	if (argc == 2)
		snprintf(path, sizeof path, "%s", argv[1]);
	else
		snprintf(path, sizeof path, "%s/config/catalog.conf", paths_data_dir());
	struct catalog *cat = catalog_load(path, err, sizeof err);
	if (!cat)
		return ctl_fail(err);
	char *json = catalog_to_json(cat);
	if (!json) {
		catalog_destroy(&cat);
		return ctl_fail("out of memory");
	}
	struct store *s = ctl_store(c, CTL_OWNER);
	int rc = store_catalog_load(s, json, &counts, err, sizeof err);
	if (rc < 0)
		log_err("%s: %s", path, err);
	else
		printf("%s: catalogue %s, %zu indicators in %zu pillars, %zu rules: %d added, %d "
		       "updated, %d retired\n",
		       path, cat->version, cat->nindicators, cat->npillars, cat->nrules,
		       counts.added, counts.updated, counts.retired);
	store_close(&s);
	free(json);
	catalog_destroy(&cat);
	return rc < 0 ? 1 : 0;
}

int admincmd_keygen(struct ctl *c, int argc, char **argv)
{
	const char *dir = ".", *name = NULL;
	char err[1024];

	(void)c;
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc)
			dir = argv[++i];
		else if (!name && argv[i][0] != '-')
			name = argv[i];
		else
			name = NULL, i = argc;
	}
	if (!name) {
		fprintf(stderr, "usage: chisoctl keygen NAME [--dir DIR]\n");
		return 2;
	}
	if (keys_generate(dir, name, err, sizeof err) < 0)
		return ctl_fail(err);
	printf("%s/%s.pub: public key (give it to the province / to the agents)\n"
	       "%s/%s.key: secret key, mode 0600 (keep it on this machine only)\n",
	       dir, name, dir, name);
	return 0;
}

static int collector_list(struct ctl *c)
{
	char err[1024];
	struct store_collector *rows;
	size_t n;
	struct store *s = ctl_store(c, CTL_OWNER);

	if (store_collectors(s, true, &rows, &n, err, sizeof err) < 0) {
		store_close(&s);
		return ctl_fail(err);
	}
	printf("%-20s %-8s %-30s %-9s %-16s %8s  %s\n", "collector", "unit", "unit name", "state",
	       "last batch", "batches", "public key");
	for (size_t i = 0; i < n; i++)
		/* retired: its unit version ended (a reform); it may still correct the periods of
		 * that structure, and is refused for the new one */
		printf("%-20s %-8s %-30.30s %-9s %-16s %8lld  %s\n", rows[i].name,
		       rows[i].unit_code, rows[i].unit_name,
		       rows[i].revoked	       ? "revoked"
		       : rows[i].unit_until[0] ? "retired"
					       : "active",
		       rows[i].last_batch[0] ? rows[i].last_batch : "-", rows[i].batches,
		       rows[i].public_key);
	free(rows);
	store_close(&s);
	return 0;
}

int admincmd_collector(struct ctl *c, int argc, char **argv)
{
	char err[1024], key[KEYS_Z85_LEN + 1];
	const char *usage = "usage: chisoctl collector add ID --key FILE --unit CODE\n"
			    "       chisoctl collector revoke ID\n"
			    "       chisoctl collector list\n";

	if (argc == 1 && strcmp(argv[0], "list") == 0)
		return collector_list(c);
	if (argc == 2 && strcmp(argv[0], "revoke") == 0) {
		struct store *s = ctl_store(c, CTL_OWNER);
		int rc = store_collector_revoke(s, argv[1], err, sizeof err);
		store_close(&s);
		if (rc < 0)
			return ctl_fail(err);
		printf("collector %s revoked: chisod refuses its key from now on\n", argv[1]);
		return 0;
	}
	if (argc == 6 && strcmp(argv[0], "add") == 0) {
		const char *keyfile = NULL, *unit = NULL;
		for (int i = 2; i + 1 < argc; i += 2) {
			if (strcmp(argv[i], "--key") == 0)
				keyfile = argv[i + 1];
			else if (strcmp(argv[i], "--unit") == 0)
				unit = argv[i + 1];
		}
		if (!keyfile || !unit) {
			fputs(usage, stderr);
			return 2;
		}
		if (keys_read_public(keyfile, key, err, sizeof err) < 0)
			return ctl_fail(err);
		struct store *s = ctl_store(c, CTL_OWNER);
		int rc = store_collector_add(s, argv[1], key, unit, err, sizeof err);
		store_close(&s);
		if (rc < 0)
			return ctl_fail(err);
		printf("collector %s enrolled for unit %s with key %s\n", argv[1], unit, key);
		return 0;
	}
	fputs(usage, stderr);
	return 2;
}

int admincmd_rollup(struct ctl *c, int argc, char **argv)
{
	char err[1024];
	long long nrows = 0;

	if (argc == 1 && strcmp(argv[0], "rebuild") == 0) {
		struct store *s = ctl_store(c, CTL_OWNER);
		log_info("recomputing every rollup from the observations");
		int rc = store_rollup_rebuild(s, &nrows, err, sizeof err);
		store_close(&s);
		if (rc < 0)
			return ctl_fail(err);
		printf("rollups rebuilt: %lld rows\n", nrows);
		return 0;
	}
	if (argc == 1 && strcmp(argv[0], "verify") == 0) {
		struct store_difference *d;
		size_t n;
		struct store *s = ctl_store_said(c, CTL_OWNER);
		bool read_only = false;
		int rc = store_rollup_verify(s, &d, &n, &nrows, &read_only, err, sizeof err);
		store_close(&s);
		if (rc < 0)
			return ctl_fail(err);
		for (size_t i = 0; i < n; i++)
			printf("%-22s %-8s %-40s %-8s stored [%s] recomputed [%s]\n", d[i].check,
			       d[i].unit_code, d[i].indicator_code, d[i].period, d[i].stored,
			       d[i].recomputed);
		free(d);
		printf("rollup verify: %lld rows checked %s: %zu difference%s\n", nrows,
		       read_only ? "one way (plain aggregation: a read-only server cannot rebuild)"
				 : "two ways (rebuild, plain aggregation)",
		       n, n == 1 ? "" : "s");
		return n ? 1 : 0;
	}
	fprintf(stderr, "usage: chisoctl rollup verify | rebuild\n");
	return 2;
}

/* The name recorded as who closed or reopened a period: the login, else the Unix user. */
static const char *period_actor(void)
{
	const char *who = getenv("SUDO_USER");
	if (!who || !*who)
		who = getenv("USER");
	return who && *who ? who : "chisoctl";
}

int admincmd_period(struct ctl *c, int argc, char **argv)
{
	char err[1024];
	const char *usage = "usage: chisoctl period close P [--reason TEXT]\n"
			    "       chisoctl period reopen P [--reason TEXT]\n"
			    "       chisoctl period list\n";

	if (argc == 1 && strcmp(argv[0], "list") == 0) {
		struct store_period *p;
		size_t n;
		struct store *s = ctl_store(c, CTL_OWNER);
		int rc = store_period_list(s, &p, &n, err, sizeof err);
		store_close(&s);
		if (rc < 0)
			return ctl_fail(err);
		printf("%-9s %-12s %-25s %-25s %-10s %s\n", "period", "type",
		       "administrative (NĐ 09)", "statistical", "due", "closed");
		for (size_t i = 0; i < n; i++)
			printf("%-9s %-12s %-25s %-25s %-10s %s\n", p[i].code, p[i].type, p[i].adm,
			       p[i].stat, p[i].due[0] ? p[i].due : "-",
			       p[i].closed[0] ? p[i].closed : "open");
		free(p);
		return 0;
	}
	if ((argc == 2 || (argc == 4 && strcmp(argv[2], "--reason") == 0)) &&
	    (strcmp(argv[0], "close") == 0 || strcmp(argv[0], "reopen") == 0)) {
		bool close = strcmp(argv[0], "close") == 0;
		struct store *s = ctl_store(c, CTL_OWNER);
		int rc = store_period_set_closed(s, argv[1], close, period_actor(),
						 argc == 4 ? argv[3] : "", err, sizeof err);
		store_close(&s);
		if (rc < 0)
			return ctl_fail(err);
		if (close)
			printf(
			    "period %s closed: chisod refuses values for it (and for the periods "
			    "it contains) until `chisoctl period reopen %s`\n",
			    argv[1], argv[1]);
		else
			printf("period %s reopened: values for it are accepted again\n", argv[1]);
		return 0;
	}
	fputs(usage, stderr);
	return 2;
}
