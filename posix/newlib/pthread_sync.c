/*
 * pthread mutexes, condition variables and read-write locks over Skiff's wait queues.
 *
 * Threads are cooperative on one vCPU (pthread.c), so an object's state changes only
 * in the thread that runs, and a wait is: test the state, sleep on the object's wait
 * queue, test again when woken. An unlock wakes a waiter rather than handing the lock
 * over; the waiter takes it if it is still free when it runs.
 *
 * Each object is a number in newlib's 32-bit type, made on first use when it holds a
 * static initializer (PTHREAD_MUTEX_INITIALIZER...) or 0 (zeroed memory, which a
 * program written for Linux takes as an initialized object). Errors are returned as
 * newlib's errno numbers.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>
#include <skiff/thread.h>
#include <skiff/time.h>

#include "posix/newlib/glue.h"

#define STATIC_INIT 0xFFFFFFFFu /* newlib's _PTHREAD_*_INITIALIZER, one value for all */

/* Made by an initializer, or a number to look up: the object, or NULL and *err set. */
static void *object(struct newlib_ids *ids, uint32_t *id, void *(*make)(void), int *err)
{
	void *obj;

	if (*id != 0 && *id != STATIC_INIT) {
		obj = newlib_id_get(ids, *id);
		if (!obj)
			*err = EINVAL; /* never made, or destroyed */
		return obj;
	}
	obj = make();
	if (!obj) {
		*err = ENOMEM;
		return NULL;
	}
	*id = newlib_id_add(ids, obj);
	if (!*id) {
		free(obj);
		*id = STATIC_INIT; /* a later call may still make it */
		*err = EAGAIN;
		return NULL;
	}
	return obj;
}

/* ---- time ------------------------------------------------------------------------- */

/* The kernel's deadline (monotonic_ns()) for abstime on clock; 0 and *err = EINVAL for a
 * malformed abstime. A time already past gives a deadline already past, never 0. */
static uint64_t deadline(clockid_t clock, const struct timespec *abstime, int *err)
{
	uint64_t now = clock == CLOCK_MONOTONIC ? monotonic_ns() : wallclock_ns(), at;

	if (!abstime || abstime->tv_nsec < 0 || abstime->tv_nsec >= (long)NSEC_PER_SEC) {
		*err = EINVAL;
		return 0;
	}
	if (abstime->tv_sec < 0)
		at = 0;
	else if ((uint64_t)abstime->tv_sec > (UINT64_MAX - NSEC_PER_SEC) / NSEC_PER_SEC)
		return UINT64_MAX; /* never */
	else
		at = (uint64_t)abstime->tv_sec * NSEC_PER_SEC + (uint64_t)abstime->tv_nsec;
	/* The realtime clock as a distance from now: a step of Xen's wallclock during the
	 * wait does not move it. */
	return at > now ? deadline_after_ns(at - now) : 1;
}

/* Sleep on wq until woken, or until the deadline (0: none): 0, or ETIMEDOUT once it
 * has passed. Woken or not, the caller tests its condition again. */
static int sleep_on(struct wait_queue *wq, uint64_t until)
{
	unsigned long flags;
	int rc;

	if (!until) {
		wait_queue_sleep(wq);
		return 0;
	}
	flags = wait_queue_lock();
	rc = wait_queue_sleep_until_locked(wq, until);
	wait_queue_unlock(flags);
	return rc ? ETIMEDOUT : 0;
}

/* ---- mutexes ---------------------------------------------------------------------- */

struct mutex {
	struct thread *owner;
	unsigned int depth; /* a recursive mutex's locks by its owner */
	int type;	    /* PTHREAD_MUTEX_DEFAULT is ERRORCHECK's checks */
	struct wait_queue waiters;
};

static struct newlib_ids mutexes;

static void *make_mutex(void)
{
	struct mutex *mx = calloc(1, sizeof(*mx));

	if (mx)
		mx->type = PTHREAD_MUTEX_DEFAULT;
	return mx;
}

static struct mutex *mutex_of(pthread_mutex_t *m, int *err)
{
	return object(&mutexes, m, make_mutex, err);
}

int pthread_mutexattr_init(pthread_mutexattr_t *attr)
{
	attr->is_initialized = 1;
	attr->type = PTHREAD_MUTEX_DEFAULT;
	attr->recursive = 0;
	return 0;
}

int pthread_mutexattr_destroy(pthread_mutexattr_t *attr)
{
	if (!attr->is_initialized)
		return EINVAL;
	attr->is_initialized = 0;
	return 0;
}

