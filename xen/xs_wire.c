#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "xen/xs_wire.h"

static const char *const type_names[XS_TYPE_COUNT] = {
	[XS_CONTROL] = "CONTROL",
	[XS_DIRECTORY] = "DIRECTORY",
	[XS_READ] = "READ",
	[XS_GET_PERMS] = "GET_PERMS",
	[XS_WATCH] = "WATCH",
	[XS_UNWATCH] = "UNWATCH",
	[XS_TRANSACTION_START] = "TRANSACTION_START",
	[XS_TRANSACTION_END] = "TRANSACTION_END",
	[XS_INTRODUCE] = "INTRODUCE",
	[XS_RELEASE] = "RELEASE",
	[XS_GET_DOMAIN_PATH] = "GET_DOMAIN_PATH",
	[XS_WRITE] = "WRITE",
	[XS_MKDIR] = "MKDIR",
	[XS_RM] = "RM",
	[XS_SET_PERMS] = "SET_PERMS",
	[XS_WATCH_EVENT] = "WATCH_EVENT",
	[XS_ERROR] = "ERROR",
	[XS_IS_DOMAIN_INTRODUCED] = "IS_DOMAIN_INTRODUCED",
	[XS_RESUME] = "RESUME",
	[XS_SET_TARGET] = "SET_TARGET",
	[XS_RESET_WATCHES] = "RESET_WATCHES",
	[XS_DIRECTORY_PART] = "DIRECTORY_PART",
};

const char *xs_type_name(uint32_t type)
{
	if (type < XS_TYPE_COUNT && type_names[type])
		return type_names[type];
	return "unknown";
}

int xs_check_header(const struct xsd_sockmsg *hdr)
{
	if (hdr->len > XENSTORE_PAYLOAD_MAX)
		return -EBADMSG;
	if (hdr->type >= XS_TYPE_COUNT || !type_names[hdr->type])
		return -EBADMSG;
	return 0;
}

int xs_split(const char *payload, uint32_t len, const char **strs, unsigned int max)
{
	unsigned int n = 0;
	uint32_t start = 0;

	if (len && payload[len - 1] != '\0')
		return -EBADMSG;
	for (uint32_t i = 0; i < len; i++) {
		if (payload[i] != '\0')
			continue;
		if (n == max)
			return -E2BIG;
		strs[n++] = payload + start;
		start = i + 1;
	}
	return (int)n;
}

/* The payload is exactly "OK\0" (xenstored's acknowledgement). */
static bool is_ok(const char *payload, uint32_t len)
{
	return len == 3 && !memcmp(payload, "OK", 3);
}

int xs_check_payload(uint32_t type, const char *payload, uint32_t len)
{
	const char *strs[2];

	switch (type) {
	case XS_READ:
		return 0; /* any bytes: a value need not be text */
	case XS_DIRECTORY:
	case XS_GET_PERMS:
		/* NUL-terminated strings, possibly none. */
		return len == 0 || payload[len - 1] == '\0' ? 0 : -EBADMSG;
	case XS_WATCH_EVENT:
		/* path\0token\0 */
		return xs_split(payload, len, strs, 2) == 2 ? 0 : -EBADMSG;
	case XS_ERROR:
	case XS_TRANSACTION_START:
		/* One non-empty NUL-terminated string. */
		return len >= 2 && payload[len - 1] == '\0' && strlen(payload) == len - 1
			       ? 0
			       : -EBADMSG;
	case XS_WRITE:
	case XS_MKDIR:
	case XS_RM:
	case XS_SET_PERMS:
	case XS_WATCH:
	case XS_UNWATCH:
	case XS_TRANSACTION_END:
		return is_ok(payload, len) ? 0 : -EBADMSG;
	default:
		return -EBADMSG; /* a reply type we never ask for */
	}
}

int xs_error_errno(const char *payload, uint32_t len)
{
	/* The payload is the error's name and its NUL: "ENOENT\0". */
	int err = len && !payload[len - 1] ? strerror_from_name(payload, len - 1) : 0;

	return err ? -err : -EIO;
}

int xs_parse_uint(const char *s, unsigned long long max, unsigned long long *out)
{
	unsigned long long v = 0;

	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		unsigned int digit = (unsigned int)(*s - '0');

		if (*s < '0' || *s > '9')
			return -EINVAL;
		if (digit > max || v > (max - digit) / 10)
			return -ERANGE;
		v = v * 10 + digit;
	}
	*out = v;
	return 0;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int xs_parse_mac(const char *s, uint8_t mac[6])
{
	uint8_t parsed[6];

	for (int i = 0; i < 6; i++) {
		int hi = hex_digit(s[0]), lo = hi < 0 ? -1 : hex_digit(s[1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		parsed[i] = (uint8_t)(hi << 4 | lo);
		if (s[2] != (i < 5 ? ':' : '\0'))
			return -EINVAL;
		s += 3;
	}
	memcpy(mac, parsed, 6);
	return 0;
}
