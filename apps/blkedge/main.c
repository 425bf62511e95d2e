/*
 * blkedge: the edges of a virtual disk, where a driver's arithmetic and lifecycle go
 * wrong first. On disk 0:
 *   1. its size and sector size as blkfront reports them;
 *   2. the last sector (whatever the sector size) written with a stamp, flushed, and
 *      read back; a request that ends past the last sector refused (-ERANGE);
 *   3. close, then open again (the backend must go back to InitWait for that), and the
 *      stamp read once more;
 *   4. reads kept in flight until the disk fails them: dom0 detaches it meanwhile
 *      (`xl block-detach`), so the backend leaves with requests outstanding; then
 *      main() returns, and the domain must power off.
 * On disk 1:
 *   5. another thread closes it, and main() returns while that close is in the middle
 *      of its handshake (our state is Closing, the backend's not yet Closed): exit must
 *      end the domain all the same, neither waiting for that close nor spinning on it.
 * The stamp is "SKIFF-EDGE last sector", so dom0 can find it in the disk's last bytes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <skiff/blkfront.h>
#include <skiff/console.h>
#include <skiff/thread.h>
#include <skiff/xenstore.h>

#define SECTOR	   512
#define MAX_SECTOR 4096
#define DEPTH	   8

static uint8_t last[MAX_SECTOR], back[MAX_SECTOR];

static int open_disk(unsigned int index, struct blkfront **disk)
{
	int rc = blkfront_open(index, disk);

	if (rc)
		printf("blkedge: open disk %u: %s\n", index, strerror_name(rc));
	return rc;
}

/* The last sector, in the 512-byte units requests count in. */
static uint64_t last_sector(const struct blkfront_info *i)
{
	return (i->sectors - 1) * (i->sector_size / SECTOR);
}

static int write_last(struct blkfront *disk, const struct blkfront_info *i)
{
	int rc;

	strcpy((char *)last, "SKIFF-EDGE last sector");
	rc = blkfront_write(disk, last_sector(i), last, i->sector_size);
	if (!rc)
		rc = blkfront_flush(disk);
	printf("blkedge: last sector written and flushed: %s\n", rc ? strerror_name(rc) : "ok");
	return rc != 0;
}

static int read_last(struct blkfront *disk, const struct blkfront_info *i, const char *when)
{
	int rc = blkfront_read(disk, last_sector(i), back, i->sector_size);
	bool same = rc == 0 && memcmp(back, last, i->sector_size) == 0;

	printf("blkedge: last sector read back %s: %s\n", when,
	       rc     ? strerror_name(rc)
	       : same ? "same"
		      : "DIFFERENT");
	return !same;
}

static int check_past_end(struct blkfront *disk, const struct blkfront_info *i)
{
	/* Starts on the last sector, ends one sector beyond it. */
	int rc = blkfront_read(disk, last_sector(i), back, 2 * i->sector_size);

	printf("blkedge: read past the end: %s\n", rc == -ERANGE ? "refused (ERANGE)" : "ACCEPTED");
	return rc != -ERANGE;
}

/* ---- 4: requests in flight while the backend leaves ----------------------------- */

static struct {
	struct blk_request req[DEPTH];
	uint8_t buf[DEPTH][MAX_SECTOR];
	unsigned int done, failed;
	struct wait_queue wq;
} load;

static void load_done(struct blk_request *req, int status)
{
	if (status)
		load.failed++;
	load.done++;
	wait_queue_wake_all(&load.wq);
}

/* Keep DEPTH reads in flight until one fails; true if the disk failed them (-EIO). */
static bool read_until_detached(struct blkfront *disk, const struct blkfront_info *i)
{
	unsigned int submitted = 0;
	int rc = 0;

	wait_queue_init(&load.wq);
	for (unsigned int k = 0; k < DEPTH; k++)
		load.req[k] = (struct blk_request){.op = BLK_READ,
						   .buf = load.buf[k],
						   .len = i->sector_size,
						   .done = load_done};
	printf("blkedge: reading until the disk goes away\n");
	console_flush(); /* dom0 detaches the disk when it sees the line */
	for (;;) {
		struct blk_request *r = &load.req[submitted % DEPTH];

		if (submitted >= DEPTH)
			wait_event(&load.wq, load.done > submitted - DEPTH || load.failed);
		if (load.failed)
			break;
		r->sector = (submitted % i->sectors) * (i->sector_size / SECTOR);
		rc = blkfront_submit(disk, r);
		if (rc)
			break;
		submitted++;
	}
	/* Whatever was in flight is answered or failed: none is left hanging. */
	wait_event(&load.wq, load.done == submitted);
	printf("blkedge: %u reads, %u failed, then submit said %s\n", submitted, load.failed,
	       strerror_name(rc));
	return rc == -EIO;
}

/* ---- 5: main returns while another thread closes a disk ------------------------ */

static bool spare_closed;

static int close_spare(void *spare)
{
	blkfront_close(spare);
	spare_closed = true;
	printf("blkedge: xvdb closed\n");
	return 0;
}

/* Our state node for the disk, as the backend sees it; -1 if it cannot be read. */
static int front_state(const char *node)
{
	char *value;
	int state;

	if (xs_read(XS_NO_TRANSACTION, node, &value))
		return -1;
	state = (int)strtol(value, NULL, 10);
	free(value);
	return state;
}

static int return_while_closing(struct blkfront *spare)
{
	const char *node = "device/vbd/51728/state";
	struct thread *t = thread_create("closer", close_spare, spare);
	int state = -1;

	if (!t || thread_detach(t)) {
		printf("blkedge: cannot start the closer\n");
		return 1;
	}
	/* Each read waits for xenstored, so the closer and the device's thread run. */
	for (int k = 0; k < 1000 && !spare_closed && (state = front_state(node)) != 5; k++)
		;
	if (state != 5 || spare_closed) { /* 5: XenbusStateClosing */
		printf("blkedge: xvdb was not caught closing (state %d%s)\n", state,
		       spare_closed ? ", closed already" : "");
		return 1;
	}
	printf("blkedge: returning from main while xvdb is Closing\n");
	return 0;
}

int main(void)
{
	struct blkfront *disk, *spare;
	const struct blkfront_info *i;
	int failures = 0;

	if (open_disk(0, &disk) || open_disk(1, &spare))
		return 1;
	i = blkfront_info(disk);
	printf("blkedge: %s: %llu sectors of %u B, ring %u page(s)\n", i->name,
	       (unsigned long long)i->sectors, i->sector_size, i->ring_pages);
	failures += write_last(disk, i);
	failures += read_last(disk, i, "before reopening");
	failures += check_past_end(disk, i);

	blkfront_close(disk);
	printf("blkedge: closed\n");
	if (open_disk(0, &disk))
		return 1;
	printf("blkedge: reopened\n");
	i = blkfront_info(disk);
	failures += read_last(disk, i, "after reopening");
	if (failures) {
		printf("blkedge: FAILED\n");
		return 1;
	}
	if (!read_until_detached(disk, i))
		return 1;
	return return_while_closing(spare);
}
