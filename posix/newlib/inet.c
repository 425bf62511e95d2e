/*
 * <arpa/inet.h> for newlib programs: IPv4 addresses as text and back, over the
 * layer's parsers (posix/inet.c). In every appliance on newlib, with or without lwIP.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "posix/newlib/glue.h"
#include "posix/sys.h"

in_addr_t inet_addr(const char *s)
{
	uint32_t a;

	return sys_inet_aton(s, &a) ? a : INADDR_NONE;
}

int inet_aton(const char *s, struct in_addr *addr)
{
	uint32_t a;

	if (!sys_inet_aton(s, &a))
		return 0;
	addr->s_addr = a;
	return 1;
}

char *inet_ntoa(struct in_addr addr)
{
	static char text[INET_ADDRSTRLEN];

	sys_inet_ntop4(addr.s_addr, text, sizeof(text));
	return text;
}

int inet_pton(int af, const char *s, void *dst)
{
	uint32_t a;

	if (af != AF_INET) {
		newlib_fail(_REENT, EAFNOSUPPORT);
		return -1;
	}
	if (!sys_inet_pton4(s, &a))
		return 0;
	memcpy(dst, &a, sizeof(a)); /* dst need not be aligned */
	return 1;
}

const char *inet_ntop(int af, const void *src, char *dst, socklen_t size)
{
	uint32_t a;

	if (af != AF_INET) {
		newlib_fail(_REENT, EAFNOSUPPORT);
		return NULL;
	}
	memcpy(&a, src, sizeof(a));
	if (sys_inet_ntop4(a, dst, size) < 0) {
		newlib_fail(_REENT, ENOSPC);
		return NULL;
	}
	return dst;
}
