/*
 * chiso-agent: the collector on a commune or district office PC.
 *
 *   chiso-agent submit FILE.csv   check a file and queue it durably
 *   chiso-agent submit FILE.xlsx  the same for an Excel workbook
 *   chiso-agent template          write the Excel workbook an officer fills in
 *   chiso-agent run               deliver the queue to the province
 *   chiso-agent status            what is waiting, what was delivered
 *   chiso-agent service           `run` as the Windows service (install, stop...)
 *   chiso-agent form-url          the address of the officer's form
 *
 * While `run` delivers, it also serves the officer's form in the browser
 * (form.c), whose address `run` and `status` print.
 *
 * See chiso-agent(8) and chiso-agent.conf(5).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agentconf.h"
#include "agentstate.h"
#include "catalog.h"
#include "inbox.h"
#include "form.h"
#include "keys.h"
#include "srvkey.h"
#include "log.h"
#include "num.h"
#include "outbox.h"
#include "plat.h"
#include "sender.h"
#include "startopt.h"
#include "submit.h"
#include "template.h"

/* The Windows service's name (sc query chiso-agent). */
#define AGENT_SERVICE "chiso-agent"

static void usage(FILE *out)
{
	fprintf(
	    out,
	    "usage: chiso-agent [-f FILE] submit [--partial] [--again] FILE.csv|FILE.xlsx ...\n"
	    "       chiso-agent [-f FILE] template [--unit CODE] [--period CODE] [-o FILE.xlsx]\n"
	    "       chiso-agent [-f FILE] run [--until-empty] [--timeout SECONDS]\n"
	    "       chiso-agent [-f FILE] status\n"
	    "       chiso-agent [-f FILE] resend\n"
	    "       chiso-agent [-f FILE] keygen\n"
	    "       chiso-agent [-f FILE] service [install|stop|uninstall]\n"
	    "       chiso-agent [-f FILE] form-url\n"
	    "       chiso-agent [-f FILE] -n [-v]\n"
	    "       chiso-agent --defaults\n"
	    "  -f FILE        configuration (default %s)\n"
	    "  -n             check the configuration and keys, then exit; -v prints it\n"
	    "  --defaults     print every key with its default and comment, then exit\n"
	    "  submit         check each CSV file "
	    "(unit,indicator,period,value[,qualifier][,note])\n"
	    "                 or Excel workbook (a filled template, or those columns on\n"
	    "                 its first sheet) and queue it; nothing is queued from a\n"
	    "                 file with errors\n"
	    "  --partial      queue the good rows of a file that has errors\n"
	    "  --again        queue a file even if the same bytes wait in the outbox\n"
	    "  template       write an Excel workbook to fill in for the unit (default: this\n"
	    "                 agent's) and the period (default: the one open today), by\n"
	    "                 the province's catalogue; -o names it (default\n"
	    "                 chiso-UNIT-PERIOD.xlsx)\n"
	    "  run            send queued batches until stopped\n"
	    "  --until-empty  stop once everything queued is acknowledged\n"
	    "  --timeout S    stop after S seconds (exit 1 if batches are still waiting)\n"
	    "  status         show the queue, the last acknowledgement and the last error\n"
	    "  resend         queue again the acknowledged batches still kept\n"
	    "                 (agent.keep_acked_days), after the province restored its\n"
	    "                 database; it keeps what it has and stores the rest\n"
	    "  keygen         write this agent's keypair where agent.secret_key_file says\n"
	    "                 (NAME.key and NAME.pub); send NAME.pub to the province\n"
	    "  service        Windows: `run`, started by the Service Control Manager;\n"
	    "                 install makes the configuration's and the outbox's folders\n"
	    "                 private (the system and administrators), registers the\n"
	    "                 service \"" AGENT_SERVICE "\" (automatic start, restarted after\n"
	    "                 a failure) and starts it; stop stops it and waits;\n"
	    "                 uninstall stops and removes it (the outbox stays)\n"
	    "  form-url       print the address of the officer's form, with its secret\n"
	    "  --help, --version\n",
	    AGENTCONF_DEFAULT_PATH); /* an argument: on Windows it holds a '%' */
}

