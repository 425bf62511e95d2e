/*
 * The POSIX layer's file calls on the host: the real tree (posix/vfs.c), fd table
 * (posix/fd.c), calls (posix/files.c) and start-up (posix/rootfs.c over posix/cpio.c),
 * built into this file, with posix/devices.c replaced by a fake /dev: a console whose
 * output goes to a buffer here and whose input comes from one, and a 4 KiB disk that
 * counts its opens and closes.
 *
 * Each test starts from a tree rootfs_init() built from a ramdisk archive written here
 * (newc, by ar_*), and ends by closing every fd and freeing the tree (reset(): the
 * state is these files' statics, which this file can reach), so each test sees a fresh
 * process. The sources use the host's malloc, so ASan sees every byte of the tree, and
 * its leak check that an unlinked file is freed at its last close.
 */
#include "posix/vfs.c"
#include "posix/fd.c"
#include "posix/files.c"
#include "posix/rootfs.c"
#include "posix/cpio.c"
#include "posix/errno_name.c"
#include "libc/strerror.c"
#include "host_strlcpy.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <cmocka.h>

#include "fake_log.h"

#define MTIME 0x65937d25u /* the ramdisk's files: 2024-01-02 03:04:05 UTC */
#define HELLO "hello, world\n"

/* ---- clocks ---------------------------------------------------------------------- */

static uint64_t now_ns = 1700000000ull * NSEC_PER_SEC + 123;

uint64_t wallclock_ns(void)
{
	return now_ns;
}

uint64_t monotonic_ns(void)
{
	return now_ns;
}

/* ---- the fake /dev ----------------------------------------------------------------- */

static char console_out[4096];
static size_t console_out_len;
static const char *console_in;
static size_t console_in_len;

static long fake_console_read(void *arg, void *buf, size_t len, int64_t off, bool nonblock)
{
	size_t n = len < console_in_len ? len : console_in_len;

	if (!n)
		return nonblock ? -EAGAIN : 0;
	memcpy(buf, console_in, n);
	console_in += n;
	console_in_len -= n;
	return (long)n;
}

static long fake_console_write(void *arg, const void *buf, size_t len, int64_t off)
{
	assert_true(len <= sizeof(console_out) - 1 - console_out_len);
	memcpy(console_out + console_out_len, buf, len);
	console_out_len += len;
	console_out[console_out_len] = 0;
	return (long)len;
}

static const struct dev_ops fake_console_ops = {
	.read = fake_console_read,
	.write = fake_console_write,
	.tty = true,
	.stream = true,
};

static unsigned char disk[4096];
static int disk_opens, disk_closes;

static int fake_disk_open(void *arg, int flags)
{
	disk_opens++;
	return 0;
}

static void fake_disk_close(void *arg)
{
	disk_closes++;
}

static int64_t fake_disk_size(void *arg)
{
	return sizeof(disk);
}

static long fake_disk_read(void *arg, void *buf, size_t len, int64_t off, bool nonblock)
{
	if (off < 0)
		return -EINVAL;
	if ((uint64_t)off >= sizeof(disk))
		return 0;
	if (len > sizeof(disk) - off)
		len = sizeof(disk) - off;
	memcpy(buf, disk + off, len);
	return (long)len;
}

static long fake_disk_write(void *arg, const void *buf, size_t len, int64_t off)
{
	if (off < 0)
		return -EINVAL;
	if ((uint64_t)off >= sizeof(disk))
		return -ENOSPC;
	if (len > sizeof(disk) - off)
		len = sizeof(disk) - off;
	memcpy(disk + off, buf, len);
	return (long)len;
}

static const struct dev_ops fake_disk_ops = {
	.open = fake_disk_open,
	.read = fake_disk_read,
	.write = fake_disk_write,
	.size = fake_disk_size,
	.close = fake_disk_close,
};

/* posix/devices.c's, for this /dev. */
int devices_init(struct node *dev, struct node **console)
{
	struct node *c = vfs_add(dev, "console", 7, SYS_S_IFCHR | 0620);
	struct node *d = vfs_add(dev, "xvda", 4, SYS_S_IFBLK | 0660);

	if (!c || !d)
		return -ENOMEM;
	c->dev = &fake_console_ops;
	d->dev = &fake_disk_ops;
	*console = c;
	return 0;
}

/* ---- a newc archive writer ---------------------------------------------------------- */

struct ar {
	unsigned char *b;
	size_t len, cap;
	unsigned int ino;
};

static void ar_put(struct ar *a, const void *p, size_t n)
{
	if (a->len + n > a->cap) {
		a->cap = (a->len + n) * 2;
		a->b = realloc(a->b, a->cap);
		assert_non_null(a->b);
	}
	memcpy(a->b + a->len, p, n);
	a->len += n;
}

static void ar_pad(struct ar *a)
{
	while (a->len % 4)
		ar_put(a, "", 1);
}

static void ar_entry(struct ar *a, const char *name, uint32_t mode, const void *data, size_t size)
{
	char h[111];

	snprintf(h, sizeof(h), "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
		 ++a->ino, mode, 0, 0, 1, MTIME, (unsigned)size, 0, 0, 0, 0,
		 (unsigned)strlen(name) + 1, 0);
	ar_put(a, h, 110);
	ar_put(a, name, strlen(name) + 1);
	ar_pad(a);
	ar_put(a, data, size);
	ar_pad(a);
}

static void ar_dir(struct ar *a, const char *name)
{
	ar_entry(a, name, SYS_S_IFDIR | 0755, "", 0);
}

static void ar_file(struct ar *a, const char *name, const char *text)
{
	ar_entry(a, name, SYS_S_IFREG | 0644, text, strlen(text));
}

static void ar_link(struct ar *a, const char *name, const char *target)
{
	ar_entry(a, name, SYS_S_IFLNK | 0777, target, strlen(target));
}

/* The trailer; the buffer shrinks to exactly the archive, so ASan sees a read past it. */
static void ar_end(struct ar *a)
{
	ar_entry(a, "TRAILER!!!", 0, "", 0);
	a->b = realloc(a->b, a->len);
	a->cap = a->len;
}

/* The ramdisk most tests run on. */
static void standard_archive(struct ar *a)
{
	ar_dir(a, ".");
	ar_dir(a, "etc");
	ar_file(a, "etc/hello.txt", HELLO);
	ar_link(a, "etc/link", "hello.txt");
	ar_dir(a, "etc/sub");
	ar_link(a, "etc/up", "..");
	ar_link(a, "abs", "/etc/hello.txt");
	ar_link(a, "dirlink", "etc");
	ar_link(a, "loop1", "loop2");
	ar_link(a, "loop2", "loop1");
	ar_link(a, "self", "self");
	ar_link(a, "dangling", "nowhere");
	ar_file(a, "bin/deep/file", "deep\n"); /* its directories come after it */
	ar_dir(a, "bin/deep");
	ar_dir(a, "bin");
	ar_entry(a, "tmp", SYS_S_IFDIR | 01777, "", 0);
}

/* ---- a fresh process for each test ------------------------------------------------- */

/* The archive the tree points into, and a test's cut copy of it: freed after the tree. */
static struct ar ramdisk;
static unsigned char *cut;

static void free_nodes(struct node *n)
{
	while (n) {
		struct node *next = n->next;

		free_nodes(n->children);
		free_node(n);
		n = next;
	}
}

/* Every fd closed (which frees what was unlinked while open), the tree freed, the
 * statics of vfs.c and fd.c as at start-up, the fakes emptied. */
static void reset_tree(void)
{
	for (int fd = 0; fd < SYS_OPEN_MAX; fd++)
		fd_close(fd);
	assert_int_equal(root.opens, 0);
	free_nodes(root.children);
	memset(&root, 0, sizeof(root));
	root.name = "";
	root.mode = SYS_S_IFDIR | 0755;
	root.ino = 1;
	cwd = &root;
	next_ino = 2;
	free(free_inos);
	free_inos = NULL;
	nr_free_inos = free_inos_cap = 0;
	console_out_len = 0;
	console_out[0] = 0;
	console_in = NULL;
	console_in_len = 0;
	disk_opens = disk_closes = 0;
	clear_log();
}

static int setup(void **state)
{
	standard_archive(&ramdisk);
	ar_end(&ramdisk);
	assert_int_equal(rootfs_init(ramdisk.b, ramdisk.len), 0);
	return 0;
}

static int setup_empty(void **state)
{
	return 0;
}

/* A fresh process for the next test: no tree, no archive. */
static void reset(void)
{
	reset_tree();
	free(ramdisk.b);
	memset(&ramdisk, 0, sizeof(ramdisk));
	free(cut);
	cut = NULL;
}

static int teardown(void **state)
{
	reset();
	return 0;
}

/* ---- helpers ------------------------------------------------------------------------ */

/* A new file in /tmp holding text. */
static void make_file(const char *path, const char *text)
{
	int fd = sys_open(path, SYS_O_WRONLY | SYS_O_CREAT | SYS_O_EXCL, 0644);

	assert_true(fd >= 0);
	assert_int_equal(sys_write(fd, text, strlen(text)), (long)strlen(text));
	assert_int_equal(sys_close(fd), 0);
}

/* The whole of the file at path (at most size - 1 bytes, NUL-terminated): its length. */
static long slurp(const char *path, char *buf, size_t size)
{
	int fd = sys_open(path, SYS_O_RDONLY, 0);
	long n;

	assert_true(fd >= 0);
	n = sys_pread(fd, buf, size - 1, 0);
	assert_true(n >= 0);
	buf[n] = 0;
	assert_int_equal(sys_close(fd), 0);
	return n;
}

static void assert_contents(const char *path, const char *text)
{
	char buf[256];

	assert_int_equal(slurp(path, buf, sizeof(buf)), (long)strlen(text));
	assert_string_equal(buf, text);
}

static uint64_t ino_of(const char *path)
{
	struct sys_stat st;

	assert_int_equal(sys_stat(path, &st), 0);
	return st.ino;
}

static int64_t size_of(const char *path)
{
	struct sys_stat st;

	assert_int_equal(sys_stat(path, &st), 0);
	return st.size;
}

static uint32_t lmode_of(const char *path)
{
	struct sys_stat st;

	assert_int_equal(sys_lstat(path, &st), 0);
	return st.mode;
}

