/*
 * Cooperative threads. A thread runs until it blocks, sleeps, yields or exits; only
 * then does another run. There is one vCPU's worth of threads and no preemption, so
 * data shared between threads needs no lock; data shared with event handlers does
 * (see events_save_disable()).
 */
#ifndef SKIFF_THREAD_H
#define SKIFF_THREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <skiff/time.h>

struct thread;

/* Each thread gets a 16 KiB stack with an unmapped guard page below it. */
#define THREAD_STACK_SIZE (16 * 1024)
/* The most thread_create_stack() gives (an interpreter's main thread wants 256 KiB). */
#define THREAD_STACK_MAX (16 * 1024 * 1024)

/* Start fn(arg) in a new thread; NULL if memory ran out. name is copied. */
struct thread *thread_create(const char *name, int (*fn)(void *), void *arg);
/* The same with a stack of stack_size bytes (rounded up to pages; at least
 * THREAD_STACK_SIZE); NULL if memory ran out or stack_size is above THREAD_STACK_MAX. */
struct thread *thread_create_stack(const char *name, int (*fn)(void *), void *arg,
				   size_t stack_size);
/*
 * Wait for t to end, store what fn returned (or thread_exit's code), free t: 0, or
 * -EDEADLK (t is the calling thread), -EINVAL (t is detached, or another thread joins it).
 */
int thread_join(struct thread *t, int *exit_code);
/* Nobody will join t: free it as soon as it ends. 0, or -EINVAL (detached or joined). */
int thread_detach(struct thread *t);
/* End the calling thread. */
void thread_exit(int code) __attribute__((noreturn));
/* Let every other runnable thread run once. */
void thread_yield(void);
struct thread *thread_self(void);
const char *thread_name(const struct thread *t);

/* A list of threads waiting for something; wake it from a thread or an event handler. */
struct wait_queue {
	struct thread *head, *tail;
};
#define WAIT_QUEUE_INIT                                                                            \
	{                                                                                          \
		0, 0                                                                               \
	}
void wait_queue_init(struct wait_queue *wq);
/* Sleep until woken. Use wait_event() to wait for a condition without losing wake-ups. */
void wait_queue_sleep(struct wait_queue *wq);
void wait_queue_wake_one(struct wait_queue *wq);
void wait_queue_wake_all(struct wait_queue *wq);

/* For wait_event(): the caller holds events disabled between testing and sleeping. */
unsigned long wait_queue_lock(void);
void wait_queue_unlock(unsigned long flags);
void wait_queue_sleep_locked(struct wait_queue *wq);
/* The same, but also woken at system time deadline_ns: 0, or -ETIMEDOUT once it passed. */
int wait_queue_sleep_until_locked(struct wait_queue *wq, uint64_t deadline_ns);

/*
 * Sleep on wq until cond is true. cond is tested with events disabled, so a wake-up
 * from an event handler between the test and the sleep is not lost.
 */
#define wait_event(wq, cond)                                                                       \
	do {                                                                                       \
		unsigned long __flags = wait_queue_lock();                                         \
		while (!(cond))                                                                    \
			wait_queue_sleep_locked(wq);                                               \
		wait_queue_unlock(__flags);                                                        \
	} while (0)

/*
 * wait_event() that gives up after timeout_ns. Evaluates to true if cond became true,
 * false on timeout. Drivers use it so that a dead backend cannot hang a thread.
 */
#define wait_event_timeout(wq, cond, timeout_ns)                                                   \
	({                                                                                         \
		unsigned long __flags = wait_queue_lock();                                         \
		uint64_t __deadline = deadline_after_ns(timeout_ns);                               \
		bool __ok;                                                                         \
		while (!(__ok = (cond)) && wait_queue_sleep_until_locked(wq, __deadline) == 0)     \
			;                                                                          \
		if (!__ok)                                                                         \
			__ok = (cond); /* it may have come true just at the deadline */            \
		wait_queue_unlock(__flags);                                                        \
		__ok;                                                                              \
	})

#endif
