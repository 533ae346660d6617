/*
 * natcmd: `chisoctl national publish ORIGIN | setup`.
 *
 * Both apply sql/national/ as chiso_owner, in one transaction, and are
 * idempotent: run again after an upgrade.  The subscription itself is made
 * by the national database's superuser (PostgreSQL 15 lets nobody else), so
 * it is printed, not run.
 */
#include "natcmd.h"

#include <stdio.h>
#include <string.h>

#include "ctl.h"
#include "paths.h"
#include "store.h"

static const char natcmd_usage[] = "usage: chisoctl national publish ORIGIN | setup\n";

/* An origin is a short lower-case name: the province's code, by convention. */
static int natcmd_origin_ok(const char *origin)
{
	size_t n = strlen(origin);

	return n >= 1 && n <= 32 && strspn(origin, "abcdefghijklmnopqrstuvwxyz0123456789_") == n;
}

int natcmd_main(struct ctl *c, int argc, char **argv)
{
	char err[2048];
	long long counts[2];
	const char *origin = NULL;

	if (argc == 2 && strcmp(argv[0], "publish") == 0) {
		origin = argv[1];
		if (!natcmd_origin_ok(origin)) {
			fprintf(stderr,
				"chisoctl: national publish: origin \"%s\" must be 1 to 32 of "
				"a-z, 0-9 and _ (the province's code)\n",
				origin);
			return 2;
		}
	} else if (!(argc == 1 && strcmp(argv[0], "setup") == 0)) {
		fputs(natcmd_usage, stderr);
		return 2;
	}
	struct store *s = ctl_store(c, CTL_OWNER);
	int rc = store_national(s, paths_sql_dir(), origin, counts, err, sizeof err);
	store_close(&s);
	if (rc < 0)
		return ctl_fail(err);
	if (origin) {
		printf("national: publication chiso_national offers %lld unit versions and %lld "
		       "values as origin %s\n",
		       counts[0], counts[1], origin);
		printf("on the national database, as its superuser:\n"
		       "  CREATE SUBSCRIPTION chiso_%s CONNECTION 'host=... dbname=chiso "
		       "user=chiso_national password=...' PUBLICATION chiso_national;\n",
		       origin);
	} else {
		printf("national: this database takes in the provinces' figures (%lld unit "
		       "versions, %lld values so far); subscribe it to each province\n",
		       counts[0], counts[1]);
	}
	return 0;
}
