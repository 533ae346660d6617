/*
 * Unit tests for outbox, acknowledged records kept (outbox_acked.c): with
 * keeping on, a removed record moves to acked/ and resend puts it back in
 * pending/ readable under its own key; a record kept longer than the setting
 * is pruned, a younger one is not; with keeping off a removed record is gone
 * and resend finds nothing.  Each test works in its own directory under /tmp.
 */
#include "test_outbox.h"

#include <time.h>

#include "log.h"

#define DAY (24 * 3600)

static void resend_ok(struct outbox *o, uint64_t want)
{
	char err[512] = "";
	uint64_t moved = 99;

	if (outbox_resend(o, &moved, err, sizeof err) != 0)
		fail_msg("outbox_resend: %s", err);
	assert_int_equal(moved, want);
}

/* Sets the ACK time of acked record seq to days ago. */
static void age_acked(const char *ob, uint64_t seq, int days)
{
	char path[256];

	rec_path(path, sizeof path, ob, "acked", seq);
	assert_int_equal(test_set_mtime(path, time(NULL) - (time_t)days * DAY), 0);
}

static void test_keep_and_resend(void **state)
{
	char top[64], ob[80];
	struct outbox_stats st;
	(void)state;

	new_dir(top, sizeof top, ob, sizeof ob);
	struct outbox *o = open_ok(ob, 0);
	outbox_keep_acked(o, 7 * DAY);
	put_ok(o, 1, NULL, NULL);
	put_ok(o, 1, NULL, NULL);
	put_ok(o, 1, NULL, NULL);
	assert_int_equal(outbox_remove(o, 1), 0);
	assert_int_equal(outbox_remove(o, 2), 0);
	assert_int_equal(outbox_remove(o, 2), 0); /* already gone: fine */
	expect_list(o, (uint64_t[]){3}, 1, "after two acks");
	assert_int_equal(count_entries(ob, "acked", NULL), 2);
	assert_int_equal(outbox_stats(o, &st), 0);
	assert_int_equal(st.acked, 2);
	assert_int_equal(st.pending_batches, 1);

	resend_ok(o, 2);
	expect_list(o, (uint64_t[]){1, 2, 3}, 3, "after resend");
	expect_record(o, 1, "resent 1");
	expect_record(o, 2, "resent 2");
	assert_int_equal(count_entries(ob, "acked", NULL), 0);
	resend_ok(o, 0);
	outbox_close(&o);

	/* A new process sees the same: the kept records are on disk, not in memory. */
	o = open_ok(ob, 0);
	outbox_keep_acked(o, 7 * DAY);
	assert_int_equal(outbox_remove(o, 1), 0);
	outbox_close(&o);
	o = open_ok(ob, 0);
	resend_ok(o, 1);
	expect_list(o, (uint64_t[]){1, 2, 3}, 3, "resend after reopen");
	outbox_close(&o);
	done_dir(top);
}

static void test_prune(void **state)
{
	char top[64], ob[80];
	uint64_t removed = 0;
	(void)state;

	new_dir(top, sizeof top, ob, sizeof ob);
	struct outbox *o = open_ok(ob, 0);
	outbox_keep_acked(o, 7 * DAY);
	for (int i = 0; i < 3; i++)
		put_ok(o, 1, NULL, NULL);
	for (uint64_t seq = 1; seq <= 3; seq++)
		assert_int_equal(outbox_remove(o, seq), 0);
	age_acked(ob, 1, 8);
	age_acked(ob, 2, 6);
	assert_int_equal(outbox_prune_acked(o, time(NULL), &removed), 0);
	assert_int_equal(removed, 1);
	assert_int_equal(count_entries(ob, "acked", NULL), 2);
	/* A file that is not a record is left alone. */
	char path[256];
	snprintf(path, sizeof path, "%s/acked/notes.txt", ob);
	FILE *fp = fopen(path, "wb");
	assert_non_null(fp);
	fclose(fp);
	assert_int_equal(outbox_prune_acked(o, time(NULL) + 30 * DAY, &removed), 0);
	assert_int_equal(removed, 2);
	assert_true(exists(path));
	resend_ok(o, 0);
	outbox_close(&o);
	done_dir(top);
}

static void test_keeping_off(void **state)
{
	char top[64], ob[80];
	(void)state;

	new_dir(top, sizeof top, ob, sizeof ob);
	struct outbox *o = open_ok(ob, 0);
	put_ok(o, 1, NULL, NULL);
	put_ok(o, 1, NULL, NULL);
	assert_int_equal(outbox_remove(o, 1), 0);
	expect_list(o, (uint64_t[]){2}, 1, "keeping off");
	assert_int_equal(count_entries(ob, "acked", NULL), 0);
	resend_ok(o, 0);
	/* Kept under an earlier setting, then keeping off: pruned at the next ACK. */
	outbox_keep_acked(o, 7 * DAY);
	assert_int_equal(outbox_remove(o, 2), 0);
	assert_int_equal(count_entries(ob, "acked", NULL), 1);
	outbox_keep_acked(o, 0);
	put_ok(o, 1, NULL, NULL);
	assert_int_equal(outbox_remove(o, 3), 0);
	assert_int_equal(count_entries(ob, "acked", NULL), 0);
	outbox_close(&o);
	done_dir(top);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_keep_and_resend),
	    cmocka_unit_test(test_prune),
	    cmocka_unit_test(test_keeping_off),
	};
	log_init("test_outbox_acked", LOGL_ERR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
