#include <stdint.h>
#include <xen/xen.h>
#include <xen/vcpu.h>

#include <arch.h>
#include <hypercall.h>
#include "libc/printk.h"
#include "xen/events.h"
#include "xen/time.h"

static bool ready;
static uint64_t last_ns;

bool time_ready(void)
{
	return ready;
}

/* ((delta << shift) * mul) >> 32, with the 96-bit intermediate kept exact. */
static uint64_t scale_delta(uint64_t delta, uint32_t mul, int8_t shift)
{
	if (shift < 0)
		delta >>= -shift;
	else
		delta <<= shift;
	return (uint64_t)(((unsigned __int128)delta * mul) >> 32);
}

/*
 * System time at TSC value tsc, from one consistent snapshot of vcpu_time_info
 * (xen.h: system_time + ((tsc - tsc_timestamp) << tsc_shift) * mul >> 32).
 */
static uint64_t pvclock_ns(const struct vcpu_time_info *t, uint64_t tsc)
{
	/*
	 * The difference is taken modulo 2^64, then read as signed. A new domain's TSC
	 * starts near 0 (Xen offsets it), and the first stamp Xen gives it may be from just
	 * before that: tsc_timestamp = 2^64 - a few million while the TSC reads a few
	 * hundred million. That is a small positive delta, not a TSC behind the stamp.
	 * Only a truly negative delta (a TSC read before Xen took its stamp) means no time
	 * has passed yet; unsigned, it would wrap to ~2^64 cycles.
	 */
	int64_t delta = (int64_t)(tsc - t->tsc_timestamp);

	if (delta < 0)
		delta = 0;
	return t->system_time + scale_delta((uint64_t)delta, t->tsc_to_system_mul, t->tsc_shift);
}

/* Copy the snapshot Xen keeps in shared memory, with a TSC read that goes with it. */
static void pvclock_read(const volatile struct vcpu_time_info *src, struct vcpu_time_info *snap,
			 uint64_t *tsc)
{
	uint32_t version;

	/* Xen bumps version to odd before an update and to even after: retry on change. */
	do {
		version = src->version;
		virt_rmb(); /* read the version before the fields it guards */
		snap->tsc_timestamp = src->tsc_timestamp;
		snap->system_time = src->system_time;
		snap->tsc_to_system_mul = src->tsc_to_system_mul;
		snap->tsc_shift = src->tsc_shift;
		*tsc = arch_rdtsc(); /* ordered after the loads above (arch.h) */
		virt_rmb();	     /* read the fields before checking the version again */
	} while ((version & 1) || version != src->version);
}

uint64_t monotonic_ns(void)
{
	const shared_info_t *s = boot_info.shared_info;
	struct vcpu_time_info snap;
	uint64_t tsc, ns;

	pvclock_read(&s->vcpu_info[0].time, &snap, &tsc);
	ns = pvclock_ns(&snap, tsc);
	/* Successive pvclock updates may step back a few ns; never show that to callers. */
	if (ns < last_ns)
		ns = last_ns;
	last_ns = ns;
	return ns;
}

uint64_t wallclock_ns(void)
{
	const volatile shared_info_t *s = boot_info.shared_info;
	uint32_t version;
	uint64_t sec, nsec;

	do {
		version = s->wc_version;
		virt_rmb();
		sec = ((uint64_t)s->xen_wc_sec_hi << 32) | s->wc_sec;
		nsec = s->wc_nsec;
		virt_rmb();
	} while ((version & 1) || version != s->wc_version);
	return sec * 1000000000ULL + nsec + monotonic_ns();
}

uint64_t deadline_after_ns(uint64_t ns)
{
	uint64_t now = monotonic_ns();

	return ns > UINT64_MAX - now ? UINT64_MAX : now + ns;
}

void timer_set_deadline(uint64_t deadline_ns)
{
	struct vcpu_set_singleshot_timer t = {.timeout_abs_ns = deadline_ns, .flags = 0};

	/* Xen keeps timers in s_time_t (signed): past INT64_MAX it reads as a time long
	 * gone and would fire at once, again and again. Such a deadline is never. */
	if (deadline_ns > INT64_MAX) {
		HYPERVISOR_vcpu_op(VCPUOP_stop_singleshot_timer, 0, NULL);
		return;
	}
	/* flags 0: a deadline already past fires at once instead of failing with -ETIME. */
	HYPERVISOR_vcpu_op(VCPUOP_set_singleshot_timer, 0, &t);
}

static void timer_event(evtchn_port_t port, void *arg)
{
	/* Nothing to do here: the scheduler checks its sleepers whenever it runs. */
}

void time_init(void)
{
	evtchn_port_t port;

	/* PV vCPUs start with a periodic tick; we only want the timers we ask for. */
	HYPERVISOR_vcpu_op(VCPUOP_stop_periodic_timer, 0, NULL);
	if (evtchn_bind_virq(VIRQ_TIMER, timer_event, NULL, &port))
		printk("time: no timer interrupt, sleeps will not wake\n");
	ready = true;
}
