#include <skiff/time.h>

#include "xenbus/event_throttle.h"
#include "libc/printk.h"
#include "xen/events.h"

void event_throttle(struct event_throttle *t, const evtchn_port_t *ports, unsigned int n,
		    bool had_work, const bool *broken, const char *name)
{
	if (had_work) {
		t->empty = 0;
		t->delay_ms = 0;
		return;
	}
	if (++t->empty < EVENT_STORM_RUN)
		return;
	if (t->delay_ms == 0) {
		printk("%s: event storm from the backend (%u empty events in a row): "
		       "throttling\n",
		       name, t->empty);
		t->delay_ms = EVENT_STORM_MIN_MS;
	}
	t->storms++;
	t->empty = 0;
	/* Masked, the backend's notifications only set the pending bit: one wake-up
	 * after the pause, however many it sent. */
	for (unsigned int i = 0; i < n; i++)
		evtchn_mask(ports[i]);
	msleep(t->delay_ms);
	for (unsigned int i = 0; i < n && !*broken; i++)
		evtchn_unmask(ports[i]);
	if (t->delay_ms < EVENT_STORM_MAX_MS)
		t->delay_ms =
			t->delay_ms * 2 < EVENT_STORM_MAX_MS ? t->delay_ms * 2 : EVENT_STORM_MAX_MS;
}
