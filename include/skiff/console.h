/* The Xen console: the PV console ring that printf() writes to (xen/console.c). */
#ifndef SKIFF_CONSOLE_H
#define SKIFF_CONSOLE_H

/*
 * Wait (at most 1 s) until the console backend (xenconsoled in dom0) has taken
 * everything written so far. A line printed before is then on its way to dom0's log,
 * not waiting in the ring: useful before timing something that dom0 also times.
 */
void console_flush(void);

#endif
