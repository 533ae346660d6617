/* submit: an officer's CSV checked row by row (file:line: column: message), nothing
 * queued from a file with errors, the good rows queued with --partial. */
#include "testutil.h"

#include <fcntl.h>
#include <iconv.h>
#include <sys/stat.h>
#include <unistd.h>

#include "batch.h"
#include "catalog.h"
#include "outbox.h"
#include "submit.h"

/* Runs submit, as the command does, on the len bytes at text with its messages into errs. */
static int run_submit_bytes(const char *dir, const char *text, size_t len, bool partial, bool again,
			    struct submit_result *res, char *errs, size_t size)
{
	char csv[512], odir[512], *said = NULL;
	size_t said_len = 0;
	snprintf(csv, sizeof csv, "%s/in.csv", dir);
	snprintf(odir, sizeof odir, "%s/outbox", dir);
	test_write(csv, text, len);
	char err[512];
	struct outbox *ob = outbox_open(odir, 0, OUTBOX_LOCK_WAIT_MS, err, sizeof err);
	assert_non_null(ob);
	FILE *out = open_memstream(&said, &said_len);
	assert_non_null(out);
	struct submit_opts o = {
	    .batch_rows = 2, .partial = partial, .again = again, .command = true, .out = out};
	int rc = submit_file(ob, csv, test_cat(), &o, res);
	assert_int_equal(fclose(out), 0);
	snprintf(errs, size, "%s", said);
	free(said);
	outbox_close(&ob);
	return rc;
}

static int run_submit_again(const char *dir, const char *text, bool partial, bool again,
			    struct submit_result *res, char *errs, size_t size)
{
	return run_submit_bytes(dir, text, strlen(text), partial, again, res, errs, size);
}

static int run_submit(const char *dir, const char *text, bool partial, struct submit_result *res,
		      char *errs, size_t size)
{
	return run_submit_again(dir, text, partial, false, res, errs, size);
}

#define H    "unit,indicator,period,value\n"
#define A40  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define A241 A40 A40 A40 A40 A40 A40 "a" /* one byte over a note's limit */

/* A file submit refuses whole: what it holds and the message that must name the fault. */
struct refusal {
	const char *name, *csv, *err;
};

