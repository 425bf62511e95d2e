/*
 * The library's own console output (the same output as printf). libc formats; the
 * kernel tells it where the bytes go (the Xen console ring) once that works.
 */
#ifndef LIBC_PRINTK_H
#define LIBC_PRINTK_H

#include <stdarg.h>
#include <stddef.h>

int printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintk(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

/* Send all printf/printk output to write() from now on (before: it is dropped). */
void printk_set_output(void (*write)(const char *buf, size_t len));

#endif
