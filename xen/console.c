/*
 * Console output through the shared ring. A release build of Xen drops console_io
 * writes from a domU, so the ring is the only way out, from the very first line.
 * Xen's ring indices are free-running 32-bit counters; MASK_XENCONS_IDX wraps them.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <xen/xen.h>
#include <xen/io/console.h>

#include <arch.h>
#include <hypercall.h>
#include "xen/console.h"
#include "xen/events.h"
#include "xen/sched.h"
#include "xen/time.h"

/* How long a full ring may wait for xenconsoled before output is dropped instead. */
#define STUCK_AFTER_NS	   (2000ULL * 1000 * 1000)
#define STUCK_AFTER_YIELDS 10000 /* before time works: a bound of the same order */
#define POLL_NS		   (10ULL * 1000 * 1000)

static struct {
	struct xencons_interface *ring;
	evtchn_port_t port;
	bool broken;	  /* the backend moved out_cons impossibly: stop writing */
	bool stuck;	  /* gave up waiting: drop output until the notice fits */
	uint64_t dropped; /* bytes dropped since, for the notice */
	char last;	  /* the last byte written, so a "\r\n" of the caller's stays one */
} con;

void console_init(void *ring_page, uint32_t evtchn)
{
	con.ring = ring_page;
	con.port = evtchn;
}

/* Free bytes on the output ring, or -EIO when its indices cannot be true. */
static int ring_room(const struct xencons_interface *r)
{
	XENCONS_RING_IDX used = r->out_prod - READ_ONCE(r->out_cons);

	return used > sizeof(r->out) ? -EIO : (int)(sizeof(r->out) - used);
}

/*
 * Put as much of buf as fits on the ring, each "\n" as "\r\n" (a terminal on
 * `xl create -c` needs both; a "\n" goes whole or not at all). Returns the bytes of buf
 * consumed, or -EIO when the ring's indices are garbage.
 */
static long ring_put(struct xencons_interface *r, const char *buf, size_t len)
{
	int room = ring_room(r);
	XENCONS_RING_IDX prod = r->out_prod;
	size_t done = 0;

	if (room < 0)
		return room;
	/* out_cons was read before we overwrite the slots it freed (loads are not
	 * reordered with later stores on x86; the compiler must not do it either). */
	barrier();
	while (done < len) {
		bool crlf = buf[done] == '\n' && con.last != '\r';

		if (room < (crlf ? 2 : 1))
			break;
		if (crlf) {
			r->out[MASK_XENCONS_IDX(prod++, r->out)] = '\r';
			room--;
		}
		con.last = buf[done++];
		r->out[MASK_XENCONS_IDX(prod++, r->out)] = con.last;
		room--;
	}
	virt_wmb(); /* the bytes are visible before the index that publishes them */
	WRITE_ONCE(r->out_prod, prod);
	return (long)done;
}

/* Room for need bytes (garbage counts too: the caller finds out when it writes). */
static bool has_room(int need)
{
	int room = ring_room(con.ring);

	return room < 0 || room >= need;
}

/*
 * The ring is full (has less than need bytes free, need being 2 for a "\n" that goes
 * out as "\r\n"): let the backend run until it has read some, for a bounded time.
 * xenconsoled notifies us after it consumes output; once time works we poll the port
 * with a timeout (in case a notification is missed); before that, at the very start of
 * boot, we only yield. False if it read nothing within the bound.
 */
static bool wait_for_room(int need)
{
	bool timed = boot_info.shared_info && time_ready();
	uint64_t give_up = timed ? deadline_after_ns(STUCK_AFTER_NS) : 0, poll_until;

	for (unsigned int yields = 0; !has_room(need); yields++) {
		evtchn_notify(con.port);
		if (!timed) {
			if (yields == STUCK_AFTER_YIELDS)
				return false;
			xen_yield();
			continue;
		}
		evtchn_clear(con.port);
		if (has_room(need))
			break; /* it read some while we cleared: no need to sleep */
		if (monotonic_ns() >= give_up)
			return false;
		poll_until = deadline_after_ns(POLL_NS);
		xen_poll(con.port, poll_until < give_up ? poll_until : give_up);
	}
	return true;
}

/* Once dom0 reads again, say what it missed, before anything newer; false if no room yet. */
static bool report_dropped(void)
{
	char notice[80];
	int n = snprintf(notice, sizeof(notice),
			 "[console: %llu bytes dropped while dom0 was not reading]\n",
			 (unsigned long long)con.dropped);
	int room = ring_room(con.ring);

	if (room < 0 || room < n + 1) /* + 1: the "\r" of its "\n" */
		return false;
	ring_put(con.ring, notice, (size_t)n);
	evtchn_notify(con.port);
	con.dropped = 0;
	con.stuck = false;
	return true;
}

static void write_locked(const char *buf, size_t len)
{
	if (con.dropped && !report_dropped()) {
		con.dropped += len; /* still not reading: drop, without waiting again */
		return;
	}
	while (len) {
		long n = ring_put(con.ring, buf, len);

		if (n < 0) {
			/* Nothing sane to say it on; stay quiet rather than loop. */
			con.broken = true;
			return;
		}
		if (n) {
			evtchn_notify(con.port);
			buf += n;
			len -= (size_t)n;
		} else if (con.stuck || !wait_for_room(*buf == '\n' && con.last != '\r' ? 2 : 1)) {
			con.stuck = true;
			con.dropped += len;
			return;
		}
	}
}

void console_write(const char *buf, size_t len)
{
	unsigned long flags;

	if (!con.ring || con.broken)
		return;
	/* An event handler may print too: keep our index updates whole. */
	flags = events_save_disable();
	write_locked(buf, len);
	events_restore(flags);
}

bool console_input_pending(void)
{
	struct xencons_interface *r = con.ring;

	return r && READ_ONCE(r->in_prod) != r->in_cons;
}

void console_flush(void)
{
	uint64_t give_up;

	if (!con.ring || con.broken || con.stuck || !time_ready())
		return;
	give_up = deadline_after_ns(1000ULL * 1000 * 1000);
	while (READ_ONCE(con.ring->out_cons) != READ_ONCE(con.ring->out_prod) &&
	       monotonic_ns() < give_up) {
		evtchn_notify(con.port);
		evtchn_clear(con.port);
		xen_poll(con.port, deadline_after_ns(POLL_NS));
	}
}

/*
 * Input typed on `xl console` (the ring's in[] half): up to len bytes that are there
 * now, without waiting; 0 if none; -EIO when the backend's indices cannot be true.
 */
long console_read(char *buf, size_t len)
{
	struct xencons_interface *r = con.ring;
	XENCONS_RING_IDX cons = r->in_cons, prod = READ_ONCE(r->in_prod);
	size_t n = 0;

	if (prod - cons > sizeof(r->in))
		return -EIO;
	virt_rmb(); /* the bytes after the index that says they are there */
	while (n < len && cons != prod)
		buf[n++] = r->in[MASK_XENCONS_IDX(cons++, r->in)];
	virt_mb(); /* done reading them before the slots go back to the backend */
	r->in_cons = cons;
	if (n)
		evtchn_notify(con.port);
	return (long)n;
}