static const struct refusal refusals[] = {
    {"ambiguous number", H "21298,population,2024,1.463\n",
     "in.csv:2: value: số không rõ nghĩa \"1.463\""},
    {"percentage", H "21298,internet_users,2024,5.28%\n",
     "in.csv:2: value: số không hợp lệ \"5.28%\": tỷ lệ phần trăm do hệ thống tự tính"},
    {"typed ratio", H "21298,internet_users_pct,2024,5.28\n",
     "in.csv:2: indicator: Chỉ tiêu internet_users_pct là tỷ lệ do hệ thống tự tính từ "
     "internet_users và population"},
    {"unknown indicator", H "21298,internet_user,2024,5\n",
     "in.csv:2: indicator: Không có chỉ tiêu mã \"internet_user\""},
    {"bad unit", H "Sơn Nham,population,2024,5\n",
     "in.csv:2: unit: \"Sơn Nham\" không phải là mã đơn vị"},
    {"bad period", H "21298,population,2024H1,5\n",
     "in.csv:2: period: không nhận dạng được kỳ báo cáo \"2024H1\": hãy ghi 2024S1"},
    {"wrong period type", H "21298,population,2024Q1,5\n",
     "in.csv:2: period: Chỉ tiêu population được báo cáo theo 6 tháng hoặc năm, không "
     "báo cáo theo quý (kỳ 2024Q1: quý I năm 2024)"},
    {"fraction of a count", H "21298,population,2024,5.5\n",
     "in.csv:2: value: Chỉ tiêu population đếm số người nên phải là số nguyên: "
     "5,5 không phải"},
    {"negative", H "21298,population,2024,-5\n",
     "in.csv:2: value: Chỉ tiêu population không được có giá trị âm: -5"},
    {"the command's --partial suggested", H "21298,population,2024,5\n21298,population,2025,x\n",
     "in.csv: 1 dòng sai, chưa dòng nào được đưa vào hàng đợi: hãy sửa rồi gửi lại (hoặc dùng "
     "--partial để đưa ngay 1 dòng đúng vào hàng đợi)"},
    {"duplicate", H "21298,population,2024,5\n21298,population,2024,6\n",
     "in.csv:3: 21298 population 2024 đã có ở dòng 2"},
    /* the typing mistake is caught here, over the whole file: chisod takes
       several rows of one key as a sequence (docs/reliability.md) */
    {"same date twice",
     "unit,indicator,date,value\n21298,population,2024-03-01,5\n"
     "21298,population,2024-03-01,6\n",
     "in.csv:3: 21298 population 2024-03-01 đã có ở dòng 2"},
    {"bad qualifier", "unit,indicator,period,value,qualifier\n21298,population,2024,5,nhiều\n",
     "in.csv:2: qualifier: \"nhiều\" không phải là cách ghi mức độ"},
    {"missing column", "unit,indicator,value\n",
     "dòng tiêu đề phải có các cột unit, indicator, period"},
    {"unknown column", "unit,indicator,period,value,ghi chú\n", "không có cột \"ghi chú\""},
    {"fields", H "21298,population,2024\n", "in.csv:2: cần 4 trường như dòng tiêu đề, nhưng có 3"},
    {"period and date", "unit,indicator,period,date,value\n21298,population,2024,2024-06-01,5\n",
     "chỉ ghi kỳ báo cáo (period) hoặc ngày (date)"},
    {"bad date", "unit,indicator,date,value\n21298,population,31/02/2024,5\n",
     "in.csv:2: date: ngày không hợp lệ \"31/02/2024\": ngày phải từ 1 đến 29 trong "
     "tháng 2 năm 2024"},
    {"not utf-8", H "21298,population,2024,5\n21298,households,2024,S\xf5n\n",
     "in.csv:3: cột D (value): tệp không phải là văn bản UTF-8 (byte 0xF5 ở ký tự thứ 24 "
     "của dòng)"},
    {"a value under an empty header cell",
     "unit,indicator,period,value,,\n"
     "21298,population,2024,5,,x\n",
     "in.csv:2: cột F có giá trị \"x\" nhưng ô tiêu đề của cột này để trống"},
    {"a value beyond the header", H "21298,population,2024,5, 7 \n",
     "in.csv:2: cột E có giá trị \"7\" nhưng ô tiêu đề"},
    {"fields missing under a named column", "unit,indicator,period,value,,\n1,a,2024\n",
     "in.csv:2: cần 4 trường như dòng tiêu đề, nhưng có 3"},
    {"1.463 in a comma file stays ambiguous", H "21298,population,2024,\"1.463\"\n",
     "in.csv:2: value: số không rõ nghĩa \"1.463\""},
    {"sep= naming no delimiter", "sep=:\n" H, "in.csv:1: dòng \"sep=\" chỉ định dấu phân cách"},
    {"quote error named by its header", H "21298,population,2024,\"5\"0\n",
     "in.csv:2: cột D (value): có chữ sau dấu ngoặc kép đóng ô"},
    {"empty", "", "tệp rỗng"},
    {"note with a line break",
     "unit,indicator,period,value,note\n21298,population,2024,5,\"a\nb\"\n",
     "in.csv:2: note: ghi chú có ký tự điều khiển (xuống dòng, tab...) ở byte thứ 2"},
    {"note with a tab", "unit,indicator,period,value,note\n21298,population,2024,5,x\ty\n",
     "in.csv:2: note: ghi chú có ký tự điều khiển (xuống dòng, tab...) ở byte thứ 2"},
    {"note over the limit", "unit,indicator,period,value,note\n21298,population,2024,5," A241 "\n",
     "in.csv:2: note: ghi chú dài 241 byte, quá giới hạn 240 byte"},
};

