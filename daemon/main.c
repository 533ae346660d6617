/*
 * chisod: the provincial daemon.  Agents push indicator batches over ZeroMQ
 * (CURVE); chisod commits them to PostgreSQL with their rollups and acks each
 * batch after COMMIT.  See chisod(8), chisod.conf(5) and docs/protocol.md.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "ingest.h"
#include "keys.h"
#include "log.h"
#include "schedule.h"
#include "server.h"
#include "srvconf.h"
#include "startopt.h"
#include "wire.h"

static void usage(FILE *out)
{
	fprintf(out, "usage: chisod [-nv] [-f FILE]\n"
		     "       chisod --codes\n"
		     "  -f FILE     configuration file (default " SRVCONF_DEFAULT_PATH ")\n"
		     "  -n          check the configuration and the key files, then exit\n"
		     "  -v          with -n: print the effective configuration\n"
		     "  --defaults  print every key with its default and comment, then exit\n"
		     "  --codes     print every code chisod can send, one \"KIND CODE\" a line\n"
		     "  --help      this text\n"
		     "  --version   print the version\n");
}

/* What -n checks beyond the syntax: the things that would stop a start. */
static int check(const struct srvconf *c, const char *path)
{
	char err[512];
	struct keypair kp;

	/* The key file's own error names the key file; say which setting led there. */
	if (!c->insecure && keys_read_secret(c->secret_key_file, &kp, err, sizeof err) < 0) {
		fprintf(stderr, "%s: server.secret_key_file: %s\n", path, err);
		return 1;
	}
	struct schedule *sc = schedule_parse(c->publish_schedule, err, sizeof err);
	if (!sc) {
		fprintf(stderr, "%s: publish.schedule: %s\n", path, err);
		return 1;
	}
	schedule_destroy(&sc);
	return 0;
}

/*
 * --codes: every code chisod can send, from the tables it sends them from
 * (wire.c, batch.c, ingest.c), so that the list cannot drift from the daemon;
 * the conformance suite compares it with docs/protocol.md.
 */
static int print_codes(void)
{
	for (int i = 0; i < WIRE_ERR_NCODES; i++)
		printf("error %s\n", wire_error_code_name((enum wire_error_code)i));
	for (const char *const *c = batch_row_codes; *c; c++)
		printf("row %s\n", *c);
	for (const char *const *c = batch_flag_codes; *c; c++)
		printf("flag %s\n", *c);
	for (int i = 0; i < ACK_NSTATUSES; i++)
		printf("status %s\n", batch_ack_status_name((enum ack_status)i));
	for (int i = 0; i < INGEST_RETRY_NREASONS; i++)
		printf("retry %s\n", ingest_retry_reason_name((enum ingest_retry_reason)i));
	return fflush(stdout) == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
	/* chisod's own option: startopt holds only what chiso-agent shares */
	if (argc == 2 && strcmp(argv[1], "--codes") == 0)
		return print_codes();
	struct startopt o = {.program = "chisod", .usage = usage, .path = SRVCONF_DEFAULT_PATH};
	char err[1024];
	int rc = startopt_parse(&o, argc, argv);

	if (rc >= 0)
		return rc;
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	/* --defaults reads no file: config/chisod.conf is its output */
	struct srvconf *conf = srvconf_load(o.defaults_only ? NULL : o.path, err, sizeof err);
	if (!conf) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if (o.defaults_only) {
		printf("# chisod.conf: every key with its default and what it is for\n"
		       "# (chisod --defaults; chisod.conf(5)).  chisoctl reads the database and\n"
		       "# embedded sections too.  Unknown keys are errors.\n"
		       "# Check a change with: chisod -f FILE -n\n\n");
		srvconf_print(conf, true, stdout);
		srvconf_destroy(&conf);
		return 0;
	}
	if (o.check_only) {
		rc = check(conf, o.path);
		if (rc == 0 && o.verbose)
			srvconf_print(conf, false, stdout);
		else if (rc == 0)
			fprintf(stderr, "%s: configuration OK\n", o.path);
		srvconf_destroy(&conf);
		return rc;
	}
	log_init("chisod", (enum log_level)log_level_from_name(conf->log_level));
	struct server *s = server_new(&conf, err, sizeof err);
	if (!s) {
		srvconf_destroy(&conf);
		log_fatal("%s", err);
	}
	rc = server_run(s);
	server_destroy(&s);
	return rc;
}
