/*
 * poll() and select() for newlib programs, over the layer's sys_poll(). <poll.h>
 * (include/poll.h here) has the layer's layout and numbers, so poll() only checks
 * them; select()'s fd_set (newlib's <sys/select.h>, FD_SETSIZE 256 as the Makefile
 * gives it: every fd the table has) becomes one pollfd per fd it names.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/time.h>

#include "posix/newlib/glue.h"
#include "posix/sys.h"

#define RET(rc)	  newlib_ret(_REENT, (rc))
#define FAIL(err) newlib_fail(_REENT, (err))

_Static_assert(sizeof(struct pollfd) == sizeof(struct sys_pollfd), "struct pollfd");
_Static_assert(POLLIN == SYS_POLLIN && POLLPRI == SYS_POLLPRI && POLLOUT == SYS_POLLOUT &&
		       POLLERR == SYS_POLLERR && POLLHUP == SYS_POLLHUP && POLLNVAL == SYS_POLLNVAL,
	       "poll's events");
_Static_assert(FD_SETSIZE >= SYS_OPEN_MAX, "an fd_set names every fd");

int poll(struct pollfd *fds, nfds_t n, int timeout_ms)
{
	struct sys_pollfd *p = (struct sys_pollfd *)fds;
	short asked[SYS_OPEN_MAX];
	int rc;

	if (n > SYS_OPEN_MAX)
		return (int)FAIL(EINVAL);
	/* POLLRDNORM and POLLWRNORM are POLLIN and POLLOUT by other names here: asked
	 * for as those, reported by the name the program used, its events left as
	 * they were. */
	for (nfds_t i = 0; i < n; i++) {
		asked[i] = fds[i].events;
		if (asked[i] & POLLRDNORM)
			p[i].events |= POLLIN;
		if (asked[i] & POLLWRNORM)
			p[i].events |= POLLOUT;
	}
	rc = sys_poll(p, n, timeout_ms);
	for (nfds_t i = 0; i < n; i++) {
		short r = p[i].revents;

		if (!(asked[i] & POLLIN))
			r &= ~POLLIN;
		if (!(asked[i] & POLLOUT))
			r &= ~POLLOUT;
		if ((asked[i] & POLLRDNORM) && (p[i].revents & POLLIN))
			r |= POLLRDNORM;
		if ((asked[i] & POLLWRNORM) && (p[i].revents & POLLOUT))
			r |= POLLWRNORM;
		p[i].revents = r;
		p[i].events = asked[i];
	}
	return (int)RET(rc);
}

/* A timeval as poll()'s milliseconds, rounded up (a wait is never shorter): -1 for
 * NULL (no limit), -2 for a malformed one. */
static int timeout_ms(const struct timeval *tv)
{
	long long ms;

	if (!tv)
		return -1;
	if (tv->tv_sec < 0 || tv->tv_usec < 0 || tv->tv_usec >= 1000000)
		return -2;
	ms = (long long)tv->tv_sec * 1000 + (tv->tv_usec + 999) / 1000;
	return ms > 0x7fffffff ? 0x7fffffff : (int)ms;
}

int select(int nfds, fd_set *rd, fd_set *wr, fd_set *ex, struct timeval *tv)
{
	struct sys_pollfd *p;
	int n = 0, rc, ms = timeout_ms(tv), count = 0;

	if (nfds < 0 || nfds > FD_SETSIZE || ms == -2)
		return (int)FAIL(EINVAL);
	p = calloc(nfds ? (size_t)nfds : 1, sizeof(*p));
	if (!p)
		return (int)FAIL(ENOMEM);
	for (int fd = 0; fd < nfds; fd++) {
		short events = 0;

		if (rd && FD_ISSET(fd, rd))
			events |= SYS_POLLIN;
		if (wr && FD_ISSET(fd, wr))
			events |= SYS_POLLOUT;
		if (ex && FD_ISSET(fd, ex))
			events |= SYS_POLLPRI;
		if (events) {
			p[n].fd = fd;
			p[n++].events = events;
		}
	}
	rc = sys_poll(p, (unsigned int)n, ms);
	for (int i = 0; rc > 0 && i < n; i++)
		if (p[i].revents & SYS_POLLNVAL) {
			free(p); /* select() says EBADF for an fd that is not open */
			return (int)FAIL(EBADF);
		}
	if (rc >= 0) {
		if (rd)
			FD_ZERO(rd);
		if (wr)
			FD_ZERO(wr);
		if (ex)
			FD_ZERO(ex);
		/* An error or a hang-up makes a read (and a write) return at once. */
		for (int i = 0; i < n; i++) {
			short r = p[i].revents, bad = SYS_POLLERR | SYS_POLLHUP;

			if (rd && (p[i].events & SYS_POLLIN) && (r & (SYS_POLLIN | bad))) {
				FD_SET(p[i].fd, rd);
				count++;
			}
			if (wr && (p[i].events & SYS_POLLOUT) &&
			    (r & (SYS_POLLOUT | SYS_POLLERR))) {
				FD_SET(p[i].fd, wr);
				count++;
			}
			if (ex && (p[i].events & SYS_POLLPRI) && (r & SYS_POLLPRI)) {
				FD_SET(p[i].fd, ex);
				count++;
			}
		}
		rc = count;
	}
	free(p);
	return (int)RET(rc);
}