static void test_refusals(void **state)
{
	char *dir = test_tmpdir(), errs[4096];
	struct submit_result res;
	(void)state;
	for (size_t i = 0; i < sizeof refusals / sizeof refusals[0]; i++) {
		char sub[512];
		snprintf(sub, sizeof sub, "%s/%zu", dir, i);
		mkdir(sub, 0700);
		if (run_submit(sub, refusals[i].csv, false, &res, errs, sizeof errs) == 0)
			fail_msg("%s: queued", refusals[i].name);
		CHECK_HAS(refusals[i].name, refusals[i].err, errs);
		CHECK_INT(refusals[i].name, 0, res.batches);
	}
	test_rm_rf(dir);
}

static void test_queueing(void **state)
{
	char *dir = test_tmpdir(), errs[4096], sub[512];
	struct submit_result res;
	(void)state;
	snprintf(sub, sizeof sub, "%s/a", dir);
	mkdir(sub, 0700);
	const char *good = "\xEF\xBB\xBF"
			   "unit;indicator;period;value;qualifier;note\r\n"
			   "21298;population;2024;5 000;;\"dân số, ước\"\r\n"
			   "21298;households;2024;1.440,0;khoảng;\r\n"
			   "21298;digital_skills_learners;2024;2000;hơn;\r\n"
			   "536;population;2024S1;19080;;\r\n"
			   "21298;population;2024S1;5000;;\r\n";
	assert_int_equal(run_submit(sub, good, false, &res, errs, sizeof errs), 0);
	CHECK_INT("rows", 5, res.rows);
	CHECK_INT("batches of 2", 3, res.batches);
	CHECK_INT("first seq", 1, res.first_seq);

	/* the stored batches carry normalised values, qualifiers and file:line refs */
	char odir[512], err[512];
	snprintf(odir, sizeof odir, "%s/outbox", sub);
	struct outbox *ob = outbox_open(odir, 0, OUTBOX_LOCK_WAIT_MS, err, sizeof err);
	struct outbox_record *rec;
	struct batch *b;
	assert_int_equal(outbox_read(ob, 1, &rec, err, sizeof err), 0);
	assert_int_equal(
	    batch_decode(rec->body, rec->body_len, &wire_default_limits, &b, err, sizeof err), 0);
	CHECK_STR("grouped value", "5000", b->rows[0].value.text);
	CHECK_STR("decimal comma", "1440", b->rows[1].value.text);
	assert_int_equal(b->rows[1].qualifier, QUAL_ABOUT);
	CHECK_STR("ref", "in.csv:3", b->rows[1].ref);
	CHECK_STR("note", "dân số, ước", b->rows[0].note);
	CHECK_STR("no note", "", b->rows[1].note);
	CHECK_HAS("source", "/in.csv", rec->source);
	batch_destroy(&b);
	outbox_record_destroy(&rec);
	outbox_close(&ob);

	/* --partial queues the good rows and says which were not */
	snprintf(sub, sizeof sub, "%s/b", dir);
	mkdir(sub, 0700);
	assert_int_equal(run_submit(sub,
				    H "21298,population,2024,5000\n21298,population,2025,1.463\n"
				      "21298,population,2024,6000\n",
				    true, &res, errs, sizeof errs),
			 0);
	CHECK_INT("partial rows", 1, res.rows);
	CHECK_INT("partial errors", 2, res.errors);

	/* one key on several dates and by its period is a sequence, not a mistake */
	snprintf(sub, sizeof sub, "%s/c", dir);
	mkdir(sub, 0700);
	assert_int_equal(
	    run_submit(sub,
		       "unit,indicator,period,date,value\n"
		       "21298,population,,2024-05-02,6\n21298,population,,2024-03-01,5\n"
		       "21298,population,2024S1,,7\n",
		       false, &res, errs, sizeof errs),
	    0);
	CHECK_INT("rows of one key on several dates", 3, res.rows);
	test_rm_rf(dir);
}

