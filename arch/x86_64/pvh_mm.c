/*
 * PVH memory set-up. Paging is ours: Xen translates guest-physical addresses with its
 * own nested page tables, and these tables, which we write directly, translate
 * virtual to guest-physical. They replace the boot tables of pvh_head.S with 4 KiB
 * mappings of exactly what the domain has: each RAM range of the memory map at
 * physical + 2 MiB, the console and xenstore pages, and the frames Xen places for us in
 * a hole of the map (shared_info, the grant table). Text is read-only, everything else
 * non-executable, the pages below the boot and fault stacks unmapped.
 */
#include <errno.h>
#include <string.h>
#include <stdint.h>
#include <xen/xen.h>
#include <xen/memory.h>

#include <arch.h>
#include <hypercall.h>
#include "arch/upcalls.h"
#include "layout.h"
#include "libc/printk.h"
#include "pvh.h"

/* Present and writable, accessed and dirty already (no A/D writes by the CPU): a table's
 * entries, and with nx a data page's. */
#define PROT_RW	    (PTE_P | PTE_RW | PTE_ACCESSED | PTE_DIRTY)
#define BOOT_MAPPED ((4ULL << 30) - PVH_VIRT_BASE) /* what the boot tables reach */

typedef uint64_t pgentry_t;

extern char _text[], _etext[], _rodata[], _erodata[], _data[], _end[];
extern char boot_stack_guard[], fault_stack_guard[];

static pgentry_t *l4;
static pgentry_t nx; /* PTE_NX if the CPU has it, else 0 */
/* The RAM range that page tables come from, from its start, and then the page
 * allocator's region: the rest of it, less what is in use (the image, say). */
static struct pvh_range pt_pool;
static unsigned long hole_pfn; /* shared_info, then the grant table frames */

static uint64_t pa_of(const void *va)
{
	return (unsigned long)va - VIRT_BASE;
}

static pgentry_t *table_at(pgentry_t entry)
{
	return arch_pfn_to_virt((entry & PTE_ADDR_MASK) >> PAGE_SHIFT);
}

/* A zeroed page for a table: the next free page of the pool, which the boot tables
 * map (it is below BOOT_MAPPED). */
static pgentry_t *new_table(void)
{
	pgentry_t *t;

	while (pt_pool.start < pt_pool.end && pvh_page_used(&pvh_boot.mem, pt_pool.start))
		pt_pool.start += PAGE_SIZE;
	if (pt_pool.start >= pt_pool.end)
		panic("PVH: out of memory building page tables");
	t = arch_pfn_to_virt(pt_pool.start >> PAGE_SHIFT);
	pt_pool.start += PAGE_SIZE;
	memset(t, 0, PAGE_SIZE);
	return t;
}

/* The L1 entry for va, with the tables above it created if `create`; else NULL. */
static pgentry_t *pte_of(unsigned long va, bool create)
{
	pgentry_t *t = l4;

	for (int shift = 39; shift > 12; shift -= 9) {
		pgentry_t *e = &t[(va >> shift) & 511];

		if (!(*e & PTE_P)) {
			if (!create)
				return NULL;
			*e = pa_of(new_table()) | PROT_RW;
		}
		t = table_at(*e);
	}
	return &t[(va >> PAGE_SHIFT) & 511];
}

static void invlpg(const void *va)
{
	asm volatile("invlpg (%0)" ::"r"(va) : "memory");
}

/* Map physical page pa at its place, VIRT_BASE + pa. */
static void map_page(uint64_t pa, pgentry_t flags)
{
	void *va = arch_pfn_to_virt(pa >> PAGE_SHIFT);

	*pte_of((unsigned long)va, true) = (pa & PTE_ADDR_MASK) | flags;
	invlpg(va);
}

static void map_range(uint64_t start, uint64_t end, pgentry_t flags)
{
	for (uint64_t pa = start & PAGE_MASK; pa < end; pa += PAGE_SIZE)
		map_page(pa, flags);
}

static void protect(char *start, char *end, pgentry_t flags)
{
	map_range(pa_of(start), pa_of(end), flags);
}

unsigned long pvh_virt_to_frame(const void *va)
{
	return arch_virt_to_pfn(va); /* Xen and other domains see guest-physical frames */
}

int pvh_page_guard(void *va)
{
	pgentry_t *pte = pte_of((unsigned long)va, false);

	if (!pte)
		return -1;
	*pte = 0;
	invlpg(va);
	return 0;
}

int pvh_page_unguard(void *va)
{
	pgentry_t *pte = pte_of((unsigned long)va, false);

	if (!pte)
		return -1;
	*pte = pa_of(va) | PROT_RW | nx;
	invlpg(va);
	return 0;
}

/* Ask Xen to place one of its own frames (shared_info, a grant frame) at gfn. */
static int place_frame(unsigned int space, unsigned long idx, unsigned long gfn)
{
	struct xen_add_to_physmap xatp = {
		.domid = DOMID_SELF, .space = space, .idx = idx, .gpfn = gfn};

	return HYPERVISOR_memory_op(XENMEM_add_to_physmap, &xatp) ? -EIO : 0;
}

