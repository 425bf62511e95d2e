/*
 * What a C library layered over Skiff's threads needs of them (posix/newlib: a struct
 * of its own per thread, holding the struct _reent and the pthread keys' values): one
 * pointer per thread, NULL in a new thread, and a function the exiting thread runs on
 * it.
 */
#ifndef KERNEL_THREAD_LIBC_H
#define KERNEL_THREAD_LIBC_H

/* The calling thread's pointer. */
void *thread_libc_data(void);
/* Set it; free_fn(data), if not NULL, runs in the thread when it exits, with data still
 * the thread's pointer (free_fn may call code that asks for it); then it is NULL. */
void thread_set_libc_data(void *data, void (*free_fn)(void *data));

#endif
