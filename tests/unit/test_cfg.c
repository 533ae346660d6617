/* cfg (through chisod's and the agent's key tables): defaults, file:line errors,
 * unknown keys, bounds, printing and reading back. */
#include "testutil.h"

#include <limits.h>

#include "agentconf.h"
#include "srvconf.h"

static void test_defaults(void **state)
{
	char err[256];
	(void)state;
	struct srvconf *c = srvconf_load(NULL, err, sizeof err);
	assert_non_null(c);
	CHECK_STR("endpoint", "tcp://*:7460", c->endpoint);
	assert_false(c->insecure);
	assert_int_equal(c->max_rows, 10000);
	assert_int_equal(c->io_threads, 2);
	srvconf_destroy(&c);
	srvconf_destroy(&c);
	struct agentconf *a = agentconf_load(NULL, err, sizeof err);
	assert_non_null(a);
	assert_int_equal(a->window, 8);
	agentconf_destroy(&a);
}

/* A configuration file and what loading it must say (err NULL: accepted). */
struct load_case {
	const char *name, *text, *err;
};

/* Loads path with a program's loader; true when it was accepted. */
typedef bool (*load_fn)(const char *path, char *err, size_t errsize);

static bool load_srv(const char *path, char *err, size_t errsize)
{
	struct srvconf *c = srvconf_load(path, err, errsize);
	bool ok = c != NULL;
	srvconf_destroy(&c);
	return ok;
}

static bool load_agent(const char *path, char *err, size_t errsize)
{
	struct agentconf *a = agentconf_load(path, err, errsize);
	bool ok = a != NULL;
	agentconf_destroy(&a);
	return ok;
}

static void run_load_cases(const struct load_case *cases, size_t n, load_fn load)
{
	char *dir = test_tmpdir(), path[256], err[512];
	snprintf(path, sizeof path, "%s/c.conf", dir);
	for (size_t i = 0; i < n; i++) {
		test_write(path, cases[i].text, strlen(cases[i].text));
		err[0] = '\0';
		bool ok = load(path, err, sizeof err);
		if (!cases[i].err) {
			if (!ok)
				fail_msg("%s: refused: %s", cases[i].name, err);
		} else {
			if (ok)
				fail_msg("%s: accepted", cases[i].name);
			CHECK_HAS(cases[i].name, cases[i].err, err);
		}
	}
	test_rm_rf(dir);
}