/* The rows queued in dir's outbox, one "ref unit indicator period value" per row, ';' between. */
static void queued_rows(const char *dir, const struct submit_result *res, char *out, size_t size)
{
	char odir[512], err[512];
	size_t n = 0;
	snprintf(odir, sizeof odir, "%s/outbox", dir);
	struct outbox *ob = outbox_open(odir, 0, OUTBOX_LOCK_WAIT_MS, err, sizeof err);
	assert_non_null(ob);
	out[0] = '\0';
	for (uint64_t seq = res->first_seq; res->batches && seq <= res->last_seq; seq++) {
		struct outbox_record *rec;
		struct batch *b;
		assert_int_equal(outbox_read(ob, seq, &rec, err, sizeof err), 0);
		assert_int_equal(batch_decode(rec->body, rec->body_len, &wire_default_limits, &b,
					      err, sizeof err),
				 0);
		for (size_t i = 0; i < b->nrows; i++)
			n += (size_t)snprintf(out + n, size - n, "%s%s %s %s %s %s", n ? ";" : "",
					      b->rows[i].ref, b->rows[i].unit, b->rows[i].indicator,
					      b->rows[i].period, b->rows[i].value.text);
		batch_destroy(&b);
		outbox_record_destroy(&rec);
	}
	outbox_close(&ob);
}

/* Text (UTF-8) as UTF-16 LE with a byte-order mark, by iconv; *len is set. */
static char *utf16le(const char *text, size_t *len)
{
	iconv_t cd = iconv_open("UTF-16LE", "UTF-8");
	size_t left = strlen(text), room = left * 2 + 4;
	char *out = malloc(room + 2), *in = (char *)text, *o = out + 2;
	assert_true(cd != (iconv_t)-1);
	memcpy(out, "\xFF\xFE", 2);
	assert_true(iconv(cd, &in, &left, &o, &room) != (size_t)-1);
	iconv_close(cd);
	*len = (size_t)(o - out);
	return out;
}

/* Files as Excel and LibreOffice save them are queued with the values the officer typed. */
static void test_dialects(void **state)
{
	static const struct {
		const char *name, *csv;
		bool utf16;
		const char *rows;
	} cases[] = {
	    {"Excel \"Unicode Text\": UTF-16, tab",
	     "unit\tindicator\tperiod\tvalue\tnote\r\n"
	     "21298\tpopulation\t2024\t5000\tdân số, ước\r\n"
	     "21298\tcoverage_4g_pct\t2024\t89,52\t\r\n",
	     true, "in.csv:2 21298 population 2024 5000;in.csv:3 21298 coverage_4g_pct 2024 89.52"},
	    {"sep=; line, grouped thousands",
	     "sep=;\r\nunit;indicator;period;value\r\n"
	     "21298;population;2024;1.463\r\n"
	     "21298;coverage_4g_pct;2024;\"89,52\"\r\n",
	     false,
	     "in.csv:3 21298 population 2024 1463;in.csv:4 21298 coverage_4g_pct 2024 89.52"},
	    {"Excel vi-VN CSV UTF-8: ';' means a decimal comma",
	     "\xEF\xBB\xBFunit;indicator;period;value\r\n21298;population;2024;2.115.025\r\n"
	     "21298;households;2024;1.440\r\n",
	     false, "in.csv:2 21298 population 2024 2115025;in.csv:3 21298 households 2024 1440"},
	    {"blank and ',,,' rows, trailing empty columns, spaces around a heading",
	     "unit , indicator,period,value,,\r\n,,,,,\r\n\r\n21298,population,2024,5000,,\r\n"
	     ",,,,,\r\n536,population,2024,19080\r\n",
	     false, "in.csv:4 21298 population 2024 5000;in.csv:6 536 population 2024 19080"},
	    {"old Mac Excel: CR only", "unit,indicator,period,value\r21298,population,2024,5000\r",
	     false, "in.csv:2 21298 population 2024 5000"},
	};
	char *dir = test_tmpdir(), errs[4096], rows[2048], sub[512];
	struct submit_result res;
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		size_t len = strlen(cases[i].csv);
		char *bytes = cases[i].utf16 ? utf16le(cases[i].csv, &len) : NULL;
		snprintf(sub, sizeof sub, "%s/%zu", dir, i);
		mkdir(sub, 0700);
		int rc = run_submit_bytes(sub, bytes ? bytes : cases[i].csv, len, false, false,
					  &res, errs, sizeof errs);
		free(bytes);
		if (rc != 0)
			fail_msg("%s: refused: %s", cases[i].name, errs);
		queued_rows(sub, &res, rows, sizeof rows);
		CHECK_STR(cases[i].name, cases[i].rows, rows);
	}
	test_rm_rf(dir);
}

