/*
 * Xen system time (xen/time.c) on the host, against a fake pvclock. xen/time.c is built
 * into this file; what it calls below it comes from here:
 *
 *  - shared_info: a page of our own whose vcpu_info[0].time the tests fill in, as Xen
 *    would (version, tsc_timestamp, system_time, tsc_to_system_mul, tsc_shift);
 *  - the TSC: arch_rdtsc() returns fake_tsc, and can run a hook first (on_rdtsc) that
 *    plays Xen updating the snapshot while the guest reads it;
 *  - hypercalls: HYPERVISOR_vcpu_op records the one-shot timer asked for.
 *
 * kernel/thread.c is built in too, for the sleeps that rest on these deadlines: only
 * the boot thread runs, and when it is idle the fake events_wait either lets the clock
 * run to the timer armed (a sleep that ends) or, when none is, jumps back to the test
 * (a sleep that would last forever).
 */
#include <arch.h>		/* first, so that the arch_rdtsc below replaces its inline one */
#define ARCH_X86_64_HYPERCALL_H /* the fake Xen below replaces the hypercalls */
#include <xen/xen.h>
#include <xen/vcpu.h>

static uint64_t fake_tsc;
static void (*on_rdtsc)(void);

static uint64_t fake_rdtsc(void)
{
	if (on_rdtsc)
		on_rdtsc();
	return fake_tsc;
}
#define arch_rdtsc fake_rdtsc

static long HYPERVISOR_vcpu_op(int cmd, unsigned int vcpu, void *arg);

#include "xen/time.c"
#include "kernel/thread.c"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include "fake_log.h"

struct boot_info boot_info;
static shared_info_t shared;

/* ---- what kernel/thread.c needs besides time ---------------------------------------- */

#include "host_strlcpy.h"

void *page_alloc(unsigned long n)
{
	fail_msg("no thread is created here");
	return NULL;
}

void page_free(void *p, unsigned long n)
{
	fail_msg("no thread is freed here");
}

int arch_page_guard(void *va)
{
	return 0;
}

int arch_page_unguard(void *va)
{
	return 0;
}

void arch_context_init(struct arch_context *ctx, void *stack_top, void (*entry)(void *), void *arg)
{
}

void arch_switch_to(struct arch_context *prev, struct arch_context *next)
{
	fail_msg("only the boot thread runs here");
}

unsigned long events_save_disable(void)
{
	return 0;
}

void events_restore(unsigned long flags)
{
}

/* ---- the fake Xen ------------------------------------------------------------------- */

static unsigned int set_timer_calls, stop_timer_calls;
static uint64_t timer_deadline;
static bool timer_armed; /* set and not stopped since */

static long HYPERVISOR_vcpu_op(int cmd, unsigned int vcpu, void *arg)
{
	assert_int_equal(vcpu, 0);
	switch (cmd) {
	case VCPUOP_set_singleshot_timer:
		set_timer_calls++;
		timer_armed = true;
		timer_deadline = ((struct vcpu_set_singleshot_timer *)arg)->timeout_abs_ns;
		return 0;
	case VCPUOP_stop_singleshot_timer:
		stop_timer_calls++;
		timer_armed = false;
		return 0;
	case VCPUOP_stop_periodic_timer:
		return 0;
	}
	fail_msg("unexpected vcpu_op %d", cmd);
	return -ENOSYS;
}

static bool no_virq; /* Xen refuses VIRQ_TIMER */

int evtchn_bind_virq(uint32_t virq, evtchn_handler_t handler, void *arg, evtchn_port_t *port)
{
	assert_int_equal(virq, VIRQ_TIMER);
	if (no_virq)
		return -ENOSPC;
	*port = 3;
	return 0;
}

static struct vcpu_time_info *pvclock(void)
{
	return &shared.vcpu_info[0].time;
}

/*
 * The vCPU is idle: with a one-shot timer armed (and not stopped since), its event
 * comes once system time reaches the deadline; with none, nothing would ever wake it.
 */
static jmp_buf idle_forever;
static unsigned int blocks;

