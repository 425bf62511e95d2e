/*
 * newlib's locks (it is built with retargetable locking): stdio, atexit, the
 * environment and the time zone take these around their shared state. Threads are
 * cooperative on one vCPU, so a lock only matters across a call that can block (a
 * write to a full console ring, a disk read): the holder keeps it while it waits and
 * other threads wait on the lock's queue.
 */
#include <stdlib.h>
#include <sys/lock.h>
#include <skiff/thread.h>

struct __lock {
	struct thread *owner;
	unsigned int depth; /* recursive acquisitions by owner */
	struct wait_queue waiters;
};

/* The locks newlib's code names. */
struct __lock __lock___sinit_recursive_mutex, __lock___sfp_recursive_mutex,
	__lock___atexit_recursive_mutex, __lock___at_quick_exit_mutex,
	__lock___malloc_recursive_mutex, __lock___env_recursive_mutex, __lock___tz_mutex,
	__lock___dd_hash_mutex, __lock___arc4random_mutex;

static void lock_take(struct __lock *l)
{
	struct thread *me = thread_self();

	while (l->owner && l->owner != me)
		wait_queue_sleep(&l->waiters);
	l->owner = me;
	l->depth++;
}

static int lock_try(struct __lock *l)
{
	if (l->owner && l->owner != thread_self())
		return 0;
	lock_take(l);
	return 1;
}

static void lock_give(struct __lock *l)
{
	if (l->owner != thread_self() || !l->depth)
		return; /* not ours: a bug of the caller, not a reason to corrupt the lock */
	if (--l->depth == 0) {
		l->owner = NULL;
		wait_queue_wake_one(&l->waiters);
	}
}

void __retarget_lock_init(_LOCK_T *lock)
{
	*lock = calloc(1, sizeof(**lock));
}

void __retarget_lock_init_recursive(_LOCK_T *lock)
{
	*lock = calloc(1, sizeof(**lock));
}

void __retarget_lock_close(_LOCK_T lock)
{
	free(lock);
}

void __retarget_lock_close_recursive(_LOCK_T lock)
{
	free(lock);
}

/* A lock that could not be allocated (NULL) protects nothing: one vCPU, cooperative. */
void __retarget_lock_acquire(_LOCK_T lock)
{
	if (lock)
		lock_take(lock);
}

void __retarget_lock_acquire_recursive(_LOCK_T lock)
{
	if (lock)
		lock_take(lock);
}

int __retarget_lock_try_acquire(_LOCK_T lock)
{
	return lock ? lock_try(lock) : 1;
}

int __retarget_lock_try_acquire_recursive(_LOCK_T lock)
{
	return lock ? lock_try(lock) : 1;
}

void __retarget_lock_release(_LOCK_T lock)
{
	if (lock)
		lock_give(lock);
}

void __retarget_lock_release_recursive(_LOCK_T lock)
{
	if (lock)
		lock_give(lock);
}