/*
 * Batches are cut by bytes as well as by rows: 9000 rows whose notes are 240
 * quotes (480 bytes each once escaped) would make one body of some 5.5 MB,
 * more than a province takes by default; they go in bodies within max_body.
 */
static void test_body_limit(void **state)
{
	char *dir = test_tmpdir(), csvpath[600], odir[600], err[512];
	size_t nrows = 9000, cap = 64 + nrows * 600;
	char *csv = malloc(cap), note[600];
	size_t len = (size_t)sprintf(csv, "unit,indicator,date,value,note\n"), n = 0;
	struct submit_result res;
	(void)state;

	n = (size_t)sprintf(note, "\"");
	for (int i = 0; i < 240; i++)
		n += (size_t)sprintf(note + n, "\"\"");
	sprintf(note + n, "\"");
	for (size_t r = 0; r < nrows; r++)
		len += (size_t)snprintf(csv + len, cap - len,
					"21298,population,%04zu-%02zu-%02zu,%zu,%s\n",
					2000 + r / 336, 1 + r / 28 % 12, 1 + r % 28, r, note);
	snprintf(csvpath, sizeof csvpath, "%s/big.csv", dir);
	snprintf(odir, sizeof odir, "%s/outbox", dir);
	test_write(csvpath, csv, len);
	struct outbox *ob = outbox_open(odir, 0, OUTBOX_LOCK_WAIT_MS, err, sizeof err);
	assert_non_null(ob);
	struct submit_opts o = {.batch_rows = 10000, .out = stderr};
	assert_int_equal(submit_file(ob, csvpath, test_cat(), &o, &res), 0);
	CHECK_INT("rows", nrows, res.rows);
	CHECK_INT("batches cut by bytes", 2, res.batches);
	size_t rows = 0;
	for (uint64_t seq = res.first_seq; seq <= res.last_seq; seq++) {
		struct outbox_record *rec;
		assert_int_equal(outbox_read(ob, seq, &rec, err, sizeof err), 0);
		if (rec->body_len > wire_default_limits.max_body)
			fail_msg("batch %llu: %zu bytes, over %zu", (unsigned long long)seq,
				 (size_t)rec->body_len, wire_default_limits.max_body);
		rows += rec->nrows;
		outbox_record_destroy(&rec);
	}
	CHECK_INT("every row queued once", nrows, rows);
	outbox_close(&ob);
	free(csv);
	test_rm_rf(dir);
}

