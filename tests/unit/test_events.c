/*
 * Event channels (xen/events.c) on the host, against a fake Xen. xen/events.c is built
 * into this file; its hypercalls come from here, and so does shared_info:
 *
 *  - shared_info: a page of our own with the 2-level ABI's evtchn_pending and
 *    evtchn_mask bitmaps and vcpu_info[0]'s evtchn_pending_sel and
 *    evtchn_upcall_pending;
 *  - xen_raise(port): what Xen does when the other end notifies: set the pending bit
 *    and, if the port is unmasked, the selector bit and the upcall flag (the upcall
 *    itself is the test calling events_upcall);
 *  - EVTCHNOP_unmask clears the mask and re-raises a port left pending, as Xen does;
 *    EVTCHNOP_close and EVTCHNOP_bind_virq are recorded.
 * PV's event masking (arch/x86_64/pv_events.c) is built in, and so is xen/sched.c's
 * xen_poll: SCHEDOP_poll records the timeout it is given.
 */
#define ARCH_X86_64_HYPERCALL_H /* the fake Xen below replaces the hypercalls */
#include <stdint.h>
#include <xen/xen.h>
#include <xen/event_channel.h>
#include <xen/version.h>

static long HYPERVISOR_event_channel_op(int cmd, void *arg);
static long HYPERVISOR_xen_version(int cmd, void *arg);
static long HYPERVISOR_sched_op(int cmd, void *arg);

#include "xen/events.c"
#include "xen/sched.c"
#include "arch/x86_64/pv_events.c"

/* arch/x86_64/setup.c forwards to the boot mode's own: PV's, here. */
unsigned long arch_events_save_disable(void)
{
	return pv_events_save_disable();
}

void arch_events_restore(unsigned long flags)
{
	pv_events_restore(flags);
}

void arch_events_wait(void)
{
	pv_events_wait();
}

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include "fake_log.h"

struct boot_info boot_info;
static shared_info_t fake_shared;

/* ---- the fake Xen ------------------------------------------------------------------- */

static unsigned int closes, sends, version_calls;
static evtchn_port_t closed_port, virq_port = 9;

static bool bit(const xen_ulong_t *map, evtchn_port_t port)
{
	return map[port / BITS_PER_WORD] >> (port % BITS_PER_WORD) & 1;
}

static void set_bit(xen_ulong_t *map, evtchn_port_t port)
{
	map[port / BITS_PER_WORD] |= 1UL << (port % BITS_PER_WORD);
}

/* xen/common/event_2l.c: pending, then (unmasked) the selector, then the upcall flag. */
static void xen_raise(evtchn_port_t port)
{
	set_bit(fake_shared.evtchn_pending, port);
	if (bit(fake_shared.evtchn_mask, port))
		return;
	fake_shared.vcpu_info[0].evtchn_pending_sel |= 1UL << (port / BITS_PER_WORD);
	fake_shared.vcpu_info[0].evtchn_upcall_pending = 1;
}

static long HYPERVISOR_event_channel_op(int cmd, void *arg)
{
	switch (cmd) {
	case EVTCHNOP_unmask: {
		evtchn_port_t port = ((struct evtchn_unmask *)arg)->port;

		fake_shared.evtchn_mask[port / BITS_PER_WORD] &= ~(1UL << (port % BITS_PER_WORD));
		if (bit(fake_shared.evtchn_pending, port))
			xen_raise(port);
		return 0;
	}
	case EVTCHNOP_close:
		closes++;
		closed_port = ((struct evtchn_close *)arg)->port;
		return 0;
	case EVTCHNOP_send:
		sends++;
		return 0;
	case EVTCHNOP_bind_virq:
		((struct evtchn_bind_virq *)arg)->port = virq_port;
		return 0;
	}
	fail_msg("unexpected event_channel_op %d", cmd);
	return -ENOSYS;
}

static uint64_t poll_timeout;

static long HYPERVISOR_sched_op(int cmd, void *arg)
{
	assert_int_equal(cmd, SCHEDOP_poll);
	poll_timeout = ((struct sched_poll *)arg)->timeout;
	return 0;
}

static long HYPERVISOR_xen_version(int cmd, void *arg)
{
	version_calls++; /* events_restore's way of taking a pending upcall */
	return 0;
}

/* Deliver the upcall Xen would, if one is pending and events are enabled. */
static void upcall_if_pending(void)
{
	if (fake_shared.vcpu_info[0].evtchn_upcall_pending &&
	    !fake_shared.vcpu_info[0].evtchn_upcall_mask)
		events_upcall(NULL);
}

/* ---- handlers that record their calls ---------------------------------------------------- */

static struct call {
	char who;
	evtchn_port_t port;
	void *arg;
} calls[16];
static unsigned int ncalls;

