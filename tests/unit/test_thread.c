/*
 * The scheduler (kernel/thread.c) on the host, with real threads. thread.c is built into
 * this file over:
 *
 *  - host_threads.h: each thread on the stack thread.c allocated for it, switched to by
 *    ucontext (arch_switch_to), the stacks counted as they are allocated and freed;
 *  - fake_vcpu.h: a clock that stands still while a thread runs and jumps, when the
 *    vCPU blocks, to the one-shot timer or to an event handler a test scheduled.
 *
 * The test itself runs in thread.c's boot thread. A thread a test leaves behind (not
 * joined, or detached and not freed) is left to AddressSanitizer's leak check.
 */
#include "kernel/thread.c"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include "fake_vcpu.h"
#include "host_threads.h"

#define MS NSEC_PER_MSEC

/* What the threads did, in order: one letter each time. */
static char trace[64];
static unsigned int trace_len;

static void note(char c)
{
	assert_true(trace_len < sizeof(trace) - 1);
	trace[trace_len++] = c;
	trace[trace_len] = '\0';
}

static struct wait_queue wq;
static bool ready;
static unsigned int looks;

static int fresh(void **state)
{
	host_threads_reset(false);
	reset_vcpu();
	trace_len = 0;
	trace[0] = '\0';
	wait_queue_init(&wq);
	ready = false;
	looks = 0;
	return 0;
}

/*
 * After each test: back to the boot thread alone. A thread the test left behind (not
 * joined, or detached and never freed) is named here and left for ASan's leak check,
 * which fails the binary at exit; the tests that free threads also count the stacks.
 */
static int back_to_the_boot_thread(void **state)
{
	unsigned int left = host_threads_reset(false);

	if (left)
		print_message("%u thread(s) left behind: see the leak report at exit\n", left);
	return 0;
}

static struct thread *start(const char *name, int (*fn)(void *), void *arg)
{
	struct thread *t = thread_create(name, fn, arg);

	assert_non_null(t);
	return t;
}

static int join(struct thread *t)
{
	int code = -1;

	assert_int_equal(thread_join(t, &code), 0);
	return code;
}

/* ---- the run queue ------------------------------------------------------------------- */

static int note_letter(void *arg)
{
	note(*(const char *)arg);
	return 0;
}

static void threads_run_in_the_order_they_were_created(void **state)
{
	struct thread *a = start("a", note_letter, "a");
	struct thread *b = start("b", note_letter, "b");
	struct thread *c = start("c", note_letter, "c");

	assert_string_equal(trace, ""); /* nothing runs until the creator gives way */
	join(a);
	join(b);
	join(c);
	assert_string_equal(trace, "abc");
}

static int note_and_yield_three_times(void *arg)
{
	for (int i = 0; i < 3; i++) {
		note(*(const char *)arg);
		thread_yield();
	}
	return 0;
}

/* Each yield goes behind every thread already runnable: a round robin. */
static void yield_lets_every_other_runnable_thread_run_once(void **state)
{
	struct thread *a = start("a", note_and_yield_three_times, "a");
	struct thread *b = start("b", note_and_yield_three_times, "b");

	for (int i = 0; i < 3; i++) {
		note('m');
		thread_yield();
	}
	join(a);
	join(b);
	assert_string_equal(trace, "mabmabmab");
}

static void yield_with_nobody_else_to_run_returns_at_once(void **state)
{
	thread_yield();
	assert_int_equal(switches, 0);
	assert_int_equal(blocks, 0);
	assert_false(events_masked); /* given back as it was */
}

/* ---- the sleep list ------------------------------------------------------------------ */

struct sleeper {
	char letter;
	uint64_t ns;
	uint64_t woke_at;
};

static int sleep_then_note(void *arg)
{
	struct sleeper *s = arg;

	sleep_ns(s->ns);
	s->woke_at = now_ns;
	note(s->letter);
	return 0;
}

