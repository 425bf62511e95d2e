/*
 * PVH entry (docs/misc/pvh.pandoc). Xen starts a PVH domain here, at the physical
 * address of XEN_ELFNOTE_PHYS32_ENTRY, in 32-bit protected mode with paging off,
 * interrupts off, flat segments, no stack, and %ebx = the physical address of
 * struct hvm_start_info. The image lies at physical 1 MiB (layout.h), so every
 * absolute address used before paging is on is PA(symbol).
 *
 * This code builds the boot page tables, enters long mode and calls arch_pvh_start()
 * at the image's link address. The boot tables map, with 2 MiB pages:
 *	virtual 0 - 2 MiB          -> physical 0 - 2 MiB: this code, which runs where it
 *	                              was loaded until it jumps to its link address;
 *	virtual 2 MiB - 4 GiB      -> physical 0 - 4 GiB less 2 MiB: all low memory at
 *	                              physical + 2 MiB (the image, the start info, the
 *	                              console and xenstore pages), as in the final tables.
 * pvh_mm.c replaces them with 4 KiB mappings of RAM alone, with permissions.
 */
#include "layout.h"

#define PA(x)	  ((x) - PVH_VIRT_BASE)
#define PTE_P	  0x001
#define PTE_RW	  0x002
#define PTE_PS	  0x080		/* a 2 MiB page (in an L2 entry) */
#define CR0_PE	  0x00000001
#define CR0_WP	  0x00010000	/* ring 0 honours read-only pages: text and rodata */
#define CR0_PG	  0x80000000
#define CR4_PAE	  0x00000020
#define MSR_EFER  0xc0000080
#define EFER_LME  0x00000100
#define EFER_NXE  0x00000800
#define BOOT_CS	  0x08
#define BOOT_DS	  0x10
#define L2_PAGES  4		/* 4 x 512 entries x 2 MiB = 4 GiB */

	.section .text.pvh_entry, "ax"
	.code32
	.globl pvh_start
pvh_start:
	cld
	movl	%ebx, %esi		/* hvm_start_info; cpuid below clobbers %ebx */

	/* L4[0] -> L3; L3[0..3] -> the four L2 pages. */
	movl	$PA(pvh_boot_l3) + PTE_P + PTE_RW, PA(pvh_boot_l4)
	movl	$PA(pvh_boot_l3), %edi
	movl	$PA(pvh_boot_l2) + PTE_P + PTE_RW, %eax
	movl	$L2_PAGES, %ecx
1:	movl	%eax, (%edi)
	movl	$0, 4(%edi)
	addl	$4096, %eax
	addl	$8, %edi
	loop	1b

	/* L2 entry 0 maps physical 0 (the 1:1 part); entry n >= 1 maps (n - 1) * 2 MiB. */
	movl	$PA(pvh_boot_l2), %edi
	movl	$PTE_P + PTE_RW + PTE_PS, (%edi)
	movl	$0, 4(%edi)
	addl	$8, %edi
	movl	$PTE_P + PTE_RW + PTE_PS, %eax
	movl	$L2_PAGES * 512 - 1, %ecx
2:	movl	%eax, (%edi)
	movl	$0, 4(%edi)
	addl	$0x200000, %eax
	addl	$8, %edi
	loop	2b

	/* Long mode: PAE, the tables, EFER.LME (and NXE where the CPU has NX), paging. */
	movl	%cr4, %eax
	orl	$CR4_PAE, %eax
	movl	%eax, %cr4
	movl	$PA(pvh_boot_l4), %eax
	movl	%eax, %cr3
	movl	$0x80000001, %eax
	cpuid
	movl	%edx, %edi		/* bit 20: NX */
	movl	$MSR_EFER, %ecx
	rdmsr
	orl	$EFER_LME, %eax
	testl	$(1 << 20), %edi
	jz	3f
	orl	$EFER_NXE, %eax
3:	wrmsr
	movl	%cr0, %eax
	orl	$CR0_PG + CR0_WP + CR0_PE, %eax
	movl	%eax, %cr0

	/* Now in compatibility mode: a far jump to a 64-bit code segment ends it. */
	lgdt	PA(pvh_boot_gdt_ptr)
	ljmp	$BOOT_CS, $PA(pvh_start64)

	.code64
pvh_start64:
	movl	$BOOT_DS, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	xorl	%eax, %eax
	movl	%eax, %fs
	movl	%eax, %gs
	/* Leave the 1:1 mapping for the link address. */
	movabsq	$pvh_start_high, %rax
	jmp	*%rax
pvh_start_high:
	leaq	boot_stack_top(%rip), %rsp
	xorl	%ebp, %ebp		/* ends the frame-pointer chain for backtraces */
	movl	%esi, %edi		/* hvm_start_info, a physical address */
	call	arch_pvh_start
	ud2				/* arch_pvh_start does not return */

/*
 * Null, 64-bit code, data. The CPU sets their accessed bits when it loads them (the
 * boot tables map this page writable). Kept in this section so that the 1:1 part of
 * the boot tables holds it however large the image.
 */
	.balign 8
pvh_boot_gdt:
	.quad	0
	.quad	0x00af9a000000ffff
	.quad	0x00cf92000000ffff
pvh_boot_gdt_end:
pvh_boot_gdt_ptr:
	.word	pvh_boot_gdt_end - pvh_boot_gdt - 1
	.long	PA(pvh_boot_gdt)

	.section .bss.page_aligned, "aw", @nobits
	.balign 4096
pvh_boot_l4:
	.skip 4096
pvh_boot_l3:
	.skip 4096
pvh_boot_l2:
	.skip L2_PAGES * 4096
