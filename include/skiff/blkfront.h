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
	uint64_t sectors;	  /* the size, in units of sector_size (not 512 bytes) */
	unsigned int sector_size; /* bytes; requests are multiples of it */
	unsigned int physical_sector_size;
	bool read_only; /* the backend's "info" (VDISK_READONLY) or "mode" says so */
	bool removable, cdrom;
	bool flush;		    /* feature-flush-cache */
	bool barrier;		    /* feature-barrier */
	unsigned int ring_pages;    /* pages in the shared ring (multi-page if offered) */
	unsigned int max_in_flight; /* ring requests the ring holds */
	/* The most one ring request carries: 11 pages (44 KiB), or with indirect
	 * descriptors (feature-max-indirect-segments) up to 256 pages (1 MiB). A larger
	 * request is cut into ring requests by the driver, and completes once. */
	unsigned int max_segments;
	bool indirect;	 /* the backend takes indirect requests */
	bool persistent; /* feature-persistent: the backend keeps our pages mapped */
	bool discard;	 /* feature-discard: BLK_DISCARD is passed on */
	/* Discard works on extents of this size (bytes) starting at this offset on the
	 * disk; a range not on them may leave data in place (blkif.h, notes 4-5). */
	unsigned int discard_granularity, discard_alignment;
};

/* BLK_DISCARD: the range's data is no longer needed (a file-backed disk gets a hole);
 * reading it afterwards gives zeros or the old data, as the backend's store decides. */
enum blk_op { BLK_READ, BLK_WRITE, BLK_FLUSH, BLK_DISCARD };

/* At most this much data per read or write request; a discard may be of any length. */
#define BLK_MAX_REQUEST (1024 * 1024)

struct blk_request {
	enum blk_op op;
	uint64_t sector; /* in 512-byte units, whatever the disk's sector size */
	void *buf;	 /* any alignment: data goes through pages of the driver (unused
			  * by a flush or a discard) */
	size_t len;	 /* bytes; a multiple of the sector size */
	/* status: 0, -EIO (the backend failed it, broke, left, or did not answer in
	 * 30 s; or the disk was closed), -EOPNOTSUPP */
	void (*done)(struct blk_request *req, int status);
	void *arg;
};

/* Number of virtual disks the toolstack gave this domain. */
int blkfront_count(void);
/* The name the toolstack gave the index-th disk (its vdev: "xvdb"), from its device
 * number, without connecting to it: 0, or -ENODEV (no such disk). */
int blkfront_name(unsigned int index, char *buf, size_t size);
/*
 * Connect to the index-th disk (in order of device number): 0 and *dev, or a negative
 * errno (logged with the details): -ENODEV no such disk, -EBUSY open already,
 * -ETIMEDOUT the backend did not answer, -EINVAL/-ERANGE it gave garbage, -ENOMEM.
 */
int blkfront_open(unsigned int index, struct blkfront **dev);
const struct blkfront_info *blkfront_info(const struct blkfront *dev);

/*
 * The frontend's own check only; the backend still refuses. A disk the backend calls
 * read-only (info->read_only) has its writes refused here, -EROFS, before they reach the
 * ring. ro = false lets them through to the backend, which decides: Linux's blkback
 * answers a write to a read-only disk with an error, so it completes with -EIO. ro =
 * true refuses writes here again (on any disk). info->read_only stays the backend's
 * word. Like Linux's BLKROSET ioctl. A disk opened again starts from info->read_only.
 */
void blkfront_set_read_only(struct blkfront *dev, bool ro);

/* Queue a request (may wait for free ring slots and pages). 0, or an error and done is
 * not called: -EROFS write or discard to a read-only disk (see blkfront_set_read_only),
 * -EINVAL bad size or alignment, -ERANGE past the end, -EOPNOTSUPP a flush or discard the
 * disk does not offer, -EIO the device is broken or closed, -ENOMEM; -EBUSY from a
 * completion callback when there is no room (waiting there would wait for itself). */
int blkfront_submit(struct blkfront *dev, struct blk_request *req);

int blkfront_read(struct blkfront *dev, uint64_t sector, void *buf, size_t len);
int blkfront_write(struct blkfront *dev, uint64_t sector, const void *buf, size_t len);
int blkfront_flush(struct blkfront *dev);
int blkfront_discard(struct blkfront *dev, uint64_t sector, uint64_t len);

/* What the driver did and holds, for tests and /stats. */
struct blkfront_stats {
	uint64_t ring_requests; /* put on the ring */
	uint64_t indirect;	/* of them, indirect ones */
	uint64_t cut;		/* requests cut into several ring requests */
	unsigned int pages;	/* data and indirect pages the disk holds (its pool) */
	unsigned int granted;	/* of them, granted to the backend now */
	unsigned int mapped;	/* of them, mapped by the backend now (persistent grants) */
};
void blkfront_stats(const struct blkfront *dev, struct blkfront_stats *st);

/* Answers still due are waited for (5 s at most), then Closing -> Closed, every grant
 * ended, the ring freed, and dev with it. Runs by itself for every open disk before the
 * domain stops. May be called from a completion callback. */
void blkfront_close(struct blkfront *dev);

#endif
