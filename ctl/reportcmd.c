/*
 * reportcmd: `chisoctl report` and its publish / published subcommands (see reportcmd.h).
 */
#include "reportcmd.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cfg.h"
#include "log.h"
#include "period.h"
#include "progress.h"
#include "repdoc.h"
#include "rephtml.h"
#include "repmd.h"
#include "reptext.h"

static const char reportcmd_usage[] =
    "usage: chisoctl report --period P --unit CODE [--format text|csv|markdown|html]\n"
    "                       [--lang vi|en] [--bom] [--level N] [--output FILE]\n"
    "                       [--published [--version N] | --changes [--version N]\n"
    "                        | --on-structure DATE]\n"
    "       chisoctl report publish --period P --unit CODE [--note TEXT]\n"
    "       chisoctl report published [--period P] [--unit CODE]\n";

enum reportcmd_format { FMT_TEXT, FMT_CSV, FMT_MARKDOWN, FMT_HTML };

struct reportcmd_args {
	char period[PERIOD_ID_MAX + 8];
	const char *unit, *output, *note;
	char on_structure[16]; /* "YYYY-MM-DD": re-express on the structure of that day */
	enum reportcmd_format format;
	enum repfmt_lang lang;
	int level, version;
	bool bom, published, changes, have_period;
};

static int reportcmd_fail_usage(const char *why)
{
	if (why)
		fprintf(stderr, "chisoctl report: %s\n", why);
	fputs(reportcmd_usage, stderr);
	return 2;
}

/* A whole number in [min, max] (cfg_parse_int, strict); -1 if s is not one. */
static int reportcmd_int(const char *s, int min, int max)
{
	char err[160];
	long long v;

	return cfg_parse_int("", s, min, max, &v, err, sizeof err) < 0 ? -1 : (int)v;
}

/* Reads the options; 0, or the exit status of a usage error. */
static int reportcmd_parse(int argc, char **argv, struct reportcmd_args *a)
{
	static const char *const formats[] = {"text", "csv", "markdown", "html"};
	char why[160];

	memset(a, 0, sizeof *a);
	for (int i = 0; i < argc; i++) {
		const char *opt = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(opt, "--bom") == 0) {
			a->bom = true;
			continue;
		}
		if (strcmp(opt, "--published") == 0) {
			a->published = true;
			continue;
		}
		if (strcmp(opt, "--changes") == 0) {
			a->changes = true;
			continue;
		}
		if (!val || strncmp(opt, "--", 2) != 0) {
			snprintf(why, sizeof why, "unexpected \"%s\"", opt);
			return reportcmd_fail_usage(why);
		}
		i++;
		if (strcmp(opt, "--period") == 0) {
			const char *pwhy;
			struct period p;
			if (repfmt_period_canon(val, a->period, sizeof a->period) < 0) {
				period_parse(val, strlen(val), &p, &pwhy);
				return reportcmd_fail_usage(pwhy);
			}
			a->have_period = true;
		} else if (strcmp(opt, "--on-structure") == 0) {
			int32_t day;
			const char *dwhy;
			if (date_parse(val, strlen(val), &day, &dwhy) < 0)
				return reportcmd_fail_usage(dwhy);
			date_format(day, a->on_structure, sizeof a->on_structure);
		} else if (strcmp(opt, "--unit") == 0) {
			a->unit = val;
		} else if (strcmp(opt, "--output") == 0) {
			a->output = val;
		} else if (strcmp(opt, "--note") == 0) {
			a->note = val;
		} else if (strcmp(opt, "--format") == 0) {
			size_t k = 0;
			while (k < 4 && strcmp(formats[k], val) != 0)
				k++;
			if (k == 4)
				return reportcmd_fail_usage(
				    "--format is text, csv, markdown or html");
			a->format = (enum reportcmd_format)k;
		} else if (strcmp(opt, "--lang") == 0) {
			int lang = repfmt_lang_from_name(val);
			if (lang < 0)
				return reportcmd_fail_usage("--lang is vi or en");
			a->lang = (enum repfmt_lang)lang;
		} else if (strcmp(opt, "--level") == 0) {
			if ((a->level = reportcmd_int(val, 1, 9)) < 0)
				return reportcmd_fail_usage("--level is a unit level, 1 to 9");
		} else if (strcmp(opt, "--version") == 0) {
			if ((a->version = reportcmd_int(val, 1, 1000000)) < 0)
				return reportcmd_fail_usage(
				    "--version is a version number, 1 to 1000000");
		} else {
			snprintf(why, sizeof why, "unknown option %s", opt);
			return reportcmd_fail_usage(why);
		}
	}
	return 0;
}

