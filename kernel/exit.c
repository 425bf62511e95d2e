/*
 * How an appliance ends: exit(), abort(), skiff_shutdown(). Before the domain stops,
 * the at-shutdown hooks run (drivers disconnect from their backends, so dom0 sees the
 * devices close cleanly), newest first.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <skiff/shutdown.h>
#include <xen/xen.h>
#include <xen/sched.h>

#include "arch/upcalls.h"
#include "libc/printk.h"
#include "xen/console.h"
#include "xen/events.h"
#include "xen/sched.h"

struct hook {
	void (*fn)(void *arg);
	void *arg;
	struct hook *next;
};

static struct hook *hooks;

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

static void run_hooks(void)
{
	/* Each hook runs once, even if a hook itself ends up here again. */
	while (hooks) {
		struct hook *h = hooks;

		hooks = h->next;
		h->fn(h->arg);
		free(h);
	}
}

static void __attribute__((noreturn)) stop(unsigned int reason, const char *what)
{
	events_save_disable();
	printk("Skiff: %s\n", what);
	console_flush();
	xen_shutdown(reason);
}

int skiff_shutdown(enum skiff_shutdown_kind kind)
{
	switch (kind) {
	case SKIFF_POWEROFF:
	case SKIFF_HALT: /* Xen has no "halt": the domain just stops */
		run_hooks();
		stop(SHUTDOWN_poweroff, "powering off");
	case SKIFF_REBOOT:
		run_hooks();
		stop(SHUTDOWN_reboot, "rebooting");
	}
	return -EINVAL;
}

void exit(int status)
{
	run_hooks();
	if (status == 0)
		stop(SHUTDOWN_poweroff, "exit(0), powering off");
	char what[64];

	snprintf(what, sizeof(what), "exit(%d), crashing the domain to report the failure", status);
	stop(SHUTDOWN_crash, what);
}

void abort(void)
{
	panic("abort() called");
}
