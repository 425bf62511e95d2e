/*
 * IPv4 addresses and ports as text: the parsing under inet_pton(), inet_aton(),
 * getaddrinfo() and the formatting under inet_ntop(). No C library's types, no network:
 * every appliance on the POSIX layer may use them, with or without lwIP.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include "posix/sys.h"

/* Network byte order from the four bytes as written (10.0.0.2 is 10, 0, 0, 2). */
static uint32_t from_bytes(uint32_t host)
{
	return __builtin_bswap32(host);
}

int sys_inet_pton4(const char *s, uint32_t *addr)
{
	uint32_t value = 0;

	for (int part = 0; part < 4; part++) {
		unsigned int n = 0, digits = 0;

		if (part && *s++ != '.')
			return 0;
		/* inet_pton: decimal only, 1-3 digits, no leading zero ("010" is refused,
		 * as glibc does, since inet_aton would read it as octal). */
		while (*s >= '0' && *s <= '9') {
			if (digits && n == 0)
				return 0;
			n = n * 10 + (unsigned int)(*s++ - '0');
			if (++digits > 3 || n > 255)
				return 0;
		}
		if (!digits)
			return 0;
		value = value << 8 | n;
	}
	if (*s)
		return 0;
	*addr = from_bytes(value);
	return 1;
}

/* One part of an inet_aton address: decimal, 0x hex or 0 octal, at most 32 bits. */
static const char *aton_part(const char *s, uint32_t *out)
{
	unsigned int base = 10;
	uint64_t n = 0;
	int digits = 0;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	} else if (s[0] == '0') {
		base = 8;
	}
	for (;; s++, digits++) {
		unsigned int d;

		if (*s >= '0' && *s <= '9')
			d = (unsigned int)(*s - '0');
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = (unsigned int)(*s - 'a' + 10);
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = (unsigned int)(*s - 'A' + 10);
		else
			break;
		if (d >= base)
			return NULL;
		n = n * base + d;
		if (n > 0xffffffffu)
			return NULL;
	}
	if (!digits)
		return NULL;
	*out = (uint32_t)n;
	return s;
}

int sys_inet_aton(const char *s, uint32_t *addr)
{
	uint32_t parts[4], value = 0;
	int n = 0;

	/* a, a.b, a.b.c or a.b.c.d: each part before the last is one byte, the last
	 * fills the bytes that remain (a.b is a, then b in 24 bits). */
	for (;;) {
		s = aton_part(s, &parts[n]);
		if (!s)
			return 0;
		n++;
		if (*s != '.')
			break;
		if (n == 4)
			return 0;
		s++;
	}
	if (*s)
		return 0;
	for (int i = 0; i < n - 1; i++) {
		if (parts[i] > 255)
			return 0;
		value |= parts[i] << (24 - 8 * i);
	}
	if (parts[n - 1] > (0xffffffffu >> (8 * (n - 1))))
		return 0; /* the last part fills 32, 24, 16 or 8 bits */
	value |= parts[n - 1];
	*addr = from_bytes(value);
	return 1;
}

int sys_inet_ntop4(uint32_t addr, char *buf, size_t size)
{
	const uint8_t *b = (const uint8_t *)&addr; /* network order: first byte first */
	char text[16];
	size_t len = 0;

	for (int i = 0; i < 4; i++) {
		unsigned int v = b[i];

		if (i)
			text[len++] = '.';
		if (v >= 100)
			text[len++] = (char)('0' + v / 100);
		if (v >= 10)
			text[len++] = (char)('0' + v / 10 % 10);
		text[len++] = (char)('0' + v % 10);
	}
	if (len + 1 > size)
		return -ENOSPC;
	for (size_t i = 0; i < len; i++)
		buf[i] = text[i];
	buf[len] = 0;
	return (int)len;
}

int sys_parse_port(const char *s, uint16_t *port)
{
	unsigned int n = 0;

	if (!*s)
		return 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return 0;
		n = n * 10 + (unsigned int)(*s - '0');
		if (n > 65535)
			return 0;
	}
	*port = (uint16_t)n;
	return 1;
}