/* Who publishes: the person behind sudo, else the login name. */
static const char *reportcmd_actor(char *buf, size_t size)
{
	const char *who = getenv("SUDO_USER");
	struct passwd *pw;

	if (!who || !*who)
		who = getenv("USER");
	if ((!who || !*who) && (pw = getpwuid(getuid())) != NULL)
		who = pw->pw_name;
	if (!who || !*who) {
		snprintf(buf, size, "uid %u", (unsigned)getuid());
		return buf;
	}
	snprintf(buf, size, "%s", who);
	return buf;
}

static int reportcmd_publish(struct ctl *c, const struct reportcmd_args *a)
{
	struct store_publication pub;
	char err[1024], actor[160];

	if (!a->have_period || !a->unit)
		return reportcmd_fail_usage("publish needs --period and --unit");
	struct store *s = ctl_store(c, CTL_OWNER);
	int rc = store_report_publish(s, a->period, a->unit, reportcmd_actor(actor, sizeof actor),
				      a->note, &pub, err, sizeof err);
	store_close(&s);
	if (rc < 0)
		return ctl_fail(err);
	if (rc > 0) {
		printf("published %s for unit %s as version %d: %d rows, %d units, sha256 %s\n",
		       pub.period, pub.unit_code, pub.version, pub.nrows, pub.nunits,
		       pub.content_hash);
		fprintf(stderr,
			"chisoctl: warning: reading the publication back failed: %s "
			"(see `chisoctl report published`)\n",
			err);
		return 0;
	}
	printf("published %s for unit %s (%s) as version %d at %s (UTC+7): %d rows, %d units, "
	       "sha256 %s\n",
	       pub.period, pub.unit_code, pub.unit_name, pub.version, pub.published_at, pub.nrows,
	       pub.nunits, pub.content_hash);
	return 0;
}

/* Writes s cut or padded to width characters (not bytes: unit names are Vietnamese). */
static void reportcmd_pad(const char *s, int width)
{
	int n = 0;
	const char *p = s;

	for (; *p; p++) {
		if (((unsigned char)*p & 0xC0) == 0x80)
			continue; /* continuation byte */
		if (n == width)
			break;
		n++;
	}
	printf("%.*s%*s", (int)(p - s), s, width - n, "");
}

static int reportcmd_list(struct ctl *c, const struct reportcmd_args *a)
{
	struct store_publication *pubs;
	size_t n;
	char err[1024];

	struct store *s = ctl_store_said(c, CTL_READER);
	int rc = store_publications(s, a->have_period ? a->period : NULL, a->unit, &pubs, &n, err,
				    sizeof err);
	store_close(&s);
	if (rc < 0)
		return ctl_fail(err);
	printf("%-8s %-6s %-24s %4s  %-19s  %-16s %5s  %-12s %s\n", "period", "unit", "name", "ver",
	       "published (UTC+7)", "by", "rows", "sha256", "note");
	for (size_t i = 0; i < n; i++) {
		const struct store_publication *p = &pubs[i];
		printf("%-8s %-6s ", p->period, p->unit_code);
		reportcmd_pad(p->unit_name, 24);
		printf(" %4d%s %-19s  ", p->version, p->latest ? "*" : " ", p->published_at);
		reportcmd_pad(p->actor, 16);
		printf(" %5d  %.12s%s %s\n", p->nrows, p->content_hash,
		       p->content_ok ? "" : " (does not match its seal!)", p->note);
	}
	if (n == 0)
		printf("(no report has been published)\n");
	free(pubs);
	return 0;
}

/* Opens --output (or stdout) and writes the BOM if asked; NULL with a message. */
static FILE *reportcmd_open(const struct reportcmd_args *a)
{
	FILE *out = stdout;

	if (a->output && (out = fopen(a->output, "w")) == NULL) {
		log_err("cannot write %s", a->output);
		return NULL;
	}
	/* Excel reads a CSV as UTF-8 only when it starts with a byte-order mark. */
	if (a->bom)
		fputs("\xEF\xBB\xBF", out);
	return out;
}

/* Closes --output; a write error removes the half-written file. */
static int reportcmd_close(const struct reportcmd_args *a, FILE *out)
{
	if (!a->output)
		return fflush(out) == 0 ? 0 : ctl_fail("cannot write the report");
	if (ferror(out) | (fclose(out) != 0)) {
		remove(a->output);
		log_err("cannot write %s", a->output);
		return 1;
	}
	log_info("report written to %s", a->output);
	return 0;
}

