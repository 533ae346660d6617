/*
 * plat_win_svc: the agent as a Windows service (lib/plat.h's plat_service_*),
 * with the Service Control Manager's API.
 *
 * `chiso-agent service` hands its main thread to the SCM's dispatcher, which
 * calls plat_svc_main in a thread of its own; that thread runs the agent's
 * body (`run`).  The SCM's stop and the system's shutdown become the same
 * stop request as Ctrl-C (plat_stop_raise), so the delivery loop stops
 * between two steps and leaves the outbox as a SIGTERM does on Linux.  The
 * service says it has stopped with the body's exit status: a failure is a
 * non-zero status, which the failure actions set at install restart.
 *
 * Installing is done here too, not with sc.exe: the program knows its own
 * path (no quoting of a path with spaces through sc's "binPath= "), sets the
 * "restart on a failure exit as well as on a crash" flag that wine's sc.exe
 * lacks, and its stop waits until the service has really stopped, so that
 * the uninstaller never removes files the agent still has open.
 */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>

#include "plat.h"
#include "plat_win.h"

#include <errno.h>
#include <fcntl.h>
#include <io.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A service log larger than this at start is kept as LOG.1, and a new one begun. */
#define PLAT_SVC_LOG_MAX (8LL * 1024 * 1024)
/* How long plat_service_stop waits for the service to stop (ms). */
#define PLAT_SVC_STOP_WAIT 60000
/* The pause before each restart after a failure (ms), and when the count starts over (s). */
#define PLAT_SVC_RESTART_MS 60000
#define PLAT_SVC_RESET_S    86400

/* The running service: the SCM calls plat_svc_main with no argument of ours. */
struct plat_svc {
	wchar_t *name;
	const char *log;
	int (*body)(void *arg);
	void *arg;
	int rc;
	SERVICE_STATUS_HANDLE handle;
	SERVICE_STATUS status;
};
static struct plat_svc *plat_svc_current;

/* Tells the SCM the service's state; rc is the exit status once stopped. */
static void plat_svc_report(struct plat_svc *s, DWORD state, int rc)
{
	s->status.dwServiceType = SERVICE_WIN32_OWN_PROCESS;
	s->status.dwCurrentState = state;
	s->status.dwControlsAccepted =
	    state == SERVICE_RUNNING ? SERVICE_ACCEPT_STOP | SERVICE_ACCEPT_SHUTDOWN : 0;
	s->status.dwWin32ExitCode = rc ? ERROR_SERVICE_SPECIFIC_ERROR : NO_ERROR;
	s->status.dwServiceSpecificExitCode = (DWORD)rc;
	s->status.dwWaitHint = state == SERVICE_STOP_PENDING ? 30000 : 0;
	s->status.dwCheckPoint = state == SERVICE_STOP_PENDING ? s->status.dwCheckPoint + 1 : 0;
	SetServiceStatus(s->handle, &s->status);
}

static DWORD WINAPI plat_svc_control(DWORD control, DWORD type, void *data, void *context)
{
	struct plat_svc *s = context;

	(void)type, (void)data;
	switch (control) {
	case SERVICE_CONTROL_STOP:
	case SERVICE_CONTROL_SHUTDOWN:
		plat_svc_report(s, SERVICE_STOP_PENDING, 0);
		plat_stop_raise();
		return NO_ERROR;
	case SERVICE_CONTROL_INTERROGATE:
		return NO_ERROR;
	default:
		return ERROR_CALL_NOT_IMPLEMENTED;
	}
}

/* stderr to the log file (appended; the previous one kept once it is large). */
static void plat_svc_log(const char *log)
{
	wchar_t *w = log ? plat_wide(log) : NULL;
	WIN32_FILE_ATTRIBUTE_DATA a;

	if (w == NULL)
		return;
	if (GetFileAttributesExW(w, GetFileExInfoStandard, &a) &&
	    ((long long)a.nFileSizeHigh << 32 | a.nFileSizeLow) > PLAT_SVC_LOG_MAX) {
		size_t n = wcslen(w) + 3;
		wchar_t *old = malloc(n * sizeof *old);
		if (old) {
			swprintf(old, n, L"%ls.1", w);
			MoveFileExW(w, old, MOVEFILE_REPLACE_EXISTING);
			free(old);
		}
	}
	/*
	 * A service starts with no standard handles, and msvcrt's stderr stream
	 * on descriptor -2, which freopen refuses to reopen: the log becomes
	 * descriptor 2 and the stream is pointed at it (its layout is msvcrt's
	 * public FILE).
	 */
	int fd = _wopen(w, _O_WRONLY | _O_CREAT | _O_APPEND | _O_BINARY | _O_NOINHERIT,
			_S_IREAD | _S_IWRITE);
	if (fd >= 0 && fd != 2) {
		_dup2(fd, 2);
		_close(fd);
	}
	if (fd >= 0 && _fileno(stderr) < 0)
		stderr->_file = 2;
	setvbuf(stderr, NULL, _IONBF, 0);
	free(w);
}

