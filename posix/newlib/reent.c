/*
 * The glue's per-thread state (struct newlib_thread, glue.h), behind the kernel's one
 * pointer per thread (kernel/thread_libc.h): newlib's struct _reent (errno, strtok's
 * place, rand's seed, ...) and the pthread side of the thread (its record, key values,
 * cleanup handlers). Made on the thread's first call that needs it and freed when the
 * thread exits. newlib is built with __DYNAMIC_REENT__, so _REENT is a call of
 * __getreent(). stdin, stdout and stderr are one set for all threads (newlib's global
 * stdio streams).
 */
#include <reent.h>
#include <signal.h>
#include <stdlib.h>

#include "kernel/thread_libc.h"
#include "posix/newlib/glue.h"

/* In the exiting thread, with nt still its own: the pthread side first (destructors
 * may print, or set errno), then newlib's state. */
static void free_thread(void *data)
{
	struct newlib_thread *nt = data;

	if (nt->pthread_end)
		nt->pthread_end(nt);
	if (nt->reent) {
		_reclaim_reent(nt->reent);
		free(nt->reent);
	}
	free(nt);
}

struct newlib_thread *newlib_thread_peek(void)
{
	return thread_libc_data();
}

void newlib_thread_install(struct newlib_thread *nt)
{
	thread_set_libc_data(nt, free_thread);
}

struct newlib_thread *newlib_thread(void)
{
	struct newlib_thread *nt = thread_libc_data();

	if (nt)
		return nt;
	nt = calloc(1, sizeof(*nt));
	if (nt)
		newlib_thread_install(nt);
	return nt;
}

struct _reent *__getreent(void)
{
	struct newlib_thread *nt = newlib_thread();
	struct _reent *r;

	if (nt && nt->reent)
		return nt->reent;
	r = nt ? malloc(sizeof(*r)) : NULL;
	if (!r)
		return _GLOBAL_REENT; /* no memory: share the global one, rather than fail */
	_REENT_INIT_PTR(r);
	/* Signal handlers are the process's, not a thread's (POSIX): newlib keeps them in
	 * each struct _reent, so every one points at the same table (SIG_DFL is 0). */
	{
		static _sig_func_ptr handlers[NSIG];

		_GLOBAL_REENT->_sig_func = handlers;
		r->_sig_func = handlers;
	}
	nt->reent = r;
	return r;
}