void events_wait(void)
{
	blocks++;
	if (!timer_armed)
		longjmp(idle_forever, 1);
	/* Xen's s_time_t is signed: a deadline past INT64_MAX is in its past */
	assert_true(timer_deadline <= INT64_MAX);
	/* 2 cycles a ns (set_pvclock) */
	fake_tsc = pvclock()->tsc_timestamp + 2 * (timer_deadline - pvclock()->system_time);
	timer_armed = false;
}

/* A TSC of 2 GHz: half a nanosecond a cycle (mul 2^31, shift 0). */
static void set_pvclock(uint32_t version, uint64_t tsc_timestamp, uint64_t system_time)
{
	struct vcpu_time_info *t = pvclock();

	t->version = version;
	t->tsc_timestamp = tsc_timestamp;
	t->system_time = system_time;
	t->tsc_to_system_mul = 1u << 31;
	t->tsc_shift = 0;
}

static int fresh(void **state)
{
	memset(&shared, 0, sizeof(shared));
	boot_info.shared_info = &shared;
	last_ns = 0;
	fake_tsc = 0;
	on_rdtsc = NULL;
	set_timer_calls = stop_timer_calls = 0;
	timer_deadline = 0;
	no_virq = false;
	ready = false;
	timer_armed = false;
	blocks = 0;
	sleepers = NULL;
	boot_thread.state = RUNNABLE;
	boot_thread.wake_at = 0;
	clear_log();
	set_pvclock(2, 1000000, 5000000000ull); /* system time 5 s at TSC 1,000,000 */
	return 0;
}

/* ---- the pvclock maths ---------------------------------------------------------------- */

static void scale_delta_matches_known_values(void **state)
{
	/* ((delta << shift) * mul) >> 32, worked out by hand */
	assert_int_equal(scale_delta(2000, 1u << 31, 0), 1000);
	assert_int_equal(scale_delta(1000, 1u << 31, 3), 4000);
	assert_int_equal(scale_delta(1000, 0xffffffffu, -2), 249); /* 250 * (1 - 2^-32) */
	assert_int_equal(scale_delta(7, 0xffffffffu, -3), 0);
	assert_int_equal(scale_delta(0, 0xffffffffu, 5), 0);
	/* the 96-bit product is kept: 2^42 * (2^32 - 1) >> 32 */
	assert_int_equal(scale_delta(1ull << 40, 0xffffffffu, 2), (1ull << 42) - (1ull << 10));
	/* a 3 GHz TSC (mul ~ 2^32 / 3 * 2, shift -1): one second of cycles, within 1 ns */
	assert_true(scale_delta(3000000000ull, 0xaaaaaaabu, -1) - 1000000000ull <= 1);
}

static void pvclock_ns_of_a_snapshot(void **state)
{
	struct vcpu_time_info t = {
		.tsc_timestamp = 1000, .system_time = 77, .tsc_to_system_mul = 1u << 31};

	assert_int_equal(pvclock_ns(&t, 1000), 77);
	assert_int_equal(pvclock_ns(&t, 3000), 77 + 1000);
	assert_int_equal(pvclock_ns(&t, 999), 77); /* before the stamp: no time yet */
	assert_int_equal(pvclock_ns(&t, 0), 77);
	t.tsc_shift = -1;
	assert_int_equal(pvclock_ns(&t, 5000), 77 + 1000);
}

/*
 * What Xen 4.17 gave a new PV domain on the test host, first snapshot: its TSC starts
 * near 0, and the stamp is from just before that, 2^64 - 6,043,394 as unsigned. The TSC
 * read 581,009,490: 587,052,884 cycles after the stamp (2.6 GHz, mul 3308789271, shift
 * -1), about 226 ms. Read as "TSC below the stamp", the clock stood still until Xen's
 * next snapshot, up to a second later, and a sleep begun then was that much short.
 */