/*
 * keygen: the keypair goes where the configuration will look for it, so that
 * a commune's IT staff need no second tool and cannot misplace it; the package
 * runs this once at install time.
 */
static int cmd_keygen(const struct agentconf *c)
{
	char dir[4096], err[512];
	const char *file = c->secret_key_file;
	const char *slash = strrchr(file, '/');
	size_t len = strlen(file);

	if (len < 5 || strcmp(file + len - 4, ".key") != 0) {
		fprintf(stderr, "agent.secret_key_file \"%s\" must end in .key\n", file);
		return 1;
	}
	if (slash) {
		snprintf(dir, sizeof dir, "%.*s", (int)(slash - file), file);
		if (!dir[0])
			snprintf(dir, sizeof dir, "/");
	} else {
		snprintf(dir, sizeof dir, ".");
	}
	const char *base = slash ? slash + 1 : file;
	char name[256];
	snprintf(name, sizeof name, "%.*s", (int)(strlen(base) - 4), base);
	if (!name[0] || keys_generate(dir, name, err, sizeof err) < 0) {
		fprintf(stderr, "%s\n", name[0] ? err : "agent.secret_key_file has no name");
		return 1;
	}
	printf("wrote %s and %s/%s.pub: send %s.pub to the province to be enrolled\n", file, dir,
	       name, name);
	return 0;
}

static void when(int64_t t, char *buf, size_t size)
{
	struct tm tm;
	time_t tt = (time_t)t;
	if (!t) {
		snprintf(buf, size, "never");
		return;
	}
	strftime(buf, size, "%Y-%m-%d %H:%M:%S", plat_localtime(tt, &tm));
}

/*
 * Run by root, an outbox command would leave files of root's that the service
 * (User=chiso-agent) can no longer read or rename, and delivery would stop.
 * So root first becomes the outbox's owner, as `sudo -u` would.  0, or -1.
 */
static int become_outbox_owner(const struct agentconf *c)
{
	char who[64];
	int rc = plat_become_owner(c->outbox_dir, who, sizeof who);

	if (rc == 0)
		return 0;
	if (rc < 0) {
		fprintf(stderr, "cannot become %s, the owner of %s: %s\n", who, c->outbox_dir,
			strerror(errno));
		return -1;
	}
	fprintf(stderr, "note: running as %s, the owner of %s\n", who, c->outbox_dir);
	return 0;
}

