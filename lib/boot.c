/*
 * kernel_main: the generic start of every Skiff appliance, after the arch entry has
 * filled struct boot_info. Each step needs only the ones before it:
 *	console -> traps -> memory map -> events -> time -> allocator -> threads -> main().
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <xen/xen.h>
#include <xen/sched.h>

#include "arch/x86_64/arch.h"
#include "arch/x86_64/pv.h"
#include "lib/control.h"
#include "lib/malloc.h"
#include "lib/page_alloc.h"
#include "lib/panic.h"
#include "lib/printk.h"
#include "lib/thread_internal.h"
#include "xen/console.h"
#include "xen/events.h"
#include "xen/gnttab.h"
#include "xen/sched.h"
#include "xen/time.h"
#include "xen/xenstore.h"

/* The application's entry point. */
int main(void);

/*
 * The first thread: the services that need threads, then the application.
 * Returning from main() ends the appliance, not just its thread.
 */
static int main_thread(void *arg)
{
	int rc = xenstore_init(boot_info.store_ring, boot_info.store_evtchn);

	if (rc)
		printk("Skiff: no xenstore (%s): no devices, no shutdown requests\n",
		       strerror_name(rc));
	else if ((rc = control_init()))
		printk("Skiff: cannot watch control/shutdown: %s\n", strerror_name(rc));
	exit(main());
}

void kernel_main(void)
{
	console_init(boot_info.console_ring, boot_info.console_evtchn);
	arch_traps_init();
	arch_mm_init();
	events_init();
	time_init();

	page_alloc_init(boot_info.free_mem, boot_info.free_pages);
	malloc_init();
	if (gnttab_init())
		printk("Skiff: no grant table: split drivers will not connect\n");
	printk("Skiff: %s boot, %lu KiB RAM, %lu KiB free, NX %s, cmdline \"%s\"\n",
	       boot_info.boot_protocol, boot_info.nr_pages * 4, page_alloc_free_pages() * 4,
	       boot_info.nx ? "on" : "off", boot_info.cmdline);

	threads_start(main_thread, NULL);
}

void exit(int status)
{
	control_run_hooks();
	events_save_disable();
	if (status == 0) {
		printk("Skiff: exit(0), powering off\n");
		console_flush();
		xen_shutdown(SHUTDOWN_poweroff);
	}
	printk("Skiff: exit(%d), crashing the domain to report the failure\n", status);
	console_flush();
	xen_shutdown(SHUTDOWN_crash);
}

void abort(void)
{
	panic("abort() called");
}
