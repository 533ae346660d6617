/*
 * plat_win_acl: who may read the agent's secrets on Windows (lib/plat.h's
 * plat_secret_exposed and plat_secure_path), from the files' access lists.
 *
 * Windows has no mode bits: a CURVE secret key is private when its access
 * list (DACL) lets nobody read it but the system (LocalSystem, the service's
 * account), the administrators, and the file's owner or whoever runs the
 * check.  A key copied into a folder that passes down "Users: read" (as
 * C:\ProgramData does) is not, and a leaked commune key lets anyone write
 * that commune's figures, so the agent refuses it as it refuses a key of
 * mode 0644 on Linux.  The installer makes the folders private with
 * plat_secure_path (through `chiso-agent service install`): an access list
 * of the system and the administrators alone, protected from what the
 * parent would pass down.
 */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#include <aclapi.h>
#include <sddl.h>

#include "plat.h"
#include "plat_win.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

/* The access lists plat_secure_path sets (SDDL): the system and the administrators, full
 * control, protected from the parent's; a folder's passed down to what it holds. */
#define PLAT_ACL_DIR  L"D:P(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)"
#define PLAT_ACL_FILE L"D:P(A;;FA;;;SY)(A;;FA;;;BA)"

/* Most denied SIDs remembered while reading one access list. */
#define PLAT_ACL_DENIED_MAX 32

/* The rights that read a file's contents. */
#define PLAT_READ_RIGHTS (FILE_READ_DATA | GENERIC_READ | GENERIC_ALL)

/* The user this process runs as (a copy in buf), or NULL. */
static PSID plat_self_sid(unsigned char *buf, DWORD size)
{
	HANDLE tok;
	DWORD got = 0;
	PSID sid = NULL;

	if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &tok))
		return NULL;
	if (GetTokenInformation(tok, TokenUser, buf, size, &got))
		sid = ((TOKEN_USER *)buf)->User.Sid;
	CloseHandle(tok);
	return sid;
}

/* Whether sid is one the secret may be read by. */
static bool plat_sid_trusted(PSID sid, PSID owner, PSID self)
{
	return IsWellKnownSid(sid, WinLocalSystemSid) ||
	       IsWellKnownSid(sid, WinBuiltinAdministratorsSid) ||
	       (owner && EqualSid(sid, owner)) || (self && EqualSid(sid, self));
}

/* A SID's account name, "BUILTIN\Users", or its S-1-... form, into buf. */
static void plat_sid_name(PSID sid, char *buf, size_t size)
{
	wchar_t name[256], domain[256], *text = NULL;
	DWORD nn = 256, dn = 256;
	SID_NAME_USE use;
	char n8[512], d8[512];

	if (LookupAccountSidW(NULL, sid, name, &nn, domain, &dn, &use) &&
	    plat_narrow(name, n8, sizeof n8) == 0 && plat_narrow(domain, d8, sizeof d8) == 0) {
		snprintf(buf, size, "%s%s%s", d8, d8[0] ? "\\" : "", n8);
		return;
	}
	if (ConvertSidToStringSidW(sid, &text) && plat_narrow(text, n8, sizeof n8) == 0)
		snprintf(buf, size, "%s", n8);
	else
		snprintf(buf, size, "an unknown account");
	LocalFree(text);
}

/*
 * The first SID that dacl lets read, other than the trusted ones, or NULL.
 * ACEs apply in order: a SID denied reading (or Everyone denied) before its
 * grant does not read through it.
 */
static PSID plat_acl_reader(PACL dacl, PSID owner, PSID self)
{
	PSID denied[PLAT_ACL_DENIED_MAX];
	size_t ndenied = 0;

	for (DWORD i = 0; i < dacl->AceCount; i++) {
		ACE_HEADER *ace;
		if (!GetAce(dacl, i, (void **)&ace) || (ace->AceFlags & INHERIT_ONLY_ACE))
			continue;
		if (ace->AceType == ACCESS_DENIED_ACE_TYPE) {
			ACCESS_DENIED_ACE *d = (ACCESS_DENIED_ACE *)ace;
			if ((d->Mask & PLAT_READ_RIGHTS) && ndenied < PLAT_ACL_DENIED_MAX)
				denied[ndenied++] = (PSID)&d->SidStart;
			continue;
		}
		if (ace->AceType != ACCESS_ALLOWED_ACE_TYPE)
			continue;
		ACCESS_ALLOWED_ACE *a = (ACCESS_ALLOWED_ACE *)ace;
		PSID sid = (PSID)&a->SidStart;
		bool blocked = false;
		for (size_t j = 0; j < ndenied && !blocked; j++)
			blocked =
			    EqualSid(denied[j], sid) || IsWellKnownSid(denied[j], WinWorldSid);
		if ((a->Mask & PLAT_READ_RIGHTS) && !blocked && !plat_sid_trusted(sid, owner, self))
			return sid;
	}
	return NULL;
}

