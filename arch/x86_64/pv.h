/* Internal to arch/x86_64: the PV boot state shared by the pv_*.c files. */
#ifndef ARCH_X86_64_PV_H
#define ARCH_X86_64_PV_H

#include <stdint.h>
#include <xen/xen.h>

/* Page table entry bits (Intel SDM vol. 3, 4.5). */
#define _PAGE_PRESENT  0x001ULL
#define _PAGE_RW       0x002ULL
#define _PAGE_USER     0x004ULL
#define _PAGE_ACCESSED 0x020ULL
#define _PAGE_DIRTY    0x040ULL
#define _PAGE_NX       (1ULL << 63)
#define PTE_ADDR_MASK  0x000ffffffffff000ULL

extern start_info_t *pv_start_info;
extern unsigned long *pv_p2m; /* pfn -> mfn, from start_info->mfn_list */

/* Xen maps its machine-to-physical table read-only into every PV guest. */
#define pv_m2p ((const unsigned long *)__MACH2PHYS_VIRT_START)

static inline void *pv_mfn_to_virt(unsigned long mfn)
{
	return arch_pfn_to_virt(pv_m2p[mfn]);
}

/* The PV halves of struct arch_mode (mode.h). */
void pv_mm_init(void);
unsigned long pv_virt_to_frame(const void *va);
int pv_page_guard(void *va);
int pv_page_unguard(void *va);
void *pv_grant_frame(unsigned int index);
/* Map machine frame mfn at the page va, whose own RAM frame is unused while it stands. */
int pv_map_frame(void *va, unsigned long mfn);
void pv_traps_init(void);
unsigned long pv_events_save_disable(void);
void pv_events_restore(unsigned long flags);
void pv_events_wait(void);
unsigned long pv_fault_address(void);
void pv_fpu_restore(void);

/* Xen's default gnttab_max_frames; grant frames beyond it are refused. */
#define PV_MAX_GRANT_FRAMES 64

#endif
