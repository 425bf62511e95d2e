/*
 * One lifecycle for every frontend (frontend.h says what it does; this file is how).
 *
 * Who runs what: frontend_open() runs in the caller's thread until the device is
 * connected; from then on the device's own thread owns it. That thread serves the
 * event channel, learns from the xenbus watch (a notify-only watch: it wakes the
 * thread, it runs no code of ours in the shared watch thread) that the backend is
 * leaving, and runs the disconnect. A close from another thread asks the device's
 * thread to disconnect and waits for it; a close from the device's own thread (a
 * completion callback) disconnects right there.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <skiff/shutdown.h>

#include "libc/printk.h"
#include "xen/events.h"
#include "xen/time.h"
#include "xenbus/frontend.h"

#define CONNECT_TIMEOUT_MS    30000 /* hotplug scripts under TCG take seconds */
#define DISCONNECT_TIMEOUT_MS 5000  /* each of: drain, backend Closing, backend Closed */

static struct frontend *open_list;
static bool hook_registered;

/* ---- the open list, and closing everything before the domain stops -------------- */

static void unlink_open(struct frontend *fe)
{
	for (struct frontend **p = &open_list; *p; p = &(*p)->next_open) {
		if (*p == fe) {
			*p = fe->next_open;
			return;
		}
	}
}

bool frontend_is_open(const char *class, unsigned int id)
{
	for (struct frontend *fe = open_list; fe; fe = fe->next_open)
		if (fe->id == id && !strcmp(fe->ops->class, class))
			return true;
	return false;
}

/* At exit and shutdown: every frontend_close() unlinks its device, so this ends. */
static void close_all(void *arg)
{
	while (open_list)
		frontend_close(open_list);
}

int frontend_list(const char *class, unsigned int *ids, unsigned int max, unsigned int *count)
{
	return xenbus_list_devices(class, ids, max, count);
}

/* ---- failure -------------------------------------------------------------------- */

static void mask_ports(struct frontend *fe)
{
	for (unsigned int i = 0; i < fe->nr_ports; i++)
		evtchn_mask(fe->ports[i]);
}

void frontend_break(struct frontend *fe, const char *fmt, ...)
{
	unsigned int lost = fe->ops->in_flight(fe);
	va_list ap;

	if (fe->broken)
		return;
	fe->broken = true;
	mask_ports(fe);
	printk("%s %s: ", fe->ops->driver, fe->name);
	va_start(ap, fmt);
	vprintk(fmt, ap);
	va_end(ap);
	printk("; device disabled, %u request(s) failed\n", lost);
	fe->ops->fail_all(fe);
	wait_queue_wake_all(&fe->kick); /* its thread runs ops->broken */
}

/* Broken, and ops->broken not run yet. */
static bool break_untold(const struct frontend *fe)
{
	return fe->broken && !fe->broken_told;
}

/* After a break, once, in the device's thread (frontend_break may run in the app's). */
static void tell_broken(struct frontend *fe)
{
	fe->broken_told = true;
	if (fe->ops->broken)
		fe->ops->broken(fe);
}

/* ---- events --------------------------------------------------------------------- */

static void frontend_event(evtchn_port_t port, void *arg)
{
	struct frontend *fe = arg;

	fe->event_pending = true;
	wait_queue_wake_all(&fe->kick);
}

void frontend_notify_on(struct frontend *fe, unsigned int which)
{
	evtchn_notify(fe->ports[which < fe->nr_ports ? which : 0]);
}

/* Reap what the backend answered; throttle a backend that only makes noise. */
static void serve_events(struct frontend *fe)
{
	bool work;

	fe->event_pending = false; /* before reading: an event after this is not lost */
	work = fe->ops->process(fe);
	if (frontend_usable(fe))
		event_throttle(&fe->throttle, fe->ports, fe->nr_ports, work, &fe->broken, fe->name);
}

/* ---- disconnecting -------------------------------------------------------------- */

