/*
 * Sockets for the POSIX layer: each socket is an lwIP socket (lwIP's own socket API,
 * api/sockets.c) behind an fd of the layer's one table, so read, write, close, dup,
 * fcntl, fstat and poll work on it as on any fd. This file is the only place the two
 * meet: it turns the layer's Linux numbers (sys.h) into lwIP's, a struct sys_sockaddr
 * into lwIP's sockaddr_in (which has a length byte first), and lwIP's errno into the
 * layer's -errno. Only appliances linked with lwIP have it (the Makefile).
 *
 * The network starts on the first call that needs it (socket(), a name lookup):
 * vif 0 with the address of the command line's ip= or DHCP (net/net.c), so a program
 * that never opens a socket never waits for an address.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <skiff/net.h>
#include <skiff/thread.h>
#include <skiff/time.h>

#include "libc/printk.h"
#include "lwip/api.h"
#include "lwip/dns.h"
#include "lwip/sockets.h"
#include "posix/fd.h"
#include "posix/sys.h"
#include "posix/vfs.h"

/*
 * lwIP reports errors in the global errno (net/sys_arch.c, Linux's numbers). A call
 * that would block (EAGAIN) yields first: threads are cooperative, so a program that
 * retries a non-blocking call in a loop would otherwise never let the tcpip thread
 * bring what it waits for.
 */
static int lwip_error(void)
{
	int err = errno > 0 ? errno : EIO;

	if (err == EAGAIN)
		thread_yield();
	return -err;
}

/* 0 once the network runs, else -ENETDOWN (said on the console once). */
static int network_up(void)
{
	static bool tried;
	static int result;

	if (!tried) {
		tried = true;
		result = skiff_net_start();
		/* Still waiting for DHCP: lwIP runs and keeps asking; sockets work. */
		if (result == -ETIMEDOUT)
			result = 0;
		if (result)
			printk("posix: no network (%s): sockets fail with ENETDOWN\n",
			       sys_errno_name(result) ? sys_errno_name(result) : "?");
	}
	return result ? -ENETDOWN : 0;
}

/* The dev_arg of a socket's node: lwIP's socket number (0 is one), plus one. */
static int sock_of(void *arg)
{
	return (int)(intptr_t)arg - 1;
}

static long sock_read(void *arg, void *buf, size_t len, int64_t off, bool nonblock)
{
	long n = lwip_recv(sock_of(arg), buf, len, nonblock ? MSG_DONTWAIT : 0);

	return n < 0 ? lwip_error() : n;
}

static long sock_write(void *arg, const void *buf, size_t len, int64_t off)
{
	long n = lwip_send(sock_of(arg), buf, len, 0);

	return n < 0 ? lwip_error() : n;
}

static void sock_close(void *arg)
{
	lwip_close(sock_of(arg));
}

static int sock_setfl(void *arg, int flags)
{
	int rc = lwip_fcntl(sock_of(arg), F_SETFL, (flags & SYS_O_NONBLOCK) ? O_NONBLOCK : 0);

	return rc < 0 ? lwip_error() : 0;
}

/* lwIP's poll events as the layer's, and back. */
static const struct {
	unsigned int sys;
	short lwip;
} poll_bits[] = {
	{SYS_POLLIN, POLLIN},	{SYS_POLLPRI, POLLPRI}, {SYS_POLLOUT, POLLOUT},
	{SYS_POLLERR, POLLERR}, {SYS_POLLHUP, POLLHUP}, {SYS_POLLNVAL, POLLNVAL},
};

static short to_lwip_events(unsigned int events)
{
	short out = 0;

	for (size_t i = 0; i < sizeof(poll_bits) / sizeof(poll_bits[0]); i++)
		if (events & poll_bits[i].sys)
			out |= poll_bits[i].lwip;
	return out;
}

static unsigned int from_lwip_events(short events)
{
	unsigned int out = 0;

	for (size_t i = 0; i < sizeof(poll_bits) / sizeof(poll_bits[0]); i++)
		if (events & poll_bits[i].lwip)
			out |= poll_bits[i].sys;
	return out;
}

static unsigned int sock_poll(void *arg, unsigned int events)
{
	struct pollfd p = {.fd = sock_of(arg), .events = to_lwip_events(events)};

	if (lwip_poll(&p, 1, 0) < 0)
		return SYS_POLLERR;
	return from_lwip_events(p.revents);
}

