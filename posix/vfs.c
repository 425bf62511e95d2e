/*
 * The file tree: nodes in memory, looked up by path. Components are compared as bytes;
 * "." and ".." are handled here (the root's ".." is the root), symlinks (from the
 * ramdisk) are followed up to VFS_MAX_LINKS deep.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <skiff/time.h>

#include "posix/sys.h"
#include "posix/vfs.h"

#define VFS_NAME_MAX  255
#define VFS_PATH_MAX  4096
#define VFS_MAX_LINKS 8
/* A file in memory grows up to this (RAM is the limit; this catches runaway sizes). */
#define VFS_FILE_MAX ((size_t)1 << 40)

static struct node root = {.name = "", .mode = SYS_S_IFDIR | 0755, .ino = 1};
static struct node *cwd = &root;
static uint64_t next_ino = 2;
/* Numbers of freed nodes, given out again first. A C library's ino_t may be narrow
 * (newlib's is 16 bits): numbers kept low let stat() tell files apart for as long as
 * fewer than 65,535 exist at once, however many came and went (SQLite makes and
 * removes a journal per transaction, and tells files apart by dev and ino). */
static uint64_t *free_inos;
static size_t nr_free_inos, free_inos_cap;

static uint64_t new_ino(void)
{
	return nr_free_inos ? free_inos[--nr_free_inos] : next_ino++;
}

static void release_ino(uint64_t ino)
{
	if (nr_free_inos == free_inos_cap) {
		size_t cap = free_inos_cap ? 2 * free_inos_cap : 64;
		uint64_t *grown = realloc(free_inos, cap * sizeof(*grown));

		if (!grown)
			return; /* the number is not reused: no harm but a higher next one */
		free_inos = grown;
		free_inos_cap = cap;
	}
	free_inos[nr_free_inos++] = ino;
}
static uint64_t next_dir_seq = 1; /* 0: before every entry (struct file's dir_pos) */

struct node *vfs_root(void)
{
	root.parent = &root;
	return &root;
}

int64_t vfs_now_ns(void)
{
	return (int64_t)wallclock_ns();
}

struct node *vfs_child(struct node *dir, const char *name, size_t len)
{
	for (struct node *c = dir->children; c; c = c->next)
		if (strlen(c->name) == len && !memcmp(c->name, name, len))
			return c;
	return NULL;
}

static void free_node(struct node *n);

/* A node of mode, numbered and stamped, in no directory yet. */
static struct node *new_node(uint32_t mode)
{
	struct node *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->mode = mode;
	n->ino = new_ino();
	n->mtime_ns = vfs_now_ns();
	return n;
}

struct node *vfs_add(struct node *dir, const char *name, size_t len, uint32_t mode)
{
	struct node *n = new_node(mode);

	if (!n)
		return NULL;
	n->name = malloc(len + 1);
	if (!n->name) {
		free_node(n);
		return NULL;
	}
	memcpy(n->name, name, len);
	n->name[len] = 0;
	n->writable = dir->writable;
	vfs_link(dir, n);
	return n;
}

struct node *vfs_new_anonymous(uint32_t mode)
{
	struct node *n = new_node(mode);

	if (n)
		n->unlinked = true; /* in no directory: nothing keeps it once it is closed */
	return n;
}

void vfs_link(struct node *dir, struct node *n)
{
	struct node **p = &dir->children;

	/* At the end: readdir keeps its place while entries are added. */
	while (*p)
		p = &(*p)->next;
	*p = n;
	n->next = NULL;
	n->parent = dir;
	n->dir_seq = next_dir_seq++;
}

/* The component of path at *p: its start and length; *p moves past it. */
static size_t next_component(const char **p, const char **start)
{
	const char *s = *p;
	size_t len;

	while (*s == '/')
		s++;
	*start = s;
	len = 0;
	while (s[len] && s[len] != '/')
		len++;
	*p = s + len;
	return len;
}

static bool only_slashes(const char *p)
{
	while (*p == '/')
		p++;
	return !*p;
}

static int walk(struct node *from, const char *path, bool follow_last, int depth,
		struct node **out);

/* Follow the symlink n, found in dir. */
static int follow(struct node *dir, struct node *n, int depth, struct node **out)
{
	char target[VFS_PATH_MAX];

	if (depth >= VFS_MAX_LINKS)
		return -ELOOP;
	if (n->size >= sizeof(target))
		return -ENAMETOOLONG;
	memcpy(target, n->data, n->size);
	target[n->size] = 0;
	return walk(dir, target, true, depth + 1, out);
}

