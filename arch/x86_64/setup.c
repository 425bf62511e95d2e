/*
 * The C side of the PV entry: turn start_info into struct boot_info, then hand over to
 * the generic kernel_main(). Only things that need no memory set-up happen here, so
 * that the console works from kernel_main's first line.
 */
#include <stdint.h>
#include <xen/xen.h>

#include <arch.h>
#include "arch/upcalls.h"
#include "pv.h"

struct boot_info boot_info;
start_info_t *pv_start_info;
unsigned long *pv_p2m;

void arch_pv_start(start_info_t *si) __attribute__((noreturn));

void arch_pv_start(start_info_t *si)
{
	pv_start_info = si;
	pv_p2m = (unsigned long *)si->mfn_list;

	boot_info.boot_protocol = "pv";
	boot_info.nr_pages = si->nr_pages;
	/* start_info names the rings by machine frame; they lie in the region Xen mapped. */
	boot_info.console_ring = pv_mfn_to_virt(si->console.domU.mfn);
	boot_info.console_evtchn = si->console.domU.evtchn;
	boot_info.store_ring = pv_mfn_to_virt(si->store_mfn);
	boot_info.store_evtchn = si->store_evtchn;
	si->cmd_line[MAX_GUEST_CMDLINE - 1] = '\0';
	boot_info.cmdline = (const char *)si->cmd_line;

	kernel_main();
}

void arch_context_init(struct arch_context *ctx, void *stack_top, void (*entry)(void *), void *arg)
{
	extern char arch_thread_start[];
	unsigned long *sp = (unsigned long *)((unsigned long)stack_top & ~15UL);

	/*
	 * What arch_switch_to pops: r15 r14 r13 r12 rbx rbp, then its return address.
	 * Its `ret` leaves %rsp at stack_top (16-byte aligned), so the entry function
	 * starts with %rsp = 8 mod 16, as the ABI requires after a call.
	 */
	*--sp = (unsigned long)arch_thread_start;
	*--sp = 0;		      /* rbp */
	*--sp = 0;		      /* rbx */
	*--sp = (unsigned long)entry; /* r12 */
	*--sp = (unsigned long)arg;   /* r13 */
	*--sp = 0;		      /* r14 */
	*--sp = 0;		      /* r15 */
	ctx->rsp = (unsigned long)sp;
}
