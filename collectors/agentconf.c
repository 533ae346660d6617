/*
 * agentconf: the key table of chiso-agent.conf (see agentconf.h).
 *
 * The defaults suit a commune office PC on a weak link: small batches, a
 * window of eight, patient resends, reconnection pauses growing to a minute.
 */
#include "agentconf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "plat.h"

#define KF(path, type, def, min, max, field, flags, comment)                                       \
	{                                                                                          \
		path, type, def, min, max, offsetof(struct agentconf, field), flags, comment, NULL \
	}
#define K(path, type, def, min, max, field, comment)                                               \
	KF(path, type, def, min, max, field, 0, comment)

const struct cfg_key agentconf_keys[] = {
    KF("server.endpoint", CFG_STRING, "tcp://127.0.0.1:7460", 0, 0, endpoint, CFG_TCP,
       "The province's chisod: tcp://HOST:PORT."),
    K("server.public_key_file", CFG_STRING, PLAT_CONFIG_DIR "/keys/server.pub", 0, 0,
      server_public_key_file, "The server's CURVE public key, as the province gave it."),
    K("server.public_key_next_file", CFG_STRING, PLAT_CONFIG_DIR "/keys/server-next.pub", 0, 0,
      server_public_key_next_file,
      "The server's next public key, when the province rotates its key: tried after a refused "
      "handshake. Absent file or empty = none."),
    K("agent.secret_key_file", CFG_STRING, PLAT_CONFIG_DIR "/keys/agent.key", 0, 0, secret_key_file,
      "This agent's CURVE keypair (chiso-agent keygen writes it here); mode 0600."),
    K("agent.insecure", CFG_BOOL, "false", 0, 0, insecure,
      "Development only: no CURVE; the server must be in insecure mode on loopback."),
    K("agent.collector", CFG_STRING, "", 0, 0, collector,
      "Development only: the collector id to claim when insecure (ignored with CURVE)."),
    KF("agent.outbox_dir", CFG_STRING, PLAT_STATE_DIR "/outbox", 0, 0, outbox_dir, CFG_NONEMPTY,
       "Where accepted batches wait, durably, until the province acknowledges them."),
    K("agent.outbox_max_bytes", CFG_INT, "268435456", 0, 1099511627776LL, outbox_max_bytes,
      "Largest outbox (bytes); a submit that would exceed it is refused. 0 = no limit."),
    K("agent.batch_rows", CFG_INT, "1000", 1, 10000, batch_rows, "Rows per batch."),
    K("agent.window", CFG_INT, "8", 1, 64, window,
      "Batches sent and not yet acknowledged at any time."),
    K("agent.resend_timeout_ms", CFG_INT, "30000", 1000, 3600000, resend_timeout_ms,
      "Resend a batch that has had no answer for this long."),
    K("agent.ping_interval_ms", CFG_INT, "10000", 1000, 600000, ping_interval_ms,
      "How often the agent tells the province its backlog."),
    K("agent.heartbeat_ms", CFG_INT, "10000", 1000, 600000, heartbeat_ms,
      "ZeroMQ heartbeat interval; a silent connection is dropped after three."),
    K("agent.reconnect_min_ms", CFG_INT, "1000", 100, 600000, reconnect_min_ms,
      "First pause before reconnecting; it doubles, with random jitter."),
    K("agent.reconnect_max_ms", CFG_INT, "60000", 100, 3600000, reconnect_max_ms,
      "Longest pause before reconnecting."),
    K("agent.lock_wait_ms", CFG_INT, "10000", 0, 600000, lock_wait_ms,
      "How long a submit waits for another's outbox lock before naming its PID."),
    K("agent.keep_acked_days", CFG_INT, "7", 0, 366, keep_acked_days,
      "Days an acknowledged batch is kept for `resend`, in case the province restores its "
      "database to an earlier moment. 0 = delete it at the acknowledgement."),
    K("agent.inbox_dir", CFG_STRING, "", 0, 0, inbox_dir,
      "A drop folder `run` watches: a file saved there is submitted, then moved to done/ or "
      "refused/ beside it with a note. Empty = off."),
    K("form.port", CFG_INT, "7461", 0, 65535, form_port,
      "The officer's form in the browser, served by `run` on this port; 0 = no form."),
    KF("form.listen", CFG_STRING, "127.0.0.1", 0, 0, form_listen, CFG_NONEMPTY,
       "The form's address: loopback unless the office really needs it reachable."),
    {"log.level", CFG_STRING, "info", 0, 0, offsetof(struct agentconf, log_level), 0,
     "error, warning, info or debug.", cfg_log_levels},
};
const size_t agentconf_nkeys = sizeof agentconf_keys / sizeof agentconf_keys[0];

/*
 * The path keys with PLAT_PROGRAMDATA replaced by the folder it names
 * (plat_path_expand: the defaults on Windows start with it); 0, or -1 with err.
 */
static int agentconf_expand(struct agentconf *c, const char *file, char *err, size_t errsize)
{
	char **paths[] = {&c->server_public_key_file, &c->server_public_key_next_file,
			  &c->secret_key_file, &c->outbox_dir, &c->inbox_dir};
	char buf[4096], *copy;

	for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
		if (plat_path_expand(*paths[i], buf, sizeof buf) != 0) {
			snprintf(err, errsize, "%s: \"%s\": %s", file, *paths[i], strerror(errno));
			return -1;
		}
		if (strcmp(buf, *paths[i]) == 0)
			continue;
		if ((copy = strdup(buf)) == NULL) {
			snprintf(err, errsize, "out of memory");
			return -1;
		}
		free(*paths[i]);
		*paths[i] = copy;
	}
	return 0;
}

struct agentconf *agentconf_load(const char *path, char *err, size_t errsize)
{
	struct agentconf *c =
	    cfg_create(agentconf_keys, agentconf_nkeys, sizeof *c, path, err, errsize);

	if (c && path && (c->path = strdup(path)) == NULL) {
		snprintf(err, errsize, "out of memory");
		agentconf_destroy(&c);
	}
	/* Rules the table cannot say: each key's own range is in it (and CFG_TCP with a
	 * non-empty default already refuses an empty server.endpoint). */
	const char *file = path ? path : "defaults";
	if (c && agentconf_expand(c, file, err, errsize) != 0)
		agentconf_destroy(&c);
	if (c && c->reconnect_min_ms > c->reconnect_max_ms) {
		snprintf(err, errsize,
			 "%s: agent.reconnect_min_ms (%lld) is larger than agent.reconnect_max_ms "
			 "(%lld)",
			 file, c->reconnect_min_ms, c->reconnect_max_ms);
		agentconf_destroy(&c);
	}
	struct plat_sockaddr sa;
	if (c && plat_sockaddr(c->form_listen, 0, &sa) != 0) {
		snprintf(err, errsize, "%s: form.listen \"%s\" is not an IPv4 or IPv6 address",
			 file, c->form_listen);
		agentconf_destroy(&c);
	}
	return c;
}

int agentconf_arg_int(const char *name, const char *text, long long min, long long max,
		      long long *out, char *err, size_t errsize)
{
	return cfg_parse_int(name, text, min, max, out, err, errsize);
}

void agentconf_destroy(struct agentconf **cp)
{
	if (!cp || !*cp)
		return;
	free((*cp)->path);
	cfg_destroy(agentconf_keys, agentconf_nkeys, (void **)cp);
}

void agentconf_print(const struct agentconf *c, FILE *out)
{
	cfg_print(agentconf_keys, agentconf_nkeys, c, true, out);
}