static int cmd_submit(const struct agentconf *c, int argc, char **argv)
{
	struct submit_opts o = {
	    .batch_rows = (size_t)c->batch_rows, .command = true, .out = stderr};
	int rc = 0, first = 0;
	char err[512], at[32];

	for (; first < argc && argv[first][0] == '-'; first++) {
		if (strcmp(argv[first], "--partial") == 0) {
			o.partial = true;
		} else if (strcmp(argv[first], "--again") == 0) {
			o.again = true;
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (first >= argc) {
		usage(stderr);
		return 2;
	}
	struct outbox *ob = outbox_open(c->outbox_dir, (uint64_t)c->outbox_max_bytes,
					c->lock_wait_ms, err, sizeof err);
	if (!ob) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	struct catalog *cat = agentstate_catalog(c->outbox_dir);
	if (!cat)
		fprintf(stderr, "note: no catalogue from the province yet (run `chiso-agent run` "
				"once); indicators are checked by the province\n");
	for (int i = first; i < argc; i++) {
		struct submit_result res;
		if (submit_file(ob, argv[i], cat, &o, &res) < 0) {
			rc = 1;
			continue;
		}
		if (res.already) {
			when(res.previous.when, at, sizeof at);
			printf(
			    "%s: already queued on %s as batches %llu..%llu (same content) and "
			    "not delivered yet; not queued again (--again queues it once more)\n",
			    argv[i], at, (unsigned long long)res.previous.first,
			    (unsigned long long)res.previous.last);
		} else if (res.batches == 0)
			printf("%s: no rows to queue\n", argv[i]);
		else
			printf("%s: %zu rows queued in %zu batch%s (%llu..%llu)%s\n", argv[i],
			       res.rows, res.batches, res.batches == 1 ? "" : "es",
			       (unsigned long long)res.first_seq, (unsigned long long)res.last_seq,
			       res.errors ? " (rows with errors left out)" : "");
	}
	catalog_destroy(&cat);
	outbox_close(&ob);
	return rc;
}

/* Template's arguments; 0, or 2 (usage) with the reason on stderr. */
static int template_args(int argc, char **argv, const char **unit, const char **period,
			 const char **out)
{
	*unit = *period = *out = NULL;
	for (int i = 0; i < argc; i++) {
		const char **to = strcmp(argv[i], "--unit") == 0     ? unit
				  : strcmp(argv[i], "--period") == 0 ? period
				  : strcmp(argv[i], "-o") == 0	     ? out
								     : NULL;
		if (!to || i + 1 >= argc || !argv[i + 1][0]) {
			fprintf(stderr, "chiso-agent template: %s \"%s\"\n",
				to ? "missing value after" : "unknown argument", argv[i]);
			usage(stderr);
			return 2;
		}
		*to = argv[++i];
	}
	return 0;
}

static int cmd_template(const struct agentconf *c, int argc, char **argv)
{
	const char *unit, *period, *out;
	char def_period[PERIOD_ID_MAX], def_out[128], err[1024];
	struct agentstate as;

	if (template_args(argc, argv, &unit, &period, &out) != 0)
		return 2;
	struct catalog *cat = agentstate_catalog(c->outbox_dir);
	if (!cat) {
		fprintf(stderr, "no catalogue from the province yet: run `chiso-agent run` once, "
				"then make the template\n");
		return 1;
	}
	if (!unit && agentstate_load(c->outbox_dir, &as) == 0 && as.scope[0])
		unit = as.scope;
	if (!unit) {
		fprintf(stderr, "this agent has not learnt its unit from the province yet: give "
				"--unit CODE\n");
		catalog_destroy(&cat);
		return 1;
	}
	if (!period) {
		template_default_period(cat, date_today(), def_period, sizeof def_period);
		period = def_period;
	}
	if (!out) {
		snprintf(def_out, sizeof def_out, "chiso-%s-%s.xlsx", unit, period);
		out = def_out;
	}
	/* The tier the province gave this agent's own unit; another unit's is not known here. */
	struct wire_welcome w;
	unsigned tier = agentstate_welcome(c->outbox_dir, &w) == 0 && strcmp(w.unit.code, unit) == 0
			    ? catalog_tier_from_name(w.unit.tier)
			    : 0;
	int rc = template_write(out, cat, unit, tier, period, err, sizeof err);
	if (rc == 0)
		printf("%s: template for unit %s, period %s (catalogue %s; indicators of %s)\n",
		       out, unit, period, cat->version ? cat->version : "?",
		       tier ? catalog_tier_name((enum tier)tier) : "every tier");
	else
		fprintf(stderr, "%s\n", err);
	catalog_destroy(&cat);
	return rc == 0 ? 0 : 1;
}

/* The longest --timeout: a week, far beyond any scheduled one-shot run. */
#define RUN_TIMEOUT_MAX (7LL * 24 * 3600)

/* Parses run's arguments; 0, or 2 (usage) with the reason on stderr. */
static int run_args(int argc, char **argv, bool *until_empty, long long *timeout_ms)
{
	char err[256];
	long long secs;

	*until_empty = false;
	*timeout_ms = 0;
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--until-empty") == 0) {
			*until_empty = true;
		} else if (strcmp(argv[i], "--timeout") == 0) {
			if (agentconf_arg_int("--timeout (seconds)",
					      i + 1 < argc ? argv[i + 1] : "", 1, RUN_TIMEOUT_MAX,
					      &secs, err, sizeof err) < 0) {
				fprintf(stderr, "chiso-agent run: %s\n", err);
				return 2;
			}
			*timeout_ms = secs * 1000;
			i++;
		} else {
			fprintf(stderr, "chiso-agent run: unknown argument \"%s\"\n", argv[i]);
			usage(stderr);
			return 2;
		}
	}
	return 0;
}

