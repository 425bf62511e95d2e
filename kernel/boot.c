/*
 * kernel_main: the generic start of every Skiff appliance, after the arch entry has
 * filled struct boot_info. Each step needs only the ones before it:
 *	console -> traps -> memory map -> events -> time -> allocator -> threads -> main().
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <arch.h>

#include "arch/upcalls.h"
#include "kernel/init.h"
#include "kernel/thread_internal.h"
#include "libc/malloc.h"
#include "libc/page_alloc.h"
#include "libc/printk.h"
#include "xen/console.h"
#include "xen/events.h"
#include "xen/gnttab.h"
#include "xen/time.h"

/* The application's entry point. */
int main(void);

static int call_main(void)
{
	return main();
}

int (*kernel_app_start)(void) = call_main;

extern const struct kernel_init __skiff_init_start[], __skiff_init_end[];

/*
 * The first thread: the start-up steps that need threads (kernel/init.h: xenstore,
 * control), then the application. Returning from main() ends the appliance, not just
 * its thread.
 */
static int main_thread(void *arg)
{
	for (const struct kernel_init *init = __skiff_init_start; init < __skiff_init_end; init++) {
		int rc = init->fn();

		if (rc)
			printk("Skiff: start-up step %s failed (%s)\n", init->name,
			       strerror_name(rc));
	}
	exit(kernel_app_start());
}

void kernel_main(void)
{
	console_init(boot_info.console_ring, boot_info.console_evtchn);
	printk_set_output(console_write);
	arch_traps_init();
	arch_mm_init();
	events_init();
	time_init();

	page_alloc_init(boot_info.free_mem, boot_info.free_pages);
	for (unsigned int i = 0; i < boot_info.nr_reserved; i++)
		page_alloc_reserve(boot_info.reserved[i].start, boot_info.reserved[i].pages);
	malloc_init();
	if (gnttab_init())
		printk("Skiff: no grant table: split drivers will not connect\n");
	printk("Skiff: %s boot, %lu KiB RAM, %lu KiB free, NX %s, cmdline \"%s\"\n",
	       boot_info.boot_protocol, boot_info.nr_pages * 4, page_alloc_free_pages() * 4,
	       boot_info.nx ? "on" : "off", boot_info.cmdline);

	threads_start(main_thread, NULL);
}
