/*
 * newlib's allocation calls land on Skiff's allocator (libc/malloc.c): one heap, no
 * sbrk arena. newlib is built with MALLOC_PROVIDED, so it has no allocator of its own:
 * a program's malloc() is Skiff's, and newlib's own code calls these.
 */
#include <errno.h>
#include <malloc.h>
#include <reent.h>
#include <stdlib.h>
#include <string.h>

static void *check(struct _reent *r, void *p)
{
	if (!p)
		r->_errno = ENOMEM;
	return p;
}

void *_malloc_r(struct _reent *r, size_t size)
{
	return check(r, malloc(size));
}

void _free_r(struct _reent *r, void *p)
{
	free(p);
}

void *_realloc_r(struct _reent *r, void *p, size_t size)
{
	return check(r, realloc(p, size));
}

void *_calloc_r(struct _reent *r, size_t n, size_t size)
{
	return check(r, calloc(n, size));
}

void *_memalign_r(struct _reent *r, size_t align, size_t size)
{
	return check(r, aligned_alloc(align, size));
}

void *memalign(size_t align, size_t size)
{
	return _memalign_r(_REENT, align, size);
}

int posix_memalign(void **out, size_t align, size_t size)
{
	void *p;

	if (align < sizeof(void *) || (align & (align - 1)))
		return EINVAL;
	p = aligned_alloc(align, size);
	if (!p)
		return ENOMEM;
	*out = p;
	return 0;
}
