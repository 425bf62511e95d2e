#include <errno.h>
#include <string.h>
#include <stdint.h>
#include <xen/xen.h>
#include <xen/event_channel.h>

#include <arch.h>
#include <hypercall.h>
#include "libc/printk.h"
#include "arch/upcalls.h"
#include "xen/events.h"

#define BITS_PER_WORD (sizeof(xen_ulong_t) * 8)

static struct {
	evtchn_handler_t handler;
	void *arg;
} handlers[EVTCHN_MAX_PORTS];

static shared_info_t *shared(void)
{
	return boot_info.shared_info;
}

static vcpu_info_t *vcpu(void)
{
	return &shared()->vcpu_info[0];
}

/* Masking is the CPU's business (an interrupt flag in PVH, vcpu_info's mask in PV). */
unsigned long events_save_disable(void)
{
	return arch_events_save_disable();
}

void events_restore(unsigned long flags)
{
	arch_events_restore(flags);
}

void events_wait(void)
{
	arch_events_wait();
}

/* The 2-level ABI's bitmaps in shared_info hold this many ports (4096 on x86_64). A
 * larger number can only be a caller's mistake; writing its bit would corrupt what
 * follows the bitmap in shared_info, so such a port is left alone. */
#define BITMAP_PORTS (sizeof(((shared_info_t *)0)->evtchn_mask) * 8)

void evtchn_mask(evtchn_port_t port)
{
	if (port >= BITMAP_PORTS)
		return;
	__atomic_fetch_or(&shared()->evtchn_mask[port / BITS_PER_WORD],
			  1UL << (port % BITS_PER_WORD), __ATOMIC_SEQ_CST);
}

void evtchn_unmask(evtchn_port_t port)
{
	struct evtchn_unmask op = {.port = port};

	/* Xen clears the mask and, if the port is pending, raises the upcall for us. */
	HYPERVISOR_event_channel_op(EVTCHNOP_unmask, &op);
}

void evtchn_clear(evtchn_port_t port)
{
	if (port >= BITMAP_PORTS)
		return;
	__atomic_fetch_and(&shared()->evtchn_pending[port / BITS_PER_WORD],
			   ~(1UL << (port % BITS_PER_WORD)), __ATOMIC_SEQ_CST);
}

int evtchn_notify(evtchn_port_t port)
{
	struct evtchn_send op = {.port = port};

	return HYPERVISOR_event_channel_op(EVTCHNOP_send, &op);
}

int evtchn_bind(evtchn_port_t port, evtchn_handler_t handler, void *arg)
{
	if (port >= EVTCHN_MAX_PORTS) {
		printk("events: port %u is beyond the %u ports Skiff handles\n", port,
		       EVTCHN_MAX_PORTS);
		return -EINVAL;
	}
	/* Replacing a handler would leave its owner waiting for events that go elsewhere. */
	if (handlers[port].handler) {
		printk("events: port %u is already bound\n", port);
		return -EBUSY;
	}
	handlers[port].arg = arg;
	WRITE_ONCE(handlers[port].handler, handler);
	evtchn_unmask(port);
	return 0;
}

int evtchn_bind_virq(uint32_t virq, evtchn_handler_t handler, void *arg, evtchn_port_t *port)
{
	struct evtchn_bind_virq op = {.virq = virq, .vcpu = 0};
	long rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_virq, &op);

	if (rc) {
		printk("events: bind_virq %u failed: %ld\n", virq, rc);
		return (int)rc;
	}
	rc = evtchn_bind(op.port, handler, arg);
	if (rc) {
		/* Give the port back: bound to the VIRQ, it would stay Xen's for good. */
		struct evtchn_close close = {.port = op.port};

		HYPERVISOR_event_channel_op(EVTCHNOP_close, &close);
		return (int)rc;
	}
	*port = op.port;
	return 0;
}

int evtchn_alloc_unbound(domid_t remote, evtchn_port_t *port)
{
	struct evtchn_alloc_unbound op = {.dom = DOMID_SELF, .remote_dom = remote};
	long rc = HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &op);

	if (rc)
		return (int)rc;
	*port = op.port;
	return 0;
}

void evtchn_close(evtchn_port_t port)
{
	struct evtchn_close op = {.port = port};

	evtchn_mask(port);
	if (port < EVTCHN_MAX_PORTS)
		WRITE_ONCE(handlers[port].handler, NULL);
	HYPERVISOR_event_channel_op(EVTCHNOP_close, &op);
	/* An event that came while masked stays pending: Xen hands the number out again,
	 * and its next owner would get that event the moment its bind unmasks the port. */
	evtchn_clear(port);
}

static void dispatch(evtchn_port_t port)
{
	evtchn_handler_t handler = port < EVTCHN_MAX_PORTS ? handlers[port].handler : NULL;

	if (!handler) {
		/* Nobody listens: mask it so it cannot keep interrupting us. */
		printk("events: port %u fired with no handler; masked\n", port);
		evtchn_mask(port);
		return;
	}
	handler(port, handlers[port].arg);
}

void events_upcall(struct cpu_regs *regs)
{
	vcpu_info_t *v = vcpu();
	shared_info_t *s = shared();
	xen_ulong_t words;

	/*
	 * Clear the upcall flag before reading the selector: Xen sets the selector
	 * first, then the flag, so a port that becomes pending after our read raises
	 * the flag again and is handled by the next upcall. The atomic exchange is a
	 * full barrier.
	 */
	WRITE_ONCE(v->evtchn_upcall_pending, 0);
	words = __atomic_exchange_n(&v->evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);

	while (words) {
		unsigned int w = __builtin_ctzl(words);
		xen_ulong_t ports;

		words &= words - 1;
		ports = READ_ONCE(s->evtchn_pending[w]) & ~READ_ONCE(s->evtchn_mask[w]);
		/* Each pending port runs once per upcall, so no single port can starve the rest. */
		while (ports) {
			unsigned int bit = __builtin_ctzl(ports);

			ports &= ports - 1;
			evtchn_clear(w * BITS_PER_WORD + bit);
			dispatch(w * BITS_PER_WORD + bit);
		}
	}
}

void events_init(void)
{
	shared_info_t *s = shared();

	/* Mask every port; each driver unmasks the ones it binds. */
	for (unsigned int i = 0; i < sizeof(s->evtchn_mask) / sizeof(s->evtchn_mask[0]); i++)
		s->evtchn_mask[i] = ~(xen_ulong_t)0;
	memset(handlers, 0, sizeof(handlers));
}