/* Keep reaping answers until the backend holds no request (or it is gone, or 5 s). */
static void drain(struct frontend *fe)
{
	uint64_t deadline = deadline_after_ns(DISCONNECT_TIMEOUT_MS * NSEC_PER_MSEC);

	while (!fe->broken && fe->nr_ports && fe->ops->in_flight(fe)) {
		uint64_t now = monotonic_ns();

		if (now >= deadline)
			break;
		if (fe->xb.state_dirty)
			xenbus_read_backend_state(&fe->xb);
		if (fe->xb.backend_state == XenbusStateClosed ||
		    fe->xb.backend_state == XenbusStateUnknown)
			break; /* it has let go of the ring: no answer can come */
		fe->event_pending = false;
		fe->ops->process(fe);
		if (fe->ops->in_flight(fe))
			wait_event_timeout(&fe->kick, fe->event_pending || fe->xb.state_dirty,
					   deadline - now);
	}
}

/* Our nodes go, so that a reopen (or another frontend) starts from a clean slate. */
static void remove_nodes(struct frontend *fe)
{
	for (unsigned int i = 0; i < fe->nr_nodes; i++) {
		char path[96];

		snprintf(path, sizeof(path), "%s/%s", fe->xb.nodename, fe->nodes[i]);
		xs_rm(XS_NO_TRANSACTION, path); /* gone already if the toolstack removed us */
	}
	fe->nr_nodes = 0;
}

/* Closing -> Closed, each step waiting (bounded) for the backend to follow. */
static void leave_xenbus(struct frontend *fe)
{
	const unsigned int left =
		1u << XenbusStateClosing | 1u << XenbusStateClosed | 1u << XenbusStateUnknown;
	const unsigned int let_go =
		1u << XenbusStateClosed | 1u << XenbusStateUnknown | 1u << XenbusStateInitWait;

	if (xenbus_switch_state(&fe->xb, XenbusStateClosing) == 0 &&
	    xenbus_wait_backend(&fe->xb, left, DISCONNECT_TIMEOUT_MS) >= 0)
		xenbus_switch_state(&fe->xb, XenbusStateClosed);
	/* Closed (or back to InitWait, ready for a new frontend): the backend has unmapped
	 * our ring, so its grants can end. Wait for it even if our node is gone. */
	xenbus_wait_backend(&fe->xb, let_go, DISCONNECT_TIMEOUT_MS);
}

/*
 * The one way out, for a connected device and for an open that failed half-way.
 * Runs in the device's thread (or in the opener's, before that thread exists).
 */
static void disconnect(struct frontend *fe)
{
	bool was_connected = fe->state == FRONTEND_CONNECTED;
	unsigned int lost;

	fe->state = FRONTEND_CLOSING;
	if (fe->ops->closing)
		fe->ops->closing(fe);
	drain(fe);
	lost = fe->ops->in_flight(fe);
	if (lost)
		printk("%s %s: %u request(s) unanswered at close: failed\n", fe->ops->driver,
		       fe->name, lost);
	fe->ops->fail_all(fe);
	mask_ports(fe);
	leave_xenbus(fe);
	while (fe->nr_ports)
		evtchn_close(fe->ports[--fe->nr_ports]);
	fe->ops->release(fe);
	remove_nodes(fe);
	xenbus_device_release(&fe->xb);
	fe->state = FRONTEND_CLOSED;
	wait_queue_wake_all(&fe->closed);
	if (was_connected)
		printk("%s %s: disconnected\n", fe->ops->driver, fe->name);
}

/* ---- the device's thread -------------------------------------------------------- */

/* The backend's state changed: true if it is leaving (a hot-unplug, a teardown). */
static bool backend_leaving(struct frontend *fe)
{
	int state = xenbus_read_backend_state(&fe->xb);

	if (!xenbus_state_is_leaving(state))
		return false;
	printk("%s %s: the backend is going away (%s): detaching\n", fe->ops->driver, fe->name,
	       xenbus_state_name(state));
	return true;
}