/* chisod's configuration files: accepted, or refused with a fragment of the error. */
static const struct load_case file_cases[] = {
    {"empty", "", NULL},
    {"values",
     "server: { endpoint = \"tcp://127.0.0.1:9\"; max_rows = 50000; insecure = true; };\n", NULL},
    {"int64", "server: { max_message_bytes = 2048L; };\n", NULL},
    {"unknown key", "server: {\n endpoint = \"tcp://*:1\";\n endpiont = \"y\";\n};\n",
     ":3: unknown key \"server.endpiont\""},
    {"unknown section", "sever: { endpoint = \"tcp://*:1\"; };\n", ":1: unknown section \"sever\""},
    {"wrong type", "server: {\n max_rows = \"50\";\n};\n",
     ":2: server.max_rows: expected an integer"},
    {"bool as int", "server: { insecure = 1; };\n", "expected true or false"},
    {"out of bounds", "server: { max_rows = 0; };\n",
     "server.max_rows: 0 is outside 10000..100000"},
    {"io_threads lowest", "server: { io_threads = 1; };\n", NULL},
    {"io_threads highest", "server: { io_threads = 16; };\n", NULL},
    {"io_threads 0", "server: { io_threads = 0; };\n", ":1: server.io_threads: 0 is outside 1..16"},
    {"io_threads 17", "server: { io_threads = 17; };\n", "server.io_threads: 17 is outside 1..16"},
    {"syntax", "server: { max_rows = ; };\n", ":1: syntax error"},
    {"list", "server: { endpoint = [\"a\"]; };\n", "lists and arrays are not used"},
    {"bad log level", "log: { level = \"loud\"; };\n", "log.level"},
    {"include", "# x\n@include \".\"\n", ":2: @include is not supported"},
    /* every endpoint is parsed and its port checked, with the key and the line */
    {"port 65535", "server: { endpoint = \"tcp://*:65535\"; };\n", NULL},
    {"port 1", "server: { endpoint = \"tcp://127.0.0.1:1\"; };\n", NULL},
    {"IPv6 port", "server: { endpoint = \"tcp://[::1]:7460\"; };\n", NULL},
    {"ipc", "server: { endpoint = \"ipc:///run/chiso.sock\"; };\n", NULL},
    {"port 99999", "server: {\n endpoint = \"tcp://*:99999\";\n};\n",
     ":2: server.endpoint: tcp://*:99999: the port must be 1..65535, not \"99999\""},
    {"port 65536", "server: { endpoint = \"tcp://*:65536\"; };\n",
     "server.endpoint: tcp://*:65536: the port must be 1..65535"},
    {"port 0", "server: { endpoint = \"tcp://*:0\"; };\n",
     "server.endpoint: tcp://*:0: the port must be 1..65535, not \"0\""},
    {"port -1", "server: { endpoint = \"tcp://*:-1\"; };\n",
     "the port must be 1..65535, not \"-1\""},
    {"port abc", "server: { endpoint = \"tcp://*:abc\"; };\n",
     "the port must be 1..65535, not \"abc\""},
    {"port +80", "server: { endpoint = \"tcp://*:+80\"; };\n", "not \"+80\""},
    {"port 80x", "server: { endpoint = \"tcp://*:80x\"; };\n", "not \"80x\""},
    {"port empty", "server: { endpoint = \"tcp://*:\"; };\n", "not \"\""},
    {"port wildcard", "server: { endpoint = \"tcp://*:*\"; };\n", "not \"*\""},
    {"no port", "server: { endpoint = \"tcp://host\"; };\n",
     "server.endpoint: tcp://host: expected tcp://HOST:PORT"},
    {"no host", "server: { endpoint = \"tcp://:7460\"; };\n", "expected tcp://HOST:PORT"},
    {"IPv6 unbracketed end", "server: { endpoint = \"tcp://[::1:7460\"; };\n",
     "expected tcp://HOST:PORT"},
    /* a host with a colon is bracketed: not host ":" and port 1 */
    {"IPv6 unbracketed", "server: { endpoint = \"tcp://::1\"; };\n",
     "server.endpoint: tcp://::1: expected tcp://HOST:PORT"},
    {"IPv6 unbracketed with port", "server: { endpoint = \"tcp://::1:7460\"; };\n",
     "expected tcp://HOST:PORT"},
    {"stray bracket", "server: { endpoint = \"tcp://a]:5\"; };\n", "expected tcp://HOST:PORT"},
    {"empty brackets", "server: { endpoint = \"tcp://[]:5\"; };\n", "expected tcp://HOST:PORT"},
    {"bracket inside brackets", "server: { endpoint = \"tcp://[a]b]:5\"; };\n",
     "expected tcp://HOST:PORT"},
    {"IPv6 full form", "server: { endpoint = \"tcp://[2001:db8::7]:7460\"; };\n", NULL},
    {"not tcp", "server: { endpoint = \"udp://*:7460\"; };\n",
     "server.endpoint: udp://*:7460 is not a tcp:// address (nor ipc://)"},
    {"empty endpoint", "server: { endpoint = \"\"; };\n",
     "server.endpoint: empty: expected tcp://HOST:PORT"},
    {"metrics off", "metrics: { listen = \"\"; };\n", NULL},
    {"metrics port", "metrics: { listen = \"tcp://127.0.0.1:9464\"; };\n", NULL},
    {"metrics port 99999", "metrics: { listen = \"tcp://127.0.0.1:99999\"; };\n",
     ":1: metrics.listen: tcp://127.0.0.1:99999: the port must be 1..65535"},
    {"metrics ipc", "metrics: { listen = \"ipc:///run/m\"; };\n",
     "metrics.listen: ipc:///run/m is not a tcp:// address"},
    /* every integer key has bounds */
    {"heartbeat 999", "server: { heartbeat_ms = 999; };\n", "1000..600000"},
    {"statement timeout 0", "database: { statement_timeout_ms = 0; };\n", "100..600000"},
    {"connect timeout 61", "database: { connect_timeout_s = 61; };\n", "1..60"},
    {"commit rows -1", "ingest: { commit_max_rows = -1; };\n", "1..1000000"},
    {"deadline -2", "deadline: { daily = -2; };\n", "deadline.daily: -2 is outside -1..3660"},
    {"huge int64", "server: { max_rows = 99999999999999L; };\n", "outside 10000..100000"},
    {"float", "server: { max_rows = 1.5; };\n", "server.max_rows: expected an integer"},
};