/* What the drop folder's submits need: submit's own arguments, as `submit` takes them. */
struct run_submit {
	const struct agentconf *c;
	struct outbox *ob;
};

/* inbox_submit_fn: a dropped file goes through submit_file like `submit FILE`. */
static int run_submit_file(void *arg, const char *path, FILE *out, struct submit_result *res)
{
	struct run_submit *rs = arg;
	struct catalog *cat = agentstate_catalog(rs->c->outbox_dir); /* the latest run saved */
	struct submit_opts o = {.batch_rows = (size_t)rs->c->batch_rows, .out = out};
	int rc = submit_file(rs->ob, path, cat, &o, res);

	catalog_destroy(&cat);
	return rc;
}

static void run_inbox_tick(void *arg, int64_t now_ms)
{
	inbox_poll(arg, now_ms);
}

static int cmd_run(const struct agentconf *c, int argc, char **argv)
{
	bool until_empty;
	long long timeout_ms;
	char err[512];
	struct inbox *ib = NULL;

	if (run_args(argc, argv, &until_empty, &timeout_ms) != 0)
		return 2;
	struct outbox *ob = outbox_open(c->outbox_dir, (uint64_t)c->outbox_max_bytes,
					c->lock_wait_ms, err, sizeof err);
	if (!ob)
		log_fatal("%s", err);
	outbox_keep_acked(ob, c->keep_acked_days * 86400);
	struct sender *s = sender_new(c, ob, err, sizeof err);
	if (!s) {
		outbox_close(&ob);
		log_fatal("%s", err);
	}
	struct run_submit rs = {c, ob};
	if (c->inbox_dir[0]) {
		if ((ib = inbox_new(c->inbox_dir, run_submit_file, &rs, err, sizeof err)) == NULL) {
			sender_destroy(&s);
			outbox_close(&ob);
			log_fatal("%s", err);
		}
		sender_set_tick(s, run_inbox_tick, ib);
		log_info("watching %s for files to submit", c->inbox_dir);
	}
	log_info("delivering to %s", c->endpoint);
	/* The form is the officer's, delivery the province's: a form that cannot start
	 * (its port taken by another program) is said, and delivery goes on without it.
	 * It starts after sender_new, whose stop request (plat_stop_new: SIGTERM and SIGINT
	 * blocked) its thread inherits: they must reach the sender, not the form's thread. */
	struct form *fm = NULL;
	char url[512];
	if (c->form_port) {
		if ((fm = form_new(c, err, sizeof err)) == NULL)
			log_err("%s; delivering without the form", err);
		else if (form_url(c, url, sizeof url, err, sizeof err) == 0)
			log_info("form for the officer: %s", url);
	}
	int rc = sender_run(s, until_empty, timeout_ms);
	inbox_destroy(&ib);
	form_destroy(&fm);
	sender_destroy(&s);
	outbox_close(&ob);
	return rc;
}

/* resend: the acknowledged batches kept in acked/ go back to pending/, keys unchanged. */
static int cmd_resend(const struct agentconf *c)
{
	char err[512];
	uint64_t moved = 0;
	struct outbox *ob = outbox_open(c->outbox_dir, (uint64_t)c->outbox_max_bytes,
					c->lock_wait_ms, err, sizeof err);

	if (!ob || outbox_resend(ob, &moved, err, sizeof err) != 0) {
		fprintf(stderr, "%s\n", err);
		outbox_close(&ob);
		return 1;
	}
	printf("%llu acknowledged batches queued again; `run` sends them (the province "
	       "answers those it has as duplicates)\n",
	       (unsigned long long)moved);
	outbox_close(&ob);
	return 0;
}