static void record(char who, evtchn_port_t port, void *arg)
{
	assert_true(ncalls < 16);
	calls[ncalls++] = (struct call){who, port, arg};
}

static void handler_a(evtchn_port_t port, void *arg)
{
	record('a', port, arg);
}

static void handler_b(evtchn_port_t port, void *arg)
{
	record('b', port, arg);
}

static int fresh(void **state)
{
	memset(&fake_shared, 0, sizeof(fake_shared));
	boot_info.shared_info = &fake_shared;
	events_init();
	memset(calls, 0, sizeof(calls));
	ncalls = closes = sends = version_calls = 0;
	virq_port = 9;
	clear_log();
	return 0;
}

/* ---- tests -------------------------------------------------------------------------------- */

static void init_masks_every_port(void **state)
{
	for (evtchn_port_t p = 0; p < 4096; p++)
		assert_true(bit(fake_shared.evtchn_mask, p));
}

static void bound_port_runs_its_handler(void **state)
{
	int arg;

	assert_int_equal(evtchn_bind(5, handler_a, &arg), 0);
	assert_false(bit(fake_shared.evtchn_mask, 5)); /* unmasked by the bind */
	xen_raise(5);
	upcall_if_pending();
	assert_int_equal(ncalls, 1);
	assert_int_equal(calls[0].who, 'a');
	assert_int_equal(calls[0].port, 5);
	assert_ptr_equal(calls[0].arg, &arg);
	assert_false(bit(fake_shared.evtchn_pending, 5)); /* cleared before the handler ran */
	assert_int_equal(fake_shared.vcpu_info[0].evtchn_upcall_pending, 0);
	assert_int_equal(fake_shared.vcpu_info[0].evtchn_pending_sel, 0);
}

static void bind_virq_binds_the_port_xen_gives(void **state)
{
	evtchn_port_t port = 0;

	assert_int_equal(evtchn_bind_virq(VIRQ_TIMER, handler_b, NULL, &port), 0);
	assert_int_equal(port, virq_port);
	xen_raise(virq_port);
	upcall_if_pending();
	assert_int_equal(ncalls, 1);
	assert_int_equal(calls[0].who, 'b');
}

/* A second bind used to replace the first handler silently: its owner went deaf. */
static void binding_a_bound_port_is_refused(void **state)
{
	assert_int_equal(evtchn_bind(5, handler_a, NULL), 0);
	assert_int_equal(evtchn_bind(5, handler_b, NULL), -EBUSY);
	xen_raise(5);
	upcall_if_pending();
	assert_int_equal(ncalls, 1);
	assert_int_equal(calls[0].who, 'a'); /* still the first owner's */
}

static void ports_beyond_the_table_are_refused(void **state)
{
	assert_int_equal(evtchn_bind(EVTCHN_MAX_PORTS, handler_a, NULL), -EINVAL);
	assert_logged("beyond");
}

/* Xen may hand out a port beyond our table (it has 4096): the bind fails, and the port
 * goes back to Xen instead of staying bound to the VIRQ for good. */
static void bind_virq_that_cannot_bind_gives_the_port_back(void **state)
{
	evtchn_port_t port = 12345;

	virq_port = EVTCHN_MAX_PORTS + 5;
	assert_int_equal(evtchn_bind_virq(VIRQ_TIMER, handler_a, NULL, &port), -EINVAL);
	assert_int_equal(closes, 1);
	assert_int_equal(closed_port, EVTCHN_MAX_PORTS + 5);
	assert_int_equal(port, 12345); /* no port handed back to the caller */
}

/* The bitmaps hold 4096 ports: a bigger number must not set a bit in what follows. */
static void mask_and_clear_beyond_the_bitmaps_touch_nothing(void **state)
{
	static shared_info_t before;
	evtchn_port_t beyond = sizeof(fake_shared.evtchn_mask) * 8;

	memcpy(&before, &fake_shared, sizeof(before));
	evtchn_mask(beyond);
	evtchn_mask(beyond + 100);
	evtchn_clear(beyond);
	assert_memory_equal(&before, &fake_shared, sizeof(before));
}

/* sched.h: 0 is no timeout, and Xen reads the rest as signed: a saturated deadline
 * (UINT64_MAX) would be long past and return at once, so it goes as 0. */
static void poll_without_a_real_deadline_asks_for_no_timeout(void **state)
{
	xen_poll(3, 5000000000ull);
	assert_int_equal(poll_timeout, 5000000000ull);
	xen_poll(3, UINT64_MAX);
	assert_int_equal(poll_timeout, 0);
	xen_poll(3, (uint64_t)INT64_MAX + 1);
	assert_int_equal(poll_timeout, 0);
	xen_poll(3, INT64_MAX);
	assert_int_equal(poll_timeout, INT64_MAX);
}

