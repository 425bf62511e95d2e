/*
 * Skiff's <netinet/in.h> for newlib, which has none: Internet addresses (Linux's
 * layouts). IPv6's structures are here for programs that name them; an IPv6 socket is
 * refused (EAFNOSUPPORT): the stack is IPv4 only (net/README.md).
 */
#ifndef _NETINET_IN_H
#define _NETINET_IN_H

#include <stdint.h>
#include <sys/socket.h>

typedef uint16_t in_port_t;
typedef uint32_t in_addr_t;

struct in_addr {
	in_addr_t s_addr; /* network byte order */
};

struct sockaddr_in {
	sa_family_t sin_family;
	in_port_t sin_port; /* network byte order */
	struct in_addr sin_addr;
	unsigned char sin_zero[8];
};

struct in6_addr {
	uint8_t s6_addr[16];
};

struct sockaddr_in6 {
	sa_family_t sin6_family;
	in_port_t sin6_port;
	uint32_t sin6_flowinfo;
	struct in6_addr sin6_addr;
	uint32_t sin6_scope_id;
};

#define IPPROTO_IP   0
#define IPPROTO_ICMP 1
#define IPPROTO_TCP  6
#define IPPROTO_UDP  17
#define IPPROTO_IPV6 41

#define IP_TOS 1
#define IP_TTL 2

#define INADDR_ANY	 ((in_addr_t)0x00000000)
#define INADDR_BROADCAST ((in_addr_t)0xffffffff)
#define INADDR_NONE	 ((in_addr_t)0xffffffff)
#define INADDR_LOOPBACK	 ((in_addr_t)0x7f000001) /* host byte order, as in Linux */

#define INET_ADDRSTRLEN	 16
#define INET6_ADDRSTRLEN 46

/* x86 is little-endian: network order is the bytes reversed. */
#define htons(x) __builtin_bswap16((uint16_t)(x))
#define ntohs(x) __builtin_bswap16((uint16_t)(x))
#define htonl(x) __builtin_bswap32((uint32_t)(x))
#define ntohl(x) __builtin_bswap32((uint32_t)(x))

#endif
