/*
 * The vCPU below kernel/thread.c, faked: Xen's clock, its one-shot timer, SCHEDOP_block
 * and the event mask (test_thread.c, test_xenstore.c). Time stands still while a
 * thread runs; it moves only when the vCPU blocks, and then straight to whatever wakes
 * it:
 *
 *  - the other side first: idle_hook plays another domain (xenstored) taking its turn,
 *    true if it raised an event;
 *  - else the earliest of the one-shot timer and the events a test scheduled with
 *    event_at() (an event handler that runs at that time, as an upcall would);
 *  - nothing at all would leave the vCPU blocked for ever: the test fails.
 *
 * Handlers run with events masked, as in an upcall; events_wait blocks with events
 * enabled (SCHEDOP_block enables them). Included once, before host_threads.h.
 */
#ifndef TESTS_UNIT_FAKE_VCPU_H
#define TESTS_UNIT_FAKE_VCPU_H

#define START_NS  (1 * NSEC_PER_SEC) /* system time when a test begins */
#define MAX_TIMED 8
#define MAX_ARMED 32

static uint64_t now_ns;
static bool events_masked;
static bool timer_armed;
static uint64_t timer_deadline;
static uint64_t armed[MAX_ARMED]; /* every deadline the timer was set to, in order */
static unsigned int nr_armed, blocks;
static bool (*idle_hook)(void);
static struct timed_event {
	uint64_t at;
	void (*fn)(void);
} timed[MAX_TIMED];
static unsigned int nr_timed;

uint64_t monotonic_ns(void)
{
	return now_ns;
}

/* xen/time.c's: saturating, so "forever" never lands in the past. */
uint64_t deadline_after_ns(uint64_t ns)
{
	return ns > UINT64_MAX - now_ns ? UINT64_MAX : now_ns + ns;
}

/* xen/time.c's contract: a deadline past Xen's signed system time stops the timer. */
void timer_set_deadline(uint64_t deadline_ns)
{
	if (deadline_ns > INT64_MAX) {
		timer_armed = false;
		return;
	}
	timer_armed = true;
	timer_deadline = deadline_ns;
	if (nr_armed < MAX_ARMED)
		armed[nr_armed] = deadline_ns;
	nr_armed++;
}

unsigned long events_save_disable(void)
{
	unsigned long was = events_masked;

	events_masked = true;
	return was;
}

void events_restore(unsigned long flags)
{
	events_masked = flags;
}

/* An event handler runs at system time at (once the vCPU blocks then, or later). */
static __attribute__((unused)) void event_at(uint64_t at, void (*fn)(void))
{
	assert_true(nr_timed < MAX_TIMED);
	timed[nr_timed].at = at;
	timed[nr_timed++].fn = fn;
}

/* fn runs as an event handler would: in an upcall, events masked. */
static void as_upcall(void (*fn)(void))
{
	bool was = events_masked;

	events_masked = true;
	fn();
	events_masked = was;
}

static void block_until_event(void)
{
	uint64_t next = UINT64_MAX;
	bool timer_due;

	/* thread.c blocks with events disabled: else a wake-up could come between its last
	 * look at the run queue and the block, and be lost until some later event. */
	assert_true(events_masked);
	blocks++;
	events_masked = false;
	if (idle_hook && idle_hook())
		return;
	if (timer_armed)
		next = timer_deadline;
	for (unsigned int i = 0; i < nr_timed; i++)
		if (timed[i].at < next)
			next = timed[i].at;
	if (next == UINT64_MAX)
		fail_msg("the vCPU blocks with no timer and no event to come: it would sleep for "
			 "ever");
	if (next > now_ns)
		now_ns = next;
	timer_due = timer_armed && timer_deadline <= now_ns;
	if (timer_due)
		timer_armed = false; /* one-shot: VIRQ_TIMER, whose handler only ends the block */
	for (unsigned int i = 0; i < nr_timed;) {
		void (*fn)(void) = timed[i].fn;

		if (timed[i].at > now_ns) {
			i++;
			continue;
		}
		timed[i] = timed[--nr_timed];
		as_upcall(fn);
	}
}

/* thread.c's idle: block with events enabled, come back with them disabled. */
void events_wait(void)
{
	block_until_event();
	events_masked = true;
}

static void reset_vcpu(void)
{
	now_ns = START_NS;
	events_masked = false;
	timer_armed = false;
	timer_deadline = 0;
	nr_armed = blocks = nr_timed = 0;
	idle_hook = NULL;
}

#endif
