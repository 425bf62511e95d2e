/* Memory allocation and program exit (lib/malloc.c, lib/boot.c). */
#ifndef SKIFF_STDLIB_H
#define SKIFF_STDLIB_H

#include <stddef.h>

#define EXIT_SUCCESS 0
#define EXIT_FAILURE 1

void *malloc(size_t size);
void *calloc(size_t nmemb, size_t size);
void *realloc(void *ptr, size_t size);
void *aligned_alloc(size_t alignment, size_t size);
void free(void *ptr);

/* Status 0 powers the domain off; any other status crashes it, so xl and on_crash= see
 * the failure. Console output is flushed first. */
void exit(int status) __attribute__((noreturn));
void abort(void) __attribute__((noreturn));

long strtol(const char *s, char **end, int base);
unsigned long strtoul(const char *s, char **end, int base);

#endif
