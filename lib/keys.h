/*
 * keys: CURVE key files.
 *
 * `chisoctl keygen NAME` writes NAME.pub (the public key, safe to hand out:
 * the province enrols it, an agent names the server's) and NAME.key (the
 * secret key with its public half, mode 0600).  Both are short text files:
 *
 *   # chiso CURVE secret key "xa-21298", created 2026-11-22 ...
 *   public-key = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"
 *   secret-key = "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6"
 *
 * A secret key file readable by group or others is refused: a leaked commune
 * key lets anyone write that commune's figures.
 */
#ifndef CHISO_KEYS_H
#define CHISO_KEYS_H

#include <stdbool.h>
#include <stddef.h>

#define KEYS_Z85_LEN 40

struct keypair {
	char public_key[KEYS_Z85_LEN + 1];
	char secret_key[KEYS_Z85_LEN + 1];
};

/*
 * True if name may name a key: 1 to 64 of a-z 0-9 . _ -, starting with a letter
 * or digit (the collector-name rule of sql/001_schema.sql).  With no "/" and no
 * leading "." a name ("a..b" too) can only ever write inside the directory it
 * is given.  If not, err says why.
 */
bool keys_name_valid(const char *name, char *err, size_t errsize);
/*
 * Generates a keypair and writes dir/name.pub (0644) and dir/name.key (0600).
 * Refuses a name keys_name_valid refuses and existing files.  Returns 0, or -1
 * with err.
 */
int keys_generate(const char *dir, const char *name, char *err, size_t errsize);
/* Reads a public key from a .pub or .key file; 0, or -1 with err. */
int keys_read_public(const char *path, char out[KEYS_Z85_LEN + 1], char *err, size_t errsize);
/* Reads a .key file, refusing one that group or others may read; 0, or -1 with err. */
int keys_read_secret(const char *path, struct keypair *kp, char *err, size_t errsize);
/* True if s is 40 characters of the Z85 alphabet. */
bool keys_z85_valid(const char *s);

#endif
