/*
 * Unit tests for embedded: the pure parts only (no cluster is started here;
 * tests/integration/t_embedded.sh does that).  The credentials file text both
 * ways with every refusal, libpq conninfo quoting, the directory hash and the
 * socket-path decision at its exact limit.  Every table row names its case so
 * a failure says which.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "embedded.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

#define PW_SU	  "00112233445566778899aabbccddeeff"
#define PW_OWNER  "0123456789abcdef0123456789abcdef"
#define PW_WRITER "fedcba9876543210fedcba9876543210"
#define PW_READER "aaaaaaaaaaaaaaaabbbbbbbbbbbbbbbb"
#define PW_OTHER  "ffffffffffffffffffffffffffffffff"

static const char good_creds[] = "# a comment\n"
				 "superuser=postgres\n"
				 "superuser_password=" PW_SU "\n"
				 "owner_password=" PW_OWNER "\n"
				 "writer_password=" PW_WRITER "\n"
				 "reader_password=" PW_READER "\n";

static void set_passwords(struct embedded_info *info, const char *pw)
{
	snprintf(info->superuser_password, sizeof info->superuser_password, "%s", pw);
	snprintf(info->owner_password, sizeof info->owner_password, "%s", pw);
	snprintf(info->writer_password, sizeof info->writer_password, "%s", pw);
	snprintf(info->reader_password, sizeof info->reader_password, "%s", pw);
}

/* Credentials files: accepted (with the PW_* passwords), or refused with a fragment of the reason.
 */
static const struct {
	const char *name, *text;
	const char *err; /* NULL: accepted with the PW_* passwords */
} credentials_cases[] = {
    {"as written", good_creds, NULL},
    {"CRLF, blanks, spaces around =",
     "\r\n  superuser = postgres \r\n\n\tsuperuser_password\t=\t" PW_SU "\r\n"
     "owner_password=" PW_OWNER "\r\n# note\r\nwriter_password=" PW_WRITER "\r\n"
     "reader_password=" PW_READER,
     NULL},
    {"keys in another order",
     "reader_password=" PW_READER "\nwriter_password=" PW_WRITER "\nowner_password=" PW_OWNER
     "\nsuperuser_password=" PW_SU "\nsuperuser=postgres\n",
     NULL},
    {"empty file", "", "creds: missing superuser"},
    {"only comments", "# nothing\n\n", "creds: missing superuser"},
    {"missing reader",
     "superuser=postgres\nsuperuser_password=" PW_SU "\nowner_password=" PW_OWNER
     "\nwriter_password=" PW_WRITER "\n",
     "creds: missing reader_password"},
    {"missing superuser password",
     "superuser=postgres\nowner_password=" PW_OWNER "\nwriter_password=" PW_WRITER
     "\nreader_password=" PW_READER "\n",
     "creds: missing superuser_password"},
    {"no equals sign", "superuser postgres\n", "creds:1: expected key=value"},
    {"unknown key", "superuser=postgres\nadmin_password=" PW_SU "\n",
     "creds:2: unknown key \"admin_password\""},
    {"empty key", "=" PW_SU "\n", "creds:1: unknown key \"\""},
    {"duplicate key",
     "superuser=postgres\nowner_password=" PW_OWNER "\nowner_password=" PW_OWNER "\n",
     "creds:3: duplicate key \"owner_password\""},
    {"superuser not postgres", "superuser=root\n", "creds:1: superuser must be postgres"},
    {"uppercase hex", "# x\nowner_password=0123456789ABCDEF0123456789abcdef\n",
     "creds:2: owner_password must be 32 lowercase hex digits"},
    {"31 digits", "writer_password=0123456789abcdef0123456789abcde\n",
     "creds:1: writer_password must be 32 lowercase hex digits"},
    {"33 digits", "reader_password=0123456789abcdef0123456789abcdef0\n",
     "creds:1: reader_password must be 32 lowercase hex digits"},
    {"not hex", "superuser_password=g123456789abcdef0123456789abcdef\n",
     "creds:1: superuser_password must be 32 lowercase hex digits"},
    {"empty value", "owner_password=\n", "creds:1: owner_password must be 32 lowercase hex digits"},
    {"space inside value", "owner_password=0123456789abcdef 123456789abcdef\n",
     "creds:1: owner_password must be 32 lowercase hex digits"},
    {"line too long",
     "# "
     "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
     "x"
     "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
     "x"
     "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
     "\n",
     "creds:1: line too long"},
};

