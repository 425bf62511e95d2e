/*
 * The file system calls over the tree (posix/vfs.h) and the fd table (posix/fd.h).
 * Files under /tmp live in memory and may change; the ramdisk's may only be read
 * (EROFS); devices read and write through their dev_ops.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "posix/fd.h"
#include "posix/sys.h"
#include "posix/vfs.h"

static bool is_dir(const struct node *n)
{
	return SYS_S_ISDIR(n->mode);
}

static bool can_write(int flags)
{
	return (flags & SYS_O_ACCMODE) != SYS_O_RDONLY;
}

static int create(const char *path, uint32_t mode, struct node **out)
{
	struct node *dir;
	const char *name;
	size_t len;
	int rc = vfs_lookup_parent(path, &dir, &name, &len);

	if (rc)
		return rc;
	if (vfs_child(dir, name, len))
		return -EEXIST;
	if (!dir->writable)
		return -EROFS;
	*out = vfs_add(dir, name, len, mode);
	if (!*out)
		return -ENOMEM;
	(*out)->owned = true;
	return 0;
}

int sys_open(const char *path, int flags, uint32_t mode)
{
	struct node *n;
	size_t len = strlen(path);
	int rc;

	/* The fd first, as Linux: an open that cannot have one creates and empties nothing. */
	if (fd_table_full())
		return -EMFILE;
	rc = vfs_lookup(path, true, &n);
	if (rc == -ENOENT && (flags & SYS_O_CREAT)) {
		/* "new/" can only name a directory, which open() does not make (else it made
		 * a file "new"); Linux says EISDIR. */
		if (len && path[len - 1] == '/')
			return -EISDIR;
		rc = create(path, SYS_S_IFREG | (mode & 0777), &n);
	} else if (rc == 0 && (flags & SYS_O_CREAT) && (flags & SYS_O_EXCL)) {
		return -EEXIST;
	}
	if (rc)
		return rc;
	if ((flags & SYS_O_DIRECTORY) && !is_dir(n))
		return -ENOTDIR;
	if (is_dir(n) && can_write(flags))
		return -EISDIR;
	if (can_write(flags) && !n->writable && !n->dev)
		return -EROFS;
	if (n->dev && n->dev->open) {
		rc = n->dev->open(n->dev_arg, flags);
		if (rc)
			return rc;
	}
	if ((flags & SYS_O_TRUNC) && can_write(flags) && SYS_S_ISREG(n->mode)) {
		rc = vfs_resize(n, 0);
		if (rc)
			return rc;
	}
	rc = fd_install(n, flags & ~(SYS_O_CREAT | SYS_O_EXCL | SYS_O_TRUNC));
	if (rc < 0 && n->dev && n->dev->close)
		n->dev->close(n->dev_arg);
	return rc;
}

int sys_close(int fd)
{
	return fd_close(fd);
}

static long node_read(struct file *f, void *buf, size_t len, int64_t off)
{
	struct node *n = f->node;

	if (n->dev)
		return n->dev->read
			       ? n->dev->read(n->dev_arg, buf, len, off, f->flags & SYS_O_NONBLOCK)
			       : -EINVAL;
	if (is_dir(n))
		return -EISDIR;
	if (off < 0)
		return -EINVAL;
	if ((uint64_t)off >= n->size)
		return 0;
	if (len > n->size - off)
		len = n->size - off;
	memcpy(buf, n->data + off, len);
	return (long)len;
}

static long node_write(struct file *f, const void *buf, size_t len, int64_t off)
{
	struct node *n = f->node;
	int rc;

	if (n->dev)
		return n->dev->write ? n->dev->write(n->dev_arg, buf, len, off) : -EINVAL;
	if (off < 0)
		return -EINVAL;
	/* Writing nothing changes nothing (POSIX), past the end too: no zero-filled gap.
	 * (And an empty file's data is NULL, which memcpy may not be given.) */
	if (!len)
		return 0;
	if ((uint64_t)off + len > n->size) {
		rc = vfs_resize(n, off + len);
		if (rc)
			return rc;
	}
	memcpy(n->data + off, buf, len);
	n->mtime_ns = vfs_now_ns();
	return (long)len;
}