static void WINAPI plat_svc_main(DWORD argc, wchar_t **argv)
{
	struct plat_svc *s = plat_svc_current;

	(void)argc, (void)argv;
	s->handle = RegisterServiceCtrlHandlerExW(s->name, plat_svc_control, s);
	if (s->handle == NULL) {
		s->rc = 1;
		return;
	}
	plat_svc_log(s->log);
	plat_svc_report(s, SERVICE_RUNNING, 0);
	s->rc = s->body(s->arg);
	plat_svc_report(s, SERVICE_STOPPED, s->rc);
}

int plat_service_run(const char *name, const char *log, int (*body)(void *arg), void *arg,
		     char *err, size_t errsize)
{
	struct plat_svc s = {.name = plat_wide(name), .log = log, .body = body, .arg = arg};

	if (s.name == NULL) {
		snprintf(err, errsize, "%s: %s", name, strerror(errno));
		return -1;
	}
	SERVICE_TABLE_ENTRYW table[] = {{s.name, plat_svc_main}, {NULL, NULL}};
	plat_svc_current = &s;
	BOOL ok = StartServiceCtrlDispatcherW(table);
	DWORD e = GetLastError();
	plat_svc_current = NULL;
	free(s.name);
	if (!ok) {
		snprintf(err, errsize,
			 e == ERROR_FAILED_SERVICE_CONTROLLER_CONNECT
			     ? "not started by the Service Control Manager: in a console, use "
			       "`chiso-agent run`; the service starts with `sc start %s`"
			     : "%s: the Service Control Manager refused (Windows error %lu)",
			 name, (unsigned long)e);
		return -1;
	}
	return s.rc;
}

/* err from what failed and GetLastError(); returns -1. */
static int plat_svc_fail(const char *what, const char *name, char *err, size_t errsize)
{
	snprintf(err, errsize, "%s %s: Windows error %lu", what, name,
		 (unsigned long)GetLastError());
	return -1;
}

/* The service's command line: this program's own path, quoted, then args (malloc'd). */
static wchar_t *plat_svc_cmdline(const char *args)
{
	wchar_t exe[MAX_PATH * 4], *wargs = plat_wide(args), *cmd;
	DWORD n = GetModuleFileNameW(NULL, exe, MAX_PATH * 4);

	if (wargs == NULL || n == 0 || n >= MAX_PATH * 4) {
		free(wargs);
		return NULL;
	}
	size_t len = n + wcslen(wargs) + 4;
	if ((cmd = malloc(len * sizeof *cmd)) != NULL)
		swprintf(cmd, len, L"\"%ls\" %ls", exe, wargs);
	free(wargs);
	return cmd;
}

/* Description, restart on failure (crash or failure exit); 0, or -1 with err. */
static int plat_svc_configure(SC_HANDLE h, const struct plat_service *svc, char *err,
			      size_t errsize)
{
	wchar_t *desc = plat_wide(svc->description);
	SERVICE_DESCRIPTIONW d = {desc};
	SC_ACTION act[3] = {{SC_ACTION_RESTART, PLAT_SVC_RESTART_MS},
			    {SC_ACTION_RESTART, PLAT_SVC_RESTART_MS},
			    {SC_ACTION_RESTART, PLAT_SVC_RESTART_MS}};
	SERVICE_FAILURE_ACTIONSW fa = {
	    .dwResetPeriod = PLAT_SVC_RESET_S, .cActions = 3, .lpsaActions = act};
	SERVICE_FAILURE_ACTIONS_FLAG flag = {TRUE};
	int rc = 0;

	if (desc == NULL || !ChangeServiceConfig2W(h, SERVICE_CONFIG_DESCRIPTION, &d))
		rc = plat_svc_fail("cannot describe", svc->name, err, errsize);
	else if (!ChangeServiceConfig2W(h, SERVICE_CONFIG_FAILURE_ACTIONS, &fa))
		rc = plat_svc_fail("cannot set the restart on failure of", svc->name, err, errsize);
	else if (!ChangeServiceConfig2W(h, SERVICE_CONFIG_FAILURE_ACTIONS_FLAG, &flag) &&
		 GetLastError() != ERROR_INVALID_LEVEL) /* wine 8 knows only the actions */
		rc = plat_svc_fail("cannot set the restart on failure of", svc->name, err, errsize);
	free(desc);
	return rc;
}

