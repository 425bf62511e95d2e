/*
 * <sys/socket.h> for newlib programs, over the layer's socket calls (posix/socket.c,
 * lwIP): a sockaddr_in (Linux's layout, <netinet/in.h> here) becomes a struct
 * sys_sockaddr and back, option values become the layer's (a timeval a sys_timespec),
 * and errors newlib's errno. The numbers of families, types, options and flags are
 * the layer's own (Linux's): the asserts below hold them together. Only in appliances
 * linked with lwIP.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "posix/newlib/glue.h"
#include "posix/sys.h"

#define RET(rc)	  newlib_ret(_REENT, (rc))
#define FAIL(err) newlib_fail(_REENT, (err))

_Static_assert(AF_INET == SYS_AF_INET && AF_UNSPEC == SYS_AF_UNSPEC && AF_INET6 == SYS_AF_INET6,
	       "families");
_Static_assert(SOCK_STREAM == SYS_SOCK_STREAM && SOCK_DGRAM == SYS_SOCK_DGRAM &&
		       SOCK_NONBLOCK == SYS_SOCK_NONBLOCK && SOCK_CLOEXEC == SYS_SOCK_CLOEXEC,
	       "types");
_Static_assert(SOL_SOCKET == SYS_SOL_SOCKET && SO_REUSEADDR == SYS_SO_REUSEADDR &&
		       SO_TYPE == SYS_SO_TYPE && SO_ERROR == SYS_SO_ERROR &&
		       SO_BROADCAST == SYS_SO_BROADCAST && SO_SNDBUF == SYS_SO_SNDBUF &&
		       SO_RCVBUF == SYS_SO_RCVBUF && SO_KEEPALIVE == SYS_SO_KEEPALIVE &&
		       SO_LINGER == SYS_SO_LINGER && SO_RCVTIMEO == SYS_SO_RCVTIMEO &&
		       SO_SNDTIMEO == SYS_SO_SNDTIMEO,
	       "socket options");
_Static_assert(IPPROTO_IP == SYS_IPPROTO_IP && IPPROTO_TCP == SYS_IPPROTO_TCP &&
		       IPPROTO_UDP == SYS_IPPROTO_UDP && TCP_NODELAY == SYS_TCP_NODELAY &&
		       TCP_KEEPIDLE == SYS_TCP_KEEPIDLE && TCP_KEEPINTVL == SYS_TCP_KEEPINTVL &&
		       TCP_KEEPCNT == SYS_TCP_KEEPCNT && IP_TOS == SYS_IP_TOS &&
		       IP_TTL == SYS_IP_TTL,
	       "protocol options");
_Static_assert(MSG_OOB == SYS_MSG_OOB && MSG_PEEK == SYS_MSG_PEEK &&
		       MSG_DONTWAIT == SYS_MSG_DONTWAIT && MSG_WAITALL == SYS_MSG_WAITALL &&
		       MSG_NOSIGNAL == SYS_MSG_NOSIGNAL && MSG_MORE == SYS_MSG_MORE,
	       "message flags");
_Static_assert(SHUT_RD == SYS_SHUT_RD && SHUT_WR == SYS_SHUT_WR && SHUT_RDWR == SYS_SHUT_RDWR,
	       "shutdown");

/* A program's address as the layer's: true, or false if it is too short for its
 * family (EINVAL). Another family than IPv4's goes on to the layer, which refuses it
 * (EAFNOSUPPORT). */
static bool from_sockaddr(const struct sockaddr *sa, socklen_t len, struct sys_sockaddr *a)
{
	struct sockaddr_in in;

	if (!sa || len < sizeof(sa_family_t))
		return false;
	memset(a, 0, sizeof(*a));
	a->family = sa->sa_family; /* the same numbers (asserted above) */
	if (sa->sa_family != AF_INET)
		return true;
	if (len < sizeof(in))
		return false;
	memcpy(&in, sa, sizeof(in));
	a->port = in.sin_port;
	a->addr = in.sin_addr.s_addr;
	return true;
}

/* The layer's address into the program's buffer, cut to *len as POSIX has it; *len
 * becomes the whole address's length. */
static void to_sockaddr(const struct sys_sockaddr *a, struct sockaddr *sa, socklen_t *len)
{
	struct sockaddr_in in = {
		.sin_family = AF_INET, .sin_port = a->port, .sin_addr = {.s_addr = a->addr}};

	if (!sa || !len)
		return;
	memcpy(sa, &in, *len < sizeof(in) ? *len : sizeof(in));
	*len = sizeof(in);
}

int socket(int domain, int type, int protocol)
{
	return (int)RET(sys_socket(domain, type, protocol));
}

int bind(int fd, const struct sockaddr *addr, socklen_t len)
{
	struct sys_sockaddr a;

	if (!from_sockaddr(addr, len, &a))
		return (int)FAIL(EINVAL);
	return (int)RET(sys_bind(fd, &a));
}

