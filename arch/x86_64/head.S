/*
 * The ELF notes that tell Xen's loader how to boot this image (xen/elfnote.h), the PV
 * entry point, the hypercall page and the boot stack. Xen enters _start in 64-bit mode,
 * in ring 3 (the PV guest kernel ring), with %rsi = virtual address of start_info and
 * events masked. A PVH domain starts at pvh_start (pvh_head.S) instead: the toolstack
 * picks the entry by the domain's type, so one image boots both ways.
 */
#include <xen/xen.h>
#include <xen/elfnote.h>
#include "layout.h"

#define ELFNOTE(type, desc_directive)				\
	.pushsection .note.Xen, "a", @note;			\
	.balign 4;						\
	.long 2f - 1f;		/* name size */			\
	.long 4f - 3f;		/* desc size */			\
	.long type;						\
1:	.asciz "Xen";						\
2:	.balign 4;						\
3:	desc_directive;						\
4:	.balign 4;						\
	.popsection

	ELFNOTE(XEN_ELFNOTE_GUEST_OS, .asciz "Skiff")
	ELFNOTE(XEN_ELFNOTE_GUEST_VERSION, .asciz "0.1")
	ELFNOTE(XEN_ELFNOTE_XEN_VERSION, .asciz "xen-3.0")
	ELFNOTE(XEN_ELFNOTE_LOADER, .asciz "generic")
	/*
	 * PV: pseudo-physical 0 is at VIRT_BASE (3 MiB), and the loader maps an ELF
	 * physical address p at p - PADDR_OFFSET + VIRT_BASE = p + 2 MiB, the image's
	 * link address (layout.h). PVH ignores both notes and loads at p itself (1 MiB).
	 */
	ELFNOTE(XEN_ELFNOTE_VIRT_BASE, .quad PV_VIRT_BASE)
	ELFNOTE(XEN_ELFNOTE_PADDR_OFFSET, .quad PV_VIRT_BASE - PVH_VIRT_BASE)
	ELFNOTE(XEN_ELFNOTE_ENTRY, .quad _start)
	/* PVH: a 32-bit physical address, entered with paging off (pvh_head.S). */
	ELFNOTE(XEN_ELFNOTE_PHYS32_ENTRY, .long pvh_start - PVH_VIRT_BASE)
	/* Xen fills this page with one 32-byte stub per hypercall (syscall for 64-bit PV). */
	ELFNOTE(XEN_ELFNOTE_HYPERCALL_PAGE, .quad hypercall_page)

	.section .text.head, "ax"
	.globl _start
_start:
	cld
	/* Leave Xen's boot stack (it lies in memory the page allocator will hand out). */
	leaq	boot_stack_top(%rip), %rsp
	xorl	%ebp, %ebp		/* ends the frame-pointer chain for backtraces */
	movq	%rsi, %rdi		/* start_info */
	call	arch_pv_start
	ud2				/* arch_pv_start does not return */

	.balign 4096
	.globl hypercall_page
hypercall_page:
	.fill 4096, 1, 0xcc		/* int3 until Xen writes the stubs */

/*
 * The boot stack, with a guard page below it that arch/x86_64/mm.c unmaps so an
 * overflow faults instead of overwriting other data.
 */
	.section .bss.page_aligned, "aw", @nobits
	.balign 4096
	.globl boot_stack_guard
boot_stack_guard:
	.skip 4096
	.globl boot_stack
boot_stack:
	.skip 4 * 4096
	.globl boot_stack_top
boot_stack_top:

/* PVH: the stack faults run on (pvh_traps.c), so that a stack overflow is reported. */
	.balign 4096
	.globl fault_stack_guard
fault_stack_guard:
	.skip 4096
	.skip 2 * 4096
	.globl fault_stack_top
fault_stack_top:
/* PVH: double faults get one more (IST2): a fault while a fault is delivered. */
	.skip 2 * 4096
	.globl double_fault_stack_top
double_fault_stack_top:
