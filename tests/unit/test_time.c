/*
 * Xen system time (xen/time.c) on the host, against a fake pvclock. xen/time.c is built
 * into this file; what it calls below it comes from here:
 *
 *  - shared_info: a page of our own whose vcpu_info[0].time the tests fill in, as Xen
 *    would (version, tsc_timestamp, system_time, tsc_to_system_mul, tsc_shift);
 *  - the TSC: arch_rdtsc() returns fake_tsc, and can run a hook first (on_rdtsc) that
 *    plays Xen updating the snapshot while the guest reads it;
 *  - hypercalls: HYPERVISOR_vcpu_op records the one-shot timer asked for.
 */
#include <arch.h> /* first, so that the arch_rdtsc below replaces its inline one */
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

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include "fake_log.h"

struct boot_info boot_info;
static shared_info_t shared;

/* ---- the fake Xen ------------------------------------------------------------------- */

static unsigned int set_timer_calls, stop_timer_calls;
static uint64_t timer_deadline;

static long HYPERVISOR_vcpu_op(int cmd, unsigned int vcpu, void *arg)
{
	assert_int_equal(vcpu, 0);
	switch (cmd) {
	case VCPUOP_set_singleshot_timer:
		set_timer_calls++;
		timer_deadline = ((struct vcpu_set_singleshot_timer *)arg)->timeout_abs_ns;
		return 0;
	case VCPUOP_stop_singleshot_timer:
		stop_timer_calls++;
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(scale_delta_matches_known_values, fresh),
		cmocka_unit_test_setup(pvclock_ns_of_a_snapshot, fresh),
		cmocka_unit_test_setup(monotonic_ns_adds_the_cycles_since_the_snapshot, fresh),
		cmocka_unit_test_setup(tsc_before_the_snapshot_counts_as_no_time, fresh),
		cmocka_unit_test_setup(snapshot_changing_under_the_read_is_read_again, fresh),
		cmocka_unit_test_setup(odd_version_is_never_used, fresh),
		cmocka_unit_test_setup(clock_never_goes_backwards, fresh),
		cmocka_unit_test_setup(time_init_says_when_sleeps_cannot_wake, fresh),
	};

	return cmocka_run_group_tests_name("time", tests, NULL, NULL);
}
