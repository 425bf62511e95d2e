/* Error numbers (Linux's values). Skiff functions return them negated: -ENOENT. */
#ifndef SKIFF_ERRNO_H
#define SKIFF_ERRNO_H

#define EPERM	  1
#define ENOENT	  2
#define EIO	  5
#define E2BIG	  7
#define EAGAIN	  11
#define ENOMEM	  12
#define EACCES	  13
#define EBUSY	  16
#define EEXIST	  17
#define ENODEV	  19
#define EISDIR	  21
#define EINVAL	  22
#define ENOSPC	  28
#define EROFS	  30
#define ERANGE	  34
#define ENOSYS	  38
#define ENOTEMPTY 39
#define EBADMSG	  74
#define EOPNOTSUPP 95
#define EISCONN	  106
#define ETIMEDOUT 110
#define ESHUTDOWN 108

/* The name of an errno value ("ENOENT"), or "E?" for one not listed here. */
const char *strerror_name(int err);

#endif
