/* keys: generation, reading, refusing a secret key others can read. */
#include "testutil.h"

#include <sys/stat.h>
#include <unistd.h>

#include "keys.h"

static void test_generate_and_read(void **state)
{
	char *dir = test_tmpdir(), pub[256], sec[256], err[512], key[KEYS_Z85_LEN + 1];
	struct keypair kp;
	struct stat st;
	(void)state;
	assert_int_equal(keys_generate(dir, "xa-21298", err, sizeof err), 0);
	snprintf(pub, sizeof pub, "%s/xa-21298.pub", dir);
	snprintf(sec, sizeof sec, "%s/xa-21298.key", dir);
	assert_int_equal(stat(sec, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(keys_read_public(pub, key, err, sizeof err), 0);
	assert_int_equal(keys_read_secret(sec, &kp, err, sizeof err), 0);
	CHECK_STR("same public key", key, kp.public_key);
	assert_true(keys_z85_valid(kp.secret_key));
	/* refuses to overwrite */
	assert_int_equal(keys_generate(dir, "xa-21298", err, sizeof err), -1);
	CHECK_HAS("overwrite", "not overwriting", err);
	/* a secret readable by others is refused */
	chmod(sec, 0644);
	assert_int_equal(keys_read_secret(sec, &kp, err, sizeof err), -1);
	CHECK_HAS("mode", "readable by group or others (mode 0644): chmod 600", err);
	/* a key folder that does not exist yet is made, closed to others */
	char sub[300];
	snprintf(sub, sizeof sub, "%s/new/keys", dir);
	assert_int_equal(keys_generate(sub, "xa-21301", err, sizeof err), 0);
	assert_int_equal(stat(sub, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	snprintf(sec, sizeof sec, "%s/xa-21301.key", sub);
	assert_int_equal(keys_read_secret(sec, &kp, err, sizeof err), 0);
	/* and a folder that cannot be made is named */
	snprintf(sub, sizeof sub, "%s/keys", sec);
	assert_int_equal(keys_generate(sub, "x", err, sizeof err), -1);
	CHECK_HAS("folder", "cannot create the key folder", err);
	test_rm_rf(dir);
}

static void test_bad_files(void **state)
{
	static const struct {
		const char *name, *text, *err;
	} cases[] = {
	    {"empty", "", "no public-key line"},
	    {"short", "public-key = \"abc\"\n", ":1: public-key: expected 40 Z85 characters"},
	    {"bad alphabet", "# c\npublic-key = \"~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\"\n",
	     ":2: public-key: not a Z85 key"},
	    {"no quotes", "public-key = rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7\n",
	     "expected 40 Z85"},
	};
	char *dir = test_tmpdir(), path[256], err[512], key[KEYS_Z85_LEN + 1];
	(void)state;
	snprintf(path, sizeof path, "%s/k.pub", dir);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		test_write(path, cases[i].text, strlen(cases[i].text));
		assert_int_equal(keys_read_public(path, key, err, sizeof err), -1);
		CHECK_HAS(cases[i].name, cases[i].err, err);
	}
	assert_int_equal(keys_read_public("/nonexistent/k.pub", key, err, sizeof err), -1);
	test_rm_rf(dir);
}

/* Key names follow the collector-name rule, so a name cannot write outside --dir. */
static void test_names(void **state)
{
	static const struct {
		const char *name;
		bool ok;
	} cases[] = {
	    {"xa-21298", true},
	    {"server", true},
	    {"tinh-51.backup_2", true},
	    {"0", true},
	    {"a234567890123456789012345678901234567890123456789012345678901234", true},
	    {"a2345678901234567890123456789012345678901234567890123456789012345", false},
	    {"", false},
	    {"../../x", false},
	    {"..", false},
	    {".", false},
	    {"a..b", true}, /* as in SQL: no '/', so it stays in the directory */
	    {"a..", true},
	    {"x/y", false},
	    {"/etc/passwd", false},
	    {".hidden", false},
	    {"-rf", false},
	    {"_x", false},
	    {"Xa-21298", false},
	    {"xã", false},
	    {"a b", false},
	    {"a\nb", false},
	};
	char *dir = test_tmpdir(), sub[256], err[512], cmd[900], pub[512], key[512];
	(void)state;
	/* two levels down, so that "../../x" would land in the test directory too */
	snprintf(sub, sizeof sub, "%s/a", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	snprintf(sub, sizeof sub, "%s/a/keys", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		err[0] = '\0';
		bool valid = keys_name_valid(cases[i].name, err, sizeof err);
		int rc = keys_generate(sub, cases[i].name, err, sizeof err);
		if (valid != cases[i].ok || (rc == 0) != cases[i].ok)
			fail_msg("\"%s\": valid %d, generate %d (%s)", cases[i].name, valid, rc,
				 err);
		if (!cases[i].ok)
			CHECK_HAS(cases[i].name, "use 1 to 64 of a-z 0-9 . _ -", err);
		/* the path the name would really write, wherever it points */
		snprintf(pub, sizeof pub, "%s/%s.pub", sub, cases[i].name);
		snprintf(key, sizeof key, "%s/%s.key", sub, cases[i].name);
		CHECK_INT(cases[i].name, cases[i].ok, access(pub, F_OK) == 0);
		CHECK_INT(cases[i].name, cases[i].ok, access(key, F_OK) == 0);
	}
	/* nothing beside the keys directory, nothing in a subdirectory of it */
	snprintf(cmd, sizeof cmd,
		 "test \"$(find '%s' -mindepth 1 ! -path '%s' ! -path '%s/*.key' ! -path "
		 "'%s/*.pub')\" = '%s/a'",
		 dir, sub, sub, sub, dir);
	CHECK_INT("written only inside the directory", 0, system(cmd));
	test_rm_rf(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_generate_and_read),
	    cmocka_unit_test(test_bad_files),
	    cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
