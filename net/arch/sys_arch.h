/*
 * lwIP's OS primitives over Skiff's cooperative threads (lwip/sys.h says what each
 * must do). Semaphores, mutexes and mailboxes are wait queues plus a counter; they are
 * only used by threads, never by event handlers, so they need no lock of their own.
 */
#ifndef SKIFF_LWIP_ARCH_SYS_ARCH_H
#define SKIFF_LWIP_ARCH_SYS_ARCH_H

#include <stdbool.h>
#include <skiff/thread.h>

typedef struct sys_sem {
	struct wait_queue wq;
	unsigned int count;
	bool valid;
} sys_sem_t;

typedef struct sys_mutex {
	struct wait_queue wq;
	struct thread *owner; /* NULL: unlocked */
	bool valid;
} sys_mutex_t;

/* A ring of messages; lwIP passes it by pointer, so the wait queues never move. */
typedef struct sys_mbox {
	struct wait_queue not_empty, not_full;
	void **msgs; /* NULL: invalid */
	unsigned int size, head, count;
} sys_mbox_t;

typedef struct thread *sys_thread_t;

/*
 * No lock around lwIP's short critical sections (pbuf and pool lists, socket events):
 * a thread is never preempted by another, none of them blocks inside one, and event
 * handlers never call lwIP, so nothing can run in the middle of one.
 */
#define SYS_ARCH_DECL_PROTECT(lev)
#define SYS_ARCH_PROTECT(lev)
#define SYS_ARCH_UNPROTECT(lev)

#endif
