/*
 * The console ring (xen/console.c) on the host. xen/console.c is built into this file;
 * on the other side of a fake ring page sits a fake xenconsoled:
 *
 *  - when poked (a notification, a poll, a yield) it reads up to backend_reads bytes
 *    (~0u: all there is) off the output ring into dom0_log, as xenconsoled writes its
 *    log; a stuck one (backend_reads 0) reads nothing;
 *  - xen_poll lets the fake clock run to the poll's deadline when nothing was read, and
 *    fails the test after a bound: a console_write that never returns.
 *
 * The tests assert on dom0_log, what dom0 would have recorded.
 */
#define ARCH_X86_64_HYPERCALL_H /* no hypercalls: the fakes below are all Xen does */
#include "xen/console.c"

#include <stdio.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#define PORT 4

struct boot_info boot_info;
static char shared_page[4096]; /* stands for shared_info: only its presence counts */
static struct xencons_interface page;

static char dom0_log[65536];
static size_t dom0_len;
static unsigned int backend_reads; /* bytes read each time it is poked; ~0u: all */
static uint64_t now_ns;
static bool clock_works;
static unsigned int polls, yields, notifies;

static void backend_runs(void)
{
	XENCONS_RING_IDX cons = page.out_cons, prod = page.out_prod;
	unsigned int n = 0;

	if (prod - cons > sizeof(page.out))
		return; /* garbage: a real xenconsoled would give up on us too */
	while (cons != prod && n < backend_reads) {
		assert_true(dom0_len < sizeof(dom0_log) - 1);
		dom0_log[dom0_len++] = page.out[MASK_XENCONS_IDX(cons, page.out)];
		cons++;
		n++;
	}
	dom0_log[dom0_len] = '\0';
	page.out_cons = cons;
}

/* ---- what console.c calls ------------------------------------------------------------ */

bool time_ready(void)
{
	return clock_works;
}

uint64_t monotonic_ns(void)
{
	return now_ns;
}

uint64_t deadline_after_ns(uint64_t ns)
{
	return ns > UINT64_MAX - now_ns ? UINT64_MAX : now_ns + ns;
}

int evtchn_notify(evtchn_port_t port)
{
	assert_int_equal(port, PORT);
	notifies++;
	return 0;
}

void evtchn_clear(evtchn_port_t port)
{
	assert_int_equal(port, PORT);
}

void xen_poll(evtchn_port_t port, uint64_t deadline_ns)
{
	XENCONS_RING_IDX cons = page.out_cons;

	assert_int_equal(port, PORT);
	if (++polls > 100000)
		fail_msg("console_write still waiting after %u polls (%.1f s)", polls,
			 now_ns / 1e9);
	backend_runs();
	if (page.out_cons == cons && deadline_ns > now_ns)
		now_ns = deadline_ns; /* nothing happened: the poll ran to its timeout */
}

void xen_yield(void)
{
	if (++yields > 1000000)
		fail_msg("console_write still yielding after %u yields", yields);
	backend_runs();
}

unsigned long events_save_disable(void)
{
	return 0;
}

void events_restore(unsigned long flags)
{
}

/* ---- fixtures ------------------------------------------------------------------------- */

static int fresh(void **state)
{
	memset(&page, 0, sizeof(page));
	memset(dom0_log, 0, sizeof(dom0_log));
	dom0_len = 0;
	backend_reads = ~0u;
	now_ns = 5000000000ull;
	clock_works = true;
	polls = yields = notifies = 0;
	boot_info.shared_info = shared_page;
	memset(&con, 0, sizeof(con));
	console_init(&page, PORT);
	return 0;
}

static void write_str(const char *s)
{
	console_write(s, strlen(s));
}

/* What is on the ring between out_cons and out_prod. */
static const char *ring_text(void)
{
	static char text[sizeof(page.out) + 1];
	size_t n = 0;

	for (XENCONS_RING_IDX i = page.out_cons; i != page.out_prod && n < sizeof(page.out); i++)
		text[n++] = page.out[MASK_XENCONS_IDX(i, page.out)];
	text[n] = '\0';
	return text;
}

/* ---- tests -------------------------------------------------------------------------------- */

/* A terminal (xl create -c) moves down a line on \n but back to column 0 only on \r. */
static void newlines_go_out_as_crlf(void **state)
{
	write_str("one\ntwo\n\nthree");
	assert_string_equal(ring_text(), "one\r\ntwo\r\n\r\nthree");
	assert_int_equal(page.out_prod, 17);
	assert_true(notifies > 0);
}