/* The names readdir gives for the directory at path, each followed by a space. */
static void list_dir(const char *path, char *out, size_t size)
{
	struct sys_dirent d;
	int fd = sys_open(path, SYS_O_RDONLY | SYS_O_DIRECTORY, 0), rc;

	assert_true(fd >= 0);
	out[0] = 0;
	while ((rc = sys_readdir(fd, &d)) == 1) {
		assert_true(strlen(out) + strlen(d.name) + 2 <= size);
		strcat(out, d.name);
		strcat(out, " ");
	}
	assert_int_equal(rc, 0);
	assert_int_equal(sys_close(fd), 0);
}

static void assert_listing(const char *path, const char *names)
{
	char buf[1024];

	list_dir(path, buf, sizeof(buf));
	assert_string_equal(buf, names);
}

/* ---- open ----------------------------------------------------------------------------- */

static void open_creat_excl_trunc(void **state)
{
	struct sys_stat st;
	int fd;

	assert_int_equal(sys_open("/tmp/a", SYS_O_RDWR, 0), -ENOENT);
	fd = sys_open("/tmp/a", SYS_O_RDWR | SYS_O_CREAT, 0640);
	assert_int_equal(fd, 3);
	assert_int_equal(sys_write(fd, "hello", 5), 5);
	assert_int_equal(sys_fstat(fd, &st), 0);
	assert_int_equal(st.mode, SYS_S_IFREG | 0640);
	assert_int_equal(st.size, 5);

	/* O_EXCL: only a new file; without it O_CREAT opens what is there, as it is. */
	assert_int_equal(sys_open("/tmp/a", SYS_O_RDWR | SYS_O_CREAT | SYS_O_EXCL, 0600), -EEXIST);
	assert_int_equal(sys_open("/tmp/a", SYS_O_WRONLY | SYS_O_CREAT, 0600), 4);
	assert_int_equal(sys_fstat(4, &st), 0);
	assert_int_equal(st.mode, SYS_S_IFREG | 0640);
	assert_int_equal(st.size, 5);
	assert_int_equal(sys_close(4), 0);

	/* O_TRUNC empties the file, for the fds already open on it too. */
	assert_int_equal(sys_open("/tmp/a", SYS_O_WRONLY | SYS_O_TRUNC, 0), 4);
	assert_int_equal(size_of("/tmp/a"), 0);
	assert_int_equal(sys_fstat(3, &st), 0);
	assert_int_equal(st.size, 0);
	assert_int_equal(sys_lseek(3, 0, SYS_SEEK_SET), 0);
	assert_int_equal(sys_read(3, &st, 1), 0);

	/* Only the permission bits of mode count; there is no umask. */
	fd = sys_open("/tmp/m", SYS_O_RDONLY | SYS_O_CREAT, 0177777);
	assert_int_equal(fd, 5);
	assert_int_equal(lmode_of("/tmp/m"), SYS_S_IFREG | 0777);

	/* O_DIRECTORY, and directories are not for writing. */
	assert_int_equal(sys_open("/tmp/a", SYS_O_RDONLY | SYS_O_DIRECTORY, 0), -ENOTDIR);
	assert_int_equal(sys_open("/tmp", SYS_O_RDONLY | SYS_O_DIRECTORY, 0), 6);
	assert_int_equal(sys_open("/tmp", SYS_O_WRONLY, 0), -EISDIR);
	assert_int_equal(sys_open("/tmp", SYS_O_RDWR | SYS_O_CREAT, 0), -EISDIR);

	/* "new/" can only name a directory, which open() does not make (Linux: EISDIR). */
	assert_int_equal(sys_open("/tmp/new/", SYS_O_WRONLY | SYS_O_CREAT, 0644), -EISDIR);
	assert_int_equal(sys_stat("/tmp/new", &st), -ENOENT);
	/* ...and "file/" names nothing. */
	assert_int_equal(sys_open("/tmp/a/", SYS_O_RDONLY, 0), -ENOTDIR);
	assert_int_equal(sys_open("/tmp/a/", SYS_O_WRONLY | SYS_O_CREAT, 0), -ENOTDIR);
}

static void append_writes_at_the_end(void **state)
{
	char buf[16];
	int app, plain;

	make_file("/tmp/log", "abc");
	app = sys_open("/tmp/log", SYS_O_WRONLY | SYS_O_APPEND, 0);
	plain = sys_open("/tmp/log", SYS_O_WRONLY, 0);
	assert_int_equal(app, 3);
	assert_int_equal(plain, 4);
	assert_int_equal(sys_lseek(app, 0, SYS_SEEK_SET), 0);
	assert_int_equal(sys_write(app, "de", 2), 2);
	assert_int_equal(sys_lseek(app, 0, SYS_SEEK_CUR), 5);
	assert_contents("/tmp/log", "abcde");
	/* The end is the file's, wherever another fd wrote last. */
	assert_int_equal(sys_write(plain, "X", 1), 1);
	assert_int_equal(sys_lseek(plain, 10, SYS_SEEK_SET), 10);
	assert_int_equal(sys_write(plain, "Y", 1), 1);
	assert_int_equal(sys_write(app, "f", 1), 1);
	assert_int_equal(sys_lseek(app, 0, SYS_SEEK_CUR), 12);
	assert_int_equal(slurp("/tmp/log", buf, sizeof(buf)), 12);
	assert_memory_equal(buf, "Xbcde\0\0\0\0\0Yf", 12);
}

/* ---- read, write, lseek ----------------------------------------------------------- */

static void read_write_lseek(void **state)
{
	char buf[16];
	struct sys_stat st;
	int fd = sys_open("/tmp/f", SYS_O_RDWR | SYS_O_CREAT, 0644), ro, wo;

	assert_int_equal(fd, 3);
	assert_int_equal(sys_write(fd, "0123456789", 10), 10);
	assert_int_equal(sys_lseek(fd, 0, SYS_SEEK_CUR), 10);
	assert_int_equal(sys_lseek(fd, 2, SYS_SEEK_SET), 2);
	assert_int_equal(sys_read(fd, buf, 3), 3);
	assert_memory_equal(buf, "234", 3);
	assert_int_equal(sys_lseek(fd, 0, SYS_SEEK_CUR), 5);
	assert_int_equal(sys_lseek(fd, -1, SYS_SEEK_CUR), 4);
	assert_int_equal(sys_read(fd, buf, 1), 1);
	assert_int_equal(buf[0], '4');
	assert_int_equal(sys_lseek(fd, -3, SYS_SEEK_END), 7);
	assert_int_equal(sys_read(fd, buf, sizeof(buf)), 3);
	assert_memory_equal(buf, "789", 3);
	assert_int_equal(sys_read(fd, buf, sizeof(buf)), 0);
	assert_int_equal(sys_read(fd, buf, 0), 0);

	/* Past the end: allowed, reads nothing, the file does not grow. */
	assert_int_equal(sys_lseek(fd, 100, SYS_SEEK_SET), 100);
	assert_int_equal(sys_read(fd, buf, sizeof(buf)), 0);
	assert_int_equal(sys_fstat(fd, &st), 0);
	assert_int_equal(st.size, 10);

	/* A negative result, an overflow or an unknown whence: -EINVAL, the offset kept. */
	assert_int_equal(sys_lseek(fd, -1, SYS_SEEK_SET), -EINVAL);
	assert_int_equal(sys_lseek(fd, -101, SYS_SEEK_CUR), -EINVAL);
	assert_int_equal(sys_lseek(fd, -11, SYS_SEEK_END), -EINVAL);
	assert_int_equal(sys_lseek(fd, 0, 3), -EINVAL);
	assert_int_equal(sys_lseek(fd, 0, -1), -EINVAL);
	assert_int_equal(sys_lseek(fd, 0, SYS_SEEK_CUR), 100);
	assert_int_equal(sys_lseek(fd, -10, SYS_SEEK_END), 0);
	assert_int_equal(sys_lseek(fd, INT64_MAX, SYS_SEEK_SET), INT64_MAX);
	assert_int_equal(sys_lseek(fd, 1, SYS_SEEK_CUR), -EINVAL);
	assert_int_equal(sys_lseek(fd, INT64_MIN, SYS_SEEK_CUR), -EINVAL);
	assert_int_equal(sys_lseek(fd, 0, SYS_SEEK_CUR), INT64_MAX);
	assert_int_equal(sys_lseek(99, 0, SYS_SEEK_SET), -EBADF);
	assert_int_equal(sys_lseek(-1, 0, SYS_SEEK_SET), -EBADF);

	/* Each fd reads or writes as it was opened to. */
	ro = sys_open("/tmp/f", SYS_O_RDONLY, 0);
	wo = sys_open("/tmp/f", SYS_O_WRONLY, 0);
	assert_int_equal(sys_write(ro, "x", 1), -EBADF);
	assert_int_equal(sys_read(wo, buf, 1), -EBADF);
	assert_int_equal(sys_read(ro, buf, 4), 4);
	assert_memory_equal(buf, "0123", 4);
	assert_int_equal(sys_read(99, buf, 1), -EBADF);
	assert_int_equal(sys_write(99, "x", 1), -EBADF);

	/* A directory is not read as bytes. */
	fd = sys_open("/etc", SYS_O_RDONLY, 0);
	assert_int_equal(sys_read(fd, buf, 1), -EISDIR);
	assert_int_equal(sys_pread(fd, buf, 1, 0), -EISDIR);
	/* The ramdisk's files read from the archive. */
	fd = sys_open("/etc/hello.txt", SYS_O_RDONLY, 0);
	assert_int_equal(sys_read(fd, buf, 5), 5);
	assert_memory_equal(buf, "hello", 5);
	assert_int_equal(sys_lseek(fd, 0, SYS_SEEK_END), 13);
}

