/*
 * Every errno the POSIX layer returns, by name: the C library's glue maps the names to
 * its own numbers (newlib's ENOSYS is 88, Linux's 38). Longer than libc/strerror.c's
 * list, which stays short because every image carries it.
 */
#include <errno.h>
#include <stddef.h>

#include "posix/sys.h"

#define E(name) [name] = #name
static const char *const names[] = {
	E(EPERM),	 E(ENOENT),	  E(EIO),	    E(ENXIO),	     E(E2BIG),
	E(EBADF),	 E(EAGAIN),	  E(ENOMEM),	    E(EACCES),	     E(EFAULT),
	E(EBUSY),	 E(EEXIST),	  E(EXDEV),	    E(ENODEV),	     E(ENOTDIR),
	E(EISDIR),	 E(EINVAL),	  E(ENFILE),	    E(EMFILE),	     E(ENOTTY),
	E(EFBIG),	 E(ENOSPC),	  E(ESPIPE),	    E(EROFS),	     E(ERANGE),
	E(EDEADLK),	 E(ENAMETOOLONG), E(ENOLCK),	    E(ENOSYS),	     E(ENOTEMPTY),
	E(ELOOP),	 E(EBADMSG),	  E(EMSGSIZE),	    E(ENOPROTOOPT),  E(EOPNOTSUPP),
	E(EAFNOSUPPORT), E(EADDRINUSE),	  E(EADDRNOTAVAIL), E(ECONNABORTED), E(ECONNRESET),
	E(ENOBUFS),	 E(EISCONN),	  E(ENOTCONN),	    E(ESHUTDOWN),    E(ETIMEDOUT),
	E(ECONNREFUSED), E(EHOSTUNREACH), E(EALREADY),	    E(EINPROGRESS),
};

const char *sys_errno_name(int err)
{
	if (err < 0)
		err = -err;
	if ((size_t)err >= sizeof(names) / sizeof(names[0]))
		return NULL;
	return names[err];
}
