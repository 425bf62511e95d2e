/* Start of the xenstore client (xen/xenstore.c); the API is <skiff/xenstore.h>. */
#ifndef XEN_XENSTORE_H
#define XEN_XENSTORE_H

#include <stdint.h>

/* Connect to the ring, start the reader and watch threads, learn our domid and name.
 * Needs threads (call it from a thread). */
int xenstore_init(void *ring_page, uint32_t evtchn);

#endif