static void pread_pwrite_keep_the_offset(void **state)
{
	char buf[16];
	int fd = sys_open("/tmp/f", SYS_O_RDWR | SYS_O_CREAT, 0644);
	int wo = sys_open("/tmp/f", SYS_O_WRONLY, 0), ro = sys_open("/tmp/f", SYS_O_RDONLY, 0);

	assert_int_equal(sys_write(fd, "abcdef", 6), 6);
	assert_int_equal(sys_pread(fd, buf, 3, 1), 3);
	assert_memory_equal(buf, "bcd", 3);
	assert_int_equal(sys_lseek(fd, 0, SYS_SEEK_CUR), 6);
	assert_int_equal(sys_pwrite(fd, "XY", 2, 0), 2);
	assert_int_equal(sys_lseek(fd, 0, SYS_SEEK_CUR), 6);
	assert_int_equal(sys_pread(fd, buf, sizeof(buf), 0), 6);
	assert_memory_equal(buf, "XYcdef", 6);
	assert_int_equal(sys_pread(fd, buf, sizeof(buf), 6), 0);
	assert_int_equal(sys_pread(fd, buf, sizeof(buf), 1000), 0);
	assert_int_equal(sys_pread(fd, buf, 1, -1), -EINVAL);
	assert_int_equal(sys_pwrite(fd, "x", 1, -1), -EINVAL);
	assert_int_equal(size_of("/tmp/f"), 6);

	/* pwrite past the end zero-fills up to it, and still leaves the offset be. */
	assert_int_equal(sys_pwrite(fd, "Z", 1, 10), 1);
	assert_int_equal(sys_lseek(fd, 0, SYS_SEEK_CUR), 6);
	assert_int_equal(sys_pread(fd, buf, sizeof(buf), 0), 11);
	assert_memory_equal(buf, "XYcdef\0\0\0\0Z", 11);

	assert_int_equal(sys_pread(wo, buf, 1, 0), -EBADF);
	assert_int_equal(sys_pwrite(ro, "x", 1, 0), -EBADF);
	assert_int_equal(sys_pread(99, buf, 1, 0), -EBADF);
	/* A terminal has no offsets. */
	assert_int_equal(sys_pread(0, buf, 1, 0), -ESPIPE);
	assert_int_equal(sys_pwrite(1, "x", 1, 0), -ESPIPE);
	assert_int_equal(sys_lseek(1, 0, SYS_SEEK_SET), -ESPIPE);
	assert_int_equal(console_out_len, 0);
}

static void writes_past_the_end_zero_fill(void **state)
{
	static char buf[6000];
	int fd = sys_open("/tmp/gap", SYS_O_RDWR | SYS_O_CREAT, 0644);

	assert_int_equal(sys_write(fd, "ab", 2), 2);
	assert_int_equal(sys_lseek(fd, 5000, SYS_SEEK_SET), 5000);
	assert_int_equal(sys_write(fd, "c", 1), 1);
	assert_int_equal(size_of("/tmp/gap"), 5001);
	assert_int_equal(sys_pread(fd, buf, sizeof(buf), 0), 5001);
	assert_memory_equal(buf, "ab", 2);
	for (int i = 2; i < 5000; i++)
		assert_int_equal(buf[i], 0);
	assert_int_equal(buf[5000], 'c');

	/* A write of nothing changes nothing, even past the end (POSIX: "no other
	 * results"). */
	assert_int_equal(sys_lseek(fd, 9000, SYS_SEEK_SET), 9000);
	assert_int_equal(sys_write(fd, "", 0), 0);
	assert_int_equal(sys_pwrite(fd, "", 0, 7000), 0);
	assert_int_equal(size_of("/tmp/gap"), 5001);

	/* Bytes cut off and grown again read as zeros, not as what they were. */
	assert_int_equal(sys_ftruncate(fd, 1), 0);
	assert_int_equal(sys_pwrite(fd, "d", 1, 3), 1);
	assert_int_equal(sys_pread(fd, buf, sizeof(buf), 0), 4);
	assert_memory_equal(buf, "a\0\0d", 4);
}

static void ftruncate_grows_and_shrinks(void **state)
{
	char buf[16];
	int fd, ro;

	make_file("/tmp/t", "hello world");
	fd = sys_open("/tmp/t", SYS_O_RDWR, 0);
	ro = sys_open("/tmp/t", SYS_O_RDONLY, 0);
	assert_int_equal(sys_ftruncate(fd, 5), 0);
	assert_int_equal(size_of("/tmp/t"), 5);
	assert_int_equal(sys_read(fd, buf, sizeof(buf)), 5);
	assert_memory_equal(buf, "hello", 5);
	assert_int_equal(sys_ftruncate(fd, 8), 0);
	assert_int_equal(size_of("/tmp/t"), 8);
	/* The offset is the fd's: truncation does not move it. */
	assert_int_equal(sys_lseek(fd, 0, SYS_SEEK_CUR), 5);
	assert_int_equal(sys_read(fd, buf, sizeof(buf)), 3);
	assert_memory_equal(buf, "\0\0\0", 3);
	assert_int_equal(sys_ftruncate(fd, 0), 0);
	assert_int_equal(size_of("/tmp/t"), 0);
	assert_int_equal(sys_ftruncate(fd, -1), -EINVAL);
	assert_int_equal(sys_ftruncate(ro, 1), -EBADF);
	assert_int_equal(sys_ftruncate(99, 1), -EBADF);
	assert_int_equal(sys_ftruncate(1, 0), -EINVAL); /* the console */
	assert_int_equal(sys_truncate("/tmp/t", 2), 0);
	assert_int_equal(size_of("/tmp/t"), 2);
	assert_int_equal(sys_truncate("/tmp/t", -1), -EINVAL);
	assert_int_equal(sys_truncate("/tmp", 0), -EISDIR);
	assert_int_equal(sys_truncate("/tmp/none", 0), -ENOENT);
	assert_int_equal(sys_truncate("/etc/hello.txt", 0), -EROFS);
	assert_int_equal(size_of("/etc/hello.txt"), 13);
}

/* ---- fds ------------------------------------------------------------------------------ */

static void dup_shares_the_offset(void **state)
{
	char buf[4];
	int fd = sys_open("/tmp/f", SYS_O_RDWR | SYS_O_CREAT, 0644), d;

	assert_int_equal(sys_write(fd, "abcdef", 6), 6);
	assert_int_equal(sys_lseek(fd, 0, SYS_SEEK_SET), 0);
	d = sys_dup(fd);
	assert_int_equal(d, 4);
	assert_int_equal(sys_read(fd, buf, 2), 2);
	assert_memory_equal(buf, "ab", 2);
	assert_int_equal(sys_read(d, buf, 2), 2);
	assert_memory_equal(buf, "cd", 2);
	assert_int_equal(sys_lseek(d, 0, SYS_SEEK_CUR), 4);
	assert_int_equal(sys_lseek(fd, 0, SYS_SEEK_CUR), 4);
	/* The flags are the file's, and so shared too. */
	assert_int_equal(sys_setfl(d, SYS_O_APPEND), 0);
	assert_int_equal(sys_getfl(fd), SYS_O_RDWR | SYS_O_APPEND);
	/* Closing one leaves the other. */
	assert_int_equal(sys_close(fd), 0);
	assert_int_equal(sys_read(d, buf, 2), 2);
	assert_memory_equal(buf, "ef", 2);
	/* The lowest free fd. */
	assert_int_equal(sys_dup(d), 3);
	assert_int_equal(sys_dup(99), -EBADF);
	assert_int_equal(sys_dup(-1), -EBADF);
	assert_int_equal(sys_dup(SYS_OPEN_MAX), -EBADF);

	/* A device opens once and closes with its file's last fd. */
	fd = sys_open("/dev/xvda", SYS_O_RDWR, 0);
	assert_int_equal(fd, 5);
	d = sys_dup(fd);
	assert_int_equal(disk_opens, 1);
	assert_int_equal(sys_close(fd), 0);
	assert_int_equal(disk_closes, 0);
	assert_int_equal(sys_close(d), 0);
	assert_int_equal(disk_closes, 1);
}

static void dup2_closes_the_target(void **state)
{
	char buf[8];
	int a, b, disk_fd, c;

	make_file("/tmp/a", "AAAA");
	make_file("/tmp/b", "BBBB");
	a = sys_open("/tmp/a", SYS_O_RDONLY, 0);
	b = sys_open("/tmp/b", SYS_O_RDONLY, 0);
	disk_fd = sys_open("/dev/xvda", SYS_O_RDONLY, 0);
	assert_int_equal(disk_fd, 5);
	assert_int_equal(disk_opens, 1);

	assert_int_equal(sys_dup2(a, disk_fd), disk_fd);
	assert_int_equal(disk_closes, 1);
	assert_int_equal(sys_read(disk_fd, buf, 2), 2);
	assert_memory_equal(buf, "AA", 2);
	assert_int_equal(sys_lseek(a, 0, SYS_SEEK_CUR), 2);

	/* Onto itself: nothing happens. */
	assert_int_equal(sys_dup2(a, a), a);
	assert_int_equal(sys_read(a, buf, 1), 1);
	assert_int_equal(buf[0], 'A');

	/* Replacing one of two fds of a file leaves the file to the other. */
	assert_int_equal(sys_dup2(b, disk_fd), disk_fd);
	assert_int_equal(sys_read(disk_fd, buf, 4), 4);
	assert_memory_equal(buf, "BBBB", 4);
	assert_int_equal(sys_read(a, buf, 1), 1);
	assert_int_equal(buf[0], 'A');

	/* Stdout into a file. */
	c = sys_open("/tmp/out", SYS_O_WRONLY | SYS_O_CREAT, 0644);
	assert_int_equal(sys_dup2(c, 1), 1);
	assert_int_equal(sys_write(1, "to file", 7), 7);
	assert_int_equal(console_out_len, 0);
	assert_contents("/tmp/out", "to file");

	/* The only fd of an unlinked file: freed when dup2 replaces it (ASan's leak check). */
	make_file("/tmp/gone", "x");
	c = sys_open("/tmp/gone", SYS_O_RDONLY, 0);
	assert_int_equal(sys_unlink("/tmp/gone"), 0);
	assert_int_equal(sys_dup2(a, c), c);

	/* To a free fd far up, and the bad ones. */
	assert_int_equal(sys_dup2(a, 200), 200);
	assert_int_equal(sys_close(200), 0);
	assert_int_equal(sys_dup2(a, SYS_OPEN_MAX), -EBADF);
	assert_int_equal(sys_dup2(99, 8), -EBADF);
	assert_int_equal(sys_read(8, buf, 1), -EBADF);
	/* A negative target is bad too (not "any free fd"): no fd appears. */
	c = sys_open("/tmp/a", SYS_O_RDONLY, 0);
	assert_int_equal(sys_close(c), 0);
	assert_int_equal(sys_dup2(a, -1), -EBADF);
	assert_int_equal(sys_dup2(a, -2), -EBADF);
	assert_int_equal(sys_open("/tmp/a", SYS_O_RDONLY, 0), c);
}

