/*
 * The devices under /dev: console (also fds 0, 1, 2), null, zero, and each virtual
 * disk of the xl config as /dev/xvda... read and written raw through blkfront.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <skiff/blkfront.h>
#include <skiff/thread.h>
#include <skiff/time.h>

#include "posix/devices.h"
#include "posix/sys.h"
#include "posix/vfs.h"
#include "xen/console.h"

/* How often a blocking read of the console looks for input (the console's event is
 * the output path's to poll). */
#define CONSOLE_POLL_MS 10

static long console_dev_read(void *arg, void *buf, size_t len, int64_t off, bool nonblock)
{
	long n;

	if (!len)
		return 0;
	while ((n = console_read(buf, len)) == 0) {
		if (nonblock) {
			thread_yield(); /* a program polling in a loop lets the others run */
			return -EAGAIN;
		}
		msleep(CONSOLE_POLL_MS);
	}
	return n;
}

static long console_dev_write(void *arg, const void *buf, size_t len, int64_t off)
{
	console_write(buf, len);
	return (long)len;
}

static int console_dev_fsync(void *arg)
{
	console_flush();
	return 0;
}

/* Readable while input waits; its output is never full (a write waits for room). */
static unsigned int console_dev_poll(void *arg, unsigned int events)
{
	unsigned int ready = SYS_POLLOUT;

	if (console_input_pending())
		ready |= SYS_POLLIN;
	return ready & events;
}

static const struct dev_ops console_ops = {
	.read = console_dev_read,
	.write = console_dev_write,
	.fsync = console_dev_fsync,
	.poll = console_dev_poll,
	.tty = true,
	.stream = true,
};

static long null_read(void *arg, void *buf, size_t len, int64_t off, bool nonblock)
{
	return 0;
}

static long zero_read(void *arg, void *buf, size_t len, int64_t off, bool nonblock)
{
	memset(buf, 0, len);
	return (long)len;
}

static long sink_write(void *arg, const void *buf, size_t len, int64_t off)
{
	return (long)len;
}

static const struct dev_ops null_ops = {.read = null_read, .write = sink_write};
static const struct dev_ops zero_ops = {.read = zero_read, .write = sink_write};

/* A disk: opened on the first open() of its node, closed with the last. */
struct disk {
	unsigned int index;
	unsigned int opens;
	struct blkfront *dev;
	uint64_t bytes;
	unsigned int sector_size;
	bool read_only;
	char *bounce; /* one sector, for the ends of an unaligned request */
};

static int disk_open(void *arg, int flags)
{
	struct disk *d = arg;
	const struct blkfront_info *info;
	int rc;

	if (d->opens) {
		if ((flags & SYS_O_ACCMODE) != SYS_O_RDONLY && d->read_only)
			return -EROFS;
		d->opens++;
		return 0;
	}
	rc = blkfront_open(d->index, &d->dev);
	if (rc)
		return rc;
	info = blkfront_info(d->dev);
	d->sector_size = info->sector_size;
	d->bytes = info->sectors * info->sector_size;
	d->read_only = info->read_only;
	d->bounce = malloc(d->sector_size);
	if (!d->bounce || ((flags & SYS_O_ACCMODE) != SYS_O_RDONLY && d->read_only)) {
		int rc = d->bounce ? -EROFS : -ENOMEM;

		free(d->bounce);
		blkfront_close(d->dev);
		d->bounce = NULL;
		d->dev = NULL; /* not open: disk_size() says 0 */
		return rc;
	}
	d->opens = 1;
	return 0;
}

static void disk_close(void *arg)
{
	struct disk *d = arg;

	if (--d->opens)
		return;
	blkfront_close(d->dev);
	free(d->bounce);
	d->dev = NULL;
}

static int64_t disk_size(void *arg)
{
	struct disk *d = arg;

	return d->dev ? (int64_t)d->bytes : 0;
}

/* One sector-aligned run [off, off+len), or a part of one sector through the bounce
 * buffer (read, and for a write, modify and write back). */
static int disk_io(struct disk *d, bool write, char *buf, size_t len, uint64_t off)
{
	uint64_t ss = d->sector_size, sector = off / ss * (ss / 512);
	size_t in = off % ss;

	if (in == 0 && len % ss == 0)
		return write ? blkfront_write(d->dev, sector, buf, len)
			     : blkfront_read(d->dev, sector, buf, len);
	int rc = blkfront_read(d->dev, sector, d->bounce, ss);

	if (rc)
		return rc;
	if (!write) {
		memcpy(buf, d->bounce + in, len);
		return 0;
	}
	memcpy(d->bounce + in, buf, len);
	return blkfront_write(d->dev, sector, d->bounce, ss);
}

/* Split [off, off+len) into a head in the first sector, whole sectors, a tail. */
static long disk_rw(struct disk *d, bool write, char *buf, size_t len, int64_t off)
{
	uint64_t ss = d->sector_size;
	size_t done = 0;

	if (off < 0)
		return -EINVAL;
	if ((uint64_t)off >= d->bytes)
		return write && len ? -ENOSPC : 0;
	if (len > d->bytes - off)
		len = d->bytes - off;
	while (done < len) {
		uint64_t at = off + done;
		size_t n = len - done, in = at % ss;
		int rc;

		if (in)
			n = n < ss - in ? n : ss - in;
		else if (n >= ss)
			n -= n % ss;
		rc = disk_io(d, write, buf + done, n, at);
		if (rc)
			return done ? (long)done : rc;
		done += n;
	}
	return (long)done;
}

static long disk_read(void *arg, void *buf, size_t len, int64_t off, bool nonblock)
{
	return disk_rw(arg, false, buf, len, off);
}

static long disk_write(void *arg, const void *buf, size_t len, int64_t off)
{
	return disk_rw(arg, true, (char *)buf, len, off);
}

static int disk_fsync(void *arg)
{
	struct disk *d = arg;
	int rc = blkfront_flush(d->dev);

	/* A disk without a cache to flush (no feature-flush-cache) has its data already. */
	return rc == -EOPNOTSUPP ? 0 : rc;
}

static const struct dev_ops disk_ops = {
	.open = disk_open,
	.read = disk_read,
	.write = disk_write,
	.size = disk_size,
	.fsync = disk_fsync,
	.close = disk_close,
};

static int add_dev(struct node *dev, const char *name, uint32_t mode, const struct dev_ops *ops,
		   void *arg, struct node **out)
{
	struct node *n = vfs_add(dev, name, strlen(name), mode | 0666);

	if (!n)
		return -ENOMEM;
	n->dev = ops;
	n->dev_arg = arg;
	if (out)
		*out = n;
	return 0;
}

int devices_init(struct node *dev, struct node **console)
{
	int rc, disks = blkfront_count();

	rc = add_dev(dev, "console", SYS_S_IFCHR, &console_ops, NULL, console);
	if (!rc)
		rc = add_dev(dev, "null", SYS_S_IFCHR, &null_ops, NULL, NULL);
	if (!rc)
		rc = add_dev(dev, "zero", SYS_S_IFCHR, &zero_ops, NULL, NULL);
	/* Each disk by the name the toolstack gave it (xl's vdev: "xvdb"). */
	for (int i = 0; !rc && i < disks; i++) {
		struct disk *d = calloc(1, sizeof(*d));
		char name[16];

		if (!d)
			return -ENOMEM;
		d->index = (unsigned int)i;
		rc = blkfront_name(d->index, name, sizeof(name));
		if (!rc)
			rc = add_dev(dev, name, SYS_S_IFBLK, &disk_ops, d, NULL);
		if (rc)
			free(d);
	}
	return rc;
}
