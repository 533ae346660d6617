/* jobq (chisod): sealed jobs wait in order; after a timeout the waiting jobs are cut to the new
 * cap and the failed commit's batches go back to the head, so no queue of jobs too large for a
 * slow database times out one after the other. */
#include "testutil.h"

#include "jobq.h"

static uint64_t seq_next;

/* A job of batches of the given row counts (0 ends), numbered in order. */
static struct job *make_job(const size_t *rows)
{
	struct job *j = job_new();
	for (size_t i = 0; rows[i]; i++) {
		struct batch *b = batch_new(rows[i]);
		b->seq = ++seq_next;
		assert_int_equal(job_add(j, "r", 1, 1, 7, "xa-21298", &b, (int64_t)seq_next), 0);
	}
	return j;
}

/* The queue as batch counts per job, e.g. "211". */
static void shape(const struct jobq *q, char *out, size_t size)
{
	size_t k = 0;
	for (const struct job *j = q->head; j && k + 1 < size; j = j->next)
		out[k++] = (char)('0' + j->n);
	out[k] = '\0';
}

static void test_recut(void **state)
{
	static const struct {
		const char *name;
		size_t jobs[3][5]; /* batch rows per queued job */
		uint64_t limit;
		const char *want; /* batches per job after the cut */
		int want_cut;
	} cases[] = {
	    {"jobs under the cap stay", {{500, 500}, {500}}, 1000, "21", 0},
	    {"a job above the cap is cut in place", {{500, 500, 500, 500}, {100}}, 1000, "221", 1},
	    {"every job is cut", {{400, 400, 400}, {400, 400, 400}}, 500, "111111", 2},
	    {"a single large batch stays whole", {{5000}, {300, 300}}, 500, "111", 1},
	};
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct jobq q;
		uint64_t rows = 0;
		char got[16];
		jobq_init(&q);
		for (size_t k = 0; k < 3 && cases[i].jobs[k][0]; k++) {
			struct job *j = make_job(cases[i].jobs[k]);
			rows += j->rows;
			jobq_push(&q, &j);
			assert_null(j);
		}
		CHECK_INT(cases[i].name, cases[i].want_cut, jobq_recut(&q, cases[i].limit));
		shape(&q, got, sizeof got);
		CHECK_STR(cases[i].name, cases[i].want, got);
		CHECK_INT(cases[i].name, (long long)strlen(cases[i].want), (long long)q.n);
		CHECK_INT(cases[i].name, (long long)rows, (long long)q.rows);
		/* Order kept, and the tail still appends after the last job. */
		struct job *extra = make_job((size_t[]){10, 0});
		jobq_push(&q, &extra);
		uint64_t last = 0;
		struct job *j;
		while ((j = jobq_pop(&q)) != NULL) {
			for (size_t e = 0; e < j->n; e++) {
				assert_true(j->entries[e].batch->seq > last);
				last = j->entries[e].batch->seq;
			}
			job_destroy(&j);
		}
		CHECK_INT(cases[i].name, (long long)seq_next, (long long)last);
		CHECK_INT(cases[i].name, 0, (long long)q.rows);
		jobq_clear(&q);
	}
}

static void test_push_front(void **state)
{
	struct jobq q;
	char got[16];
	(void)state;
	jobq_init(&q);
	struct job *later = make_job((size_t[]){100, 0});
	jobq_push(&q, &later);
	/* A timed-out job of four batches comes back cut in two, ahead of the waiting one. */
	struct job *failed = make_job((size_t[]){300, 300, 300, 300, 0}), *chain = NULL;
	assert_int_equal(job_split(failed, 600, &chain), 2);
	assert_int_equal(failed->n, 0);
	job_destroy(&failed);
	jobq_push_front(&q, &chain);
	assert_null(chain);
	shape(&q, got, sizeof got);
	CHECK_STR("failed commit first", "221", got);
	CHECK_INT("rows", 1300, (long long)q.rows);
	struct job *tail = make_job((size_t[]){1, 0});
	jobq_push(&q, &tail);
	shape(&q, got, sizeof got);
	CHECK_STR("tail kept", "2211", got);
	jobq_clear(&q);
	CHECK_INT("cleared", 0, (long long)q.n);
	/* Onto an empty queue the chain's last job becomes the tail. */
	struct job *one = make_job((size_t[]){5, 0});
	jobq_push_front(&q, &one);
	struct job *two = make_job((size_t[]){5, 5, 0});
	jobq_push(&q, &two);
	shape(&q, got, sizeof got);
	CHECK_STR("empty queue", "12", got);
	jobq_clear(&q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_recut),
	    cmocka_unit_test(test_push_front),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
