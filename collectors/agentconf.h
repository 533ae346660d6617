/*
 * agentconf: the configuration of chiso-agent, /etc/chiso/chiso-agent.conf.
 *
 * One table of keys (path, type, default, bounds, comment) drives parsing,
 * `chiso-agent -n` and `-nv`, like chisod's.
 */
#ifndef CHISO_AGENTCONF_H
#define CHISO_AGENTCONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "cfg.h"
#include "plat.h"

#define AGENTCONF_DEFAULT_PATH PLAT_CONFIG_DIR "/chiso-agent.conf"

struct agentconf {
	char *endpoint;
	char *server_public_key_file;
	char *server_public_key_next_file;
	char *secret_key_file;
	bool insecure;
	char *collector;
	char *outbox_dir;
	long long outbox_max_bytes;
	long long batch_rows;
	long long window;
	long long resend_timeout_ms;
	long long ping_interval_ms;
	long long heartbeat_ms;
	long long reconnect_min_ms;
	long long reconnect_max_ms;
	long long lock_wait_ms;
	long long keep_acked_days;
	char *inbox_dir;
	long long form_port;
	char *form_listen;
	char *log_level;
	char *path; /* the file it was read from (not a key) */
};

extern const struct cfg_key agentconf_keys[];
extern const size_t agentconf_nkeys;

/* Reads path over the defaults; NULL with err ("file:line: message"). */
struct agentconf *agentconf_load(const char *path, char *err, size_t errsize);
/* Frees and sets *cp to NULL; safe on NULL. */
void agentconf_destroy(struct agentconf **cp);
/* The agent's command-line numbers: cfg_parse_int (cfg.h), under the name main.c calls. */
int agentconf_arg_int(const char *name, const char *text, long long min, long long max,
		      long long *out, char *err, size_t errsize);
/* Prints the effective configuration. */
void agentconf_print(const struct agentconf *c, FILE *out);

#endif
