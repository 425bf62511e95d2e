/* Time and sleeping, from Xen's clock (xen/time.c) and the scheduler (lib/thread.c). */
#ifndef SKIFF_TIME_H
#define SKIFF_TIME_H

#include <stdint.h>

#define NSEC_PER_MSEC 1000000ULL
#define NSEC_PER_SEC  1000000000ULL

/* Nanoseconds of Xen system time (since the host booted); never goes backwards. */
uint64_t monotonic_ns(void);
/* Nanoseconds since the Unix epoch, from Xen's wall clock. */
uint64_t wallclock_ns(void);
/* monotonic_ns() + ns, saturating at UINT64_MAX (a deadline that never comes). */
uint64_t deadline_after_ns(uint64_t ns);

/* Block the calling thread for at least ns / ms / s; other threads run meanwhile.
 * UINT64_MAX (or anything too large for the clock) sleeps forever. */
void sleep_ns(uint64_t ns);
void msleep(uint64_t ms);
unsigned int sleep(unsigned int seconds);

#endif
