#include <stddef.h>
#include <hypercall.h>
#include "xen/sched.h"

void xen_poll(evtchn_port_t port, uint64_t deadline_ns)
{
	/* sched.h: timeout is absolute system time, 0 for none. Xen keeps it as a signed
	 * s_time_t, so a deadline past INT64_MAX (deadline_after_ns saturates to
	 * UINT64_MAX) would read as long gone and return at once: that is none too. */
	struct sched_poll poll = {.nr_ports = 1,
				  .timeout = deadline_ns > INT64_MAX ? 0 : deadline_ns};

	set_xen_guest_handle(poll.ports, &port);
	HYPERVISOR_sched_op(SCHEDOP_poll, &poll);
}

void xen_yield(void)
{
	HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
}

void xen_shutdown(unsigned int reason)
{
	struct sched_shutdown op = {.reason = reason};

	for (;;) {
		HYPERVISOR_sched_op(SCHEDOP_shutdown, &op);
		/* Only reached if Xen refused: there is nothing else left to do. */
		HYPERVISOR_sched_op(SCHEDOP_block, NULL);
	}
}
