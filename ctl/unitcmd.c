/*
 * unitcmd: reading and checking a units file, then store_units_import.
 */
#include "unitcmd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "crosswalk.h"
#include "csv.h"
#include "log.h"
#include "period.h"

enum { U_CODE, U_NAME, U_LEVEL, U_PARENT, U_TYPE, U_N };
static const char *const unit_columns[U_N] = {"code", "name", "level", "parent_code", "type"};

struct unit_file {
	struct store_unit *rows;
	char **text; /* owned copies of the fields, U_N per row */
	size_t n, cap;
};

static void unit_file_free(struct unit_file *f)
{
	for (size_t i = 0; i < f->n * U_N; i++)
		free(f->text[i]);
	free(f->text);
	free(f->rows);
}

static bool digits(const char *s, size_t max)
{
	size_t n = strlen(s);
	return n > 0 && n <= max && strspn(s, "0123456789") == n;
}

/* Finds each expected column in the header record; prints one line per missing
 * column and returns how many are missing. */
static long unit_header(const char *path, const struct csv_record *rec, int at[U_N])
{
	long missing = 0;

	for (int k = 0; k < U_N; k++) {
		at[k] = -1;
		for (size_t i = 0; i < rec->nfields; i++)
			if (strcmp(rec->fields[i], unit_columns[k]) == 0)
				at[k] = (int)i;
		if (at[k] < 0) {
			fprintf(stderr,
				"%s:%ld: the header must be "
				"code,name,level,parent_code,"
				"type (no column \"%s\")\n",
				path, rec->line, unit_columns[k]);
			missing++;
		}
	}
	return missing;
}

/* Checks one row's fields; on the first problem prints it and returns false,
 * otherwise stores the parsed level and returns true. */
static bool unit_check(const char *path, long line, const char *const v[U_N], long long *level)
{
	char why[160];
	bool level_ok =
	    cfg_parse_int(unit_columns[U_LEVEL], v[U_LEVEL], 1, 9, level, why, sizeof why) == 0;
	const char *problem = NULL;
	int col = 0;

	if (!digits(v[U_CODE], 16))
		problem = "not a unit code (digits, keep leading zeros)", col = U_CODE;
	else if (!*v[U_NAME])
		problem = "empty name", col = U_NAME;
	else if (!level_ok)
		problem = "level must be a number from 1 to 9", col = U_LEVEL;
	else if (*v[U_PARENT] && !digits(v[U_PARENT], 16))
		problem = "not a unit code", col = U_PARENT;
	else if (!*v[U_TYPE])
		problem = "empty type", col = U_TYPE;
	if (problem) {
		fprintf(stderr, "%s:%ld: %s: %s\n", path, line, unit_columns[col], problem);
		return false;
	}
	return true;
}

/* Appends a checked row with owned copies of its fields; -1 when out of memory
 * (the row may then hold NULL fields, which unit_file_free handles). */
static int unit_append(struct unit_file *f, long line, const char *const v[U_N], int level)
{
	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 256;
		struct store_unit *rows = realloc(f->rows, cap * sizeof *rows);
		char **text = rows ? realloc(f->text, cap * U_N * sizeof *text) : NULL;
		if (rows)
			f->rows = rows;
		if (!rows || !text)
			return -1;
		f->text = text;
		f->cap = cap;
	}
	char **t = &f->text[f->n * U_N];
	int rc = 0;
	for (int k = 0; k < U_N; k++)
		t[k] = strdup(v[k]);
	f->rows[f->n] = (struct store_unit){.line = line,
					    .code = t[U_CODE],
					    .name = t[U_NAME],
					    .level = level,
					    .parent_code = t[U_PARENT],
					    .type = t[U_TYPE]};
	f->n++;
	for (int k = 0; k < U_N; k++)
		if (!t[k])
			rc = -1;
	return rc;
}

/* Reads and checks the whole file; returns the number of errors printed, or -1. */
static long unit_read(const char *path, struct unit_file *f)
{
	FILE *fp = fopen(path, "rb");
	struct csv_reader *r;
	struct csv_record rec;
	int at[U_N], got;
	long errors = 0;
	bool header = false;

	if (!fp) {
		log_err("%s: %s", path, strerror(errno));
		return -1;
	}
	if ((r = csv_reader_new(fp, path)) == NULL) {
		fclose(fp);
		return -1;
	}
	while ((got = csv_next(r, &rec)) != 0) {
		if (got < 0) {
			fprintf(stderr, "%s\n", csv_error(r));
			errors++;
			continue;
		}
		if (!header) {
			header = true;
			errors += unit_header(path, &rec, at);
			if (errors)
				break;
			continue;
		}
		const char *v[U_N];
		for (int k = 0; k < U_N; k++)
			v[k] = (size_t)at[k] < rec.nfields ? rec.fields[at[k]] : "";
		long long level = 0;
		if (!unit_check(path, rec.line, v, &level)) {
			errors++;
			continue;
		}
		if (unit_append(f, rec.line, v, (int)level) < 0) {
			errors = -1;
			break;
		}
	}
	csv_reader_destroy(&r);
	fclose(fp);
	return errors;
}