static int reportcmd_changes(struct ctl *c, const struct reportcmd_args *a)
{
	static const enum reptext_format formats[] = {
	    [FMT_TEXT] = REPTEXT_TEXT, [FMT_CSV] = REPTEXT_CSV, [FMT_MARKDOWN] = REPTEXT_MARKDOWN};
	struct store_publication pub;
	struct store_change *changes;
	size_t n;
	char err[1024];
	FILE *out;

	if (a->format == FMT_HTML)
		return reportcmd_fail_usage("--changes is written as text, csv or markdown");
	struct store *s = ctl_store_said(c, CTL_READER);
	int rc = store_report_changes(s, a->period, a->unit, a->version, &pub, &changes, &n, err,
				      sizeof err);
	store_close(&s);
	if (rc < 0)
		return ctl_fail(err);
	if ((out = reportcmd_open(a)) == NULL) {
		free(changes);
		return 1;
	}
	reptext_changes(out, formats[a->format], a->lang, &pub, changes, n);
	free(changes);
	return reportcmd_close(a, out);
}

/* Writes the report in its format; 0, or -1 when out of memory. */
static int reportcmd_write(FILE *out, const struct reportcmd_args *a, const struct repdoc *d)
{
	struct progress *p =
	    progress_new(a->lang == REPFMT_EN ? "Writing the report" : "Đang lập báo cáo",
			 a->lang == REPFMT_EN ? "rows" : "dòng", d->norder);
	int rc = 0;

	switch (a->format) {
	case FMT_CSV:
		reptext_csv(out, d);
		break;
	case FMT_TEXT:
		reptext_text(out, d);
		break;
	case FMT_MARKDOWN:
		repmd_write(out, d, p);
		break;
	case FMT_HTML:
		rc = rephtml_write(out, d, p);
		break;
	}
	progress_done(&p);
	return rc;
}

static int reportcmd_report(struct ctl *c, const struct reportcmd_args *a)
{
	struct repdoc_options opt = {.lang = a->lang, .max_level = a->level};
	struct store_report_set *set = NULL;
	struct repdoc *d = NULL;
	char err[1024];
	FILE *out;
	int rc;

	/* Reading a whole country's figures takes a while: say so on a terminal. */
	struct progress *p =
	    progress_new(a->lang == REPFMT_EN ? "Reading the figures" : "Đang đọc số liệu",
			 a->lang == REPFMT_EN ? "rows" : "dòng", 0);
	progress_update(p, 0);
	struct store *s = ctl_store_said(c, CTL_READER);
	if (a->published)
		rc = store_report_published(s, a->period, a->unit, a->version, &set, err,
					    sizeof err);
	else if (a->on_structure[0])
		rc = store_report_on_structure(s, a->period, a->unit, a->on_structure, &set, err,
					       sizeof err);
	else
		rc = store_report_live(s, a->period, a->unit, &set, err, sizeof err);
	store_close(&s);
	progress_done(&p);
	if (rc < 0)
		return ctl_fail(err);
	if (set->nrows == 0) {
		log_err("no figures for unit %s in period %s", a->unit, a->period);
		if (set->nunmapped > 0)
			log_err("%d unit(s) with figures have no crosswalk row (chisoctl units "
				"crosswalk import): %s",
				set->nunmapped, set->unmapped);
		store_report_set_destroy(&set);
		return 1;
	}
	if ((d = repdoc_new(set, a->period, a->unit, &opt)) == NULL) {
		store_report_set_destroy(&set);
		return ctl_fail("out of memory");
	}
	if ((out = reportcmd_open(a)) == NULL) {
		rc = 1;
	} else if (reportcmd_write(out, a, d) < 0) {
		reportcmd_close(a, out);
		rc = ctl_fail("out of memory");
	} else {
		rc = reportcmd_close(a, out);
	}
	repdoc_destroy(&d);
	store_report_set_destroy(&set);
	return rc;
}

int reportcmd_main(struct ctl *c, int argc, char **argv)
{
	struct reportcmd_args a;
	const char *sub = argc > 0 && strncmp(argv[0], "--", 2) != 0 ? argv[0] : NULL;
	int rc;

	if (sub && strcmp(sub, "publish") != 0 && strcmp(sub, "published") != 0)
		return reportcmd_fail_usage(NULL);
	if ((rc = reportcmd_parse(sub ? argc - 1 : argc, sub ? argv + 1 : argv, &a)) != 0)
		return rc;
	if (sub && a.on_structure[0])
		return reportcmd_fail_usage(
		    "--on-structure goes with a report, not with publish or published");
	if (sub && strcmp(sub, "publish") == 0)
		return reportcmd_publish(c, &a);
	if (sub)
		return reportcmd_list(c, &a);
	if (!a.have_period || !a.unit)
		return reportcmd_fail_usage("--period and --unit are needed");
	if (a.published && a.changes)
		return reportcmd_fail_usage("--published and --changes do not go together");
	if (a.on_structure[0] && (a.published || a.changes))
		return reportcmd_fail_usage("--on-structure re-expresses the live figures only");
	if (a.version && !a.published && !a.changes)
		return reportcmd_fail_usage("--version goes with --published or --changes");
	if (a.changes)
		return reportcmd_changes(c, &a);
	return reportcmd_report(c, &a);
}
