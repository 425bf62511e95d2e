#include <skiff/time.h>

#include "xenbus/event_throttle.h"
#include "libc/printk.h"
#include "xen/events.h"

void event_throttle(struct event_throttle *t, evtchn_port_t port, bool had_work, const bool *broken,
		    const char *name)
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
	evtchn_mask(port);
	msleep(t->delay_ms);
	if (!*broken)
		evtchn_unmask(port);
	if (t->delay_ms < EVENT_STORM_MAX_MS)
		t->delay_ms =
			t->delay_ms * 2 < EVENT_STORM_MAX_MS ? t->delay_ms * 2 : EVENT_STORM_MAX_MS;
}
