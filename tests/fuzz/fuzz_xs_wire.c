/*
 * The xenstore wire checks and value parsers (xen/xs_wire.c), on bytes xenstored (or
 * whoever wrote a node) could send. Each result is checked against what it promises:
 * a payload passed as well formed really has the strings its type needs, xs_split's
 * strings lie inside the payload with their NULs, a number parsed is the number the
 * digits say, a MAC parsed is the text it came from.
 *
 * Input: the first byte picks the check; the rest is its bytes.
 */
#include "xen/xs_wire.c"
#include "libc/strerror.c"

#include <stdio.h>
#include <stdlib.h>

#include "fuzz_input.h"

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			printf("fuzz_xs_wire: %s (line %d)\n", #cond, __LINE__);                   \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

static void split_and_check(const char *payload, uint32_t len, unsigned int max)
{
	const char *strs[8];
	int n = xs_split(payload, len, strs, max);

	if (n < 0) {
		CHECK(n == -EBADMSG || n == -E2BIG);
		return;
	}
	CHECK((unsigned int)n <= max);
	for (int i = 0; i < n; i++) {
		CHECK(strs[i] >= payload && strs[i] < payload + len);
		CHECK(memchr(strs[i], '\0', (size_t)(payload + len - strs[i])) != NULL);
	}
}

static void payload(uint32_t type, const char *p, uint32_t len)
{
	xs_type_name(type); /* any type has a name, or "unknown" */
	if (xs_check_payload(type, p, len) == 0 && type == XS_WATCH_EVENT) {
		const char *strs[2];

		/* xenstore.c splits a checked event without looking at the count */
		CHECK(xs_split(p, len, strs, 2) == 2);
	}
	if (type == XS_ERROR) {
		int e = xs_error_errno(p, len);

		CHECK(e < 0);
	}
	split_and_check(p, len, 1 + type % 8);
}

static void header(struct fuzz_input *in)
{
	struct xsd_sockmsg hdr;

	fuzz_take(in, &hdr, sizeof(hdr));
	if (xs_check_header(&hdr) == 0)
		CHECK(hdr.len <= XENSTORE_PAYLOAD_MAX && hdr.type < XS_TYPE_COUNT);
}

static void number(const char *s, unsigned long long max)
{
	unsigned long long v = 12345;
	int rc = xs_parse_uint(s, max, &v);

	if (rc == 0) {
		unsigned long long digits = 0;

		CHECK(*s);
		for (const char *c = s; *c; c++) {
			CHECK(*c >= '0' && *c <= '9');
			digits = digits * 10 +
				 (unsigned long long)(*c - '0'); /* cannot wrap: v <= max */
		}
		CHECK(v <= max && v == digits);
	} else {
		CHECK(rc == -EINVAL || rc == -ERANGE);
		CHECK(v == 12345); /* nothing written on failure */
	}
}

static void mac(const char *s)
{
	uint8_t m[6] = {0};
	char text[18];

	if (xs_parse_mac(s, m))
		return;
	snprintf(text, sizeof(text), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4],
		 m[5]);
	CHECK(strlen(s) == 17);
	for (int i = 0; i < 17; i++)
		CHECK((s[i] >= 'A' && s[i] <= 'F' ? s[i] - 'A' + 'a' : s[i]) == text[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = {data, size};
	uint8_t what = fuzz_u8(&in);
	char *copy;

	if (what % 4 == 0) {
		header(&in);
		return 0;
	}
	/* the rest as a payload, or as a NUL-terminated node value */
	copy = malloc(in.left + 1);
	if (!copy)
		return 0;
	memcpy(copy, in.p, in.left);
	copy[in.left] = '\0';
	switch (what % 4) {
	case 1:
		payload(what / 4, copy, (uint32_t)in.left);
		break;
	case 2:
		number(copy, what & 0x80 ? ~0ull : (unsigned long long)what * 1000);
		break;
	case 3:
		mac(copy);
		break;
	}
	free(copy);
	return 0;
}
