/*
 * Event delivery for a PV guest. Its "interrupt flag" is evtchn_upcall_mask in this
 * vCPU's vcpu_info (shared_info): while it is set, Xen holds the upcall back and only
 * sets evtchn_upcall_pending.
 */
#include <stdint.h>
#include <xen/xen.h>
#include <xen/sched.h>
#include <xen/version.h>

#include <arch.h>
#include <hypercall.h>
#include "pv.h"

static vcpu_info_t *this_vcpu(void)
{
	return &((shared_info_t *)boot_info.shared_info)->vcpu_info[0];
}

unsigned long pv_events_save_disable(void)
{
	unsigned long flags;

	if (!boot_info.shared_info)
		return 1; /* before shared_info is mapped, Xen still has events masked */
	flags = this_vcpu()->evtchn_upcall_mask;
	WRITE_ONCE(this_vcpu()->evtchn_upcall_mask, 1);
	barrier(); /* no access of the critical section moves above the mask */
	return flags;
}

void pv_events_restore(unsigned long flags)
{
	if (!boot_info.shared_info)
		return;
	barrier(); /* the critical section ends before the unmask */
	WRITE_ONCE(this_vcpu()->evtchn_upcall_mask, flags);
	if (!flags) {
		barrier();
		/* An event that came while masked is delivered on the way out of any hypercall. */
		if (READ_ONCE(this_vcpu()->evtchn_upcall_pending))
			HYPERVISOR_xen_version(XENVER_version, NULL);
	}
}

void pv_events_wait(void)
{
	/* sched.h: called with events masked, SCHEDOP_block unmasks them and checks for
	 * one pending in the same step, so none slips in between. */
	HYPERVISOR_sched_op(SCHEDOP_block, NULL);
	pv_events_save_disable();
}
