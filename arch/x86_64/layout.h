/*
 * Where the image and RAM sit in the address space, for C, assembly and (by hand, see
 * its comment) skiff.lds. The image is linked at 3 MiB in both boot modes:
 *
 *	PV:  Xen's loader puts the image at pseudo-physical 0 and maps it at 3 MiB
 *	     (XEN_ELFNOTE_VIRT_BASE): RAM page p is at 3 MiB + p * 4 KiB.
 *	PVH: paging is off at entry, so Xen loads the image at the physical addresses of
 *	     the ELF program headers, 1 MiB. Skiff's page tables put RAM at physical + 2 MiB,
 *	     which puts the image at 3 MiB too. The offset is a multiple of 2 MiB so that
 *	     the boot page tables (pvh_head.S) can map all low memory with 2 MiB pages.
 *
 * Nothing below 2 MiB (PVH) or 3 MiB (PV) is ever mapped, so NULL pointers fault.
 */
#ifndef ARCH_X86_64_LAYOUT_H
#define ARCH_X86_64_LAYOUT_H

#define IMAGE_VIRT    0x300000			   /* the image's first byte, in both modes */
#define PV_VIRT_BASE  0x300000			   /* PV: virtual address of pseudo-physical 0 */
#define PVH_VIRT_BASE 0x200000			   /* PVH: virtual address of physical 0 */
#define IMAGE_PHYS    (IMAGE_VIRT - PVH_VIRT_BASE) /* the ELF's physical addresses: 1 MiB */

#endif
