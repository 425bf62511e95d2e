/*
 * crash: a test appliance that faults on purpose. Its test checks that the fault
 * dump names the faulting address, the registers and the functions on the stack,
 * and that xl saw the domain crash.
 */
#include <stdio.h>

/* noinline so that each shows up as its own frame in the backtrace. */
__attribute__((noinline)) static void write_through(volatile int *p)
{
	*p = 42;
}

__attribute__((noinline)) static void crash_deliberately(void)
{
	/* An address in the unmapped page 0, so a NULL-ish pointer faults. */
	write_through((volatile int *)0x10);
	printf("crash: still alive after writing to 0x10, the NULL page is mapped\n");
}

int main(void)
{
	printf("crash: about to write to address 0x10\n");
	crash_deliberately();
	return 1;
}
