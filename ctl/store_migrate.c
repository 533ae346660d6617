/*
 * store_migrate: the schema migrations of `chisoctl db migrate`.
 *
 * Numbered files (001_x.sql) are applied once each and recorded with a
 * checksum so that a changed one is refused; the repeatable files (R_x.sql:
 * functions, views, grants) are applied again together whenever any of them
 * changed.  One run is one transaction: an upgrade that fails at any step
 * leaves the schema of the release before it, never half of the new one (a
 * database with 009 but not 010 is a schema no release had, and the repeatable
 * files of neither release may fit it).  An advisory lock keeps two runs from
 * interleaving.
 */
#include "store_migrate.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "store_int.h"

enum {
	S_MIGRATION_SAME,
	S_MIGRATION_RECORD,
	S_REPEATABLE_SAME,
	S_REPEATABLE_COUNT,
	S_REPEATABLE_RECORD,
	S_N
};

/* Statements that cannot be prepared. */
static const char store_sql_migration_table[] =
    "CREATE SCHEMA IF NOT EXISTS chiso;"
    "CREATE TABLE IF NOT EXISTS chiso.schema_migration ("
    " version int PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,"
    " applied_at timestamptz NOT NULL DEFAULT now(),"
    " applied_by text NOT NULL DEFAULT current_user);"
    "CREATE TABLE IF NOT EXISTS chiso.schema_repeatable ("
    " name text PRIMARY KEY, checksum text NOT NULL,"
    " applied_at timestamptz NOT NULL DEFAULT now(),"
    " applied_by text NOT NULL DEFAULT current_user)";
static const char store_sql_lock[] = "SELECT pg_advisory_lock(7460)";
static const char store_sql_unlock[] = "SELECT pg_advisory_unlock(7460)";
static const char store_sql_migration_path[] = "SET LOCAL search_path = chiso";

static const struct store_stmt migrate_stmt[S_N] = {
    [S_MIGRATION_SAME] = {"migration_same",
			  "SELECT checksum = md5($2) FROM chiso.schema_migration"
			  " WHERE version = $1::int",
			  2},
    [S_MIGRATION_RECORD] = {"migration_record",
			    "INSERT INTO chiso.schema_migration (version, name, checksum)"
			    " VALUES ($1::int, $2, md5($3))",
			    3},
    [S_REPEATABLE_SAME] = {"repeatable_same",
			   "SELECT checksum = md5($2) FROM chiso.schema_repeatable WHERE name = $1",
			   2},
    [S_REPEATABLE_COUNT] = {"repeatable_count", "SELECT count(*) FROM chiso.schema_repeatable", 0},
    [S_REPEATABLE_RECORD] =
	{"repeatable_record",
	 "INSERT INTO chiso.schema_repeatable (name, checksum) VALUES ($1, md5($2))", 2},
};

static int migration_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Reads a whole file into a NUL-terminated string; NULL with err. */
static char *store_slurp(const char *path, char *err, size_t errsize)
{
	FILE *fp = fopen(path, "re");
	char *text = NULL;
	long len;

	if (!fp || fseek(fp, 0, SEEK_END) < 0 || (len = ftell(fp)) < 0 ||
	    fseek(fp, 0, SEEK_SET) < 0 || (text = malloc((size_t)len + 1)) == NULL ||
	    fread(text, 1, (size_t)len, fp) != (size_t)len) {
		snprintf(err, errsize, "%s: %s", path, strerror(errno ? errno : EIO));
		free(text);
		text = NULL;
	} else {
		text[len] = '\0';
	}
	if (fp)
		fclose(fp);
	return text;
}

/* The line of a 0-based offset in text. */
static int store_line_of(const char *text, long off)
{
	int line = 1;
	for (long i = 0; text[i] && i < off; i++)
		if (text[i] == '\n')
			line++;
	return line;
}

/* The text of line `line` of text, without its indentation, at most 120 bytes. */
static void store_line_text(const char *text, int line, char *buf, size_t size)
{
	for (int l = 1; *text && l < line; text++)
		if (*text == '\n')
			l++;
	text += strspn(text, " \t");
	snprintf(buf, size, "%.*s", (int)strcspn(text, "\r\n"), text);
}

/* Skips blanks and comments from p: where the next token starts. */
static const char *sql_skip_blank(const char *p)
{
	for (;;) {
		p += strspn(p, " \t\r\n\f");
		if (p[0] == '-' && p[1] == '-') {
			p += strcspn(p, "\n");
		} else if (p[0] == '/' && p[1] == '*') {
			const char *e = strstr(p + 2, "*/");
			p = e ? e + 2 : p + strlen(p);
		} else {
			return p;
		}
	}
}