/*
 * Three threads go to sleep, the longest first. They wake earliest first, each at its
 * own deadline, and each time the vCPU idles the one-shot timer is set for the first
 * sleeper only.
 */
static void sleepers_wake_earliest_first_each_at_its_deadline(void **state)
{
	struct sleeper c = {.letter = 'c', .ns = 30 * MS}, a = {.letter = 'a', .ns = 10 * MS},
		       b = {.letter = 'b', .ns = 20 * MS};
	struct thread *tc = start("c", sleep_then_note, &c);
	struct thread *ta = start("a", sleep_then_note, &a);
	struct thread *tb = start("b", sleep_then_note, &b);

	join(tc);
	join(ta);
	join(tb);
	assert_string_equal(trace, "abc");
	assert_int_equal(a.woke_at, START_NS + 10 * MS);
	assert_int_equal(b.woke_at, START_NS + 20 * MS);
	assert_int_equal(c.woke_at, START_NS + 30 * MS);
	assert_int_equal(nr_armed, 3);
	assert_int_equal(armed[0], START_NS + 10 * MS);
	assert_int_equal(armed[1], START_NS + 20 * MS);
	assert_int_equal(armed[2], START_NS + 30 * MS);
	assert_null(sleepers);
}

/* Two threads with the same deadline wake in the order they went to sleep. */
static void sleepers_with_one_deadline_wake_in_the_order_they_slept(void **state)
{
	struct sleeper a = {.letter = 'a', .ns = 10 * MS}, b = {.letter = 'b', .ns = 10 * MS},
		       c = {.letter = 'c', .ns = 10 * MS};
	struct thread *ta = start("a", sleep_then_note, &a);
	struct thread *tb = start("b", sleep_then_note, &b);
	struct thread *tc = start("c", sleep_then_note, &c);

	join(ta);
	join(tb);
	join(tc);
	assert_string_equal(trace, "abc");
	assert_int_equal(blocks, 1); /* one timer, all three due */
}

static void sleep_with_its_deadline_already_here_does_not_block(void **state)
{
	sleep_ns(0);
	assert_int_equal(blocks, 0);
	assert_int_equal(nr_armed, 0);
	assert_int_equal(now_ns, START_NS);
	assert_null(sleepers);
	assert_false(events_masked);
}

/*
 * A thread's sleep ends while another thread keeps the CPU (time passes as it works).
 * The sleeper is runnable from then on: the worker's next yield lets it run, with no
 * block and no timer.
 */
static void a_sleep_that_ended_while_another_thread_worked_runs_at_the_next_yield(void **state)
{
	struct sleeper napper = {.letter = 's', .ns = 1 * MS};
	struct thread *t = start("s", sleep_then_note, &napper);

	thread_yield(); /* it goes to sleep until 1 ms */
	assert_string_equal(trace, "");
	now_ns += 5 * MS; /* 5 ms of work */
	thread_yield();
	assert_string_equal(trace, "s");
	assert_int_equal(napper.woke_at, START_NS + 5 * MS);
	assert_int_equal(blocks, 0);
	join(t);
}

static void a_timed_wait_whose_deadline_passed_times_out_at_once(void **state)
{
	unsigned long flags = wait_queue_lock();

	now_ns = START_NS + 10 * MS;
	assert_int_equal(wait_queue_sleep_until_locked(&wq, START_NS + 5 * MS), -ETIMEDOUT);
	assert_int_equal(wait_queue_sleep_until_locked(&wq, now_ns), -ETIMEDOUT);
	wait_queue_unlock(flags);
	assert_null(wq.head);
	assert_null(sleepers);
	assert_int_equal(blocks, 0);
}

/* ---- wait queues ------------------------------------------------------------------- */

static int wait_then_note(void *arg)
{
	wait_queue_sleep(&wq);
	note(*(const char *)arg);
	return 0;
}

