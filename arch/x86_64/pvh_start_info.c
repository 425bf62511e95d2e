/*
 * Reading a PVH domain's hvm_start_info (xen/arch-x86/hvm/start_info.h) and its memory
 * map, and choosing memory from the map. Pure code: it reads guest memory only through
 * the phys() function it is given, so the host's unit tests feed it real layouts.
 *
 * Everything here comes from the toolstack, so nothing is trusted: each address is
 * read through phys(), which refuses what is not mapped, the map is cut at what fits,
 * the command line at its buffer.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <xen/xen.h>
#include <xen/arch-x86/hvm/start_info.h>

#include "pvh.h"

#define PAGE 4096ULL

static uint64_t page_down(uint64_t a)
{
	return a & ~(PAGE - 1);
}

static uint64_t page_up(uint64_t a)
{
	return a > UINT64_MAX - (PAGE - 1) ? page_down(UINT64_MAX) : page_down(a + PAGE - 1);
}

static void add_range(struct pvh_range *r, unsigned int *n, bool *truncated, uint64_t start,
		      uint64_t end)
{
	if (start >= end)
		return;
	if (*n == PVH_MAX_RANGES) {
		*truncated = true;
		return;
	}
	r[*n].start = start;
	r[*n].end = end;
	(*n)++;
}

void pvh_memory_add(struct pvh_memory *m, uint64_t addr, uint64_t size, uint32_t type)
{
	uint64_t end = size > UINT64_MAX - addr ? UINT64_MAX : addr + size;

	if (type == XEN_HVM_MEMMAP_TYPE_RAM)
		add_range(m->ram, &m->nr_ram, &m->truncated, addr, end);
	else
		add_range(m->other, &m->nr_other, &m->truncated, addr, end);
}

void pvh_memory_use(struct pvh_memory *m, uint64_t start, uint64_t end)
{
	if (start >= end)
		return;
	if (m->nr_used == sizeof(m->used) / sizeof(m->used[0])) {
		/* Out of room: keep it safe by widening the last range over this one. */
		struct pvh_range *last = &m->used[m->nr_used - 1];

		last->start = start < last->start ? start : last->start;
		last->end = end > last->end ? end : last->end;
		return;
	}
	m->used[m->nr_used].start = start;
	m->used[m->nr_used].end = end;
	m->nr_used++;
}

uint64_t pvh_ram_pages(const struct pvh_memory *m)
{
	uint64_t pages = 0;

	for (unsigned int i = 0; i < m->nr_ram; i++)
		if (page_up(m->ram[i].start) < page_down(m->ram[i].end))
			pages += (page_down(m->ram[i].end) - page_up(m->ram[i].start)) / PAGE;
	return pages;
}

static bool overlaps(const struct pvh_range *r, uint64_t start, uint64_t end)
{
	return r->start < end && start < r->end;
}

bool pvh_page_used(const struct pvh_memory *m, uint64_t pa)
{
	for (unsigned int i = 0; i < m->nr_used; i++)
		if (page_down(m->used[i].start) <= pa && pa < page_up(m->used[i].end))
			return true;
	return false;
}

/* Pages of [start, end) outside the used ranges (an estimate if those overlap). */
static uint64_t free_pages_in(const struct pvh_memory *m, uint64_t start, uint64_t end)
{
	uint64_t pages = (end - start) / PAGE;

	for (unsigned int i = 0; i < m->nr_used; i++) {
		uint64_t s = page_down(m->used[i].start), e = page_up(m->used[i].end);

		s = s < start ? start : s;
		e = e > end ? end : e;
		if (s < e)
			pages = (e - s) / PAGE > pages ? 0 : pages - (e - s) / PAGE;
	}
	return pages;
}

bool pvh_best_ram(const struct pvh_memory *m, uint64_t below, struct pvh_range *out)
{
	uint64_t best = 0;

	out->start = out->end = 0;
	for (unsigned int i = 0; i < m->nr_ram; i++) {
		uint64_t start = page_up(m->ram[i].start);
		uint64_t end = page_down(m->ram[i].end < below ? m->ram[i].end : below);
		uint64_t pages = start < end ? free_pages_in(m, start, end) : 0;

		if (pages > best) {
			best = pages;
			out->start = start;
			out->end = end;
		}
	}
	return best > 0;
}