static const struct dev_ops socket_ops;

/* Wait in lwIP until one of the set's sockets is ready (or the time is up). */
static void sock_wait(const struct sys_pollfd *set, unsigned int n, int timeout_ms)
{
	struct pollfd *p = calloc(n ? n : 1, sizeof(*p));
	unsigned int k = 0;

	if (!p) {
		msleep(10); /* no memory to wait with: look again soon */
		return;
	}
	for (unsigned int i = 0; i < n; i++) {
		struct file *f = set[i].fd < 0 ? NULL : fd_file(set[i].fd);

		if (f && f->node->dev == &socket_ops) {
			p[k].fd = sock_of(f->node->dev_arg);
			p[k++].events = to_lwip_events((uint16_t)set[i].events);
		}
	}
	lwip_poll(p, k, timeout_ms);
	free(p);
}

static const struct dev_ops socket_ops = {
	.read = sock_read,
	.write = sock_write,
	.close = sock_close,
	.setfl = sock_setfl,
	.poll = sock_poll,
	.wait = sock_wait,
	.stream = true,
};

/* The lwIP socket behind fd: 0 and *s, or -EBADF (not open), -ENOTSOCK. */
static int socket_fd(int fd, int *s)
{
	struct file *f = fd_file(fd);

	if (!f)
		return -EBADF;
	if (f->node->dev != &socket_ops)
		return -ENOTSOCK;
	*s = sock_of(f->node->dev_arg);
	return 0;
}

/* An fd for lwIP socket s (which it owns from now on, closing it on failure). */
static int install(int s, int flags)
{
	struct node *n = vfs_new_anonymous(SYS_S_IFSOCK | 0777);
	int fd;

	if (!n) {
		lwip_close(s);
		return -ENOMEM;
	}
	n->dev = &socket_ops;
	n->dev_arg = (void *)(intptr_t)(s + 1);
	if ((flags & SYS_SOCK_NONBLOCK) && lwip_fcntl(s, F_SETFL, O_NONBLOCK) < 0) {
		lwip_close(s);
		vfs_free_anonymous(n);
		return -EINVAL;
	}
	fd = fd_install(n, SYS_O_RDWR | ((flags & SYS_SOCK_NONBLOCK) ? SYS_O_NONBLOCK : 0));
	if (fd < 0) {
		lwip_close(s);
		vfs_free_anonymous(n);
	}
	return fd;
}

int sys_socket(int family, int type, int protocol)
{
	int flags = type & (SYS_SOCK_NONBLOCK | SYS_SOCK_CLOEXEC), kind, s, rc;

	type &= ~(SYS_SOCK_NONBLOCK | SYS_SOCK_CLOEXEC);
	/* lwIP takes any family for IPv4 (it does not look): refuse the others here. */
	if (family != SYS_AF_INET)
		return -EAFNOSUPPORT;
	if (type == SYS_SOCK_STREAM && (protocol == 0 || protocol == SYS_IPPROTO_TCP))
		kind = SOCK_STREAM;
	else if (type == SYS_SOCK_DGRAM && (protocol == 0 || protocol == SYS_IPPROTO_UDP))
		kind = SOCK_DGRAM;
	else if (type == SYS_SOCK_STREAM || type == SYS_SOCK_DGRAM || type == SYS_SOCK_RAW)
		return -EPROTONOSUPPORT; /* no raw sockets: lwIP's are off (lwipopts.h) */
	else
		return -EINVAL;
	rc = network_up();
	if (rc)
		return rc;
	/* Refused before lwIP spends a socket on it. */
	if (fd_table_full())
		return -EMFILE;
	s = lwip_socket(AF_INET, kind, 0);
	if (s < 0)
		return lwip_error();
	return install(s, flags);
}

/* The layer's address as lwIP's: -EAFNOSUPPORT for another family. */
static int to_lwip_addr(const struct sys_sockaddr *a, struct sockaddr_in *out)
{
	if (a->family != SYS_AF_INET)
		return -EAFNOSUPPORT;
	memset(out, 0, sizeof(*out));
	out->sin_len = sizeof(*out);
	out->sin_family = AF_INET;
	out->sin_port = a->port;
	out->sin_addr.s_addr = a->addr;
	return 0;
}

