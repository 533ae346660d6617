/* num: every accepted and refused form of num.h, canonical text, formatting. */
#include "testutil.h"

#include "num.h"

static void test_parse_accepts(void **state)
{
	static const struct {
		const char *in, *text;
		int integer;
	} cases[] = {
	    {"1463", "1463", 1},
	    {"-12", "-12", 1},
	    {"+7", "7", 1},
	    {"0.5", "0.5", 0},
	    {"5.28", "5.28", 0},
	    {"1463.25", "1463.25", 0},
	    {"0,5", "0.5", 0},
	    {"5,28", "5.28", 0},
	    {"1463,25", "1463.25", 0},
	    {"2.115.025.641", "2115025641", 1},
	    {"2,115,025,641", "2115025641", 1},
	    {"1 463", "1463", 1},
	    {"1\xc2\xa0"
	     "463",
	     "1463", 1},
	    {"1\xe2\x80\xaf"
	     "463 000",
	     "1463000", 1},
	    {"1.463,5", "1463.5", 0},
	    {"1,463.5", "1463.5", 0},
	    {"0.463", "0.463", 0},
	    {"1463.250", "1463.25", 0},
	    {"1.4630", "1.463", 0},
	    {"5.0", "5", 1},
	    {"  42  ", "42", 1},
	    {"-0", "0", 1},
	    {"000123", "123", 1},
	    {"0", "0", 1},
	    {"999999999999999", "999999999999999", 1},
	    {"0.000000000000001", "0.000000000000001", 0},
	};
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct num n;
		const char *why = NULL;
		if (num_parse(cases[i].in, strlen(cases[i].in), &n, &why) != 0)
			fail_msg("%s: refused: %s", cases[i].in, why);
		CHECK_STR(cases[i].in, cases[i].text, n.text);
		CHECK_INT(cases[i].in, cases[i].integer, n.integer);
		if (n.value != strtod(cases[i].text, NULL))
			fail_msg("%s: value %g", cases[i].in, n.value);
	}
}

static void test_parse_refuses(void **state)
{
	static const struct {
		const char *in, *why;
	} cases[] = {
	    {"1.463", "ambiguous number \"1.463\": write 1463 for the whole number, or 1.4630"},
	    {"1,463", "ambiguous"},
	    {"12.500", "ambiguous"},
	    {"999,999", "ambiguous"},
	    {"1e3", "exponent notation"},
	    {"1E-3", "exponent notation"},
	    {"0x10", "hexadecimal"},
	    {"NaN", "not a number"},
	    {"inf", "not a number"},
	    {"-Infinity", "not a number"},
	    {"89,52%", "percentages are computed by chiso"},
	    {"", "empty value"},
	    {"   ", "empty value"},
	    {"1.2.3", "grouped wrongly"},
	    {"1.46.3", "grouped wrongly"},
	    {"--1", "not a number"},
	    {"-", "not a number"},
	    {"1 46", "grouped wrongly"},
	    {"1.234.5", "grouped wrongly"},
	    {"1,234,56", "grouped wrongly"},
	    {"1.234,567.8", "mixed separators"},
	    {"12a", "not a number"},
	    {"1.", "misplaced separator"},
	    {".5", "misplaced separator"},
	    {"1234567890123456", "too many digits"},
	    {"1.0000000000000001", "too many digits"},
	    {"hơn 2000", "not a number"},
	};
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct num n;
		const char *why = NULL;
		if (num_parse(cases[i].in, strlen(cases[i].in), &n, &why) == 0)
			fail_msg("%s: accepted as %s", cases[i].in, n.text);
		CHECK_HAS(cases[i].in, cases[i].why, why);
	}
}

static void test_format(void **state)
{
	static const struct {
		double v;
		int decimals;
		const char *vi, *plain;
	} cases[] = {
	    {1463, 0, "1.463", "1463"},
	    {60.8695652, 2, "60,87", "60.87"},
	    {-2115025641, 0, "-2.115.025.641", "-2115025641"},
	    {0.5, 0, "1", "1"},
	    {-0.5, 0, "-1", "-1"},
	    {89.5238, 2, "89,52", "89.52"},
	    {100, 2, "100,00", "100.00"},
	    {0.125, 2, "0,13", "0.13"},
	    {-0.0001, 2, "0,00", "0.00"},
	    {999, 0, "999", "999"},
	    {1000, 0, "1.000", "1000"},
	    {1234567.891, 1, "1.234.567,9", "1234567.9"},
	    {55.3948832, 2, "55,39", "55.39"},
	};
	char buf[64];
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		num_format_vi(cases[i].v, cases[i].decimals, buf, sizeof buf);
		CHECK_STR(cases[i].vi, cases[i].vi, buf);
		num_format_plain(cases[i].v, cases[i].decimals, buf, sizeof buf);
		CHECK_STR(cases[i].plain, cases[i].plain, buf);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_accepts),
	    cmocka_unit_test(test_parse_refuses),
	    cmocka_unit_test(test_format),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
