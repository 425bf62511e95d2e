/*
 * crash: a test appliance that faults on purpose. Its test checks that the fault
 * dump names the faulting address, the registers and the functions on the stack,
 * and that xl saw the domain crash.
 */
#include <stdint.h>
#include <stdio.h>

/* Near NULL: Skiff maps nothing below its image, so this faults. Volatile so the
 * compiler cannot see (and warn about) the bad write at build time. */
static volatile uintptr_t target = 0x10;

/* noipa: each function stays a real frame of its own in the backtrace. */
__attribute__((noipa)) static void write_through(volatile int *p)
{
	*p = 42;
}

__attribute__((noipa)) static void crash_deliberately(void)
{
	write_through((volatile int *)target);
	printf("crash: still alive after writing to 0x10, the NULL page is mapped\n");
}

int main(void)
{
	printf("crash: about to write to address 0x%lx\n", (unsigned long)target);
	crash_deliberately();
	return 1;
}
