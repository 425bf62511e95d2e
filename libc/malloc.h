/* Set-up of malloc (lib/malloc.c); the functions themselves are in <stdlib.h>. */
#ifndef LIB_MALLOC_H
#define LIB_MALLOC_H

/* Start with empty free lists, over a page allocator that page_alloc_init() set up. */
void malloc_init(void);

/* What malloc holds now (for skiff_memory_info): the blocks handed out and not freed,
 * and the pages carved into small blocks, which it keeps whether in use or not. */
struct malloc_counts {
	unsigned long live_blocks;
	unsigned long small_pages;
};

void malloc_counts(struct malloc_counts *counts);

#endif
