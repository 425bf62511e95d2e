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

/*
 * For a variadic function an app may pass a double to (printf, snprintf, xs_printf): its
 * prologue must store the vector registers x86-64 passes doubles in, which code built
 * -mgeneral-regs-only leaves out, so the formatter can read them from the va_list. It
 * only stores them (movaps %xmmN to its frame), never writes one; keep such a function to
 * va_start, the call of its v-function and va_end, and that one noinline, so that no other
 * code is built with SSE (tests/build/test-library.sh checks the library writes no vector
 * register).
 */
#define VA_SAVES_VECTOR_ARGS __attribute__((target("sse2")))

/* Send all printf/printk output to write() from now on (before: it is dropped). */
void printk_set_output(void (*write)(const char *buf, size_t len));

#endif
