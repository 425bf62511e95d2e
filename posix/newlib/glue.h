/* Between the files of the newlib glue. */
#ifndef POSIX_NEWLIB_GLUE_H
#define POSIX_NEWLIB_GLUE_H

#include <reent.h>

/* newlib's errno for the POSIX layer's -errno rc (rc < 0). */
int newlib_errno(long rc);

/* rc if it is not an error; else errno (of r) set, -1. */
static inline long newlib_ret(struct _reent *r, long rc)
{
	if (rc >= 0)
		return rc;
	r->_errno = newlib_errno(rc);
	return -1;
}

#endif
