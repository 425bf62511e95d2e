/*
 * The shared-ring macros of xen/io/ring.h, with the barriers they need defined for
 * this architecture. Drivers include this instead of <xen/io/ring.h>, so that they
 * never reach into arch/ themselves.
 */
#ifndef XEN_RING_H
#define XEN_RING_H

#include <stddef.h>
#include <string.h>
#include <stdint.h>
#include <xen/xen.h>
#include <xen/grant_table.h>

#include <arch.h>

#define xen_mb()  virt_mb()
#define xen_rmb() virt_rmb()
#define xen_wmb() virt_wmb()

#include <xen/io/ring.h>

#endif