static void test_files(void **state)
{
	(void)state;
	run_load_cases(file_cases, sizeof file_cases / sizeof file_cases[0], load_srv);
}

/* The agent's endpoint is checked like chisod's: a port outside 1..65535 names the key. */
static void test_agent_endpoint(void **state)
{
	static const struct load_case cases[] = {
	    {"default", "", NULL},
	    {"port 7460", "server: { endpoint = \"tcp://tinh.example:7460\"; };\n", NULL},
	    {"port 99999", "server: { endpoint = \"tcp://127.0.0.1:99999\"; };\n",
	     ":1: server.endpoint: tcp://127.0.0.1:99999: the port must be 1..65535"},
	    {"port 0", "server: { endpoint = \"tcp://127.0.0.1:0\"; };\n",
	     "the port must be 1..65535"},
	    {"no port", "server: { endpoint = \"tcp://127.0.0.1\"; };\n", "server.endpoint"},
	    {"ipc", "server: { endpoint = \"ipc:///run/chiso.sock\"; };\n", "not a tcp:// address"},
	    /* CFG_TCP with a non-empty default: "" is not "off" here */
	    {"empty", "server: { endpoint = \"\"; };\n",
	     ":1: server.endpoint: empty: expected tcp://HOST:PORT"},
	    {"empty outbox_dir (CFG_NONEMPTY)", "agent: {\n outbox_dir = \"\";\n};\n",
	     ":2: agent.outbox_dir: must not be empty"},
	};
	(void)state;
	run_load_cases(cases, sizeof cases / sizeof cases[0], load_agent);
}

/* What -nv prints is itself a valid configuration that reads back the same. */
static void test_print_round_trip(void **state)
{
	char *dir = test_tmpdir(), path[256], err[512], *a = NULL, *b = NULL;
	size_t alen, blen;
	(void)state;
	snprintf(path, sizeof path, "%s/p.conf", dir);
	struct srvconf *c = srvconf_load(NULL, err, sizeof err);
	assert_int_equal(cfg_set(srvconf_keys, srvconf_nkeys, c, "database.conninfo",
				 "host='/x y' password=p\"q", err, sizeof err),
			 0);
	FILE *fp = open_memstream(&a, &alen);
	srvconf_print(c, true, fp);
	fclose(fp);
	test_write(path, a, alen);
	struct srvconf *back = srvconf_load(path, err, sizeof err);
	if (!back)
		fail_msg("printed config refused: %s", err);
	fp = open_memstream(&b, &blen);
	srvconf_print(back, true, fp);
	fclose(fp);
	CHECK_STR("round trip", a, b);
	CHECK_STR("quoted", "host='/x y' password=p\"q", back->conninfo);
	free(a);
	a = NULL;
	fp = open_memstream(&a, &alen);
	srvconf_print(back, false, fp);
	fclose(fp);
	CHECK_HAS("secrets hidden", "conninfo = \"(hidden)\"", a);
	assert_int_equal(
	    cfg_set(srvconf_keys, srvconf_nkeys, back, "server.nope", "1", err, sizeof err), -1);
	free(a);
	free(b);
	srvconf_destroy(&c);
	srvconf_destroy(&back);
	test_rm_rf(dir);
}

/* cfg_same per type, and which keys a reload applies (the rest are named as needing a restart). */
static void test_same(void **state)
{
	static const struct {
		const char *path, *value;
		bool same, reload;
	} cases[] = {
	    {"server.endpoint", "tcp://*:7460", true, false},
	    {"server.endpoint", "tcp://*:7461", false, false},
	    {"server.insecure", "false", true, false},
	    {"server.insecure", "true", false, false},
	    {"server.heartbeat_ms", "10000", true, false},
	    {"server.heartbeat_ms", "10001", false, false},
	    {"server.io_threads", "2", true, false},
	    {"server.io_threads", "1", false, false},
	    {"server.max_rows", "20000", false, true},
	    {"ingest.commit_max_rows", "2000", false, true},
	    {"ingest.status_interval_ms", "5000", true, true},
	    {"log.level", "debug", false, true},
	    {"database.conninfo", "", false, false},
	    {"metrics.listen", "", true, false},
	};
	char err[256];
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct srvconf *a = srvconf_load(NULL, err, sizeof err);
		struct srvconf *b = srvconf_load(NULL, err, sizeof err);
		assert_non_null(a);
		assert_non_null(b);
		assert_int_equal(cfg_set(srvconf_keys, srvconf_nkeys, b, cases[i].path,
					 cases[i].value, err, sizeof err),
				 0);
		const struct cfg_key *k = NULL;
		for (size_t j = 0; j < srvconf_nkeys; j++)
			if (strcmp(srvconf_keys[j].path, cases[i].path) == 0)
				k = &srvconf_keys[j];
		assert_non_null(k);
		if (cfg_same(k, a, b) != cases[i].same ||
		    ((k->flags & CFG_RELOAD) != 0) != cases[i].reload)
			fail_msg("%s = %s: same %d reload %d", cases[i].path, cases[i].value,
				 cfg_same(k, a, b), (k->flags & CFG_RELOAD) != 0);
		srvconf_destroy(&a);
		srvconf_destroy(&b);
	}
}

