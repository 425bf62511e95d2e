/*
 * Threads and the scheduler. The run queue and the sleep list are touched by event
 * handlers too (a wake-up), so every change to them happens with events disabled.
 *
 * schedule() runs on the stack of the thread giving up the CPU. When nothing is
 * runnable it stays there, idle: it arms Xen's one-shot timer for the first sleeper
 * and blocks the vCPU in Xen until an event arrives.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <skiff/thread.h>
#include <skiff/time.h>

#include <arch.h>
#include "libc/page_alloc.h"
#include "arch/upcalls.h"
#include "libc/printk.h"
#include "kernel/thread_internal.h"
#include "kernel/thread_libc.h"
#include "xen/events.h"
#include "xen/sched.h"
#include "xen/time.h"

enum state { RUNNABLE, BLOCKED, EXITED };

struct thread {
	struct arch_context ctx;
	char name[16];
	enum state state;
	int (*fn)(void *);
	void *arg;
	int exit_code;
	bool detached;
	bool joined; /* a thread waits in thread_join() to free it */
	char *stack; /* guard page, then stack_pages of stack; NULL for the boot thread */
	unsigned long stack_pages;
	void *libc_data; /* the C library's per-thread state (kernel/thread_libc.h) */
	void (*libc_data_free)(void *data);
	struct thread *next;	       /* in the run queue or a wait queue */
	struct thread *next_sleeper;   /* in the sleep list, while wake_at != 0 */
	struct wait_queue *waiting_on; /* the wait queue it sleeps on, if any */
	uint64_t wake_at;
	struct wait_queue joiners;
};

static struct thread boot_thread = {.name = "boot", .state = RUNNABLE};
static struct thread *current = &boot_thread;
static struct wait_queue run_queue;
static struct thread *sleepers; /* sorted by wake_at */
static struct thread *reap;	/* exited and detached: freed once off their stacks */

static void enqueue(struct wait_queue *q, struct thread *t)
{
	t->next = NULL;
	if (q->tail)
		q->tail->next = t;
	else
		q->head = t;
	q->tail = t;
}

static struct thread *dequeue(struct wait_queue *q)
{
	struct thread *t = q->head;

	if (t) {
		q->head = t->next;
		if (!q->head)
			q->tail = NULL;
		t->next = NULL;
		t->waiting_on = NULL;
	}
	return t;
}

/* Take t out of wait queue q wherever it is (its timeout came first). */
static void unlink_waiter(struct wait_queue *q, struct thread *t)
{
	struct thread *prev = NULL;

	for (struct thread *p = q->head; p; prev = p, p = p->next) {
		if (p != t)
			continue;
		if (prev)
			prev->next = t->next;
		else
			q->head = t->next;
		if (q->tail == t)
			q->tail = prev;
		t->next = NULL;
		t->waiting_on = NULL;
		return;
	}
}

static void add_sleeper(struct thread *t, uint64_t deadline)
{
	struct thread **p = &sleepers;

	t->wake_at = deadline;
	while (*p && (*p)->wake_at <= deadline)
		p = &(*p)->next_sleeper;
	t->next_sleeper = *p;
	*p = t;
}

static void remove_sleeper(struct thread *t)
{
	for (struct thread **p = &sleepers; *p; p = &(*p)->next_sleeper) {
		if (*p == t) {
			*p = t->next_sleeper;
			break;
		}
	}
	t->wake_at = 0;
}

/* Make t runnable. Events are disabled by the caller. */
static void make_runnable(struct thread *t)
{
	if (t->wake_at)
		remove_sleeper(t); /* woken before its timeout */
	if (t->state == BLOCKED) {
		t->state = RUNNABLE;
		enqueue(&run_queue, t);
	}
}

static void wake_sleepers(uint64_t now)
{
	while (sleepers && sleepers->wake_at <= now) {
		struct thread *t = sleepers;

		sleepers = t->next_sleeper;
		t->wake_at = 0;
		if (t->waiting_on)
			unlink_waiter(t->waiting_on, t); /* timed out */
		make_runnable(t);
	}
}

static void free_thread(struct thread *t)
{
	arch_page_unguard(t->stack);
	page_free(t->stack, t->stack_pages + 1);
	free(t);
}

/* Switch away from current, which has already been queued or blocked. Events disabled. */
static void schedule_locked(void)
{
	struct thread *prev = current, *next;

	for (;;) {
		wake_sleepers(monotonic_ns());
		next = dequeue(&run_queue);
		if (next)
			break;
		if (prev->state == RUNNABLE) {
			next = prev; /* nobody else: carry on */
			break;
		}
		/* Idle until an event (the timer's, if a thread sleeps) has been handled. */
		if (sleepers)
			timer_set_deadline(sleepers->wake_at);
		events_wait();
	}
	if (next == prev)
		return;
	current = next;
	arch_switch_to(&prev->ctx, &next->ctx);
	/* Back in prev, on its own stack: free detached threads that ended meanwhile. */
	while (reap) {
		struct thread *t = reap;

		reap = t->next;
		free_thread(t);
	}
}

unsigned long wait_queue_lock(void)
{
	return events_save_disable();
}

void wait_queue_unlock(unsigned long flags)
{
	events_restore(flags);
}

void wait_queue_init(struct wait_queue *wq)
{
	wq->head = wq->tail = NULL;
}

void wait_queue_sleep_locked(struct wait_queue *wq)
{
	current->state = BLOCKED;
	enqueue(wq, current);
	current->waiting_on = wq;
	schedule_locked();
}

int wait_queue_sleep_until_locked(struct wait_queue *wq, uint64_t deadline_ns)
{
	if (monotonic_ns() >= deadline_ns)
		return -ETIMEDOUT;
	add_sleeper(current, deadline_ns);
	wait_queue_sleep_locked(wq);
	return monotonic_ns() < deadline_ns ? 0 : -ETIMEDOUT;
}

