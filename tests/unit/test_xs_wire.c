/* The xenstore wire checks, fed the well-formed and the malformed replies a hostile
 * or buggy xenstored could send. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

/* Only the declarations: the types come from Xen's public header. */
#include <xen/io/xs_wire.h>
int xs_check_header(const struct xsd_sockmsg *hdr);
int xs_check_payload(uint32_t type, const char *payload, uint32_t len);
int xs_error_errno(const char *payload, uint32_t len);
int xs_split(const char *payload, uint32_t len, const char **strs, unsigned int max);
int xs_parse_uint(const char *s, unsigned long long max, unsigned long long *out);
int xs_parse_mac(const char *s, uint8_t mac[6]);

#define EBADMSG_ 74
#define E2BIG_	 7
#define EINVAL_	 22
#define ERANGE_	 34

static void header_rejects_bad_type_and_length(void **state)
{
	struct xsd_sockmsg h = {.type = XS_READ, .len = 10};

	assert_int_equal(xs_check_header(&h), 0);
	h.len = XENSTORE_PAYLOAD_MAX;
	assert_int_equal(xs_check_header(&h), 0);
	h.len = XENSTORE_PAYLOAD_MAX + 1;
	assert_int_equal(xs_check_header(&h), -EBADMSG_);
	h.len = 0xffffffff;
	assert_int_equal(xs_check_header(&h), -EBADMSG_);
	h.len = 1;
	h.type = XS_TYPE_COUNT;
	assert_int_equal(xs_check_header(&h), -EBADMSG_);
	h.type = XS_INVALID;
	assert_int_equal(xs_check_header(&h), -EBADMSG_);
}

static void payloads_must_have_their_shape(void **state)
{
	assert_int_equal(xs_check_payload(XS_WRITE, "OK", 3), 0);
	assert_int_equal(xs_check_payload(XS_WRITE, "OK", 2), -EBADMSG_); /* no NUL */
	assert_int_equal(xs_check_payload(XS_WRITE, "NO", 3), -EBADMSG_);
	assert_int_equal(xs_check_payload(XS_READ, "\x01\x02", 2), 0); /* any bytes */
	assert_int_equal(xs_check_payload(XS_DIRECTORY, "a\0bb", 5), 0);
	assert_int_equal(xs_check_payload(XS_DIRECTORY, "", 0), 0);
	assert_int_equal(xs_check_payload(XS_DIRECTORY, "a\0bb", 4), -EBADMSG_);
	assert_int_equal(xs_check_payload(XS_WATCH_EVENT, "path\0tok", 9), 0);
	assert_int_equal(xs_check_payload(XS_WATCH_EVENT, "path", 5), -EBADMSG_);
	assert_int_equal(xs_check_payload(XS_WATCH_EVENT, "path\0tok", 8), -EBADMSG_);
	assert_int_equal(xs_check_payload(XS_ERROR, "ENOENT", 7), 0);
	assert_int_equal(xs_check_payload(XS_ERROR, "EN\0ENT", 7), -EBADMSG_); /* NUL inside */
	assert_int_equal(xs_check_payload(XS_ERROR, "", 1), -EBADMSG_);
	assert_int_equal(xs_check_payload(XS_TRANSACTION_START, "17", 3), 0);
	assert_int_equal(xs_check_payload(XS_INTRODUCE, "OK", 3), -EBADMSG_); /* never asked */
}

static void errors_map_to_errno(void **state)
{
	assert_int_equal(xs_error_errno("ENOENT", 7), -2);
	assert_int_equal(xs_error_errno("EACCES", 7), -13);
	assert_int_equal(xs_error_errno("EAGAIN", 7), -11);
	assert_int_equal(xs_error_errno("E2BIG", 6), -7);
	assert_int_equal(xs_error_errno("ENOENTX", 8), -5); /* unknown: EIO */
	assert_int_equal(xs_error_errno("ENOENT", 6), -5);  /* no NUL: not a match */
}

static void split_finds_each_string(void **state)
{
	const char *s[4];

	assert_int_equal(xs_split("a\0bc\0\0", 6, s, 4), 3);
	assert_string_equal(s[0], "a");
	assert_string_equal(s[1], "bc");
	assert_string_equal(s[2], "");
	assert_int_equal(xs_split("a\0b\0c\0", 6, s, 2), -E2BIG_);
	assert_int_equal(xs_split("a\0b", 3, s, 4), -EBADMSG_);
	assert_int_equal(xs_split("", 0, s, 4), 0);
}

static void integers_are_parsed_strictly(void **state)
{
	unsigned long long v;

	assert_int_equal(xs_parse_uint("0", 10, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(xs_parse_uint("51712", 65535, &v), 0);
	assert_int_equal(v, 51712);
	assert_int_equal(xs_parse_uint("65536", 65535, &v), -ERANGE_);
	assert_int_equal(xs_parse_uint("18446744073709551615", ~0ULL, &v), 0);
	assert_int_equal(xs_parse_uint("18446744073709551616", ~0ULL, &v), -ERANGE_);
	assert_int_equal(xs_parse_uint("9", 5, &v), -ERANGE_);
	assert_int_equal(xs_parse_uint("", 10, &v), -EINVAL_);
	assert_int_equal(xs_parse_uint("-1", 10, &v), -EINVAL_);
	assert_int_equal(xs_parse_uint(" 1", 10, &v), -EINVAL_);
	assert_int_equal(xs_parse_uint("1 ", 10, &v), -EINVAL_);
	assert_int_equal(xs_parse_uint("0x10", 100, &v), -EINVAL_);
}

static void macs_are_parsed_strictly(void **state)
{
	uint8_t mac[6] = {0}, expected[6] = {0x00, 0x16, 0x3e, 0xAB, 0xcd, 0xef};

	assert_int_equal(xs_parse_mac("00:16:3e:AB:cd:ef", mac), 0);
	assert_memory_equal(mac, expected, 6);
	memset(mac, 0x77, 6);
	assert_int_equal(xs_parse_mac("00:16:3e:ab:cd", mac), -EINVAL_);
	assert_int_equal(xs_parse_mac("00:16:3e:ab:cd:ef:01", mac), -EINVAL_);
	assert_int_equal(xs_parse_mac("00-16-3e-ab-cd-ef", mac), -EINVAL_);
	assert_int_equal(xs_parse_mac("0:16:3e:ab:cd:ef", mac), -EINVAL_);
	assert_int_equal(xs_parse_mac("00:16:3e:ab:cd:eg", mac), -EINVAL_);
	assert_int_equal(xs_parse_mac("", mac), -EINVAL_);
	assert_int_equal(mac[0], 0x77); /* untouched on error */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(header_rejects_bad_type_and_length),
		cmocka_unit_test(payloads_must_have_their_shape),
		cmocka_unit_test(errors_map_to_errno),
		cmocka_unit_test(split_finds_each_string),
		cmocka_unit_test(integers_are_parsed_strictly),
		cmocka_unit_test(macs_are_parsed_strictly),
	};

	return cmocka_run_group_tests_name("xs_wire", tests, NULL, NULL);
}