static int walk(struct node *from, const char *path, bool follow_last, int depth, struct node **out)
{
	struct node *n = path[0] == '/' ? vfs_root() : from;
	const char *p = path, *name;
	size_t len;

	if (!*path)
		return -ENOENT;
	if (strlen(path) >= VFS_PATH_MAX)
		return -ENAMETOOLONG;
	while ((len = next_component(&p, &name)) > 0) {
		struct node *c;
		bool last = only_slashes(p);

		if (!SYS_S_ISDIR(n->mode))
			return -ENOTDIR;
		if (len > VFS_NAME_MAX)
			return -ENAMETOOLONG;
		if (len == 1 && name[0] == '.')
			continue;
		if (len == 2 && name[0] == '.' && name[1] == '.') {
			n = n->parent;
			continue;
		}
		c = vfs_child(n, name, len);
		if (!c)
			return -ENOENT;
		if ((c->mode & SYS_S_IFMT) == SYS_S_IFLNK && (!last || follow_last || *p == '/')) {
			int rc = follow(n, c, depth, &c);

			if (rc)
				return rc;
		}
		n = c;
	}
	/* "file/" names a directory, or nothing */
	if (path[strlen(path) - 1] == '/' && !SYS_S_ISDIR(n->mode))
		return -ENOTDIR;
	*out = n;
	return 0;
}

int vfs_lookup(const char *path, bool follow_last, struct node **out)
{
	return walk(cwd, path, follow_last, 0, out);
}

int vfs_lookup_parent(const char *path, struct node **parent, const char **last, size_t *last_len)
{
	char dir[VFS_PATH_MAX];
	size_t n = strlen(path), end, start;
	int rc;

	if (!n)
		return -ENOENT;
	if (n >= sizeof(dir))
		return -ENAMETOOLONG;
	end = n;
	while (end > 0 && path[end - 1] == '/')
		end--;
	if (end == 0)
		return -EBUSY; /* the root itself */
	start = end;
	while (start > 0 && path[start - 1] != '/')
		start--;
	if (end - start > VFS_NAME_MAX)
		return -ENAMETOOLONG;
	if ((end - start == 1 && path[start] == '.') ||
	    (end - start == 2 && path[start] == '.' && path[start + 1] == '.'))
		return -EINVAL;
	if (start == 0) {
		*parent = cwd;
	} else {
		memcpy(dir, path, start);
		dir[start] = 0;
		rc = walk(cwd, dir, true, 0, parent);
		if (rc)
			return rc;
		if (!SYS_S_ISDIR((*parent)->mode))
			return -ENOTDIR;
	}
	*last = path + start;
	*last_len = end - start;
	return 0;
}

static void free_node(struct node *n)
{
	release_ino(n->ino);
	if (n->owned)
		free(n->data);
	free(n->name);
	free(n);
}

void vfs_free_anonymous(struct node *n)
{
	free_node(n);
}

void vfs_unlink_node(struct node *n)
{
	struct node **p = &n->parent->children;

	while (*p != n)
		p = &(*p)->next;
	*p = n->next;
	n->unlinked = true;
	if (!n->opens)
		free_node(n);
}

void vfs_node_closed(struct node *n)
{
	if (--n->opens == 0 && n->unlinked)
		free_node(n);
}

int vfs_resize(struct node *n, size_t size)
{
	if (size > VFS_FILE_MAX)
		return -EFBIG;
	if (size > n->cap) {
		/* Grow by half again, so that appending is linear, not quadratic. */
		size_t cap = n->cap + n->cap / 2;
		char *data;

		if (cap < size)
			cap = size;
		if (cap < 256)
			cap = 256;
		data = realloc(n->data, cap);
		if (!data)
			return -ENOMEM;
		n->data = data;
		n->cap = cap;
	}
	if (size > n->size)
		memset(n->data + n->size, 0, size - n->size);
	n->size = size;
	n->mtime_ns = vfs_now_ns();
	return 0;
}

struct node *vfs_cwd(void)
{
	return cwd;
}

void vfs_set_cwd(struct node *n)
{
	cwd = n;
}

int vfs_path(struct node *n, char *buf, size_t size)
{
	size_t len = 0;

	if (n == vfs_root()) {
		if (size < 2)
			return -ERANGE;
		buf[0] = '/';
		buf[1] = 0;
		return 1;
	}
	for (struct node *p = n; p != &root; p = p->parent)
		len += 1 + strlen(p->name);
	if (len + 1 > size)
		return -ERANGE;
	buf[len] = 0;
	for (struct node *p = n, *end = &root; p != end; p = p->parent) {
		size_t l = strlen(p->name);

		len -= l;
		memcpy(buf + len, p->name, l);
		buf[--len] = '/';
	}
	return (int)strlen(buf);
}