/* The same bytes twice: the second submit queues nothing and says when the first did. */
static void test_resubmit(void **state)
{
	static const struct {
		const char *name, *csv;
		bool again;
		bool already;
		size_t batches;
		uint64_t first_seq;
	} steps[] = {
	    {"first",
	     H "21298,population,2024,5000\n21298,households,2024,1440\n"
	       "21298,population,2024S1,5000\n",
	     false, false, 2, 1},
	    {"same bytes",
	     H "21298,population,2024,5000\n21298,households,2024,1440\n"
	       "21298,population,2024S1,5000\n",
	     false, true, 0, 1},
	    {"same bytes, --again",
	     H "21298,population,2024,5000\n21298,households,2024,1440\n"
	       "21298,population,2024S1,5000\n",
	     true, false, 2, 3},
	    {"one figure changed",
	     H "21298,population,2024,5001\n21298,households,2024,1440\n"
	       "21298,population,2024S1,5000\n",
	     false, false, 2, 5},
	    /* delivered: the province acknowledged every batch (removed here) */
	    {"same bytes, delivered",
	     H "21298,population,2024,5000\n21298,households,2024,1440\n"
	       "21298,population,2024S1,5000\n",
	     false, false, 2, 7},
	};
	char *dir = test_tmpdir(), errs[4096];
	struct submit_result res;
	(void)state;

	for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
		if (strstr(steps[i].name, "delivered") != NULL) {
			char odir[512], err[512];
			snprintf(odir, sizeof odir, "%s/outbox", dir);
			struct outbox *ob =
			    outbox_open(odir, 0, OUTBOX_LOCK_WAIT_MS, err, sizeof err);
			assert_non_null(ob);
			for (uint64_t q = 1; q <= 6; q++)
				assert_int_equal(outbox_remove(ob, q), 0);
			outbox_close(&ob);
		}
		assert_int_equal(run_submit_again(dir, steps[i].csv, false, steps[i].again, &res,
						  errs, sizeof errs),
				 0);
		if (res.already != steps[i].already || res.batches != steps[i].batches)
			fail_msg("step %s: already %d batches %zu", steps[i].name, res.already,
				 res.batches);
		uint64_t first = res.already ? res.previous.first : res.first_seq;
		if (first != steps[i].first_seq)
			fail_msg("step %s: first seq %llu", steps[i].name,
				 (unsigned long long)first);
	}
	test_rm_rf(dir);
}

/* Lines in text. */
static size_t count_lines(const char *text)
{
	size_t n = 0;
	for (; *text; text++)
		n += *text == '\n';
	return n;
}

/*
 * A long list of errors: the first SUBMIT_ERRORS_SHOWN on the terminal, then
 * the count by kind and where; every row in the reject file, with --partial too.
 */
static void test_error_cap(void **state)
{
	static const struct {
		size_t bad;
		bool partial;
	} cases[] = {{1, false}, {20, false}, {21, false}, {500, false}, {500, true}};
	char *dir = test_tmpdir(), *errs = malloc(1 << 16), path[600], want[128];
	struct submit_result res;
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char sub[512], *csv = malloc(64 * (cases[i].bad + 2));
		size_t len = (size_t)sprintf(csv, H);
		for (size_t r = 0; r < cases[i].bad; r++)
			len += (size_t)sprintf(csv + len, "%s,population,2024,5\n",
					       r % 2 ? "x" : "21298x");
		sprintf(csv + len, "21298,population,2024,5\n");
		snprintf(sub, sizeof sub, "%s/%zu", dir, i);
		mkdir(sub, 0700);
		int rc = run_submit(sub, csv, cases[i].partial, &res, errs, 1 << 16);
		CHECK_INT("queued with --partial only", cases[i].partial ? 0 : -1, rc);
		size_t shown =
		    cases[i].bad < SUBMIT_ERRORS_SHOWN ? cases[i].bad : SUBMIT_ERRORS_SHOWN;
		/* the rows shown, the summary (or where), and "N dòng sai" without --partial */
		CHECK_INT("lines on the terminal", shown + 1 + (cases[i].partial ? 0 : 1),
			  count_lines(errs));
		if (cases[i].bad > SUBMIT_ERRORS_SHOWN) {
			snprintf(want, sizeof want, "... và %zu lỗi khác",
				 cases[i].bad - SUBMIT_ERRORS_SHOWN);
			CHECK_HAS("more", want, errs);
			snprintf(want, sizeof want, "bad_unit: %zu", cases[i].bad);
			CHECK_HAS("kinds", want, errs);
		}
		CHECK_HAS("where", "in.csv.rejected.csv", errs);
		snprintf(path, sizeof path, "%s/in.csv.rejected.csv", sub);
		FILE *fp = fopen(path, "r");
		assert_non_null(fp);
		size_t lines = 0;
		int c;
		while ((c = fgetc(fp)) != EOF)
			lines += c == '\n';
		fclose(fp);
		CHECK_INT("rows in the reject file (and its header)", cases[i].bad + 1, lines);
		free(csv);
	}
	free(errs);
	test_rm_rf(dir);
}