/* Past the quoted string, identifier or dollar-quoted body that starts at p. */
static const char *sql_skip_quoted(const char *p)
{
	if (*p == '$') {
		size_t n = 1 + strspn(p + 1, "abcdefghijklmnopqrstuvwxyz"
					     "ABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789");
		char tag[72];
		if (p[n] != '$' || n >= sizeof tag || (n > 1 && p[1] >= '0' && p[1] <= '9'))
			return p + 1; /* $1, not a dollar quote */
		snprintf(tag, sizeof tag, "%.*s", (int)n + 1, p);
		const char *e = strstr(p + n + 1, tag);
		return e ? e + n + 1 : p + strlen(p);
	}
	char q = *p++;
	for (; *p; p++)
		if (*p == q && *++p != q) /* a doubled quote is a quote inside */
			return p;
	return p;
}

/*
 * Where the k-th (0-based) statement of a file starts: the server runs a
 * file's statements in turn and answers each, so the number answered before
 * an error names the statement when the error has no position (a division by
 * zero, a NOT NULL column over rows that have none).
 */
static long sql_stmt_offset(const char *text, int k)
{
	const char *p = sql_skip_blank(text);
	for (int i = 0; *p; i++) {
		while (*p == ';') /* empty statements get no answer */
			p = sql_skip_blank(p + 1);
		if (i == k || !*p)
			break;
		while (*p && *p != ';') {
			if (*p == '\'' || *p == '"' || *p == '$')
				p = sql_skip_quoted(p);
			else if ((p[0] == '-' && p[1] == '-') || (p[0] == '/' && p[1] == '*'))
				p = sql_skip_blank(p);
			else
				p++;
		}
	}
	return p - text;
}

/* The error of statement `done` (0-based) of a file: "file:line: message (context);
 * statement `the line's text`". */
static void store_file_error(struct store *s, const PGresult *res, const char *path,
			     const char *text, int done, char *err, size_t errsize)
{
	const char *pos = PQresultErrorField(res, PG_DIAG_STATEMENT_POSITION);
	const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	const char *ctx = PQresultErrorField(res, PG_DIAG_CONTEXT);
	long off = pos ? atol(pos) - 1 : sql_stmt_offset(text, done);
	int line = store_line_of(text, off);
	char stmt[128];

	if (!msg)
		msg = PQerrorMessage(s->conn);
	store_line_text(text, line, stmt, sizeof stmt);
	snprintf(err, errsize, "%s:%d: %.*s%s%.*s%s%s%s%s", path, line, (int)strcspn(msg, "\n"),
		 msg, ctx ? " (" : "", ctx ? (int)strcspn(ctx, "\n") : 0, ctx ? ctx : "",
		 ctx ? ")" : "", *stmt ? "; statement `" : "", stmt, *stmt ? "`" : "");
}

/*
 * Runs the statements of one file, so that the operator sees which step failed
 * and where without opening it.
 */
static int store_exec_file(struct store *s, const char *path, const char *text, char *err,
			   size_t errsize)
{
	PGresult *res;
	int rc = 0, done = 0;

	if (!PQsendQuery(s->conn, text)) {
		snprintf(err, errsize, "%s: %.*s", path,
			 (int)strcspn(PQerrorMessage(s->conn), "\n"), PQerrorMessage(s->conn));
		return -1;
	}
	/* every answer is read, also after an error, before the connection is used again */
	while ((res = PQgetResult(s->conn)) != NULL) {
		ExecStatusType st = PQresultStatus(res);
		if (rc == 0 && st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
			store_file_error(s, res, path, text, done, err, errsize);
			rc = -1;
		}
		done++;
		PQclear(res);
	}
	return rc;
}

/* Applies one numbered migration inside the run's transaction and records it. */
static int store_apply(struct store *s, const char *path, const char *file, int version,
		       const char *text, char *err, size_t errsize)
{
	char vers[16];
	const char *p[] = {vers, file, text};
	PGresult *res;

	snprintf(vers, sizeof vers, "%d", version);
	if (store_exec_file(s, path, text, err, errsize) < 0 ||
	    (res = store_run(s, &migrate_stmt[S_MIGRATION_RECORD], p, err, errsize)) == NULL)
		return -1;
	PQclear(res);
	return 0;
}

