/* Between lib/boot.c and lib/thread.c. */
#ifndef LIB_THREAD_INTERNAL_H
#define LIB_THREAD_INTERNAL_H

/* Run fn(arg) as the "main" thread and leave the boot stack for good. */
void threads_start(int (*fn)(void *), void *arg) __attribute__((noreturn));

#endif
