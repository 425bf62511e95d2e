/*
 * The page allocator: hands out runs of contiguous 4 KiB pages from one region of
 * memory (in a guest, the RAM left after the page tables; pages inside it that hold
 * something, like a PVH guest's image, are reserved). A bitmap at
 * the start of the region has one bit per page, set while the page is in use.
 */
#ifndef LIB_PAGE_ALLOC_H
#define LIB_PAGE_ALLOC_H

#include <stddef.h>

#define PAGE_ALLOC_SIZE 4096UL

/* base must be page-aligned; the bitmap takes the first pages of the region. */
void page_alloc_init(void *base, unsigned long npages);
/* Mark pages of the region that are not free after all (the part outside it is ignored). */
void page_alloc_reserve(void *p, unsigned long npages);
/* npages contiguous pages, or NULL. The contents are not zeroed. */
void *page_alloc(unsigned long npages);
/* The same, starting at a multiple of align_pages pages from the region's start. */
void *page_alloc_aligned(unsigned long npages, unsigned long align_pages);
/* Give back a run obtained from page_alloc (freeing pages not in use panics). */
void page_free(void *p, unsigned long npages);
unsigned long page_alloc_free_pages(void);
unsigned long page_alloc_total_pages(void);

#endif
