/*
 * test_message: the message table (sql/R_05_messages.sql, compiled in) is
 * well formed, formats as msg() in the database does, and has a text for
 * every code the C and SQL sources ask it for.
 */
#include "testutil.h"

#include <dirent.h>

#include "message.h"

static void test_format(void **state)
{
	(void)state;
	char buf[512], small[12];
	static const struct {
		const char *name, *code, *a1, *a2, *want;
		int rc;
	} cases[] = {
	    {"one parameter", "unknown_indicator", "no_such", NULL,
	     "Không có chỉ tiêu mã \"no_such\" trong danh mục chỉ tiêu", 0},
	    {"two parameters", "range_between", "0", "100", "từ 0 đến 100", 0},
	    {"no parameter", "source_stored", NULL, NULL, "đã lưu trước đó", 0},
	    {"braces in an argument stay", "unknown_unit", "{unit}", NULL,
	     "Không có đơn vị hành chính mã {unit}", 0},
	    {"a parameter used twice", "week_range", "52", "2023",
	     "tuần phải từ 1 đến 52: năm 2023 có 52 tuần theo ISO", 0},
	    {"a parse error quotes the input", "period_invalid", "2024Q5", "quý phải từ Q1 đến Q4",
	     "kỳ báo cáo không hợp lệ \"2024Q5\": quý phải từ Q1 đến Q4", 0},
	    {"unknown code", "no_such_code", NULL, NULL, "no_such_code", -1},
	    {"too few arguments", "range_between", "0", NULL, "range_between", -1},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int rc =
		    message_format(buf, sizeof buf, cases[i].code, cases[i].a1, cases[i].a2, NULL);
		CHECK_STR(cases[i].name, cases[i].want, buf);
		CHECK_INT(cases[i].name, cases[i].rc, rc < 0 ? -1 : 0);
	}
	/* cut at a character boundary: 11 bytes, "trước" would be cut in ư */
	message_format(small, sizeof small, "source_stored", NULL);
	CHECK_STR("cut", "đã lưu t", small);
}

/* Every {name} of a text is one of its params, and every param is used. */
static void test_table(void **state)
{
	(void)state;
	assert_true(message_table_len > 30);
	for (size_t i = 0; i < message_table_len; i++) {
		const struct message *m = &message_table[i];
		size_t used = 0;
		CHECK_INT(m->code, 1, message_find(m->code) == m); /* codes unique */
		for (const char *t = strchr(m->text, '{'); t; t = strchr(t + 1, '{')) {
			char name[64];
			size_t len = strcspn(t + 1, "}");
			snprintf(name, sizeof name, ",%.*s,", (int)len, t + 1);
			char params[256];
			snprintf(params, sizeof params, ",%s,", m->params);
			CHECK_HAS(m->code, name, params);
			used++;
		}
		if (used < message_nparams(m))
			fail_msg("%s: %zu params, %zu used", m->code, message_nparams(m), used);
		if (strchr(m->text, '}') && !strchr(m->text, '{'))
			fail_msg("%s: stray brace", m->code);
	}
}

/*
 * Reads path and checks that every string literal following one of the
 * markers (a call that takes a message code) names a message.  Returns the
 * number of codes found.
 */
static int check_codes_in(const char *path, const char *const *markers, char quote)
{
	FILE *fp = fopen(path, "rb");
	static char text[1 << 20];
	int found = 0;

	if (!fp)
		fail_msg("%s: cannot read", path);
	size_t n = fread(text, 1, sizeof text - 1, fp);
	fclose(fp);
	text[n] = '\0';
	for (const char *const *mk = markers; *mk; mk++) {
		for (const char *p = strstr(text, *mk); p; p = strstr(p + 1, *mk)) {
			const char *end = strpbrk(p, ";");
			/* SQL: msg('code', ...); C: the literal among the first arguments */
			const char *q = p + strlen(*mk) + strspn(p + strlen(*mk), " \t\n");
			if (quote == '"')
				q = strchr(q, quote);
			else if (*q != quote)
				q = NULL;
			if (!q || (end && q > end))
				continue; /* the code is a variable: checked where it is named */
			char code[64];
			size_t len = strcspn(q + 1, quote == '"' ? "\"" : "'");
			snprintf(code, sizeof code, "%.*s", (int)len, q + 1);
			if (!message_find(code))
				fail_msg("%s: code \"%s\" has no message", path, code);
			found++;
		}
	}
	return found;
}

static int check_dir(const char *dir, const char *suffix, const char *const *markers, char quote)
{
	const char *src = getenv("CHISO_SOURCE_DIR");
	char path[4096];
	int found = 0;

	snprintf(path, sizeof path, "%s/%s", src ? src : ".", dir);
	DIR *d = opendir(path);
	if (!d)
		fail_msg("%s: cannot open", path);
	for (struct dirent *e; (e = readdir(d)) != NULL;) {
		size_t len = strlen(e->d_name), sl = strlen(suffix);
		if (len <= sl || strcmp(e->d_name + len - sl, suffix) != 0)
			continue;
		char file[8192];
		snprintf(file, sizeof file, "%s/%s", path, e->d_name);
		found += check_codes_in(file, markers, quote);
	}
	closedir(d);
	return found;
}

static void test_codes_used(void **state)
{
	(void)state;
	static const char *const c_markers[] = {"message_format(", "row_fault(", "period_fail(",
						"num_frame(",	   "num_fail(",	 NULL};
	static const char *const sql_markers[] = {"msg(", NULL};
	static const char *const c_dirs[] = {"lib", "daemon", "collectors", "ctl"};
	int c = 0;
	for (size_t i = 0; i < sizeof c_dirs / sizeof c_dirs[0]; i++)
		c += check_dir(c_dirs[i], ".c", c_markers, '"');
	int sql = check_dir("sql", ".sql", sql_markers, '\'');
	/* the form's script asks the same table (served as /api/messages) with msg("code") */
	static const char *const js_markers[] = {"msg(", NULL};
	int js = check_dir("collectors/formpage", ".js", js_markers, '"');
	/* the scan found the calls: a rename of the functions must update it */
	assert_true(c >= 15);
	assert_true(sql >= 25);
	assert_true(js >= 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_format),
	    cmocka_unit_test(test_table),
	    cmocka_unit_test(test_codes_used),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
