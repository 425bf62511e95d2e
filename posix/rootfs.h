/* The file tree at start-up (posix/rootfs.c). Internal to posix/. */
#ifndef POSIX_ROOTFS_H
#define POSIX_ROOTFS_H

#include <stddef.h>

/* The ramdisk (a newc cpio archive, or NULL) as a read-only tree, /tmp, /dev, and fds
 * 0, 1, 2 on the console: 0, or a negative errno after saying what was wrong. */
int rootfs_init(const void *archive, size_t size);

#endif
