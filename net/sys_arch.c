/*
 * lwIP's sys_arch layer on Skiff: semaphores, mutexes and mailboxes on wait queues,
 * threads on thread_create(), time from Xen's clock. lwIP only calls these from
 * threads (netfront hands received frames over in its own thread, not in an event
 * handler), and threads are cooperative: a test and the update after it cannot be
 * separated by another thread unless the code in between waits.
 *
 * Timeouts are in milliseconds; 0 means "wait for ever". The waits return the
 * milliseconds spent waiting, or SYS_ARCH_TIMEOUT.
 */
#include <stdlib.h>
#include <skiff/thread.h>
#include <skiff/time.h>

#include "arch/upcalls.h"
#include "lwip/opt.h"
#include "lwip/sys.h"
#include "lwip/tcpip.h"

int errno;

void skiff_lwip_assert(const char *msg, const char *file, int line)
{
	panic("lwIP: assertion \"%s\" failed at %s:%d", msg, file, line);
}

/* xorshift64*: enough for DHCP xids, DNS ids and port numbers, not for secrets. */
static uint64_t rand_state;

unsigned int skiff_lwip_rand(void)
{
	if (!rand_state)
		rand_state = monotonic_ns() | 1;
	rand_state ^= rand_state >> 12;
	rand_state ^= rand_state << 25;
	rand_state ^= rand_state >> 27;
	return (unsigned int)((rand_state * 0x2545F4914F6CDD1DULL) >> 32);
}

void sys_init(void)
{
}

u32_t sys_now(void)
{
	return (u32_t)(monotonic_ns() / NSEC_PER_MSEC); /* lwIP only looks at differences */
}

/* Milliseconds since start, never SYS_ARCH_TIMEOUT itself. */
static u32_t ms_since(uint64_t start)
{
	uint64_t ms = (monotonic_ns() - start) / NSEC_PER_MSEC;

	return ms < SYS_ARCH_TIMEOUT ? (u32_t)ms : SYS_ARCH_TIMEOUT - 1;
}

/*
 * Wait on wq for cond; false if timeout_ms (0: none) passed first. wait_event()
 * re-tests cond after every wake-up, so a wake-up taken by another thread is harmless.
 */
#define WAIT(wq, cond, timeout_ms)                                                                 \
	({                                                                                         \
		bool __ok = true;                                                                  \
		if ((timeout_ms) == 0)                                                             \
			wait_event(wq, cond);                                                      \
		else                                                                               \
			__ok = wait_event_timeout(wq, cond, (timeout_ms)*NSEC_PER_MSEC);           \
		__ok;                                                                              \
	})

/* Semaphores */

err_t sys_sem_new(sys_sem_t *sem, u8_t count)
{
	wait_queue_init(&sem->wq);
	sem->count = count;
	sem->valid = true;
	return ERR_OK;
}

void sys_sem_signal(sys_sem_t *sem)
{
	sem->count++;
	wait_queue_wake_one(&sem->wq);
}

u32_t sys_arch_sem_wait(sys_sem_t *sem, u32_t timeout)
{
	uint64_t start = monotonic_ns();

	if (!WAIT(&sem->wq, sem->count > 0, timeout))
		return SYS_ARCH_TIMEOUT;
	sem->count--;
	return ms_since(start);
}

void sys_sem_free(sys_sem_t *sem)
{
	LWIP_ASSERT("sys_sem_free: a thread still waits", !sem->wq.head);
	sem->valid = false;
}

int sys_sem_valid(sys_sem_t *sem)
{
	return sem->valid;
}

void sys_sem_set_invalid(sys_sem_t *sem)
{
	sem->valid = false;
}

/* Mutexes: the owner is kept for sys_check_core_locking(). Not recursive. */

err_t sys_mutex_new(sys_mutex_t *mutex)
{
	wait_queue_init(&mutex->wq);
	mutex->owner = NULL;
	mutex->valid = true;
	return ERR_OK;
}

void sys_mutex_lock(sys_mutex_t *mutex)
{
	LWIP_ASSERT("sys_mutex_lock: already held by this thread", mutex->owner != thread_self());
	wait_event(&mutex->wq, !mutex->owner);
	mutex->owner = thread_self();
}

void sys_mutex_unlock(sys_mutex_t *mutex)
{
	LWIP_ASSERT("sys_mutex_unlock: not the owner", mutex->owner == thread_self());
	mutex->owner = NULL;
	wait_queue_wake_one(&mutex->wq);
}

void sys_mutex_free(sys_mutex_t *mutex)
{
	mutex->valid = false;
}

int sys_mutex_valid(sys_mutex_t *mutex)
{
	return mutex->valid;
}

