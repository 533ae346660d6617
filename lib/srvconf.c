/*
 * srvconf: the key table of chisod.conf (see srvconf.h).
 *
 * Timeouts are chosen so that a stuck database call always ends before the
 * systemd watchdog would kill the daemon: statement_timeout_ms and
 * connect_timeout_s stay well under WatchdogSec in systemd/chisod.service.
 */
#include "srvconf.h"

#include <stdlib.h>
#include <string.h>

#define K(path, type, def, min, max, field, flags, comment)                                        \
	{                                                                                          \
		path, type, def, min, max, offsetof(struct srvconf, field), flags, comment, NULL   \
	}

const struct cfg_key srvconf_keys[] = {
    K("server.endpoint", CFG_STRING, "tcp://*:7460", 0, 0, endpoint, CFG_TCP | CFG_IPC,
      "ZeroMQ endpoint the ROUTER socket binds (agents connect here)."),
    K("server.public_key_file", CFG_STRING, "/etc/chiso/keys/server.pub", 0, 0, public_key_file, 0,
      "The server's CURVE public key (give this file to every agent)."),
    K("server.secret_key_file", CFG_STRING, "/etc/chiso/keys/server.key", 0, 0, secret_key_file, 0,
      "The server's CURVE secret key; must not be readable by group or others."),
    K("server.insecure", CFG_BOOL, "false", 0, 0, insecure, 0,
      "Development only: no CURVE, bind to loopback only, warn at every start."),
    K("server.max_message_bytes", CFG_INT, "4194304", 1024, 67108864, max_message_bytes, 0,
      "Largest batch body accepted (WELCOME.max_body); up to 256 bytes more is answered\n"
      "ERROR bad_body, a bigger frame is dropped with its connection."),
    K("server.max_rows", CFG_INT, "10000", 10000, 100000, max_rows, CFG_RELOAD,
      "Most rows in one batch; at least 10000, the largest agent.batch_rows."),
    K("server.heartbeat_ms", CFG_INT, "10000", 1000, 600000, heartbeat_ms, 0,
      "ZeroMQ heartbeat interval; a peer silent for three intervals is dropped."),
    K("server.io_threads", CFG_INT, "2", 1, 16, io_threads, 0,
      "ZeroMQ I/O threads (ZMQ_IO_THREADS): they do all CURVE work, handshakes and\n"
      "heartbeats of every connection.  One was measured saturating a core with 10 000\n"
      "collectors; 2 lets that work use the second core of a two-core server.  More\n"
      "than the server's cores gains nothing.  Takes effect at a restart."),
    K("database.conninfo", CFG_STRING, "dbname=chiso user=chiso_writer", 0, 0, conninfo, CFG_SECRET,
      "libpq connection string of chisod (role chiso_writer)."),
    K("database.owner_conninfo", CFG_STRING, "dbname=chiso user=chiso_owner", 0, 0, owner_conninfo,
      CFG_SECRET,
      "libpq connection string for chisoctl's migrations and administration (chiso_owner)."),
    K("database.reader_conninfo", CFG_STRING, "dbname=chiso user=chiso_reader", 0, 0,
      reader_conninfo, CFG_SECRET, "libpq connection string for reports (role chiso_reader)."),
    K("database.statement_timeout_ms", CFG_INT, "15000", 100, 600000, statement_timeout_ms, 0,
      "Longest a statement of chisod may run; keep it under the watchdog."),
    K("database.connect_timeout_s", CFG_INT, "5", 1, 60, connect_timeout_s, 0,
      "Longest a connection attempt may take."),
    K("database.reconnect_max_ms", CFG_INT, "30000", 100, 600000, reconnect_max_ms, 0,
      "Longest pause between reconnection attempts (the pause doubles up to this)."),
    K("ingest.commit_max_rows", CFG_INT, "50000", 1, 1000000, commit_max_rows, CFG_RELOAD,
      "Most rows in one group commit; under it ingest.commit_target_ms sizes them."),
    K("ingest.commit_target_ms", CFG_INT, "0", 0, 300000, commit_target_ms, CFG_RELOAD,
      "How long a group commit should take (its rows follow from recent commits); 0: a "
      "quarter of database.statement_timeout_ms."),
    K("ingest.commit_max_delay_ms", CFG_INT, "5", 0, 10000, commit_max_delay_ms, CFG_RELOAD,
      "How long the first batch of a group may wait for others to join it."),
    K("ingest.pending_max_rows", CFG_INT, "200000", 1000, 50000000, pending_max_rows, CFG_RELOAD,
      "Rows waiting for a commit beyond which agents are told to RETRY (bounds memory)."),
    K("ingest.status_interval_ms", CFG_INT, "5000", 500, 600000, status_interval_ms, CFG_RELOAD,
      "How often live counters go to systemd STATUS= and the database."),
    K("deadline.daily", CFG_INT, "2", -1, 3660, deadline_days[0], 0,
      "Days after a daily period's last day by which its values are due; -1: no deadline."),
    K("deadline.weekly", CFG_INT, "3", -1, 3660, deadline_days[1], 0,
      "Days after a week's last day by which its values are due; -1: no deadline."),
    K("deadline.monthly", CFG_INT, "5", -1, 3660, deadline_days[2], 0,
      "Days after a month's last day (the 14th on the administrative calendar) by which its\n"
      "values are due; -1: no deadline.  A value first received later counts as late."),
    K("deadline.quarterly", CFG_INT, "5", -1, 3660, deadline_days[3], 0,
      "Days after a quarter's last day by which its values are due; -1: no deadline."),
    K("deadline.six_monthly", CFG_INT, "5", -1, 3660, deadline_days[4], 0,
      "Days after a half-year's last day by which its values are due (5: 2024S1, which ends\n"
      "on 14 June under Decree 09, is due on 19 June); -1: no deadline."),
    K("deadline.yearly", CFG_INT, "5", -1, 3660, deadline_days[5], 0,
      "Days after a year's last day by which its values are due; -1: no deadline."),
    K("deadline.auto_close", CFG_BOOL, "false", 0, 0, deadline_auto_close, 0,
      "Close each period once its deadline has passed (chisoctl period reopen undoes it)."),
    {"log.level", CFG_STRING, "info", 0, 0, offsetof(struct srvconf, log_level), CFG_RELOAD,
     "error, warning, info or debug.", cfg_log_levels},
    K("metrics.listen", CFG_STRING, "", 0, 0, metrics_listen, CFG_TCP,
      "Serve the live counters in Prometheus text format on this local address, e.g.\n"
      "tcp://127.0.0.1:9464; empty: off.  Anyone who can connect reads them without\n"
      "authentication, so keep it on loopback (chisod warns at start if it is not)."),
    K("publish.schedule", CFG_STRING, "", 0, 0, publish_schedule, 0,
      "Reports chisod publishes by itself: entries \"PERIOD UNIT YYYY-MM-DD\" separated by\n"
      "commas, e.g. \"2024S1 51 2024-06-20, 2024 51 2024-12-20\".  On that date (or at the\n"
      "first check after it; chisod checks every minute) the report of UNIT for PERIOD is\n"
      "frozen as `chisoctl report publish` would, once.  Empty: none."),
    K("embedded.dir", CFG_STRING, "", 0, 0, embedded_dir, 0,
      "Directory of the embedded PostgreSQL cluster (chisoctl db init); empty in production."),
};
const size_t srvconf_nkeys = sizeof srvconf_keys / sizeof srvconf_keys[0];

struct srvconf *srvconf_load(const char *path, char *err, size_t errsize)
{
	struct srvconf *c = cfg_create(srvconf_keys, srvconf_nkeys, sizeof *c, path, err, errsize);

	if (c && path && (c->path = strdup(path)) == NULL) {
		snprintf(err, errsize, "out of memory");
		srvconf_destroy(&c);
	}
	return c;
}

void srvconf_destroy(struct srvconf **cp)
{
	if (!cp || !*cp)
		return;
	free((*cp)->path);
	cfg_destroy(srvconf_keys, srvconf_nkeys, (void **)cp);
}

void srvconf_print(const struct srvconf *c, bool show_secrets, FILE *out)
{
	cfg_print(srvconf_keys, srvconf_nkeys, c, show_secrets, out);
}
