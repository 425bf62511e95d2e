/*
 * What a C library layered over Skiff's threads needs of them (posix/: newlib's
 * per-thread struct _reent, later pthread keys): one pointer of its own per thread,
 * NULL in a new thread, and a function the exiting thread runs on it.
 */
#ifndef KERNEL_THREAD_LIBC_H
#define KERNEL_THREAD_LIBC_H

/* The calling thread's pointer. */
void *thread_libc_data(void);
/* Set it; free_fn(data), if not NULL, runs in the thread when it exits. */
void thread_set_libc_data(void *data, void (*free_fn)(void *data));

#endif