static void test_credentials_parse(void **state)
{
	(void)state;

	for (size_t i = 0; i < NELEM(credentials_cases); i++) {
		struct embedded_info info;
		char err[256] = "";
		memset(&info, 0, sizeof info);
		set_passwords(&info, PW_OTHER);
		int rc = embedded_credentials_parse(credentials_cases[i].text, "creds", &info, err,
						    sizeof err);
		if (!credentials_cases[i].err) {
			if (rc != 0)
				fail_msg("%s: refused: %s", credentials_cases[i].name, err);
			if (strcmp(info.superuser_password, PW_SU) ||
			    strcmp(info.owner_password, PW_OWNER) ||
			    strcmp(info.writer_password, PW_WRITER) ||
			    strcmp(info.reader_password, PW_READER))
				fail_msg("%s: wrong passwords", credentials_cases[i].name);
			continue;
		}
		if (rc != -1)
			fail_msg("%s: accepted", credentials_cases[i].name);
		if (strcmp(err, credentials_cases[i].err) != 0)
			fail_msg("%s: error \"%s\", want \"%s\"", credentials_cases[i].name, err,
				 credentials_cases[i].err);
		/* A refused file changes nothing. */
		if (strcmp(info.owner_password, PW_OTHER) ||
		    strcmp(info.superuser_password, PW_OTHER))
			fail_msg("%s: info changed on failure", credentials_cases[i].name);
	}
}

static void test_credentials_format(void **state)
{
	struct embedded_info info, back;
	char buf[512], err[256] = "";
	(void)state;

	memset(&info, 0, sizeof info);
	snprintf(info.superuser_password, 33, PW_SU);
	snprintf(info.owner_password, 33, PW_OWNER);
	snprintf(info.writer_password, 33, PW_WRITER);
	snprintf(info.reader_password, 33, PW_READER);
	assert_int_equal(embedded_credentials_format(&info, buf, sizeof buf), 0);
	assert_string_equal(buf, "# chiso embedded PostgreSQL: role passwords (chisoctl db init). "
				 "Keep secret.\n"
				 "superuser=postgres\n"
				 "superuser_password=" PW_SU "\n"
				 "owner_password=" PW_OWNER "\n"
				 "writer_password=" PW_WRITER "\n"
				 "reader_password=" PW_READER "\n");
	/* What it writes it reads back. */
	memset(&back, 0, sizeof back);
	assert_int_equal(embedded_credentials_parse(buf, "x", &back, err, sizeof err), 0);
	assert_string_equal(back.superuser_password, PW_SU);
	assert_string_equal(back.reader_password, PW_READER);
	/* The buffer limit is exact: the text and its NUL. */
	size_t len = strlen(buf);
	char small[512];
	assert_int_equal(embedded_credentials_format(&info, small, len + 1), 0);
	assert_int_equal(embedded_credentials_format(&info, small, len), -1);
}