int listen(int fd, int backlog)
{
	return (int)RET(sys_listen(fd, backlog));
}

int accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags)
{
	struct sys_sockaddr a;
	int rc = sys_accept(fd, &a, flags);

	if (rc >= 0)
		to_sockaddr(&a, addr, len);
	return (int)RET(rc);
}

int accept(int fd, struct sockaddr *addr, socklen_t *len)
{
	return accept4(fd, addr, len, 0);
}

int connect(int fd, const struct sockaddr *addr, socklen_t len)
{
	struct sys_sockaddr a;

	if (!from_sockaddr(addr, len, &a))
		return (int)FAIL(EINVAL);
	return (int)RET(sys_connect(fd, &a));
}

ssize_t sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *to,
	       socklen_t tolen)
{
	struct sys_sockaddr a;

	if (to && !from_sockaddr(to, tolen, &a))
		return FAIL(EINVAL);
	return RET(sys_sendto(fd, buf, len, flags, to ? &a : NULL));
}

ssize_t send(int fd, const void *buf, size_t len, int flags)
{
	return RET(sys_sendto(fd, buf, len, flags, NULL));
}

ssize_t recvfrom(int fd, void *buf, size_t len, int flags, struct sockaddr *from,
		 socklen_t *fromlen)
{
	struct sys_sockaddr a;
	long n = sys_recvfrom(fd, buf, len, flags, &a);

	if (n >= 0 && from)
		to_sockaddr(&a, from, fromlen);
	return RET(n);
}

ssize_t recv(int fd, void *buf, size_t len, int flags)
{
	return RET(sys_recvfrom(fd, buf, len, flags, NULL));
}

int shutdown(int fd, int how)
{
	return (int)RET(sys_shutdown(fd, how));
}

static bool is_timeout(int level, int name)
{
	return level == SOL_SOCKET && (name == SO_RCVTIMEO || name == SO_SNDTIMEO);
}

int setsockopt(int fd, int level, int name, const void *val, socklen_t len)
{
	struct sys_timespec t;
	struct timeval tv;

	if (is_timeout(level, name)) {
		if (!val || len < sizeof(tv))
			return (int)FAIL(EINVAL);
		memcpy(&tv, val, sizeof(tv));
		if (tv.tv_usec < 0 || tv.tv_usec >= 1000000)
			return (int)FAIL(EINVAL);
		t.sec = tv.tv_sec;
		t.nsec = (long)tv.tv_usec * 1000;
		return (int)RET(sys_setsockopt(fd, level, name, &t, sizeof(t)));
	}
	/* struct linger is the layer's struct sys_linger: two ints. */
	return (int)RET(sys_setsockopt(fd, level, name, val, len));
}

int getsockopt(int fd, int level, int name, void *val, socklen_t *len)
{
	struct sys_timespec t;
	struct timeval tv;
	size_t l;
	int rc;

	if (!len)
		return (int)FAIL(EINVAL);
	if (is_timeout(level, name)) {
		if (!val || *len < sizeof(tv))
			return (int)FAIL(EINVAL);
		l = sizeof(t);
		rc = sys_getsockopt(fd, level, name, &t, &l);
		if (rc == 0) {
			tv.tv_sec = t.sec;
			tv.tv_usec = t.nsec / 1000;
			memcpy(val, &tv, sizeof(tv));
			*len = sizeof(tv);
		}
		return (int)RET(rc);
	}
	l = *len;
	rc = sys_getsockopt(fd, level, name, val, &l);
	if (rc == 0)
		*len = (socklen_t)l;
	/* SO_ERROR's value is an errno: the layer's (Linux's) number, the program's
	 * newlib's. */
	if (rc == 0 && level == SOL_SOCKET && name == SO_ERROR) {
		int e;

		memcpy(&e, val, sizeof(e));
		if (e > 0)
			e = newlib_errno(-e);
		memcpy(val, &e, sizeof(e));
	}
	return (int)RET(rc);
}

_Static_assert(sizeof(struct linger) == sizeof(struct sys_linger), "struct linger");

/* getsockname() or getpeername(): the layer's call, its address the program's. */
static int name_of(int fd, struct sockaddr *addr, socklen_t *len,
		   int (*get)(int fd, struct sys_sockaddr *a))
{
	struct sys_sockaddr a;
	int rc = get(fd, &a);

	if (rc == 0)
		to_sockaddr(&a, addr, len);
	return (int)RET(rc);
}

int getsockname(int fd, struct sockaddr *addr, socklen_t *len)
{
	return name_of(fd, addr, len, sys_getsockname);
}

int getpeername(int fd, struct sockaddr *addr, socklen_t *len)
{
	return name_of(fd, addr, len, sys_getpeername);
}

int socketpair(int domain, int type, int protocol, int fds[2])
{
	return (int)RET(sys_nosys("socketpair"));
}
