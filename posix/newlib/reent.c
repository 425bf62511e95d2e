/*
 * newlib's per-thread state: each thread's struct _reent (its errno, strtok's place,
 * rand's seed, ...), made on the thread's first call into newlib that needs it and
 * reclaimed when the thread exits. newlib is built with __DYNAMIC_REENT__, so _REENT
 * is a call of __getreent(). stdin, stdout and stderr are one set for all threads
 * (newlib's global stdio streams).
 */
#include <reent.h>
#include <stdlib.h>

#include "kernel/thread_libc.h"

static void free_reent(void *data)
{
	struct _reent *r = data;

	_reclaim_reent(r);
	free(r);
}

struct _reent *__getreent(void)
{
	struct _reent *r = thread_libc_data();

	if (r)
		return r;
	r = malloc(sizeof(*r));
	if (!r)
		return _GLOBAL_REENT; /* no memory: share the global one, rather than fail */
	_REENT_INIT_PTR(r);
	thread_set_libc_data(r, free_reent);
	return r;
}