/* The names of dir's numbered files (001_x.sql) or repeatable files (R_x.sql), sorted,
 * with their contents; the caller frees both with store_free_files. */
static int store_sql_files(const char *dir, bool repeatable, char ***names, char ***texts,
			   size_t *n, char *err, size_t errsize)
{
	DIR *d = opendir(dir);
	size_t cap = 0;
	char path[4096];

	*names = *texts = NULL;
	*n = 0;
	if (!d) {
		snprintf(err, errsize, "%s: %s", dir, strerror(errno));
		return -1;
	}
	for (struct dirent *e; (e = readdir(d)) != NULL;) {
		size_t len = strlen(e->d_name);
		bool numbered =
		    len >= 9 && strspn(e->d_name, "0123456789") == 3 && e->d_name[3] == '_';
		bool rep = len > 6 && strncmp(e->d_name, "R_", 2) == 0;
		/* bootstrap.sql and anything else are not migrations */
		if (len < 5 || strcmp(e->d_name + len - 4, ".sql") != 0 ||
		    !(repeatable ? rep : numbered))
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			char **more = realloc(*names, cap * sizeof *more);
			if (!more)
				goto oom;
			*names = more;
		}
		if (((*names)[*n] = strdup(e->d_name)) == NULL)
			goto oom;
		(*n)++;
	}
	closedir(d);
	d = NULL;
	if (*n > 1)
		qsort(*names, *n, sizeof **names, migration_cmp);
	if ((*texts = calloc(*n ? *n : 1, sizeof **texts)) == NULL)
		goto oom;
	for (size_t i = 0; i < *n; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, (*names)[i]);
		if (((*texts)[i] = store_slurp(path, err, errsize)) == NULL)
			return -1;
	}
	return 0;
oom:
	if (d)
		closedir(d);
	snprintf(err, errsize, "out of memory");
	return -1;
}

static void store_free_files(char **names, char **texts, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(names[i]);
		if (texts)
			free(texts[i]);
	}
	free(names);
	free(texts);
}

/* Applies the numbered migrations not applied yet; refuses one changed after it was. */
static int store_migrate_numbered(struct store *s, const char *dir, int *applied, char *err,
				  size_t errsize)
{
	char **names, **texts, path[4096], vers[16];
	size_t n;
	int rc = -1;

	if (store_sql_files(dir, false, &names, &texts, &n, err, errsize) < 0)
		goto done;
	for (size_t i = 0; i < n; i++) {
		int version = atoi(names[i]);
		const char *p[] = {vers, texts[i]};
		snprintf(vers, sizeof vers, "%d", version);
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		PGresult *res = store_run(s, &migrate_stmt[S_MIGRATION_SAME], p, err, errsize);
		if (!res)
			goto done;
		int known = PQntuples(res) == 1, same = known && PQgetvalue(res, 0, 0)[0] == 't';
		PQclear(res);
		if (known && !same) {
			snprintf(err, errsize,
				 "%s: changed after it was applied; write a new migration instead",
				 path);
			goto done;
		}
		if (known)
			continue;
		log_info("applying migration %s", names[i]);
		if (store_apply(s, path, names[i], version, texts[i], err, errsize) < 0)
			goto done;
		(*applied)++;
	}
	rc = 0;
done:
	store_free_files(names, texts, n);
	return rc;
}

/* 1 if every R_ file is recorded with its current checksum and nothing else is, else 0. */
static int store_repeatable_same(struct store *s, char **names, char **texts, size_t n, char *err,
				 size_t errsize)
{
	PGresult *res = store_run(s, &migrate_stmt[S_REPEATABLE_COUNT], NULL, err, errsize);
	if (!res)
		return -1;
	int same = (size_t)atol(PQgetvalue(res, 0, 0)) == n;
	PQclear(res);
	for (size_t i = 0; same && i < n; i++) {
		const char *p[] = {names[i], texts[i]};
		if ((res = store_run(s, &migrate_stmt[S_REPEATABLE_SAME], p, err, errsize)) == NULL)
			return -1;
		same = PQntuples(res) == 1 && PQgetvalue(res, 0, 0)[0] == 't';
		PQclear(res);
	}
	return same;
}

/*
 * When any R_ file changed (or one was added or removed), applies all of them
 * again: functions, views and grants are then exactly what the files say,
 * R_00_reset having dropped the old ones.
 */