static void from_lwip_addr(const struct sockaddr_in *in, struct sys_sockaddr *a)
{
	a->family = SYS_AF_INET;
	a->port = in->sin_port;
	a->addr = in->sin_addr.s_addr;
}

/* bind() or connect(): the same address in, the same errors out. */
static int with_address(int fd, const struct sys_sockaddr *a,
			int (*call)(int s, const struct sockaddr *name, socklen_t len))
{
	struct sockaddr_in in;
	int s, rc = socket_fd(fd, &s);

	if (!rc)
		rc = to_lwip_addr(a, &in);
	if (!rc && call(s, (struct sockaddr *)&in, sizeof(in)) < 0)
		rc = lwip_error();
	return rc;
}

int sys_bind(int fd, const struct sys_sockaddr *a)
{
	return with_address(fd, a, lwip_bind);
}

int sys_listen(int fd, int backlog)
{
	int s, rc = socket_fd(fd, &s);

	if (!rc && lwip_listen(s, backlog) < 0)
		rc = lwip_error();
	return rc;
}

int sys_accept(int fd, struct sys_sockaddr *peer, int flags)
{
	struct sockaddr_in in;
	socklen_t len = sizeof(in);
	int s, c, rc = socket_fd(fd, &s);

	if (rc)
		return rc;
	if (flags & ~(SYS_SOCK_NONBLOCK | SYS_SOCK_CLOEXEC))
		return -EINVAL;
	/* A connection taken with no fd to put it in would be lost: refuse first. */
	if (fd_table_full())
		return -EMFILE;
	c = lwip_accept(s, (struct sockaddr *)&in, &len);
	if (c < 0)
		return lwip_error();
	if (peer)
		from_lwip_addr(&in, peer);
	return install(c, flags);
}

int sys_connect(int fd, const struct sys_sockaddr *a)
{
	return with_address(fd, a, lwip_connect);
}

/* The layer's MSG_* as lwIP's: -EOPNOTSUPP for out-of-band data, which lwIP lacks. */
static int to_lwip_flags(int flags)
{
	int out = 0;

	if (flags & SYS_MSG_OOB)
		return -EOPNOTSUPP;
	if (flags & SYS_MSG_PEEK)
		out |= MSG_PEEK;
	if (flags & SYS_MSG_DONTWAIT)
		out |= MSG_DONTWAIT;
	if (flags & SYS_MSG_WAITALL)
		out |= MSG_WAITALL;
	if (flags & SYS_MSG_MORE)
		out |= MSG_MORE;
	/* SYS_MSG_NOSIGNAL: there is no SIGPIPE to hold back; a write to a closed
	 * connection returns its error whatever the flags. */
	return out;
}

long sys_sendto(int fd, const void *buf, size_t len, int flags, const struct sys_sockaddr *to)
{
	struct sockaddr_in in;
	int s, rc = socket_fd(fd, &s), lflags = to_lwip_flags(flags);
	long n;

	if (rc)
		return rc;
	if (lflags < 0)
		return lflags;
	if (to) {
		rc = to_lwip_addr(to, &in);
		if (rc)
			return rc;
		n = lwip_sendto(s, buf, len, lflags, (struct sockaddr *)&in, sizeof(in));
	} else {
		n = lwip_send(s, buf, len, lflags);
	}
	return n < 0 ? lwip_error() : n;
}

long sys_recvfrom(int fd, void *buf, size_t len, int flags, struct sys_sockaddr *from)
{
	struct sockaddr_in in;
	socklen_t inlen = sizeof(in);
	int s, rc = socket_fd(fd, &s), lflags = to_lwip_flags(flags);
	long n;

	if (rc)
		return rc;
	if (lflags < 0)
		return lflags;
	memset(&in, 0, sizeof(in));
	n = lwip_recvfrom(s, buf, len, lflags, (struct sockaddr *)&in, &inlen);
	if (n < 0)
		return lwip_error();
	if (from)
		from_lwip_addr(&in, from);
	return n;
}

int sys_shutdown(int fd, int how)
{
	int s, rc = socket_fd(fd, &s);

	if (rc)
		return rc;
	if (how != SYS_SHUT_RD && how != SYS_SHUT_WR && how != SYS_SHUT_RDWR)
		return -EINVAL;
	return lwip_shutdown(s, how) < 0 ? lwip_error() : 0; /* lwIP's SHUT_* are Linux's */
}

