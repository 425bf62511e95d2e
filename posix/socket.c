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
	struct file **held = calloc(n ? n : 1, sizeof(*held));

	if (!p || !held) {
		free(p);
		free(held);
		msleep(10); /* no memory to wait with: look again soon */
		return;
	}
	/* Each socket held while lwIP waits on it: a close() by another thread ends it
	 * only after the wait (lwIP may not free a socket someone waits on). */
	for (unsigned int i = 0; i < n; i++) {
		struct file *f = set[i].fd < 0 ? NULL : fd_get(set[i].fd);

		if (f && f->node->dev != &socket_ops) {
			fd_put(f);
			f = NULL;
		}
		if (f) {
			held[k] = f;
			p[k].fd = sock_of(f->node->dev_arg);
			p[k++].events = to_lwip_events((uint16_t)set[i].events);
		}
	}
	lwip_poll(p, k, timeout_ms);
	for (unsigned int i = 0; i < k; i++)
		fd_put(held[i]);
	free(held);
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

/*
 * The lwIP socket behind fd, held (fd_put(*f) when done): a call may block, and
 * another thread may close the fd meanwhile; lwIP's socket is closed at the last
 * release, never under a thread inside it. 0, or -EBADF (not open), -ENOTSOCK.
 */
static int socket_get(int fd, struct file **f, int *s)
{
	*f = fd_file(fd);
	if (!*f)
		return -EBADF;
	if ((*f)->node->dev != &socket_ops)
		return -ENOTSOCK;
	fd_get(fd);
	*s = sock_of((*f)->node->dev_arg);
	return 0;
}

/* The same for a call that never blocks (options, names): no hold needed. */
static int socket_fd(int fd, int *s)
{
	struct file *f;
	int rc = socket_get(fd, &f, s);

	if (!rc)
		fd_put(f);
	return rc;
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
	if ((flags & SYS_SOCK_NONBLOCK) && lwip_fcntl(s, F_SETFL, O_NONBLOCK) < 0)
		fd = -EINVAL;
	else
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
	struct file *f;
	int s, rc = socket_get(fd, &f, &s);

	if (rc)
		return rc;
	rc = to_lwip_addr(a, &in);
	if (!rc && call(s, (struct sockaddr *)&in, sizeof(in)) < 0)
		rc = lwip_error();
	fd_put(f);
	return rc;
}

int sys_bind(int fd, const struct sys_sockaddr *a)
{
	return with_address(fd, a, lwip_bind);
}

int sys_listen(int fd, int backlog)
{
	struct file *f;
	int s, rc = socket_get(fd, &f, &s);

	if (rc)
		return rc;
	if (lwip_listen(s, backlog) < 0)
		rc = lwip_error();
	fd_put(f);
	return rc;
}

int sys_accept(int fd, struct sys_sockaddr *peer, int flags)
{
	struct sockaddr_in in;
	socklen_t len = sizeof(in);
	struct file *f;
	int s, c, rc = socket_get(fd, &f, &s);

	if (rc)
		return rc;
	if (flags & ~(SYS_SOCK_NONBLOCK | SYS_SOCK_CLOEXEC))
		rc = -EINVAL;
	else if (fd_table_full()) /* a connection taken with no fd for it would be lost */
		rc = -EMFILE;
	else if ((c = lwip_accept(s, (struct sockaddr *)&in, &len)) < 0)
		rc = lwip_error();
	fd_put(f);
	if (rc)
		return rc;
	if (peer)
		from_lwip_addr(&in, peer);
	return install(c, flags);
}

int sys_connect(int fd, const struct sys_sockaddr *a)
{
	int rc = with_address(fd, a, lwip_connect);

	/* lwIP says a reset (ECONNRESET) where the peer refused the connection; Linux,
	 * and programs that retry on it, say ECONNREFUSED. */
	return rc == -ECONNRESET ? -ECONNREFUSED : rc;
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
	struct file *f;
	int s, rc = socket_get(fd, &f, &s), lflags = to_lwip_flags(flags);
	long n;

	if (rc)
		return rc;
	if (lflags < 0) {
		n = lflags;
	} else if (to && (rc = to_lwip_addr(to, &in))) {
		n = rc;
	} else {
		n = to ? lwip_sendto(s, buf, len, lflags, (struct sockaddr *)&in, sizeof(in))
		       : lwip_send(s, buf, len, lflags);
		if (n < 0)
			n = lwip_error();
	}
	fd_put(f);
	return n;
}

