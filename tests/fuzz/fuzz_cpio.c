/*
 * The newc cpio reader (posix/cpio.c) on any archive, held in a heap block of exactly
 * the input's length so that ASan sees a read one byte past it.
 *
 * Whatever the bytes, cpio_next returns 1, 0 or -EBADMSG; each entry it gives lies
 * inside the archive (its name NUL-terminated where name_len says, with no ".."
 * component, its data within the buffer); a refusal says why and at an offset inside
 * the archive, and asking again gives the same answer; the trailer ends it for good.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "posix/cpio.c"

static bool inside(const unsigned char *a, size_t len, const void *p, size_t n)
{
	const unsigned char *q = p;

	return q >= a && q <= a + len && n <= (size_t)(a + len - q);
}

static bool has_dotdot(const char *name)
{
	for (const char *p = name; (p = strstr(p, "..")); p += 2)
		if ((p == name || p[-1] == '/') && (p[2] == '\0' || p[2] == '/'))
			return true;
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char *a = malloc(size ? size : 1);
	struct cpio_reader r;
	struct cpio_entry e;
	int rc;

	memcpy(a, data, size);
	cpio_reader_init(&r, a, size);
	while ((rc = cpio_next(&r, &e, NULL, NULL)) == 1) {
		if (!inside(a, size, e.name, e.name_len + 1) || e.name[e.name_len] ||
		    strlen(e.name) != e.name_len || has_dotdot(e.name))
			abort();
		if (e.size && !inside(a, size, e.data, e.size))
			abort();
	}
	if (rc == -EBADMSG) {
		const char *why = NULL, *why2 = NULL;
		size_t at = ~(size_t)0, at2 = 0;

		if (cpio_next(&r, &e, &why, &at) != -EBADMSG || !why || !*why || at > size)
			abort();
		if (cpio_next(&r, &e, &why2, &at2) != -EBADMSG || strcmp(why, why2) || at != at2)
			abort(); /* the reader stays where it was */
	} else if (rc != 0 || cpio_next(&r, &e, NULL, NULL) != 0) {
		abort();
	}
	free(a);
	return 0;
}
