/*
 * keys: reading and writing CURVE key files (see keys.h).
 *
 * The secret file is created with O_EXCL and mode 0600 from the start, never
 * chmod-ed after writing, so there is no moment when another user could read it.
 */
#include "keys.h"
#include "paths.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "plat.h"

static const char keys_z85_alphabet[] =
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
    ".-:+=^!/*?&<>()[]{}@%$#";

bool keys_z85_valid(const char *s)
{
	size_t n = 0;
	for (; s[n]; n++)
		if (!strchr(keys_z85_alphabet, s[n]))
			return false;
	return n == KEYS_Z85_LEN;
}

static int keys_write(const char *path, unsigned mode, const char *text, char *err, size_t errsize)
{
	int fd = plat_open(PLAT_CWD, path, PLAT_O_WRITE | PLAT_O_CREATE | PLAT_O_EXCL, mode);
	size_t len = strlen(text);

	if (fd < 0) {
		snprintf(err, errsize, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (plat_write_all(fd, text, len) != 0 || plat_sync(fd) < 0) {
		snprintf(err, errsize, "%s: %s", path, strerror(errno));
		plat_close(fd);
		plat_unlink(PLAT_CWD, path);
		return -1;
	}
	plat_close(fd);
	return 0;
}

bool keys_name_valid(const char *name, char *err, size_t errsize)
{
	size_t n = strlen(name);
	size_t ok = strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789._-");

	if (n >= 1 && n <= 64 && ok == n && name[0] != '.' && name[0] != '_' && name[0] != '-')
		return true;
	snprintf(err, errsize,
		 "key name \"%.80s\"%s: use 1 to 64 of a-z 0-9 . _ -, starting with a letter or "
		 "digit (as collector names are)",
		 name, n > 80 ? "..." : "");
	return false;
}

int keys_generate(const char *dir, const char *name, char *err, size_t errsize)
{
	struct keypair kp;
	char pub[4096], sec[4096], text[512], day[16];
	time_t now = time(NULL);
	struct tm tm;

	if (!keys_name_valid(name, err, errsize))
		return -1;
	if (zmq_curve_keypair(kp.public_key, kp.secret_key) != 0) {
		snprintf(err, errsize, "cannot generate a CURVE keypair: %s", zmq_strerror(errno));
		return -1;
	}
	/* "keygen NAME --dir keys/" on a fresh machine: the folder is made, closed to
	 * others like the secret key in it */
	if (paths_mkdirs(dir, 0700) < 0) {
		snprintf(err, errsize, "cannot create the key folder %s: %s", dir, strerror(errno));
		return -1;
	}
	strftime(day, sizeof day, "%Y-%m-%d", plat_localtime(now, &tm));
	snprintf(pub, sizeof pub, "%s/%s.pub", dir, name);
	snprintf(sec, sizeof sec, "%s/%s.key", dir, name);
	if (plat_exists(PLAT_CWD, pub, true) || plat_exists(PLAT_CWD, sec, true)) {
		snprintf(err, errsize, "%s or %s already exists: not overwriting a key", pub, sec);
		return -1;
	}
	snprintf(text, sizeof text,
		 "# chiso CURVE secret key \"%s\", created %s. Keep it private (mode 0600).\n"
		 "public-key = \"%s\"\nsecret-key = \"%s\"\n",
		 name, day, kp.public_key, kp.secret_key);
	if (keys_write(sec, 0600, text, err, errsize) < 0)
		return -1;
	snprintf(
	    text, sizeof text,
	    "# chiso CURVE public key \"%s\", created %s. Safe to share.\npublic-key = \"%s\"\n",
	    name, day, kp.public_key);
	if (keys_write(pub, 0644, text, err, errsize) < 0) {
		plat_unlink(PLAT_CWD, sec);
		return -1;
	}
	return 0;
}

/* Finds `name = "value"` in a key file; 0, or -1 with err. */
static int keys_field(const char *path, const char *name, char out[KEYS_Z85_LEN + 1], char *err,
		      size_t errsize)
{
	FILE *fp = plat_fopen_read(path);
	char line[256];
	int lineno = 0, rc = -1;
	size_t nlen = strlen(name);

	if (!fp) {
		snprintf(err, errsize, "%s: %s", path, strerror(errno));
		return -1;
	}
	snprintf(err, errsize, "%s: no %s line", path, name);
	while (fgets(line, sizeof line, fp)) {
		lineno++;
		if (strncmp(line, name, nlen) != 0)
			continue;
		char *q1 = strchr(line + nlen, '"');
		char *q2 = q1 ? strchr(q1 + 1, '"') : NULL;
		if (!q1 || !q2 || q2 - q1 - 1 != KEYS_Z85_LEN) {
			snprintf(err, errsize, "%s:%d: %s: expected 40 Z85 characters in quotes",
				 path, lineno, name);
			break;
		}
		memcpy(out, q1 + 1, KEYS_Z85_LEN);
		out[KEYS_Z85_LEN] = '\0';
		if (!keys_z85_valid(out)) {
			snprintf(err, errsize, "%s:%d: %s: not a Z85 key", path, lineno, name);
			break;
		}
		rc = 0;
		break;
	}
	fclose(fp);
	return rc;
}

int keys_read_public(const char *path, char out[KEYS_Z85_LEN + 1], char *err, size_t errsize)
{
	return keys_field(path, "public-key", out, err, errsize);
}

int keys_read_secret(const char *path, struct keypair *kp, char *err, size_t errsize)
{
	char why[1024];
	int exposed = plat_secret_exposed(path, why, sizeof why);

	if (exposed < 0) {
		snprintf(err, errsize, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (exposed) {
		snprintf(err, errsize, "%s: secret key readable by %s", path, why);
		return -1;
	}
	if (keys_field(path, "public-key", kp->public_key, err, errsize) < 0 ||
	    keys_field(path, "secret-key", kp->secret_key, err, errsize) < 0)
		return -1;
	return 0;
}
