/*
 * Skiff's <poll.h> for newlib, which has none: poll() across sockets, the console and
 * files (posix/poll.c). Linux's layout and numbers.
 */
#ifndef _POLL_H
#define _POLL_H

struct pollfd {
	int fd;
	short events;
	short revents;
};
typedef unsigned int nfds_t;

#define POLLIN	   0x001
#define POLLPRI	   0x002
#define POLLOUT	   0x004
#define POLLERR	   0x008
#define POLLHUP	   0x010
#define POLLNVAL   0x020
#define POLLRDNORM 0x040
#define POLLWRNORM 0x100

int poll(struct pollfd *fds, nfds_t n, int timeout_ms);

#endif
