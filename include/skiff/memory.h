/* What the appliance's memory holds now: for a test, or /stats, to compare before and
 * after a device comes and goes (kernel/memory_info.c). */
#ifndef SKIFF_MEMORY_H
#define SKIFF_MEMORY_H

#include <stdbool.h>

struct skiff_memory_info {
	unsigned long free_pages, total_pages; /* 4 KiB pages, the page allocator's */
	/* malloc keeps the pages it cut into small blocks (free_pages + malloc_pages is
	 * what a device that came and went must leave as it was), and counts the blocks
	 * handed out and not freed. */
	unsigned long malloc_pages, malloc_blocks;
	unsigned int grants_in_use; /* grant entries granted to any domain */
	/* Pages freed while a backend still mapped them: kept from use until it unmaps
	 * them (then freed; this call frees those it has let go of first). */
	unsigned int pages_held_by_backends;
};

void skiff_memory_info(struct skiff_memory_info *info);
/* Two readings hold the same memory (malloc's pages counted as free: it keeps them). */
bool skiff_memory_same(const struct skiff_memory_info *a, const struct skiff_memory_info *b);

#endif
