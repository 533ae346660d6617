/*
 * Unit tests for ctl/crosswalk.c: tables of weights and of whole files, each
 * with what the reader must give: the canonical weight or the refusal, the
 * rows kept, and the exact "file:line: field: message" lines an officer reads.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crosswalk.h"

struct weight_case {
	const char *in;
	long millionths;  /* -1: refused */
	const char *text; /* canonical, or the start of the reason */
};

static const struct weight_case weight_cases[] = {
    {"1", 1000000, "1"},
    {"0.5", 500000, "0.5"},
    {"0,25", 250000, "0.25"},
    {"1.000000", 1000000, "1"},
    {"0.333333", 333333, "0.333333"},
    {"0.000001", 1, "0.000001"},
    {"0.0000001", -1, "a weight has at most 6 decimals"},
    {"0", -1, "a weight must be more than 0"},
    {"0.0", -1, "a weight must be more than 0"},
    {"1.5", -1, "a weight must be more than 0 and at most 1"},
    {"2", -1, "a weight must be more than 0 and at most 1"},
    {"", -1, "a weight is a decimal"},
    {".5", -1, "a weight is a decimal"},
    {"0.", -1, "a weight is a decimal"},
    {"-0.5", -1, "a weight is a decimal"},
    {"50%", -1, "a weight is a decimal"},
    {"1e0", -1, "a weight is a decimal"},
    {"0.5.1", -1, "a weight is a decimal"},
};

static void test_weights(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof weight_cases / sizeof weight_cases[0]; i++) {
		const struct weight_case *c = &weight_cases[i];
		char buf[16] = "";
		const char *why = NULL;
		long m = 0;
		int rc = crosswalk_weight(c->in, &m, buf, sizeof buf, &why);
		if (c->millionths < 0) {
			if (rc != -1 || strncmp(why, c->text, strlen(c->text)) != 0)
				fail_msg("\"%s\": expected refusal \"%s\", got %d \"%s\"", c->in,
					 c->text, rc, why ? why : "");
		} else {
			if (rc != 0 || m != c->millionths || strcmp(buf, c->text) != 0)
				fail_msg("\"%s\": expected %ld \"%s\", got %d %ld \"%s\"", c->in,
					 c->millionths, c->text, rc, m, buf);
		}
	}
}

struct file_case {
	const char *name;
	const char *in;
	long errors;	  /* crosswalk_read's result */
	size_t rows;	  /* rows kept */
	const char *err;  /* everything printed, exactly */
	const char *last; /* the last row as "old@date>new@date*weight|source" */
};

#define H "old_code,old_date,new_code,new_date,weight,source\n"

static const struct file_case file_cases[] = {
    {"merge",
     H "21298,2025-06-30,21292,2025-07-01,1,NQ 1677\n"
       "21295,2025-06-30,21292,2025-07-01,1,NQ 1677\n",
     0, 2, "", "21295@2025-06-30>21292@2025-07-01*1|NQ 1677"},
    {"source is optional, columns in any order",
     "weight,new_date,new_code,old_date,old_code\n1,2025-07-01,21292,2025-06-30,21298\n", 0, 1, "",
     "21298@2025-06-30>21292@2025-07-01*1|"},
    {"split with a decimal comma (quoted)",
     H "21298,2025-06-30,21292,2025-07-01,\"0,6\",\n21298,2025-06-30,21289,2025-07-01,0.4,\n", 0, 2,
     "", "21298@2025-06-30>21289@2025-07-01*0.4|"},
    {"dates are normalised", H "536,30/06/2025,21548,2025-07-01,1,\n", 0, 1, "",
     "536@2025-06-30>21548@2025-07-01*1|"},
    {"every bad line is reported",
     H "21298x,2025-06-30,21292,2025-07-01,1,\n"
       ",2025-06-30,21292,2025-07-01,1,\n"
       "21298,,21292,2025-07-01,1,\n"
       "21298,2025-06-30,21292,2025-07-01,1.5,\n"
       "21298,2025-06-30,21292,2025-07-01,1,ok\n",
     4, 0,
     "x.csv:2: old_code: not a unit code (digits, keep leading zeros)\n"
     "x.csv:3: old_code: not a unit code (digits, keep leading zeros)\n"
     "x.csv:4: old_date: empty: the day on which that version of the unit was valid\n"
     "x.csv:5: weight: a weight must be more than 0 and at most 1\n",
     NULL},
    {"a header without weight", "old_code,old_date,new_code,new_date\n1,2025-01-01,2,2025-07-01\n",
     1, 0,
     "x.csv:1: the header must be old_code,old_date,new_code,new_date,weight[,source] (no "
     "column \"weight\")\n",
     NULL},
    {"empty file", "", 1, 0, "x.csv: the file is empty\n", NULL},
};

static void test_files(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof file_cases / sizeof file_cases[0]; i++) {
		const struct file_case *c = &file_cases[i];
		FILE *in = fmemopen((void *)c->in, strlen(c->in), "rb");
		char *errtext = NULL;
		size_t errlen = 0;
		FILE *err = open_memstream(&errtext, &errlen);
		struct crosswalk cw;
		assert_non_null(in);
		assert_non_null(err);
		long got = crosswalk_read(in, "x.csv", err, &cw);
		fclose(in);
		fclose(err);
		if (got != c->errors || cw.n != c->rows || strcmp(errtext, c->err) != 0)
			fail_msg("%s: expected %ld errors, %zu rows, \"%s\"; got %ld, %zu, \"%s\"",
				 c->name, c->errors, c->rows, c->err, got, cw.n, errtext);
		if (c->last) {
			char desc[1024];
			const struct crosswalk_row *r = &cw.rows[cw.n - 1];
			snprintf(desc, sizeof desc, "%s@%s>%s@%s*%s|%s", r->old_code, r->old_date,
				 r->new_code, r->new_date, r->weight, r->source);
			if (strcmp(desc, c->last) != 0)
				fail_msg("%s: last row \"%s\", expected \"%s\"", c->name, desc,
					 c->last);
		}
		crosswalk_free(&cw);
		crosswalk_free(&cw);
		free(errtext);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_weights),
	    cmocka_unit_test(test_files),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