/* What an option's value is, in the layer and in lwIP. */
enum opt_kind { OPT_INT, OPT_TIME, OPT_LINGER, OPT_FIXED };

struct opt {
	int level, name; /* the layer's (Linux's) */
	int lwip_level, lwip_name;
	enum opt_kind kind;
	int fixed; /* OPT_FIXED: the value getsockopt reports */
};

/*
 * The options lwIP has. The buffer sizes are fixed when lwIP is built (lwipopts.h:
 * TCP_SND_BUF, TCP_WND): setting them succeeds and changes nothing, as Linux too
 * treats them as hints, and reading them says the real sizes.
 */
static const struct opt opts[] = {
	{SYS_SOL_SOCKET, SYS_SO_REUSEADDR, SOL_SOCKET, SO_REUSEADDR, OPT_INT, 0},
	{SYS_SOL_SOCKET, SYS_SO_TYPE, SOL_SOCKET, SO_TYPE, OPT_INT, 0},
	{SYS_SOL_SOCKET, SYS_SO_ERROR, SOL_SOCKET, SO_ERROR, OPT_INT, 0},
	{SYS_SOL_SOCKET, SYS_SO_BROADCAST, SOL_SOCKET, SO_BROADCAST, OPT_INT, 0},
	{SYS_SOL_SOCKET, SYS_SO_KEEPALIVE, SOL_SOCKET, SO_KEEPALIVE, OPT_INT, 0},
	{SYS_SOL_SOCKET, SYS_SO_LINGER, SOL_SOCKET, SO_LINGER, OPT_LINGER, 0},
	{SYS_SOL_SOCKET, SYS_SO_RCVTIMEO, SOL_SOCKET, SO_RCVTIMEO, OPT_TIME, 0},
	{SYS_SOL_SOCKET, SYS_SO_SNDTIMEO, SOL_SOCKET, SO_SNDTIMEO, OPT_TIME, 0},
	{SYS_SOL_SOCKET, SYS_SO_SNDBUF, 0, 0, OPT_FIXED, TCP_SND_BUF},
	{SYS_SOL_SOCKET, SYS_SO_RCVBUF, 0, 0, OPT_FIXED, TCP_WND},
	{SYS_IPPROTO_TCP, SYS_TCP_NODELAY, IPPROTO_TCP, TCP_NODELAY, OPT_INT, 0},
	{SYS_IPPROTO_TCP, SYS_TCP_KEEPIDLE, IPPROTO_TCP, TCP_KEEPIDLE, OPT_INT, 0},
	{SYS_IPPROTO_TCP, SYS_TCP_KEEPINTVL, IPPROTO_TCP, TCP_KEEPINTVL, OPT_INT, 0},
	{SYS_IPPROTO_TCP, SYS_TCP_KEEPCNT, IPPROTO_TCP, TCP_KEEPCNT, OPT_INT, 0},
	{SYS_IPPROTO_IP, SYS_IP_TOS, IPPROTO_IP, IP_TOS, OPT_INT, 0},
	{SYS_IPPROTO_IP, SYS_IP_TTL, IPPROTO_IP, IP_TTL, OPT_INT, 0},
};

static const struct opt *find_opt(int level, int name)
{
	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		if (opts[i].level == level && opts[i].name == name)
			return &opts[i];
	return NULL;
}

static size_t opt_size(enum opt_kind kind)
{
	return kind == OPT_TIME	    ? sizeof(struct sys_timespec)
	       : kind == OPT_LINGER ? sizeof(struct sys_linger)
				    : sizeof(int);
}

