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

#include "lib/control.h"
#include "lib/printk.h"
#include "xen/console.h"
#include "xen/events.h"
#include "xen/sched.h"

struct hook {
	void (*fn)(void *arg);
	void *arg;
	struct hook *next;
};

static struct hook *hooks;
static void (*handler)(enum skiff_shutdown_kind kind, void *arg);
static void *handler_arg;

int skiff_at_shutdown(void (*fn)(void *arg), void *arg)
{
	struct hook *h = malloc(sizeof(*h));

	if (!h)
		return -ENOMEM;
	h->fn = fn;
	h->arg = arg;
	h->next = hooks;
	hooks = h;
	return 0;
}

void control_run_hooks(void)
{
	/* Each hook runs once, even if a hook itself ends up here again. */
	while (hooks) {
		struct hook *h = hooks;

		hooks = h->next;
		h->fn(h->arg);
		free(h);
	}
}

void skiff_shutdown(enum skiff_shutdown_kind kind)
{
	static const unsigned int reasons[] = {
		[SKIFF_POWEROFF] = SHUTDOWN_poweroff,
		[SKIFF_REBOOT] = SHUTDOWN_reboot,
		[SKIFF_HALT] = SHUTDOWN_poweroff, /* Xen has no "halt": the domain just stops */
	};

	control_run_hooks();
	events_save_disable();
	printk("Skiff: %s\n", kind == SKIFF_REBOOT ? "rebooting" : "powering off");
	console_flush();
	xen_shutdown(reasons[kind]);
}

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

int control_init(void)
{
	if (!handler)
		handler = default_handler;
	xs_write(XS_NO_TRANSACTION, "control/feature-poweroff", "1");
	xs_write(XS_NO_TRANSACTION, "control/feature-reboot", "1");
	/* "halt" needs no feature node: libxl creates only the ones above for a guest. */
	return xs_watch("control/shutdown", shutdown_watch, NULL) ? 0 : -EIO;
}