/* read and write hold the file while they run: a device's read may block (a socket,
 * the console), and another thread may close the fd meanwhile. */
long sys_read(int fd, void *buf, size_t len)
{
	struct file *f = fd_get(fd);
	long n = -EBADF;

	if (f && (f->flags & SYS_O_ACCMODE) != SYS_O_WRONLY) {
		n = node_read(f, buf, len, f->pos);
		if (n > 0)
			f->pos += n;
	}
	if (f)
		fd_put(f);
	return n;
}

long sys_write(int fd, const void *buf, size_t len)
{
	struct file *f = fd_get(fd);
	long n = -EBADF;

	if (f && can_write(f->flags)) {
		if ((f->flags & SYS_O_APPEND) && SYS_S_ISREG(f->node->mode))
			f->pos = f->node->size;
		n = node_write(f, buf, len, f->pos);
		if (n > 0)
			f->pos += n;
	}
	if (f)
		fd_put(f);
	return n;
}

long sys_pread(int fd, void *buf, size_t len, int64_t off)
{
	struct file *f = fd_get(fd);
	long n = -EBADF;

	if (f && (f->flags & SYS_O_ACCMODE) != SYS_O_WRONLY)
		n = f->node->dev && f->node->dev->stream ? -ESPIPE : node_read(f, buf, len, off);
	if (f)
		fd_put(f);
	return n;
}

long sys_pwrite(int fd, const void *buf, size_t len, int64_t off)
{
	struct file *f = fd_get(fd);
	long n = -EBADF;

	if (f && can_write(f->flags))
		n = f->node->dev && f->node->dev->stream ? -ESPIPE : node_write(f, buf, len, off);
	if (f)
		fd_put(f);
	return n;
}

static int64_t node_size(const struct node *n)
{
	if (n->dev)
		return n->dev->size ? n->dev->size(n->dev_arg) : 0;
	return (int64_t)n->size;
}

int64_t sys_lseek(int fd, int64_t off, int whence)
{
	struct file *f = fd_file(fd);
	int64_t base;

	if (!f)
		return -EBADF;
	if (f->node->dev && f->node->dev->stream)
		return -ESPIPE;
	switch (whence) {
	case SYS_SEEK_SET:
		base = 0;
		break;
	case SYS_SEEK_CUR:
		base = f->pos;
		break;
	case SYS_SEEK_END:
		base = node_size(f->node);
		break;
	default:
		return -EINVAL;
	}
	if ((off > 0 && base > INT64_MAX - off) || base + off < 0)
		return -EINVAL;
	f->pos = base + off;
	if (is_dir(f->node) && f->pos == 0)
		f->dir_pos = 0; /* rewinddir */
	return f->pos;
}

static void fill_stat(const struct node *n, struct sys_stat *st)
{
	memset(st, 0, sizeof(*st));
	st->dev = 1;
	st->ino = n->ino;
	st->mode = n->mode;
	st->nlink = is_dir(n) ? 2 : 1;
	st->size = node_size(n);
	st->blksize = 4096;
	st->blocks = (st->size + 511) / 512;
	st->mtime.sec = n->mtime_ns / 1000000000;
	st->mtime.nsec = n->mtime_ns % 1000000000;
	st->atime = st->ctime = st->mtime;
}

int sys_fstat(int fd, struct sys_stat *st)
{
	struct file *f = fd_file(fd);

	if (!f)
		return -EBADF;
	fill_stat(f->node, st);
	return 0;
}

static int stat_path(const char *path, bool follow, struct sys_stat *st)
{
	struct node *n;
	int rc = vfs_lookup(path, follow, &n);

	if (rc)
		return rc;
	fill_stat(n, st);
	return 0;
}

int sys_stat(const char *path, struct sys_stat *st)
{
	return stat_path(path, true, st);
}

int sys_lstat(const char *path, struct sys_stat *st)
{
	return stat_path(path, false, st);
}