static void wake_all_wakes_every_waiter_in_the_order_they_slept(void **state)
{
	struct thread *a = start("a", wait_then_note, "a");
	struct thread *b = start("b", wait_then_note, "b");
	struct thread *c = start("c", wait_then_note, "c");

	thread_yield(); /* all three wait */
	assert_string_equal(trace, "");
	wait_queue_wake_all(&wq);
	assert_null(wq.head);
	join(a);
	join(b);
	join(c);
	assert_string_equal(trace, "abc");
}

static void wake_one_wakes_the_first_waiter_only(void **state)
{
	struct thread *a = start("a", wait_then_note, "a");
	struct thread *b = start("b", wait_then_note, "b");

	thread_yield();
	wait_queue_wake_one(&wq);
	thread_yield();
	assert_string_equal(trace, "a");
	wait_queue_wake_one(&wq);
	join(a);
	join(b);
	assert_string_equal(trace, "ab");
}

static int wait_for_ready(void *arg)
{
	wait_event(&wq, (looks++, ready));
	note('w');
	return 0;
}

/* A wake-up without the condition sends the thread back to sleep. */
static void wait_event_sleeps_again_until_its_condition_holds(void **state)
{
	struct thread *t = start("w", wait_for_ready, NULL);

	thread_yield();
	assert_int_equal(looks, 1);
	wait_queue_wake_all(&wq); /* not ready yet */
	thread_yield();
	assert_int_equal(looks, 2);
	assert_string_equal(trace, "");
	ready = true;
	wait_queue_wake_all(&wq);
	join(t);
	assert_string_equal(trace, "w");
	assert_int_equal(looks, 3);
}

static void set_ready_and_wake(void)
{
	ready = true;
	wait_queue_wake_all(&wq);
}

/* An event handler (in an upcall, while the vCPU blocks) wakes the waiter. */
static void an_event_handler_wakes_a_waiting_thread(void **state)
{
	struct thread *t = start("w", wait_for_ready, NULL);

	event_at(START_NS + 3 * MS, set_ready_and_wake);
	join(t);
	assert_string_equal(trace, "w");
	assert_int_equal(now_ns, START_NS + 3 * MS);
}

struct timed_wait {
	uint64_t timeout;
	bool ok;
	uint64_t returned_at;
};

static int wait_for_ready_timed(void *arg)
{
	struct timed_wait *w = arg;

	w->ok = wait_event_timeout(&wq, ready, w->timeout);
	w->returned_at = now_ns;
	return 0;
}

static void wait_event_timeout_gives_up_at_the_deadline(void **state)
{
	struct timed_wait w = {.timeout = 5 * MS};

	join(start("w", wait_for_ready_timed, &w));
	assert_false(w.ok);
	assert_int_equal(w.returned_at, START_NS + 5 * MS);
	assert_int_equal(nr_armed, 1);
	assert_int_equal(armed[0], START_NS + 5 * MS);
	assert_null(wq.head); /* it left the wait queue */
	assert_null(sleepers);
}

/* The condition comes true, and the waiter is woken, just as its deadline arrives. */
static void a_wake_up_just_at_the_deadline_counts(void **state)
{
	struct timed_wait w = {.timeout = 5 * MS};

	event_at(START_NS + 5 * MS, set_ready_and_wake);
	join(start("w", wait_for_ready_timed, &w));
	assert_true(w.ok);
	assert_int_equal(w.returned_at, START_NS + 5 * MS);
}

/* Woken early: true at once, and the thread leaves the sleep list (its stale timer is
 * harmless: a later sleep lasts as long as it asked). */
static void wait_event_timeout_woken_early_returns_true_and_leaves_the_sleep_list(void **state)
{
	struct timed_wait w = {.timeout = 5 * MS};

	event_at(START_NS + 2 * MS, set_ready_and_wake);
	join(start("w", wait_for_ready_timed, &w));
	assert_true(w.ok);
	assert_int_equal(w.returned_at, START_NS + 2 * MS);
	assert_null(sleepers);
	sleep_ns(10 * MS);
	assert_int_equal(now_ns, START_NS + 12 * MS);
}

