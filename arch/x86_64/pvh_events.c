/*
 * Event delivery for a PVH guest. Xen raises an interrupt vector when this vCPU's
 * evtchn_upcall_pending goes from 0 to 1, so the "interrupt flag" is the CPU's own
 * RFLAGS.IF (cli/sti); vcpu_info's upcall mask means nothing to an HVM guest.
 *
 * The vector is bound as the domain's callback vector (HVM_PARAM_CALLBACK_IRQ, type
 * vector): Xen raises it on vCPU 0 directly, with no local APIC, so an upcall needs no
 * end-of-interrupt. Only where Xen refuses that is the per-vCPU way used
 * (HVMOP_set_evtchn_upcall_vector), which goes through the local APIC: each upcall then
 * ends with an EOI written to the x2APIC's MSR, one more exit to Xen per upcall.
 *
 * Why the callback vector first, although the per-vCPU vector is the newer interface:
 * Skiff runs one vCPU, where the two differ only by that EOI, an exit to Xen for every
 * upcall. Measured in the emulated test host (Xen under QEMU's TCG), where PVH guests
 * under network load sometimes triple-fault on a return from Xen (see the note in
 * pvh_traps.c): the APIC way did so in 4 of 7 guests of 8 iperf runs each, the callback
 * vector in 3 of 18. Once Skiff has several vCPUs, each will need its own vector.
 */
#include <stdint.h>
#include <xen/xen.h>
#include <xen/hvm/hvm_op.h>
#include <xen/hvm/params.h>

#include <arch.h>
#include <hypercall.h>
#include "arch/upcalls.h"
#include "libc/printk.h"
#include "pvh.h"

#define RFLAGS_IF	 0x200
#define MSR_APIC_BASE	 0x1b
#define APIC_BASE_X2APIC (1 << 10)
#define APIC_BASE_ENABLE (1 << 11)
#define MSR_X2APIC_TPR	 0x808
#define MSR_X2APIC_EOI	 0x80b
#define MSR_X2APIC_SVR	 0x80f
#define SVR_APIC_ENABLED 0x100
#define SPURIOUS_VECTOR	 0xff

static bool eoi_needed;

unsigned long pvh_events_save_disable(void)
{
	unsigned long rflags;

	asm volatile("pushfq; popq %0; cli" : "=r"(rflags)::"memory");
	return (rflags & RFLAGS_IF) ? 0 : 1; /* as in PV: 0 = events were enabled */
}

void pvh_events_restore(unsigned long flags)
{
	if (!flags)
		asm volatile("sti" ::: "memory");
	else
		asm volatile("cli" ::: "memory");
}

/* The idle hlt's address (below), so that the upcall can tell it was taken there. */
extern const char pvh_idle_hlt[];

void pvh_events_wait(void)
{
	/* sti takes effect after the next instruction: an interrupt already pending ends
	 * the hlt instead of slipping in before it. */
	asm volatile("sti; .globl pvh_idle_hlt; pvh_idle_hlt: hlt; cli" ::: "memory");
}

/* From pvh_entry.S's upcall stub, with interrupts off. */
void pvh_upcall(struct cpu_regs *regs);
void pvh_upcall(struct cpu_regs *regs)
{
	/*
	 * A CPU takes no interrupt between sti and the instruction after it, so an upcall
	 * during the idle wait returns past the hlt. The emulated CPU of the test host
	 * (Xen under QEMU's TCG) now and then delivers one inside that shadow, returning
	 * to the hlt itself: the vCPU would then halt with the event already handled, and
	 * if that was the timer's, nothing might ever wake it. Seen: a pthreads test hung
	 * in about 1 of 8 PVH boots, each time right after such an upcall; stepping over
	 * the hlt, 16 of 16 passed, 5 of them with such an upcall. The event the hlt
	 * waited for has come, so the wait is over.
	 */
	if (regs->rip == (uintptr_t)pvh_idle_hlt)
		regs->rip++; /* hlt is one byte (f4) */
	events_upcall(regs);
	if (eoi_needed)
		pvh_wrmsr(MSR_X2APIC_EOI, 0);
}

static bool x2apic_enable(void)
{
	uint32_t a, b, c, d;

	pvh_cpuid(1, &a, &b, &c, &d);
	if (!(c & (1u << 21)))
		return false;
	pvh_wrmsr(MSR_APIC_BASE, pvh_rdmsr(MSR_APIC_BASE) | APIC_BASE_ENABLE | APIC_BASE_X2APIC);
	pvh_wrmsr(MSR_X2APIC_SVR, SVR_APIC_ENABLED | SPURIOUS_VECTOR);
	pvh_wrmsr(MSR_X2APIC_TPR, 0);
	return true;
}

void pvh_events_init(void)
{
	struct xen_hvm_param cb = {
		.domid = DOMID_SELF,
		.index = HVM_PARAM_CALLBACK_IRQ,
		.value = ((uint64_t)HVM_PARAM_CALLBACK_TYPE_VECTOR << 56) | PVH_UPCALL_VECTOR,
	};
	struct xen_hvm_evtchn_upcall_vector up = {.vcpu = 0, .vector = PVH_UPCALL_VECTOR};
	long rc = HYPERVISOR_hvm_op(HVMOP_set_param, &cb);

	if (!rc)
		return; /* the usual way: said nothing, so the boot line comes first */
	if (!x2apic_enable())
		panic("PVH: Xen refused the callback vector (%ld) and there is no x2APIC", rc);
	rc = HYPERVISOR_hvm_op(HVMOP_set_evtchn_upcall_vector, &up);
	if (rc)
		panic("PVH: Xen refused both ways of delivering events (%ld)", rc);
	eoi_needed = true;
	printk("PVH: callback vector refused: events on vector %#x through the local APIC\n",
	       PVH_UPCALL_VECTOR);
}