/* Every integer key of both tables has a range (a key added with 0, 0 would accept only 0). */
static void test_bounds(void **state)
{
	static const struct {
		const struct cfg_key *keys;
		const size_t *n;
	} tables[] = {{srvconf_keys, &srvconf_nkeys}, {agentconf_keys, &agentconf_nkeys}};
	(void)state;
	for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++)
		for (size_t i = 0; i < *tables[t].n; i++) {
			const struct cfg_key *k = &tables[t].keys[i];
			if (k->type == CFG_INT && k->min >= k->max)
				fail_msg("%s: range %lld..%lld", k->path, k->min, k->max);
		}
}

/*
 * The one strict integer parser (config values, the agent's --timeout, chisoctl's
 * --level and --version, a units file's level): digits only, in range, and the
 * message names the option.
 */
static void test_parse_int(void **state)
{
	static const struct {
		const char *text;
		long long min, max;
		int rc;
		long long value;
		const char *err;
	} cases[] = {
	    {"60", 1, 604800, 0, 60, NULL},
	    {"1", 1, 604800, 0, 1, NULL},
	    {"604800", 1, 604800, 0, 604800, NULL},
	    {"-3", -5, 5, 0, -3, NULL},
	    {"-0", 0, 5, 0, 0, NULL},
	    {"abc", 1, 604800, -1, 0, "--timeout: \"abc\" is not a whole number (1..604800)"},
	    {"", 1, 604800, -1, 0, "--timeout: \"\" is not a whole number"},
	    {"5s", 1, 604800, -1, 0, "--timeout: \"5s\" is not a whole number"},
	    {" 5", 1, 604800, -1, 0, "is not a whole number"},
	    {" +5", 1, 9, -1, 0, "is not a whole number"},
	    {"+5", 1, 604800, -1, 0, "is not a whole number"},
	    {"5 ", 1, 9, -1, 0, "is not a whole number"},
	    {"\t5", 1, 9, -1, 0, "is not a whole number"},
	    {"-", -5, 5, -1, 0, "is not a whole number"},
	    {"--5", -5, 5, -1, 0, "is not a whole number"},
	    {"- 5", -5, 5, -1, 0, "is not a whole number"},
	    {"0x10", 1, 604800, -1, 0, "is not a whole number"},
	    {"0", 1, 604800, -1, 0, "--timeout: 0 is outside 1..604800"},
	    {"-3", 1, 604800, -1, 0, "--timeout: -3 is outside"},
	    {"604801", 1, 604800, -1, 0, "--timeout: 604801 is outside"},
	    {"99999999999999999999", 1, 604800, -1, 0, "is outside 1..604800"},
	    {"-99999999999999999999", LLONG_MIN, 0, -1, 0, "is outside"},
	};
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char err[256] = "";
		long long v = 0;
		int rc = cfg_parse_int("--timeout", cases[i].text, cases[i].min, cases[i].max, &v,
				       err, sizeof err);
		CHECK_INT(cases[i].text, cases[i].rc, rc);
		if (rc == 0)
			CHECK_INT(cases[i].text, cases[i].value, v);
		else
			CHECK_HAS(cases[i].text, cases[i].err, err);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults),	     cmocka_unit_test(test_files),
	    cmocka_unit_test(test_print_round_trip), cmocka_unit_test(test_same),
	    cmocka_unit_test(test_bounds),	     cmocka_unit_test(test_agent_endpoint),
	    cmocka_unit_test(test_parse_int),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