static void wait_for_work(struct frontend *fe)
{
	uint64_t deadline = fe->ops->next_deadline && !fe->broken ? fe->ops->next_deadline(fe) : 0;
	uint64_t now = monotonic_ns();

#define WORK (fe->event_pending || fe->xb.state_dirty || fe->close_asked || break_untold(fe))
	if (!deadline)
		wait_event(&fe->kick, WORK);
	else if (deadline > now && !wait_event_timeout(&fe->kick, WORK, deadline - now))
		fe->ops->check_timeouts(fe, monotonic_ns());
	else if (deadline <= now)
		fe->ops->check_timeouts(fe, now);
#undef WORK
}

static int frontend_thread(void *arg)
{
	struct frontend *fe = arg;

	while (fe->state == FRONTEND_CONNECTED) {
		wait_for_work(fe);
		if (fe->state != FRONTEND_CONNECTED)
			break; /* closed from a callback of ours, right here */
		if (fe->close_asked || (fe->xb.state_dirty && backend_leaving(fe))) {
			disconnect(fe);
			break;
		}
		if (break_untold(fe))
			tell_broken(fe);
		if (fe->event_pending && fe->broken)
			fe->event_pending = false; /* nothing to serve; left set, it would spin */
		else if (fe->event_pending)
			serve_events(fe);
	}
	if (fe->app_closed) {
		/* Closed from one of our own callbacks: nobody will join us. */
		thread_detach(thread_self());
		fe->ops->free(fe);
	}
	return 0;
}

/* ---- connecting ----------------------------------------------------------------- */

int frontend_write_node(struct frontend *fe, xs_transaction_t t, const char *node, const char *fmt,
			...)
{
	char path[96], value[64];
	va_list ap;
	unsigned int i;

	va_start(ap, fmt);
	vsnprintf(value, sizeof(value), fmt, ap);
	va_end(ap);
	for (i = 0; i < fe->nr_nodes && strcmp(fe->nodes[i], node); i++)
		; /* a retried transaction writes the same nodes again */
	if (i == fe->nr_nodes) {
		if (i == FRONTEND_MAX_NODES || strlen(node) >= sizeof(fe->nodes[i]))
			return -E2BIG;
		strlcpy(fe->nodes[fe->nr_nodes++], node, sizeof(fe->nodes[0]));
	}
	snprintf(path, sizeof(path), "%s/%s", fe->xb.nodename, node);
	return xs_write(t, path, value);
}

static int write_nodes(xs_transaction_t t, void *arg)
{
	struct frontend *fe = arg;
	char path[96];
	int rc = fe->ops->write_nodes(fe, t);

	if (!rc && fe->nr_ports == 2) {
		rc = frontend_write_node(fe, t, fe->ops->split_event_nodes[0], "%u", fe->ports[0]);
		if (!rc)
			rc = frontend_write_node(fe, t, fe->ops->split_event_nodes[1], "%u",
						 fe->ports[1]);
	} else if (!rc) {
		rc = frontend_write_node(fe, t, "event-channel", "%u", fe->ports[0]);
	}
	snprintf(path, sizeof(path), "%s/state", fe->xb.nodename);
	if (!rc)
		rc = xs_printf(t, path, "%d", fe->ops->publish_state);
	return rc;
}

/* The event channel and the rings, then our half of the handshake in one transaction. */
static int publish(struct frontend *fe)
{
	unsigned int want = fe->ops->split_events && fe->ops->split_events(fe) ? 2 : 1;
	int rc = 0;

	/* Both channels wake the one thread: which fired matters only to the backend, whose
	 * TX and RX work then need not wake each other. */
	for (unsigned int i = 0; !rc && i < want; i++) {
		rc = evtchn_alloc_unbound(fe->xb.backend_id, &fe->ports[i]);
		if (!rc) {
			fe->nr_ports++; /* from here on the disconnect closes it */
			rc = evtchn_bind(fe->ports[i], frontend_event, fe);
		}
	}
	if (!rc)
		rc = fe->ops->alloc(fe);
	if (rc) {
		printk("%s %s: cannot set up the ring (%s)\n", fe->ops->driver, fe->name,
		       strerror_name(rc));
		return rc;
	}
	rc = xs_transact(write_nodes, fe);
	if (rc)
		printk("%s %s: cannot publish the ring (%s)\n", fe->ops->driver, fe->name,
		       strerror_name(rc));
	return rc;
}

