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
/*
 * The system time ns from now, for a deadline: saturates at UINT64_MAX instead of
 * wrapping, so a huge ns (UINT64_MAX: "forever") never lands in the past.
 */
uint64_t deadline_after_ns(uint64_t ns);
/*
 * Raise VIRQ_TIMER once system time reaches deadline_ns (replaces an earlier one). A
 * deadline beyond Xen's signed 64-bit system time means never: the timer is stopped.
 */
void timer_set_deadline(uint64_t deadline_ns);

#endif
