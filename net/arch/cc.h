/*
 * lwIP's compiler and platform definitions for Skiff (lwip/arch.h lists them). Skiff's
 * C library is small, so lwIP's own fallbacks are used where it offers them: no
 * <inttypes.h>, <ctype.h>, <limits.h> or <unistd.h>. (gcc's <limits.h> is no help: it
 * includes the C library's, which Skiff does not have.)
 */
#ifndef SKIFF_LWIP_ARCH_CC_H
#define SKIFF_LWIP_ARCH_CC_H

#include <stdio.h>
#include <stdlib.h>

#define LWIP_NO_INTTYPES_H 1
#define LWIP_NO_CTYPE_H	   1
#define LWIP_NO_LIMITS_H   1
#define LWIP_NO_UNISTD_H   1

/* The one limit lwIP uses besides its own, from the compiler. */
#ifndef INT_MAX
#define INT_MAX __INT_MAX__
#endif

/* netif_find() calls atoi(), which Skiff's C library leaves out. */
#define atoi(s) ((int)strtol((s), NULL, 10))

/* Skiff's printf knows the hh, h and z length modifiers. */
#define X8_F  "02hhx"
#define U16_F "hu"
#define S16_F "hd"
#define X16_F "hx"
#define U32_F "u"
#define S32_F "d"
#define X32_F "x"
#define SZT_F "zu"

/* A 64-bit ssize_t, as an application expects it from read() and write(). */
typedef long ssize_t;
#define SSIZE_MAX __LONG_MAX__

/* x86 is little-endian; a byte swap is one instruction. */
#define BYTE_ORDER    LITTLE_ENDIAN
#define lwip_htons(x) ((u16_t)__builtin_bswap16(x))
#define lwip_htonl(x) ((u32_t)__builtin_bswap32(x))

/* Diagnostics go to the console; a failed assertion is a bug: crash the domain. */
void skiff_lwip_assert(const char *msg, const char *file, int line) __attribute__((noreturn));
#define LWIP_PLATFORM_DIAG(x)                                                                      \
	do {                                                                                       \
		printf x;                                                                          \
	} while (0)
#define LWIP_PLATFORM_ASSERT(x) skiff_lwip_assert(x, __FILE__, __LINE__)

/* Random numbers for DHCP transaction ids, DNS ids and the first local ports. */
unsigned int skiff_lwip_rand(void);
#define LWIP_RAND() ((u32_t)skiff_lwip_rand())

/*
 * lwIP's socket API sets errno. There is one errno for all threads: with cooperative
 * threads it cannot change between the failing call and the caller reading it, since
 * nothing else runs until the caller blocks.
 */
extern int errno;

/*
 * Debian's sockets.c (patch "port", for the Hurd) reads and writes sa_len through
 * these macros, which only its own port headers define. lwIP's struct sockaddr has
 * sa_len, so they do what upstream's sockets.c does.
 */
#define IP4ADDR_SOCKADDR_SET_LEN(sin)  ((sin)->sin_len = sizeof(struct sockaddr_in))
#define IP6ADDR_SOCKADDR_SET_LEN(sin6) ((sin6)->sin6_len = sizeof(struct sockaddr_in6))
#define IPADDR_SOCKADDR_GET_LEN(addr)  ((addr)->sa.sa_len)

#endif
