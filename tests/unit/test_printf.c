/* vsnprintf: fixed expectations, and the host C library as an oracle for the rest. */
#include <float.h>
#include <limits.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
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

static void printf_formats_doubles(void **state)
{
	CHECK("1.500000", "%f", 1.5);
	CHECK("-0.000000", "%f", -0.0);
	CHECK("2.67", "%.2f", 2.675); /* 2.67499999999999982236431605997495353221893310546875 */
	CHECK("0 2 2", "%.0f %.0f %.0f", 0.5, 1.5, 2.5); /* an exact half goes to even */
	CHECK("1.234568e+04", "%e", 12345.678);
	CHECK("1.0e+01", "%.1e", 9.96); /* rounding carries into a new first digit */
	CHECK("1e-05 0.0001 1.23457e+08", "%g %g %g", 1e-5, 1e-4, 123456789.0);
	CHECK("100000 1e+06 1.00000", "%g %g %#g", 1e5, 1e6, 1.0);
	CHECK("0x1p+0 0x1.8p+1 -0x0p+0", "%a %a %a", 1.0, 3.0, -0.0);
	CHECK("0x2p+0", "%.0a", 1.5);
	CHECK("inf -INF nan", "%f %F %e", INFINITY, -INFINITY, NAN);
	CHECK("  +1.5|-001.5|1.50e+00  |", "%+6.1f|%06.1f|%-10.2e|", 1.5, -1.5, 1.5);
	CHECK("       inf|-inf      |", "%010f|%-10f|", INFINITY, -INFINITY); /* no zeros */
	CHECK("3.", "%#.0f", 3.0);
}

/*
 * glibc 2.36 drops the zeros '#' keeps when %#g rounds up to a power of ten that makes it
 * e style: %#g of 999999.5 gives "1.e+06" where C11 7.21.6.1 (p6: '#' keeps trailing zeros;
 * p8: precision P - 1) gives "1.00000e+06". For "%#.Pg" the oracle is C's definition of %g
 * on top of glibc's %e and %f, which are right.
 */
static int libc_alt_g(char *buf, size_t size, const char *fmt, double v)
{
	char conv = fmt[strlen(fmt) - 1], e[64];
	int p = fmt[2] == '.' ? atoi(fmt + 3) : 6, x;

	if (!isfinite(v))
		return snprintf(buf, size, fmt, v);
	if (p == 0)
		p = 1;
	snprintf(e, sizeof(e), "%.*e", p - 1, v);
	x = atoi(strchr(e, 'e') + 1);
	if (p > x && x >= -4)
		return snprintf(buf, size, conv == 'G' ? "%#.*F" : "%#.*f", p - 1 - x, v);
	return snprintf(buf, size, conv == 'G' ? "%#.*E" : "%#.*e", p - 1, v);
}

/* A double in fmt, ours against glibc's (or the oracle above, for "%#.Pg"). */
static void double_same_as_libc(const char *fmt, double v)
{
	char ours[512], theirs[512];
	bool alt_g = strncmp(fmt, "%#", 2) == 0 && strchr("gG", fmt[strlen(fmt) - 1]);
	int a = skiff_snprintf(ours, sizeof(ours), fmt, v);
	int b = alt_g ? libc_alt_g(theirs, sizeof(theirs), fmt, v)
		      : snprintf(theirs, sizeof(theirs), fmt, v);

	if (strcmp(ours, theirs) != 0)
		print_error("format \"%s\" of %a (%.17g)\n", fmt, v, v);
	assert_string_equal(ours, theirs);
	assert_int_equal(a, b);
}

/* Every conversion and flag a double may take, against glibc on values that test each
 * branch: exact halves, carries, the extremes, subnormals, inf and nan. */
static void printf_doubles_match_libc(void **state)
{
	static const char *formats[] = {
		"%f",	    "%.0f",    "%.1f",	 "%.3f",    "%.20f",	  "%#.0f",  "%12.4f|",
		"%-12.4f|", "%+f",     "% f",	 "%012.3f", "%-+012.3f|", "%F",	    "%e",
		"%.0e",	    "%#.0e",   "%.3e",	 "%E",	    "%+.2e",	  "%-14e|", "%014e",
		"%.17e",    "%g",      "%.0g",	 "%.1g",    "%.3g",	  "%#g",    "%#.3g",
		"%G",	    "%10.4g|", "%-10g|", "%+g",	    "%.17g",	  "%#.0g",  "%a",
		"%A",	    "%.0a",    "%.1a",	 "%.3a",    "%#a",	  "%+.20a", "%15a|",
		"%-15a|",   "%015a",   "% .2A",
	};
	static const double values[] = {
		0.0,
		-0.0,
		1.0,
		-1.0,
		0.5,
		1.5,
		2.5,
		0.25,
		0.125,
		0.1,
		0.2,
		0.3,
		1.0 / 3,
		2.0 / 3,
		9.5,
		99.5,
		999999.5,
		9.9999995,
		0.00001,
		0.0001,
		1e-5,
		123456.789,
		1e15 + 0.3,
		1e21,
		1e22,
		9007199254740993.0,
		4503599627370495.5,
		123456789012345678.0,
		DBL_MAX,
		-DBL_MAX,
		DBL_MIN,
		DBL_MIN / 3,
		DBL_TRUE_MIN,
		-DBL_TRUE_MIN,
		1e-300,
		5e-324,
		1e308,
		M_PI,
		-M_E,
		0.99999999,
		0.9999995,
		9.999e-5,
		0.000099995,
		1.0000000000000002,
		0x1.fffffffffffffp+0,
		0x1.8p+0,
		0x1.08p+0,
		0x1.28p+0,
		0x1.fffffffffffff8p-2,
		INFINITY,
		-INFINITY,
		NAN,
		-NAN,
	};

	for (size_t f = 0; f < sizeof(formats) / sizeof(formats[0]); f++)
		for (size_t v = 0; v < sizeof(values) / sizeof(values[0]); v++)
			double_same_as_libc(formats[f], values[v]);
	CHECK("1.00000e+06 1.0e+02", "%#g %#.2g", 999999.5, 99.5); /* glibc: 1.e+06 1.e+02 */
}