static int unit_cmp_code(const void *a, const void *b)
{
	return strcmp(((const struct store_unit *)a)->code, ((const struct store_unit *)b)->code);
}

/* Codes must be unique within one structure. */
static long unit_duplicates(const char *path, struct unit_file *f)
{
	struct store_unit *sorted;
	long errors = 0;

	if (f->n < 2)
		return 0;
	if ((sorted = malloc(f->n * sizeof *sorted)) == NULL)
		return -1;
	memcpy(sorted, f->rows, f->n * sizeof *sorted);
	qsort(sorted, f->n, sizeof *sorted, unit_cmp_code);
	for (size_t i = 1; i < f->n; i++)
		if (strcmp(sorted[i].code, sorted[i - 1].code) == 0) {
			fprintf(stderr, "%s:%ld: code: %s is already used at line %ld\n", path,
				sorted[i].line > sorted[i - 1].line ? sorted[i].line
								    : sorted[i - 1].line,
				sorted[i].code,
				sorted[i].line > sorted[i - 1].line ? sorted[i - 1].line
								    : sorted[i].line);
			errors++;
		}
	free(sorted);
	return errors;
}

static int unit_import(struct ctl *c, int argc, char **argv)
{
	const char *path = NULL;
	char from[16] = "-infinity", err[1024];
	struct unit_file f = {0};
	struct store_import_counts counts;
	int rc = 1;

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--valid-from") == 0 && i + 1 < argc) {
			int32_t day;
			const char *why;
			if (date_parse(argv[i + 1], strlen(argv[i + 1]), &day, &why) < 0)
				return ctl_fail(why);
			date_format(day, from, sizeof from);
			i++;
		} else if (!path && argv[i][0] != '-') {
			path = argv[i];
		} else {
			fprintf(stderr,
				"usage: chisoctl units import FILE.csv [--valid-from DATE]\n");
			return 2;
		}
	}
	if (!path) {
		fprintf(stderr, "usage: chisoctl units import FILE.csv [--valid-from DATE]\n");
		return 2;
	}
	long errors = unit_read(path, &f);
	if (errors == 0)
		errors = unit_duplicates(path, &f);
	if (errors == 0 && f.n == 0) {
		log_err("%s: no units in the file", path);
		goto done;
	}
	if (errors != 0) {
		if (errors > 0)
			log_err("%s: %ld error(s), nothing imported", path, errors);
		goto done;
	}
	log_info("importing %zu units from %s (valid from %s)", f.n, path, from);
	struct store *s = ctl_store(c, CTL_OWNER);
	if (store_units_import(s, f.rows, f.n, from, &counts, err, sizeof err) < 0) {
		log_err("%s: %s", path, err);
	} else {
		printf("%s: %zu units: %d added, %d changed, %d closed, %d unchanged\n", path, f.n,
		       counts.added, counts.changed, counts.closed, counts.unchanged);
		rc = 0;
	}
	store_close(&s);
done:
	unit_file_free(&f);
	return rc;
}

static const char unit_usage[] = "usage: chisoctl units import FILE.csv [--valid-from DATE]\n"
				 "       chisoctl units crosswalk import FILE.csv\n";

/* chisoctl units crosswalk import FILE.csv: the syntax of every line here, the units and the
 * weights by the database; nothing is imported while anything is wrong. */
static int unit_crosswalk_import(struct ctl *c, const char *path)
{
	struct crosswalk cw = {0};
	struct store_problem *problems = NULL;
	size_t nproblems = 0;
	char err[1024];
	int imported, rc = 1;
	FILE *fp = fopen(path, "rb");

	if (!fp) {
		log_err("%s: %s", path, strerror(errno));
		return 1;
	}
	long errors = crosswalk_read(fp, path, stderr, &cw);
	fclose(fp);
	if (errors < 0)
		return ctl_fail("out of memory");
	if (errors > 0) {
		log_err("%s: %ld error(s), nothing imported", path, errors);
		return 1;
	}
	struct store *s = ctl_store(c, CTL_OWNER);
	if (store_crosswalk_import(s, cw.rows, cw.n, &imported, &problems, &nproblems, err,
				   sizeof err) < 0) {
		log_err("%s: %s", path, err);
	} else if (nproblems > 0) {
		for (size_t i = 0; i < nproblems; i++)
			fprintf(stderr, "%s:%ld: %s: %s\n", path, problems[i].line,
				problems[i].field, problems[i].message);
		log_err("%s: %zu error(s), nothing imported", path, nproblems);
	} else {
		printf("%s: %d crosswalk rows imported\n", path, imported);
		rc = 0;
	}
	store_close(&s);
	free(problems);
	crosswalk_free(&cw);
	return rc;
}

int unitcmd_main(struct ctl *c, int argc, char **argv)
{
	if (argc >= 1 && strcmp(argv[0], "import") == 0)
		return unit_import(c, argc - 1, argv + 1);
	if (argc == 3 && strcmp(argv[0], "crosswalk") == 0 && strcmp(argv[1], "import") == 0)
		return unit_crosswalk_import(c, argv[2]);
	fputs(unit_usage, stderr);
	return 2;
}