/* MSG_WAITALL on a stream: lwIP returns after what it has, so go on until len, the
 * end of the stream, or an error (after some bytes: those bytes). */
static long recv_all(int s, char *buf, size_t len, int lflags)
{
	size_t got = 0;

	while (got < len) {
		long n = lwip_recv(s, buf + got, len - got, lflags & ~MSG_WAITALL);

		if (n < 0)
			return got ? (long)got : lwip_error();
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (long)got;
}

long sys_recvfrom(int fd, void *buf, size_t len, int flags, struct sys_sockaddr *from)
{
	struct sockaddr_in in;
	socklen_t inlen = sizeof(in);
	struct file *f;
	int s, rc = socket_get(fd, &f, &s), lflags = to_lwip_flags(flags), type = 0;
	socklen_t tlen = sizeof(type);
	long n;

	if (rc)
		return rc;
	memset(&in, 0, sizeof(in));
	if (lflags < 0) {
		n = lflags;
	} else if ((lflags & MSG_WAITALL) && !(lflags & MSG_PEEK) &&
		   lwip_getsockopt(s, SOL_SOCKET, SO_TYPE, &type, &tlen) == 0 &&
		   type == SOCK_STREAM) {
		n = recv_all(s, buf, len, lflags);
		if (n >= 0 && from)
			lwip_getpeername(s, (struct sockaddr *)&in, &inlen);
	} else {
		n = lwip_recvfrom(s, buf, len, lflags, (struct sockaddr *)&in, &inlen);
		if (n < 0)
			n = lwip_error();
	}
	if (n >= 0 && from)
		from_lwip_addr(&in, from);
	fd_put(f);
	return n;
}

int sys_shutdown(int fd, int how)
{
	struct file *f;
	int s, rc = socket_get(fd, &f, &s);

	if (rc)
		return rc;
	if (how != SYS_SHUT_RD && how != SYS_SHUT_WR && how != SYS_SHUT_RDWR)
		rc = -EINVAL;
	else if (lwip_shutdown(s, how) < 0) /* lwIP's SHUT_* are Linux's */
		rc = lwip_error();
	fd_put(f);
	return rc;
}

/* What an option's value is, in the layer and in lwIP. OPT_BOOL: an int read as yes
 * or no (lwIP reports its flag's bit, Linux 1); OPT_IP: an int, which setsockopt also
 * takes as one byte (Linux takes both for IP_TOS, IP_TTL). */
enum opt_kind { OPT_INT, OPT_BOOL, OPT_IP, OPT_TIME, OPT_LINGER, OPT_FIXED };

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
	{SYS_SOL_SOCKET, SYS_SO_REUSEADDR, SOL_SOCKET, SO_REUSEADDR, OPT_BOOL, 0},
	{SYS_SOL_SOCKET, SYS_SO_TYPE, SOL_SOCKET, SO_TYPE, OPT_INT, 0},
	{SYS_SOL_SOCKET, SYS_SO_ERROR, SOL_SOCKET, SO_ERROR, OPT_INT, 0},
	{SYS_SOL_SOCKET, SYS_SO_BROADCAST, SOL_SOCKET, SO_BROADCAST, OPT_BOOL, 0},
	{SYS_SOL_SOCKET, SYS_SO_KEEPALIVE, SOL_SOCKET, SO_KEEPALIVE, OPT_BOOL, 0},
	{SYS_SOL_SOCKET, SYS_SO_LINGER, SOL_SOCKET, SO_LINGER, OPT_LINGER, 0},
	{SYS_SOL_SOCKET, SYS_SO_RCVTIMEO, SOL_SOCKET, SO_RCVTIMEO, OPT_TIME, 0},
	{SYS_SOL_SOCKET, SYS_SO_SNDTIMEO, SOL_SOCKET, SO_SNDTIMEO, OPT_TIME, 0},
	{SYS_SOL_SOCKET, SYS_SO_SNDBUF, 0, 0, OPT_FIXED, TCP_SND_BUF},
	{SYS_SOL_SOCKET, SYS_SO_RCVBUF, 0, 0, OPT_FIXED, TCP_WND},
	{SYS_IPPROTO_TCP, SYS_TCP_NODELAY, IPPROTO_TCP, TCP_NODELAY, OPT_BOOL, 0},
	{SYS_IPPROTO_TCP, SYS_TCP_KEEPIDLE, IPPROTO_TCP, TCP_KEEPIDLE, OPT_INT, 0},
	{SYS_IPPROTO_TCP, SYS_TCP_KEEPINTVL, IPPROTO_TCP, TCP_KEEPINTVL, OPT_INT, 0},
	{SYS_IPPROTO_TCP, SYS_TCP_KEEPCNT, IPPROTO_TCP, TCP_KEEPCNT, OPT_INT, 0},
	{SYS_IPPROTO_IP, SYS_IP_TOS, IPPROTO_IP, IP_TOS, OPT_IP, 0},
	{SYS_IPPROTO_IP, SYS_IP_TTL, IPPROTO_IP, IP_TTL, OPT_IP, 0},
};

