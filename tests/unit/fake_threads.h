/*
 * Threads, wait queues and time for the driver tests (test_blkfront.c, test_netfront.c),
 * which build the real xenbus/frontend.c: the test's main context is one thread, and
 * the device's own thread (thread_create) is a coroutine on a stack of its own
 * (ucontext, annotated for AddressSanitizer), so it can sleep in the middle of a
 * disconnect while the test goes on, as on Skiff's cooperative scheduler.
 *
 * Only one context runs at a time. A context that sleeps runs the other one if that
 * was woken; else the backend may do something (while_waiting); else the clock runs to
 * the earliest deadline of the two; a wait nothing can end fails the test.
 *
 * run_device_thread() lets the device's thread run until it sleeps with nothing to do.
 * Included once by a test, after fake_guest.h (whose msleep counter it uses).
 */
#ifndef TESTS_UNIT_FAKE_THREADS_H
#define TESTS_UNIT_FAKE_THREADS_H

#include <sanitizer/common_interface_defs.h>
#include <ucontext.h>

#define FAKE_STACK_SIZE (256 * 1024)
#define MAX_SLEEPS	2000000 /* in one test: more is a wait that only spins */

struct fake_ctx {
	ucontext_t uc;
	const void *stack_bottom; /* for ASan's fiber switches */
	size_t stack_size;
	bool sleeping, ready, timed;
	bool yield; /* sleeping only until the other context blocks or ends */
	struct wait_queue *wq;
	uint64_t deadline;
};

static char main_token, dev_token; /* what thread_self() and thread_create() return */
static struct thread *current;	   /* what thread_self() says: a test may pretend */
static struct fake_ctx main_ctx, dev_ctx, *running = &main_ctx;
static void *dev_stack;
static bool dev_alive, dev_started, dev_detached;
static int (*created_fn)(void *);
static void *created_arg;
static unsigned int creates, joins, shutdown_hooks, timeouts, sleeps_total;
static void (*shutdown_fn)(void *);
static void *shutdown_arg;
static uint64_t now_ns;
static bool thread_create_fails;
/* What the backend does while nothing else can run: true if it did anything. */
static bool (*while_waiting)(void);
static bool in_while_waiting;

static void switch_to(struct fake_ctx *to, bool ending)
{
	struct fake_ctx *from = running;
	void *fake_stack = NULL;

	running = to;
	current = to == &dev_ctx ? (struct thread *)&dev_token : (struct thread *)&main_token;
	__sanitizer_start_switch_fiber(ending ? NULL : &fake_stack, to->stack_bottom,
				       to->stack_size);
	swapcontext(&from->uc, &to->uc);
	__sanitizer_finish_switch_fiber(fake_stack, NULL, NULL);
}

static void dev_trampoline(void)
{
	__sanitizer_finish_switch_fiber(NULL, &main_ctx.stack_bottom, &main_ctx.stack_size);
	created_fn(created_arg);
	dev_alive = false;
	main_ctx.ready = true;
	switch_to(&main_ctx, true);
	fail_msg("an ended thread ran again");
}

struct thread *thread_create(const char *name, int (*fn)(void *), void *arg)
{
	if (thread_create_fails)
		return NULL;
	assert_false(dev_alive); /* one device thread at a time */
	free(dev_stack);
	dev_stack = malloc(FAKE_STACK_SIZE);
	assert_non_null(dev_stack);
	memset(&dev_ctx, 0, sizeof(dev_ctx));
	getcontext(&dev_ctx.uc);
	dev_ctx.uc.uc_stack.ss_sp = dev_stack;
	dev_ctx.uc.uc_stack.ss_size = FAKE_STACK_SIZE;
	dev_ctx.uc.uc_link = NULL;
	dev_ctx.stack_bottom = dev_stack;
	dev_ctx.stack_size = FAKE_STACK_SIZE;
	makecontext(&dev_ctx.uc, dev_trampoline, 0);
	dev_ctx.ready = true; /* it starts when the creator next sleeps or yields */
	created_fn = fn;
	created_arg = arg;
	dev_alive = true;
	dev_started = false;
	dev_detached = false;
	creates++;
	return (struct thread *)&dev_token;
}

struct thread *thread_self(void)
{
	return current;
}

static bool fake_sleep(struct wait_queue *wq, bool timed, uint64_t deadline);
static struct wait_queue join_wq;

int thread_join(struct thread *t, int *exit_code)
{
	assert_ptr_equal(t, &dev_token);
	assert_ptr_equal(running, &main_ctx);
	assert_false(dev_detached);
	joins++;
	while (dev_alive)
		fake_sleep(&join_wq, false, 0);
	return 0;
}

int thread_detach(struct thread *t)
{
	assert_ptr_equal(t, &dev_token);
	assert_ptr_equal(running, &dev_ctx);
	dev_detached = true;
	return 0;
}

