/*
 * skiff_memory_info() (include/skiff/memory.h): how many pages the page allocator has
 * free, what malloc holds, how many grant entries are in use and how many pages backends
 * still map, now; skiff_memory_same() says whether two such readings hold the same
 * memory. A device that comes and goes must leave them so; the hostile and soak tests
 * compare them.
 */
#include <stdbool.h>
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

/* A page malloc took for small blocks is kept by it, not lost: free pages and malloc's
 * pages are compared summed. */
bool skiff_memory_same(const struct skiff_memory_info *a, const struct skiff_memory_info *b)
{
	return a->free_pages + a->malloc_pages == b->free_pages + b->malloc_pages &&
	       a->malloc_blocks == b->malloc_blocks && a->grants_in_use == b->grants_in_use &&
	       a->pages_held_by_backends == b->pages_held_by_backends;
}