int plat_secret_exposed(const char *path, char *why, size_t whysize)
{
	wchar_t *w = plat_wide(path);
	PSECURITY_DESCRIPTOR sd = NULL;
	PSID owner = NULL, self, reader;
	PACL dacl = NULL;
	unsigned char tokbuf[256];
	char who[600];

	if (w == NULL)
		return -1;
	DWORD e = GetNamedSecurityInfoW(w, SE_FILE_OBJECT,
					OWNER_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION,
					&owner, NULL, &dacl, NULL, &sd);
	free(w);
	if (e != ERROR_SUCCESS)
		return errno = plat_errno(e), -1;
	self = plat_self_sid(tokbuf, sizeof tokbuf);
	if (dacl == NULL) {
		snprintf(who, sizeof who, "everyone (the file has no access list)");
	} else if ((reader = plat_acl_reader(dacl, owner, self)) != NULL) {
		plat_sid_name(reader, who, sizeof who);
	} else {
		LocalFree(sd);
		return 0;
	}
	LocalFree(sd);
	snprintf(why, whysize,
		 "%s (its access list): icacls \"%s\" /inheritance:r /grant:r *S-1-5-18:F "
		 "*S-1-5-32-544:F, or run `chiso-agent service install` as an administrator",
		 who, path);
	return 1;
}

void *plat_private_sd(bool dir)
{
	unsigned char tokbuf[256];
	PSID self = plat_self_sid(tokbuf, sizeof tokbuf);
	PSECURITY_DESCRIPTOR sd = NULL;
	wchar_t *user = NULL, sddl[256];

	if (self == NULL || !ConvertSidToStringSidW(self, &user))
		return NULL;
	swprintf(sddl, 256, L"%ls(A;%ls;FA;;;%ls)", dir ? PLAT_ACL_DIR : PLAT_ACL_FILE,
		 dir ? L"OICI" : L"", user);
	LocalFree(user);
	if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl, SDDL_REVISION_1, &sd, NULL))
		return NULL;
	return sd;
}

/*
 * Sets the access list of sddl on the UTF-16 path w; 0, or -1 with err.
 * SetFileSecurityW, not SetNamedSecurityInfoW: both do it on Windows, but
 * under wine only the first reaches the file (as its mode), and the installer
 * test runs there.
 */
static int plat_secure_one(const wchar_t *w, const wchar_t *sddl, const char *path, char *err,
			   size_t errsize)
{
	PSECURITY_DESCRIPTOR sd = NULL;
	DWORD e = ERROR_INVALID_DATA;

	if (ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl, SDDL_REVISION_1, &sd, NULL))
		e = SetFileSecurityW(
			w, DACL_SECURITY_INFORMATION | PROTECTED_DACL_SECURITY_INFORMATION, sd)
			? ERROR_SUCCESS
			: GetLastError();
	LocalFree(sd);
	if (e != ERROR_SUCCESS) {
		snprintf(err, errsize, "%s: cannot set its access list (Windows error %lu)", path,
			 (unsigned long)e);
		return -1;
	}
	return 0;
}

/*
 * plat_secure_path on the UTF-16 path w, and on what a folder holds: each
 * entry explicitly, because a copy of the inherited entries is made only by
 * Windows's own propagation, which wine does not do.  depth bounds the walk.
 */
static int plat_secure_tree(const wchar_t *w, const char *path, int depth, char *err,
			    size_t errsize)
{
	DWORD attr = GetFileAttributesW(w);

	if (attr == INVALID_FILE_ATTRIBUTES) {
		snprintf(err, errsize, "%s: %s", path, strerror(plat_errno(GetLastError())));
		return -1;
	}
	bool dir = (attr & FILE_ATTRIBUTE_DIRECTORY) && !(attr & FILE_ATTRIBUTE_REPARSE_POINT);
	if (plat_secure_one(w, dir ? PLAT_ACL_DIR : PLAT_ACL_FILE, path, err, errsize) != 0)
		return -1;
	if (!dir || depth <= 0)
		return 0;
	size_t len = wcslen(w);
	wchar_t *pattern = malloc((len + 3) * sizeof *pattern);
	WIN32_FIND_DATAW fd;
	int rc = 0;
	if (pattern == NULL)
		return snprintf(err, errsize, "out of memory"), -1;
	swprintf(pattern, len + 3, L"%ls\\*", w);
	HANDLE h = FindFirstFileW(pattern, &fd);
	for (bool more = h != INVALID_HANDLE_VALUE; more && rc == 0; more = FindNextFileW(h, &fd)) {
		if (wcscmp(fd.cFileName, L".") == 0 || wcscmp(fd.cFileName, L"..") == 0)
			continue;
		size_t clen = len + wcslen(fd.cFileName) + 2;
		wchar_t *child = malloc(clen * sizeof *child);
		if (child == NULL) {
			snprintf(err, errsize, "out of memory");
			rc = -1;
			break;
		}
		swprintf(child, clen, L"%ls\\%ls", w, fd.cFileName);
		rc = plat_secure_tree(child, path, depth - 1, err, errsize);
		free(child);
	}
	if (h != INVALID_HANDLE_VALUE)
		FindClose(h);
	free(pattern);
	return rc;
}

int plat_secure_path(const char *path, char *err, size_t errsize)
{
	wchar_t *w = plat_wide(path);
	int rc;

	if (w == NULL) {
		snprintf(err, errsize, "%s: %s", path, strerror(errno));
		return -1;
	}
	rc = plat_secure_tree(w, path, 8, err, errsize);
	free(w);
	return rc;
}