static void dupfd_from_a_minimum(void **state)
{
	int fd = sys_open("/etc/hello.txt", SYS_O_RDONLY, 0);

	assert_int_equal(fd, 3);
	assert_int_equal(sys_dupfd(fd, 10), 10);
	assert_int_equal(sys_dupfd(fd, 10), 11);
	assert_int_equal(sys_dupfd(fd, 0), 4);
	assert_int_equal(sys_dupfd(fd, SYS_OPEN_MAX - 1), SYS_OPEN_MAX - 1);
	assert_int_equal(sys_dupfd(fd, SYS_OPEN_MAX - 1), -EMFILE);
	assert_int_equal(sys_dupfd(fd, SYS_OPEN_MAX), -EINVAL);
	assert_int_equal(sys_dupfd(fd, -1), -EINVAL);
	assert_int_equal(sys_dupfd(99, 0), -EBADF);
	assert_int_equal(sys_lseek(11, 4, SYS_SEEK_SET), 4);
	assert_int_equal(sys_lseek(fd, 0, SYS_SEEK_CUR), 4);
}

static void close_of_a_bad_fd(void **state)
{
	char c;
	int fd;

	assert_int_equal(sys_close(-1), -EBADF);
	assert_int_equal(sys_close(SYS_OPEN_MAX), -EBADF);
	assert_int_equal(sys_close(77), -EBADF);
	fd = sys_open("/etc/hello.txt", SYS_O_RDONLY, 0);
	assert_int_equal(sys_close(fd), 0);
	assert_int_equal(sys_close(fd), -EBADF);
	assert_int_equal(sys_read(fd, &c, 1), -EBADF);
	/* stdin is an fd like any other: closed, its number is the next open's. */
	assert_int_equal(sys_close(0), 0);
	assert_int_equal(sys_read(0, &c, 1), -EBADF);
	assert_int_equal(sys_open("/etc/hello.txt", SYS_O_RDONLY, 0), 0);
}

static void fd_exhaustion(void **state)
{
	make_file("/tmp/keep", "data");
	for (int i = 3; i < SYS_OPEN_MAX; i++)
		assert_int_equal(sys_open("/etc/hello.txt", SYS_O_RDONLY, 0), i);
	assert_int_equal(sys_open("/etc/hello.txt", SYS_O_RDONLY, 0), -EMFILE);
	assert_int_equal(sys_dup(3), -EMFILE);
	assert_int_equal(sys_dupfd(3, 0), -EMFILE);
	/* An open that gets no fd changes nothing: no file made, none emptied. */
	assert_int_equal(sys_open("/tmp/new", SYS_O_WRONLY | SYS_O_CREAT, 0644), -EMFILE);
	assert_int_equal(sys_access("/tmp/new", 0), -ENOENT);
	assert_int_equal(sys_open("/tmp/keep", SYS_O_WRONLY | SYS_O_TRUNC, 0), -EMFILE);
	assert_int_equal(size_of("/tmp/keep"), 4);
	assert_int_equal(sys_open("/dev/xvda", SYS_O_RDONLY, 0), -EMFILE);
	assert_int_equal(disk_opens - disk_closes, 0);
	/* dup2 closes its target first, so it works with the table full. */
	assert_int_equal(sys_dup2(3, 100), 100);
	assert_int_equal(sys_close(100), 0);
	assert_int_equal(sys_open("/tmp/keep", SYS_O_RDONLY, 0), 100);
	assert_int_equal(sys_open("/tmp/keep", SYS_O_RDONLY, 0), -EMFILE);
}

/* ---- names -------------------------------------------------------------------------- */

static void unlink_while_open(void **state)
{
	char buf[32];
	struct sys_stat st;
	int fd, fd2;
	uint64_t ino;

	make_file("/tmp/gone", "still here");
	ino = ino_of("/tmp/gone");
	fd = sys_open("/tmp/gone", SYS_O_RDWR, 0);
	fd2 = sys_open("/tmp/gone", SYS_O_RDONLY, 0);
	assert_int_equal(sys_unlink("/tmp/gone"), 0);
	assert_int_equal(sys_stat("/tmp/gone", &st), -ENOENT);
	assert_int_equal(sys_open("/tmp/gone", SYS_O_RDONLY, 0), -ENOENT);
	assert_int_equal(sys_unlink("/tmp/gone"), -ENOENT);
	assert_listing("/tmp", "");

	/* Its data lives on through the fds, for reading and writing. */
	assert_int_equal(sys_read(fd, buf, sizeof(buf)), 10);
	assert_memory_equal(buf, "still here", 10);
	assert_int_equal(sys_write(fd, "!", 1), 1);
	assert_int_equal(sys_pread(fd2, buf, sizeof(buf), 0), 11);
	assert_memory_equal(buf, "still here!", 11);
	assert_int_equal(sys_fstat(fd2, &st), 0);
	assert_int_equal(st.ino, ino);
	assert_int_equal(st.size, 11);

	/* The name is free for a new file, another one. */
	make_file("/tmp/gone", "new");
	assert_true(ino_of("/tmp/gone") != ino);
	assert_int_equal(sys_close(fd), 0);
	assert_int_equal(sys_pread(fd2, buf, sizeof(buf), 0), 11);
	/* The last close frees it (else ASan's leak check fails this binary). */
	assert_int_equal(sys_close(fd2), 0);
	assert_contents("/tmp/gone", "new");

	assert_int_equal(sys_unlink("/tmp"), -EISDIR);
	assert_int_equal(sys_unlink("/"), -EISDIR);
	assert_int_equal(sys_unlink("/tmp/gone/"), -ENOTDIR);
	assert_int_equal(sys_unlink(""), -ENOENT);
}

static void rename_over_a_file(void **state)
{
	char buf[8];
	struct sys_stat st;
	int old_fd;
	uint64_t ino;

	make_file("/tmp/a", "new");
	make_file("/tmp/b", "old");
	ino = ino_of("/tmp/a");
	old_fd = sys_open("/tmp/b", SYS_O_RDONLY, 0);
	assert_int_equal(sys_rename("/tmp/a", "/tmp/b"), 0);
	assert_int_equal(sys_stat("/tmp/a", &st), -ENOENT);
	assert_int_equal(ino_of("/tmp/b"), ino);
	assert_contents("/tmp/b", "new");
	assert_listing("/tmp", "b ");
	/* The file replaced lives on through its fd, until it closes. */
	assert_int_equal(sys_read(old_fd, buf, sizeof(buf)), 3);
	assert_memory_equal(buf, "old", 3);
	assert_int_equal(sys_close(old_fd), 0);

	/* Onto itself: nothing. */
	assert_int_equal(sys_rename("/tmp/b", "/tmp/b"), 0);
	assert_int_equal(sys_rename("/tmp/b", "/tmp/./b"), 0);
	assert_contents("/tmp/b", "new");
	/* A replaced file that nothing has open is freed then (ASan's leak check). */
	make_file("/tmp/c", "ccc");
	assert_int_equal(sys_rename("/tmp/c", "/tmp/b"), 0);
	assert_contents("/tmp/b", "ccc");

	assert_int_equal(sys_rename("/tmp/none", "/tmp/x"), -ENOENT);
	assert_int_equal(sys_rename("/tmp/b", "/tmp/nodir/x"), -ENOENT);
	assert_int_equal(sys_rename("/tmp/b", "/tmp/b/x"), -ENOTDIR);
	assert_int_equal(sys_rename("/tmp/b", "/"), -EBUSY);
}

