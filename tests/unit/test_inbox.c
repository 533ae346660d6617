/*
 * inbox: which names the drop folder takes, and a folder's files through the
 * scans with a stand-in for submit: nothing before a file has settled, a file
 * still growing waits, a good file goes to done/ and a bad one to refused/
 * with their notes (and the reject file), a failure outside the file leaves
 * it in place until the retry.
 */
#include "testutil.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "inbox.h"
#include "outbox.h"

static void test_takes(void **state)
{
	static const struct {
		const char *name;
		int takes;
	} cases[] = {
	    {"bao-cao.csv", 1},
	    {"BAO-CAO.CSV", 1},
	    {"unicode.txt", 1},
	    {"tab.tsv", 1},
	    {"mau-bao-cao.xlsx", 1},
	    {"~$mau-bao-cao.xlsx", 0},
	    {".bao-cao.csv", 0},
	    {"~$bao-cao.csv", 0},
	    {"bao-cao.csv~", 0},
	    {"bao-cao.csv.tmp", 0},
	    {"bao-cao.csv.rejected.csv", 0},
	    {"bao-cao.pdf", 0},
	    {"csv", 0},
	    {".csv", 0},
	    {"bao-cao.csv.note.txt", 1}, /* submit refuses it, naming its header */
	};
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		CHECK_INT(cases[i].name, cases[i].takes, inbox_takes(cases[i].name));
}

struct fake {
	int calls;
};

/* Stands in for submit_file: good* queue 3 rows, bad* are refused with a reject file, busy*
 * meet a full outbox. */
static int fake_submit(void *arg, const char *path, FILE *out, struct submit_result *res)
{
	struct fake *f = arg;
	const char *base = strrchr(path, '/') + 1;
	f->calls++;
	if (strncmp(base, "good", 4) == 0) {
		res->rows = 1463;
		res->batches = 1;
		res->first_seq = res->last_seq = 5;
		return 0;
	}
	if (strncmp(base, "busy", 4) == 0) {
		fprintf(out, "%s: hàng đợi đã đầy\n", path);
		res->transient = true;
		return -1;
	}
	char rj[600];
	snprintf(rj, sizeof rj, "%s.rejected.csv", path);
	test_write(rj, "line,reason\n2,bad_value\n", 24);
	fprintf(out, "%s:2: value: số không hợp lệ \"x\"\n%s: các dòng sai được ghi vào %s\n", path,
		path, rj);
	res->rejects_beside = true;
	return -1;
}

/* The one entry of dir/sub whose name ends in suffix, into out; the count of such. */
static int find_entry(const char *dir, const char *sub, const char *suffix, char *out, size_t size)
{
	char path[600];
	int n = 0;
	snprintf(path, sizeof path, "%s/%s", dir, sub);
	DIR *d = opendir(path);
	assert_non_null(d);
	for (struct dirent *e; (e = readdir(d)) != NULL;) {
		size_t len = strlen(e->d_name), sl = strlen(suffix);
		if (len >= sl && strcmp(e->d_name + len - sl, suffix) == 0) {
			snprintf(out, size, "%s/%s", path, e->d_name);
			n++;
		}
	}
	closedir(d);
	return n;
}

