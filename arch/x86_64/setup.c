/*
 * What both boot modes share: struct boot_info, which each entry fills before it calls
 * kernel_main(); the arch.h calls, each forwarded to the mode's own (mode.h); new thread
 * contexts.
 */
#include <stdint.h>

#include <arch.h>
#include "mode.h"

struct boot_info boot_info;
unsigned long arch_virt_base;
const struct arch_mode *arch_mode;

void arch_traps_init(void)
{
	arch_mode->traps_init();
}

void arch_mm_init(void)
{
	arch_mode->mm_init();
}

unsigned long arch_virt_to_mfn(const void *va)
{
	return arch_mode->virt_to_frame(va);
}

int arch_page_guard(void *va)
{
	return arch_mode->page_guard(va);
}

int arch_page_unguard(void *va)
{
	return arch_mode->page_unguard(va);
}

void *arch_grant_frame(unsigned int index)
{
	return arch_mode->grant_frame(index);
}

unsigned long arch_events_save_disable(void)
{
	return arch_mode->events_save_disable();
}

void arch_events_restore(unsigned long flags)
{
	arch_mode->events_restore(flags);
}

void arch_events_wait(void)
{
	arch_mode->events_wait();
}

void arch_context_init(struct arch_context *ctx, void *stack_top, void (*entry)(void *), void *arg)
{
	extern char arch_thread_start[];
	unsigned long *sp = (unsigned long *)((unsigned long)stack_top & ~15UL);

	/*
	 * What arch_switch_to pops: the FPU control words, r15 r14 r13 r12 rbx rbp, then
	 * its return address. Its `ret` leaves %rsp at stack_top (16-byte aligned), so
	 * the entry function starts with %rsp = 8 mod 16, as the ABI requires after a call.
	 */
	*--sp = (unsigned long)arch_thread_start;
	*--sp = 0;		      /* rbp */
	*--sp = 0;		      /* rbx */
	*--sp = (unsigned long)entry; /* r12 */
	*--sp = (unsigned long)arg;   /* r13 */
	*--sp = 0;		      /* r14 */
	*--sp = 0;		      /* r15 */
	/* A new thread starts with the state the ABI gives a program: MXCSR 0x1f80 and x87
	 * control word 0x037f (round to nearest, every exception masked; x87 extended). */
	*--sp = 0x1f80 | (0x037fUL << 32);
	ctx->rsp = (unsigned long)sp;
}