static void test_conninfo(void **state)
{
	static const struct {
		const char *name, *socket, *dbname, *role, *password;
		const char *want; /* NULL: refused */
	} cases[] = {
	    {"owner", "/srv/chiso/var/pg/run", "chiso", "owner", PW_OWNER,
	     "host=/srv/chiso/var/pg/run port=5432 dbname=chiso user=chiso_owner "
	     "password=" PW_OWNER},
	    {"writer", "/r", "chiso", "writer", PW_WRITER,
	     "host=/r port=5432 dbname=chiso user=chiso_writer password=" PW_WRITER},
	    {"reader", "/r", "chiso", "reader", PW_READER,
	     "host=/r port=5432 dbname=chiso user=chiso_reader password=" PW_READER},
	    {"superuser goes to the postgres database", "/r", "chiso", "superuser", PW_SU,
	     "host=/r port=5432 dbname=postgres user=postgres password=" PW_SU},
	    {"space in the socket dir", "/home/cán bộ/my repo/run", "chiso", "owner", PW_OWNER,
	     "host='/home/cán bộ/my repo/run' port=5432 dbname=chiso user=chiso_owner "
	     "password=" PW_OWNER},
	    {"apostrophe", "/x/it's/run", "chiso", "reader", PW_READER,
	     "host='/x/it\\'s/run' port=5432 dbname=chiso user=chiso_reader password=" PW_READER},
	    {"backslash", "/x/a\\b", "chiso", "reader", PW_READER,
	     "host='/x/a\\\\b' port=5432 dbname=chiso user=chiso_reader password=" PW_READER},
	    {"tab", "/x/a\tb", "chiso", "reader", PW_READER,
	     "host='/x/a\tb' port=5432 dbname=chiso user=chiso_reader password=" PW_READER},
	    {"equals and double quote need no quoting", "/x/a=b\"c", "chiso", "writer", PW_WRITER,
	     "host=/x/a=b\"c port=5432 dbname=chiso user=chiso_writer password=" PW_WRITER},
	    {"password with a quote and a space", "/r", "chiso", "owner", "it's me",
	     "host=/r port=5432 dbname=chiso user=chiso_owner password='it\\'s me'"},
	    {"empty dbname is quoted", "/r", "", "owner", PW_OWNER,
	     "host=/r port=5432 dbname='' user=chiso_owner password=" PW_OWNER},
	    {"empty password is left out", "/r", "chiso", "superuser", "",
	     "host=/r port=5432 dbname=postgres user=postgres"},
	    {"unknown role", "/r", "chiso", "admin", PW_OWNER, NULL},
	    {"empty role", "/r", "chiso", "", PW_OWNER, NULL},
	    {"role names are exact", "/r", "chiso", "Owner", PW_OWNER, NULL},
	};
	(void)state;

	for (size_t i = 0; i < NELEM(cases); i++) {
		struct embedded_info info;
		char buf[512];
		memset(&info, 0, sizeof info);
		snprintf(info.socket_dir, sizeof info.socket_dir, "%s", cases[i].socket);
		snprintf(info.dbname, sizeof info.dbname, "%s", cases[i].dbname);
		info.port = 5432;
		set_passwords(&info, cases[i].password);
		int rc = embedded_conninfo(&info, cases[i].role, buf, sizeof buf);
		if (!cases[i].want) {
			if (rc != -1)
				fail_msg("%s: accepted: %s", cases[i].name, buf);
			continue;
		}
		if (rc != 0)
			fail_msg("%s: refused", cases[i].name);
		if (strcmp(buf, cases[i].want) != 0)
			fail_msg("%s: got [%s], want [%s]", cases[i].name, buf, cases[i].want);
		/* Exactly the text and its NUL fit; one byte less does not. */
		size_t need = strlen(cases[i].want) + 1;
		char exact[512];
		if (embedded_conninfo(&info, cases[i].role, exact, need) != 0 ||
		    strcmp(exact, cases[i].want) != 0)
			fail_msg("%s: does not fit in %zu bytes", cases[i].name, need);
		for (size_t size = 0; size < need; size++)
			if (embedded_conninfo(&info, cases[i].role, exact, size) != -1)
				fail_msg("%s: claims to fit in %zu bytes", cases[i].name, size);
	}
}

static void test_dir_hash(void **state)
{
	/* Standard 64-bit FNV-1a vectors, then paths. */
	static const struct {
		const char *in, *want;
	} cases[] = {
	    {"", "cbf29ce484222325"},
	    {"a", "af63dc4c8601ec8c"},
	    {"foobar", "85944171f73967e8"},
	    {"/root/chiso/var", "6ace31d3e8bced5f"},
	    {"/home/cán bộ/chiso/var", "6b86f23561b3f24d"},
	};
	(void)state;

	for (size_t i = 0; i < NELEM(cases); i++) {
		char out[17];
		embedded_dir_hash(cases[i].in, out);
		if (strcmp(out, cases[i].want) != 0)
			fail_msg("\"%s\": got %s, want %s", cases[i].in, out, cases[i].want);
	}
}

static void test_socket_dir(void **state)
{
	/* "<dir>/.s.PGSQL.5432" must stay within 107 bytes: dir within 93. */
	static const struct {
		const char *name;
		size_t len;
		int fallback;
	} cases[] = {
	    {"short", 20, 0},	     {"one under the limit", 92, 0},
	    {"at the limit", 93, 0}, {"one over the limit", 94, 1},
	    {"far over", 600, 1},
	};
	(void)state;

	for (size_t i = 0; i < NELEM(cases); i++) {
		char run[700], out[108];
		memset(run, 'r', cases[i].len);
		run[0] = '/';
		run[cases[i].len] = '\0';
		int rc = embedded_socket_dir(run, "0123456789abcdef", out, sizeof out);
		if (rc != cases[i].fallback)
			fail_msg("%s: returned %d, want %d", cases[i].name, rc, cases[i].fallback);
		const char *want = cases[i].fallback ? "/tmp/chiso-pg-0123456789abcdef" : run;
		if (strcmp(out, want) != 0)
			fail_msg("%s: got %s, want %s", cases[i].name, out, want);
	}
	/* An output buffer too small for the choice is an error, not a truncation. */
	char small[16];
	assert_int_equal(
	    embedded_socket_dir("/a/b/c/d/e/f/g/h/run", "0123456789abcdef", small, sizeof small),
	    -1);
	assert_int_equal(
	    embedded_socket_dir(
		"/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		"0123456789abcdef", small, sizeof small),
	    -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_credentials_parse), cmocka_unit_test(test_credentials_format),
	    cmocka_unit_test(test_conninfo),	      cmocka_unit_test(test_dir_hash),
	    cmocka_unit_test(test_socket_dir),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
