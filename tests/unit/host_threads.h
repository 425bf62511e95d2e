/*
 * What kernel/thread.c asks of arch/ and libc/ for its threads, on the host, so that a
 * test runs the real scheduler with real threads (test_thread.c, test_xenstore.c):
 *
 *  - stacks: page_alloc/page_free over the host's allocator, each run counted, so a
 *    test sees a thread's stack come back; arch_page_guard poisons the guard page for
 *    AddressSanitizer, which then reports a stack overflow as Xen would fault on it;
 *  - context switches: arch_context_init and arch_switch_to (switch.S on Skiff) over
 *    ucontext, each thread on the very stack thread.c allocated for it, and
 *    AddressSanitizer told of every switch (its fiber API), or it would take one
 *    thread's stack for another's.
 *
 * struct arch_context is one word, the saved rsp; here it points to a struct host_ctx,
 * which page_free drops with the stack it belongs to. The boot thread is the test's own
 * stack. Included once, after kernel/thread.c: a switch looks at struct thread to see
 * whether the thread leaving has ended (its stack is never resumed).
 */
#ifndef TESTS_UNIT_HOST_THREADS_H
#define TESTS_UNIT_HOST_THREADS_H

#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#include <ucontext.h>

#include "host_strlcpy.h"

struct host_ctx {
	ucontext_t uc;
	struct arch_context *owner;
	const char *stack_lo; /* the stack's lowest byte; for the boot thread, learnt from ASan */
	size_t stack_size;
	void (*entry)(void *);
	void *arg;
	struct host_ctx *next;
};

static struct host_ctx host_boot_ctx; /* the test's own stack, thread.c's boot thread */
static struct host_ctx *host_ctxs;    /* every other thread's */
static struct host_ctx *host_running = &host_boot_ctx;
static struct host_ctx *host_switched_from;
static unsigned int stacks_allocated, stacks_freed, switches;
static bool page_alloc_fails; /* the next page_alloc finds no memory */

static __attribute__((unused)) unsigned int live_stacks(void)
{
	return stacks_allocated - stacks_freed;
}

static struct thread *thread_of(struct arch_context *ctx)
{
	return (struct thread *)((char *)ctx - offsetof(struct thread, ctx));
}

static struct host_ctx *host_ctx_of(struct arch_context *ctx)
{
	if (!ctx->rsp) {
		/* Only the boot thread starts without arch_context_init: it is already running. */
		assert_ptr_equal(ctx, &boot_thread.ctx);
		ctx->rsp = (unsigned long)&host_boot_ctx;
	}
	return (struct host_ctx *)ctx->rsp;
}

/* Back on a stack after a switch: tell ASan, and learn the bounds of the boot stack. */
static void host_ctx_arrived(void *fake_stack)
{
	const void *from_lo;
	size_t from_size;

	__sanitizer_finish_switch_fiber(fake_stack, &from_lo, &from_size);
	if (!host_switched_from->stack_lo) {
		host_switched_from->stack_lo = from_lo;
		host_switched_from->stack_size = from_size;
	}
}

static void host_ctx_start(void)
{
	host_ctx_arrived(NULL);
	host_running->entry(host_running->arg); /* thread_main: it ends in thread_exit */
	fail_msg("a thread's entry function returned");
}

void arch_context_init(struct arch_context *ctx, void *stack_top, void (*entry)(void *), void *arg)
{
	struct host_ctx *c = calloc(1, sizeof(*c));

	assert_non_null(c);
	c->owner = ctx;
	c->stack_lo = (char *)stack_top - THREAD_STACK_SIZE;
	c->stack_size = THREAD_STACK_SIZE;
	c->entry = entry;
	c->arg = arg;
	assert_int_equal(getcontext(&c->uc), 0);
	c->uc.uc_stack.ss_sp = (void *)c->stack_lo;
	c->uc.uc_stack.ss_size = c->stack_size;
	c->uc.uc_link = NULL;
	makecontext(&c->uc, host_ctx_start, 0);
	c->next = host_ctxs;
	host_ctxs = c;
	ctx->rsp = (unsigned long)c;
}