/*
 * An event that came after the port was masked (the backend's last notification)
 * stays pending across close: Xen hands the same number out again, and the new owner
 * got the old event as soon as its bind unmasked the port.
 */
static void close_clears_the_pending_event_and_the_handler(void **state)
{
	assert_int_equal(evtchn_bind(7, handler_a, NULL), 0);
	evtchn_mask(7);
	xen_raise(7); /* masked: pending, no upcall */
	evtchn_close(7);
	assert_int_equal(closes, 1);
	assert_int_equal(closed_port, 7);
	assert_false(bit(fake_shared.evtchn_pending, 7));
	assert_null(handlers[7].handler);

	assert_int_equal(evtchn_bind(7, handler_b, NULL), 0); /* reused: not refused either */
	upcall_if_pending();
	assert_int_equal(ncalls, 0); /* no stale event for the new owner */
	xen_raise(7);
	upcall_if_pending();
	assert_int_equal(ncalls, 1);
	assert_int_equal(calls[0].who, 'b');
}

static void upcall_runs_pending_unmasked_ports_and_skips_masked_ones(void **state)
{
	assert_int_equal(evtchn_bind(3, handler_a, NULL), 0);
	assert_int_equal(evtchn_bind(70, handler_b, NULL), 0); /* another selector word */
	assert_int_equal(evtchn_bind(200, handler_a, NULL), 0);
	evtchn_mask(70);
	xen_raise(70);
	xen_raise(3);
	xen_raise(200);
	upcall_if_pending();
	assert_int_equal(ncalls, 2);
	assert_int_equal(calls[0].port, 3);
	assert_int_equal(calls[1].port, 200);
	assert_true(bit(fake_shared.evtchn_pending, 70)); /* kept for when it is unmasked */

	evtchn_unmask(70);
	upcall_if_pending();
	assert_int_equal(ncalls, 3);
	assert_int_equal(calls[2].who, 'b');
	assert_int_equal(calls[2].port, 70);
	assert_false(bit(fake_shared.evtchn_pending, 70));
}

/* A pending port in a word the selector does not name is not looked at (2-level ABI). */
static void upcall_reads_only_the_words_the_selector_names(void **state)
{
	assert_int_equal(evtchn_bind(64, handler_a, NULL), 0);
	set_bit(fake_shared.evtchn_pending, 64);
	fake_shared.vcpu_info[0].evtchn_upcall_pending = 1; /* but no selector bit */
	upcall_if_pending();
	assert_int_equal(ncalls, 0);
}

static void port_without_a_handler_is_masked(void **state)
{
	set_bit(fake_shared.evtchn_pending, 12);
	fake_shared.evtchn_mask[0] &= ~(1UL << 12); /* unmasked with nobody bound */
	fake_shared.vcpu_info[0].evtchn_pending_sel = 1;
	fake_shared.vcpu_info[0].evtchn_upcall_pending = 1;
	upcall_if_pending();
	assert_int_equal(ncalls, 0);
	assert_true(bit(fake_shared.evtchn_mask, 12));
	assert_logged("port 12 fired with no handler");
}

static void restore_takes_an_upcall_that_came_while_masked(void **state)
{
	unsigned long flags = events_save_disable();

	assert_int_equal(flags, 0);
	assert_int_equal(evtchn_bind(5, handler_a, NULL), 0);
	xen_raise(5);
	upcall_if_pending(); /* masked: not delivered */
	assert_int_equal(ncalls, 0);
	events_restore(flags);
	assert_int_equal(version_calls, 1); /* the hypercall that lets Xen deliver it */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(init_masks_every_port, fresh),
		cmocka_unit_test_setup(bound_port_runs_its_handler, fresh),
		cmocka_unit_test_setup(bind_virq_binds_the_port_xen_gives, fresh),
		cmocka_unit_test_setup(binding_a_bound_port_is_refused, fresh),
		cmocka_unit_test_setup(ports_beyond_the_table_are_refused, fresh),
		cmocka_unit_test_setup(bind_virq_that_cannot_bind_gives_the_port_back, fresh),
		cmocka_unit_test_setup(mask_and_clear_beyond_the_bitmaps_touch_nothing, fresh),
		cmocka_unit_test_setup(poll_without_a_real_deadline_asks_for_no_timeout, fresh),
		cmocka_unit_test_setup(close_clears_the_pending_event_and_the_handler, fresh),
		cmocka_unit_test_setup(upcall_runs_pending_unmasked_ports_and_skips_masked_ones,
				       fresh),
		cmocka_unit_test_setup(upcall_reads_only_the_words_the_selector_names, fresh),
		cmocka_unit_test_setup(port_without_a_handler_is_masked, fresh),
		cmocka_unit_test_setup(restore_takes_an_upcall_that_came_while_masked, fresh),
	};

	return cmocka_run_group_tests_name("events", tests, NULL, NULL);
}
