/*
 * Names of errno values ("ENOENT"), for log lines, and the way back: xenstored reports
 * an error by its name (XS_ERROR "ENOENT\0"), so xen/xs_wire.c looks names up here too.
 * Only the errors a Skiff call can return are listed, to keep every image small.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

static const struct {
	int err;
	const char *name;
} errors[] = {
	{EINVAL, "EINVAL"},	    {EACCES, "EACCES"},
	{EEXIST, "EEXIST"},	    {EISDIR, "EISDIR"},
	{ENOENT, "ENOENT"},	    {ENOMEM, "ENOMEM"},
	{ENOSPC, "ENOSPC"},	    {EIO, "EIO"},
	{ENOTEMPTY, "ENOTEMPTY"},   {ENOSYS, "ENOSYS"},
	{EROFS, "EROFS"},	    {EBUSY, "EBUSY"},
	{EAGAIN, "EAGAIN"},	    {EISCONN, "EISCONN"},
	{E2BIG, "E2BIG"},	    {EPERM, "EPERM"},
	{ENODEV, "ENODEV"},	    {ERANGE, "ERANGE"},
	{EBADMSG, "EBADMSG"},	    {ETIMEDOUT, "ETIMEDOUT"},
	{EOPNOTSUPP, "EOPNOTSUPP"}, {ESHUTDOWN, "ESHUTDOWN"},
	{ENXIO, "ENXIO"},	    {EMSGSIZE, "EMSGSIZE"},
	{EDEADLK, "EDEADLK"},
};

const char *strerror_name(int err)
{
	if (err < 0)
		err = -err;
	for (size_t i = 0; i < sizeof(errors) / sizeof(errors[0]); i++)
		if (errors[i].err == err)
			return errors[i].name;
	return "E?";
}

int strerror_from_name(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(errors) / sizeof(errors[0]); i++)
		if (len == strlen(errors[i].name) && !memcmp(name, errors[i].name, len))
			return errors[i].err;
	return 0;
}
