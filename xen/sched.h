/* Scheduler operations (xen/sched.h): poll, yield and shutdown (blocking is arch_events_wait). */
#ifndef XEN_SCHED_H
#define XEN_SCHED_H

#include <stdint.h>
#include <xen/xen.h>
#include <xen/sched.h>

/* Sleep until port is pending or system time reaches deadline_ns (0, or any deadline
 * past INT64_MAX, as deadline_after_ns gives for a huge wait: no deadline). */
void xen_poll(evtchn_port_t port, uint64_t deadline_ns);
void xen_yield(void);
/* SHUTDOWN_poweroff, SHUTDOWN_reboot, SHUTDOWN_crash... The domain stops here. */
void xen_shutdown(unsigned int reason) __attribute__((noreturn));

#endif
