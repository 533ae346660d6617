/*
 * Unit tests for outbox, one record file (outbox_record.c): a table of
 * damaged files found at open, each moved to corrupt/ (or, not being a
 * record, left alone) while the others are still read, and a record rotting
 * while the outbox is open.  Each test works in its own directory under /tmp.
 */
#include "test_outbox.h"

#include <unistd.h>

#include "log.h"

enum damage { D_TRUNCATE, D_FLIP, D_OTHER_HEX, D_SET, D_APPEND, D_SYMLINK, D_TMP, D_FOREIGN };
enum from { FROM_START, FROM_BODY, FROM_END };

/*
 * Damages the record at path as d says, at an offset counted from its start,
 * its body or its end.  The damaged bytes are written back over the whole
 * file (plat has no pwrite; what the outbox then reads is the same).
 */
static void damage_record(const char *path, enum damage d, enum from from, long at, char ch)
{
	char buf[4096];
	int fd = plat_open(PLAT_CWD, path, PLAT_O_RDWR, 0);
	assert_true(fd >= 0);
	ssize_t n = plat_read_full(fd, buf, sizeof buf - 1);
	assert_true(n > 0);
	long body = 0;
	while (body + 1 < n && !(buf[body] == '\n' && buf[body + 1] == '\n'))
		body++;
	body += 2; /* just past the blank line */
	long off = from == FROM_START ? at : from == FROM_BODY ? body + at : (long)n + at;

	switch (d) {
	case D_TRUNCATE:
		assert_int_equal(plat_truncate(fd, (uint64_t)off), 0);
		break;
	case D_FLIP:
		buf[off] ^= 0x01;
		break;
	case D_OTHER_HEX:
		buf[off] = buf[off] == '0' ? '1' : '0';
		break;
	case D_SET:
		buf[off] = ch;
		break;
	case D_APPEND:
		buf[n++] = 'x';
		break;
	default:
		break;
	}
	assert_int_equal(plat_close(fd), 0);
	if (d == D_FLIP || d == D_OTHER_HEX || d == D_SET || d == D_APPEND) {
		fd = plat_open(PLAT_CWD, path, PLAT_O_WRITE | PLAT_O_TRUNC, 0);
		assert_true(fd >= 0);
		assert_int_equal(plat_write_all(fd, buf, (size_t)n), 0);
		assert_int_equal(plat_close(fd), 0);
	}
}

/* Each case damages record 2 of three, then opens the outbox. */
static const struct {
	const char *name;
	enum damage d;
	enum from from;
	long at;
	char ch;
	size_t corrupt; /* files expected in corrupt/ */
} damage_cases[] = {
    {"truncated to nothing", D_TRUNCATE, FROM_START, 0, 0, 1},
    {"truncated in the header", D_TRUNCATE, FROM_START, 30, 0, 1},
    {"truncated at the end of the header", D_TRUNCATE, FROM_BODY, 0, 0, 1},
    {"truncated in the body", D_TRUNCATE, FROM_BODY, 5, 0, 1},
    {"truncated before the crc line", D_TRUNCATE, FROM_END, -16, 0, 1},
    {"truncated by one byte", D_TRUNCATE, FROM_END, -1, 0, 1},
    {"header byte flipped", D_FLIP, FROM_START, 20, 0, 1},
    {"body byte flipped", D_FLIP, FROM_BODY, 2, 0, 1},
    {"crc digit changed", D_OTHER_HEX, FROM_END, -3, 0, 1},
    {"wrong magic", D_SET, FROM_START, 13, '2', 1},
    {"length mismatch (a byte appended)", D_APPEND, FROM_START, 0, 0, 1},
    {"symlink instead of a record", D_SYMLINK, FROM_START, 0, 0, 1},
    {"stray temporary file", D_TMP, FROM_START, 0, 0, 0},
    {"file that is not a record", D_FOREIGN, FROM_START, 0, 0, 0},
};

