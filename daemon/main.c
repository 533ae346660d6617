/*
 * chisod: the provincial daemon.  Agents push indicator batches over ZeroMQ
 * (CURVE); chisod commits them to PostgreSQL with their rollups and acks each
 * batch after COMMIT.  See chisod(8), chisod.conf(5) and docs/protocol.md.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keys.h"
#include "log.h"
#include "server.h"
#include "srvconf.h"

static void usage(FILE *out)
{
	fprintf(out, "usage: chisod [-nv] [-f FILE]\n"
		     "  -f FILE    configuration file (default " SRVCONF_DEFAULT_PATH ")\n"
		     "  -n         check the configuration and the key files, then exit\n"
		     "  -v         with -n: print the effective configuration\n"
		     "  --help     this text\n"
		     "  --version  print the version\n");
}

/* What -n checks beyond the syntax: the things that would stop a start. */
static int check(const struct srvconf *c)
{
	char err[512];
	struct keypair kp;

	if (!c->insecure && keys_read_secret(c->secret_key_file, &kp, err, sizeof err) < 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {NULL, 0, NULL, 0},
	};
	const char *path = SRVCONF_DEFAULT_PATH;
	int opt, check_only = 0, verbose = 0;
	char err[1024];

	while ((opt = getopt_long(argc, argv, "f:nv", longopts, NULL)) != -1) {
		switch (opt) {
		case 'f':
			path = optarg;
			break;
		case 'n':
			check_only = 1;
			break;
		case 'v':
			verbose = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("chisod %s\n", CHISO_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	struct srvconf *conf = srvconf_load(path, err, sizeof err);
	if (!conf) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if (check_only) {
		int rc = check(conf);
		if (rc == 0 && verbose)
			srvconf_print(conf, false, stdout);
		else if (rc == 0)
			fprintf(stderr, "%s: configuration OK\n", path);
		srvconf_destroy(&conf);
		return rc;
	}
	log_init("chisod", (enum log_level)log_level_from_name(conf->log_level));
	struct server *s = server_new(&conf, err, sizeof err);
	if (!s) {
		srvconf_destroy(&conf);
		log_fatal("%s", err);
	}
	int rc = server_run(s);
	server_destroy(&s);
	return rc;
}
