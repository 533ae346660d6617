/*
 * agentstate: key=value state file (see agentstate.h).  Unknown keys are
 * skipped so that an older agent can read a newer agent's file.
 */
#include "agentstate.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plat.h"

int agentstate_load(const char *dir, struct agentstate *st)
{
	char path[4096], line[512];
	FILE *fp;

	memset(st, 0, sizeof *st);
	snprintf(path, sizeof path, "%s/agent.state", dir);
	if ((fp = plat_fopen_read(path)) == NULL)
		return errno == ENOENT ? 0 : -1;
	while (fgets(line, sizeof line, fp)) {
		char *eq = strchr(line, '=');
		if (!eq)
			continue;
		*eq++ = '\0';
		eq[strcspn(eq, "\n")] = '\0';
		if (strcmp(line, "last_ack") == 0)
			st->last_ack = atoll(eq);
		else if (strcmp(line, "last_contact") == 0)
			st->last_contact = atoll(eq);
		else if (strcmp(line, "last_error_at") == 0)
			st->last_error_at = atoll(eq);
		else if (strcmp(line, "last_error") == 0)
			snprintf(st->last_error, sizeof st->last_error, "%s", eq);
		else if (strcmp(line, "acked_batches") == 0)
			st->acked_batches = strtoull(eq, NULL, 10);
		else if (strcmp(line, "acked_rows") == 0)
			st->acked_rows = strtoull(eq, NULL, 10);
		else if (strcmp(line, "rejected_rows") == 0)
			st->rejected_rows = strtoull(eq, NULL, 10);
		else if (strcmp(line, "duplicate_acks") == 0)
			st->duplicate_acks = strtoull(eq, NULL, 10);
		else if (strcmp(line, "rekeyed_batches") == 0)
			st->rekeyed_batches = strtoull(eq, NULL, 10);
		else if (strcmp(line, "retries") == 0)
			st->retries = strtoull(eq, NULL, 10);
		else if (strcmp(line, "collector") == 0)
			snprintf(st->collector, sizeof st->collector, "%s", eq);
		else if (strcmp(line, "scope") == 0)
			snprintf(st->scope, sizeof st->scope, "%s", eq);
		else if (strcmp(line, "catalog_version") == 0)
			snprintf(st->catalog_version, sizeof st->catalog_version, "%s", eq);
		else if (strcmp(line, "server_key") == 0)
			snprintf(st->server_key, sizeof st->server_key, "%s", eq);
	}
	fclose(fp);
	return 0;
}

int agentstate_file_save(const char *dir, const char *name, const char *text, size_t len)
{
	char path[4096], tmp[4160];
	int fd;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	if ((fd = plat_open(PLAT_CWD, tmp, PLAT_O_WRITE | PLAT_O_CREATE | PLAT_O_TRUNC, 0600)) < 0)
		return -1;
	if (plat_write_all(fd, text, len) != 0 || plat_sync(fd) < 0) {
		plat_close(fd);
		plat_unlink(PLAT_CWD, tmp);
		return -1;
	}
	plat_close(fd);
	return plat_rename(PLAT_CWD, tmp, PLAT_CWD, path);
}

int agentstate_save(const char *dir, const struct agentstate *st)
{
	char text[2048];
	int n;

	n = snprintf(text, sizeof text,
		     "last_ack=%lld\nlast_contact=%lld\nlast_error_at=%lld\nlast_error=%s\n"
		     "acked_batches=%llu\nacked_rows=%llu\nrejected_rows=%llu\n"
		     "duplicate_acks=%llu\nrekeyed_batches=%llu\nretries=%llu\ncollector=%s\n"
		     "scope=%s\n"
		     "catalog_version=%s\nserver_key=%s\n",
		     (long long)st->last_ack, (long long)st->last_contact,
		     (long long)st->last_error_at, st->last_error,
		     (unsigned long long)st->acked_batches, (unsigned long long)st->acked_rows,
		     (unsigned long long)st->rejected_rows, (unsigned long long)st->duplicate_acks,
		     (unsigned long long)st->rekeyed_batches, (unsigned long long)st->retries,
		     st->collector, st->scope, st->catalog_version, st->server_key);
	if (n < 0 || (size_t)n >= sizeof text)
		return -1;
	return agentstate_file_save(dir, "agent.state", text, (size_t)n);
}

/* The whole of dir/name, malloc'd, its length in *len; NULL if missing, empty or unreadable. */
static char *agentstate_read(const char *dir, const char *name, size_t *len)
{
	char path[4096], *text = NULL;
	FILE *fp;
	long n;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	if ((fp = plat_fopen_read(path)) == NULL)
		return NULL;
	if (fseek(fp, 0, SEEK_END) == 0 && (n = ftell(fp)) > 0 && fseek(fp, 0, SEEK_SET) == 0 &&
	    (text = malloc((size_t)n)) != NULL && fread(text, 1, (size_t)n, fp) != (size_t)n) {
		free(text);
		text = NULL;
	}
	fclose(fp);
	*len = text ? (size_t)n : 0;
	return text;
}

struct catalog *agentstate_catalog(const char *dir)
{
	char err[512];
	size_t len;
	char *text = agentstate_read(dir, "catalog.json", &len);
	struct catalog *cat = text ? catalog_from_json(text, len, err, sizeof err) : NULL;

	free(text);
	return cat;
}

int agentstate_welcome(const char *dir, struct wire_welcome *w)
{
	char err[256];
	size_t len;
	char *text = agentstate_read(dir, "welcome.json", &len);
	int rc = text ? wire_welcome_decode(text, len, NULL, 2, w, err, sizeof err) : -1;

	free(text);
	if (rc < 0)
		memset(w, 0, sizeof *w);
	return rc;
}
