/* zapq: which ZAP requests wait for a look-up, when a read is asked for, and which registry
 * answers them.  Each table is a script of steps against one queue; a registry is written
 * as "key:E key:R" (enrolled, revoked), and the answers a step gives as "key=verdict ". */
#include "testutil.h"

#include "zapq.h"

enum op {
	PARK,	 /* who at now: expect 0 parked, -1 refused (full) */
	READ,	 /* zapq_read_due at now: expect the generation asked for, 0 if none */
	REG,	 /* a registry of generation gen knowing reg: answers */
	FAILED,	 /* the read of generation gen failed */
	EXPIRE,	 /* zapq_expire at now: answers */
	TIMEOUT, /* zapq_timeout_ms at now: expect */
	PARKMANY /* gen requests k0..k(gen-1) at now: expect the last's result */
};

struct step {
	enum op op;
	int64_t now;
	const char *who; /* PARK: the key; REG: the registry */
	uint64_t gen;
	long long expect;
	const char *answers; /* REG, EXPIRE */
};

struct world {
	const char *reg;
	char answers[512];
};

static enum zapq_look look(void *ctx, const struct zapq_req *r)
{
	const struct world *w = ctx;
	char probe[80];
	const char *hit;

	snprintf(probe, sizeof probe, "%s:", r->who);
	for (hit = strstr(w->reg, probe); hit; hit = strstr(hit + 1, probe))
		if (hit == w->reg || hit[-1] == ' ')
			return hit[strlen(probe)] == 'R' ? ZAPQ_REVOKED : ZAPQ_ENROLLED;
	return ZAPQ_ABSENT;
}

static void answer(void *ctx, const struct zapq_req *r, enum zapq_verdict v)
{
	static const char *const names[] = {"admit", "revoked", "unknown", "expired"};
	struct world *w = ctx;
	size_t len = strlen(w->answers);

	snprintf(w->answers + len, sizeof w->answers - len, "%s=%s ", r->who, names[v]);
}

static void run(const char *table, const struct step *steps, size_t n)
{
	struct zapq q;
	struct world w = {"", ""};
	const struct zapq_ops ops = {&w, look, answer};

	zapq_init(&q);
	for (size_t i = 0; i < n; i++) {
		const struct step *s = &steps[i];
		struct zapq_req r;
		char name[96];
		uint64_t gen = 0;

		snprintf(name, sizeof name, "%s step %zu", table, i);
		w.answers[0] = '\0';
		memset(&r, 0, sizeof r);
		switch (s->op) {
		case PARK:
			snprintf(r.who, sizeof r.who, "%s", s->who);
			CHECK_INT(name, s->expect, zapq_park(&q, &r, s->now));
			break;
		case PARKMANY: {
			int rc = 0;
			for (uint64_t k = 0; k < s->gen; k++) {
				snprintf(r.who, sizeof r.who, "k%llu", (unsigned long long)k);
				rc = zapq_park(&q, &r, s->now);
			}
			CHECK_INT(name, s->expect, rc);
			break;
		}
		case READ:
			if (!zapq_read_due(&q, s->now, &gen))
				gen = 0;
			CHECK_INT(name, s->expect, (long long)gen);
			break;
		case REG:
			w.reg = s->who;
			zapq_registry(&q, s->gen, &ops);
			break;
		case FAILED:
			zapq_read_failed(&q, s->gen);
			break;
		case EXPIRE:
			zapq_expire(&q, s->now, &ops);
			break;
		case TIMEOUT:
			CHECK_INT(name, s->expect, zapq_timeout_ms(&q, s->now));
			break;
		}
		CHECK_STR(name, s->answers ? s->answers : "", w.answers);
	}
}

#define RUN(steps) run(__func__, steps, sizeof steps / sizeof steps[0])

/* The race of issue 17: enrolled a moment ago, answered from the read asked for. */
static void test_enrolled_just_now(void **state)
{
	static const struct step steps[] = {
	    {TIMEOUT, 0, NULL, 0, -1, NULL}, /* nothing parked: no deadline */
	    {PARK, 100, "new", 0, 0, NULL},
	    {TIMEOUT, 100, NULL, 0, 0, NULL}, /* a read is due now */
	    {READ, 100, NULL, 0, 1, NULL},
	    {READ, 101, NULL, 0, 0, NULL},	 /* one in flight: not twice */
	    {TIMEOUT, 101, NULL, 0, 4999, NULL}, /* then only the expiry */
	    {REG, 130, "old:E new:E", 1, 0, "new=admit "},
	    {TIMEOUT, 130, NULL, 0, -1, NULL},
	};
	(void)state;
	RUN(steps);
}

