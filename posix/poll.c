/*
 * poll() across every kind of fd: files and devices (always ready), the console
 * (readable when input waits) and sockets (as lwIP says). It looks at each fd; if none
 * is ready it waits: in lwIP for a set with sockets (a wait that the first ready socket
 * ends), and in steps of 10 ms while something else that can be not ready is in the
 * set (the console: its input comes with no event of its own to wait for).
 */
#include <errno.h>
#include <skiff/thread.h>
#include <skiff/time.h>

#include "posix/fd.h"
#include "posix/sys.h"
#include "posix/vfs.h"

/* How often a wait looks again at an fd that cannot wake it (the console). */
#define POLL_STEP_MS 10

/* Always reported, whether asked for or not (POSIX). */
#define POLL_ALWAYS (SYS_POLLERR | SYS_POLLHUP | SYS_POLLNVAL)

static unsigned int fd_ready(int fd, unsigned int events)
{
	struct file *f = fd_file(fd);
	const struct dev_ops *ops;

	if (!f)
		return SYS_POLLNVAL;
	ops = f->node->dev;
	if (!ops || !ops->poll)
		return events & (SYS_POLLIN | SYS_POLLOUT);
	return ops->poll(f->node->dev_arg, events | POLL_ALWAYS) & (events | POLL_ALWAYS);
}

/* Fill every revents: the number of entries with any. */
static int scan(struct sys_pollfd *fds, unsigned int n)
{
	int ready = 0;

	for (unsigned int i = 0; i < n; i++) {
		fds[i].revents =
			fds[i].fd < 0 ? 0 : (short)fd_ready(fds[i].fd, (uint16_t)fds[i].events);
		if (fds[i].revents)
			ready++;
	}
	return ready;
}

/* What can end a wait on this set: the ops of a kind that waits (sockets), and
 * whether anything else that may become ready is there (it must be looked at). */
static const struct dev_ops *waiter(const struct sys_pollfd *fds, unsigned int n, bool *step)
{
	const struct dev_ops *w = NULL;

	*step = false;
	for (unsigned int i = 0; i < n; i++) {
		struct file *f = fds[i].fd < 0 ? NULL : fd_file(fds[i].fd);
		const struct dev_ops *ops = f ? f->node->dev : NULL;

		if (!ops || !ops->poll)
			continue;
		if (ops->wait && (!w || w == ops))
			w = ops;
		else
			*step = true;
	}
	return w;
}

int sys_poll(struct sys_pollfd *fds, unsigned int n, int timeout_ms)
{
	uint64_t deadline = 0;

	if (n > SYS_OPEN_MAX)
		return -EINVAL;
	if (timeout_ms > 0)
		deadline = monotonic_ns() + (uint64_t)timeout_ms * 1000000;
	for (;;) {
		int ready = scan(fds, n), left = -1;
		const struct dev_ops *w;
		bool step;

		if (ready)
			return ready;
		if (timeout_ms == 0) {
			/* Nothing yet: let the other threads run (the tcpip thread brings what
			 * a program spinning on poll(..., 0) waits for). */
			thread_yield();
			return 0;
		}
		if (timeout_ms > 0) {
			uint64_t now = monotonic_ns();

			if (now >= deadline)
				return 0;
			left = (int)((deadline - now + 999999) / 1000000);
		}
		w = waiter(fds, n, &step);
		if (step && (left < 0 || left > POLL_STEP_MS))
			left = POLL_STEP_MS;
		if (w)
			w->wait(fds, n, left);
		else
			/* Without a limit and nothing that can become ready (every fd
			 * negative, or asked for no event): for ever, as POSIX has it. */
			msleep(left >= 0 ? (unsigned int)left : 1000);
	}
}