static const struct opt *find_opt(int level, int name)
{
	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		if (opts[i].level == level && opts[i].name == name)
			return &opts[i];
	return NULL;
}

/* The size of an option's value, as getsockopt gives it. */
static size_t opt_size(enum opt_kind kind)
{
	return kind == OPT_TIME	    ? sizeof(struct sys_timespec)
	       : kind == OPT_LINGER ? sizeof(struct sys_linger)
				    : sizeof(int);
}

/* A timeout as lwIP keeps it (int milliseconds, 0 for none): a non-zero time under a
 * millisecond is one (not "none"), one past INT32_MAX ms is that. */
static struct timeval timeout_of(const struct sys_timespec *t)
{
	uint64_t ms = (uint64_t)t->sec * 1000 + ((uint64_t)t->nsec + 999999) / 1000000;

	if (t->sec > INT32_MAX / 1000 || ms > INT32_MAX)
		ms = INT32_MAX;
	return (struct timeval){.tv_sec = (long)(ms / 1000), .tv_usec = (long)(ms % 1000) * 1000};
}

int sys_setsockopt(int fd, int level, int name, const void *val, size_t len)
{
	const struct opt *o = find_opt(level, name);
	int s, rc = socket_fd(fd, &s);

	if (rc)
		return rc;
	if (!o)
		return -ENOPROTOOPT;
	if (!val || len < (o->kind == OPT_IP ? 1 : opt_size(o->kind)))
		return -EINVAL;
	switch (o->kind) {
	case OPT_FIXED:
		return 0;
	case OPT_TIME: {
		const struct sys_timespec *t = val;
		struct timeval tv;

		if (t->sec < 0 || t->nsec < 0 || t->nsec >= 1000000000)
			return -EINVAL;
		tv = timeout_of(t);
		rc = lwip_setsockopt(s, o->lwip_level, o->lwip_name, &tv, sizeof(tv));
		break;
	}
	case OPT_IP: {
		int v = len >= sizeof(int) ? *(const int *)val : *(const unsigned char *)val;

		rc = lwip_setsockopt(s, o->lwip_level, o->lwip_name, &v, sizeof(v));
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
		if (rc == 0) {
			t->sec = tv.tv_sec;
			t->nsec = tv.tv_usec * 1000;
		}
		break;
	}
	case OPT_LINGER: {
		struct linger lg;
		struct sys_linger *out = val;

		l = sizeof(lg);
		rc = lwip_getsockopt(s, o->lwip_level, o->lwip_name, &lg, &l);
		if (rc == 0) {
			out->onoff = lg.l_onoff;
			out->seconds = lg.l_linger;
		}
		break;
	}
	default: {
		int v = 0;

		l = sizeof(v);
		rc = lwip_getsockopt(s, o->lwip_level, o->lwip_name, &v, &l);
		/* lwIP's numbers for the type and its flag bits for yes; its errors are
		 * in Linux's numbers already. */
		if (o->name == SYS_SO_TYPE && o->level == SYS_SOL_SOCKET)
			v = v == SOCK_STREAM ? SYS_SOCK_STREAM : SYS_SOCK_DGRAM;
		if (o->kind == OPT_BOOL)
			v = v != 0;
		if (rc == 0)
			memcpy(val, &v, sizeof(v));
	}
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