/*
 * Where the rows refused here go: beside the input, else the outbox's
 * rejected/ folder; when neither can be written the message names both.  A
 * directory in the way blocks a place even for root.
 */
static void test_reject_places(void **state)
{
	static const struct {
		const char *name;
		bool block_beside, block_fallback;
		const char *file; /* where the rows land, under the case's folder */
	} cases[] = {
	    {"beside the input", false, false, "in.csv.rejected.csv"},
	    {"beside blocked", true, false, "outbox/rejected/in.csv.rejected.csv"},
	    {"both blocked", true, true, NULL},
	};
	char *dir = test_tmpdir(), errs[8192], path[700];
	struct submit_result res;
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char sub[512], beside[600], fallback[600];
		snprintf(sub, sizeof sub, "%s/%zu", dir, i);
		snprintf(beside, sizeof beside, "%s/in.csv.rejected.csv", sub);
		snprintf(fallback, sizeof fallback, "%s/outbox/rejected/in.csv.rejected.csv", sub);
		mkdir(sub, 0700);
		if (cases[i].block_beside)
			mkdir(beside, 0700);
		if (cases[i].block_fallback) {
			snprintf(path, sizeof path, "%s/outbox", sub);
			mkdir(path, 0700);
			snprintf(path, sizeof path, "%s/outbox/rejected", sub);
			mkdir(path, 0700);
			mkdir(fallback, 0700);
		}
		int rc =
		    run_submit(sub, H "21298x,population,2024,5\n", false, &res, errs, sizeof errs);
		CHECK_INT(cases[i].name, -1, rc);
		if (cases[i].file == NULL) {
			CHECK_HAS(cases[i].name, beside, errs);
			CHECK_HAS(cases[i].name, fallback, errs);
			continue;
		}
		snprintf(path, sizeof path, "%s/%s", sub, cases[i].file);
		CHECK_HAS(cases[i].name, path, errs);
		struct stat st;
		if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
			fail_msg("case %s: no reject file %s", cases[i].name, path);
	}
	test_rm_rf(dir);
}

static void test_qualifiers(void **state)
{
	static const struct {
		const char *in;
		int q;
	} cases[] = {{"", QUAL_NONE},
		     {"at_least", QUAL_AT_LEAST},
		     {"hơn", QUAL_AT_LEAST},
		     {">", QUAL_AT_LEAST},
		     {"trên", QUAL_AT_LEAST},
		     {"dưới", QUAL_AT_MOST},
		     {"at_most", QUAL_AT_MOST},
		     {"khoảng", QUAL_ABOUT},
		     {"~", QUAL_ABOUT},
		     {"about", QUAL_ABOUT},
		     {"nhiều", -1},
		     {"AT_LEAST", -1}};
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		CHECK_INT(cases[i].in, cases[i].q, submit_qualifier(cases[i].in));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_refusals),	  cmocka_unit_test(test_queueing),
	    cmocka_unit_test(test_resubmit),	  cmocka_unit_test(test_qualifiers),
	    cmocka_unit_test(test_body_limit),	  cmocka_unit_test(test_error_cap),
	    cmocka_unit_test(test_reject_places), cmocka_unit_test(test_dialects),
	};
	return cmocka_run_group_tests(tests, test_catalog_setup, test_catalog_teardown);
}