int sys_isatty(int fd)
{
	struct file *f = fd_file(fd);

	if (!f)
		return -EBADF;
	return f->node->dev && f->node->dev->tty ? 1 : -ENOTTY;
}

int sys_dup(int fd)
{
	return fd_dup(fd, 0, -1);
}

int sys_dup2(int fd, int to)
{
	/* fd_dup takes a negative `at` for "the lowest free": for dup2 it is a bad fd. */
	if (to < 0)
		return -EBADF;
	return fd_dup(fd, 0, to);
}

int sys_dupfd(int fd, int min)
{
	return fd_dup(fd, min, -1);
}

int sys_getfl(int fd)
{
	struct file *f = fd_file(fd);

	return f ? f->flags : -EBADF;
}

int sys_setfl(int fd, int flags)
{
	struct file *f = fd_file(fd);
	const int changeable = SYS_O_NONBLOCK | SYS_O_APPEND;
	int rc;

	if (!f)
		return -EBADF;
	flags = (f->flags & ~changeable) | (flags & changeable);
	if (f->node->dev && f->node->dev->setfl) {
		rc = f->node->dev->setfl(f->node->dev_arg, flags);
		if (rc)
			return rc;
	}
	f->flags = flags;
	return 0;
}

int sys_lock(int fd)
{
	struct file *f = fd_file(fd);

	if (!f)
		return -EBADF;
	return SYS_S_ISREG(f->node->mode) ? 0 : -EINVAL;
}

int sys_fsync(int fd)
{
	struct file *f = fd_file(fd);

	if (!f)
		return -EBADF;
	/* A file in memory is as stored as it gets; a disk flushes its cache. */
	if (f->node->dev && f->node->dev->fsync)
		return f->node->dev->fsync(f->node->dev_arg);
	return 0;
}

static int truncate_node(struct node *n, int64_t len)
{
	if (len < 0)
		return -EINVAL;
	if (is_dir(n))
		return -EISDIR;
	if (!SYS_S_ISREG(n->mode))
		return -EINVAL;
	if (!n->writable)
		return -EROFS;
	return vfs_resize(n, (size_t)len);
}

int sys_ftruncate(int fd, int64_t len)
{
	struct file *f = fd_file(fd);

	if (!f || !can_write(f->flags))
		return -EBADF;
	return truncate_node(f->node, len);
}

int sys_truncate(const char *path, int64_t len)
{
	struct node *n;
	int rc = vfs_lookup(path, true, &n);

	return rc ? rc : truncate_node(n, len);
}

int sys_unlink(const char *path)
{
	struct node *n;
	int rc = vfs_lookup(path, false, &n);

	if (rc)
		return rc;
	if (is_dir(n))
		return -EISDIR;
	if (!n->parent->writable)
		return -EROFS;
	vfs_unlink_node(n);
	return 0;
}

int sys_rmdir(const char *path)
{
	struct node *n;
	int rc = vfs_lookup(path, false, &n);

	if (rc)
		return rc;
	if (!is_dir(n))
		return -ENOTDIR;
	if (n == vfs_root() || n == vfs_cwd())
		return -EBUSY;
	if (!n->parent->writable)
		return -EROFS;
	if (n->children)
		return -ENOTEMPTY;
	vfs_unlink_node(n);
	return 0;
}

int sys_mkdir(const char *path, uint32_t mode)
{
	struct node *n;

	return create(path, SYS_S_IFDIR | (mode & 0777), &n);
}

static bool is_below(const struct node *n, const struct node *dir)
{
	for (const struct node *p = n; p != vfs_root(); p = p->parent)
		if (p == dir)
			return true;
	return false;
}

