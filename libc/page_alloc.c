#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "libc/page_alloc.h"
#include "arch/upcalls.h"

#define BITS 64

static char *region;	     /* first page of the region */
static unsigned long total;  /* pages in the region */
static unsigned long nfree;  /* pages not in use */
static unsigned long lowest; /* no page below this index is free */
static uint64_t *bitmap;     /* bit i set: page i in use */

static bool used(unsigned long i)
{
	return bitmap[i / BITS] & (1ULL << (i % BITS));
}

static void mark(unsigned long first, unsigned long n, bool in_use)
{
	for (unsigned long i = first; i < first + n; i++) {
		if (in_use)
			bitmap[i / BITS] |= 1ULL << (i % BITS);
		else
			bitmap[i / BITS] &= ~(1ULL << (i % BITS));
	}
}

static unsigned long round_up(unsigned long v, unsigned long align)
{
	return (v + align - 1) / align * align;
}

void page_alloc_init(void *base, unsigned long npages)
{
	unsigned long bitmap_pages =
		round_up(round_up(npages, BITS) / 8, PAGE_ALLOC_SIZE) / PAGE_ALLOC_SIZE;

	region = base;
	total = npages;
	bitmap = base;
	memset(bitmap, 0, bitmap_pages * PAGE_ALLOC_SIZE);
	/* Pages past the end of the region, in the bitmap's last word, count as used. */
	for (unsigned long i = npages; i < round_up(npages, BITS); i++)
		bitmap[i / BITS] |= 1ULL << (i % BITS);
	mark(0, bitmap_pages, true);
	nfree = npages - bitmap_pages;
	lowest = bitmap_pages;
}

void page_alloc_reserve(void *p, unsigned long npages)
{
	char *start = p < (void *)region ? region : p;
	char *end = (char *)p + npages * PAGE_ALLOC_SIZE;

	if (end > region + total * PAGE_ALLOC_SIZE)
		end = region + total * PAGE_ALLOC_SIZE;
	for (char *a = start; a < end; a += PAGE_ALLOC_SIZE) {
		unsigned long i = (a - region) / PAGE_ALLOC_SIZE;

		if (!used(i)) {
			mark(i, 1, true);
			nfree--;
		}
	}
}

void *page_alloc_aligned(unsigned long npages, unsigned long align)
{
	unsigned long i;

	if (npages == 0 || npages > nfree || align == 0)
		return NULL;
	i = round_up(lowest, align);
	while (i + npages <= total) {
		unsigned long run = 0;

		if (i % BITS == 0 && bitmap[i / BITS] == UINT64_MAX) {
			i = round_up(i + BITS, align); /* a whole word in use: skip it */
			continue;
		}
		while (run < npages && !used(i + run))
			run++;
		if (run == npages) {
			mark(i, npages, true);
			nfree -= npages;
			if (i == lowest)
				lowest = i + npages;
			return region + i * PAGE_ALLOC_SIZE;
		}
		i = round_up(i + run + 1, align);
	}
	return NULL;
}

void *page_alloc(unsigned long npages)
{
	return page_alloc_aligned(npages, 1);
}

void page_free(void *p, unsigned long npages)
{
	unsigned long first = ((char *)p - region) / PAGE_ALLOC_SIZE;

	if ((char *)p < region || ((char *)p - region) % PAGE_ALLOC_SIZE || first + npages > total)
		panic("page_free(%p, %lu): not a run of this allocator", p, npages);
	for (unsigned long i = first; i < first + npages; i++)
		if (!used(i))
			panic("page_free(%p, %lu): page %lu is not in use", p, npages, i);
	mark(first, npages, false);
	nfree += npages;
	if (first < lowest)
		lowest = first;
}

unsigned long page_alloc_free_pages(void)
{
	return nfree;
}

unsigned long page_alloc_total_pages(void)
{
	return total;
}