static int store_migrate_repeatable(struct store *s, const char *dir, int *applied, char *err,
				    size_t errsize)
{
	char **names, **texts, path[4096];
	size_t n;
	int rc = -1, same;
	PGresult *res;

	if (store_sql_files(dir, true, &names, &texts, &n, err, errsize) < 0)
		goto done;
	if ((same = store_repeatable_same(s, names, texts, n, err, errsize)) != 0) {
		rc = same > 0 ? 0 : -1;
		goto done;
	}
	log_info("applying functions, views and grants (%zu files)", n);
	if (store_exec(s, "DELETE FROM chiso.schema_repeatable", err, errsize) < 0)
		goto done;
	for (size_t i = 0; i < n; i++) {
		const char *p[] = {names[i], texts[i]};
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		if (store_exec_file(s, path, texts[i], err, errsize) < 0 ||
		    (res = store_run(s, &migrate_stmt[S_REPEATABLE_RECORD], p, err, errsize)) ==
			NULL)
			goto done;
		PQclear(res);
	}
	(*applied)++;
	rc = 0;
done:
	store_free_files(names, texts, n);
	return rc;
}

int store_migrate(struct store *s, const char *sql_dir, int *applied, char *err, size_t errsize)
{
	int rc = -1;

	*applied = 0;
	if (store_exec(s, store_sql_lock, err, errsize) < 0)
		return -1;
	/* the bookkeeping tables too: a first run that fails leaves nothing behind */
	if (store_exec(s, "BEGIN", err, errsize) == 0 &&
	    store_exec(s, store_sql_migration_table, err, errsize) == 0 &&
	    store_exec(s, store_sql_migration_path, err, errsize) == 0 &&
	    store_migrate_numbered(s, sql_dir, applied, err, errsize) == 0 &&
	    store_migrate_repeatable(s, sql_dir, applied, err, errsize) == 0 &&
	    store_exec(s, "COMMIT", err, errsize) == 0) {
		rc = 0;
	} else {
		size_t len = strlen(err);
		store_rollback(s);
		if (*applied > 0 && len < errsize)
			snprintf(
			    err + len, errsize - len,
			    "; rolled back whole: the %d step%s of this run before it %s undone "
			    "too; the schema is as it was",
			    *applied, *applied == 1 ? "" : "s", *applied == 1 ? "is" : "are");
		else if (len < errsize)
			snprintf(err + len, errsize - len,
				 "; rolled back: the schema is as it was");
		*applied = 0;
	}
	store_exec(s, store_sql_unlock, (char[8]){0}, 8);
	return rc;
}

/* Reads and runs sql_dir/national/NAME.sql; errors name the file and line. */
static int store_national_file(struct store *s, const char *sql_dir, const char *name, char *err,
			       size_t errsize)
{
	char path[4096];
	char *text;
	int rc;

	snprintf(path, sizeof path, "%s/national/%s.sql", sql_dir, name);
	if ((text = store_slurp(path, err, errsize)) == NULL)
		return -1;
	rc = store_exec_file(s, path, text, err, errsize);
	free(text);
	return rc;
}

int store_national(struct store *s, const char *sql_dir, const char *origin, long long counts[2],
		   char *err, size_t errsize)
{
	const char *const params[1] = {origin};
	PGresult *res;

	if (store_exec(s, "BEGIN", err, errsize) < 0)
		return -1;
	if (origin) {
		/* province.sql reads the origin from this setting (psql users SET it) */
		res = PQexecParams(s->conn, "SELECT set_config('national.origin', $1, true)", 1,
				   NULL, params, NULL, NULL, 0);
		if (PQresultStatus(res) != PGRES_TUPLES_OK) {
			store_error(s, res, "national origin", err, errsize);
			PQclear(res);
			goto rollback;
		}
		PQclear(res);
	}
	if (store_national_file(s, sql_dir, "tables", err, errsize) < 0 ||
	    store_national_file(s, sql_dir, origin ? "province" : "nation", err, errsize) < 0)
		goto rollback;
	res = PQexec(s->conn, "SELECT (SELECT count(*) FROM national.unit),"
			      " (SELECT count(*) FROM national.observation)");
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		store_error(s, res, "national counts", err, errsize);
		PQclear(res);
		goto rollback;
	}
	counts[0] = atoll(PQgetvalue(res, 0, 0));
	counts[1] = atoll(PQgetvalue(res, 0, 1));
	PQclear(res);
	return store_exec(s, "COMMIT", err, errsize);
rollback:
	store_rollback(s);
	return -1;
}
