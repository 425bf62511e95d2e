/* Internal to arch/x86_64: the PVH boot state shared by the pvh_*.c files. */
#ifndef ARCH_X86_64_PVH_H
#define ARCH_X86_64_PVH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Page table entry bits (Intel SDM vol. 3, 4.5). */
#define PTE_P	      0x001ULL
#define PTE_RW	      0x002ULL
#define PTE_ACCESSED  0x020ULL
#define PTE_DIRTY     0x040ULL
#define PTE_NX	      (1ULL << 63)
#define PTE_ADDR_MASK 0x000ffffffffff000ULL

/* The grant table frames that pvh_grant_frame places, after shared_info, in a hole. */
#define PVH_MAX_GRANT_FRAMES 64

/* The IDT vector Xen raises for events (pvh_events.c, pvh_entry.S). */
#define PVH_UPCALL_VECTOR 0xf3

/*
 * The guest-physical memory a PVH domain starts with, from hvm_start_info's memory map
 * (or XENMEM_memory_map): [start, end) byte ranges.
 */
#define PVH_MAX_RANGES 64
struct pvh_range {
	uint64_t start, end;
};
struct pvh_memory {
	struct pvh_range ram[PVH_MAX_RANGES]; /* E820/memmap type RAM */
	unsigned int nr_ram;
	struct pvh_range other[PVH_MAX_RANGES]; /* every other type: not ours to use */
	unsigned int nr_other;
	struct pvh_range used[16]; /* RAM holding something at entry: image, start info... */
	unsigned int nr_used;
	bool truncated; /* the map had more entries than fit here */
};

/* What hvm_start_info said, checked (pvh_start_info.c). */
struct pvh_start {
	uint32_t version;
	const char *cmdline;		 /* NUL-terminated within cmdline_max, or NULL */
	uint64_t module_pa, module_size; /* the first module (the xl ramdisk), or 0 */
	bool have_map;			 /* false: version 0, or no map: ask Xen */
	struct pvh_memory mem;
};

/*
 * phys(pa, len) returns where [pa, pa + len) can be read, or NULL if it cannot (beyond
 * what is mapped, or wrapping). Returns 0, or -EINVAL with why in *why.
 */
typedef const void *(*pvh_phys_fn)(uint64_t pa, uint64_t len);
int pvh_read_start_info(uint64_t start_info_pa, pvh_phys_fn phys, size_t cmdline_max,
			struct pvh_start *out, const char **why);
/* Add one map entry (hvm_memmap_table_entry or e820entry type numbering). */
void pvh_memory_add(struct pvh_memory *m, uint64_t addr, uint64_t size, uint32_t type);
/* Record [start, end) as in use: never handed out as free memory. */
void pvh_memory_use(struct pvh_memory *m, uint64_t start, uint64_t end);
uint64_t pvh_ram_pages(const struct pvh_memory *m);
/* Is the page holding pa inside a used range? */
bool pvh_page_used(const struct pvh_memory *m, uint64_t pa);
/* The RAM range below `below` with the most pages that are not used, cut to whole
 * pages (the page allocator's region); false if no range has a free page. */
bool pvh_best_ram(const struct pvh_memory *m, uint64_t below, struct pvh_range *out);
/* The lowest page-aligned address from which `pages` pages lie in no range of the map
 * (RAM or other) nor in avoid[], ending at or below `below`; 0 if there is none. */
uint64_t pvh_find_hole(const struct pvh_memory *m, unsigned long pages, uint64_t below,
		       const struct pvh_range *avoid, unsigned int nr_avoid);

/* Set by pvh_setup.c for pvh_mm.c. */
extern uint64_t pvh_console_pfn, pvh_store_pfn;
extern struct pvh_start pvh_boot;
extern const char *pvh_start_error; /* why hvm_start_info was refused, or NULL */

/* The PVH halves of struct arch_mode (mode.h). */
void pvh_mm_init(void);
unsigned long pvh_virt_to_frame(const void *va);
int pvh_page_guard(void *va);
int pvh_page_unguard(void *va);
void *pvh_grant_frame(unsigned int index);
void pvh_traps_init(void);
unsigned long pvh_events_save_disable(void);
void pvh_events_restore(unsigned long flags);
void pvh_events_wait(void);
void pvh_events_init(void);
unsigned long pvh_fault_address(void);
void pvh_fpu_restore(void);

static inline uint64_t pvh_rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void pvh_wrmsr(uint32_t msr, uint64_t val)
{
	asm volatile("wrmsr" ::"c"(msr), "a"((uint32_t)val), "d"((uint32_t)(val >> 32)));
}

static inline void pvh_cpuid(uint32_t leaf, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d)
{
	asm volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(0));
}

#endif