static void a_stamp_just_below_2_to_the_64_is_a_small_positive_delta(void **state)
{
	struct vcpu_time_info t = {.tsc_timestamp = 18446744073703508222ull,
				   .system_time = 6982339519ull,
				   .tsc_to_system_mul = 3308789271u,
				   .tsc_shift = -1};
	uint64_t ns = pvclock_ns(&t, 581009490ull) - t.system_time;

	assert_true(ns > 226000000ull && ns < 227000000ull);
}

static void monotonic_ns_adds_the_cycles_since_the_snapshot(void **state)
{
	fake_tsc = 1000000 + 2000; /* 2000 cycles at 2 GHz: 1 us */
	assert_int_equal(monotonic_ns(), 5000001000ull);
}

/*
 * The TSC read before the snapshot's tsc_timestamp (read early, or on a vCPU whose TSC
 * lags): no time has passed since system_time. Unsigned, the delta would wrap to ~2^64
 * cycles, ~2^63 ns, and since the clock never goes back every later deadline would be
 * in the past.
 */
static void tsc_before_the_snapshot_counts_as_no_time(void **state)
{
	fake_tsc = 1000000 - 10;
	assert_int_equal(monotonic_ns(), 5000000000ull);
	fake_tsc = 1000000 + 4000;
	assert_int_equal(monotonic_ns(), 5000002000ull); /* and the clock carries on */
}

/* Xen updates the snapshot while we read it: the version is odd during the update. */
static unsigned int rdtsc_calls;

static void xen_updates_once(void)
{
	if (rdtsc_calls++ == 0) {
		/* mid-update: Xen has bumped the version to odd and half-written the fields */
		pvclock()->version = 3;
		pvclock()->system_time = 123;
	} else if (rdtsc_calls == 2) {
		set_pvclock(4, 1002000, 6000000000ull); /* done: even again, new fields */
	}
}

static void snapshot_changing_under_the_read_is_read_again(void **state)
{
	rdtsc_calls = 0;
	on_rdtsc = xen_updates_once;
	fake_tsc = 1002000 + 2000;
	assert_int_equal(monotonic_ns(), 6000001000ull);
	assert_true(rdtsc_calls >= 3); /* the odd read and the stale one were both retried */
}

static unsigned int odd_reads;

static void xen_finishes_on_the_third_read(void)
{
	if (++odd_reads == 3)
		pvclock()->version = 6;
}

static void odd_version_is_never_used(void **state)
{
	odd_reads = 0;
	pvclock()->version = 5; /* Xen is updating it */
	on_rdtsc = xen_finishes_on_the_third_read;
	fake_tsc = 1000000;
	assert_int_equal(monotonic_ns(), 5000000000ull);
	assert_true(odd_reads >= 4);
}

static void clock_never_goes_backwards(void **state)
{
	fake_tsc = 1000000 + 20000;
	assert_int_equal(monotonic_ns(), 5000010000ull);
	/* Xen's next snapshot puts system time a little earlier than our estimate */
	set_pvclock(4, 1020000, 5000009000ull);
	assert_int_equal(monotonic_ns(), 5000010000ull);
	fake_tsc = 1020000 + 4000;
	assert_int_equal(monotonic_ns(), 5000011000ull);
}

static void time_init_says_when_sleeps_cannot_wake(void **state)
{
	no_virq = true;
	time_init();
	assert_logged("no timer interrupt");
	assert_true(time_ready()); /* the clock itself works */
}

/* ---- deadlines -------------------------------------------------------------------------- */

static void sleep_ends_at_its_deadline(void **state)
{
	fake_tsc = 1000000; /* 5 s */
	sleep_ns(3000);
	assert_int_equal(blocks, 1);
	assert_int_equal(timer_deadline, 5000003000ull);
	assert_true(monotonic_ns() >= 5000003000ull);
	assert_null(sleepers);
}

static void deadline_after_ns_saturates(void **state)
{
	fake_tsc = 1000000; /* 5 s */
	assert_int_equal(deadline_after_ns(0), 5000000000ull);
	assert_int_equal(deadline_after_ns(7), 5000000007ull);
	assert_int_equal(deadline_after_ns(UINT64_MAX - 5000000000ull), UINT64_MAX);
	assert_int_equal(deadline_after_ns(UINT64_MAX - 5000000000ull + 1), UINT64_MAX);
	assert_int_equal(deadline_after_ns(UINT64_MAX), UINT64_MAX);
	assert_int_equal(deadline_after_ns(UINT64_MAX - 5000000000ull - 2), UINT64_MAX - 2);
}

