/*
 * Time for the POSIX layer: Xen's wallclock (REALTIME) and system time (MONOTONIC),
 * both from the pvclock (xen/time.c), in nanoseconds.
 */
#include <errno.h>
#include <skiff/time.h>

#include "posix/sys.h"

int sys_clock_gettime(int clock, struct sys_timespec *ts)
{
	uint64_t ns;

	switch (clock) {
	case SYS_CLOCK_REALTIME:
		ns = wallclock_ns();
		break;
	case SYS_CLOCK_MONOTONIC:
		ns = monotonic_ns();
		break;
	default:
		return -EINVAL;
	}
	ts->sec = (int64_t)(ns / NSEC_PER_SEC);
	ts->nsec = (long)(ns % NSEC_PER_SEC);
	return 0;
}

int sys_clock_getres(int clock, struct sys_timespec *ts)
{
	if (clock != SYS_CLOCK_REALTIME && clock != SYS_CLOCK_MONOTONIC)
		return -EINVAL;
	ts->sec = 0;
	ts->nsec = 1;
	return 0;
}

int sys_nanosleep(const struct sys_timespec *req)
{
	if (req->sec < 0 || req->nsec < 0 || req->nsec >= (long)NSEC_PER_SEC)
		return -EINVAL;
	/* A sleep too long for 64 bits of nanoseconds (584 years) is a sleep for ever. */
	if ((uint64_t)req->sec > (UINT64_MAX - NSEC_PER_SEC) / NSEC_PER_SEC)
		sleep_ns(UINT64_MAX);
	else
		sleep_ns((uint64_t)req->sec * NSEC_PER_SEC + (uint64_t)req->nsec);
	return 0;
}