static void rename_into_another_dir(void **state)
{
	int fd;
	char buf[32];
	uint64_t ino;

	assert_int_equal(sys_mkdir("/tmp/d1", 0755), 0);
	assert_int_equal(sys_mkdir("/tmp/d2", 0755), 0);
	make_file("/tmp/d1/f", "moved");
	ino = ino_of("/tmp/d1/f");
	fd = sys_open("/tmp/d1/f", SYS_O_RDONLY, 0);
	assert_int_equal(sys_rename("/tmp/d1/f", "/tmp/d2/g"), 0);
	assert_listing("/tmp/d1", "");
	assert_listing("/tmp/d2", "g ");
	assert_int_equal(ino_of("/tmp/d2/g"), ino);
	assert_contents("/tmp/d2/g", "moved");
	assert_int_equal(sys_read(fd, buf, sizeof(buf)), 5);

	/* A directory moves with what is in it, and its ".." is its new parent. */
	make_file("/tmp/d1/inner", "in");
	assert_int_equal(sys_rename("/tmp/d1", "/tmp/d2/d1"), 0);
	assert_listing("/tmp", "d2 ");
	assert_contents("/tmp/d2/d1/inner", "in");
	assert_int_equal(ino_of("/tmp/d2/d1/.."), ino_of("/tmp/d2"));
	assert_int_equal(sys_chdir("/tmp/d2/d1"), 0);
	assert_int_equal(sys_getcwd(buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/tmp/d2/d1");
	assert_int_equal(sys_rename("../g", "g2"), 0);
	assert_contents("/tmp/d2/d1/g2", "moved");

	/* Not out of /tmp, nor in. */
	assert_int_equal(sys_rename("/tmp/d2/d1/g2", "/etc/g"), -EROFS);
	assert_int_equal(sys_rename("/etc/hello.txt", "/tmp/h"), -EROFS);
	assert_int_equal(sys_rename("/tmp", "/tmp2"), -EROFS);
}

static void rename_dir_into_itself(void **state)
{
	assert_int_equal(sys_mkdir("/tmp/a", 0755), 0);
	assert_int_equal(sys_mkdir("/tmp/a/b", 0755), 0);
	assert_int_equal(sys_rename("/tmp/a", "/tmp/a/c"), -EINVAL);
	assert_int_equal(sys_rename("/tmp/a", "/tmp/a/b/c"), -EINVAL);
	assert_int_equal(sys_rename("/tmp/a", "/tmp/a/b"), -EINVAL);
	assert_int_equal(sys_rename("/tmp/a", "/tmp/a"), 0);
	/* Onto its own parent, which is not empty (it holds the source). */
	assert_int_equal(sys_rename("/tmp/a/b", "/tmp/a"), -ENOTEMPTY);
	assert_listing("/tmp", "a ");
	assert_listing("/tmp/a", "b ");
}

static void rename_onto_a_non_empty_dir(void **state)
{
	struct sys_stat st;
	uint64_t ino;

	assert_int_equal(sys_mkdir("/tmp/src", 0755), 0);
	assert_int_equal(sys_mkdir("/tmp/dst", 0755), 0);
	make_file("/tmp/dst/x", "x");
	make_file("/tmp/file", "f");
	ino = ino_of("/tmp/src");
	assert_int_equal(sys_rename("/tmp/src", "/tmp/dst"), -ENOTEMPTY);
	assert_int_equal(sys_rename("/tmp/file", "/tmp/dst"), -EISDIR);
	assert_int_equal(sys_rename("/tmp/src", "/tmp/file"), -ENOTDIR);
	assert_int_equal(sys_unlink("/tmp/dst/x"), 0);
	/* Empty now: replaced. */
	assert_int_equal(sys_rename("/tmp/src", "/tmp/dst"), 0);
	assert_int_equal(sys_stat("/tmp/src", &st), -ENOENT);
	assert_int_equal(ino_of("/tmp/dst"), ino);
	assert_listing("/tmp", "file dst ");
}

/* The working directory has no reference count: it may not be removed from under it. */
static void rename_over_the_cwd(void **state)
{
	char buf[32];

	assert_int_equal(sys_mkdir("/tmp/a", 0755), 0);
	assert_int_equal(sys_mkdir("/tmp/b", 0755), 0);
	assert_int_equal(sys_chdir("/tmp/b"), 0);
	assert_int_equal(sys_rename("/tmp/a", "/tmp/b"), -EBUSY);
	assert_int_equal(sys_rmdir("/tmp/b"), -EBUSY);
	assert_int_equal(sys_getcwd(buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/tmp/b");
	/* The cwd itself may move, and stays the cwd. */
	assert_int_equal(sys_rename("/tmp/b", "/tmp/a/c"), 0);
	assert_int_equal(sys_getcwd(buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/tmp/a/c");
}

static void mkdir_rmdir(void **state)
{
	struct sys_stat st;

	assert_int_equal(sys_mkdir("/tmp/d", 0750), 0);
	assert_int_equal(sys_stat("/tmp/d", &st), 0);
	assert_int_equal(st.mode, SYS_S_IFDIR | 0750);
	assert_int_equal(st.nlink, 2);
	assert_int_equal(sys_mkdir("/tmp/d", 0750), -EEXIST);
	assert_int_equal(sys_mkdir("/tmp/d/", 0750), -EEXIST);
	assert_int_equal(sys_mkdir("/tmp/x/", 0700), 0);
	assert_int_equal(lmode_of("/tmp/x"), SYS_S_IFDIR | 0700);
	assert_int_equal(sys_mkdir("/tmp/nope/sub", 0755), -ENOENT);

	make_file("/tmp/d/f", "f");
	assert_int_equal(sys_mkdir("/tmp/d/f", 0755), -EEXIST);
	assert_int_equal(sys_mkdir("/tmp/d/f/sub", 0755), -ENOTDIR);
	assert_int_equal(sys_rmdir("/tmp/d"), -ENOTEMPTY);
	assert_int_equal(sys_rmdir("/tmp/d/f"), -ENOTDIR);
	assert_int_equal(sys_rmdir("/tmp/d/f/"), -ENOTDIR);
	assert_int_equal(sys_unlink("/tmp/d/f"), 0);
	assert_int_equal(sys_rmdir("/tmp/d/"), 0);
	assert_int_equal(sys_stat("/tmp/d", &st), -ENOENT);
	assert_int_equal(sys_rmdir("/tmp/d"), -ENOENT);
	assert_int_equal(sys_rmdir("/tmp/x"), 0);
	assert_listing("/tmp", "");

	/* An open directory removed lives on, empty, until its fd closes. */
	assert_int_equal(sys_mkdir("/tmp/open", 0755), 0);
	assert_int_equal(sys_open("/tmp/open", SYS_O_RDONLY, 0), 3);
	assert_int_equal(sys_rmdir("/tmp/open"), 0);
	assert_int_equal(sys_readdir(3, &(struct sys_dirent){0}), 0);
	assert_int_equal(sys_close(3), 0);

	/* The ramdisk's directories stay. */
	assert_int_equal(sys_mkdir("/etc", 0755), -EEXIST);
	assert_int_equal(sys_mkdir("/etc/new", 0755), -EROFS);
	assert_int_equal(sys_mkdir("/etc/hello.txt/x", 0755), -ENOTDIR);
	assert_int_equal(sys_rmdir("/etc/sub"), -EROFS);
	assert_int_equal(sys_rmdir("/tmp"), -EROFS);
	assert_int_equal(sys_rmdir("/"), -EBUSY);
	assert_int_equal(sys_chdir("/tmp"), 0);
	assert_int_equal(sys_mkdir("rel", 0755), 0);
	assert_int_equal(sys_chdir("rel"), 0);
	assert_int_equal(sys_rmdir("/tmp/rel"), -EBUSY);
}

static void readdir_order_and_stability(void **state)
{
	struct sys_dirent d;
	int fd, file;

	/* The ramdisk's entries in the archive's order, then what start-up added. */
	assert_listing("/", "etc abs dirlink loop1 loop2 self dangling bin tmp dev ");
	assert_listing("/etc", "hello.txt link sub up ");
	assert_listing("/dev", "console xvda ");

	make_file("/tmp/a", "");
	make_file("/tmp/b", "");
	make_file("/tmp/c", "");
	assert_int_equal(sys_mkdir("/tmp/d", 0755), 0);
	fd = sys_open("/tmp", SYS_O_RDONLY | SYS_O_DIRECTORY, 0);
	assert_int_equal(sys_readdir(fd, &d), 1);
	assert_string_equal(d.name, "a");
	assert_int_equal(d.mode, SYS_S_IFREG | 0644);
	assert_int_equal(d.ino, ino_of("/tmp/a"));
	assert_int_equal(sys_readdir(fd, &d), 1);
	assert_string_equal(d.name, "b");
	/* Entries added meanwhile come after: nothing is given twice or left out. */
	make_file("/tmp/e", "");
	assert_int_equal(sys_readdir(fd, &d), 1);
	assert_string_equal(d.name, "c");
	assert_int_equal(sys_readdir(fd, &d), 1);
	assert_string_equal(d.name, "d");
	assert_int_equal(d.mode, SYS_S_IFDIR | 0755);
	assert_int_equal(sys_readdir(fd, &d), 1);
	assert_string_equal(d.name, "e");
	assert_int_equal(sys_readdir(fd, &d), 0);
	assert_int_equal(sys_readdir(fd, &d), 0);

	/* rewinddir. */
	assert_int_equal(sys_lseek(fd, 0, SYS_SEEK_SET), 0);
	assert_int_equal(sys_readdir(fd, &d), 1);
	assert_string_equal(d.name, "a");

	/* Removing an entry already given skips none of the rest. */
	assert_int_equal(sys_unlink("/tmp/a"), 0);
	assert_int_equal(sys_readdir(fd, &d), 1);
	assert_string_equal(d.name, "b");

	/* The `rm -r` loop: each entry removed as it is read leaves the directory empty. */
	assert_int_equal(sys_chdir("/tmp"), 0);
	assert_int_equal(sys_lseek(fd, 0, SYS_SEEK_SET), 0);
	while (sys_readdir(fd, &d) == 1)
		assert_int_equal(SYS_S_ISDIR(d.mode) ? sys_rmdir(d.name) : sys_unlink(d.name), 0);
	assert_listing("/tmp", "");

	file = sys_open("/etc/hello.txt", SYS_O_RDONLY, 0);
	assert_int_equal(sys_readdir(file, &d), -ENOTDIR);
	assert_int_equal(sys_readdir(99, &d), -EBADF);
	assert_int_equal(sys_readdir(1, &d), -ENOTDIR);
}

/* ---- paths -------------------------------------------------------------------------- */

static void path_forms(void **state)
{
	struct sys_stat st;
	uint64_t hello = ino_of("/etc/hello.txt"), etc = ino_of("/etc");
	static char longpath[5000];

	assert_int_equal(ino_of("//etc//hello.txt"), hello);
	assert_int_equal(ino_of("/./etc/./hello.txt"), hello);
	assert_int_equal(ino_of("/etc/sub/../hello.txt"), hello);
	assert_int_equal(ino_of("/etc/sub/../../etc/hello.txt"), hello);
	assert_int_equal(ino_of("etc/hello.txt"), hello); /* from the cwd, / */
	/* ".." of the root is the root. */
	assert_int_equal(ino_of("/.."), 1);
	assert_int_equal(ino_of("/../.."), 1);
	assert_int_equal(ino_of(".."), 1);
	assert_int_equal(ino_of("/../../etc/hello.txt"), hello);
	assert_int_equal(ino_of("/"), 1);
	assert_int_equal(ino_of("///"), 1);
	/* A trailing "/", "/." name a directory. */
	assert_int_equal(ino_of("/etc/"), etc);
	assert_int_equal(ino_of("/etc//"), etc);
	assert_int_equal(ino_of("/etc/."), etc);
	assert_int_equal(ino_of("/etc/sub/.."), etc);
	assert_int_equal(sys_stat("/etc/hello.txt/", &st), -ENOTDIR);
	assert_int_equal(sys_stat("/etc/hello.txt/.", &st), -ENOTDIR);
	assert_int_equal(sys_stat("/etc/hello.txt/..", &st), -ENOTDIR);
	assert_int_equal(sys_open("/etc/hello.txt/", SYS_O_RDONLY, 0), -ENOTDIR);
	assert_int_equal(sys_stat("/etc/missing/..", &st), -ENOENT);
	assert_int_equal(sys_stat("", &st), -ENOENT);
	assert_int_equal(sys_open("", SYS_O_RDONLY | SYS_O_CREAT, 0644), -ENOENT);
	assert_int_equal(sys_mkdir("", 0755), -ENOENT);

	/* Longer than PATH_MAX, whatever it names. */
	memset(longpath, '/', sizeof(longpath) - 1);
	assert_int_equal(sys_stat(longpath, &st), -ENAMETOOLONG);
	assert_int_equal(sys_mkdir(longpath, 0755), -ENAMETOOLONG);
}

static void a_file_used_as_a_dir(void **state)
{
	struct sys_stat st;

	make_file("/tmp/f", "f");
	assert_int_equal(sys_stat("/tmp/f/x", &st), -ENOTDIR);
	assert_int_equal(sys_open("/tmp/f/x", SYS_O_RDWR | SYS_O_CREAT, 0644), -ENOTDIR);
	assert_int_equal(sys_mkdir("/tmp/f/x", 0755), -ENOTDIR);
	assert_int_equal(sys_unlink("/tmp/f/x"), -ENOTDIR);
	assert_int_equal(sys_rmdir("/tmp/f/x"), -ENOTDIR);
	assert_int_equal(sys_rename("/tmp/f/x", "/tmp/y"), -ENOTDIR);
	assert_int_equal(sys_rename("/tmp/f", "/tmp/f/y"), -ENOTDIR);
	assert_int_equal(sys_chdir("/tmp/f"), -ENOTDIR);
	assert_int_equal(sys_chdir("/tmp/f/"), -ENOTDIR);
	assert_int_equal(sys_stat("/etc/hello.txt/x/y", &st), -ENOTDIR);
	assert_int_equal(sys_stat("/dev/console/x", &st), -ENOTDIR);
	assert_int_equal(sys_truncate("/tmp/f/", 0), -ENOTDIR);
}

static void names_over_255_bytes(void **state)
{
	char name[300], path[320];
	struct sys_dirent d;
	struct sys_stat st;
	int fd;

	memset(name, 'n', 255);
	name[255] = 0;
	snprintf(path, sizeof(path), "/tmp/%s", name);
	fd = sys_open(path, SYS_O_RDWR | SYS_O_CREAT, 0644);
	assert_int_equal(fd, 3);
	assert_int_equal(sys_open("/tmp", SYS_O_RDONLY, 0), 4);
	assert_int_equal(sys_readdir(4, &d), 1);
	assert_string_equal(d.name, name);

	strcat(path, "n"); /* 256 */
	assert_int_equal(sys_open(path, SYS_O_RDWR | SYS_O_CREAT, 0644), -ENAMETOOLONG);
	assert_int_equal(sys_stat(path, &st), -ENAMETOOLONG);
	assert_int_equal(sys_mkdir(path, 0755), -ENAMETOOLONG);
	assert_int_equal(sys_unlink(path), -ENAMETOOLONG);
	path[strlen(path) - 1] = 0;
	assert_int_equal(sys_rename(path, "/tmp/short"), 0);
	strcat(path, "n");
	assert_int_equal(sys_rename("/tmp/short", path), -ENAMETOOLONG);
	strcat(path, "/x");
	assert_int_equal(sys_stat(path, &st), -ENAMETOOLONG);
	assert_listing("/tmp", "short ");
}

/* ---- the ramdisk ------------------------------------------------------------------ */

static void ramdisk_symlinks(void **state)
{
	char buf[32];
	struct sys_stat st;
	uint64_t hello = ino_of("/etc/hello.txt");
	int fd;

	/* Followed at the end of a path, not by lstat, readlink, unlink. */
	assert_int_equal(ino_of("/etc/link"), hello);
	assert_int_equal(sys_lstat("/etc/link", &st), 0);
	assert_int_equal(st.mode, SYS_S_IFLNK | 0777);
	assert_int_equal(st.size, 9);
	assert_true(st.ino != hello);
	assert_int_equal(sys_readlink("/etc/link", buf, sizeof(buf)), 9);
	assert_memory_equal(buf, "hello.txt", 9);
	assert_int_equal(sys_readlink("/etc/link", buf, 4), 4);
	assert_memory_equal(buf, "hell", 4);
	assert_int_equal(sys_readlink("/etc/hello.txt", buf, sizeof(buf)), -EINVAL);
	assert_int_equal(sys_readlink("/etc/none", buf, sizeof(buf)), -ENOENT);

	/* Absolute, relative, to a directory, through "..". */
	fd = sys_open("/abs", SYS_O_RDONLY, 0);
	assert_int_equal(sys_read(fd, buf, sizeof(buf)), 13);
	assert_memory_equal(buf, HELLO, 13);
	assert_int_equal(ino_of("/dirlink/hello.txt"), hello);
	assert_int_equal(ino_of("/dirlink/link"), hello);
	assert_int_equal(ino_of("/dirlink"), ino_of("/etc"));
	assert_int_equal(lmode_of("/dirlink"), SYS_S_IFLNK | 0777);
	assert_int_equal(lmode_of("/dirlink/"), SYS_S_IFDIR | 0755);
	assert_int_equal(ino_of("/etc/up/etc/up/etc/hello.txt"), hello);
	assert_int_equal(ino_of("/dirlink/../abs"), hello);
	assert_int_equal(sys_chdir("/dirlink"), 0);
	assert_int_equal(sys_getcwd(buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/etc");
	assert_int_equal(ino_of("link"), hello);

	/* A loop. */
	assert_int_equal(sys_stat("/loop1", &st), -ELOOP);
	assert_int_equal(sys_open("/loop1", SYS_O_RDONLY, 0), -ELOOP);
	assert_int_equal(sys_stat("/self", &st), -ELOOP);
	assert_int_equal(sys_stat("/loop1/x", &st), -ELOOP);
	assert_int_equal(sys_chdir("/self"), -ELOOP);
	assert_int_equal(lmode_of("/loop1"), SYS_S_IFLNK | 0777);
	assert_int_equal(sys_open("/loop2", SYS_O_RDWR | SYS_O_CREAT, 0644), -ELOOP);

	/* Dangling. */
	assert_int_equal(sys_stat("/dangling", &st), -ENOENT);
	assert_int_equal(lmode_of("/dangling"), SYS_S_IFLNK | 0777);
}

static void ramdisk_is_read_only(void **state)
{
	struct sys_stat st;
	int fd;

	assert_int_equal(sys_open("/etc/hello.txt", SYS_O_WRONLY, 0), -EROFS);
	assert_int_equal(sys_open("/etc/hello.txt", SYS_O_RDWR, 0), -EROFS);
	assert_int_equal(sys_open("/etc/link", SYS_O_WRONLY | SYS_O_TRUNC, 0), -EROFS);
	assert_int_equal(sys_open("/etc/hello.txt", SYS_O_WRONLY | SYS_O_APPEND, 0), -EROFS);
	assert_int_equal(sys_open("/etc/new", SYS_O_WRONLY | SYS_O_CREAT, 0644), -EROFS);
	assert_int_equal(sys_open("/new", SYS_O_RDONLY | SYS_O_CREAT, 0644), -EROFS);
	assert_int_equal(sys_open("/etc/hello.txt", SYS_O_RDWR | SYS_O_CREAT | SYS_O_EXCL, 0),
			 -EEXIST);
	assert_int_equal(sys_open("/", SYS_O_WRONLY, 0), -EISDIR);
	assert_int_equal(sys_unlink("/etc/hello.txt"), -EROFS);
	assert_int_equal(sys_unlink("/etc/link"), -EROFS);
	assert_int_equal(sys_unlink("/dev/console"), -EROFS);
	assert_int_equal(sys_truncate("/etc/hello.txt", 0), -EROFS);
	assert_int_equal(sys_access("/etc/hello.txt", 2), -EROFS);
	assert_int_equal(sys_access("/etc/hello.txt", 4), 0);
	assert_int_equal(sys_access("/etc/hello.txt", 0), 0);
	assert_int_equal(sys_access("/etc/hello.txt", 1), -EACCES);
	assert_int_equal(sys_access("/etc", 1), 0);
	assert_int_equal(sys_access("/etc/none", 0), -ENOENT);
	assert_contents("/etc/hello.txt", HELLO);

	/* Opened for reading, a ramdisk file is not written through its fd either. */
	fd = sys_open("/etc/hello.txt", SYS_O_RDONLY | SYS_O_TRUNC, 0);
	assert_true(fd >= 0);
	assert_int_equal(sys_write(fd, "x", 1), -EBADF);
	assert_int_equal(sys_ftruncate(fd, 0), -EBADF);
	assert_int_equal(sys_stat("/etc/hello.txt", &st), 0);
	assert_int_equal(st.size, 13);

	/* Devices are written, though /dev is the ramdisk's. */
	fd = sys_open("/dev/console", SYS_O_WRONLY, 0);
	assert_true(fd >= 0);
	assert_int_equal(sys_access("/dev/console", 2), 0);
	assert_int_equal(sys_write(fd, "ok\n", 3), 3);
	assert_string_equal(console_out, "ok\n");
}

static void tmp_is_writable(void **state)
{
	assert_int_equal(lmode_of("/tmp"), SYS_S_IFDIR | 01777);
	assert_int_equal(sys_access("/tmp", 2), 0);
	assert_int_equal(sys_mkdir("/tmp/a", 0755), 0);
	assert_int_equal(sys_mkdir("/tmp/a/b", 0755), 0);
	make_file("/tmp/a/b/c", "deep");
	assert_int_equal(sys_access("/tmp/a/b/c", 2), 0);
	assert_contents("/tmp/a/b/c", "deep");
	assert_int_equal(sys_truncate("/tmp/a/b/c", 1), 0);
	assert_contents("/tmp/a/b/c", "d");
	assert_int_equal(sys_unlink("/tmp/a/b/c"), 0);
	assert_int_equal(sys_rmdir("/tmp/a/b"), 0);
	assert_int_equal(sys_rmdir("/tmp/a"), 0);
	assert_int_equal(sys_fsync(1), 0);
}

static void getcwd_chdir(void **state)
{
	char buf[64];
	int fd;

	assert_int_equal(sys_getcwd(buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/");
	assert_int_equal(sys_getcwd(buf, 2), 0);
	assert_int_equal(sys_getcwd(buf, 1), -ERANGE);
	assert_int_equal(sys_mkdir("/tmp/w", 0755), 0);
	assert_int_equal(sys_chdir("/tmp/w"), 0);
	assert_int_equal(sys_getcwd(buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/tmp/w");
	assert_int_equal(sys_getcwd(buf, 7), 0);
	assert_int_equal(sys_getcwd(buf, 6), -ERANGE);

	/* Relative paths start there. */
	fd = sys_open("rel", SYS_O_WRONLY | SYS_O_CREAT, 0644);
	assert_true(fd >= 0);
	assert_int_equal(sys_close(fd), 0);
	assert_int_equal(sys_mkdir("sub", 0755), 0);
	assert_int_equal(sys_rename("rel", "sub/rel"), 0);
	assert_int_equal(ino_of("/tmp/w/sub/rel"), ino_of("sub/rel"));
	assert_int_equal(ino_of("./sub/../sub/rel"), ino_of("sub/rel"));
	assert_int_equal(sys_chdir(".."), 0);
	assert_int_equal(sys_getcwd(buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/tmp");
	assert_int_equal(sys_chdir("w/sub/"), 0);
	assert_int_equal(sys_getcwd(buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/tmp/w/sub");

	/* A failed chdir stays put. */
	assert_int_equal(sys_chdir("rel"), -ENOTDIR);
	assert_int_equal(sys_chdir("/nope"), -ENOENT);
	assert_int_equal(sys_chdir(""), -ENOENT);
	assert_int_equal(sys_getcwd(buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/tmp/w/sub");
	assert_int_equal(sys_chdir("/../.."), 0);
	assert_int_equal(sys_getcwd(buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/");
}

/* Inode numbers of removed files are given out again, so they stay small: newlib's
 * ino_t is 16 bits, and 70,000 files made and removed one after another must not wrap
 * it into a number a live file has. */
static void inode_numbers_are_reused(void **state)
{
	struct sys_stat keep, st;
	int fd = sys_open("/tmp/keep", SYS_O_CREAT | SYS_O_RDWR, 0644);

	assert_true(fd >= 0);
	assert_int_equal(sys_fstat(fd, &keep), 0);
	for (int i = 0; i < 70000; i++) {
		int t = sys_open("/tmp/journal", SYS_O_CREAT | SYS_O_RDWR, 0644);

		assert_true(t >= 0);
		assert_int_equal(sys_fstat(t, &st), 0);
		assert_true(st.ino < 100);
		assert_true(st.ino != keep.ino);
		assert_int_equal(sys_close(t), 0);
		assert_int_equal(sys_unlink("/tmp/journal"), 0);
	}
	assert_int_equal(sys_close(fd), 0);
}

static void stat_fields(void **state)
{
	struct sys_stat st, st2;
	uint64_t ino;
	int fd;

	assert_int_equal(sys_stat("/etc/hello.txt", &st), 0);
	assert_int_equal(st.dev, 1);
	assert_int_equal(st.mode, SYS_S_IFREG | 0644);
	assert_int_equal(st.nlink, 1);
	assert_int_equal(st.size, 13);
	assert_int_equal(st.blksize, 4096);
	assert_int_equal(st.blocks, 1);
	assert_int_equal(st.mtime.sec, MTIME);
	assert_int_equal(st.mtime.nsec, 0);
	assert_int_equal(st.atime.sec, MTIME);
	assert_int_equal(st.ctime.sec, MTIME);
	fd = sys_open("/etc/hello.txt", SYS_O_RDONLY, 0);
	assert_int_equal(sys_fstat(fd, &st2), 0);
	assert_memory_equal(&st, &st2, sizeof(st));
	assert_int_equal(sys_fstat(99, &st2), -EBADF);

	assert_int_equal(sys_stat("/etc", &st), 0);
	assert_int_equal(st.mode, SYS_S_IFDIR | 0755);
	assert_int_equal(st.nlink, 2);
	assert_int_equal(st.size, 0);
	assert_int_equal(ino_of("/"), 1);
	assert_int_equal(lmode_of("/bin"), SYS_S_IFDIR | 0755);
	assert_int_equal(size_of("/bin/deep/file"), 5);

	/* A file of /tmp: now's time, updated by a write; its ino kept by all. */
	make_file("/tmp/f", "");
	assert_int_equal(sys_stat("/tmp/f", &st), 0);
	assert_int_equal(st.mtime.sec, now_ns / NSEC_PER_SEC);
	assert_int_equal(st.mtime.nsec, now_ns % NSEC_PER_SEC);
	assert_int_equal(st.size, 0);
	assert_int_equal(st.blocks, 0);
	ino = st.ino;
	assert_true(ino != ino_of("/etc/hello.txt"));
	now_ns += 5 * NSEC_PER_SEC;
	fd = sys_open("/tmp/f", SYS_O_WRONLY, 0);
	assert_int_equal(sys_pwrite(fd, "x", 1, 512), 1);
	assert_int_equal(sys_fstat(fd, &st), 0);
	assert_int_equal(st.mtime.sec, now_ns / NSEC_PER_SEC);
	assert_int_equal(st.size, 513);
	assert_int_equal(st.blocks, 2);
	assert_int_equal(st.ino, ino);
	assert_int_equal(sys_rename("/tmp/f", "/tmp/g"), 0);
	assert_int_equal(ino_of("/tmp/g"), ino);
	assert_int_equal(sys_fstat(fd, &st), 0);
	assert_int_equal(st.ino, ino);

	/* Devices: their type, a disk's size. */
	assert_int_equal(sys_fstat(1, &st), 0);
	assert_int_equal(st.mode, SYS_S_IFCHR | 0620);
	assert_int_equal(st.size, 0);
	assert_int_equal(st.ino, ino_of("/dev/console"));
	assert_int_equal(sys_stat("/dev/xvda", &st), 0);
	assert_int_equal(st.mode, SYS_S_IFBLK | 0660);
	assert_int_equal(st.size, 4096);
	assert_int_equal(st.blocks, 8);
}

/* The mode bits and the modification time of a /tmp file change; the ramdisk's and the
 * devices' do not. */
static void chmod_and_utime(void **state)
{
	struct sys_timespec t = {1000, 5};
	struct sys_stat st;
	int fd;

	make_file("/tmp/f", "x");
	assert_int_equal(sys_chmod("/tmp/f", 0600), 0);
	assert_int_equal(lmode_of("/tmp/f"), SYS_S_IFREG | 0600);
	fd = sys_open("/tmp/f", SYS_O_RDONLY, 0);
	assert_true(fd >= 0);
	assert_int_equal(sys_fchmod(fd, 04755), 0); /* an fd open for reading will do */
	assert_int_equal(lmode_of("/tmp/f"), SYS_S_IFREG | 04755);
	assert_int_equal(sys_fchmod(fd, SYS_S_IFDIR | 0640), 0); /* the type stays */
	assert_int_equal(lmode_of("/tmp/f"), SYS_S_IFREG | 0640);
	assert_int_equal(sys_chmod("/tmp", 0755), 0);
	assert_int_equal(lmode_of("/tmp"), SYS_S_IFDIR | 0755);
	assert_int_equal(sys_chmod("/etc/hello.txt", 0600), -EROFS);
	assert_int_equal(sys_chmod("/etc/link", 0600), -EROFS); /* followed */
	assert_int_equal(lmode_of("/etc/hello.txt"), SYS_S_IFREG | 0644);
	assert_int_equal(sys_chmod("/tmp/none", 0600), -ENOENT);
	assert_int_equal(sys_fchmod(1, 0600), -EROFS);
	assert_int_equal(sys_fchmod(99, 0600), -EBADF);

	assert_int_equal(sys_utime("/tmp/f", &t), 0);
	assert_int_equal(sys_fstat(fd, &st), 0);
	assert_int_equal(st.mtime.sec, 1000);
	assert_int_equal(st.mtime.nsec, 5);
	assert_int_equal(st.atime.sec, 1000); /* one time per file */
	assert_int_equal(st.ctime.sec, 1000);
	assert_int_equal(sys_utime("/tmp/f", NULL), 0);
	assert_int_equal(sys_fstat(fd, &st), 0);
	assert_int_equal(st.mtime.sec, now_ns / NSEC_PER_SEC);
	assert_int_equal(st.mtime.nsec, now_ns % NSEC_PER_SEC);
	t.nsec = 1000000000;
	assert_int_equal(sys_utime("/tmp/f", &t), -EINVAL);
	t.nsec = -1;
	assert_int_equal(sys_utime("/tmp/f", &t), -EINVAL);
	t.nsec = 0;
	t.sec = -1;
	assert_int_equal(sys_utime("/tmp/f", &t), -EINVAL);
	t.sec = INT64_MAX / NSEC_PER_SEC;
	assert_int_equal(sys_utime("/tmp/f", &t), -EINVAL); /* past what the tree holds */
	t.sec = 1000;
	assert_int_equal(sys_utime("/etc/hello.txt", &t), -EROFS);
	assert_int_equal(sys_utime("/tmp/none", &t), -ENOENT);
	assert_int_equal(sys_stat("/tmp/f", &st), 0);
	assert_int_equal(st.mtime.sec, now_ns / NSEC_PER_SEC);
	assert_int_equal(sys_close(fd), 0);
}

static void isatty_and_the_console(void **state)
{
	char buf[8];
	int fd;

	assert_int_equal(sys_isatty(0), 1);
	assert_int_equal(sys_isatty(1), 1);
	assert_int_equal(sys_isatty(2), 1);
	fd = sys_open("/etc/hello.txt", SYS_O_RDONLY, 0);
	assert_int_equal(sys_isatty(fd), -ENOTTY);
	assert_int_equal(sys_isatty(sys_open("/dev/xvda", SYS_O_RDONLY, 0)), -ENOTTY);
	assert_int_equal(sys_isatty(sys_open("/tmp", SYS_O_RDONLY, 0)), -ENOTTY);
	assert_int_equal(sys_isatty(99), -EBADF);
	assert_int_equal(sys_isatty(-1), -EBADF);

	/* 0 reads, 1 and 2 write, all the console. */
	assert_int_equal(sys_getfl(0), SYS_O_RDONLY);
	assert_int_equal(sys_getfl(1), SYS_O_WRONLY);
	assert_int_equal(sys_getfl(2), SYS_O_WRONLY);
	assert_int_equal(sys_write(1, "out ", 4), 4);
	assert_int_equal(sys_write(2, "err", 3), 3);
	assert_int_equal(sys_write(0, "x", 1), -EBADF);
	assert_int_equal(sys_read(1, buf, 1), -EBADF);
	assert_string_equal(console_out, "out err");
	console_in = "typed";
	console_in_len = 5;
	assert_int_equal(sys_read(0, buf, 3), 3);
	assert_memory_equal(buf, "typ", 3);
	assert_int_equal(sys_read(0, buf, sizeof(buf)), 2);
	assert_int_equal(sys_read(0, buf, sizeof(buf)), 0);
	/* O_NONBLOCK reaches the device. */
	assert_int_equal(sys_setfl(0, SYS_O_NONBLOCK), 0);
	assert_int_equal(sys_read(0, buf, sizeof(buf)), -EAGAIN);
}

static void getfl_setfl(void **state)
{
	char c;
	int fd = sys_open("/tmp/f",
			  SYS_O_RDWR | SYS_O_CREAT | SYS_O_EXCL | SYS_O_TRUNC | SYS_O_APPEND, 0644);

	assert_int_equal(fd, 3);
	/* What open() did once is not a flag of the file. */
	assert_int_equal(sys_getfl(fd), SYS_O_RDWR | SYS_O_APPEND);
	assert_int_equal(sys_setfl(fd, SYS_O_NONBLOCK), 0);
	assert_int_equal(sys_getfl(fd), SYS_O_RDWR | SYS_O_NONBLOCK);
	/* Only NONBLOCK and APPEND change. */
	assert_int_equal(sys_setfl(fd, SYS_O_RDONLY | SYS_O_DIRECTORY | SYS_O_CREAT | SYS_O_TRUNC),
			 0);
	assert_int_equal(sys_getfl(fd), SYS_O_RDWR);
	assert_int_equal(sys_setfl(fd, SYS_O_WRONLY | SYS_O_APPEND | SYS_O_NONBLOCK), 0);
	assert_int_equal(sys_getfl(fd), SYS_O_RDWR | SYS_O_APPEND | SYS_O_NONBLOCK);
	assert_int_equal(sys_write(fd, "a", 1), 1);
	assert_int_equal(sys_pread(fd, &c, 1, 0), 1);
	assert_int_equal(sys_setfl(fd, -1), 0);
	assert_int_equal(sys_getfl(fd), SYS_O_RDWR | SYS_O_APPEND | SYS_O_NONBLOCK);
	assert_int_equal(sys_getfl(99), -EBADF);
	assert_int_equal(sys_setfl(99, 0), -EBADF);
	assert_int_equal(sys_getfl(sys_open("/tmp", SYS_O_RDONLY | SYS_O_DIRECTORY, 0)),
			 SYS_O_RDONLY | SYS_O_DIRECTORY);
}

static void lock(void **state)
{
	make_file("/tmp/f", "");
	assert_int_equal(sys_lock(sys_open("/tmp/f", SYS_O_RDWR, 0)), 0);
	assert_int_equal(sys_lock(sys_open("/etc/hello.txt", SYS_O_RDONLY, 0)), 0);
	assert_int_equal(sys_lock(1), -EINVAL);
	assert_int_equal(sys_lock(sys_open("/tmp", SYS_O_RDONLY, 0)), -EINVAL);
	assert_int_equal(sys_lock(sys_open("/dev/xvda", SYS_O_RDONLY, 0)), -EINVAL);
	assert_int_equal(sys_lock(99), -EBADF);
	assert_int_equal(sys_lock(-1), -EBADF);
}

static void a_disk_device(void **state)
{
	char buf[4];
	int fd = sys_open("/dev/xvda", SYS_O_RDWR, 0);

	assert_int_equal(fd, 3);
	assert_int_equal(disk_opens, 1);
	assert_int_equal(sys_lseek(fd, -4, SYS_SEEK_END), 4092);
	assert_int_equal(sys_write(fd, "disk", 4), 4);
	assert_int_equal(sys_write(fd, "more", 4), -ENOSPC);
	assert_int_equal(sys_pread(fd, buf, 4, 4092), 4);
	assert_memory_equal(buf, "disk", 4);
	assert_int_equal(sys_lseek(fd, 0, SYS_SEEK_CUR), 4096);
	assert_int_equal(sys_ftruncate(fd, 0), -EINVAL);
	assert_int_equal(sys_close(fd), 0);
	assert_int_equal(disk_closes, 1);
}

/* ---- rootfs_init ---------------------------------------------------------------- */

static void rootfs_without_a_ramdisk(void **state)
{
	assert_int_equal(rootfs_init(NULL, 0), 0);
	assert_listing("/", "tmp dev ");
	assert_int_equal(lmode_of("/tmp"), SYS_S_IFDIR | 01777);
	assert_int_equal(sys_isatty(2), 1);
	assert_int_equal(sys_open("/etc/hello.txt", SYS_O_RDONLY, 0), -ENOENT);
	make_file("/tmp/f", "ok");
	assert_contents("/tmp/f", "ok");
}

/* Every cut of the archive before its trailer's name is refused, with a reason. */
static void rootfs_rejects_a_truncated_archive(void **state)
{
	size_t trailer;

	standard_archive(&ramdisk);
	trailer = ramdisk.len;
	ar_end(&ramdisk);
	for (size_t len = 0; len < trailer + 110 + 11; len++) {
		cut = malloc(len ? len : 1);
		memcpy(cut, ramdisk.b, len);
		assert_int_equal(rootfs_init(cut, len), -EBADMSG);
		assert_logged("posix: ramdisk is not a usable cpio archive: ");
		reset_tree();
		free(cut);
		cut = NULL;
	}
	/* The whole of it is fine. */
	assert_int_equal(rootfs_init(ramdisk.b, ramdisk.len), 0);
	assert_logged("posix: ramdisk: 16 entries");
}

static void rootfs_rejects_bad_entries(void **state)
{
	/* Two of a name. */
	ar_file(&ramdisk, "etc/x", "1");
	ar_file(&ramdisk, "etc/x", "2");
	ar_end(&ramdisk);
	assert_int_equal(rootfs_init(ramdisk.b, ramdisk.len), -EEXIST);
	assert_logged("posix: ramdisk: etc/x: EEXIST");
	reset();

	/* A file used as a directory. */
	ar_file(&ramdisk, "etc", "file");
	ar_file(&ramdisk, "etc/x", "1");
	ar_end(&ramdisk);
	assert_int_equal(rootfs_init(ramdisk.b, ramdisk.len), -ENOTDIR);
	assert_logged("posix: ramdisk: etc/x: ENOTDIR");
	reset();

	/* A fifo is left out, with a word. */
	ar_entry(&ramdisk, "fifo", 0010644, "", 0);
	ar_file(&ramdisk, "ok", "1");
	ar_end(&ramdisk);
	assert_int_equal(rootfs_init(ramdisk.b, ramdisk.len), 0);
	assert_logged("fifo is neither a file, a directory nor a symlink");
	assert_listing("/", "ok tmp dev ");
}

static void rootfs_rejects_files_in_tmp(void **state)
{
	ar_dir(&ramdisk, "tmp");
	ar_file(&ramdisk, "tmp/x", "1");
	ar_end(&ramdisk);
	assert_int_equal(rootfs_init(ramdisk.b, ramdisk.len), -EEXIST);
	assert_logged("the ramdisk has files in /tmp");
	reset();

	ar_dir(&ramdisk, "tmp/empty");
	ar_end(&ramdisk);
	assert_int_equal(rootfs_init(ramdisk.b, ramdisk.len), -EEXIST);
	assert_logged("the ramdisk has files in /tmp");
}

/* /tmp and /dev are directories start-up fills: a ramdisk's file there is refused (a
 * writable /tmp that is the archive's file would be realloc()ed out of the archive). */
static void rootfs_rejects_a_tmp_or_dev_that_is_no_dir(void **state)
{
	static const char *const names[] = {"tmp", "dev"};

	for (int i = 0; i < 2; i++) {
		ar_file(&ramdisk, names[i], "not a directory");
		ar_end(&ramdisk);
		assert_int_equal(rootfs_init(ramdisk.b, ramdisk.len), -ENOTDIR);
		assert_logged("is not a directory");
		reset();

		ar_dir(&ramdisk, "etc");
		ar_link(&ramdisk, names[i], "etc");
		ar_end(&ramdisk);
		assert_int_equal(rootfs_init(ramdisk.b, ramdisk.len), -ENOTDIR);
		reset();
	}
}

#define T(name)	      cmocka_unit_test_setup_teardown(name, setup, teardown)
#define T_EMPTY(name) cmocka_unit_test_setup_teardown(name, setup_empty, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(open_creat_excl_trunc),
		T(append_writes_at_the_end),
		T(read_write_lseek),
		T(pread_pwrite_keep_the_offset),
		T(writes_past_the_end_zero_fill),
		T(ftruncate_grows_and_shrinks),
		T(dup_shares_the_offset),
		T(dup2_closes_the_target),
		T(dupfd_from_a_minimum),
		T(close_of_a_bad_fd),
		T(fd_exhaustion),
		T(unlink_while_open),
		T(rename_over_a_file),
		T(rename_into_another_dir),
		T(rename_dir_into_itself),
		T(rename_onto_a_non_empty_dir),
		T(rename_over_the_cwd),
		T(mkdir_rmdir),
		T(readdir_order_and_stability),
		T(path_forms),
		T(a_file_used_as_a_dir),
		T(names_over_255_bytes),
		T(ramdisk_symlinks),
		T(ramdisk_is_read_only),
		T(tmp_is_writable),
		T(getcwd_chdir),
		T(stat_fields),
		T(inode_numbers_are_reused),
		T(chmod_and_utime),
		T(isatty_and_the_console),
		T(getfl_setfl),
		T(lock),
		T(a_disk_device),
		T_EMPTY(rootfs_without_a_ramdisk),
		T_EMPTY(rootfs_rejects_a_truncated_archive),
		T_EMPTY(rootfs_rejects_bad_entries),
		T_EMPTY(rootfs_rejects_files_in_tmp),
		T_EMPTY(rootfs_rejects_a_tmp_or_dev_that_is_no_dir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
