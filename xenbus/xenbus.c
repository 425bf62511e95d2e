#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libc/printk.h"
#include "xen/time.h"
#include "xen/xs_wire.h"
#include "xenbus/xenbus.h"

int xenbus_list_devices(const char *class, unsigned int *ids, unsigned int max, unsigned int *count)
{
	char dir[32], **names;
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
		unsigned long long v;
		unsigned int j = kept;

		/* The toolstack names devices by number; anything else is not ours to guess. */
		if (xs_parse_uint(names[i], UINT32_MAX, &v)) {
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

bool xenbus_state_is_leaving(int state)
{
	return state == XenbusStateClosing || state == XenbusStateClosed ||
	       state == XenbusStateUnknown;
}

/* In the xenstore reader thread: only note it and wake whoever waits. */
static void backend_state_changed(void *arg)
{
	struct xenbus_device *dev = arg;

	dev->state_dirty = true;
	wait_queue_wake_all(&dev->state_changed);
	if (dev->also_wake)
		wait_queue_wake_all(dev->also_wake);
}

int xenbus_device_init(struct xenbus_device *dev, const char *nodename,
		       struct wait_queue *also_wake)
{
	char path[96], state_path[160], *backend;
	unsigned long long id;
	int rc;

	memset(dev, 0, sizeof(*dev));
	strlcpy(dev->nodename, nodename, sizeof(dev->nodename));
	wait_queue_init(&dev->state_changed);
	dev->also_wake = also_wake;
	dev->backend_state = XenbusStateUnknown;
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

	snprintf(state_path, sizeof(state_path), "%s/state", dev->backend);
	rc = xs_watch_notify(state_path, backend_state_changed, dev, &dev->watch);
	if (rc)
		return rc;
	xenbus_read_backend_state(dev);
	return 0;
}

void xenbus_device_release(struct xenbus_device *dev)
{
	if (dev->watch)
		xs_unwatch(dev->watch);
	dev->watch = NULL;
}

struct state_write {
	const char *path;
	XenbusState state;
};

static int write_state(xs_transaction_t t, void *arg)
{
	struct state_write *w = arg;
	char *old;
	int rc = xs_read(t, w->path, &old);

	if (rc)
		return rc; /* -ENOENT: our node is gone; aborting writes nothing */
	free(old);
	return xs_printf(t, w->path, "%d", w->state);
}

int xenbus_switch_state(struct xenbus_device *dev, XenbusState state)
{
	char path[96];
	struct state_write w = {.path = path, .state = state};

	snprintf(path, sizeof(path), "%s/state", dev->nodename);
	return xs_transact(write_state, &w);
}

int xenbus_read_backend_state(struct xenbus_device *dev)
{
	char path[160];
	unsigned long long state;

	dev->state_dirty = false; /* before reading: a change after this is not lost */
	snprintf(path, sizeof(path), "%s/state", dev->backend);
	if (xs_read_uint(XS_NO_TRANSACTION, path, XenbusStateReconfigured, &state))
		state = XenbusStateUnknown; /* gone or garbage: treat it as no backend */
	dev->backend_state = (int)state;
	return dev->backend_state;
}

int xenbus_wait_backend(struct xenbus_device *dev, unsigned int mask, unsigned int timeout_ms)
{
	uint64_t deadline = deadline_after_ns((uint64_t)timeout_ms * NSEC_PER_MSEC);

	for (;;) {
		uint64_t now = monotonic_ns();

		if (dev->state_dirty)
			xenbus_read_backend_state(dev);
		if (mask & (1u << dev->backend_state))
			return dev->backend_state;
		if (now >= deadline)
			break;
		wait_event_timeout(&dev->state_changed, dev->state_dirty, deadline - now);
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