/* form-url: the form's address, which the Windows installer puts in the desktop shortcut. */
static int cmd_form_url(const struct agentconf *c)
{
	char url[512], err[512];

	if (!c->form_port) {
		fprintf(stderr, "form.port is 0: this agent serves no form\n");
		return 1;
	}
	if (form_url(c, url, sizeof url, err, sizeof err) != 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	printf("%s\n", url);
	return 0;
}

static int check_config(const struct agentconf *c, const char *path, int verbose);

/* The folder that holds path ("." when none), into buf. */
static void parent_dir(const char *path, char *buf, size_t size)
{
	const char *slash = strrchr(path, '/'), *back = strrchr(path, '\\');

	if (back && (!slash || back > slash))
		slash = back;
	if (!slash)
		snprintf(buf, size, ".");
	else
		snprintf(buf, size, "%.*s", (int)(slash - path), path);
}

/* plat_service_run's body: `run` until the service manager stops it. */
static int service_body(void *arg)
{
	return cmd_run(arg, 0, NULL);
}

/*
 * service install: the configuration's folder (the keys) and the outbox's
 * parent (the data, the form's secret) private first, so that the service
 * never starts on a key others can read; then the service, which runs this
 * program with this configuration.
 */
static int service_install(const struct agentconf *c)
{
	char conf[4096], dir[4096], args[4200], err[1024];
	struct plat_service svc = {
	    .name = AGENT_SERVICE,
	    .display = "chiso-agent: gửi số liệu chỉ số về tỉnh",
	    .description = "Gửi số liệu chỉ số của đơn vị về máy chủ của tỉnh và phục vụ biểu "
			   "mẫu nhập số liệu trên trình duyệt (lối tắt \"Nhập số liệu chỉ số\").",
	    .args = args};

	if (plat_abspath(c->path, conf, sizeof conf) != 0) {
		fprintf(stderr, "%s: %s\n", c->path, strerror(errno));
		return 1;
	}
	snprintf(args, sizeof args, "-f \"%s\" service", conf);
	parent_dir(conf, dir, sizeof dir);
	if (plat_secure_path(dir, err, sizeof err) != 0)
		goto fail;
	parent_dir(c->outbox_dir, dir, sizeof dir);
	if (plat_exists(PLAT_CWD, dir, true) && plat_secure_path(dir, err, sizeof err) != 0)
		goto fail;
	/* A key others could read, or a missing server key, stops the install, not the service. */
	if (check_config(c, conf, 0) != 0)
		return 1;
	if (plat_service_install(&svc, err, sizeof err) != 0)
		goto fail;
	printf("service %s installed and started (configuration %s)\n", AGENT_SERVICE, conf);
	return 0;
fail:
	fprintf(stderr, "%s\n", err);
	return 1;
}

static int cmd_service(struct agentconf *c, int argc, char **argv)
{
	char err[1024], log[4096];
	const char *sub = argc > 0 ? argv[0] : "";
	int rc;

	if (strcmp(sub, "install") == 0)
		return service_install(c);
	if (strcmp(sub, "stop") == 0 || strcmp(sub, "uninstall") == 0) {
		bool remove = strcmp(sub, "uninstall") == 0;
		if (plat_service_stop(AGENT_SERVICE, remove, err, sizeof err) != 0) {
			fprintf(stderr, "%s\n", err);
			return 1;
		}
		printf("service %s %s\n", AGENT_SERVICE, remove ? "removed" : "stopped");
		return 0;
	}
	/* The log sits beside the outbox, in the folder the installer made private; a
	 * file, so its lines carry the time a journal would add. */
	log_set_stamp(true);
	parent_dir(c->outbox_dir, log, sizeof log);
	strncat(log, "/chiso-agent.log", sizeof log - strlen(log) - 1);
	if ((rc = plat_service_run(AGENT_SERVICE, log, service_body, c, err, sizeof err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	return rc;
}

static int cmd_status(const struct agentconf *c)
{
	char err[512], t1[32], t2[32], rows[32];
	struct outbox_stats st;
	struct agentstate as;
	struct outbox *ob = outbox_open(c->outbox_dir, (uint64_t)c->outbox_max_bytes,
					c->lock_wait_ms, err, sizeof err);

	if (!ob) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	outbox_stats(ob, &st);
	agentstate_load(c->outbox_dir, &as);
	num_format_vi((double)st.pending_rows, 0, rows, sizeof rows);
	printf("outbox:        %s\n", c->outbox_dir);
	printf("pending:       %llu batches, %s rows, %.1f MiB of %.1f MiB allowed\n",
	       (unsigned long long)st.pending_batches, rows, (double)st.pending_bytes / 1048576.0,
	       (double)c->outbox_max_bytes / 1048576.0);
	if (st.pending_batches) {
		when(st.oldest_created, t1, sizeof t1);
		printf("oldest:        %s\n", t1);
	}
	when(as.last_ack, t1, sizeof t1);
	when(as.last_contact, t2, sizeof t2);
	printf("last ack:      %s (last contact %s)\n", t1, t2);
	if (as.last_error[0]) {
		when(as.last_error_at, t1, sizeof t1);
		printf("last error:    %s: %s\n", t1, as.last_error);
	} else {
		printf("last error:    none\n");
	}
	printf("delivered:     %llu batches, %llu rows, %llu refused by the province\n",
	       (unsigned long long)as.acked_batches, (unsigned long long)as.acked_rows,
	       (unsigned long long)as.rejected_rows);
	printf("refused here:  %llu submissions (outbox full), %llu corrupt records kept aside\n",
	       (unsigned long long)st.refused, (unsigned long long)st.corrupt);
	printf("kept:          %llu acknowledged batches, for `resend` (%lld days)\n",
	       (unsigned long long)st.acked, c->keep_acked_days);
	if (as.collector[0])
		printf("collector:     %s, unit %s, catalogue %s\n", as.collector, as.scope,
		       as.catalog_version);
	char url[512];
	if (c->form_port && form_url(c, url, sizeof url, err, sizeof err) == 0)
		printf("form:          %s (while `chiso-agent run` runs)\n", url);
	else if (c->form_port)
		printf("form:          %s\n", err);
	outbox_close(&ob);
	return 0;
}

/*
 * The command and its arguments are checked before the configuration is
 * read: a typo gets the usage at once, not an error about a file.  0 if they
 * are well formed, else the exit status (2).
 */
static int check_command(int argc, char **argv)
{
	bool until_empty;
	long long timeout_ms;
	const char *cmd = optind < argc ? argv[optind] : NULL;
	int nargs = argc - optind - 1;
	if (!cmd) {
		usage(stderr);
		return 2;
	}
	const char *unit, *period, *out;
	if (strcmp(cmd, "run") == 0 &&
	    run_args(nargs, argv + optind + 1, &until_empty, &timeout_ms) != 0)
		return 2;
	if (strcmp(cmd, "template") == 0 &&
	    template_args(nargs, argv + optind + 1, &unit, &period, &out) != 0)
		return 2;
	if (strcmp(cmd, "service") == 0 &&
	    (nargs > 1 || (nargs == 1 && strcmp(argv[optind + 1], "install") != 0 &&
			   strcmp(argv[optind + 1], "stop") != 0 &&
			   strcmp(argv[optind + 1], "uninstall") != 0))) {
		fprintf(stderr, "chiso-agent service: install, stop, uninstall or nothing\n");
		usage(stderr);
		return 2;
	}
	if ((strcmp(cmd, "status") == 0 || strcmp(cmd, "keygen") == 0 ||
	     strcmp(cmd, "resend") == 0 || strcmp(cmd, "form-url") == 0) &&
	    nargs != 0) {
		fprintf(stderr, "chiso-agent %s: takes no arguments\n", cmd);
		usage(stderr);
		return 2;
	}
	if (strcmp(cmd, "submit") != 0 && strcmp(cmd, "run") != 0 && strcmp(cmd, "status") != 0 &&
	    strcmp(cmd, "keygen") != 0 && strcmp(cmd, "template") != 0 &&
	    strcmp(cmd, "resend") != 0 && strcmp(cmd, "service") != 0 &&
	    strcmp(cmd, "form-url") != 0) {
		fprintf(stderr, "unknown command \"%s\"\n", cmd);
		usage(stderr);
		return 2;
	}
	return 0;
}

/* -n: the configuration and the key files it names; the exit status. */
static int check_config(const struct agentconf *c, const char *path, int verbose)
{
	struct keypair kp;
	struct srvkey sk = {0};
	char err[1024];
	/* The key file's own error names the key file; say which setting led there. */
	if (!c->insecure && keys_read_secret(c->secret_key_file, &kp, err, sizeof err) < 0) {
		fprintf(stderr, "%s: agent.secret_key_file: %s\n", path, err);
		return 1;
	}
	if (!c->insecure &&
	    srvkey_load(&sk, c->server_public_key_file, c->server_public_key_next_file, false, err,
			sizeof err) < 0) {
		fprintf(stderr, "%s: %s\n", path, err);
		return 1;
	}
	if (sk.next_err[0]) { /* the agent would set it aside; -n says so */
		fprintf(stderr, "%s: %s\n", path, sk.next_err);
		return 1;
	}
	if (verbose)
		agentconf_print(c, stdout);
	else
		fprintf(stderr, "%s: configuration OK\n", path);
	return 0;
}

/* Runs the command check_command accepted; the exit status. */
static int dispatch(struct agentconf *c, int argc, char **argv)
{
	const char *cmd = argv[optind];
	int nargs = argc - optind - 1;
	if (strcmp(cmd, "submit") == 0)
		return become_outbox_owner(c) < 0 ? 1 : cmd_submit(c, nargs, argv + optind + 1);
	if (strcmp(cmd, "run") == 0)
		return become_outbox_owner(c) < 0 ? 1 : cmd_run(c, nargs, argv + optind + 1);
	if (strcmp(cmd, "status") == 0)
		return become_outbox_owner(c) < 0 ? 1 : cmd_status(c);
	if (strcmp(cmd, "resend") == 0)
		return become_outbox_owner(c) < 0 ? 1 : cmd_resend(c);
	if (strcmp(cmd, "template") == 0)
		return cmd_template(c, nargs, argv + optind + 1);
	if (strcmp(cmd, "service") == 0)
		return cmd_service(c, nargs, argv + optind + 1);
	if (strcmp(cmd, "form-url") == 0)
		return cmd_form_url(c);
	return cmd_keygen(c); /* "keygen", without arguments: check_command saw to it */
}

int main(int argc, char **argv)
{
	char err[1024], conf[4096];
	/* The default's %ProgramData% (Windows) named by the system: plat_path_expand. */
	if (plat_path_expand(AGENTCONF_DEFAULT_PATH, conf, sizeof conf) != 0)
		snprintf(conf, sizeof conf, "%s", AGENTCONF_DEFAULT_PATH);
	struct startopt o = {
	    .program = "chiso-agent", .usage = usage, .stop_at_command = true, .path = conf};

	plat_console_init();
	argv = plat_args(argc, argv);
	int rc = startopt_parse(&o, argc, argv);

	if (rc >= 0)
		return rc;
	if (!o.check_only && !o.defaults_only && (rc = check_command(argc, argv)) != 0)
		return rc;
	/* --defaults reads no file: config/chiso-agent.conf is its output */
	struct agentconf *c = agentconf_load(o.defaults_only ? NULL : o.path, err, sizeof err);
	if (!c) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if (o.defaults_only) {
		printf(
		    "# chiso-agent.conf: every key with its default and what it is for\n"
		    "# (chiso-agent --defaults; chiso-agent.conf(5)).  Unknown keys are errors.\n"
		    "# Check a change with: chiso-agent -f FILE -n\n\n");
		agentconf_print(c, stdout);
		agentconf_destroy(&c);
		return 0;
	}
	log_init("chiso-agent", (enum log_level)log_level_from_name(c->log_level));
	rc = o.check_only ? check_config(c, o.path, o.verbose) : dispatch(c, argc, argv);
	agentconf_destroy(&c);
	return rc;
}