static void test_damage_at_open(void **state)
{
	(void)state;

	for (size_t i = 0; i < NELEM(damage_cases); i++) {
		char top[64], ob[80], path[256], other[256];
		struct outbox_stats st;
		const char *name = damage_cases[i].name;

		/* Skipped on Windows: a symbolic link there needs a privilege an agent has not. */
		if (damage_cases[i].d == D_SYMLINK && TEST_WINDOWS)
			continue;

		new_dir(top, sizeof top, ob, sizeof ob);
		struct outbox *o = open_ok(ob, 0);
		for (int k = 0; k < 3; k++)
			put_ok(o, 5, "/x.csv", NULL);
		outbox_close(&o);

		rec_path(path, sizeof path, ob, "pending", 2);
		if (damage_cases[i].d == D_SYMLINK) {
			rec_path(other, sizeof other, ob, "pending", 1);
			assert_int_equal(unlink(path), 0);
			assert_int_equal(test_symlink(other, path), 0);
		} else if (damage_cases[i].d == D_TMP || damage_cases[i].d == D_FOREIGN) {
			snprintf(other, sizeof other, "%s/pending/%s", ob,
				 damage_cases[i].d == D_TMP ? ".tmp-4-99999" : "notes.txt");
			FILE *fp = fopen(other, "wb");
			assert_non_null(fp);
			fputs("CHISO-OUTBOX 1\nepoch 1\n", fp); /* half written */
			fclose(fp);
		} else {
			damage_record(path, damage_cases[i].d, damage_cases[i].from,
				      damage_cases[i].at, damage_cases[i].ch);
		}

		o = open_ok(ob, 0);
		assert_int_equal(outbox_stats(o, &st), 0);
		if (st.corrupt != damage_cases[i].corrupt)
			fail_msg("case %s: %" PRIu64 " corrupt", name, st.corrupt);
		if (damage_cases[i].corrupt) {
			rec_path(other, sizeof other, ob, "corrupt", 2);
			if (exists(path) || !exists(other))
				fail_msg("case %s: record 2 not moved to corrupt/", name);
			expect_list(o, (uint64_t[]){1, 3}, 2, name);
		} else {
			expect_list(o, (uint64_t[]){1, 2, 3}, 3, name);
			expect_record(o, 2, name);
		}
		if (count_entries(ob, "pending", ".tmp-") != 0)
			fail_msg("case %s: a temporary file survived open", name);
		if (damage_cases[i].d == D_FOREIGN && count_entries(ob, "pending", "notes") != 1)
			fail_msg("case %s: a foreign file was touched", name);
		expect_record(o, 1, name);
		expect_record(o, 3, name);
		if (put_ok(o, 1, NULL, NULL) != 4)
			fail_msg("case %s: next seq is not 4", name);
		outbox_close(&o);
		done_dir(top);
	}
}

static void test_rot_while_open(void **state)
{
	char top[64], ob[80], path[256], moved[256], err[512] = "";
	struct outbox_record *rec = NULL;
	struct outbox_stats st;
	(void)state;

	new_dir(top, sizeof top, ob, sizeof ob);
	struct outbox *o = open_ok(ob, 0);
	put_ok(o, 1, NULL, NULL);
	put_ok(o, 1, NULL, NULL);
	/* A file of that name already in corrupt/ is kept; the new one gets ".1". */
	rec_path(moved, sizeof moved, ob, "corrupt", 1);
	FILE *fp = fopen(moved, "wb");
	assert_non_null(fp);
	fclose(fp);
	rec_path(path, sizeof path, ob, "pending", 1);
	damage_record(path, D_FLIP, FROM_BODY, 3, 0);

	assert_int_equal(outbox_read(o, 1, &rec, err, sizeof err), -1);
	assert_null(rec);
	assert_non_null(strstr(err, "is damaged (crc32 mismatch"));
	assert_non_null(strstr(err, "moved to corrupt/, it will not be sent"));
	strcat(moved, ".1");
	assert_true(exists(moved));
	assert_false(exists(path));
	expect_list(o, (uint64_t[]){2}, 1, "after rot");
	assert_int_equal(outbox_stats(o, &st), 0);
	assert_int_equal(st.corrupt, 2);
	assert_int_equal(st.pending_batches, 1);
	outbox_close(&o);
	done_dir(top);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_damage_at_open),
	    cmocka_unit_test(test_rot_while_open),
	};
	/* Warnings about moved records are expected here; keep the output to cmocka's. */
	log_init("test_outbox_record", LOGL_ERR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