/* Any 64 bits are a double: 20,000 patterns from a fixed seed, in each style. */
static void printf_random_doubles_match_libc(void **state)
{
	static const char *formats[] = {"%.17g", "%e", "%.3f", "%g", "%#.10g", "%a", "%.5a"};
	uint64_t x = 0x9e3779b97f4a7c15ull;

	for (int i = 0; i < 20000; i++) {
		double d;

		x = x * 6364136223846793005ull + 1442695040888963407ull; /* an LCG: repeatable */
		memcpy(&d, &x, sizeof(d));
		for (size_t f = 0; f < sizeof(formats) / sizeof(formats[0]); f++)
			double_same_as_libc(formats[f], d);
	}
}

/* A double's exact decimal value can be long: 1074 digits after the point, 309 before. */
static void printf_prints_every_digit(void **state)
{
	static const struct {
		const char *fmt;
		double value;
	} cases[] = {
		{"%.1100f", DBL_TRUE_MIN}, {"%.1080f", DBL_MIN},
		{"%f", DBL_MAX},	   {"%.800e", DBL_TRUE_MIN},
		{"%.400e", DBL_MAX},	   {"%.1100g", 0.1},
		{"%#.1100g", 1e300},	   {"%.1074f", -0x1.fffffffffffffp-1022},
	};
	static char ours[1400], theirs[1400];

	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		int a = skiff_snprintf(ours, sizeof(ours), cases[c].fmt, cases[c].value);
		int b = snprintf(theirs, sizeof(theirs), cases[c].fmt, cases[c].value);

		assert_string_equal(ours, theirs);
		assert_int_equal(a, b);
	}
}

/* Our vsnprintf, handed a va_list by a variadic function built with SSE, as an app's is. */
static int app_like_format(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = skiff_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

/* x86-64 passes the first eight doubles in XMM registers and the rest on the stack, apart
 * from the integers: both kinds, mixed, must come out in order. */
static void printf_takes_doubles_from_registers_and_stack(void **state)
{
	const char *fmt = "%d %.1f %d %.2f %.3f %d %g %g %g %g %g %ld %g %g %e %s";
	char ours[256], theirs[256];

	SAME_AS_LIBC("%d %.1f %d %.2f %.3f %d %g %g %g %g %g %ld %g %g %e %s", 1, 1.5, 2, 2.25,
		     3.125, 3, 4.0, 5.0, 6.0, 7.0, 8.0, 9L, 10.0, 11.0, 12.0, "end");
	app_like_format(ours, sizeof(ours), fmt, 1, 1.5, 2, 2.25, 3.125, 3, 4.0, 5.0, 6.0, 7.0, 8.0,
			9L, 10.0, 11.0, 12.0, "end");
	snprintf(theirs, sizeof(theirs), fmt, 1, 1.5, 2, 2.25, 3.125, 3, 4.0, 5.0, 6.0, 7.0, 8.0,
		 9L, 10.0, 11.0, 12.0, "end");
	assert_string_equal(ours, theirs);
}

/* long double is not formatted (libc/README.md): the conversion shows as written, never
 * as a number, and the arguments after it are still read right. */
static void printf_shows_long_double_as_written(void **state)
{
	CHECK("%Lf 7 %10.3Le 2.5", "%Lf %d %10.3Le %.1f", 1.5L, 7, 2.0L, 2.5);
	CHECK("%-+8.2LG|", "%-+8.2LG|", (long double)1e10);
	/* the three integers after fmt fill the argument registers: 4 and 5 follow the long
	 * double on the stack */
	CHECK("%Lf 1 2 3 4 5", "%Lf %d %d %d %d %d", 1.5L, 1, 2, 3, 4, 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(printf_formats_integers),
		cmocka_unit_test(printf_pads_and_aligns),
		cmocka_unit_test(printf_handles_odd_input),
		cmocka_unit_test(printf_truncates_and_counts),
		cmocka_unit_test(printf_matches_libc),
		cmocka_unit_test(printf_formats_doubles),
		cmocka_unit_test(printf_doubles_match_libc),
		cmocka_unit_test(printf_random_doubles_match_libc),
		cmocka_unit_test(printf_prints_every_digit),
		cmocka_unit_test(printf_takes_doubles_from_registers_and_stack),
		cmocka_unit_test(printf_shows_long_double_as_written),
	};

	return cmocka_run_group_tests_name("printf", tests, NULL, NULL);
}
