/*
 * Exception and event entry points for a 64-bit PV guest.
 *
 * Xen delivers an exception or an event by building a "bounce frame" on the guest's
 * current stack (the guest kernel runs in ring 3, so there is no stack switch):
 *
 *	%rsp ->	rcx, r11, [error code], rip, cs, rflags, rsp, ss
 *
 * The first two slots hold the values %rcx and %r11 had when the trap hit (Xen needed
 * the registers themselves for its own `sysret`). The stubs below reload them, drop the
 * two slots, push a uniform vector/error code, and save every register so C sees a
 * struct cpu_regs (arch/x86_64/arch.h).
 */
#include <xen/xen.h>
#include "save_regs.h"

/* Reload %rcx/%r11 from Xen's frame and drop those two slots. */
#define XEN_FRAME_FIXUP		\
	movq (%rsp), %rcx;	\
	movq 8(%rsp), %r11;	\
	addq $16, %rsp

#define TRAP_NOERR(name, vec)	\
	.globl name;		\
name:				\
	XEN_FRAME_FIXUP;	\
	pushq $0;		\
	pushq $vec;		\
	jmp trap_common

#define TRAP_ERR(name, vec)	\
	.globl name;		\
name:				\
	XEN_FRAME_FIXUP;	\
	pushq $vec;		\
	jmp trap_common

	.text
TRAP_NOERR(trap_divide_error, 0)
TRAP_NOERR(trap_debug, 1)
TRAP_NOERR(trap_int3, 3)
TRAP_NOERR(trap_overflow, 4)
TRAP_NOERR(trap_bounds, 5)
TRAP_NOERR(trap_invalid_op, 6)
TRAP_NOERR(trap_device_not_available, 7)
TRAP_NOERR(trap_coprocessor_segment_overrun, 9)
TRAP_ERR(trap_invalid_tss, 10)
TRAP_ERR(trap_segment_not_present, 11)
TRAP_ERR(trap_stack_segment, 12)
TRAP_ERR(trap_general_protection, 13)
TRAP_ERR(trap_page_fault, 14)
TRAP_NOERR(trap_spurious_interrupt_bug, 15)
TRAP_NOERR(trap_coprocessor_error, 16)
TRAP_ERR(trap_alignment_check, 17)
TRAP_NOERR(trap_machine_check, 18)
TRAP_NOERR(trap_simd_coprocessor_error, 19)

trap_common:
	SAVE_ALL
	movq	%rsp, %rdi
	call	do_trap		/* returns only for recoverable traps (#NM, int3) */
	RESTORE_ALL
	addq	$16, %rsp	/* vector and error code */
	/*
	 * Back to guest kernel code. Events were not masked on entry (trap flags are 0),
	 * so a plain iretq suffices; the saved selectors must carry RPL 3, the ring the
	 * PV kernel really runs in.
	 */
	orb	$3, 8(%rsp)	/* cs */
	orb	$3, 32(%rsp)	/* ss */
	iretq

/*
 * Event upcall. Xen masked events (CALLBACKF_mask_events) before entering here.
 * We return through HYPERVISOR_iret rather than iretq: it restores the event mask
 * from the saved RFLAGS.IF in the same step as the return, so an event that arrived
 * meanwhile is delivered on a fresh frame at the interrupted %rsp instead of nesting
 * on this one. A flood of events (XSA-391) therefore cannot grow the stack.
 */
	.globl hypervisor_callback
hypervisor_callback:
	XEN_FRAME_FIXUP
	pushq	$0		/* error code */
	pushq	$-1		/* vector: event upcall */
	SAVE_ALL
	movq	%rsp, %rdi
	call	events_upcall
	RESTORE_ALL
	addq	$16, %rsp
	pushq	$0		/* iret flags: not returning from a syscall */
	/* The stub pushes %rcx, %r11 and %rax itself, then enters Xen. */
	jmp	hypercall_page + __HYPERVISOR_iret * 32

/*
 * Xen could not load the segment registers of the context it was returning to.
 * Nothing sensible can continue: report and crash.
 */
	.globl failsafe_callback
failsafe_callback:
	XEN_FRAME_FIXUP
	pushq	$0
	pushq	$-2		/* vector: failsafe */
	SAVE_ALL
	movq	%rsp, %rdi
	call	do_trap
	ud2
