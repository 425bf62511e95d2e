/*
 * The PV console (xen/io/console.h): a page with an input ring (1024 bytes) and an
 * output ring (2048 bytes) shared with xenconsoled in dom0, plus an event channel.
 */
#ifndef XEN_CONSOLE_H
#define XEN_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

void console_init(void *ring_page, uint32_t evtchn);
/*
 * Write buf, each "\n" as "\r\n". When the ring is full, wait for the backend, up to
 * 2 s (or a bounded number of yields before time works); then drop what is left, and
 * everything after it until the backend reads again, when one line says how many bytes
 * were lost.
 */
void console_write(const char *buf, size_t len);
/* Console input: what has arrived, up to len bytes, without waiting (0: nothing yet),
 * or -EIO for a broken ring. */
long console_read(char *buf, size_t len);
/* Input is waiting (console_read would return bytes, or -EIO for a broken ring). */
bool console_input_pending(void);
/* Wait (up to about a second) until the backend has read everything written. */
void console_flush(void);

#endif
