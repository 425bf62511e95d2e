/*
 * The control/ directory of xenstore: the toolstack writes "poweroff", "reboot" or
 * "halt" to control/shutdown and waits for the guest to clear the node (that is the
 * acknowledgement, see libxl's domain shutdown). We advertise the requests we handle
 * in the control/feature-* nodes that libxl created for us to fill in.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <skiff/shutdown.h>
#include <skiff/xenstore.h>
#include <stdint.h>
#include <xen/xen.h>
#include <xen/sched.h>

#include "kernel/init.h"
#include "libc/printk.h"

static void (*handler)(enum skiff_shutdown_kind kind, void *arg);
static void *handler_arg;

static void default_handler(enum skiff_shutdown_kind kind, void *arg)
{
	skiff_shutdown(kind);
}

void skiff_set_shutdown_handler(void (*fn)(enum skiff_shutdown_kind kind, void *arg), void *arg)
{
	handler_arg = arg;
	handler = fn ? fn : default_handler;
}

static void shutdown_watch(const char *path, void *arg)
{
	static const struct {
		const char *name;
		enum skiff_shutdown_kind kind;
	} requests[] = {
		{"poweroff", SKIFF_POWEROFF},
		{"reboot", SKIFF_REBOOT},
		{"halt", SKIFF_HALT},
	};
	char *value;

	if (xs_read(XS_NO_TRANSACTION, "control/shutdown", &value))
		return; /* absent: nothing asked (or the first event of the watch) */
	for (unsigned int i = 0; i < sizeof(requests) / sizeof(requests[0]); i++) {
		if (!strcmp(value, requests[i].name)) {
			printk("Skiff: the toolstack asks for %s\n", value);
			free(value);
			xs_write(XS_NO_TRANSACTION, "control/shutdown", ""); /* acknowledge */
			handler(requests[i].kind, handler_arg);
			return;
		}
	}
	if (value[0])
		printk("Skiff: control/shutdown = '%s' is not a request we handle; ignored\n",
		       value);
	free(value);
}

static int control_init(void)
{
	struct xs_watch *watch; /* for the domain's life: never unwatched */

	if (!handler)
		handler = default_handler;
	xs_write(XS_NO_TRANSACTION, "control/feature-poweroff", "1");
	xs_write(XS_NO_TRANSACTION, "control/feature-reboot", "1");
	/* "halt" needs no feature node: libxl creates only the ones above for a guest. */
	return xs_watch("control/shutdown", shutdown_watch, NULL, &watch);
}
KERNEL_INIT(2, control_init);
