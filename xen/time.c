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

uint64_t monotonic_ns(void)
{
	const shared_info_t *s = boot_info.shared_info;
	const volatile struct vcpu_time_info *t = &s->vcpu_info[0].time;
	uint32_t version;
	uint64_t ns;

	/* Xen bumps version to odd before an update and to even after: retry on change. */
	do {
		version = t->version;
		virt_rmb(); /* read the version before the fields it guards */
		ns = t->system_time + scale_delta(arch_rdtsc() - t->tsc_timestamp,
						  t->tsc_to_system_mul, t->tsc_shift);
		virt_rmb(); /* read the fields before checking the version again */
	} while ((version & 1) || version != t->version);

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

void timer_set_deadline(uint64_t deadline_ns)
{
	struct vcpu_set_singleshot_timer t = {.timeout_abs_ns = deadline_ns, .flags = 0};

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
