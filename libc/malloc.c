/*
 * malloc and friends on top of the page allocator.
 *
 * Every block starts with a 16-byte header saying what it is, so free() needs no size
 * and can refuse pointers it never handed out. Blocks of up to 2 KiB come from
 * power-of-two size classes (32 B .. 2 KiB, header included), carved out of whole
 * pages and kept on one free list per class; their pages are not returned to the page
 * allocator. Larger blocks are runs of pages of their own, returned on free().
 *
 * Not for event handlers: it takes no lock, which is right for cooperative threads.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "libc/malloc.h"
#include "libc/page_alloc.h"
#include "arch/upcalls.h"

#define MAGIC	      0x5ca1ab1eU
#define HEADER	      16
#define NR_CLASSES    7 /* 32 << 0 .. 32 << 6 = 2048 */
#define CLASS_SIZE(c) (32UL << (c))

enum kind { SMALL = 1, LARGE, ALIGNED, FREED };

struct header {
	uint32_t magic;
	uint16_t kind;
	uint16_t class;
	uint64_t value; /* LARGE: pages; ALIGNED: bytes back to the block holding it */
};

struct free_block {
	struct header h;
	struct free_block *next;
};

static struct free_block *free_lists[NR_CLASSES];
static struct malloc_counts counts;

void malloc_init(void)
{
	memset(free_lists, 0, sizeof(free_lists));
	memset(&counts, 0, sizeof(counts));
}

void malloc_counts(struct malloc_counts *c)
{
	*c = counts;
}

static struct header *header_of(void *ptr)
{
	struct header *h = (struct header *)((char *)ptr - HEADER);

	if ((uintptr_t)ptr % 16 || h->magic != MAGIC)
		panic("free/realloc(%p): not a block from malloc", ptr);
	if (h->kind == FREED)
		panic("free/realloc(%p): block already freed", ptr);
	return h;
}

static bool refill(unsigned int c)
{
	char *page = page_alloc(1);

	if (!page)
		return false;
	counts.small_pages++;
	for (unsigned long off = 0; off + CLASS_SIZE(c) <= PAGE_ALLOC_SIZE; off += CLASS_SIZE(c)) {
		struct free_block *b = (struct free_block *)(page + off);

		b->h = (struct header){.magic = MAGIC, .kind = FREED, .class = c};
		b->next = free_lists[c];
		free_lists[c] = b;
	}
	return true;
}

void *malloc(size_t size)
{
	struct header *h;

	if (size > SIZE_MAX / 2)
		return NULL;
	if (size + HEADER <= CLASS_SIZE(NR_CLASSES - 1)) {
		unsigned int c = 0;

		while (CLASS_SIZE(c) < size + HEADER)
			c++;
		if (!free_lists[c] && !refill(c))
			return NULL;
		h = &free_lists[c]->h;
		free_lists[c] = free_lists[c]->next;
		*h = (struct header){.magic = MAGIC, .kind = SMALL, .class = c};
	} else {
		unsigned long pages = (size + HEADER + PAGE_ALLOC_SIZE - 1) / PAGE_ALLOC_SIZE;

		h = page_alloc(pages);
		if (!h)
			return NULL;
		*h = (struct header){.magic = MAGIC, .kind = LARGE, .value = pages};
	}
	counts.live_blocks++;
	return (char *)h + HEADER;
}

void free(void *ptr)
{
	struct header *h;

	if (!ptr)
		return;
	h = header_of(ptr);
	switch (h->kind) {
	case SMALL: {
		struct free_block *b = (struct free_block *)h;

		h->kind = FREED;
		b->next = free_lists[h->class];
		free_lists[h->class] = b;
		counts.live_blocks--;
		break;
	}
	case LARGE:
		h->kind = FREED;
		page_free(h, h->value);
		counts.live_blocks--;
		break;
	case ALIGNED:
		h->kind = FREED;
		free((char *)ptr - h->value);
		break;
	default:
		panic("free(%p): corrupt block header", ptr);
	}
}

/* Bytes the caller may use in the block at ptr. */
static size_t usable_size(void *ptr)
{
	struct header *h = header_of(ptr);

	if (h->kind == SMALL)
		return CLASS_SIZE(h->class) - HEADER;
	if (h->kind == LARGE)
		return h->value * PAGE_ALLOC_SIZE - HEADER;
	return usable_size((char *)ptr - h->value) - h->value;
}

void *calloc(size_t nmemb, size_t size)
{
	void *p;

	if (size && nmemb > SIZE_MAX / size)
		return NULL;
	p = malloc(nmemb * size);
	if (p)
		memset(p, 0, nmemb * size);
	return p;
}

void *realloc(void *ptr, size_t size)
{
	size_t have;
	void *p;

	if (!ptr)
		return malloc(size);
	if (size == 0) {
		free(ptr);
		return NULL;
	}
	have = usable_size(ptr);
	if (size <= have)
		return ptr;
	p = malloc(size);
	if (!p)
		return NULL; /* the old block stays valid, as C requires */
	memcpy(p, ptr, have);
	free(ptr);
	return p;
}

void *aligned_alloc(size_t alignment, size_t size)
{
	char *raw, *p;
	struct header *h;

	if (alignment == 0 || (alignment & (alignment - 1)) || size > SIZE_MAX / 2)
		return NULL;
	if (alignment <= HEADER)
		return malloc(size);
	/* Room to move forward to an aligned address that still has a header before it. */
	raw = malloc(size + alignment);
	if (!raw)
		return NULL;
	p = (char *)(((uintptr_t)raw + HEADER + alignment - 1) & ~(uintptr_t)(alignment - 1));
	h = (struct header *)(p - HEADER);
	*h = (struct header){.magic = MAGIC, .kind = ALIGNED, .value = (uint64_t)(p - raw)};
	return p;
}
