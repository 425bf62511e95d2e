/* Declarations of the Skiff functions under test, by their host (skiff_) names. */
#ifndef TESTS_UNIT_SKIFF_HOST_H
#define TESTS_UNIT_SKIFF_HOST_H

#include <stdarg.h>
#include <stddef.h>

void *skiff_memcpy(void *dst, const void *src, size_t n);
void *skiff_memmove(void *dst, const void *src, size_t n);
void *skiff_memset(void *s, int c, size_t n);
int skiff_memcmp(const void *a, const void *b, size_t n);
void *skiff_memchr(const void *s, int c, size_t n);
size_t skiff_strlen(const char *s);
size_t skiff_strnlen(const char *s, size_t max);
int skiff_strcmp(const char *a, const char *b);
int skiff_strncmp(const char *a, const char *b, size_t n);
char *skiff_strchr(const char *s, int c);
char *skiff_strrchr(const char *s, int c);
char *skiff_strcpy(char *dst, const char *src);
char *skiff_strncpy(char *dst, const char *src, size_t n);
size_t skiff_strlcpy(char *dst, const char *src, size_t size);
char *skiff_strcat(char *dst, const char *src);
char *skiff_strstr(const char *haystack, const char *needle);
long skiff_strtol(const char *s, char **end, int base);
unsigned long skiff_strtoul(const char *s, char **end, int base);

void *skiff_malloc(size_t size);
void *skiff_calloc(size_t nmemb, size_t size);
void *skiff_realloc(void *ptr, size_t size);
void *skiff_aligned_alloc(size_t alignment, size_t size);
void skiff_free(void *ptr);
void malloc_init(void);
struct malloc_counts {
	unsigned long live_blocks;
	unsigned long small_pages;
};
void malloc_counts(struct malloc_counts *counts);

int skiff_snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int skiff_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

void page_alloc_init(void *base, unsigned long npages);
void *page_alloc(unsigned long npages);
void *page_alloc_aligned(unsigned long npages, unsigned long align_pages);
void page_free(void *p, unsigned long npages);
unsigned long page_alloc_free_pages(void);
unsigned long page_alloc_total_pages(void);

#endif
