/*
 * The file tree every path names: one tree of nodes in memory. Built at start-up from
 * the ramdisk (read-only), with /tmp (writable, in memory) and /dev (devices) beside it.
 * Internal to posix/.
 */
#ifndef POSIX_VFS_H
#define POSIX_VFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct file;
struct sys_pollfd;

/* What a device node does; NULL members: the call is not for this device. */
struct dev_ops {
	int (*open)(void *arg, int flags);
	long (*read)(void *arg, void *buf, size_t len, int64_t off, bool nonblock);
	long (*write)(void *arg, const void *buf, size_t len, int64_t off);
	int64_t (*size)(void *arg);
	int (*fsync)(void *arg);
	void (*close)(void *arg);
	/* F_SETFL's new flags (SYS_O_NONBLOCK), for a device that keeps its own. */
	int (*setfl)(void *arg, int flags);
	/* Which of events (SYS_POLL*) hold now, without waiting. NULL: always ready to
	 * read and write, as a file is. */
	unsigned int (*poll)(void *arg, unsigned int events);
	/* Wait until one fd of set[0..n) with these ops is ready, or timeout_ms passes
	 * (-1: no limit); the caller polls again after. NULL: poll() looks every 10 ms. */
	void (*wait)(const struct sys_pollfd *set, unsigned int n, int timeout_ms);
	bool tty;    /* a terminal (isatty) */
	bool stream; /* no offsets: lseek, pread, pwrite say ESPIPE (a terminal, a socket) */
};

struct node {
	char *name;
	uint32_t mode; /* SYS_S_IF* and permission bits */
	uint64_t ino;
	struct node *parent, *children, *next; /* a directory's entries, a list */
	bool writable;			       /* /tmp and what is under it */
	bool owned;    /* data is ours to grow and free (else it points into the ramdisk) */
	bool unlinked; /* removed from its directory while open: freed at the last close */
	unsigned int opens;
	uint64_t dir_seq; /* its place in its directory: each entry's is above those before */
	char *data;	  /* a file's bytes, a symlink's target */
	size_t size, cap;
	int64_t mtime_ns;
	const struct dev_ops *dev;
	void *dev_arg;
};

/* The root; its parent is itself. */
struct node *vfs_root(void);
/* A new node named name[0..len) in dir (which must have no entry of that name). */
struct node *vfs_add(struct node *dir, const char *name, size_t len, uint32_t mode);
/* A node in no directory (a socket), freed at its last close. */
struct node *vfs_new_anonymous(uint32_t mode);
/* Free one that was never opened. */
void vfs_free_anonymous(struct node *n);
/* Put n (in no directory) at the end of dir's entries, with a dir_seq above theirs. */
void vfs_link(struct node *dir, struct node *n);

/*
 * Walk path from the working directory (or the root, for an absolute path). With
 * follow_last, a symlink at the end is followed too. On success *out is the node.
 * With parent != NULL, the walk stops before the last component: *parent is its
 * directory and *last, *last_len name it (the last component may not exist).
 */
int vfs_lookup(const char *path, bool follow_last, struct node **out);
int vfs_lookup_parent(const char *path, struct node **parent, const char **last, size_t *last_len);
struct node *vfs_child(struct node *dir, const char *name, size_t len);

/* Remove a node from its directory; freed now, or at its last close if open. */
void vfs_unlink_node(struct node *n);
void vfs_node_closed(struct node *n);
/* A file's new length (zero-filled when it grows): 0 or -ENOMEM, -EFBIG. */
int vfs_resize(struct node *n, size_t size);

/* The working directory. */
struct node *vfs_cwd(void);
void vfs_set_cwd(struct node *n);
/* n's absolute path into buf: its length, or -ERANGE. */
int vfs_path(struct node *n, char *buf, size_t size);

int64_t vfs_now_ns(void);

#endif
