/*
 * srvconf: the configuration of the provincial side, /etc/chiso/chisod.conf.
 *
 * chisod and chisoctl read the same file: the daemon its server, database and
 * ingest sections, chisoctl the database section (owner and reader
 * connections) and where the embedded cluster lives.  The key table is the one
 * place a key, its default, its bounds and its comment are written.
 */
#ifndef CHISO_SRVCONF_H
#define CHISO_SRVCONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "cfg.h"

#define SRVCONF_DEFAULT_PATH "/etc/chiso/chisod.conf"

struct srvconf {
	char *endpoint;
	char *public_key_file;
	char *secret_key_file;
	bool insecure;
	long long max_message_bytes;
	long long max_rows;
	long long heartbeat_ms;
	long long io_threads;
	char *conninfo;
	char *owner_conninfo;
	char *reader_conninfo;
	long long statement_timeout_ms;
	long long connect_timeout_s;
	long long reconnect_max_ms;
	long long commit_max_rows;
	long long commit_max_delay_ms;
	long long commit_target_ms;
	long long pending_max_rows;
	long long status_interval_ms;
	char *log_level;
	char *embedded_dir;
	char *publish_schedule;
	/* days after a period's last day by which values are due, per period type in
	 * enum period_type order (daily .. yearly); -1: no deadline */
	long long deadline_days[6];
	bool deadline_auto_close;
	char *metrics_listen;
	char *path; /* the file it was read from (not a key) */
};

extern const struct cfg_key srvconf_keys[];
extern const size_t srvconf_nkeys;

/*
 * Reads path (NULL: defaults only) into a new config.  Returns it, or NULL with
 * err holding "file:line: message".
 */
struct srvconf *srvconf_load(const char *path, char *err, size_t errsize);
/* Frees the config and sets *cp to NULL; safe on NULL. */
void srvconf_destroy(struct srvconf **cp);
/* Prints the effective configuration (passwords hidden unless show_secrets). */
void srvconf_print(const struct srvconf *c, bool show_secrets, FILE *out);

#endif
