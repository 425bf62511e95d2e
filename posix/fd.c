/*
 * The fd table. A file ends when its last fd closes; then the node hears of it (a
 * device closes, an unlinked file is freed).
 */
#include <errno.h>
#include <stdlib.h>

#include "posix/fd.h"
#include "posix/sys.h"
#include "posix/vfs.h"

static struct file *table[SYS_OPEN_MAX];

struct file *fd_file(int fd)
{
	if (fd < 0 || fd >= SYS_OPEN_MAX)
		return NULL;
	return table[fd];
}

static int lowest_free(int min)
{
	for (int fd = min; fd < SYS_OPEN_MAX; fd++)
		if (!table[fd])
			return fd;
	return -EMFILE;
}

bool fd_table_full(void)
{
	return lowest_free(0) < 0;
}

int fd_install(struct node *node, int flags)
{
	int fd = lowest_free(0);
	struct file *f;

	if (fd < 0)
		return fd;
	f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	f->refs = 1;
	f->flags = flags;
	f->node = node;
	node->opens++;
	table[fd] = f;
	return fd;
}

struct file *fd_get(int fd)
{
	struct file *f = fd_file(fd);

	if (f)
		f->refs++;
	return f;
}

/* One holder fewer: the file ends with the last (its fds and fd_get()'s). */
void fd_put(struct file *f)
{
	if (--f->refs)
		return;
	if (f->node->dev && f->node->dev->close)
		f->node->dev->close(f->node->dev_arg);
	vfs_node_closed(f->node);
	free(f);
}

int fd_dup(int fd, int min, int at)
{
	struct file *f = fd_file(fd);
	int to;

	if (!f)
		return -EBADF;
	if (at >= 0) {
		if (at >= SYS_OPEN_MAX)
			return -EBADF;
		if (at == fd)
			return at;
		if (table[at])
			fd_put(table[at]);
		to = at;
	} else {
		if (min < 0 || min >= SYS_OPEN_MAX)
			return -EINVAL;
		to = lowest_free(min);
		if (to < 0)
			return to;
	}
	f->refs++;
	table[to] = f;
	return to;
}

int fd_close(int fd)
{
	struct file *f = fd_file(fd);

	if (!f)
		return -EBADF;
	table[fd] = NULL;
	fd_put(f);
	return 0;
}
