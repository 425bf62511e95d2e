/*
 * The fd table: each open file is a struct file (the node, where reads and writes go
 * next, the open flags), shared by the fds dup() gives it. Internal to posix/.
 */
#ifndef POSIX_FD_H
#define POSIX_FD_H

#include <stdbool.h>
#include <stdint.h>

struct node;

struct file {
	unsigned int refs; /* fds that name it */
	int flags;	   /* SYS_O_* it was opened with (NONBLOCK, APPEND may change) */
	int64_t pos;
	struct node *node;
	uint64_t dir_pos; /* readdir: the dir_seq of the last entry returned, 0 for none */
};

/* A new file on node with flags, in the lowest free fd: the fd, or -EMFILE, -ENOMEM. */
int fd_install(struct node *node, int flags);
/* Every fd is taken: fd_install would say -EMFILE. */
bool fd_table_full(void);
/* The file of fd, or NULL (not open). */
struct file *fd_file(int fd);
/* The same, held: the file (and its node, a device's close) outlives a close() of fd
 * by another thread until fd_put(). For a call that may block. */
struct file *fd_get(int fd);
void fd_put(struct file *f);
/* Another fd for the file of fd: the lowest free at or above min, or at exactly `at`
 * (closing what was there) when at >= 0. */
int fd_dup(int fd, int min, int at);
/* Close fd: 0, or -EBADF. The file ends with its last fd. */
int fd_close(int fd);

#endif
