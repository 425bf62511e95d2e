/*
 * Every errno the POSIX layer returns, by name: the C library's glue maps the names to
 * its own numbers (newlib's ENOSYS is 88, Linux's 38). Longer than libc/strerror.c's
 * list, which stays short because every image carries it.
 */
#include <errno.h>
#include <stddef.h>

#include "posix/errno_list.h"
#include "posix/sys.h"

#define NAME(e) [e] = #e,
static const char *const names[] = {
	POSIX_ERRNO_LIST(NAME) NAME(ESHUTDOWN) /* newlib has no ESHUTDOWN */
};

const char *sys_errno_name(int err)
{
	if (err < 0)
		err = -err;
	if ((size_t)err >= sizeof(names) / sizeof(names[0]))
		return NULL;
	return names[err];
}
