/*
 * testproc: a second process for the unit tests that need one (a writer
 * holding the outbox's lock, writers racing a reader, a writer that dies in
 * the middle of a transaction).
 *
 * On POSIX the role runs in a fork, with a copy of the test's memory, as the
 * tests always did.  Windows has no fork: the test program is started again
 * as "PROGRAM --test-child ROLE ARG", and test_child_main, called first in
 * main, runs the role there and exits with its status.  A role therefore
 * takes what it needs as its text argument (and may use the parent's memory
 * only where TEST_FORKS says it has it).
 */
#ifndef CHISO_TESTPROC_H
#define CHISO_TESTPROC_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plat.h"

#ifdef _WIN32
#include <windows.h>
/* Whether the child is a fork, with the parent's memory and open handles. */
#define TEST_FORKS 0
#else
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#define TEST_FORKS 1
#endif

/*
 * Whether the test runs under wine, which lacks a few of Windows' answers
 * (a file removed while open is not reported as pending deletion): the
 * cases that check them are skipped there, each naming why.
 */
static inline bool test_under_wine(void)
{
#ifdef _WIN32
	HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
	return ntdll && GetProcAddress(ntdll, "wine_get_version") != NULL;
#else
	return false;
#endif
}

/* A role a child process can play: its exit status from its text argument. */
struct test_role {
	const char *name;
	int (*fn)(const char *arg);
};

/* A running child. */
struct test_child {
	long pid;
	void *handle; /* Windows: the process handle */
};

/*
 * Called first in main: when the program was started as a child
 * (--test-child ROLE ARG), runs ROLE of roles (ended by a NULL name) and
 * exits with its status (125 for an unknown role); otherwise returns.
 */
static inline void test_child_main(int argc, char **argv, const struct test_role *roles)
{
	if (argc < 4 || strcmp(argv[1], "--test-child") != 0)
		return;
	for (; roles->name; roles++)
		if (strcmp(roles->name, argv[2]) == 0)
			exit(roles->fn(argv[3]));
	exit(125);
}

/* Starts role with arg in a second process into *c; 0 or -1. */
static inline int test_child_start(const struct test_role *role, const char *arg,
				   struct test_child *c)
{
	fflush(stdout);
	fflush(stderr);
#ifdef _WIN32
	enum { CMD = 8192 };
	static wchar_t cmd[CMD];
	char tail[4096];
	STARTUPINFOW si = {.cb = sizeof si};
	PROCESS_INFORMATION pi;

	snprintf(tail, sizeof tail, "\" --test-child %s \"%s\"", role->name, arg);
	cmd[0] = L'"';
	DWORD n = GetModuleFileNameW(NULL, cmd + 1, MAX_PATH);
	if (n == 0 || n >= MAX_PATH ||
	    MultiByteToWideChar(CP_UTF8, 0, tail, -1, cmd + 1 + n, (int)(CMD - 1 - n)) == 0)
		return -1;
	if (!CreateProcessW(NULL, cmd, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi))
		return -1;
	CloseHandle(pi.hThread);
	c->pid = (long)pi.dwProcessId;
	c->handle = pi.hProcess;
	return 0;
#else
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0)
		_exit(role->fn(arg)); /* no atexit handlers of the parent's copy */
	c->pid = (long)pid;
	c->handle = NULL;
	return 0;
#endif
}

/* Waits for c to end: its exit status, or -1 if it did not exit by itself. */
static inline int test_child_wait(struct test_child *c)
{
#ifdef _WIN32
	DWORD code = (DWORD)-1;
	if (WaitForSingleObject(c->handle, INFINITE) != WAIT_OBJECT_0 ||
	    !GetExitCodeProcess(c->handle, &code))
		code = (DWORD)-1;
	CloseHandle(c->handle);
	c->handle = NULL;
	return code == 137 ? -1 : (int)code;
#else
	int status;
	if (waitpid((pid_t)c->pid, &status, 0) != (pid_t)c->pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
#endif
}

/* Kills c at once (SIGKILL, TerminateProcess) and waits for it. */
static inline void test_child_kill(struct test_child *c)
{
#ifdef _WIN32
	TerminateProcess(c->handle, 137);
#else
	kill((pid_t)c->pid, SIGKILL);
#endif
	test_child_wait(c);
}

/* A child's "I am ready": creates the file path; 0 or -1. */
static inline int test_child_ready(const char *path)
{
	int fd = plat_open(PLAT_CWD, path, PLAT_O_WRITE | PLAT_O_CREATE, 0600);
	return fd < 0 ? -1 : plat_close(fd);
}

/* Waits up to seconds for the file path to appear (test_child_ready); whether it did. */
static inline bool test_wait_file(const char *path, int seconds)
{
	for (int ms = 0; ms < seconds * 1000; ms += 5) {
		if (plat_exists(PLAT_CWD, path, true))
			return true;
		plat_sleep_ms(5);
	}
	return false;
}

#endif