int pthread_mutexattr_settype(pthread_mutexattr_t *attr, int type)
{
	if (!attr->is_initialized)
		return EINVAL;
	switch (type) {
	case PTHREAD_MUTEX_NORMAL:
	case PTHREAD_MUTEX_RECURSIVE:
	case PTHREAD_MUTEX_ERRORCHECK:
	case PTHREAD_MUTEX_DEFAULT:
		attr->type = type;
		attr->recursive = type == PTHREAD_MUTEX_RECURSIVE;
		return 0;
	}
	return EINVAL;
}

int pthread_mutexattr_gettype(const pthread_mutexattr_t *attr, int *type)
{
	if (!attr->is_initialized)
		return EINVAL;
	*type = attr->type;
	return 0;
}

int pthread_mutex_init(pthread_mutex_t *m, const pthread_mutexattr_t *attr)
{
	struct mutex *mx;
	int err = 0;

	if (attr && !attr->is_initialized)
		return EINVAL;
	*m = STATIC_INIT; /* whatever it held: a new mutex */
	mx = mutex_of(m, &err);
	if (mx && attr)
		mx->type = attr->type;
	return err;
}

int pthread_mutex_destroy(pthread_mutex_t *m)
{
	struct mutex *mx;

	if (*m == 0 || *m == STATIC_INIT)
		return 0; /* never used: nothing was made */
	mx = newlib_id_get(&mutexes, *m);
	if (!mx)
		return EINVAL;
	if (mx->owner || mx->waiters.head)
		return EBUSY;
	newlib_id_remove(&mutexes, *m);
	free(mx);
	return 0;
}

/* abstime: a timed lock's end (CLOCK_REALTIME), checked only if it has to wait. */
static int mutex_lock(pthread_mutex_t *m, const struct timespec *abstime)
{
	struct thread *me = thread_self();
	int err = 0;
	struct mutex *mx = mutex_of(m, &err);
	uint64_t until = 0;

	if (!mx)
		return err;
	if (mx->owner == me) {
		if (mx->type == PTHREAD_MUTEX_RECURSIVE) {
			if (mx->depth == UINT_MAX)
				return EAGAIN;
			mx->depth++;
			return 0;
		}
		/* A normal mutex deadlocks, as POSIX has it: the wait below never ends. */
		if (mx->type != PTHREAD_MUTEX_NORMAL)
			return EDEADLK;
	}
	if (mx->owner && abstime) {
		until = deadline(CLOCK_REALTIME, abstime, &err);
		if (!until)
			return err;
	}
	while (mx->owner)
		if (sleep_on(&mx->waiters, until) && mx->owner)
			return ETIMEDOUT;
	mx->owner = me;
	mx->depth = 1;
	return 0;
}

int pthread_mutex_lock(pthread_mutex_t *m)
{
	return mutex_lock(m, NULL);
}

int pthread_mutex_timedlock(pthread_mutex_t *m, const struct timespec *abstime)
{
	return mutex_lock(m, abstime);
}

int pthread_mutex_trylock(pthread_mutex_t *m)
{
	int err = 0;
	struct mutex *mx = mutex_of(m, &err);

	if (!mx)
		return err;
	if (mx->owner == thread_self() && mx->type == PTHREAD_MUTEX_RECURSIVE)
		return mutex_lock(m, NULL);
	if (mx->owner)
		return EBUSY;
	mx->owner = thread_self();
	mx->depth = 1;
	return 0;
}

int pthread_mutex_unlock(pthread_mutex_t *m)
{
	int err = 0;
	struct mutex *mx = mutex_of(m, &err);

	if (!mx)
		return err;
	/* Every type checks: another's mutex (or a free one) is not the caller's to free. */
	if (mx->owner != thread_self())
		return EPERM;
	if (--mx->depth == 0) {
		mx->owner = NULL;
		wait_queue_wake_one(&mx->waiters);
	}
	return 0;
}

/* ---- condition variables ---------------------------------------------------------- */

/* One waiting thread, on its own stack: a signal wakes exactly the first of them, and
 * the waiter knows whether it was signalled even when its deadline came too. */
struct cond_waiter {
	struct cond_waiter *next;
	struct wait_queue wq;
	bool woken;
};

struct cond {
	struct cond_waiter *head, *tail;
	clockid_t clock; /* of a timed wait's abstime */
};

static struct newlib_ids conds;

static void *make_cond(void)
{
	struct cond *cv = calloc(1, sizeof(*cv));

	if (cv)
		cv->clock = CLOCK_REALTIME;
	return cv;
}

int pthread_condattr_init(pthread_condattr_t *attr)
{
	attr->is_initialized = 1;
	attr->clock = CLOCK_REALTIME;
	return 0;
}

