/* The string and memory functions, checked against glibc's where both exist. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "skiff_host.h"

static void memcpy_copies_every_alignment_and_length(void **state)
{
	unsigned char src[96], dst[96], ref[96];

	for (size_t i = 0; i < sizeof(src); i++)
		src[i] = (unsigned char)(i * 7 + 3);
	for (size_t so = 0; so < 9; so++)
		for (size_t doff = 0; doff < 9; doff++)
			for (size_t n = 0; n < 70; n++) {
				memset(dst, 0xee, sizeof(dst));
				memset(ref, 0xee, sizeof(ref));
				skiff_memcpy(dst + doff, src + so, n);
				memcpy(ref + doff, src + so, n);
				assert_memory_equal(dst, ref, sizeof(dst));
			}
}

static void memmove_handles_overlap_both_ways(void **state)
{
	char a[32] = "0123456789abcdefghij", b[32] = "0123456789abcdefghij";

	skiff_memmove(a + 3, a, 10);
	memmove(b + 3, b, 10);
	assert_memory_equal(a, b, sizeof(a));
	skiff_memmove(a, a + 5, 12);
	memmove(b, b + 5, 12);
	assert_memory_equal(a, b, sizeof(a));
}

static void memset_and_memcmp(void **state)
{
	unsigned char buf[40];

	for (size_t off = 0; off < 8; off++) {
		memset(buf, 0, sizeof(buf));
		skiff_memset(buf + off, 0xab, 20);
		for (size_t i = 0; i < sizeof(buf); i++)
			assert_int_equal(buf[i], i >= off && i < off + 20 ? 0xab : 0);
	}
	assert_true(skiff_memcmp("abc", "abd", 3) < 0);
	assert_true(skiff_memcmp("abd", "abc", 3) > 0);
	assert_int_equal(skiff_memcmp("abc", "abd", 2), 0);
	assert_true(skiff_memcmp("\x80", "\x01", 1) > 0); /* bytes compare as unsigned */
}

static void string_functions(void **state)
{
	char buf[16];
	const char *s = "hello world";

	assert_int_equal(skiff_strlen(""), 0);
	assert_int_equal(skiff_strlen(s), 11);
	assert_int_equal(skiff_strnlen(s, 4), 4);
	assert_true(skiff_strcmp("a", "b") < 0);
	assert_true(skiff_strcmp("b", "a") > 0);
	assert_true(skiff_strcmp("ab", "a") > 0);
	assert_int_equal(skiff_strcmp(s, "hello world"), 0);
	assert_int_equal(skiff_strncmp("hello", "help", 3), 0);
	assert_ptr_equal(skiff_strchr(s, 'o'), s + 4);
	assert_ptr_equal(skiff_strrchr(s, 'o'), s + 7);
	assert_ptr_equal(skiff_strchr(s, '\0'), s + 11);
	assert_null(skiff_strchr(s, 'z'));
	assert_ptr_equal(skiff_strstr(s, "wor"), s + 6);
	assert_null(skiff_strstr(s, "xyz"));
	assert_int_equal(skiff_strlcpy(buf, "a long string here", sizeof(buf)), 18);
	assert_string_equal(buf, "a long string h");
	skiff_strcpy(buf, "ab");
	skiff_strcat(buf, "cd");
	assert_string_equal(buf, "abcd");
	memset(buf, 'x', sizeof(buf));
	skiff_strncpy(buf, "ab", 5);
	assert_memory_equal(buf, "ab\0\0\0x", 6);
}

static void strtoul_parses_bases(void **state)
{
	char *end;

	assert_int_equal(skiff_strtoul("1234xyz", &end, 10), 1234);
	assert_string_equal(end, "xyz");
	assert_int_equal(skiff_strtoul("0x1f", NULL, 0), 31);
	assert_int_equal(skiff_strtoul("0x1f", NULL, 16), 31);
	assert_int_equal(skiff_strtoul("017", NULL, 0), 15);
	assert_int_equal(skiff_strtol("-42", NULL, 10), -42);
	assert_int_equal(skiff_strtoul("zz", &end, 10), 0);
	assert_string_equal(end, "zz");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(memcpy_copies_every_alignment_and_length),
		cmocka_unit_test(memmove_handles_overlap_both_ways),
		cmocka_unit_test(memset_and_memcmp),
		cmocka_unit_test(string_functions),
		cmocka_unit_test(strtoul_parses_bases),
	};

	return cmocka_run_group_tests_name("string", tests, NULL, NULL);
}
