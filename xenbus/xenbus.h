/*
 * The xenbus handshake every split driver does with its backend (xen/io/xenbus.h).
 * Each end has a "state" node in xenstore; they step through
 *
 *	Initialising -> InitWait (backend ready for our details)
 *	             -> Initialised (we wrote ring-ref, event-channel...)
 *	             -> Connected (both) -> Closing -> Closed
 *
 * A frontend writes its own state and watches the backend's.
 */
#ifndef DRIVERS_XENBUS_H
#define DRIVERS_XENBUS_H

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
	struct xs_watch *watch;
	struct wait_queue state_changed;
	/* If set (after xenbus_device_init), called in the xenstore watch thread when
	 * the backend leaves: its state became Closing, Closed, or vanished (Unknown).
	 * That is how a driver learns of a hot-unplug (xl block-detach, network-detach). */
	void (*on_backend_leaving)(void *arg, int state);
	void *on_backend_leaving_arg;
};

/*
 * The device numbers under device/<class> ("vbd", "vif"), in increasing order: at most
 * max of them, *count found. No such directory is no device, not an error.
 */
int xenbus_list_devices(const char *class, unsigned int *ids, unsigned int max,
			unsigned int *count);

/* Read and check "backend" and "backend-id" under nodename; watch the backend's state. */
int xenbus_device_init(struct xenbus_device *dev, const char *nodename);
void xenbus_device_release(struct xenbus_device *dev);

int xenbus_switch_state(struct xenbus_device *dev, XenbusState state);
/*
 * Wait until the backend's state is one in the bit mask (1 << XenbusStateX | ...),
 * for at most timeout_ms. Returns that state, or -ETIMEDOUT (with the device named in
 * the log).
 */
int xenbus_wait_backend(struct xenbus_device *dev, unsigned int mask, unsigned int timeout_ms);

/* Read a backend node as an integer (strictly) or as a string (free it). */
int xenbus_read_backend_uint(struct xenbus_device *dev, const char *node, unsigned long long max,
			     unsigned long long *out);
int xenbus_read_backend(struct xenbus_device *dev, const char *node, char **value);

/*
 * Leave the connection: Closing, wait for the backend to follow, Closed, wait until
 * it has let go of the ring (each wait at most timeout_ms; a silent backend is logged).
 */
void xenbus_disconnect(struct xenbus_device *dev, unsigned int timeout_ms);

const char *xenbus_state_name(int state);

#endif
