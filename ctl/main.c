/*
 * chisoctl: administration and reports for chiso.  See chisoctl(1).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admincmd.h"
#include "ctl.h"
#include "dbcmd.h"
#include "log.h"
#include "natcmd.h"
#include "reportcmd.h"
#include "statuscmd.h"
#include "unitcmd.h"

static void usage(FILE *out)
{
	fprintf(out, "usage: chisoctl [--config FILE] COMMAND ...\n"
		     "  db init [--dir DIR]            create the embedded PostgreSQL cluster "
		     "(default var/)\n"
		     "  db start|stop|status           the embedded cluster\n"
		     "  db conninfo [--role owner|writer|reader|superuser]\n"
		     "                                 its connection string, for psql and BI "
		     "tools\n"
		     "  db migrate                     apply the numbered migrations of sql/\n"
		     "  units import FILE.csv [--valid-from DATE]\n"
		     "  units crosswalk import FILE.csv  old unit -> new unit, with weights\n"
		     "  catalog load [FILE]            default: the shipped config/catalog.conf\n"
		     "  keygen NAME [--dir DIR]        write a CURVE keypair\n"
		     "  collector add ID --key FILE.pub --unit CODE | revoke ID | list\n"
		     "  report --period P --unit CODE [--format text|csv|markdown|html]\n"
		     "         [--lang vi|en] [--bom] [--level N] [--output FILE]\n"
		     "         [--published [--version N] | --changes [--version N]\n"
		     "          | --on-structure DATE]\n"
		     "  report publish --period P --unit CODE [--note TEXT]\n"
		     "  report published [--period P] [--unit CODE]\n"
		     "  rollup verify | rebuild\n"
		     "  period close P [--reason TEXT] | reopen P | list\n"
		     "  status [--all] [--json]        is chisod up, how far behind, who has not\n"
		     "                                 reported, what was refused\n"
		     "  national publish ORIGIN | setup  a province publishes to / this is the\n"
		     "                                 national database (docs/scaling.md)\n"
		     "The configuration is --config FILE, else $CHISO_CONFIG, else "
		     "/etc/chiso/chisod.conf.\n");
}

int main(int argc, char **argv)
{
	struct ctl c = {0};
	bool config_given = false;
	int i = 1, rc;

	log_init("chisoctl", LOGL_INFO);
	c.config_path = getenv("CHISO_CONFIG") ? getenv("CHISO_CONFIG") : SRVCONF_DEFAULT_PATH;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if ((strcmp(argv[i], "--config") == 0 || strcmp(argv[i], "-f") == 0) &&
		    i + 1 < argc) {
			c.config_path = argv[++i];
			config_given = true;
		} else if (strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return 0;
		} else if (strcmp(argv[i], "--version") == 0) {
			printf("chisoctl %s\n", CHISO_VERSION);
			return 0;
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return 2;
	}
	const char *cmd = argv[i];
	int n = argc - i - 1;
	char **args = argv + i + 1;
	if (strcmp(cmd, "db") == 0)
		rc = dbcmd_main(&c, config_given || getenv("CHISO_CONFIG"), n, args);
	else if (strcmp(cmd, "units") == 0)
		rc = unitcmd_main(&c, n, args);
	else if (strcmp(cmd, "catalog") == 0)
		rc = admincmd_catalog(&c, n, args);
	else if (strcmp(cmd, "keygen") == 0)
		rc = admincmd_keygen(&c, n, args);
	else if (strcmp(cmd, "collector") == 0)
		rc = admincmd_collector(&c, n, args);
	else if (strcmp(cmd, "report") == 0)
		rc = reportcmd_main(&c, n, args);
	else if (strcmp(cmd, "period") == 0)
		rc = admincmd_period(&c, n, args);
	else if (strcmp(cmd, "rollup") == 0)
		rc = admincmd_rollup(&c, n, args);
	else if (strcmp(cmd, "status") == 0)
		rc = statuscmd_main(&c, n, args);
	else if (strcmp(cmd, "national") == 0)
		rc = natcmd_main(&c, n, args);
	else {
		fprintf(stderr, "chisoctl: unknown command \"%s\"\n", cmd);
		usage(stderr);
		rc = 2;
	}
	srvconf_destroy(&c.conf);
	return rc;
}