static bool hole_is_clear(const struct pvh_memory *m, uint64_t start, uint64_t end,
			  const struct pvh_range *avoid, unsigned int nr_avoid)
{
	for (unsigned int i = 0; i < m->nr_ram; i++)
		if (overlaps(&m->ram[i], start, end))
			return false;
	for (unsigned int i = 0; i < m->nr_other; i++)
		if (overlaps(&m->other[i], start, end))
			return false;
	for (unsigned int i = 0; i < nr_avoid; i++)
		if (overlaps(&avoid[i], start, end))
			return false;
	return true;
}

uint64_t pvh_find_hole(const struct pvh_memory *m, unsigned long pages, uint64_t below,
		       const struct pvh_range *avoid, unsigned int nr_avoid)
{
	uint64_t len = pages * PAGE, best = 0;

	/* A hole begins where something ends: try just after each range, lowest first. */
	for (unsigned int k = 0; k < m->nr_ram + m->nr_other + nr_avoid; k++) {
		const struct pvh_range *r = k < m->nr_ram ? &m->ram[k]
					    : k < m->nr_ram + m->nr_other
						    ? &m->other[k - m->nr_ram]
						    : &avoid[k - m->nr_ram - m->nr_other];
		uint64_t start = page_up(r->end);

		if (start == 0 || start > below || below - start < len)
			continue;
		if ((best == 0 || start < best) &&
		    hole_is_clear(m, start, start + len, avoid, nr_avoid))
			best = start;
	}
	return best;
}

int pvh_read_start_info(uint64_t start_info_pa, pvh_phys_fn phys, size_t cmdline_max,
			struct pvh_start *out, const char **why)
{
	const struct hvm_start_info *si = phys(start_info_pa, sizeof(*si));
	uint64_t si_size;

	*out = (struct pvh_start){0};
	if (!si) {
		*why = "hvm_start_info is not in mapped memory";
		return -EINVAL;
	}
	if (si->magic != XEN_HVM_START_MAGIC_VALUE) {
		*why = "hvm_start_info has the wrong magic";
		return -EINVAL;
	}
	out->version = si->version;
	/* Version 0 ends at rsdp_paddr: memmap_paddr is not there to read. */
	si_size = si->version >= 1 ? sizeof(*si) : offsetof(struct hvm_start_info, memmap_paddr);
	pvh_memory_use(&out->mem, start_info_pa, start_info_pa + si_size);

	if (si->cmdline_paddr) {
		const char *c = phys(si->cmdline_paddr, 1);
		size_t n = 0;

		/* Read it a byte at a time: its end is only known at its NUL. */
		while (c && n < cmdline_max && c[n] && phys(si->cmdline_paddr + n + 1, 1))
			n++;
		if (!c || n == cmdline_max || c[n]) {
			*why = "the command line is not NUL-terminated in mapped memory";
			return -EINVAL;
		}
		out->cmdline = c;
		pvh_memory_use(&out->mem, si->cmdline_paddr, si->cmdline_paddr + n + 1);
	}

	if (si->nr_modules) {
		const struct hvm_modlist_entry *mods;
		uint64_t bytes = (uint64_t)si->nr_modules * sizeof(*mods);

		mods = si->nr_modules <= 64 ? phys(si->modlist_paddr, bytes) : NULL;
		if (!mods) {
			*why = "the module list is not in mapped memory";
			return -EINVAL;
		}
		pvh_memory_use(&out->mem, si->modlist_paddr, si->modlist_paddr + bytes);
		for (uint32_t i = 0; i < si->nr_modules; i++) {
			if (!phys(mods[i].paddr, mods[i].size ? mods[i].size : 1)) {
				*why = "a module is not in mapped memory";
				return -EINVAL;
			}
			pvh_memory_use(&out->mem, mods[i].paddr, mods[i].paddr + mods[i].size);
		}
		out->module_pa = mods[0].paddr;
		out->module_size = mods[0].size;
	}

	if (si->version >= 1 && si->memmap_entries) {
		const struct hvm_memmap_table_entry *map;
		uint32_t n = si->memmap_entries;

		map = n <= 1024 ? phys(si->memmap_paddr, (uint64_t)n * sizeof(*map)) : NULL;
		if (!map) {
			*why = "the memory map is not in mapped memory";
			return -EINVAL;
		}
		pvh_memory_use(&out->mem, si->memmap_paddr, si->memmap_paddr + n * sizeof(*map));
		for (uint32_t i = 0; i < n; i++)
			pvh_memory_add(&out->mem, map[i].addr, map[i].size, map[i].type);
		out->have_map = true;
	}
	return 0;
}
