/*
 * Console output through the shared ring. A release build of Xen drops console_io
 * writes from a domU, so the ring is the only way out, from the very first line.
 * Xen's ring indices are free-running 32-bit counters; MASK_XENCONS_IDX wraps them.
 */
#include <stdint.h>
#include <xen/xen.h>
#include <xen/io/console.h>

#include <arch.h>
#include <hypercall.h>
#include "xen/console.h"
#include "xen/events.h"
#include "xen/sched.h"
#include "xen/time.h"

static struct xencons_interface *ring;
static evtchn_port_t port;
static int broken; /* the backend moved out_cons impossibly: stop writing */

void console_init(void *ring_page, uint32_t evtchn)
{
	ring = ring_page;
	port = evtchn;
}

/*
 * The ring is full: let the backend run until it has read some. xenconsoled notifies
 * us after it consumes output. Once time works we poll the port with a timeout (in case
 * a notification is missed); before that, at the very start of boot, we only yield.
 */
static void wait_for_backend(void)
{
	evtchn_notify(port);
	if (boot_info.shared_info && time_ready()) {
		evtchn_clear(port);
		if (READ_ONCE(ring->out_prod) - READ_ONCE(ring->out_cons) < sizeof(ring->out))
			return; /* it read some while we cleared: no need to sleep */
		xen_poll(port, deadline_after_ns(10 * 1000 * 1000));
	} else {
		xen_yield();
	}
}

void console_write(const char *buf, size_t len)
{
	unsigned long flags;

	if (!ring || broken)
		return;
	/* An event handler may print too: keep our index updates whole. */
	flags = events_save_disable();
	while (len) {
		XENCONS_RING_IDX cons = READ_ONCE(ring->out_cons);
		XENCONS_RING_IDX prod = ring->out_prod;
		XENCONS_RING_IDX used = prod - cons;

		if (used > sizeof(ring->out)) {
			broken = 1; /* nothing sane to say it on; stay quiet rather than loop */
			break;
		}
		if (used == sizeof(ring->out)) {
			wait_for_backend();
			continue;
		}
		/* cons was read before we overwrite the slots it freed (loads are not
		 * reordered with later stores on x86; the compiler must not do it either). */
		barrier();
		while (len && prod - cons < sizeof(ring->out)) {
			ring->out[MASK_XENCONS_IDX(prod, ring->out)] = *buf++;
			prod++;
			len--;
		}
		virt_wmb(); /* the bytes are visible before the index that publishes them */
		WRITE_ONCE(ring->out_prod, prod);
		evtchn_notify(port);
	}
	events_restore(flags);
}

void console_flush(void)
{
	uint64_t give_up;

	if (!ring || broken || !time_ready())
		return;
	give_up = deadline_after_ns(1000ULL * 1000 * 1000);
	while (READ_ONCE(ring->out_cons) != READ_ONCE(ring->out_prod) && monotonic_ns() < give_up) {
		evtchn_notify(port);
		evtchn_clear(port);
		xen_poll(port, deadline_after_ns(10 * 1000 * 1000));
	}
}
