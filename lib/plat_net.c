/*
 * plat_net.c: plat_sockaddr (plat.h) for both platforms.  The parsing is the
 * same on each; only the headers that declare the socket structures differ,
 * so it lives once here rather than twice in plat_posix.c and plat_win.c.
 */
#ifdef _WIN32
#ifndef _WIN32_WINNT
#define _WIN32_WINNT 0x0601 /* Windows 7: inet_pton */
#endif
#include <winsock2.h>
#include <ws2tcpip.h>
#else
#include <arpa/inet.h>
#include <netinet/in.h>
#endif

#include "plat.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

int plat_sockaddr(const char *text, unsigned port, struct plat_sockaddr *sa)
{
	struct sockaddr_in a4 = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	struct sockaddr_in6 a6 = {.sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port)};

	_Static_assert(sizeof a6 <= sizeof sa->bytes, "plat_sockaddr holds a sockaddr_in6");
	memset(sa, 0, sizeof *sa);
	if (inet_pton(AF_INET, text, &a4.sin_addr) == 1) {
		memcpy(sa->bytes, &a4, sizeof a4);
		return 0;
	}
	if (inet_pton(AF_INET6, text, &a6.sin6_addr) == 1) {
		memcpy(sa->bytes, &a6, sizeof a6);
		sa->ipv6 = true;
		return 0;
	}
	errno = EINVAL;
	return -1;
}
