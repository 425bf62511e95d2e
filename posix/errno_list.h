/*
 * The errno names the POSIX layer returns, one list for posix/errno_name.c (Linux's
 * numbers) and a C library's glue (posix/newlib/errno.c: newlib's): X(name) for each.
 * Names only one side has (Linux's ESHUTDOWN) are listed beside it, not here.
 */
#ifndef POSIX_ERRNO_LIST_H
#define POSIX_ERRNO_LIST_H

#define POSIX_ERRNO_LIST(X)                                                                        \
	X(EPERM)                                                                                   \
	X(ENOENT)                                                                                  \
	X(EIO)                                                                                     \
	X(ENXIO)                                                                                   \
	X(E2BIG)                                                                                   \
	X(EBADF)                                                                                   \
	X(EAGAIN)                                                                                  \
	X(ENOMEM)                                                                                  \
	X(EACCES)                                                                                  \
	X(EFAULT)                                                                                  \
	X(EBUSY)                                                                                   \
	X(EEXIST)                                                                                  \
	X(EXDEV)                                                                                   \
	X(ENODEV)                                                                                  \
	X(ENOTDIR)                                                                                 \
	X(EISDIR)                                                                                  \
	X(EINVAL)                                                                                  \
	X(ENFILE)                                                                                  \
	X(EMFILE)                                                                                  \
	X(ENOTTY)                                                                                  \
	X(EFBIG)                                                                                   \
	X(ENOSPC)                                                                                  \
	X(ESPIPE)                                                                                  \
	X(EROFS)                                                                                   \
	X(ERANGE)                                                                                  \
	X(EDEADLK)                                                                                 \
	X(ENAMETOOLONG)                                                                            \
	X(ENOLCK)                                                                                  \
	X(ENOSYS)                                                                                  \
	X(ENOTEMPTY)                                                                               \
	X(ELOOP)                                                                                   \
	X(EBADMSG)                                                                                 \
	X(EMSGSIZE)                                                                                \
	X(ENOPROTOOPT)                                                                             \
	X(EOPNOTSUPP)                                                                              \
	X(EAFNOSUPPORT)                                                                            \
	X(EADDRINUSE)                                                                              \
	X(EADDRNOTAVAIL)                                                                           \
	X(ECONNABORTED)                                                                            \
	X(ECONNRESET)                                                                              \
	X(ENOBUFS)                                                                                 \
	X(EISCONN)                                                                                 \
	X(ENOTCONN)                                                                                \
	X(ETIMEDOUT)                                                                               \
	X(ECONNREFUSED)                                                                            \
	X(EHOSTUNREACH)                                                                            \
	X(EALREADY)                                                                                \
	X(EINPROGRESS)                                                                             \
	X(EINTR)                                                                                   \
	X(EPIPE)                                                                                   \
	X(ENOTSOCK)                                                                                \
	X(EDESTADDRREQ)                                                                            \
	X(EPROTOTYPE)                                                                              \
	X(EPROTONOSUPPORT)                                                                         \
	X(ENETDOWN)                                                                                \
	X(ENETUNREACH)

#endif
