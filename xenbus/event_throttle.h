/*
 * Throttling the events of an untrusted backend (XSA-391). A backend can notify its
 * event channel as fast as it likes; each notification wakes the driver's thread,
 * which then finds nothing to do. A driver reports after each wake-up whether it found
 * work; after a run of empty wake-ups the channel is masked for a while, doubling up to
 * a limit while the storm lasts, so a malicious backend costs the guest a bounded
 * share of its time instead of all of it. Real work resets the count and the delay.
 */
#ifndef DRIVERS_EVENT_THROTTLE_H
#define DRIVERS_EVENT_THROTTLE_H

#include <stdbool.h>
#include <stdint.h>
#include <xen/xen.h>
#include <xen/event_channel.h>

/* Empty wake-ups in a row before the channel is masked; the delays that follow. */
#define EVENT_STORM_RUN	   64
#define EVENT_STORM_MIN_MS 1
#define EVENT_STORM_MAX_MS 100

struct event_throttle {
	unsigned int empty;    /* wake-ups in a row that found no work */
	unsigned int delay_ms; /* the next pause, 0 when no storm */
	uint64_t storms;       /* pauses taken, for the log and the tests */
};

/*
 * Call after each wake-up of the thread that serves the n ports. May sleep (with the
 * ports masked) before returning; they stay masked if *broken became true meanwhile
 * (a broken device listens to its backend no more). name prefixes the one log line
 * per storm.
 */
void event_throttle(struct event_throttle *t, const evtchn_port_t *ports, unsigned int n,
		    bool had_work, const bool *broken, const char *name);

#endif
