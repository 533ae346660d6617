/*
 * runas: fork, switch ids, exec with a clean environment, capture the output
 * (see runas.h).
 *
 * The child reports a failure before or at exec through a second pipe marked
 * close-on-exec: a successful exec closes it with nothing written, a failure
 * writes which step failed and errno.  The parent can then tell "initdb could
 * not be started" from "initdb ran and exited 1", and say which.
 */
#include "runas.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdnoreturn.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* The steps of the child that can fail, reported to the parent by number. */
enum runas_step { RUNAS_STDIO, RUNAS_SETGID, RUNAS_INITGROUPS, RUNAS_SETUID, RUNAS_EXEC };

struct runas_failure {
	int step;
	int errnum;
};

static const char *runas_step_name(int step)
{
	static const char *const names[] = {"redirecting stdio", "setgid", "initgroups", "setuid",
					    "exec"};
	if (step < 0 || step >= (int)(sizeof names / sizeof names[0]))
		return "?";
	return names[step];
}

int runas_user(struct runas *who, const char *name, char *err, size_t errsize)
{
	struct passwd *pw;

	errno = 0;
	pw = getpwnam(name);
	if (!pw) {
		if (errno)
			snprintf(err, errsize, "cannot look up system user %s: %s", name,
				 strerror(errno));
		else
			snprintf(err, errsize, "system user %s does not exist", name);
		return -1;
	}
	if (strlen(pw->pw_name) >= sizeof who->name) {
		snprintf(err, errsize, "system user name %s is too long", name);
		return -1;
	}
	who->uid = pw->pw_uid;
	who->gid = pw->pw_gid;
	who->drop = pw->pw_uid != geteuid();
	snprintf(who->name, sizeof who->name, "%s", pw->pw_name);
	return 0;
}

void runas_self(struct runas *who)
{
	struct passwd *pw = getpwuid(geteuid());

	who->uid = geteuid();
	who->gid = getegid();
	who->drop = 0;
	if (pw && strlen(pw->pw_name) < sizeof who->name)
		snprintf(who->name, sizeof who->name, "%s", pw->pw_name);
	else
		snprintf(who->name, sizeof who->name, "uid %u", (unsigned)who->uid);
}

/* Reports the failed step to the parent and ends the child without atexit handlers. */
static noreturn void runas_child_fail(int fd, int step)
{
	struct runas_failure f = {step, errno};

	if (fd >= 0) {
		ssize_t n = write(fd, &f, sizeof f);
		(void)n; /* nothing more a dying child can do about it */
	}
	_exit(127);
}

/* Gives up root: groups first, while we still may, then the uid, then checks it stuck. */
static void runas_child_drop(const struct runas *who, int failfd)
{
	if (setgid(who->gid) != 0)
		runas_child_fail(failfd, RUNAS_SETGID);
	if (initgroups(who->name, who->gid) != 0)
		runas_child_fail(failfd, RUNAS_INITGROUPS);
	if (setuid(who->uid) != 0)
		runas_child_fail(failfd, RUNAS_SETUID);
	if (getuid() != who->uid || geteuid() != who->uid) {
		errno = EPERM;
		runas_child_fail(failfd, RUNAS_SETUID);
	}
}

static void runas_child(const struct runas *who, const char *const argv[], const char *const env[],
			int outfd, int failfd)
{
	int devnull = open("/dev/null", O_RDONLY);

	if (devnull < 0 || dup2(devnull, STDIN_FILENO) < 0 || dup2(outfd, STDOUT_FILENO) < 0 ||
	    dup2(outfd, STDERR_FILENO) < 0)
		runas_child_fail(failfd, RUNAS_STDIO);
	if (devnull > STDERR_FILENO)
		close(devnull);
	if (who->drop)
		runas_child_drop(who, failfd);
	/* execve's prototype predates const; it does not modify the arrays. */
	execve(argv[0], (char *const *)argv, (char *const *)env);
	runas_child_fail(failfd, RUNAS_EXEC);
}

/* Appends n bytes to the tail buffer, dropping the oldest bytes when full. */
static void runas_keep_tail(char *out, size_t outsize, size_t *len, const char *buf, size_t n)
{
	size_t cap = outsize - 1;

	if (n >= cap) {
		memcpy(out, buf + (n - cap), cap);
		*len = cap;
	} else {
		if (*len + n > cap) {
			size_t drop = *len + n - cap;
			memmove(out, out + drop, *len - drop);
			*len -= drop;
		}
		memcpy(out + *len, buf, n);
		*len += n;
	}
	out[*len] = '\0';
}

/* Reads the child's output until every writer has closed it. */
static void runas_drain(int fd, char *out, size_t outsize)
{
	char buf[4096];
	size_t len = 0;
	ssize_t n;

	if (out && outsize)
		out[0] = '\0';
	for (;;) {
		n = read(fd, buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (out && outsize > 1)
			runas_keep_tail(out, outsize, &len, buf, (size_t)n);
	}
}

/* A pipe whose ends close on exec: only the dup2'ed copies reach the program. */
static int runas_pipe(int p[2])
{
	if (pipe(p) != 0)
		return -1;
	if (fcntl(p[0], F_SETFD, FD_CLOEXEC) != 0 || fcntl(p[1], F_SETFD, FD_CLOEXEC) != 0)
		return -1; /* the caller closes both */
	return 0;
}

int runas_run(const struct runas *who, const char *const argv[], const char *const env[], char *out,
	      size_t outsize, char *err, size_t errsize)
{
	int outp[2] = {-1, -1}, failp[2] = {-1, -1};
	struct runas_failure f;
	pid_t pid;
	int status, rc = -1;
	ssize_t n;

	if (runas_pipe(outp) != 0 || runas_pipe(failp) != 0) {
		snprintf(err, errsize, "cannot run %s: pipe: %s", argv[0], strerror(errno));
		goto fail;
	}
	pid = fork();
	if (pid < 0) {
		snprintf(err, errsize, "cannot run %s: fork: %s", argv[0], strerror(errno));
		goto fail;
	}
	if (pid == 0)
		runas_child(who, argv, env, outp[1], failp[1]);
	close(outp[1]);
	close(failp[1]);
	outp[1] = failp[1] = -1;
	runas_drain(outp[0], out, outsize);
	do
		n = read(failp[0], &f, sizeof f);
	while (n < 0 && errno == EINTR);
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			snprintf(err, errsize, "cannot run %s: waitpid: %s", argv[0],
				 strerror(errno));
			goto fail;
		}
	}
	if (n == (ssize_t)sizeof f) {
		snprintf(err, errsize, "cannot run %s as %s: %s: %s", argv[0], who->name,
			 runas_step_name(f.step), strerror(f.errnum));
		goto fail;
	}
	rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
fail:
	for (int i = 0; i < 2; i++) {
		if (outp[i] >= 0)
			close(outp[i]);
		if (failp[i] >= 0)
			close(failp[i]);
	}
	return rc;
}

int runas_access(const struct runas *who, const char *path, int mode)
{
	pid_t pid;
	int status;

	if (!who->drop)
		return access(path, mode) == 0;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		runas_child_drop(who, -1); /* exits 127 if the switch fails */
		_exit(access(path, mode) == 0 ? 0 : 1);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (!WIFEXITED(status) || WEXITSTATUS(status) > 1)
		return -1;
	return WEXITSTATUS(status) == 0;
}