static void crlf_from_the_caller_is_not_doubled(void **state)
{
	write_str("a\r\nb\r");
	write_str("\nc");
	assert_string_equal(ring_text(), "a\r\nb\r\nc");
}

/* The indices are free-running 32-bit counters; the 2048-byte ring wraps at MASK. */
static void writes_wrap_around_the_ring(void **state)
{
	page.out_cons = page.out_prod = 0xfffffffau; /* 6 before the counter wraps too */
	write_str("0123456789\nend");
	assert_int_equal(page.out_prod, 0xfffffffau + 15);
	assert_string_equal(ring_text(), "0123456789\r\nend");
	assert_int_equal(page.out[2042], '0');
	assert_int_equal(page.out[2047], '5');
	assert_int_equal(page.out[0], '6');
	assert_int_equal(page.out[4], '\r');
	assert_int_equal(page.out[5], '\n');
}

/* More than a ring's worth with a backend that reads: everything, in order, no loss. */
static void full_ring_waits_for_a_reading_backend(void **state)
{
	static char text[5000], expect[6000];
	size_t n = 0;

	for (size_t i = 0; i < sizeof(text) - 1; i++) {
		text[i] = i % 50 == 49 ? '\n' : 'a' + i % 26;
		if (text[i] == '\n')
			expect[n++] = '\r';
		expect[n++] = text[i];
	}
	backend_reads = 700;
	console_write(text, sizeof(text) - 1);
	backend_reads = ~0u;
	backend_runs(); /* the rest, after console_write returned */
	assert_string_equal(dom0_log, expect);
	assert_true(now_ns < 5000000000ull + 1000000000ull); /* it never had to time out */
}

/*
 * xenconsoled stops reading: console_write gives up after a bounded wait (it used to
 * wait forever, with events masked), drops what does not fit, and says how much once
 * the backend reads again.
 */
static void stuck_backend_drops_and_reports_once(void **state)
{
	static char fill[2048];
	uint64_t start = now_ns;
	unsigned int polls_then;

	memset(fill, 'x', sizeof(fill));
	backend_reads = 0;
	console_write(fill, sizeof(fill)); /* fills the ring exactly */
	assert_int_equal(page.out_prod - page.out_cons, 2048);
	write_str("lost 1\n"); /* 7 bytes */
	assert_true(now_ns - start <= 3000000000ull);
	assert_true(now_ns - start >= 500000000ull); /* it did wait a while first */
	polls_then = polls;
	write_str("lost 2\n"); /* 7 more: dropped without another wait */
	assert_int_equal(polls, polls_then);

	backend_reads = ~0u; /* dom0 reads again */
	backend_runs();
	write_str("back\n");
	write_str("again\n");
	backend_runs();
	assert_string_equal(
		dom0_log + 2048,
		"[console: 14 bytes dropped while dom0 was not reading]\r\nback\r\nagain\r\n");
}

/* Before the clock works (the first lines of boot) the bound is a count of yields. */
static void stuck_backend_before_time_works_drops_too(void **state)
{
	static char fill[2100];

	memset(fill, 'y', sizeof(fill));
	clock_works = false;
	backend_reads = 0;
	console_write(fill, sizeof(fill));
	assert_int_equal(page.out_prod, 2048);
	assert_true(yields > 0);
	backend_reads = ~0u;
	backend_runs();
	write_str("ok\n");
	backend_runs();
	assert_string_equal(dom0_log + 2048,
			    "[console: 52 bytes dropped while dom0 was not reading]\r\nok\r\n");
}

/* out_cons moved where no backend could have put it: stop writing, for good. */
static void garbage_ring_index_stops_writing(void **state)
{
	page.out_cons = 1000; /* ahead of out_prod (0): "-1000 bytes used" */
	write_str("hello\n");
	assert_int_equal(page.out_prod, 0);
	page.out_cons = 0; /* even if it looks sane again */
	write_str("hello\n");
	assert_int_equal(page.out_prod, 0);
	assert_int_equal(polls + yields, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(newlines_go_out_as_crlf, fresh),
		cmocka_unit_test_setup(crlf_from_the_caller_is_not_doubled, fresh),
		cmocka_unit_test_setup(writes_wrap_around_the_ring, fresh),
		cmocka_unit_test_setup(full_ring_waits_for_a_reading_backend, fresh),
		cmocka_unit_test_setup(stuck_backend_drops_and_reports_once, fresh),
		cmocka_unit_test_setup(stuck_backend_before_time_works_drops_too, fresh),
		cmocka_unit_test_setup(garbage_ring_index_stops_writing, fresh),
	};

	return cmocka_run_group_tests_name("console", tests, NULL, NULL);
}