/* A key nobody enrolled: refused by the read begun after it, not by an older one. */
static void test_unknown_refused_after_read(void **state)
{
	static const struct step steps[] = {
	    {PARK, 0, "a", 0, 0, NULL},
	    {READ, 0, NULL, 0, 1, NULL},
	    {PARK, 10, "b", 0, 0, NULL}, /* parked while read 1 is in flight */
	    {READ, 10, NULL, 0, 0, NULL},
	    {REG, 20, "x:E", 0, 0, NULL},	  /* a notification's registry refuses nothing */
	    {REG, 30, "x:E", 1, 0, "a=unknown "}, /* read 1 began before b: b waits */
	    {READ, 30, NULL, 0, 2, NULL},
	    {REG, 40, "x:E b:E", 2, 0, "b=admit "},
	};
	(void)state;
	RUN(steps);
}

/* Any registry that knows the key answers it at once, revoked or not. */
static void test_known_answers_at_once(void **state)
{
	static const struct step steps[] = {
	    {PARK, 0, "a", 0, 0, NULL},
	    {PARK, 0, "r", 0, 0, NULL},
	    {PARK, 0, "z", 0, 0, NULL},
	    {READ, 0, NULL, 0, 1, NULL},
	    {REG, 5, "a:E r:R", 0, 0, "a=admit r=revoked "}, /* gen 0: z stays */
	    {REG, 9, "a:E r:R", 1, 0, "z=unknown "},
	};
	(void)state;
	RUN(steps);
}

/* A failed read (database down) refuses nothing; the next is asked for within the rate,
 * and a request that waited ZAPQ_WAIT_MS is refused. */
static void test_database_down(void **state)
{
	static const struct step steps[] = {
	    {PARK, 0, "a", 0, 0, NULL},
	    {READ, 0, NULL, 0, 1, NULL},
	    {FAILED, 1, NULL, 1, 0, NULL},
	    {READ, 1, NULL, 0, 2, NULL},
	    {FAILED, 2, NULL, 2, 0, NULL},
	    {READ, 2, NULL, 0, 3, NULL},
	    {FAILED, 3, NULL, 3, 0, NULL},
	    {READ, 3, NULL, 0, 4, NULL},
	    {FAILED, 4, NULL, 4, 0, NULL},
	    {READ, 4, NULL, 0, 5, NULL},
	    {FAILED, 5, NULL, 5, 0, NULL},
	    {READ, 5, NULL, 0, 0, NULL},      /* 5 a second */
	    {TIMEOUT, 5, NULL, 0, 995, NULL}, /* the next window */
	    {READ, 1000, NULL, 0, 6, NULL},
	    {EXPIRE, 4999, NULL, 0, 0, NULL},
	    {EXPIRE, 5000, NULL, 0, 0, "a=expired "},
	    {REG, 5100, "a:E", 6, 0, NULL}, /* too late: already answered */
	};
	(void)state;
	RUN(steps);
}

/* A flood of random keys: bounded queue, refused beyond it; reads stay coalesced. */
static void test_bounded(void **state)
{
	static const struct step steps[] = {
	    {PARKMANY, 0, NULL, ZAPQ_MAX, 0, NULL},
	    {PARK, 0, "one-too-many", 0, -1, NULL},
	    {READ, 0, NULL, 0, 1, NULL},
	    {READ, 0, NULL, 0, 0, NULL},
	};
	static const char *const all = "";
	struct world w = {all, ""};
	const struct zapq_ops ops = {&w, look, answer};
	struct zapq q;
	struct zapq_req r;
	(void)state;
	RUN(steps);
	/* the counters, and room again once a read has answered */
	zapq_init(&q);
	memset(&r, 0, sizeof r);
	snprintf(r.who, sizeof r.who, "k");
	for (int i = 0; i < ZAPQ_MAX + 3; i++)
		zapq_park(&q, &r, 0);
	CHECK_INT("parked", ZAPQ_MAX, q.parked);
	CHECK_INT("overflow", 3, q.overflow);
	w.reg = "k:E";
	zapq_registry(&q, 0, &ops);
	CHECK_INT("admitted", ZAPQ_MAX, q.admitted_after_read);
	CHECK_INT("left", 0, q.n);
	CHECK_INT("room again", 0, zapq_park(&q, &r, 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_enrolled_just_now),
	    cmocka_unit_test(test_unknown_refused_after_read),
	    cmocka_unit_test(test_known_answers_at_once),
	    cmocka_unit_test(test_database_down),
	    cmocka_unit_test(test_bounded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
