/*
 * srvkey: which of the province's server keys the agent tries.
 *
 * The province rotates its server key by handing every agent the next public
 * key first (server.public_key_next_file, /etc/chiso/keys/server-next.pub)
 * and then restarting chisod with the next secret key.  An agent holding both
 * keeps the current key while it works and moves to the other one after a
 * refused handshake, so it follows the switch by itself, with its outbox
 * intact.  The files are read again before every new connection: the next key
 * can be dropped in while the agent runs.  Only keys the province gave in those
 * two files are ever tried.
 */
#ifndef CHISO_SRVKEY_H
#define CHISO_SRVKEY_H

#include <stdbool.h>
#include <stddef.h>

#include "keys.h"

struct srvkey {
	char key[2][KEYS_Z85_LEN + 1]; /* [0] the current key, [1] the next one */
	int n;			       /* 1, or 2 with a next key different from the current */
	int used;		       /* the index of the key chosen for this connection */
	char last[KEYS_Z85_LEN + 1];   /* the key chosen last time ("" at first) */
	char next_err[600];	       /* why the next key file was set aside, or "" */
};

/*
 * Reads the current key (required) and the next one (next_path empty or the file
 * absent: none), then chooses: the key chosen last time if it is still one of
 * them, or the other one after a refused handshake (refused); the current key at
 * first.  0, or -1 with err when the current key cannot be read.  A next key
 * file that is there but holds no key is set aside, the reason in k->next_err:
 * a bad copy must not cut an agent off from a province that still uses the
 * current key (`chiso-agent -n` refuses it).  k is zeroed before the first call.
 */
int srvkey_load(struct srvkey *k, const char *current_path, const char *next_path, bool refused,
		char *err, size_t errsize);
/* The chosen key (borrowed from k). */
const char *srvkey_chosen(const struct srvkey *k);
/* The next key when one is held (not the current one), or "" (borrowed from k). */
const char *srvkey_next(const struct srvkey *k);
/*
 * The next key the two files hold now into out, "" for none, without touching any
 * connection's choice: what the agent tells the province it is ready for.
 */
void srvkey_peek_next(const char *current_path, const char *next_path, char out[KEYS_Z85_LEN + 1]);
/* True when the chosen key is the one of server.public_key_next_file. */
bool srvkey_is_next(const struct srvkey *k);

#endif
