/*
 * lib/panic.c crashes a domain; on the host, a panic becomes a cmocka assertion
 * failure, which expect_assert_failure() in a test can catch.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

void panic(const char *fmt, ...) __attribute__((noreturn));

void panic(const char *fmt, ...)
{
	static char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	mock_assert(0, msg, __FILE__, __LINE__);
	abort(); /* mock_assert does not return when it fails */
}