void arch_switch_to(struct arch_context *prev, struct arch_context *next)
{
	struct host_ctx *from = host_ctx_of(prev), *to = host_ctx_of(next);
	void *fake_stack = NULL;
	bool ending = thread_of(prev)->state == EXITED;

	assert_ptr_equal(from, host_running);
	assert_non_null(to->stack_lo); /* the boot stack is learnt when it is first left */
	switches++;
	host_switched_from = from;
	host_running = to;
	/* An ended thread's stack is never resumed: ASan may drop what it keeps for it. */
	__sanitizer_start_switch_fiber(ending ? NULL : &fake_stack, to->stack_lo, to->stack_size);
	swapcontext(&from->uc, &to->uc);
	host_ctx_arrived(fake_stack);
}

/* ---- stacks ------------------------------------------------------------------------- */

void *page_alloc(unsigned long n)
{
	void *p;

	if (page_alloc_fails) {
		page_alloc_fails = false;
		return NULL;
	}
	p = aligned_alloc(PAGE_SIZE, n * PAGE_SIZE);
	assert_non_null(p);
	stacks_allocated++;
	return p;
}

/* Freeing a stack drops its context; freeing the stack a thread runs on fails the test. */
void page_free(void *p, unsigned long n)
{
	for (struct host_ctx **c = &host_ctxs; *c; c = &(*c)->next) {
		struct host_ctx *dead = *c;

		if (dead->stack_lo < (char *)p || dead->stack_lo >= (char *)p + n * PAGE_SIZE)
			continue;
		if (dead == host_running)
			fail_msg("a thread's stack freed while it runs on it");
		*c = dead->next;
		free(dead);
		break;
	}
	stacks_freed++;
	free(p);
}

/* The guard page: unmapped on Skiff, poisoned here, so that touching it is an error. */
int arch_page_guard(void *va)
{
	ASAN_POISON_MEMORY_REGION(va, PAGE_SIZE);
	return 0;
}

int arch_page_unguard(void *va)
{
	ASAN_UNPOISON_MEMORY_REGION(va, PAGE_SIZE);
	return 0;
}

/* ---- between tests ------------------------------------------------------------------ */

/*
 * Back to the boot thread alone, as thread.c starts. A thread a test left behind is
 * freed if free_left (a test of a client that keeps threads for ever), else only its
 * context goes: its stack and struct thread are then leaks for ASan to report. Returns
 * how many threads were left.
 */
static unsigned int host_threads_reset(bool free_left)
{
	unsigned int left = 0;

	if (host_running != &host_boot_ctx) {
		/* A test failed in another thread and cmocka jumped back to the test's stack:
		 * tell ASan where we are again. */
		__sanitizer_start_switch_fiber(NULL, host_boot_ctx.stack_lo,
					       host_boot_ctx.stack_size);
		__sanitizer_finish_switch_fiber(NULL, NULL, NULL);
		host_running = &host_boot_ctx;
		/* The frames the test left on this stack keep their redzones (the longjmp
		 * cleared the other thread's stack): clear them, or the next test's frames
		 * trip on them. Live frames lose theirs, which only weakens the checks. */
		ASAN_UNPOISON_MEMORY_REGION(host_boot_ctx.stack_lo, host_boot_ctx.stack_size);
	}
	while (host_ctxs) {
		struct host_ctx *c = host_ctxs;

		left++;
		if (free_left) {
			free_thread(thread_of(c->owner)); /* page_free drops c */
		} else {
			host_ctxs = c->next;
			free(c);
		}
	}
	current = &boot_thread;
	boot_thread.state = RUNNABLE;
	boot_thread.next = boot_thread.next_sleeper = NULL;
	boot_thread.waiting_on = NULL;
	boot_thread.wake_at = 0;
	wait_queue_init(&boot_thread.joiners);
	wait_queue_init(&run_queue);
	sleepers = NULL;
	reap = NULL;
	stacks_allocated = stacks_freed = switches = 0;
	page_alloc_fails = false;
	return left;
}

#endif
