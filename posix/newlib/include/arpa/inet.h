/*
 * Skiff's <arpa/inet.h> for newlib, which has none: IPv4 addresses as text and back
 * (posix/inet.c does the parsing). inet_pton and inet_ntop take AF_INET only
 * (EAFNOSUPPORT for AF_INET6: the stack is IPv4 only).
 */
#ifndef _ARPA_INET_H
#define _ARPA_INET_H

#include <netinet/in.h>

in_addr_t inet_addr(const char *s);
int inet_aton(const char *s, struct in_addr *addr);
/* A static buffer, overwritten by the next call (as everywhere). */
char *inet_ntoa(struct in_addr addr);
int inet_pton(int af, const char *s, void *dst);
const char *inet_ntop(int af, const void *src, char *dst, socklen_t size);

#endif
