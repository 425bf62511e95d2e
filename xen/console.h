/*
 * The PV console (xen/io/console.h): a page with an input ring (1024 bytes) and an
 * output ring (2048 bytes) shared with xenconsoled in dom0, plus an event channel.
 */
#ifndef XEN_CONSOLE_H
#define XEN_CONSOLE_H

#include <stddef.h>
#include <stdint.h>

void console_init(void *ring_page, uint32_t evtchn);
/* Write all of buf; when the ring is full, wait for the backend, never drop output. */
void console_write(const char *buf, size_t len);
/* Wait (up to about a second) until the backend has read everything written. */
void console_flush(void);

#endif
