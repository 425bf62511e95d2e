/*
 * Skiff's <sys/socket.h> for newlib, which has none: BSD sockets, IPv4 TCP and UDP,
 * over lwIP (posix/socket.c). The layouts and numbers are Linux's, so code written on
 * Linux finds what it expects; posix/newlib/socket.c turns them into the POSIX layer's.
 * Only an appliance linked with lwIP (APP_LWIP := 1) has the calls.
 */
#ifndef _SYS_SOCKET_H
#define _SYS_SOCKET_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef uint32_t socklen_t;
typedef uint16_t sa_family_t;

struct sockaddr {
	sa_family_t sa_family;
	char sa_data[14];
};

/* Room for any address (IPv4's is all there is). */
struct sockaddr_storage {
	sa_family_t ss_family;
	char __ss_pad[118];
	unsigned long __ss_align;
};

struct linger {
	int l_onoff;
	int l_linger;
};

#define AF_UNSPEC 0
#define AF_UNIX	  1 /* named, for programs that test it; socket() refuses it */
#define AF_LOCAL  AF_UNIX
#define AF_INET	  2
#define AF_INET6  10 /* named, for programs that test it; socket() refuses it */
#define PF_UNSPEC AF_UNSPEC
#define PF_UNIX	  AF_UNIX
#define PF_LOCAL  AF_LOCAL
#define PF_INET	  AF_INET
#define PF_INET6  AF_INET6

#define SOCK_STREAM   1
#define SOCK_DGRAM    2
#define SOCK_RAW      3
#define SOCK_NONBLOCK 04000
#define SOCK_CLOEXEC  02000000

#define SOL_SOCKET   1
#define SO_REUSEADDR 2
#define SO_TYPE	     3
#define SO_ERROR     4
#define SO_BROADCAST 6
#define SO_SNDBUF    7
#define SO_RCVBUF    8
#define SO_KEEPALIVE 9
#define SO_LINGER    13
#define SO_REUSEPORT 15 /* named; setsockopt() says ENOPROTOOPT */
#define SO_RCVTIMEO  20
#define SO_SNDTIMEO  21

#define MSG_OOB	     0x01
#define MSG_PEEK     0x02
#define MSG_DONTWAIT 0x40
#define MSG_WAITALL  0x100
#define MSG_NOSIGNAL 0x4000
#define MSG_MORE     0x8000

#define SHUT_RD	  0
#define SHUT_WR	  1
#define SHUT_RDWR 2

#define SOMAXCONN 255 /* lwIP's most for a listen() queue */

int socket(int domain, int type, int protocol);
int bind(int fd, const struct sockaddr *addr, socklen_t len);
int listen(int fd, int backlog);
int accept(int fd, struct sockaddr *addr, socklen_t *len);
int accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags);
int connect(int fd, const struct sockaddr *addr, socklen_t len);
ssize_t send(int fd, const void *buf, size_t len, int flags);
ssize_t sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *to,
	       socklen_t tolen);
ssize_t recv(int fd, void *buf, size_t len, int flags);
ssize_t recvfrom(int fd, void *buf, size_t len, int flags, struct sockaddr *from,
		 socklen_t *fromlen);
int shutdown(int fd, int how);
int setsockopt(int fd, int level, int name, const void *val, socklen_t len);
int getsockopt(int fd, int level, int name, void *val, socklen_t *len);
int getsockname(int fd, struct sockaddr *addr, socklen_t *len);
int getpeername(int fd, struct sockaddr *addr, socklen_t *len);
/* No local sockets: ENOSYS, said on the console. */
int socketpair(int domain, int type, int protocol, int fds[2]);

#endif
