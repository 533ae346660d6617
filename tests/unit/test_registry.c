/* registry (chisod): lookups by key and by name over a sorted copy. */
#include "testutil.h"

#include "registry.h"

static void test_lookup(void **state)
{
	static const struct {
		const char *name, *key;
		int revoked;
	} rows[] = {
	    {"xa-21298", "Bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", 0},
	    {"huyen-536", "Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 0},
	    {"tinh-51", "Cccccccccccccccccccccccccccccccccccccccc", 1},
	};
	size_t n = sizeof rows / sizeof rows[0];
	struct store_collector *entries = calloc(n, sizeof *entries);
	(void)state;
	for (size_t i = 0; i < n; i++) {
		entries[i].id = (int)i + 1;
		snprintf(entries[i].name, sizeof entries[i].name, "%s", rows[i].name);
		snprintf(entries[i].public_key, sizeof entries[i].public_key, "%s", rows[i].key);
		entries[i].revoked = rows[i].revoked;
	}
	struct registry *r = registry_new(&entries, n);
	assert_null(entries); /* taken over */
	assert_int_equal(registry_count(r), 3);
	for (size_t i = 0; i < n; i++) {
		const struct store_collector *c = registry_by_key(r, rows[i].key);
		assert_non_null(c);
		CHECK_STR(rows[i].key, rows[i].name, c->name);
		assert_ptr_equal(registry_by_name(r, rows[i].name), c);
	}
	assert_true(registry_by_name(r, "tinh-51")->revoked);
	assert_null(registry_by_key(r, "Dddddddddddddddddddddddddddddddddddddddd"));
	assert_null(registry_by_name(r, ""));
	assert_null(registry_by_name(r, "xa-2129"));
	CHECK_STR("ordered", "huyen-536", registry_at(r, 0)->name);
	assert_null(registry_at(r, 3));
	registry_destroy(&r);
	registry_destroy(&r);
	assert_null(registry_by_name(NULL, "x"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_lookup)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
