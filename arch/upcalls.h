/*
 * The calls that go up the layers, all of them. Every other call goes down:
 * libc <- arch <- xen <- kernel <- xenbus <- drivers <- net <- apps, and `make check`
 * (tools/check-layers.sh) fails the build when code calls or includes upwards
 * anywhere but through this header.
 *
 *	caller			callee			why
 *	arch entry		kernel_main()		boot is done, start the kernel
 *	arch event upcall	events_upcall()		Xen raised an event: dispatch it
 *	arch fault, libc	panic(), panic_crash()	a fatal error: report, crash
 *	arch fault		symbol_lookup()		name the functions of a backtrace
 */
#ifndef ARCH_UPCALLS_H
#define ARCH_UPCALLS_H

struct cpu_regs;

/* The generic start of Skiff (kernel/boot.c), called once arch set-up is done. */
void kernel_main(void) __attribute__((noreturn));

/* Run the handlers of every pending event channel (xen/events.c). */
void events_upcall(struct cpu_regs *regs);

/* Fatal errors in Skiff's own code, never for data from another domain (kernel/panic.c).
 * Print the message and a backtrace, then crash the domain. */
void panic(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
/* Flush the console and crash the domain (after a fault dump has been printed). */
void panic_crash(void) __attribute__((noreturn));

/* The function containing addr and the offset into it, or NULL if none does, from the
 * table tools/mksyms.sh embeds at link time (kernel/symbols.c). */
const char *symbol_lookup(unsigned long addr, unsigned long *offset);

#endif
