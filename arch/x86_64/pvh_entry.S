/*
 * Exception and event entry points for a PVH guest, named by the IDT (pvh_traps.c).
 * The CPU itself pushes the frame, in ring 0 and 64-bit mode always the same:
 *
 *	%rsp ->	[error code], rip, cs, rflags, rsp, ss
 *
 * The stubs push a zero where the CPU pushes no error code, then the vector, and save
 * every register, so C sees the same struct cpu_regs as in PV (arch/x86_64/arch.h).
 */

#include "save_regs.h"
#include "pvh_traps.h"

/*
 * One stub per vector 0-19, each TRAP_STUB_SIZE bytes from pvh_trap_stubs, so the IDT
 * finds vector v's at pvh_trap_stubs + v * TRAP_STUB_SIZE (pvh_traps.c): one symbol and
 * no table of addresses, where a symbol per stub took 20 entries of the image's symbol
 * table (a fault in a stub is named pvh_trap_stubs+offset).
 */
#define TRAP_NOERR(vec)			\
	.balign TRAP_STUB_SIZE;		\
	pushq $0;			\
	pushq $vec;			\
	jmp pvh_trap_common

#define TRAP_ERR(vec)			\
	.balign TRAP_STUB_SIZE;		\
	pushq $vec;			\
	jmp pvh_trap_common

	.text
	.balign TRAP_STUB_SIZE
	.globl pvh_trap_stubs
pvh_trap_stubs:
TRAP_NOERR(0)
TRAP_NOERR(1)
TRAP_NOERR(2)
TRAP_NOERR(3)
TRAP_NOERR(4)
TRAP_NOERR(5)
TRAP_NOERR(6)
TRAP_NOERR(7)
TRAP_ERR(8)
TRAP_NOERR(9)
TRAP_ERR(10)
TRAP_ERR(11)
TRAP_ERR(12)
TRAP_ERR(13)
TRAP_ERR(14)
TRAP_NOERR(15)
TRAP_NOERR(16)
TRAP_ERR(17)
TRAP_NOERR(18)
TRAP_NOERR(19)

pvh_trap_common:
	SAVE_ALL
	movq	%rsp, %rdi
	call	do_trap		/* returns only for #NM */
	RESTORE_ALL
	addq	$16, %rsp	/* vector and error code */
	iretq

/* The local APIC's spurious vector: no EOI, nothing to do. */
	.globl pvh_spurious_entry
pvh_spurious_entry:
	iretq

/* Any other vector nothing should raise: report it (do_trap names it). */
	.globl pvh_unexpected_entry
pvh_unexpected_entry:
	pushq	$0
	pushq	$-3		/* vector: unexpected interrupt */
	jmp	pvh_trap_common

/* The event upcall (interrupts are off: the IDT entry is an interrupt gate). */
	.globl pvh_upcall_entry
pvh_upcall_entry:
	pushq	$0		/* error code */
	pushq	$-1		/* vector: event upcall */
	SAVE_ALL
	movq	%rsp, %rdi
	call	pvh_upcall
	RESTORE_ALL
	addq	$16, %rsp
	iretq
