/*
 * newlib's errno numbers for the POSIX layer's: the layer returns Linux's numbers
 * (-ENOSYS is -38), newlib's headers give programs their own (ENOSYS is 88). The two
 * meet by name (posix/errno_name.c), once, into a table.
 */
#include <errno.h>
#include <string.h>

#include "posix/errno_list.h"
#include "posix/newlib/glue.h"
#include "posix/sys.h"

/* Every name of the list (ESHUTDOWN, which newlib lacks, becomes EIO below). */
#define ENTRY(e) {e, #e},
static const struct {
	int value;
	const char *name;
} newlib_errors[] = {POSIX_ERRNO_LIST(ENTRY)};

#define LINUX_ERRNO_MAX 134
static int table[LINUX_ERRNO_MAX];
static int table_ready;

int newlib_errno(long rc)
{
	int err = (int)-rc;

	if (!table_ready) {
		for (int e = 1; e < LINUX_ERRNO_MAX; e++) {
			const char *name = sys_errno_name(e);

			table[e] = EIO;
			for (size_t i = 0;
			     name && i < sizeof(newlib_errors) / sizeof(newlib_errors[0]); i++)
				if (!strcmp(newlib_errors[i].name, name))
					table[e] = newlib_errors[i].value;
		}
		table_ready = 1;
	}
	/* A number the layer has no name for would be a bug of the layer: EIO, not 0. */
	return err > 0 && err < LINUX_ERRNO_MAX ? table[err] : EIO;
}
