/*
 * srvkey: the choice between the province's current and next server key (see
 * srvkey.h).
 *
 * A refused handshake cannot say whether the server key was wrong or this
 * agent's own key was refused (chisod just restarted, the key not yet
 * enrolled): both end the connection.  So the agent alternates between the two
 * keys it was given, one per new connection; with the wrong guess it only
 * loses the reconnection pause it would have waited anyway.
 */
#include "srvkey.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "plat.h"

/* Reads the next key into k->key[1] when its file is there, or says in k->next_err why not. */
static void srvkey_read_next(struct srvkey *k, const char *path)
{
	struct plat_stat st;
	char e[512];

	k->next_err[0] = '\0';
	if (!path || !*path || (plat_stat(PLAT_CWD, path, true, &st) < 0 && errno == ENOENT))
		return; /* no rotation under way */
	if (keys_read_public(path, k->key[1], e, sizeof e) < 0) {
		snprintf(k->next_err, sizeof k->next_err, "server.public_key_next_file: %s", e);
		return;
	}
	if (strcmp(k->key[1], k->key[0]) != 0)
		k->n = 2;
}

int srvkey_load(struct srvkey *k, const char *current_path, const char *next_path, bool refused,
		char *err, size_t errsize)
{
	char e[512];

	k->n = 0;
	k->used = 0;
	if (keys_read_public(current_path, k->key[0], e, sizeof e) < 0) {
		snprintf(err, errsize, "server.public_key_file: %s", e);
		return -1;
	}
	k->n = 1;
	srvkey_read_next(k, next_path);
	int last = -1;
	for (int i = 0; i < k->n; i++)
		if (strcmp(k->key[i], k->last) == 0)
			last = i;
	if (last >= 0)
		k->used = refused && k->n == 2 ? 1 - last : last;
	memcpy(k->last, k->key[k->used], sizeof k->last);
	return 0;
}

const char *srvkey_chosen(const struct srvkey *k)
{
	return k->key[k->used];
}

const char *srvkey_next(const struct srvkey *k)
{
	return k->n == 2 ? k->key[1] : "";
}

void srvkey_peek_next(const char *current_path, const char *next_path, char out[KEYS_Z85_LEN + 1])
{
	struct srvkey k = {0};
	char err[600];

	out[0] = '\0';
	if (srvkey_load(&k, current_path, next_path, false, err, sizeof err) == 0)
		memcpy(out, srvkey_next(&k), strlen(srvkey_next(&k)) + 1);
}

bool srvkey_is_next(const struct srvkey *k)
{
	return k->used == 1;
}