/* A deadline past Xen's signed s_time_t would fire at once: ask for no timer instead. */
static void timer_beyond_xen_time_is_not_armed(void **state)
{
	timer_set_deadline(UINT64_MAX);
	assert_int_equal(set_timer_calls, 0);
	assert_int_equal(stop_timer_calls, 1);
	timer_set_deadline((uint64_t)INT64_MAX + 1);
	assert_int_equal(set_timer_calls, 0);
	timer_set_deadline(INT64_MAX);
	assert_int_equal(set_timer_calls, 1);
	assert_int_equal(timer_deadline, INT64_MAX);
}

/* Run f until the fake vCPU would idle with no timer to end it; false if f returned. */
static bool sleeps_forever(void (*f)(void))
{
	if (setjmp(idle_forever))
		return true;
	f();
	return false;
}

static void sleep_uint64_max(void)
{
	sleep_ns(UINT64_MAX);
}

static void msleep_uint64_max(void)
{
	msleep(UINT64_MAX);
}

static void sleep_near_uint64_max(void)
{
	sleep_ns(UINT64_MAX - 1000);
}

static struct wait_queue wq;
static bool wait_result;

static void wait_event_uint64_max(void)
{
	wait_queue_init(&wq);
	wait_result = wait_event_timeout(&wq, false, UINT64_MAX);
}

/* now + ns wrapped for huge ns: "forever" became a deadline already past. */
static void sleep_ns_uint64_max_lasts_forever(void **state)
{
	fake_tsc = 1000000; /* 5 s */
	assert_true(sleeps_forever(sleep_uint64_max));
	assert_true(boot_thread.wake_at > INT64_MAX); /* still asleep, with no timer */
	fresh(state);
	assert_true(sleeps_forever(sleep_near_uint64_max));
}

static void msleep_uint64_max_lasts_forever(void **state)
{
	assert_true(sleeps_forever(msleep_uint64_max)); /* ms * 10^6 wrapped too */
}

static void wait_event_timeout_uint64_max_waits_forever(void **state)
{
	if (!sleeps_forever(wait_event_uint64_max))
		fail_msg("wait_event_timeout(UINT64_MAX) gave up at once (returned %d)",
			 wait_result);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(scale_delta_matches_known_values, fresh),
		cmocka_unit_test_setup(pvclock_ns_of_a_snapshot, fresh),
		cmocka_unit_test_setup(a_stamp_just_below_2_to_the_64_is_a_small_positive_delta,
				       fresh),
		cmocka_unit_test_setup(monotonic_ns_adds_the_cycles_since_the_snapshot, fresh),
		cmocka_unit_test_setup(tsc_before_the_snapshot_counts_as_no_time, fresh),
		cmocka_unit_test_setup(snapshot_changing_under_the_read_is_read_again, fresh),
		cmocka_unit_test_setup(odd_version_is_never_used, fresh),
		cmocka_unit_test_setup(clock_never_goes_backwards, fresh),
		cmocka_unit_test_setup(sleep_ends_at_its_deadline, fresh),
		cmocka_unit_test_setup(deadline_after_ns_saturates, fresh),
		cmocka_unit_test_setup(timer_beyond_xen_time_is_not_armed, fresh),
		cmocka_unit_test_setup(sleep_ns_uint64_max_lasts_forever, fresh),
		cmocka_unit_test_setup(msleep_uint64_max_lasts_forever, fresh),
		cmocka_unit_test_setup(wait_event_timeout_uint64_max_waits_forever, fresh),
		cmocka_unit_test_setup(time_init_says_when_sleeps_cannot_wake, fresh),
	};

	return cmocka_run_group_tests_name("time", tests, NULL, NULL);
}
