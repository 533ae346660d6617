/*
 * startopt: the start-up options chisod and chiso-agent share (-f FILE, -n,
 * -v, --defaults, --help, --version), parsed in one place so the two programs
 * cannot drift apart in how they read them.
 */
#ifndef CHISO_STARTOPT_H
#define CHISO_STARTOPT_H

#include <stdbool.h>
#include <stdio.h>

struct startopt {
	const char *program;	  /* name for --version, e.g. "chisod" */
	void (*usage)(FILE *out); /* the program's usage text */
	bool stop_at_command;	  /* stop at the first non-option (a subcommand's options) */
	const char *path;	  /* -f FILE; set it to the default before parsing */
	bool check_only;	  /* -n */
	bool verbose;		  /* -v */
	bool defaults_only;	  /* --defaults */
};

/* Parses argv into o (optind is left after the options); -1 to go on, else the exit status. */
int startopt_parse(struct startopt *o, int argc, char **argv);

#endif