void sys_mutex_set_invalid(sys_mutex_t *mutex)
{
	mutex->valid = false;
}

/* Mailboxes: a ring of size pointers; posting waits while it is full. */

err_t sys_mbox_new(sys_mbox_t *mbox, int size)
{
	if (size <= 0)
		size = 16; /* an *MBOX_SIZE left at lwIP's default of 0 */
	mbox->msgs = calloc(size, sizeof(void *));
	if (!mbox->msgs)
		return ERR_MEM;
	wait_queue_init(&mbox->not_empty);
	wait_queue_init(&mbox->not_full);
	mbox->size = size;
	mbox->head = mbox->count = 0;
	return ERR_OK;
}

static void mbox_put(sys_mbox_t *mbox, void *msg)
{
	mbox->msgs[(mbox->head + mbox->count) % mbox->size] = msg;
	mbox->count++;
	wait_queue_wake_one(&mbox->not_empty);
}

void sys_mbox_post(sys_mbox_t *mbox, void *msg)
{
	wait_event(&mbox->not_full, mbox->count < mbox->size);
	mbox_put(mbox, msg);
}

err_t sys_mbox_trypost(sys_mbox_t *mbox, void *msg)
{
	if (mbox->count == mbox->size)
		return ERR_MEM;
	mbox_put(mbox, msg);
	return ERR_OK;
}

/* Nothing posts from an event handler; the same as sys_mbox_trypost(). */
err_t sys_mbox_trypost_fromisr(sys_mbox_t *mbox, void *msg)
{
	return sys_mbox_trypost(mbox, msg);
}

static void mbox_get(sys_mbox_t *mbox, void **msg)
{
	void *m = mbox->msgs[mbox->head];

	mbox->head = (mbox->head + 1) % mbox->size;
	mbox->count--;
	if (msg)
		*msg = m;
	wait_queue_wake_one(&mbox->not_full);
}

u32_t sys_arch_mbox_fetch(sys_mbox_t *mbox, void **msg, u32_t timeout)
{
	uint64_t start = monotonic_ns();

	if (!WAIT(&mbox->not_empty, mbox->count > 0, timeout))
		return SYS_ARCH_TIMEOUT;
	mbox_get(mbox, msg);
	return ms_since(start);
}

u32_t sys_arch_mbox_tryfetch(sys_mbox_t *mbox, void **msg)
{
	if (mbox->count == 0)
		return SYS_MBOX_EMPTY;
	mbox_get(mbox, msg);
	return 0;
}

void sys_mbox_free(sys_mbox_t *mbox)
{
	LWIP_ASSERT("sys_mbox_free: a thread still waits",
		    !mbox->not_empty.head && !mbox->not_full.head);
	free(mbox->msgs);
	mbox->msgs = NULL;
}

int sys_mbox_valid(sys_mbox_t *mbox)
{
	return mbox->msgs != NULL;
}

void sys_mbox_set_invalid(sys_mbox_t *mbox)
{
	mbox->msgs = NULL;
}

/* Threads: thread_create() wants int fn(void *), lwIP gives void fn(void *). */

struct thread_start {
	lwip_thread_fn fn;
	void *arg;
};

static int thread_trampoline(void *p)
{
	struct thread_start start = *(struct thread_start *)p;

	free(p);
	start.fn(start.arg);
	return 0;
}

sys_thread_t sys_thread_new(const char *name, lwip_thread_fn fn, void *arg, int stacksize, int prio)
{
	struct thread_start *start = malloc(sizeof(*start));
	struct thread *t;

	/* lwIP requires this to succeed; every Skiff thread has a THREAD_STACK_SIZE stack. */
	LWIP_ASSERT("sys_thread_new: stack larger than a Skiff thread's",
		    stacksize <= THREAD_STACK_SIZE);
	if (!start)
		panic("lwIP: no memory for thread %s", name);
	start->fn = fn;
	start->arg = arg;
	t = thread_create(name, thread_trampoline, start);
	if (!t)
		panic("lwIP: cannot create thread %s", name);
	thread_detach(t);
	return t;
}

/* LWIP_ASSERT_CORE_LOCKED(): the raw API is only for the thread holding the core. */

static struct thread *tcpip_thread_id;

void sys_mark_tcpip_thread(void)
{
	tcpip_thread_id = thread_self();
}

void sys_check_core_locking(void)
{
	/* Before tcpip_init() has started its thread, the stack is still being set up. */
	if (tcpip_thread_id)
		LWIP_ASSERT("lwIP core used without LOCK_TCPIP_CORE()",
			    lock_tcpip_core.owner == thread_self());
}