static char *slurp(const char *path)
{
	static char buf[4096];
	FILE *fp = fopen(path, "rb");
	assert_non_null(fp);
	size_t n = fread(buf, 1, sizeof buf - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

/* Writes name in dir with the modification time t (seconds), so that a change is seen. */
static void put(const char *dir, const char *name, const char *text, time_t t)
{
	char path[600];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	test_write(path, text, strlen(text));
	test_set_mtime(path, t);
}

static void test_flow(void **state)
{
	char *tmp = test_tmpdir(), dir[600], err[512], path[700], found[700];
	struct fake f = {0};
	(void)state;
	snprintf(dir, sizeof dir, "%s/inbox", tmp);
	struct inbox *ib = inbox_new(dir, fake_submit, &f, err, sizeof err);
	assert_non_null(ib);
	put(dir, "good.csv", "unit,indicator,period,value\n", 1000);
	put(dir, "bad.csv", "unit,indicator,period,value\n", 1000);
	put(dir, "busy.csv", "unit\n", 1000);
	put(dir, "growing.csv", "unit", 1000);
	put(dir, "~$good.csv", "lock", 1000);
	put(dir, ".hidden.csv", "x", 1000);

	CHECK_INT("first scan moves nothing", 0, inbox_poll(ib, 10000));
	CHECK_INT("not settled after 1 s", 0, inbox_poll(ib, 11000));
	CHECK_INT("no submit before settling", 0, f.calls);
	put(dir, "growing.csv", "unit,indicator", 1001); /* Excel still writing */
	CHECK_INT("within the scan interval nothing happens", 0, inbox_poll(ib, 11500));
	CHECK_INT("settled: good and bad moved", 2, inbox_poll(ib, 12100));
	CHECK_INT("good, bad, busy submitted; growing not", 3, f.calls);

	assert_int_equal(find_entry(dir, "done", "-good.csv", found, sizeof found), 1);
	snprintf(path, sizeof path, "%s.note.txt", found);
	CHECK_STR("done note",
		  "Tệp good.csv: đã đưa 1.463 dòng vào hàng đợi (lô 5 đến 5); máy sẽ tự gửi lên "
		  "tỉnh khi có kết nối\n",
		  slurp(path));
	assert_int_equal(find_entry(dir, "refused", "-bad.csv", found, sizeof found), 1);
	snprintf(path, sizeof path, "%s.note.txt", found);
	char *note = slurp(path);
	CHECK_HAS("refused note heading", "Tệp bad.csv chưa được gửi vì có các lỗi dưới đây", note);
	CHECK_HAS("refused note names the inbox", dir, note);
	CHECK_HAS("refused note has submit's words", "bad.csv:2: value: số không hợp lệ \"x\"",
		  note);
	snprintf(path, sizeof path, "%s.rejected.csv", found);
	CHECK_INT("reject file moved beside it", 0, access(path, F_OK));
	CHECK_HAS("the note says where the reject file is now", path, note);
	snprintf(path, sizeof path, "%s/bad.csv.rejected.csv", dir);
	CHECK_INT("no reject file left in the inbox", -1, access(path, F_OK));
	snprintf(path, sizeof path, "%s/busy.csv", dir);
	CHECK_INT("busy stays", 0, access(path, F_OK));
	snprintf(path, sizeof path, "%s/~$good.csv", dir);
	CHECK_INT("lock file stays", 0, access(path, F_OK));

	CHECK_INT("growing settles later", 1, inbox_poll(ib, 14200));
	CHECK_INT("busy not retried before a minute", 4, f.calls);
	CHECK_INT("busy retried after a minute", 0, inbox_poll(ib, 12100 + INBOX_RETRY_MS));
	CHECK_INT("calls", 5, f.calls);
	CHECK_INT("nothing done twice", 0, inbox_poll(ib, 200000));
	CHECK_INT("calls at the end", 6, f.calls);
	inbox_destroy(&ib);
	assert_null(ib);
	inbox_destroy(&ib);

	/* A folder that cannot be made is an error naming it. */
	snprintf(path, sizeof path, "%s/good.csv", dir);
	assert_null(inbox_new("/proc/no/such/inbox", fake_submit, &f, err, sizeof err));
	CHECK_HAS("error names the folder", "/proc/no/such/inbox", err);
	test_rm_rf(tmp);
}

struct real {
	struct outbox *ob;
};

/* The real submit_file, as `chiso-agent run` calls it, while another thread logs on stderr. */
static int real_submit(void *arg, const char *path, FILE *out, struct submit_result *res)
{
	struct real *r = arg;
	struct submit_opts o = {.batch_rows = 100, .out = out};
	fprintf(stderr, "<6>form: a log line of another thread\n");
	return submit_file(r->ob, path, test_cat(), &o, res);
}

/* Notes written from the real submit: only its words, no --partial (there is no command line
 * to add it to), and an older reject file of the same name is not taken along. */
static void test_notes(void **state)
{
	char *tmp = test_tmpdir(), dir[600], err[512], path[700], found[700], log[700];
	struct real r;
	(void)state;
	snprintf(path, sizeof path, "%s/outbox", tmp);
	r.ob = outbox_open(path, 0, OUTBOX_LOCK_WAIT_MS, err, sizeof err);
	assert_non_null(r.ob);
	snprintf(dir, sizeof dir, "%s/inbox", tmp);
	struct inbox *ib = inbox_new(dir, real_submit, &r, err, sizeof err);
	assert_non_null(ib);
	put(dir, "bad.csv",
	    "unit,indicator,period,value\n21298,population,2024,5\n21298,population,2024,x\n",
	    1000);
	put(dir, "good.csv", "unit,indicator,period,value\n21298,population,2024,5\n", 1000);
	/* what `chiso-agent submit good.csv` left when the file still had errors */
	put(dir, "good.csv.rejected.csv", "line,unit\n2,21298\n", 1000);

	snprintf(log, sizeof log, "%s/stderr", tmp);
	int saved = test_stderr_begin(log);
	inbox_poll(ib, 10000);
	int moved = inbox_poll(ib, 12100);
	char logged[4096];
	test_stderr_end(saved, log, logged, sizeof logged);
	CHECK_INT("both moved", 2, moved);
	CHECK_HAS("the other thread's line stays in the log", "a log line of another thread",
		  logged);

	assert_int_equal(find_entry(dir, "refused", "-bad.csv", found, sizeof found), 1);
	snprintf(path, sizeof path, "%s.note.txt", found);
	char *note = slurp(path);
	CHECK_HAS("refused note", "bad.csv:3: value:", note);
	CHECK_HAS("refused note", "1 dòng sai, chưa dòng nào được đưa vào hàng đợi\n", note);
	CHECK_INT("no --partial in a note", 0, strstr(note, "--partial") != NULL);
	CHECK_INT("no log line in a note", 0, strstr(note, "another thread") != NULL);
	snprintf(path, sizeof path, "%s.rejected.csv", found);
	CHECK_INT("this submit's reject file moved along", 0, access(path, F_OK));

	assert_int_equal(find_entry(dir, "done", "-good.csv", found, sizeof found), 1);
	snprintf(path, sizeof path, "%s.rejected.csv", found);
	CHECK_INT("an older reject file not moved along", -1, access(path, F_OK));
	snprintf(path, sizeof path, "%s/good.csv.rejected.csv", dir);
	CHECK_INT("the older reject file stays in the inbox", 0, access(path, F_OK));
	inbox_destroy(&ib);
	outbox_close(&r.ob);
	test_rm_rf(tmp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_takes),
	    cmocka_unit_test(test_flow),
	    cmocka_unit_test(test_notes),
	};
	return cmocka_run_group_tests(tests, test_catalog_setup, test_catalog_teardown);
}
