/* opendir() and the rest, over the POSIX layer's sys_readdir() on an open directory. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "posix/newlib/glue.h"
#include "posix/sys.h"

static unsigned char d_type(uint32_t mode)
{
	switch (mode & SYS_S_IFMT) {
	case SYS_S_IFDIR:
		return DT_DIR;
	case SYS_S_IFREG:
		return DT_REG;
	case SYS_S_IFLNK:
		return DT_LNK;
	case SYS_S_IFCHR:
		return DT_CHR;
	case SYS_S_IFBLK:
		return DT_BLK;
	default:
		return DT_UNKNOWN;
	}
}

DIR *fdopendir(int fd)
{
	DIR *d;
	struct sys_stat st;
	int rc = sys_fstat(fd, &st);

	if (!rc && !SYS_S_ISDIR(st.mode))
		rc = -ENOTDIR;
	if (rc) {
		newlib_ret(_REENT, rc);
		return NULL;
	}
	d = calloc(1, sizeof(*d));
	if (!d) {
		errno = ENOMEM;
		return NULL;
	}
	d->dd_fd = fd;
	return d;
}

DIR *opendir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY);
	DIR *d;

	if (fd < 0)
		return NULL;
	d = fdopendir(fd);
	if (!d)
		close(fd);
	return d;
}

struct dirent *readdir(DIR *d)
{
	struct sys_dirent e;
	int rc = sys_readdir(d->dd_fd, &e);

	if (rc <= 0) {
		if (rc < 0)
			newlib_ret(_REENT, rc);
		return NULL; /* the end: errno unchanged */
	}
	d->dd_entry.d_ino = (ino_t)e.ino;
	d->dd_entry.d_type = d_type(e.mode);
	strlcpy(d->dd_entry.d_name, e.name, sizeof(d->dd_entry.d_name));
	return &d->dd_entry;
}

void rewinddir(DIR *d)
{
	sys_lseek(d->dd_fd, 0, SYS_SEEK_SET);
}

int dirfd(DIR *d)
{
	return d->dd_fd;
}

int closedir(DIR *d)
{
	int rc = close(d->dd_fd);

	free(d);
	return rc;
}
