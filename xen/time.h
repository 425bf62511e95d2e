/*
 * Time from Xen's pvclock (vcpu_time_info in shared_info) and one-shot timers.
 * System time is nanoseconds since the host booted, monotonic; the wall clock is
 * shared_info's wc_* (the time at system time 0) plus system time.
 */
#ifndef XEN_TIME_H
#define XEN_TIME_H

#include <stdbool.h>
#include <stdint.h>

void time_init(void);
bool time_ready(void);
/* Xen system time now, in ns (never goes backwards). */
uint64_t monotonic_ns(void);
/* Wall-clock time, ns since the Unix epoch. */
uint64_t wallclock_ns(void);
/* The system time ns from now, saturating: a huge timeout means "never", not a
 * deadline that wrapped into the past. */
static inline uint64_t deadline_after_ns(uint64_t ns)
{
	uint64_t now = monotonic_ns();

	return ns > UINT64_MAX - now ? UINT64_MAX : now + ns;
}
/* Raise VIRQ_TIMER once system time reaches deadline_ns (replaces an earlier one). */
void timer_set_deadline(uint64_t deadline_ns);

#endif
