/* IPv4 text and ports (posix/inet.c), under inet_pton, inet_aton, inet_ntop and
 * getaddrinfo's service: what each form gives, and what each refuses. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "posix/sys.h"

/* Network byte order from the dotted bytes. */
static uint32_t ip(unsigned int a, unsigned int b, unsigned int c, unsigned int d)
{
	uint8_t bytes[4] = {(uint8_t)a, (uint8_t)b, (uint8_t)c, (uint8_t)d};
	uint32_t v;

	memcpy(&v, bytes, 4);
	return v;
}

static void pton_reads_four_decimal_parts(void **state)
{
	uint32_t a = 0;

	assert_int_equal(sys_inet_pton4("10.0.0.2", &a), 1);
	assert_int_equal(a, ip(10, 0, 0, 2));
	assert_int_equal(sys_inet_pton4("255.255.255.255", &a), 1);
	assert_int_equal(a, ip(255, 255, 255, 255));
	assert_int_equal(sys_inet_pton4("0.0.0.0", &a), 1);
	assert_int_equal(a, 0);
}

static void pton_refuses_everything_else(void **state)
{
	static const char *const bad[] = {
		"",	    "10.0.0",	"10.0.0.2.",  "10.0.0.256", "10.0.0.2.1",
		"1..2.3",   ".1.2.3",	"1.2.3.-4",   "0x1.2.3.4",  "010.0.0.1",
		"1.2.3.4 ", " 1.2.3.4", "1.2.3.0004", "a.b.c.d",    "4294967295",
	};
	uint32_t a = 0x5a5a5a5a;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(sys_inet_pton4(bad[i], &a), 0);
		assert_int_equal(a, 0x5a5a5a5a); /* untouched */
	}
}

static void aton_reads_the_old_forms(void **state)
{
	uint32_t a;

	assert_int_equal(sys_inet_aton("127.1", &a), 1);
	assert_int_equal(a, ip(127, 0, 0, 1));
	assert_int_equal(sys_inet_aton("10.1.2", &a), 1); /* the last part: 16 bits */
	assert_int_equal(a, ip(10, 1, 0, 2));
	assert_int_equal(sys_inet_aton("0x7f.0.0.010", &a), 1); /* hex, octal */
	assert_int_equal(a, ip(127, 0, 0, 8));
	assert_int_equal(sys_inet_aton("3232235521", &a), 1); /* one 32-bit number */
	assert_int_equal(a, ip(192, 168, 0, 1));
	assert_int_equal(sys_inet_aton("0", &a), 1);
	assert_int_equal(a, 0);
}

static void aton_refuses_overflow_and_junk(void **state)
{
	static const char *const bad[] = {
		"",	      "1.2.3.4.5", "256.0.0.1", "1.2.3.256", "1.2.65536", "1.16777216",
		"4294967296", "08.1.1.1",  "0x",	"1.2.3.4x",  "1.2.3.",	  "-1.2.3.4",
	};
	uint32_t a;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(sys_inet_aton(bad[i], &a), 0);
}

static void ntop_writes_dotted_decimal(void **state)
{
	char buf[16];

	assert_int_equal(sys_inet_ntop4(ip(192, 168, 100, 7), buf, sizeof(buf)), 13);
	assert_string_equal(buf, "192.168.100.7");
	assert_int_equal(sys_inet_ntop4(ip(255, 255, 255, 255), buf, 16), 15);
	assert_string_equal(buf, "255.255.255.255");
	assert_int_equal(sys_inet_ntop4(0, buf, 8), 7);
	assert_string_equal(buf, "0.0.0.0");
}

static void ntop_refuses_a_short_buffer(void **state)
{
	char buf[16] = "untouched";

	assert_int_equal(sys_inet_ntop4(ip(10, 0, 0, 2), buf, 8), -ENOSPC); /* 8 bytes + NUL */
	assert_string_equal(buf, "untouched");
	assert_int_equal(sys_inet_ntop4(ip(10, 0, 0, 2), buf, 9), 8);
}

static void ports_are_decimal_and_in_range(void **state)
{
	uint16_t p = 1;

	assert_int_equal(sys_parse_port("0", &p), 1);
	assert_int_equal(p, 0);
	assert_int_equal(sys_parse_port("65535", &p), 1);
	assert_int_equal(p, 65535);
	assert_int_equal(sys_parse_port("65536", &p), 0);
	assert_int_equal(sys_parse_port("", &p), 0);
	assert_int_equal(sys_parse_port("http", &p), 0);
	assert_int_equal(sys_parse_port("80 ", &p), 0);
	assert_int_equal(sys_parse_port("-1", &p), 0);
	assert_int_equal(sys_parse_port("99999999999999999999", &p), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pton_reads_four_decimal_parts),
		cmocka_unit_test(pton_refuses_everything_else),
		cmocka_unit_test(aton_reads_the_old_forms),
		cmocka_unit_test(aton_refuses_overflow_and_junk),
		cmocka_unit_test(ntop_writes_dotted_decimal),
		cmocka_unit_test(ntop_refuses_a_short_buffer),
		cmocka_unit_test(ports_are_decimal_and_in_range),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
