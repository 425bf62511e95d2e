/* strlcpy for tests that build Skiff sources against the host's libc (glibc 2.36 has
 * none). Included once per test binary. */
#ifndef TESTS_UNIT_HOST_STRLCPY_H
#define TESTS_UNIT_HOST_STRLCPY_H

#include <string.h>

size_t strlcpy(char *dst, const char *src, size_t size)
{
	size_t n = strlen(src);

	if (size) {
		size_t c = n < size - 1 ? n : size - 1;

		memcpy(dst, src, c);
		dst[c] = '\0';
	}
	return n;
}

#endif