int pthread_condattr_destroy(pthread_condattr_t *attr)
{
	if (!attr->is_initialized)
		return EINVAL;
	attr->is_initialized = 0;
	return 0;
}

int pthread_condattr_setclock(pthread_condattr_t *attr, clockid_t clock)
{
	if (!attr->is_initialized || (clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC))
		return EINVAL;
	attr->clock = (clock_t)clock;
	return 0;
}

int pthread_condattr_getclock(const pthread_condattr_t *restrict attr, clockid_t *restrict clock)
{
	if (!attr->is_initialized)
		return EINVAL;
	*clock = (clockid_t)attr->clock;
	return 0;
}

int pthread_cond_init(pthread_cond_t *c, const pthread_condattr_t *attr)
{
	struct cond *cv;
	int err = 0;

	if (attr && !attr->is_initialized)
		return EINVAL;
	*c = STATIC_INIT;
	cv = object(&conds, c, make_cond, &err);
	if (cv && attr)
		cv->clock = (clockid_t)attr->clock;
	return err;
}

int pthread_cond_destroy(pthread_cond_t *c)
{
	struct cond *cv;

	if (*c == 0 || *c == STATIC_INIT)
		return 0;
	cv = newlib_id_get(&conds, *c);
	if (!cv)
		return EINVAL;
	if (cv->head)
		return EBUSY;
	newlib_id_remove(&conds, *c);
	free(cv);
	return 0;
}

static int cond_wait_until(pthread_cond_t *c, pthread_mutex_t *m, const struct timespec *abstime)
{
	struct thread *me = thread_self();
	int err = 0;
	struct cond *cv = object(&conds, c, make_cond, &err);
	struct mutex *mx = cv ? mutex_of(m, &err) : NULL;
	struct cond_waiter w = {.next = NULL, .woken = false};
	uint64_t until = 0;
	unsigned int depth;
	unsigned long flags;

	if (!mx)
		return err;
	if (mx->owner != me)
		return EPERM;
	if (abstime) {
		until = deadline(cv->clock, abstime, &err);
		if (!until)
			return err;
	}
	wait_queue_init(&w.wq);
	if (cv->tail)
		cv->tail->next = &w;
	else
		cv->head = &w;
	cv->tail = &w;
	/* Release the mutex (all of a recursive one's locks) and sleep: nothing runs in
	 * between, so a signal cannot come in the gap and be lost. */
	depth = mx->depth;
	mx->owner = NULL;
	mx->depth = 0;
	wait_queue_wake_one(&mx->waiters);
	flags = wait_queue_lock();
	while (!w.woken) {
		if (!until)
			wait_queue_sleep_locked(&w.wq);
		else if (wait_queue_sleep_until_locked(&w.wq, until))
			break;
	}
	wait_queue_unlock(flags);
	if (!w.woken) {
		/* Timed out: out of the list (a signal takes only waiters still in it). */
		struct cond_waiter **p = &cv->head, *prev = NULL;

		while (*p != &w) {
			prev = *p;
			p = &(*p)->next;
		}
		*p = w.next;
		if (cv->tail == &w)
			cv->tail = prev;
		err = ETIMEDOUT;
	}
	/* The mutex again, as it was held, whatever its type. */
	while (mx->owner)
		wait_queue_sleep(&mx->waiters);
	mx->owner = me;
	mx->depth = depth;
	return err;
}

int pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m)
{
	return cond_wait_until(c, m, NULL);
}

int pthread_cond_timedwait(pthread_cond_t *c, pthread_mutex_t *m, const struct timespec *abstime)
{
	if (!abstime)
		return EINVAL;
	return cond_wait_until(c, m, abstime);
}

static int cond_wake(pthread_cond_t *c, bool all)
{
	int err = 0;
	struct cond *cv = object(&conds, c, make_cond, &err);

	if (!cv)
		return err;
	while (cv->head) {
		struct cond_waiter *w = cv->head;

		cv->head = w->next;
		if (!cv->head)
			cv->tail = NULL;
		w->woken = true;
		wait_queue_wake_one(&w->wq);
		if (!all)
			break;
	}
	return 0;
}

int pthread_cond_signal(pthread_cond_t *c)
{
	return cond_wake(c, false);
}

int pthread_cond_broadcast(pthread_cond_t *c)
{
	return cond_wake(c, true);
}

/* ---- read-write locks --------------------------------------------------------------- */

/*
 * Readers first: a reader takes the lock whenever no writer holds it, so a thread may
 * take it for reading again while a writer waits (POSIX lets a thread hold several read
 * locks), and a steady stream of readers can keep a writer waiting.
 */
