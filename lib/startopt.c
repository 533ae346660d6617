/*
 * startopt: getopt_long over the options every chiso program starts with.
 * --help and --version answer and end the program, so the caller only sees
 * an exit status for them; a bad option prints the usage and asks for 2.
 */
#include "startopt.h"

#include <getopt.h>

int startopt_parse(struct startopt *o, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {"defaults", no_argument, NULL, 'D'},
	    {NULL, 0, NULL, 0},
	};
	/* A leading '+' stops getopt at the subcommand, whose options are its own. */
	const char *shortopts = o->stop_at_command ? "+f:nv" : "f:nv";
	int opt;

	while ((opt = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		switch (opt) {
		case 'f':
			o->path = optarg;
			break;
		case 'n':
			o->check_only = true;
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'D':
			o->defaults_only = true;
			break;
		case 'h':
			o->usage(stdout);
			return 0;
		case 'V':
			printf("%s %s\n", o->program, CHISO_VERSION);
			return 0;
		default:
			o->usage(stderr);
			return 2;
		}
	}
	return -1;
}
