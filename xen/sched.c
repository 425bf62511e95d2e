#include <stddef.h>
#include <hypercall.h>
#include "xen/sched.h"

void xen_block(void)
{
	HYPERVISOR_sched_op(SCHEDOP_block, NULL);
}

void xen_poll(evtchn_port_t port, uint64_t deadline_ns)
{
	struct sched_poll poll = {.nr_ports = 1, .timeout = deadline_ns};

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