static int connect(struct frontend *fe)
{
	const unsigned int ready = 1u << XenbusStateInitWait | 1u << XenbusStateInitialised |
				   1u << XenbusStateConnected;
	int rc, state;

	/*
	 * Initialising first: a Linux backend that a previous frontend left Closed goes
	 * back to InitWait only when it sees that (close, then reopen or resume).
	 */
	rc = xenbus_switch_state(&fe->xb, XenbusStateInitialising);
	if (!rc && fe->ops->probe)
		rc = fe->ops->probe(fe);
	if (rc)
		return rc;
	state = xenbus_wait_backend(&fe->xb, ready, CONNECT_TIMEOUT_MS);
	if (state < 0)
		return state;
	rc = publish(fe);
	if (rc)
		return rc;
	state = xenbus_wait_backend(&fe->xb, 1u << XenbusStateConnected, CONNECT_TIMEOUT_MS);
	if (state < 0)
		return state;
	rc = fe->ops->connected(fe);
	if (!rc && fe->ops->publish_state != XenbusStateConnected)
		rc = xenbus_switch_state(&fe->xb, XenbusStateConnected);
	return rc;
}

int frontend_open(struct frontend *fe, const struct frontend_ops *ops, unsigned int id)
{
	char node[64];
	int rc;

	if (frontend_is_open(ops->class, id)) {
		printk("%s %s: already open\n", ops->driver, fe->name);
		return -EBUSY;
	}
	if (!hook_registered && skiff_at_shutdown(close_all, NULL) == 0)
		hook_registered = true;
	fe->ops = ops;
	fe->id = id;
	fe->state = FRONTEND_CONNECTING;
	wait_queue_init(&fe->kick);
	wait_queue_init(&fe->closed);
	snprintf(node, sizeof(node), "device/%s/%u", ops->class, id);
	rc = xenbus_device_init(&fe->xb, node, &fe->kick);
	if (rc) {
		printk("%s %s: no usable %s (%s)\n", ops->driver, fe->name, node,
		       strerror_name(rc));
		xenbus_device_release(&fe->xb);
		return rc;
	}
	rc = connect(fe);
	if (!rc) {
		fe->state = FRONTEND_CONNECTED;
		fe->thread = thread_create(fe->name, frontend_thread, fe);
		if (!fe->thread)
			rc = -ENOMEM;
	}
	if (rc) {
		printk("%s %s: not connected (%s)\n", ops->driver, fe->name, strerror_name(rc));
		disconnect(fe); /* the same orderly way out as a close */
		return rc;
	}
	fe->next_open = open_list;
	open_list = fe;
	return 0;
}

/* ---- closing -------------------------------------------------------------------- */

void frontend_close(struct frontend *fe)
{
	unlink_open(fe);
	if (fe->thread == thread_self()) {
		/* From a callback of ours: disconnect here; our thread frees fe once the
		 * callback has returned (frontend_thread). */
		fe->app_closed = true;
		if (fe->state == FRONTEND_CONNECTED)
			disconnect(fe);
		return;
	}
	if (fe->state == FRONTEND_CONNECTED) {
		fe->close_asked = true;
		wait_queue_wake_all(&fe->kick);
	}
	/* Ours, or one the thread already runs (the backend left): wait for its end. */
	wait_event(&fe->closed, fe->state == FRONTEND_CLOSED);
	if (fe->thread)
		thread_join(fe->thread, NULL);
	fe->ops->free(fe);
}