/* ---- exit, join, detach ---------------------------------------------------------------- */

static void exit_from_deep_down(int code)
{
	thread_exit(code);
}

static int exits_half_way(void *arg)
{
	note('1');
	exit_from_deep_down(42);
	note('2');
	return 7;
}

static int returns_7(void *arg)
{
	return 7;
}

static void thread_exit_ends_the_thread_with_its_code(void **state)
{
	assert_int_equal(join(start("x", exits_half_way, NULL)), 42);
	assert_string_equal(trace, "1");
	assert_int_equal(join(start("r", returns_7, NULL)), 7); /* returning is exiting */
	assert_int_equal(thread_join(start("n", returns_7, NULL), NULL), 0); /* code unwanted */
}

/* ---- the C library's pointer (kernel/thread_libc.h) ---------------------------------- */

static int libc_frees, libc_saw_its_data;

static void free_libc_data(void *data)
{
	libc_frees++;
	/* Still the thread's while its function runs: what it calls may ask for it. */
	libc_saw_its_data = thread_libc_data() == data;
}

static int set_libc_data(void *arg)
{
	if (thread_libc_data())
		return 1; /* a new thread starts with none */
	thread_set_libc_data(arg, free_libc_data);
	return thread_libc_data() == arg ? 0 : 2;
}

static void libc_data_is_freed_in_the_exiting_thread_while_still_its_own(void **state)
{
	static int token;

	libc_frees = libc_saw_its_data = 0;
	assert_int_equal(join(start("l", set_libc_data, &token)), 0);
	assert_int_equal(libc_frees, 1);
	assert_true(libc_saw_its_data);
	assert_null(thread_libc_data()); /* the boot thread's own is untouched */
}

static int sleep_10_ms_return_3(void *arg)
{
	msleep(10);
	return 3;
}

static void join_waits_for_the_thread_to_end(void **state)
{
	assert_int_equal(join(start("s", sleep_10_ms_return_3, NULL)), 3);
	assert_int_equal(now_ns, START_NS + 10 * MS);
	assert_int_equal(live_stacks(), 0); /* the joiner freed it */
}

static int self_join;

static int join_myself(void *arg)
{
	self_join = thread_join(thread_self(), NULL);
	return 0;
}

static void join_of_itself_is_edeadlk(void **state)
{
	int code = 99;

	assert_int_equal(thread_join(thread_self(), &code), -EDEADLK); /* the boot thread */
	assert_int_equal(code, 99);
	self_join = 0;
	join(start("j", join_myself, NULL));
	assert_int_equal(self_join, -EDEADLK);
}

static void join_of_a_detached_thread_is_einval(void **state)
{
	struct thread *t = start("d", returns_7, NULL);
	int code = 99;

	assert_int_equal(thread_detach(t), 0);
	assert_int_equal(thread_join(t, &code), -EINVAL);
	assert_int_equal(code, 99);
	thread_yield(); /* it runs, ends and is freed */
}

struct joiner {
	struct thread *target;
	int rc, code;
};

static int join_target(void *arg)
{
	struct joiner *j = arg;

	j->rc = thread_join(j->target, &j->code);
	return 0;
}

/* One joiner frees the thread; a second would free it again: it is refused. */
static void a_second_joiner_gets_einval(void **state)
{
	struct joiner j = {.rc = 99};
	struct thread *jt;

	j.target = start("t", sleep_10_ms_return_3, NULL);
	jt = start("j", join_target, &j);
	thread_yield(); /* the target sleeps, j waits for it */
	assert_int_equal(thread_join(j.target, NULL), -EINVAL);
	join(jt);
	assert_int_equal(j.rc, 0);
	assert_int_equal(j.code, 3);
}