void wait_queue_sleep(struct wait_queue *wq)
{
	unsigned long flags = events_save_disable();

	wait_queue_sleep_locked(wq);
	events_restore(flags);
}

void wait_queue_wake_one(struct wait_queue *wq)
{
	unsigned long flags = events_save_disable();
	struct thread *t = dequeue(wq);

	if (t)
		make_runnable(t);
	events_restore(flags);
}

void wait_queue_wake_all(struct wait_queue *wq)
{
	unsigned long flags = events_save_disable();
	struct thread *t;

	while ((t = dequeue(wq)))
		make_runnable(t);
	events_restore(flags);
}

void thread_yield(void)
{
	unsigned long flags = events_save_disable();

	/* A thread whose sleep has ended by now is runnable too: queue it before us. */
	wake_sleepers(monotonic_ns());
	enqueue(&run_queue, current); /* behind everyone already waiting */
	schedule_locked();
	events_restore(flags);
}

void sleep_ns(uint64_t ns)
{
	unsigned long flags = events_save_disable();

	add_sleeper(current, deadline_after_ns(ns));
	current->state = BLOCKED;
	schedule_locked();
	events_restore(flags);
}

void msleep(uint64_t ms)
{
	/* ms * 10^6 would wrap for huge ms and make "forever" a short nap. */
	sleep_ns(ms > UINT64_MAX / NSEC_PER_MSEC ? UINT64_MAX : ms * NSEC_PER_MSEC);
}

unsigned int sleep(unsigned int seconds)
{
	sleep_ns(seconds * NSEC_PER_SEC);
	return 0;
}

static void thread_main(void *arg)
{
	struct thread *t = arg;

	events_restore(0); /* a new thread starts with events enabled */
	thread_exit(t->fn(t->arg));
}

struct thread *thread_create(const char *name, int (*fn)(void *), void *arg)
{
	return thread_create_stack(name, fn, arg, THREAD_STACK_SIZE);
}

struct thread *thread_create_stack(const char *name, int (*fn)(void *), void *arg,
				   size_t stack_size)
{
	unsigned long pages = (stack_size + PAGE_SIZE - 1) / PAGE_SIZE;
	struct thread *t;
	unsigned long flags;

	if (pages < THREAD_STACK_SIZE / PAGE_SIZE)
		pages = THREAD_STACK_SIZE / PAGE_SIZE;
	if (pages > THREAD_STACK_MAX / PAGE_SIZE)
		return NULL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->stack_pages = pages;
	t->stack = page_alloc(pages + 1);
	if (!t->stack) {
		free(t);
		return NULL;
	}
	/* The lowest page stays unmapped: an overflow faults instead of corrupting memory. */
	if (arch_page_guard(t->stack))
		panic("thread %s: cannot unmap the stack guard page", name);
	strlcpy(t->name, name, sizeof(t->name));
	t->fn = fn;
	t->arg = arg;
	arch_context_init(&t->ctx, t->stack + (pages + 1) * PAGE_SIZE, thread_main, t);

	flags = events_save_disable();
	enqueue(&run_queue, t);
	events_restore(flags);
	return t;
}

void thread_exit(int code)
{
	struct thread *t = current;

	/* The C library's state goes first, while the thread can still run code (newlib
	 * closes what the thread's state holds; pthread key destructors run, and they may
	 * call into the C library). The pointer stays the thread's while its function runs,
	 * so such a call finds the state it is tearing down rather than making a new one
	 * nobody would free. */
	if (t->libc_data_free && t->libc_data) {
		t->libc_data_free(t->libc_data);
		t->libc_data = NULL;
	}
	events_save_disable();
	t->exit_code = code;
	t->state = EXITED;
	while (t->joiners.head)
		make_runnable(dequeue(&t->joiners));
	if (t->detached) {
		t->next = reap;
		reap = t;
	}
	schedule_locked();
	panic("exited thread %s was scheduled again", t->name);
}

int thread_join(struct thread *t, int *exit_code)
{
	unsigned long flags = events_save_disable();

	if (t == current) {
		events_restore(flags);
		return -EDEADLK; /* it would wait for itself to end */
	}
	/* Detached: freed as it ends. Joined: the other joiner frees it, so this one cannot. */
	if (t->detached || t->joined) {
		events_restore(flags);
		return -EINVAL;
	}
	t->joined = true;
	while (t->state != EXITED)
		wait_queue_sleep_locked(&t->joiners);
	events_restore(flags);
	if (exit_code)
		*exit_code = t->exit_code;
	free_thread(t);
	return 0;
}

int thread_detach(struct thread *t)
{
	unsigned long flags = events_save_disable();

	/* Detached already, or a joiner will free it: one owner frees a thread, once. */
	if (t->detached || t->joined) {
		events_restore(flags);
		return -EINVAL;
	}
	if (t->state == EXITED && t != current)
		free_thread(t);
	else
		t->detached = true;
	events_restore(flags);
	return 0;
}

void *thread_libc_data(void)
{
	return current->libc_data;
}

void thread_set_libc_data(void *data, void (*free_fn)(void *data))
{
	current->libc_data = data;
	current->libc_data_free = free_fn;
}

struct thread *thread_self(void)
{
	return current;
}

const char *thread_name(const struct thread *t)
{
	return t->name;
}

void threads_start(int (*fn)(void *), void *arg)
{
	if (!thread_create("main", fn, arg))
		panic("cannot create the main thread");
	/* The boot context is done: it blocks forever and its stack stays as it is. */
	events_save_disable();
	boot_thread.state = BLOCKED;
	schedule_locked();
	panic("boot thread resumed");
}
