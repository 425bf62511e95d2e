/*
 * skiff_memory_info() (include/skiff/memory.h): how many pages the page allocator has free,
 * what malloc holds, and how many grant entries are in use, now. A device that comes and goes must
 * leave both as they were; the tests that break a disk on purpose compare them.
 */
#include <skiff/memory.h>

#include "libc/malloc.h"
#include "libc/page_alloc.h"
#include "xen/gnttab.h"

void skiff_memory_info(struct skiff_memory_info *info)
{
	struct malloc_counts m;

	/* Pages a backend kept mapped after we freed them, and has let go of since, come
	 * back first: what is left is what it still holds. */
	info->pages_held_by_backends = gnttab_reclaim();
	malloc_counts(&m);
	info->free_pages = page_alloc_free_pages();
	info->total_pages = page_alloc_total_pages();
	info->malloc_pages = m.small_pages;
	info->malloc_blocks = m.live_blocks;
	info->grants_in_use = gnttab_used();
}