void wait_queue_init(struct wait_queue *wq)
{
	wq->head = wq->tail = NULL;
}

void wait_queue_wake_all(struct wait_queue *wq)
{
	if (main_ctx.sleeping && main_ctx.wq == wq)
		main_ctx.ready = true;
	if (dev_alive && dev_ctx.sleeping && dev_ctx.wq == wq)
		dev_ctx.ready = true;
}

unsigned long wait_queue_lock(void)
{
	return 0;
}

void wait_queue_unlock(unsigned long flags)
{
}

static struct fake_ctx *other_ctx(void)
{
	if (running == &main_ctx)
		return dev_alive ? &dev_ctx : NULL;
	return &main_ctx;
}

/*
 * The calling context sleeps on wq (NULL: only until the other one blocks or ends).
 * true when woken (the caller tests its condition again), false at the deadline.
 */
static bool fake_sleep(struct wait_queue *wq, bool timed, uint64_t deadline)
{
	struct fake_ctx *me = running, saved = *me;
	bool woke = true;

	if (++sleeps_total > MAX_SLEEPS)
		fail_msg("a wait that never ends: %u sleeps", sleeps_total);
	me->sleeping = true;
	me->ready = false;
	me->yield = wq == NULL;
	me->wq = wq;
	me->timed = timed;
	me->deadline = deadline;
	for (;;) {
		struct fake_ctx *other = other_ctx();
		uint64_t first = UINT64_MAX;

		if (me->ready)
			break;
		if (timed && deadline <= now_ns) {
			timeouts++;
			woke = false;
			break;
		}
		if (other && (other->ready || other->yield)) {
			switch_to(other, false);
			if (wq == NULL)
				break; /* a yield: the other one blocked or ended */
			continue;
		}
		if (wq == NULL)
			break; /* a yield with nothing else to run */
		if (while_waiting && !in_while_waiting) {
			bool did;

			in_while_waiting = true;
			did = while_waiting();
			in_while_waiting = false;
			if (did)
				break;
		}
		if (timed)
			first = deadline;
		if (other && other->sleeping && other->timed && other->deadline < first)
			first = other->deadline;
		if (first == UINT64_MAX)
			fail_msg("a wait nothing can end: the thread would sleep forever");
		if (now_ns < first)
			now_ns = first;
		if (timed && deadline <= now_ns) {
			timeouts++;
			woke = false;
			break;
		}
		other->ready = true;
	}
	*me = saved; /* a yield inside another wait of ours (while_waiting): that one goes on */
	me->ready = false;
	return woke;
}

void wait_queue_sleep_locked(struct wait_queue *wq)
{
	fake_sleep(wq, false, 0);
}

int wait_queue_sleep_until_locked(struct wait_queue *wq, uint64_t deadline_ns)
{
	return fake_sleep(wq, true, deadline_ns) ? 0 : -ETIMEDOUT;
}

/* Let the device's thread run (if it has anything to do) until it sleeps or ends. */
static void run_device_thread(void)
{
	struct thread *was = current;

	if (running != &main_ctx)
		return; /* called by the backend while the thread itself waits: it goes on */
	if (dev_alive && dev_ctx.ready)
		fake_sleep(NULL, false, 0);
	current = was;
}

/* The earliest deadline the device's thread sleeps until: time passes to it, and the
 * thread runs. */
static __attribute__((unused)) void run_device_thread_at_its_deadline(void)
{
	assert_true(dev_alive);
	assert_true(dev_ctx.sleeping && dev_ctx.timed);
	if (now_ns < dev_ctx.deadline)
		now_ns = dev_ctx.deadline;
	dev_ctx.ready = true;
	run_device_thread();
}

uint64_t monotonic_ns(void)
{
	return now_ns;
}

/* The event throttle's pause: time passes, nothing else happens. */
void msleep(uint64_t ms)
{
	sleeps++;
	now_ns += ms * NSEC_PER_MSEC;
}

int skiff_at_shutdown(void (*fn)(void *arg), void *arg)
{
	shutdown_fn = fn;
	shutdown_arg = arg;
	shutdown_hooks++;
	return 0;
}

static void reset_threads(void)
{
	/* A test that failed in the device's thread left it mid-way: drop it. */
	running = &main_ctx;
	memset(&main_ctx, 0, sizeof(main_ctx));
	memset(&dev_ctx, 0, sizeof(dev_ctx));
	free(dev_stack);
	dev_stack = NULL;
	dev_alive = dev_started = dev_detached = false;
	current = (struct thread *)&main_token;
	created_fn = NULL;
	created_arg = NULL;
	creates = joins = shutdown_hooks = timeouts = sleeps_total = 0;
	shutdown_fn = NULL;
	shutdown_arg = NULL;
	now_ns = NSEC_PER_SEC;
	thread_create_fails = false;
	while_waiting = NULL;
	in_while_waiting = false;
}

#endif
