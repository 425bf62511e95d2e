/* Set-up of malloc (lib/malloc.c); the functions themselves are in <stdlib.h>. */
#ifndef LIB_MALLOC_H
#define LIB_MALLOC_H

/* Start with empty free lists, over a page allocator that page_alloc_init() set up. */
void malloc_init(void);

#endif
