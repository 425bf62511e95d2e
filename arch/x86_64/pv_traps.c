/*
 * PV exceptions and events. A PV guest has no IDT: it hands Xen a trap table
 * (set_trap_table) and the addresses of its event and failsafe callbacks
 * (callback_op); pv_entry.S holds the entry stubs they name.
 */
#include <stdint.h>
#include <xen/xen.h>
#include <xen/callback.h>

#include <arch.h>
#include <hypercall.h>
#include "arch/upcalls.h"
#include "pv.h"

#define TRAP(vec, dpl, fn)                                                                         \
	{                                                                                          \
		vec, dpl, FLAT_KERNEL_CS, (unsigned long)fn                                        \
	}

extern char trap_divide_error[], trap_debug[], trap_int3[], trap_overflow[], trap_bounds[],
	trap_invalid_op[], trap_device_not_available[], trap_coprocessor_segment_overrun[],
	trap_invalid_tss[], trap_segment_not_present[], trap_stack_segment[],
	trap_general_protection[], trap_page_fault[], trap_spurious_interrupt_bug[],
	trap_coprocessor_error[], trap_alignment_check[], trap_machine_check[],
	trap_simd_coprocessor_error[], hypervisor_callback[], failsafe_callback[];

/* Flags 0: events stay enabled on entry; DPL 3 lets `int3`/`into` work from our ring. */
static const struct trap_info trap_table[] = {
	TRAP(0, 0, trap_divide_error),
	TRAP(1, 0, trap_debug),
	TRAP(3, 3, trap_int3),
	TRAP(4, 3, trap_overflow),
	TRAP(5, 0, trap_bounds),
	TRAP(6, 0, trap_invalid_op),
	TRAP(7, 0, trap_device_not_available),
	TRAP(9, 0, trap_coprocessor_segment_overrun),
	TRAP(10, 0, trap_invalid_tss),
	TRAP(11, 0, trap_segment_not_present),
	TRAP(12, 0, trap_stack_segment),
	TRAP(13, 0, trap_general_protection),
	TRAP(14, 0, trap_page_fault),
	TRAP(15, 0, trap_spurious_interrupt_bug),
	TRAP(16, 0, trap_coprocessor_error),
	TRAP(17, 0, trap_alignment_check),
	TRAP(18, 0, trap_machine_check),
	TRAP(19, 0, trap_simd_coprocessor_error),
	{0, 0, 0, 0}, /* end of table */
};

void pv_traps_init(void)
{
	struct callback_register event = {
		.type = CALLBACKTYPE_event,
		.flags = CALLBACKF_mask_events,
		.address = (unsigned long)hypervisor_callback,
	};
	struct callback_register failsafe = {
		.type = CALLBACKTYPE_failsafe,
		.flags = CALLBACKF_mask_events,
		.address = (unsigned long)failsafe_callback,
	};

	if (HYPERVISOR_set_trap_table(trap_table))
		panic("set_trap_table failed");
	if (HYPERVISOR_callback_op(CALLBACKOP_register, &event) ||
	    HYPERVISOR_callback_op(CALLBACKOP_register, &failsafe))
		panic("registering the event callbacks failed");
	/* Start with the FPU usable; we never ask Xen to set CR0.TS. */
	HYPERVISOR_fpu_taskswitch(0);
}

/* A PV guest cannot read %cr2: Xen copies it into vcpu_info. */
unsigned long pv_fault_address(void)
{
	const shared_info_t *s = boot_info.shared_info;

	return s ? s->vcpu_info[0].arch.cr2 : 0;
}

/* Xen set the virtual CR0.TS (we never ask it to): clear it and retry. */
void pv_fpu_restore(void)
{
	HYPERVISOR_fpu_taskswitch(0);
}
