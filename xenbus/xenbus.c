#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xenbus/xenbus.h"
#include "libc/printk.h"

int xenbus_list_devices(const char *class, unsigned int *ids, unsigned int max, unsigned int *count)
{
	char dir[32], **names, *end;
	unsigned int n, kept = 0;
	int rc;

	snprintf(dir, sizeof(dir), "device/%s", class);
	rc = xs_directory(XS_NO_TRANSACTION, dir, &names, &n);
	*count = 0;
	if (rc == -ENOENT)
		return 0; /* no device of this class */
	if (rc)
		return rc;
	for (unsigned int i = 0; i < n && kept < max; i++) {
		unsigned long v = strtoul(names[i], &end, 10);
		unsigned int j = kept;

		if (*end || end == names[i]) {
			printk("xenbus: ignoring %s/%s: not a device number\n", dir, names[i]);
			continue;
		}
		while (j > 0 && ids[j - 1] > v) { /* insertion sort: a handful of devices */
			ids[j] = ids[j - 1];
			j--;
		}
		ids[j] = (unsigned int)v;
		kept++;
	}
	free(names);
	*count = kept;
	return 0;
}

const char *xenbus_state_name(int state)
{
	static const char *const names[] = {
		"Unknown", "Initialising", "InitWait",	    "Initialised",  "Connected",
		"Closing", "Closed",	   "Reconfiguring", "Reconfigured",
	};

	return state >= 0 && state < (int)(sizeof(names) / sizeof(names[0])) ? names[state] : "?";
}

static void backend_state_changed(const char *path, void *arg)
{
	struct xenbus_device *dev = arg;
	unsigned long long state;

	if (xs_read_uint(XS_NO_TRANSACTION, path, XenbusStateReconfigured, &state))
		state = XenbusStateUnknown; /* gone or garbage: treat it as no backend */
	dev->backend_state = (int)state;
	wait_queue_wake_all(&dev->state_changed);
	if (dev->on_backend_leaving && (state == XenbusStateClosing || state == XenbusStateClosed ||
					state == XenbusStateUnknown))
		dev->on_backend_leaving(dev->on_backend_leaving_arg, (int)state);
}

int xenbus_device_init(struct xenbus_device *dev, const char *nodename)
{
	char path[96], state_path[160], *backend;
	unsigned long long id;
	int rc;

	memset(dev, 0, sizeof(*dev));
	strlcpy(dev->nodename, nodename, sizeof(dev->nodename));
	snprintf(path, sizeof(path), "%s/backend-id", nodename);
	rc = xs_read_uint(XS_NO_TRANSACTION, path, DOMID_FIRST_RESERVED - 1, &id);
	if (rc)
		return rc;
	dev->backend_id = (domid_t)id;
	snprintf(path, sizeof(path), "%s/backend", nodename);
	rc = xs_read(XS_NO_TRANSACTION, path, &backend);
	if (rc)
		return rc;
	if (backend[0] != '/' || strlen(backend) >= sizeof(dev->backend)) {
		printk("%s: backend path '%s' is not an absolute xenstore path\n", nodename,
		       backend);
		free(backend);
		return -EINVAL;
	}
	strlcpy(dev->backend, backend, sizeof(dev->backend));
	free(backend);

	wait_queue_init(&dev->state_changed);
	dev->backend_state = XenbusStateUnknown;
	snprintf(state_path, sizeof(state_path), "%s/state", dev->backend);
	dev->watch = xs_watch(state_path, backend_state_changed, dev);
	return dev->watch ? 0 : -EIO;
}

void xenbus_device_release(struct xenbus_device *dev)
{
	if (dev->watch)
		xs_unwatch(dev->watch);
	dev->watch = NULL;
}

int xenbus_switch_state(struct xenbus_device *dev, XenbusState state)
{
	char path[96];

	snprintf(path, sizeof(path), "%s/state", dev->nodename);
	return xs_printf(XS_NO_TRANSACTION, path, "%d", state);
}

/* Read the backend's state node directly (the watch may be slow to tell). */
static void poll_backend_state(struct xenbus_device *dev)
{
	char path[160];
	unsigned long long state;

	snprintf(path, sizeof(path), "%s/state", dev->backend);
	if (xs_read_uint(XS_NO_TRANSACTION, path, XenbusStateReconfigured, &state))
		state = XenbusStateUnknown;
	dev->backend_state = (int)state;
}

int xenbus_wait_backend(struct xenbus_device *dev, unsigned int mask, unsigned int timeout_ms)
{
	uint64_t deadline = monotonic_ns() + (uint64_t)timeout_ms * NSEC_PER_MSEC;

	/*
	 * The watch wakes us as soon as the state changes, but watch callbacks run in one
	 * thread: if that thread is the caller (a shutdown handler disconnecting its
	 * disks), no callback can come. So also read the node every 100 ms.
	 */
	for (;;) {
		uint64_t now = monotonic_ns();

		if (mask & (1u << dev->backend_state))
			return dev->backend_state;
		if (now >= deadline)
			break;
		wait_event_timeout(&dev->state_changed, mask & (1u << dev->backend_state),
				   deadline - now < 100 * NSEC_PER_MSEC ? deadline - now
									: 100 * NSEC_PER_MSEC);
		poll_backend_state(dev);
	}
	printk("%s: backend %s stuck in state %s\n", dev->nodename, dev->backend,
	       xenbus_state_name(dev->backend_state));
	return -ETIMEDOUT;
}

int xenbus_read_backend_uint(struct xenbus_device *dev, const char *node, unsigned long long max,
			     unsigned long long *out)
{
	char path[192];

	snprintf(path, sizeof(path), "%s/%s", dev->backend, node);
	return xs_read_uint(XS_NO_TRANSACTION, path, max, out);
}

int xenbus_read_backend(struct xenbus_device *dev, const char *node, char **value)
{
	char path[192];

	snprintf(path, sizeof(path), "%s/%s", dev->backend, node);
	return xs_read(XS_NO_TRANSACTION, path, value);
}

void xenbus_disconnect(struct xenbus_device *dev, unsigned int timeout_ms)
{
	const unsigned int gone =
		1u << XenbusStateClosing | 1u << XenbusStateClosed | 1u << XenbusStateUnknown;

	if (xenbus_switch_state(dev, XenbusStateClosing))
		return;
	if (xenbus_wait_backend(dev, gone, timeout_ms) < 0)
		return;
	xenbus_switch_state(dev, XenbusStateClosed);
	/* Closed (or back to InitWait, ready for a new frontend): the backend has unmapped
	 * our ring, so its grants can end. */
	xenbus_wait_backend(
		dev, 1u << XenbusStateClosed | 1u << XenbusStateUnknown | 1u << XenbusStateInitWait,
		timeout_ms);
}