int sys_setsockopt(int fd, int level, int name, const void *val, size_t len)
{
	const struct opt *o = find_opt(level, name);
	int s, rc = socket_fd(fd, &s);

	if (rc)
		return rc;
	if (!o)
		return -ENOPROTOOPT;
	if (!val || len < opt_size(o->kind))
		return -EINVAL;
	switch (o->kind) {
	case OPT_FIXED:
		return 0;
	case OPT_TIME: {
		const struct sys_timespec *t = val;
		struct timeval tv = {.tv_sec = (long)t->sec, .tv_usec = t->nsec / 1000};

		if (t->sec < 0 || t->nsec < 0 || t->nsec >= 1000000000)
			return -EINVAL;
		rc = lwip_setsockopt(s, o->lwip_level, o->lwip_name, &tv, sizeof(tv));
		break;
	}
	case OPT_LINGER: {
		const struct sys_linger *l = val;
		struct linger lg = {.l_onoff = l->onoff, .l_linger = l->seconds};

		rc = lwip_setsockopt(s, o->lwip_level, o->lwip_name, &lg, sizeof(lg));
		break;
	}
	default:
		rc = lwip_setsockopt(s, o->lwip_level, o->lwip_name, val, sizeof(int));
	}
	return rc < 0 ? lwip_error() : 0;
}

int sys_getsockopt(int fd, int level, int name, void *val, size_t *len)
{
	const struct opt *o = find_opt(level, name);
	int s, rc = socket_fd(fd, &s);
	socklen_t l;

	if (rc)
		return rc;
	if (!o)
		return -ENOPROTOOPT;
	if (!val || !len || *len < opt_size(o->kind))
		return -EINVAL;
	switch (o->kind) {
	case OPT_FIXED:
		*(int *)val = o->fixed;
		break;
	case OPT_TIME: {
		struct timeval tv;
		struct sys_timespec *t = val;

		l = sizeof(tv);
		rc = lwip_getsockopt(s, o->lwip_level, o->lwip_name, &tv, &l);
		t->sec = tv.tv_sec;
		t->nsec = tv.tv_usec * 1000;
		break;
	}
	case OPT_LINGER: {
		struct linger lg;
		struct sys_linger *out = val;

		l = sizeof(lg);
		rc = lwip_getsockopt(s, o->lwip_level, o->lwip_name, &lg, &l);
		out->onoff = lg.l_onoff;
		out->seconds = lg.l_linger;
		break;
	}
	default:
		l = sizeof(int);
		rc = lwip_getsockopt(s, o->lwip_level, o->lwip_name, val, &l);
		/* lwIP's numbers for the type; its errors in Linux's numbers already. */
		if (rc == 0 && o->name == SYS_SO_TYPE)
			*(int *)val = *(int *)val == SOCK_STREAM ? SYS_SOCK_STREAM : SYS_SOCK_DGRAM;
	}
	if (rc < 0)
		return lwip_error();
	*len = opt_size(o->kind);
	return 0;
}

static int name_of(int fd, struct sys_sockaddr *a, bool peer)
{
	struct sockaddr_in in;
	socklen_t len = sizeof(in);
	int s, rc = socket_fd(fd, &s);

	if (rc)
		return rc;
	memset(&in, 0, sizeof(in));
	rc = peer ? lwip_getpeername(s, (struct sockaddr *)&in, &len)
		  : lwip_getsockname(s, (struct sockaddr *)&in, &len);
	if (rc < 0)
		return lwip_error();
	from_lwip_addr(&in, a);
	return 0;
}

int sys_getsockname(int fd, struct sys_sockaddr *a)
{
	return name_of(fd, a, false);
}

int sys_getpeername(int fd, struct sys_sockaddr *a)
{
	return name_of(fd, a, true);
}

int sys_resolve(const char *name, uint32_t *addr)
{
	ip_addr_t ip;
	err_t err;
	int rc;

	if (!name || !*name || strlen(name) >= DNS_MAX_NAME_LENGTH)
		return -EINVAL;
	rc = network_up();
	if (rc)
		return rc;
	if (ip_addr_isany(dns_getserver(0))) {
		static bool said;

		if (!said)
			printk("posix: no DNS server (dns= on the command line, or DHCP's): "
			       "name lookups fail\n");
		said = true;
		return -EAGAIN;
	}
	/* Blocks until the server answers or lwIP's DNS gives up (its retries). */
	err = netconn_gethostbyname(name, &ip);
	if (err == ERR_OK) {
		*addr = ip4_addr_get_u32(ip_2_ip4(&ip));
		return 0;
	}
	/* ERR_VAL: no such name, or no answer within lwIP's retries (lwIP does not tell
	 * the two apart); ERR_ARG: a malformed name. */
	return err == ERR_VAL ? -ENOENT : err == ERR_MEM ? -ENOMEM : -EINVAL;
}
