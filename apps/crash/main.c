/*
 * crash: a test appliance that fails on purpose, in the way its command line (the xl
 * config's extra=) names. Its tests check that each failure is caught and reported
 * (registers, faulting address, symbolised backtrace) and that xl saw the domain crash.
 *
 *   null          write near NULL: nothing is mapped below the image   (the default)
 *   write-text    write into our own code: text is mapped read-only
 *   exec-data     jump into a data buffer: data is mapped non-executable
 *   stack         recurse without end: the guard page below the stack stops it
 *   exit3         exit(3): a non-zero status crashes the domain
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <skiff/thread.h>
#include <skiff/xen.h>

/* Volatile so the compiler cannot see (and warn about, or drop) the bad accesses. */
static volatile uintptr_t near_null = 0x10;
static unsigned char data_code[16] = {0xc3}; /* `ret`, in a data page */

/* noipa: each function stays a real frame of its own in the backtrace. */
__attribute__((noipa)) static void write_through(volatile int *p)
{
	*p = 42;
}

__attribute__((noipa)) static void crash_deliberately(void)
{
	write_through((volatile int *)near_null);
}

static volatile int depth_limit = 1 << 30; /* far beyond any stack */

__attribute__((noipa)) static int recurse(int depth)
{
	volatile char frame[512];

	frame[0] = (char)depth;
	if (depth >= depth_limit)
		return 0;
	return recurse(depth + 1) + frame[0];
}

static int overflow_thread(void *arg)
{
	return recurse(0);
}

static const char *mode_of(const char *cmdline)
{
	const char *m = strstr(cmdline, "mode=");

	return m ? m + 5 : "null";
}

int main(void)
{
	struct skiff_domain_info info;
	const char *mode;

	skiff_domain_info(&info);
	mode = mode_of(info.cmdline);
	printf("crash: mode %s\n", mode);

	if (!strncmp(mode, "null", 4)) {
		printf("crash: about to write to address 0x%lx\n", (unsigned long)near_null);
		crash_deliberately();
	} else if (!strncmp(mode, "write-text", 10)) {
		printf("crash: about to write to main() at %p\n", (void *)main);
		write_through((volatile int *)(uintptr_t)main);
	} else if (!strncmp(mode, "exec-data", 9)) {
		void (*fn)(void) = (void (*)(void))(uintptr_t)data_code;

		printf("crash: about to call code in data at %p\n", (void *)data_code);
		fn();
	} else if (!strncmp(mode, "stack", 5)) {
		struct thread *t = thread_create("overflow", overflow_thread, NULL);

		printf("crash: about to overflow a thread's stack\n");
		thread_join(t, NULL);
	} else if (!strncmp(mode, "exit3", 5)) {
		exit(3);
	}
	printf("crash: still alive after mode %s: a protection is missing\n", mode);
	return 1;
}
