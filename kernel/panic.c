#include <stdarg.h>
#include <stdint.h>
#include <xen/xen.h>
#include <xen/sched.h>

#include <arch.h>
#include "arch/upcalls.h"
#include "libc/printk.h"
#include "xen/console.h"
#include "xen/events.h"
#include "xen/sched.h"

void panic_crash(void)
{
	events_save_disable();
	printk("Skiff: crashing the domain\n");
	console_flush();
	xen_shutdown(SHUTDOWN_crash);
}

void panic(const char *fmt, ...)
{
	static int nested;
	va_list ap;

	events_save_disable();
	if (nested++) /* a panic while panicking: do not print again, just stop */
		xen_shutdown(SHUTDOWN_crash);
	printk("\n*** PANIC: ");
	va_start(ap, fmt);
	vprintk(fmt, ap);
	va_end(ap);
	printk("\n");
	arch_backtrace(arch_current_frame(), (unsigned long)__builtin_return_address(0));
	panic_crash();
}