int sys_rename(const char *from, const char *to)
{
	struct node *n, *dir, *old;
	const char *name;
	size_t len;
	char *copy;
	int rc = vfs_lookup(from, false, &n);

	if (rc)
		return rc;
	rc = vfs_lookup_parent(to, &dir, &name, &len);
	if (rc)
		return rc;
	if (!n->parent->writable || !dir->writable)
		return -EROFS;
	if (is_dir(n) && is_below(dir, n))
		return -EINVAL; /* into itself */
	old = vfs_child(dir, name, len);
	if (old == n)
		return 0;
	/* The working directory has no reference to keep it: as sys_rmdir, not replaced. */
	if (old && old == vfs_cwd())
		return -EBUSY;
	if (old) {
		if (is_dir(old) && !is_dir(n))
			return -EISDIR;
		if (!is_dir(old) && is_dir(n))
			return -ENOTDIR;
		if (is_dir(old) && old->children)
			return -ENOTEMPTY;
	}
	copy = malloc(len + 1);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, name, len);
	copy[len] = 0;
	if (old)
		vfs_unlink_node(old);
	/* Out of its directory, into the new one under the new name. */
	{
		struct node **p = &n->parent->children;

		while (*p != n)
			p = &(*p)->next;
		*p = n->next;
	}
	free(n->name);
	n->name = copy;
	vfs_link(dir, n);
	return 0;
}

int sys_access(const char *path, int mode)
{
	struct node *n;
	int rc = vfs_lookup(path, true, &n);

	if (rc)
		return rc;
	if ((mode & 2) && !n->writable && !n->dev)
		return -EROFS;
	if ((mode & 1) && !is_dir(n))
		return -EACCES; /* nothing here is a program to run */
	return 0;
}

long sys_readlink(const char *path, char *buf, size_t size)
{
	struct node *n;
	int rc = vfs_lookup(path, false, &n);
	size_t len;

	if (rc)
		return rc;
	if ((n->mode & SYS_S_IFMT) != SYS_S_IFLNK)
		return -EINVAL;
	len = n->size < size ? n->size : size;
	memcpy(buf, n->data, len);
	return (long)len;
}

static int chmod_node(struct node *n, uint32_t mode)
{
	if (!n->writable)
		return -EROFS;
	n->mode = (n->mode & SYS_S_IFMT) | (mode & 07777);
	return 0;
}

int sys_chmod(const char *path, uint32_t mode)
{
	struct node *n;
	int rc = vfs_lookup(path, true, &n);

	return rc ? rc : chmod_node(n, mode);
}

int sys_fchmod(int fd, uint32_t mode)
{
	struct file *f = fd_file(fd);

	return f ? chmod_node(f->node, mode) : -EBADF;
}

int sys_utime(const char *path, const struct sys_timespec *mtime)
{
	struct node *n;
	int rc = vfs_lookup(path, true, &n);

	if (rc)
		return rc;
	if (mtime && (mtime->nsec < 0 || mtime->nsec >= 1000000000 || mtime->sec < 0 ||
		      mtime->sec >= INT64_MAX / 1000000000))
		return -EINVAL;
	if (!n->writable)
		return -EROFS;
	n->mtime_ns = mtime ? mtime->sec * 1000000000 + mtime->nsec : vfs_now_ns();
	return 0;
}

int sys_chdir(const char *path)
{
	struct node *n;
	int rc = vfs_lookup(path, true, &n);

	if (rc)
		return rc;
	if (!is_dir(n))
		return -ENOTDIR;
	vfs_set_cwd(n);
	return 0;
}

int sys_getcwd(char *buf, size_t size)
{
	int rc = vfs_path(vfs_cwd(), buf, size);

	return rc < 0 ? rc : 0;
}

int sys_readdir(int fd, struct sys_dirent *d)
{
	struct file *f = fd_file(fd);
	struct node *c;

	if (!f)
		return -EBADF;
	if (!is_dir(f->node))
		return -ENOTDIR;
	/* The first entry after the last one returned, found by its place, not by counting
	 * entries: an entry removed meanwhile (the `rm -r` loop unlinks each as it reads)
	 * would shift the count and skip the one after it. */
	c = f->node->children;
	while (c && c->dir_seq <= f->dir_pos)
		c = c->next;
	if (!c)
		return 0;
	f->dir_pos = c->dir_seq;
	d->ino = c->ino;
	d->mode = c->mode;
	strlcpy(d->name, c->name, sizeof(d->name));
	return 1;
}
