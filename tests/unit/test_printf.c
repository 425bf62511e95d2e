/* vsnprintf: fixed expectations, and the host C library as an oracle for the rest. */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "skiff_host.h"

#define CHECK(expected, fmt, ...)                                                                  \
	do {                                                                                       \
		char buf[256];                                                                     \
		int n = skiff_snprintf(buf, sizeof(buf), fmt, __VA_ARGS__);                        \
		assert_string_equal(buf, expected);                                                \
		assert_int_equal(n, strlen(expected));                                             \
	} while (0)

/* Our output must equal glibc's for the same format and argument. */
#define SAME_AS_LIBC(fmt, ...)                                                                     \
	do {                                                                                       \
		char ours[256], theirs[256];                                                       \
		int a = skiff_snprintf(ours, sizeof(ours), fmt, __VA_ARGS__);                      \
		int b = snprintf(theirs, sizeof(theirs), fmt, __VA_ARGS__);                        \
		assert_string_equal(ours, theirs);                                                 \
		assert_int_equal(a, b);                                                            \
	} while (0)

static void printf_formats_integers(void **state)
{
	CHECK("42", "%d", 42);
	CHECK("-42", "%i", -42);
	CHECK("4294967295", "%u", 4294967295u);
	CHECK("ff FF", "%x %X", 255, 255);
	CHECK("-9223372036854775808", "%lld", LLONG_MIN);
	CHECK("18446744073709551615", "%llu", ULLONG_MAX);
	CHECK("12345678901", "%zu", (size_t)12345678901ULL);
	CHECK("0x1234", "%p", (void *)0x1234);
	CHECK("777", "%o", 0777);
}

static void printf_pads_and_aligns(void **state)
{
	CHECK("   42", "%5d", 42);
	CHECK("42   |", "%-5d|", 42);
	CHECK("00042", "%05d", 42);
	CHECK("-0042", "%05d", -42);
	CHECK("  0x2a", "%#6x", 42);
	CHECK("0x002a", "%#06x", 42);
	CHECK("+42", "%+d", 42);
	CHECK("   ab", "%5s", "ab");
	CHECK("ab   |", "%-5s|", "ab");
	CHECK("abc", "%.3s", "abcdef");
	CHECK("  abc", "%*.*s", 5, 3, "abcdef");
	CHECK("x    |", "%-*c|", 5, 'x');
	CHECK("00042", "%.5d", 42);
}

static void printf_handles_odd_input(void **state)
{
	CHECK("(null)", "%s", (char *)NULL);
	CHECK("100%", "100%%%s", "");
	CHECK("a%qb", "a%qb%s", "");
}

static void printf_truncates_and_counts(void **state)
{
	char buf[8];
	int n = skiff_snprintf(buf, sizeof(buf), "hello, %s", "world");

	assert_int_equal(n, 12); /* the length it wanted, not what fitted */
	assert_string_equal(buf, "hello, ");
	assert_int_equal(skiff_snprintf(NULL, 0, "%d", 12345), 5);
	memset(buf, 'x', sizeof(buf));
	skiff_snprintf(buf, 1, "abc");
	assert_int_equal(buf[0], '\0');
	assert_int_equal(buf[1], 'x'); /* nothing written past size */
}

static void printf_matches_libc(void **state)
{
	static const char *int_formats[] = {"%d",   "%5d",   "%-5d|",	"%05d", "%+d", "% d",
					    "%.3d", "%8.3d", "%-8.3d|", "%x",	"%#x", "%#o",
					    "%08X", "%u",    "%.0d",	"%hhd", "%hd", "%#.3o"};
	static const int values[] = {0, 1, -1, 7, 42, -42, 255, 4096, 65535, INT_MAX, INT_MIN};

	for (size_t f = 0; f < sizeof(int_formats) / sizeof(int_formats[0]); f++)
		for (size_t v = 0; v < sizeof(values) / sizeof(values[0]); v++)
			SAME_AS_LIBC(int_formats[f], values[v]);
	SAME_AS_LIBC("%ld %lx %lu", LONG_MIN, ULONG_MAX, ULONG_MAX);
	SAME_AS_LIBC("%-10s|%10.2s|", "left", "right");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(printf_formats_integers),
		cmocka_unit_test(printf_pads_and_aligns),
		cmocka_unit_test(printf_handles_odd_input),
		cmocka_unit_test(printf_truncates_and_counts),
		cmocka_unit_test(printf_matches_libc),
	};

	return cmocka_run_group_tests_name("printf", tests, NULL, NULL);
}
