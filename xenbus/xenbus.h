/*
 * The xenbus handshake every split driver does with its backend (xen/io/xenbus.h).
 * Each end has a "state" node in xenstore; they step through
 *
 *	Initialising -> InitWait (backend ready for our details)
 *	             -> Initialised (we wrote ring-ref, event-channel...)
 *	             -> Connected (both) -> Closing -> Closed
 *
 * A frontend writes its own state and watches the backend's. These are the steps;
 * xenbus/frontend.h puts them together into the one lifecycle every driver uses.
 */
#ifndef XENBUS_XENBUS_H
#define XENBUS_XENBUS_H

#include <stdbool.h>
#include <stdint.h>
#include <skiff/thread.h>
#include <skiff/xenstore.h>
#include <xen/xen.h>
#include <xen/io/xenbus.h>

struct xenbus_device {
	char nodename[64]; /* ours: "device/vbd/51712" */
	char backend[128]; /* the backend's directory, from our "backend" node */
	domid_t backend_id;
	int backend_state; /* XenbusState*, as last read */
	/* Set by the watch (in the xenstore reader thread) when the backend's state node
	 * changed; cleared by whoever reads the node again (xenbus_read_backend_state). */
	bool state_dirty;
	struct xs_watch *watch;
	struct wait_queue state_changed;
	/* Woken too when the state changes: the device's own thread waits there. */
	struct wait_queue *also_wake;
};

/*
 * The device numbers under device/<class> ("vbd", "vif"), in increasing order: at most
 * max of them, *count found. No such directory is no device, not an error; a name that
 * is not a plain decimal number is skipped with a log line.
 */
int xenbus_list_devices(const char *class, unsigned int *ids, unsigned int max,
			unsigned int *count);

/* Read and check "backend" and "backend-id" under nodename; watch the backend's state
 * (the watch wakes state_changed and *also_wake; no thread of ours runs for it). */
int xenbus_device_init(struct xenbus_device *dev, const char *nodename,
		       struct wait_queue *also_wake);
void xenbus_device_release(struct xenbus_device *dev);

/*
 * Write our state, in a transaction that finds our node first: once the toolstack has
 * removed our directory (the domain or device is going away), a late write would make
 * an orphan node, so it is not done and -ENOENT returned.
 */
int xenbus_switch_state(struct xenbus_device *dev, XenbusState state);

/* Read the backend's state node now (Unknown if it is gone or garbage). */
int xenbus_read_backend_state(struct xenbus_device *dev);
/* The backend is leaving, or gone: Closing, Closed or Unknown. */
bool xenbus_state_is_leaving(int state);
/*
 * Wait until the backend's state is one in the bit mask (1 << XenbusStateX | ...),
 * for at most timeout_ms. Returns that state, or -ETIMEDOUT (with the device named in
 * the log). Woken by the watch; nothing polls.
 */
int xenbus_wait_backend(struct xenbus_device *dev, unsigned int mask, unsigned int timeout_ms);

/* Read a backend node as an integer (strictly) or as a string (free it). */
int xenbus_read_backend_uint(struct xenbus_device *dev, const char *node, unsigned long long max,
			     unsigned long long *out);
int xenbus_read_backend(struct xenbus_device *dev, const char *node, char **value);

const char *xenbus_state_name(int state);

#endif