/* Creates the service, or points an existing one at cmd; its handle, or NULL with err. */
static SC_HANDLE plat_svc_create(SC_HANDLE scm, const struct plat_service *svc, const wchar_t *cmd,
				 char *err, size_t errsize)
{
	wchar_t *name = plat_wide(svc->name), *display = plat_wide(svc->display);
	SC_HANDLE h = NULL;

	if (name && display)
		h = CreateServiceW(scm, name, display, SERVICE_ALL_ACCESS,
				   SERVICE_WIN32_OWN_PROCESS, SERVICE_AUTO_START,
				   SERVICE_ERROR_NORMAL, cmd, NULL, NULL, NULL, NULL, NULL);
	if (name && display && h == NULL && GetLastError() == ERROR_SERVICE_EXISTS &&
	    (h = OpenServiceW(scm, name, SERVICE_ALL_ACCESS)) != NULL &&
	    !ChangeServiceConfigW(h, SERVICE_WIN32_OWN_PROCESS, SERVICE_AUTO_START,
				  SERVICE_ERROR_NORMAL, cmd, NULL, NULL, NULL, NULL, NULL,
				  display)) {
		CloseServiceHandle(h);
		h = NULL;
	}
	if (h == NULL)
		plat_svc_fail("cannot register the service", svc->name, err, errsize);
	free(name);
	free(display);
	return h;
}

int plat_service_install(const struct plat_service *svc, char *err, size_t errsize)
{
	wchar_t *cmd = plat_svc_cmdline(svc->args);
	SC_HANDLE scm = NULL, h = NULL;
	int rc = -1;

	if (cmd == NULL) {
		snprintf(err, errsize, "%s: the program's path or arguments: %s", svc->name,
			 strerror(errno));
		return -1;
	}
	if ((scm = OpenSCManagerW(NULL, NULL, SC_MANAGER_ALL_ACCESS)) == NULL)
		plat_svc_fail("the Service Control Manager (run as an administrator) for",
			      svc->name, err, errsize);
	else if ((h = plat_svc_create(scm, svc, cmd, err, errsize)) != NULL &&
		 plat_svc_configure(h, svc, err, errsize) == 0) {
		if (StartServiceW(h, 0, NULL) || GetLastError() == ERROR_SERVICE_ALREADY_RUNNING)
			rc = 0;
		else
			plat_svc_fail("cannot start", svc->name, err, errsize);
	}
	if (h)
		CloseServiceHandle(h);
	if (scm)
		CloseServiceHandle(scm);
	free(cmd);
	return rc;
}

/*
 * Asks h to stop and waits until it has (PLAT_SVC_STOP_WAIT at most); 0 or
 * -1.  A service still starting cannot take the request yet: it is asked
 * again once running (the uninstaller may come right after a boot).
 */
static int plat_svc_stop_wait(SC_HANDLE h)
{
	SERVICE_STATUS st;

	for (int waited = 0; waited <= PLAT_SVC_STOP_WAIT; waited += 200) {
		if (!QueryServiceStatus(h, &st))
			return -1;
		if (st.dwCurrentState == SERVICE_STOPPED)
			return 0;
		if ((st.dwCurrentState == SERVICE_RUNNING || st.dwCurrentState == SERVICE_PAUSED) &&
		    !ControlService(h, SERVICE_CONTROL_STOP, &st) &&
		    GetLastError() != ERROR_SERVICE_NOT_ACTIVE &&
		    GetLastError() != ERROR_SERVICE_CANNOT_ACCEPT_CTRL)
			return -1;
		Sleep(200);
	}
	SetLastError(ERROR_SERVICE_REQUEST_TIMEOUT);
	return -1;
}

int plat_service_stop(const char *name, bool remove, char *err, size_t errsize)
{
	wchar_t *w = plat_wide(name);
	SC_HANDLE scm = OpenSCManagerW(NULL, NULL, SC_MANAGER_CONNECT), h = NULL;
	int rc = -1;

	if (w == NULL || scm == NULL) {
		plat_svc_fail("the Service Control Manager (run as an administrator) for", name,
			      err, errsize);
	} else if ((h = OpenServiceW(scm, w, SERVICE_STOP | SERVICE_QUERY_STATUS | DELETE)) ==
		   NULL) {
		if (GetLastError() == ERROR_SERVICE_DOES_NOT_EXIST)
			rc = 0;
		else
			plat_svc_fail("cannot open the service", name, err, errsize);
	} else if (plat_svc_stop_wait(h) != 0) {
		plat_svc_fail("cannot stop the service", name, err, errsize);
	} else if (remove && !DeleteService(h) &&
		   GetLastError() != ERROR_SERVICE_MARKED_FOR_DELETE) {
		plat_svc_fail("cannot remove the service", name, err, errsize);
	} else {
		rc = 0;
	}
	if (h)
		CloseServiceHandle(h);
	if (scm)
		CloseServiceHandle(scm);
	free(w);
	return rc;
}
