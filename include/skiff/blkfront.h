/*
 * blkfront: the virtual disks of the xl config's disk=[...] list, served by blkback
 * (or another backend) in dom0. Requests are asynchronous: submit, and a callback
 * runs (in the disk's own thread) when the backend answers; many may be in flight.
 * blkfront_read/write/flush wrap that for code that just wants to wait.
 */
#ifndef SKIFF_BLKFRONT_H
#define SKIFF_BLKFRONT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct blkfront;

struct blkfront_info {
	char name[16];		  /* "xvda", as the toolstack named it */
	uint64_t sectors;	  /* the size, in units of sector_size */
	unsigned int sector_size; /* bytes; requests are multiples of it */
	unsigned int physical_sector_size;
	bool read_only, removable, cdrom;
	bool flush;		    /* feature-flush-cache */
	bool barrier;		    /* feature-barrier */
	unsigned int ring_pages;    /* pages in the shared ring (multi-page if offered) */
	unsigned int max_in_flight; /* requests the ring holds */
};

enum blk_op { BLK_READ, BLK_WRITE, BLK_FLUSH };

/* At most this much data per request: 11 segments of one page (xen/io/blkif.h). */
#define BLK_MAX_REQUEST (11 * 4096)

struct blk_request {
	enum blk_op op;
	uint64_t sector; /* in 512-byte units, whatever the disk's sector size */
	void *buf;	 /* any alignment: data goes through pages of the driver */
	size_t len;
	/* status: 0, -EIO (the backend failed it or broke), -EOPNOTSUPP */
	void (*done)(struct blk_request *req, int status);
	void *arg;
};

/* Number of virtual disks the toolstack gave this domain. */
int blkfront_count(void);
/* Connect to the index-th disk (in order of device number). NULL, logged, on failure. */
struct blkfront *blkfront_open(unsigned int index);
const struct blkfront_info *blkfront_info(const struct blkfront *dev);

/* Queue a request (may wait for a free slot). 0, or an error and done is not called:
 * -EROFS write to a read-only disk, -EINVAL bad size/alignment, -ERANGE past the end,
 * -EIO the device is broken or closed, -ENOMEM. */
int blkfront_submit(struct blkfront *dev, struct blk_request *req);

int blkfront_read(struct blkfront *dev, uint64_t sector, void *buf, size_t len);
int blkfront_write(struct blkfront *dev, uint64_t sector, const void *buf, size_t len);
int blkfront_flush(struct blkfront *dev);

/* Disconnect (Closing -> Closed), end every grant, free the ring. Also runs by itself
 * before the domain stops. */
void blkfront_close(struct blkfront *dev);

#endif
