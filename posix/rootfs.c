/*
 * The file tree at start-up: the xl ramdisk= module, a newc cpio archive the build
 * makes from an app's rootfs/ folder, becomes the read-only tree under / (its files are
 * read where Xen loaded them, not copied); /tmp is an empty writable directory in
 * memory; /dev holds the devices. A malformed archive is reported with what and where,
 * and the appliance does not start on half a tree.
 */
#include <errno.h>
#include <string.h>

#include "libc/printk.h"
#include "posix/cpio.h"
#include "posix/devices.h"
#include "posix/fd.h"
#include "posix/rootfs.h"
#include "posix/sys.h"
#include "posix/vfs.h"

/* The directory for path[0..len) (made if missing, like `mkdir -p`). */
static int make_dirs(const char *path, size_t len, struct node **out)
{
	struct node *dir = vfs_root();
	size_t i = 0;

	while (i < len) {
		size_t start = i;
		struct node *c;

		while (i < len && path[i] != '/')
			i++;
		c = vfs_child(dir, path + start, i - start);
		if (!c) {
			c = vfs_add(dir, path + start, i - start, SYS_S_IFDIR | 0755);
			if (!c)
				return -ENOMEM;
		} else if (!SYS_S_ISDIR(c->mode)) {
			return -ENOTDIR;
		}
		dir = c;
		i++; /* the slash */
	}
	*out = dir;
	return 0;
}

static int add_entry(const struct cpio_entry *e)
{
	const char *slash = strrchr(e->name, '/');
	size_t dir_len = slash ? (size_t)(slash - e->name) : 0;
	const char *base = slash ? slash + 1 : e->name;
	uint32_t type = e->mode & SYS_S_IFMT;
	struct node *dir, *n;
	int rc;

	if (!e->name_len)
		return 0; /* "." */
	if (type != SYS_S_IFDIR && type != SYS_S_IFREG && type != SYS_S_IFLNK) {
		printk("posix: ramdisk: %s is neither a file, a directory nor a symlink: left "
		       "out\n",
		       e->name);
		return 0;
	}
	rc = make_dirs(e->name, dir_len, &dir);
	if (rc)
		return rc;
	n = vfs_child(dir, base, strlen(base));
	if (n) {
		/* A directory listed after a file inside it already made it: keep it. */
		if (SYS_S_ISDIR(n->mode) && type == SYS_S_IFDIR)
			return 0;
		return -EEXIST;
	}
	n = vfs_add(dir, base, strlen(base), e->mode);
	if (!n)
		return -ENOMEM;
	n->data = (char *)e->data;
	n->size = e->size;
	n->mtime_ns = (int64_t)e->mtime * 1000000000;
	return 0;
}

static int load_archive(const void *archive, size_t size)
{
	struct cpio_reader r;
	struct cpio_entry e;
	const char *why;
	size_t at;
	int rc, files = 0;

	cpio_reader_init(&r, archive, size);
	while ((rc = cpio_next(&r, &e, &why, &at)) == 1) {
		rc = add_entry(&e);
		if (rc) {
			/* sys_errno_name: strerror_name knows no ENOTDIR (a file as a dir) */
			printk("posix: ramdisk: %s: %s\n", e.name, sys_errno_name(rc));
			return rc;
		}
		files++;
	}
	if (rc < 0) {
		printk("posix: ramdisk is not a usable cpio archive: %s (at byte %lu)\n", why,
		       (unsigned long)at);
		return rc;
	}
	printk("posix: ramdisk: %d entries, %lu bytes\n", files, (unsigned long)size);
	return 0;
}

int rootfs_init(const void *archive, size_t size)
{
	struct node *root = vfs_root(), *tmp, *dev, *console;
	int rc;

	if (archive) {
		rc = load_archive(archive, size);
		if (rc)
			return rc;
	}
	tmp = vfs_child(root, "tmp", 3);
	dev = vfs_child(root, "dev", 3);
	/* A ramdisk's file (or symlink) there would become writable /tmp, realloc()ed out
	 * of the archive, or get the devices as its children. */
	if ((tmp && !SYS_S_ISDIR(tmp->mode)) || (dev && !SYS_S_ISDIR(dev->mode))) {
		printk("posix: the ramdisk's /%s is not a directory\n",
		       tmp && !SYS_S_ISDIR(tmp->mode) ? "tmp" : "dev");
		return -ENOTDIR;
	}
	if (tmp && tmp->children) {
		printk("posix: the ramdisk has files in /tmp; /tmp is Skiff's writable "
		       "directory\n");
		return -EEXIST;
	}
	if (!tmp)
		tmp = vfs_add(root, "tmp", 3, SYS_S_IFDIR | 01777);
	if (!tmp)
		return -ENOMEM;
	tmp->writable = true;
	if (!dev)
		dev = vfs_add(root, "dev", 3, SYS_S_IFDIR | 0755);
	if (!dev)
		return -ENOMEM;
	rc = devices_init(dev, &console);
	if (rc)
		return rc;
	/* stdin, stdout, stderr */
	if (fd_install(console, SYS_O_RDONLY) != 0 || fd_install(console, SYS_O_WRONLY) != 1 ||
	    fd_install(console, SYS_O_WRONLY) != 2)
		return -ENOMEM;
	return 0;
}