static void detach_twice_is_einval(void **state)
{
	struct thread *t = start("t", sleep_10_ms_return_3, NULL);

	assert_int_equal(thread_detach(t), 0);
	assert_int_equal(thread_detach(t), -EINVAL);
	msleep(20);
}

static void detach_of_a_joined_thread_is_einval(void **state)
{
	struct joiner j = {.rc = 99};
	struct thread *jt;

	j.target = start("t", sleep_10_ms_return_3, NULL);
	jt = start("j", join_target, &j);
	thread_yield();
	assert_int_equal(thread_detach(j.target), -EINVAL);
	join(jt);
	assert_int_equal(j.rc, 0);
}

/* A detached thread is freed once it has ended and left its stack: the next thread to
 * run again frees it. */
static void a_detached_thread_is_freed_when_it_ends(void **state)
{
	struct thread *t = start("t", sleep_10_ms_return_3, NULL);

	assert_int_equal(thread_detach(t), 0);
	assert_int_equal(live_stacks(), 1);
	msleep(20);
	assert_int_equal(live_stacks(), 0);
}

static void detaching_a_thread_that_ended_frees_it_at_once(void **state)
{
	struct thread *t = start("t", returns_7, NULL);

	thread_yield(); /* it ends; nobody has joined it yet */
	assert_int_equal(live_stacks(), 1);
	assert_int_equal(thread_detach(t), 0);
	assert_int_equal(live_stacks(), 0);
}

static int detach_myself(void *arg)
{
	return thread_detach(thread_self());
}

static void a_thread_may_detach_itself(void **state)
{
	start("t", detach_myself, NULL);
	thread_yield();
	assert_int_equal(live_stacks(), 0);
}

static void thread_create_without_memory_returns_null(void **state)
{
	page_alloc_fails = true;
	assert_null(thread_create("t", returns_7, NULL)); /* its struct freed: ASan sees it */
	assert_null(run_queue.head);
	assert_int_equal(live_stacks(), 0);
}

#define TEST(f) cmocka_unit_test_setup_teardown(f, fresh, back_to_the_boot_thread)

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(threads_run_in_the_order_they_were_created),
		TEST(yield_lets_every_other_runnable_thread_run_once),
		TEST(yield_with_nobody_else_to_run_returns_at_once),
		TEST(sleepers_wake_earliest_first_each_at_its_deadline),
		TEST(sleepers_with_one_deadline_wake_in_the_order_they_slept),
		TEST(sleep_with_its_deadline_already_here_does_not_block),
		TEST(a_sleep_that_ended_while_another_thread_worked_runs_at_the_next_yield),
		TEST(a_timed_wait_whose_deadline_passed_times_out_at_once),
		TEST(wake_all_wakes_every_waiter_in_the_order_they_slept),
		TEST(wake_one_wakes_the_first_waiter_only),
		TEST(wait_event_sleeps_again_until_its_condition_holds),
		TEST(an_event_handler_wakes_a_waiting_thread),
		TEST(wait_event_timeout_gives_up_at_the_deadline),
		TEST(a_wake_up_just_at_the_deadline_counts),
		TEST(wait_event_timeout_woken_early_returns_true_and_leaves_the_sleep_list),
		TEST(thread_exit_ends_the_thread_with_its_code),
		TEST(libc_data_is_freed_in_the_exiting_thread_while_still_its_own),
		TEST(join_waits_for_the_thread_to_end),
		TEST(join_of_itself_is_edeadlk),
		TEST(join_of_a_detached_thread_is_einval),
		TEST(a_second_joiner_gets_einval),
		TEST(detach_twice_is_einval),
		TEST(detach_of_a_joined_thread_is_einval),
		TEST(a_detached_thread_is_freed_when_it_ends),
		TEST(detaching_a_thread_that_ended_frees_it_at_once),
		TEST(a_thread_may_detach_itself),
		TEST(thread_create_without_memory_returns_null),
	};

	return cmocka_run_group_tests_name("thread", tests, NULL, NULL);
}