void *pvh_grant_frame(unsigned int index)
{
	unsigned long gfn = hole_pfn + 1 + index;

	if (index >= PVH_MAX_GRANT_FRAMES || place_frame(XENMAPSPACE_grant_table, index, gfn)) {
		printk("gnttab: Xen would not place grant frame %u\n", index);
		return NULL;
	}
	map_page((uint64_t)gfn << PAGE_SHIFT, PROT_RW | nx);
	return arch_pfn_to_virt(gfn);
}

/* shared_info and the grant table go in the first hole of the map that holds them all,
 * below 4 GiB and clear of the console and xenstore pages. */
static void place_shared_info(void)
{
	struct pvh_range avoid[] = {
		{pvh_console_pfn << PAGE_SHIFT, (pvh_console_pfn + 1) << PAGE_SHIFT},
		{pvh_store_pfn << PAGE_SHIFT, (pvh_store_pfn + 1) << PAGE_SHIFT},
	};
	uint64_t hole =
		pvh_find_hole(&pvh_boot.mem, 1 + PVH_MAX_GRANT_FRAMES, 4ULL << 30, avoid, 2);

	if (!hole)
		panic("PVH: no hole in the memory map for shared_info and the grant table");
	hole_pfn = hole >> PAGE_SHIFT;
	/* Create the tables for the whole hole now, while the pool is ours. */
	for (unsigned int i = 0; i <= PVH_MAX_GRANT_FRAMES; i++)
		pte_of((unsigned long)arch_pfn_to_virt(hole_pfn + i), true);
	if (place_frame(XENMAPSPACE_shared_info, 0, hole_pfn))
		panic("PVH: Xen would not place shared_info at %#lx", hole_pfn);
	map_page(hole, PROT_RW | nx);
	boot_info.shared_info = arch_pfn_to_virt(hole_pfn);
}

static uint64_t bitmap_bytes(struct pvh_range r)
{
	return ((r.end - r.start) / PAGE_SIZE / 8 + PAGE_SIZE - 1) & PAGE_MASK;
}

static void print_map(const struct pvh_memory *m)
{
	for (unsigned int i = 0; i < m->nr_ram; i++)
		printk("PVH: RAM %#lx-%#lx\n", (unsigned long)m->ram[i].start,
		       (unsigned long)m->ram[i].end);
}

void pvh_mm_init(void)
{
	const struct pvh_memory *m = &pvh_boot.mem;
	uint64_t efer = pvh_rdmsr(0xc0000080);

	if (pvh_start_error)
		printk("PVH: %s: no command line, memory map from Xen\n", pvh_start_error);
	if (m->truncated)
		printk("PVH: the memory map has more than %u entries: the rest is ignored\n",
		       PVH_MAX_RANGES);
	/* pvh_head.S turned NX on in EFER where the CPU has it. */
	nx = (efer & (1 << 11)) ? PTE_NX : 0;
	boot_info.nx = nx != 0;
	if (!pvh_best_ram(m, BOOT_MAPPED, &pt_pool)) {
		print_map(m);
		panic("PVH: no free RAM below 4 GiB");
	}

	l4 = new_table();
	for (unsigned int i = 0; i < m->nr_ram; i++)
		map_range(m->ram[i].start, m->ram[i].end, PROT_RW | nx);
	map_page(pvh_console_pfn << PAGE_SHIFT, PROT_RW | nx);
	map_page(pvh_store_pfn << PAGE_SHIFT, PROT_RW | nx);

	protect(_text, _etext, PTE_P | PTE_ACCESSED);
	protect(_rodata, _erodata, PTE_P | PTE_ACCESSED | nx);
	protect(_data, _end, PROT_RW | nx);
	place_shared_info();
	*pte_of((unsigned long)boot_stack_guard, true) = 0;
	*pte_of((unsigned long)fault_stack_guard, true) = 0;

	/* The boot tables (in bss) stay as they are; from here on nothing uses them. */
	asm volatile("mov %0, %%cr3" ::"r"(pa_of(l4)) : "memory");

	/* The rest of the pool goes to the page allocator, less the used ranges inside it;
	 * an empty pool makes any later new_table() panic rather than take a page the
	 * allocator owns. The allocator keeps its bitmap in the region's first pages
	 * (one per 128 MiB): those must be free ones. */
	for (uint64_t pa = pt_pool.start; pa < pt_pool.start + bitmap_bytes(pt_pool);
	     pa += PAGE_SIZE)
		if (pvh_page_used(m, pa))
			pt_pool.start = pa + PAGE_SIZE;
	boot_info.free_mem = arch_pfn_to_virt(pt_pool.start >> PAGE_SHIFT);
	boot_info.free_pages = (pt_pool.end - pt_pool.start) >> PAGE_SHIFT;
	/* page_alloc_reserve ignores what lies outside the region: hand it every range. */
	for (unsigned int i = 0; i < m->nr_used && i < BOOT_MAX_RESERVED; i++) {
		uint64_t start = m->used[i].start & PAGE_MASK;

		boot_info.reserved[i].start = arch_pfn_to_virt(start >> PAGE_SHIFT);
		boot_info.reserved[i].pages =
			(m->used[i].end - start + PAGE_SIZE - 1) >> PAGE_SHIFT;
		boot_info.nr_reserved = i + 1;
	}
	pt_pool.start = pt_pool.end;
}