struct rwlock {
	unsigned int readers;
	struct thread *writer;
	struct wait_queue waiters; /* readers and writers: each tests again when woken */
};

static struct newlib_ids rwlocks;

static void *make_rwlock(void)
{
	return calloc(1, sizeof(struct rwlock));
}

static struct rwlock *rwlock_of(pthread_rwlock_t *l, int *err)
{
	return object(&rwlocks, l, make_rwlock, err);
}

int pthread_rwlockattr_init(pthread_rwlockattr_t *attr)
{
	attr->is_initialized = 1;
	return 0;
}

int pthread_rwlockattr_destroy(pthread_rwlockattr_t *attr)
{
	if (!attr->is_initialized)
		return EINVAL;
	attr->is_initialized = 0;
	return 0;
}

int pthread_rwlock_init(pthread_rwlock_t *l, const pthread_rwlockattr_t *attr)
{
	int err = 0;

	if (attr && !attr->is_initialized)
		return EINVAL;
	*l = STATIC_INIT;
	rwlock_of(l, &err);
	return err;
}

int pthread_rwlock_destroy(pthread_rwlock_t *l)
{
	struct rwlock *rw;

	if (*l == 0 || *l == STATIC_INIT)
		return 0;
	rw = newlib_id_get(&rwlocks, *l);
	if (!rw)
		return EINVAL;
	if (rw->readers || rw->writer || rw->waiters.head)
		return EBUSY;
	newlib_id_remove(&rwlocks, *l);
	free(rw);
	return 0;
}

/* try: EBUSY rather than wait; abstime: a timed wait's end (CLOCK_REALTIME). */
static int rdlock(pthread_rwlock_t *l, bool try, const struct timespec *abstime)
{
	int err = 0;
	struct rwlock *rw = rwlock_of(l, &err);
	uint64_t until = 0;

	if (!rw)
		return err;
	if (rw->writer == thread_self())
		return EDEADLK;
	if (rw->readers == UINT_MAX)
		return EAGAIN;
	if (rw->writer && try)
		return EBUSY;
	if (rw->writer && abstime) {
		until = deadline(CLOCK_REALTIME, abstime, &err);
		if (!until)
			return err;
	}
	while (rw->writer)
		if (sleep_on(&rw->waiters, until) && rw->writer)
			return ETIMEDOUT;
	rw->readers++;
	return 0;
}

static int wrlock(pthread_rwlock_t *l, bool try, const struct timespec *abstime)
{
	int err = 0;
	struct rwlock *rw = rwlock_of(l, &err);
	uint64_t until = 0;

	if (!rw)
		return err;
	if (rw->writer == thread_self())
		return EDEADLK;
	if ((rw->writer || rw->readers) && try)
		return EBUSY;
	if ((rw->writer || rw->readers) && abstime) {
		until = deadline(CLOCK_REALTIME, abstime, &err);
		if (!until)
			return err;
	}
	while (rw->writer || rw->readers)
		if (sleep_on(&rw->waiters, until) && (rw->writer || rw->readers))
			return ETIMEDOUT;
	rw->writer = thread_self();
	return 0;
}

int pthread_rwlock_rdlock(pthread_rwlock_t *l)
{
	return rdlock(l, false, NULL);
}

int pthread_rwlock_tryrdlock(pthread_rwlock_t *l)
{
	return rdlock(l, true, NULL);
}

int pthread_rwlock_timedrdlock(pthread_rwlock_t *l, const struct timespec *abstime)
{
	return abstime ? rdlock(l, false, abstime) : EINVAL;
}

int pthread_rwlock_wrlock(pthread_rwlock_t *l)
{
	return wrlock(l, false, NULL);
}

int pthread_rwlock_trywrlock(pthread_rwlock_t *l)
{
	return wrlock(l, true, NULL);
}

int pthread_rwlock_timedwrlock(pthread_rwlock_t *l, const struct timespec *abstime)
{
	return abstime ? wrlock(l, false, abstime) : EINVAL;
}

/* The read locks are a count, not owned by a thread: an unlock with readers in is
 * taken as one of theirs. */
int pthread_rwlock_unlock(pthread_rwlock_t *l)
{
	int err = 0;
	struct rwlock *rw = rwlock_of(l, &err);

	if (!rw)
		return err;
	if (rw->writer) {
		if (rw->writer != thread_self())
			return EPERM;
		rw->writer = NULL;
	} else if (rw->readers) {
		if (--rw->readers)
			return 0;
	} else {
		return EPERM; /* nobody holds it */
	}
	wait_queue_wake_all(&rw->waiters);
	return 0;
}
