/*
 * Event channels, 2-level ABI (xen/event_channel.h): a pending and a mask bitmap of
 * 4096 ports in shared_info, and a per-vCPU selector word saying which 64-port words
 * to look at. Xen raises an upcall (arch/x86_64/entry.S) when a port becomes pending
 * while unmasked; events_upcall() runs the handler bound to each pending port.
 */
#ifndef XEN_EVENTS_H
#define XEN_EVENTS_H

#include <stdbool.h>
#include <stdint.h>
#include <xen/xen.h>
#include <xen/event_channel.h>

/* Ports we can bind handlers to; Xen hands out low numbers first. */
#define EVTCHN_MAX_PORTS 1024

typedef void (*evtchn_handler_t)(evtchn_port_t port, void *arg);

void events_init(void);

/* Bind a handler to a port and unmask it. Handlers run with events masked, on the
 * stack of whatever was interrupted: they must be short and must not block.
 * -EINVAL for a port beyond EVTCHN_MAX_PORTS, -EBUSY if it already has a handler. */
int evtchn_bind(evtchn_port_t port, evtchn_handler_t handler, void *arg);
/* Ask Xen for a port carrying a virtual IRQ (VIRQ_TIMER, ...) and bind it. */
int evtchn_bind_virq(uint32_t virq, evtchn_handler_t handler, void *arg, evtchn_port_t *port);
/* A new port for a backend in domain remote to bind to (the split-driver handshake). */
int evtchn_alloc_unbound(domid_t remote, evtchn_port_t *port);
/* Unbind the handler, close the port and drop an event still pending on it. */
void evtchn_close(evtchn_port_t port);
void evtchn_mask(evtchn_port_t port);
void evtchn_unmask(evtchn_port_t port);
void evtchn_clear(evtchn_port_t port);
int evtchn_notify(evtchn_port_t port);

/* Mask event delivery on this vCPU, returning the previous state (like irq_save). */
unsigned long events_save_disable(void);
void events_restore(unsigned long flags);
/* Called with events disabled: wait until one has been handled, return disabled. */
void events_wait(void);

#endif
