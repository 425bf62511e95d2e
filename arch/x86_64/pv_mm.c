/*
 * PV memory set-up. Xen's loader mapped only a bootstrap region (image, start_info,
 * the p2m list, its own page tables, 512 KiB or more of padding). Here we map every
 * page of the domain at VIRT_BASE + its pseudo-physical address, then tighten the
 * image's permissions. A PV guest never writes its page tables: they are read-only to it and
 * every change is a request to Xen (mmu_update / update_va_mapping), which checks it.
 */
#include <string.h>
#include <stdint.h>
#include <xen/xen.h>

#include <arch.h>
#include <hypercall.h>
#include "pv.h"
#include "arch/upcalls.h"

#define TABLE_PROT (_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED | _PAGE_DIRTY)
#define ENTRIES	   512

typedef uint64_t pgentry_t;

extern char _text[], _etext[], _rodata[], _erodata[], _data[], _end[];
extern char boot_stack_guard[];

static unsigned long pt_next_pfn; /* next free frame for a new page table */
static pgentry_t nx;		  /* _PAGE_NX if the CPU has it, else 0 */
static mmu_update_t batch[ENTRIES];
static char shared_info_page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));

unsigned long pv_virt_to_frame(const void *va)
{
	return pv_p2m[arch_virt_to_pfn(va)];
}

static pgentry_t pte_for(const void *va, pgentry_t flags)
{
	return ((pgentry_t)pv_virt_to_frame(va) << PAGE_SHIFT) | flags;
}

static void set_va_pte(void *va, pgentry_t pte)
{
	long rc = HYPERVISOR_update_va_mapping((unsigned long)va, pte, UVMF_INVLPG);

	if (rc)
		panic("update_va_mapping(%p) failed: %ld", va, rc);
}

static bool cpu_has_nx(void)
{
	uint32_t eax = 0x80000001, ebx, ecx = 0, edx;

	asm volatile("cpuid" : "+a"(eax), "=b"(ebx), "+c"(ecx), "=d"(edx));
	return edx & (1u << 20);
}

/* A zeroed frame to hold a page table. Xen refuses one that is mapped writable. */
static pgentry_t *new_table(void)
{
	pgentry_t *table = arch_pfn_to_virt(pt_next_pfn++);

	if (pt_next_pfn >= boot_info.nr_pages)
		panic("out of memory building page tables");
	memset(table, 0, PAGE_SIZE);
	set_va_pte(table, pte_for(table, _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED | nx));
	return table;
}

static void mmu_update(mmu_update_t *req, unsigned int count)
{
	long rc = HYPERVISOR_mmu_update(req, count, NULL, DOMID_SELF);

	if (rc)
		panic("mmu_update of %u entries failed: %ld", count, rc);
}

/* Entry idx of table, pointing to the next level; created if absent. */
static pgentry_t *next_level(pgentry_t *table, unsigned int idx)
{
	pgentry_t entry = table[idx];

	if (!(entry & _PAGE_PRESENT)) {
		pgentry_t *t = new_table();
		mmu_update_t req = {
			.ptr = pte_for(table, 0) + idx * sizeof(pgentry_t),
			.val = pte_for(t, TABLE_PROT),
		};

		mmu_update(&req, 1); /* ptr's low bits 0 = MMU_NORMAL_PT_UPDATE */
		return t;
	}
	return pv_mfn_to_virt((entry & PTE_ADDR_MASK) >> PAGE_SHIFT);
}

static pgentry_t *l1_table_of(unsigned long va)
{
	pgentry_t *l4 = (pgentry_t *)pv_start_info->pt_base;
	pgentry_t *l3 = next_level(l4, (va >> 39) & 511);
	pgentry_t *l2 = next_level(l3, (va >> 30) & 511);

	return next_level(l2, (va >> 21) & 511);
}

/* Map pfns [start, end) at their virtual addresses, one L1 table per hypercall. */
static void map_ram(unsigned long start, unsigned long end)
{
	unsigned long pfn = start;

	while (pfn < end) {
		unsigned long va = (unsigned long)arch_pfn_to_virt(pfn);
		pgentry_t *l1 = l1_table_of(va);
		unsigned int n = 0;

		/* Up to the end of the 2 MiB that this L1 table maps. */
		do {
			unsigned int idx = (va >> PAGE_SHIFT) & 511;

			if (!(l1[idx] & _PAGE_PRESENT)) {
				batch[n].ptr = pte_for(l1, 0) + idx * sizeof(pgentry_t);
				batch[n].val = ((pgentry_t)pv_p2m[pfn] << PAGE_SHIFT) |
					       _PAGE_PRESENT | _PAGE_RW | _PAGE_USER |
					       _PAGE_ACCESSED | _PAGE_DIRTY | nx;
				n++;
			}
			pfn++;
			va += PAGE_SIZE;
		} while (pfn < end && ((va >> PAGE_SHIFT) & 511));
		if (n)
			mmu_update(batch, n);
	}
}

static void protect(char *start, char *end, pgentry_t flags)
{
	for (char *va = start; va < end; va += PAGE_SIZE)
		set_va_pte(va, pte_for(va, flags));
}

int pv_page_guard(void *va)
{
	return HYPERVISOR_update_va_mapping((unsigned long)va, 0, UVMF_INVLPG) ? -1 : 0;
}

int pv_map_frame(void *va, unsigned long mfn)
{
	pgentry_t pte = ((pgentry_t)mfn << PAGE_SHIFT) | _PAGE_PRESENT | _PAGE_RW | _PAGE_USER |
			_PAGE_ACCESSED | _PAGE_DIRTY | nx;

	return HYPERVISOR_update_va_mapping((unsigned long)va, pte, UVMF_INVLPG) ? -1 : 0;
}

int pv_page_unguard(void *va)
{
	pgentry_t pte = pte_for(va, _PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED |
					    _PAGE_DIRTY | nx);

	return HYPERVISOR_update_va_mapping((unsigned long)va, pte, UVMF_INVLPG) ? -1 : 0;
}

void pv_mm_init(void)
{
	start_info_t *si = pv_start_info;
	unsigned long bootstrap_end = arch_virt_to_pfn((void *)si->pt_base) + si->nr_pt_frames;

	nx = cpu_has_nx() ? _PAGE_NX : 0;
	boot_info.nx = nx != 0;

	/*
	 * Everything up to the end of Xen's page tables is in use (image, p2m list,
	 * start_info, xenstore and console rings); what follows, Xen's boot stack
	 * included, is free. New page tables come from there: it is mapped, because the
	 * loader maps at least 512 KiB past its tables, and map_ram() maps memory in
	 * increasing order far faster (512 pages per table) than it consumes it.
	 */
	pt_next_pfn = bootstrap_end;
	map_ram(0, si->nr_pages);

	protect(_text, _etext, _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED);
	protect(_rodata, _erodata, _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED | nx);
	protect(_data, _end,
		_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED | _PAGE_DIRTY | nx);

	/* A boot stack overflow faults instead of corrupting data. (Nothing is mapped
	 * below the image, so NULL pointers fault too.) */
	set_va_pte(boot_stack_guard, 0);

	/* shared_info is named by machine address; map it over a page of our own bss. */
	set_va_pte(shared_info_page, si->shared_info | _PAGE_PRESENT | _PAGE_RW | _PAGE_USER |
					     _PAGE_ACCESSED | _PAGE_DIRTY | nx);
	boot_info.shared_info = shared_info_page;

	boot_info.free_mem = arch_pfn_to_virt(pt_next_pfn);
	boot_info.free_pages = si->nr_pages - pt_next_pfn;
}
