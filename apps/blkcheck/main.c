/*
 * blkcheck: writes a known pattern over a whole virtual disk, flushes it, reads it
 * back and verifies it, and prints the throughput of each pass. The disk image can
 * then be checked from outside (tests/xen/blkverify.c) against the same pattern.
 *
 * Each 512-byte sector, numbered lba from the start of the disk, holds:
 *   bytes  0..7    "SKIFFBLK"
 *   bytes  8..15   lba, little-endian
 *   bytes 16..23   the seed, little-endian
 *   bytes 24..511  a stream x: x0 = lba * 0x9E3779B97F4A7C15 ^ seed, then for each byte
 *                  x = x * 6364136223846793005 + 1442695040888963407, byte = x >> 56
 * so a sector written at the wrong place, or left over from an earlier run with
 * another seed, is told apart from the right one.
 *
 * Disk 0 is checked. Every other disk is expected to be read-only: a write to it
 * must be refused by the driver and, with the driver's check lifted
 * (blkfront_set_read_only), by the backend; its first sector is printed. The command
 * line (extra=) may give seed=N, and "wait": stay up after the checks until the
 * toolstack asks the domain to stop (`xl shutdown`), which disconnects the disks on
 * the way out.
 *
 * Disk 0 is written in requests of 1 MiB: one ring request each when the backend takes
 * indirect descriptors. If the backend offers discard, the 1 MiB at a quarter of the
 * disk is then discarded and read back; dom0 checks that the image file has a hole
 * there.
 *
 * With "bench" on the command line it only measures: the write pass sends zeros and
 * the read pass checks nothing, so the figures are the driver's and the backend's,
 * not the pattern's (make bench compares them with a Linux guest's).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <skiff/blkfront.h>
#include <skiff/thread.h>
#include <skiff/time.h>
#include <skiff/xen.h>

#define SECTOR	  512
#define DEPTH	  4 /* requests of 1 MiB in flight: what blkfront's page pool holds */
#define CHUNK	  BLK_MAX_REQUEST
#define MAX_SHOWN 5 /* bad sectors printed */

static uint64_t seed = 1;
static bool wait_for_shutdown;
static bool bench; /* measure only: no stamps written, nothing verified */

static void stamp_sector(uint8_t *s, uint64_t lba)
{
	uint64_t x = lba * 0x9E3779B97F4A7C15ull ^ seed;

	memcpy(s, "SKIFFBLK", 8);
	for (int i = 0; i < 8; i++) {
		s[8 + i] = (uint8_t)(lba >> (8 * i));
		s[16 + i] = (uint8_t)(seed >> (8 * i));
	}
	for (int i = 24; i < SECTOR; i++) {
		x = x * 6364136223846793005ull + 1442695040888963407ull;
		s[i] = (uint8_t)(x >> 56);
	}
}

/* One request of the pipeline and its buffer. */
struct io {
	struct blk_request req;
	bool busy;
	uint8_t buf[CHUNK];
};

struct pass {
	struct io io[DEPTH];
	struct wait_queue wq;
	unsigned int busy;
	int error;
	uint64_t bad_sectors;
};

static struct pass pass;

static void verify_chunk(const struct blk_request *req)
{
	uint8_t want[SECTOR];

	for (size_t off = 0; off < req->len; off += SECTOR) {
		uint64_t lba = req->sector + off / SECTOR;

		stamp_sector(want, lba);
		if (memcmp(want, (const uint8_t *)req->buf + off, SECTOR) == 0)
			continue;
		if (pass.bad_sectors++ < MAX_SHOWN)
			printf("blkcheck: sector %llu does not hold its stamp\n",
			       (unsigned long long)lba);
	}
}

/* Runs in the disk's thread when the backend answered. */
static void io_done(struct blk_request *req, int status)
{
	struct io *io = req->arg;

	if (status && !pass.error)
		pass.error = status;
	if (status == 0 && req->op == BLK_READ && !bench)
		verify_chunk(req);
	io->busy = false;
	pass.busy--;
	wait_queue_wake_all(&pass.wq);
}

static struct io *free_io(void)
{
	wait_event(&pass.wq, pass.busy < DEPTH);
	for (int i = 0; i < DEPTH; i++)
		if (!pass.io[i].busy)
			return &pass.io[i];
	return NULL; /* not reached: busy < DEPTH */
}

/* Write (stamping) or read (verifying) the first bytes of the disk, DEPTH requests deep. */
static int run_pass(struct blkfront *disk, enum blk_op op, uint64_t bytes, uint64_t *ns)
{
	uint64_t start = monotonic_ns();

	pass.error = 0;
	for (uint64_t off = 0; off < bytes && !pass.error; off += CHUNK) {
		struct io *io = free_io();
		size_t len = bytes - off < CHUNK ? bytes - off : CHUNK;
		int rc;

		io->req = (struct blk_request){.op = op,
					       .sector = off / SECTOR,
					       .buf = io->buf,
					       .len = len,
					       .done = io_done,
					       .arg = io};
		if (op == BLK_WRITE && !bench)
			for (size_t s = 0; s < len; s += SECTOR)
				stamp_sector(io->buf + s, off / SECTOR + s / SECTOR);
		io->busy = true;
		pass.busy++;
		rc = blkfront_submit(disk, &io->req);
		if (rc) {
			io->busy = false;
			pass.busy--;
			pass.error = rc;
		}
	}
	wait_event(&pass.wq, pass.busy == 0);
	*ns = monotonic_ns() - start;
	return pass.error;
}

static void print_rate(const char *what, uint64_t bytes, uint64_t ns)
{
	/* MB/s (10^6 bytes) with two decimals, in integers: printf has no %f here. */
	uint64_t centi = ns ? bytes * 100 * 1000 / ns : 0; /* bytes/ns * 1e3 = MB/s */

	printf("blkcheck: %s %llu MiB in %llu ms: %llu.%02llu MB/s\n", what,
	       (unsigned long long)(bytes >> 20), (unsigned long long)(ns / NSEC_PER_MSEC),
	       (unsigned long long)(centi / 100), (unsigned long long)(centi % 100));
}

static void describe(const struct blkfront_info *i)
{
	printf("blkcheck: %s: %llu sectors of %u B (%llu MiB), physical %u B, %s%s%s, "
	       "ring %u page(s), %u requests in flight\n",
	       i->name, (unsigned long long)i->sectors, i->sector_size,
	       (unsigned long long)(i->sectors * i->sector_size >> 20), i->physical_sector_size,
	       i->read_only ? "read-only" : "read-write", i->flush ? ", flush" : "",
	       i->barrier ? ", barrier" : "", i->ring_pages, i->max_in_flight);
	printf("blkcheck: %s: %u segments a request%s%s", i->name, i->max_segments,
	       i->indirect ? " (indirect)" : "", i->persistent ? ", persistent grants" : "");
	if (i->discard)
		printf(", discard (granularity %u, alignment %u)", i->discard_granularity,
		       i->discard_alignment);
	printf("\n");
}

/* What went through the ring, and whether the backend keeps our pages mapped. */
static void print_stats(struct blkfront *disk)
{
	struct blkfront_stats st;

	blkfront_stats(disk, &st);
	printf("blkcheck: %s: %llu ring requests (%llu indirect, %llu requests cut); "
	       "%u pages, %u granted, %u mapped by the backend\n",
	       blkfront_info(disk)->name, (unsigned long long)st.ring_requests,
	       (unsigned long long)st.indirect, (unsigned long long)st.cut, st.pages, st.granted,
	       st.mapped);
}

/* Discard the 1 MiB at a quarter of the disk (8 MiB on a 32 MiB one), then read it
 * back: a file-backed disk gives zeros there. A disk under 4 MiB is not tried. */
#define DISCARD_BYTES (1024 * 1024)

static int check_discard(struct blkfront *disk)
{
	static uint8_t buf[DISCARD_BYTES];
	const struct blkfront_info *i = blkfront_info(disk);
	uint64_t bytes = i->sectors * i->sector_size;
	uint64_t at = bytes / 4 / DISCARD_BYTES * DISCARD_BYTES / SECTOR;
	size_t nonzero = 0;
	int rc;

	if (!i->discard || bytes < 4 * DISCARD_BYTES) {
		printf("blkcheck: discard: %s\n",
		       i->discard ? "disk too small to try" : "not offered");
		return 0;
	}
	rc = blkfront_discard(disk, at, DISCARD_BYTES);
	printf("blkcheck: discard of %u bytes at sector %llu: %s\n", DISCARD_BYTES,
	       (unsigned long long)at, rc ? strerror_name(rc) : "ok");
	if (rc)
		return 1;
	rc = blkfront_read(disk, at, buf, DISCARD_BYTES);
	if (rc) {
		printf("blkcheck: read of the discarded range failed: %d\n", rc);
		return 1;
	}
	for (size_t i = 0; i < DISCARD_BYTES; i++)
		nonzero += buf[i] != 0;
	printf("blkcheck: the discarded range reads back with %zu non-zero bytes\n", nonzero);
	return 0;
}

/* Requests the driver must refuse without asking the backend. */
static int check_refusals(struct blkfront *disk, const struct blkfront_info *i)
{
	static uint8_t buf[2 * SECTOR];
	int failures = 0, rc;

	rc = blkfront_read(disk, 0, buf, SECTOR + 1);
	printf("blkcheck: read of 513 bytes: %s\n",
	       rc == -EINVAL ? "refused (EINVAL)" : "ACCEPTED");
	failures += rc != -EINVAL;
	rc = blkfront_read(disk, i->sectors * (i->sector_size / SECTOR) - 1, buf, 2 * SECTOR);
	printf("blkcheck: read past the end: %s\n",
	       rc == -ERANGE ? "refused (ERANGE)" : "ACCEPTED");
	failures += rc != -ERANGE;
	return failures;
}

static int check_disk(struct blkfront *disk)
{
	const struct blkfront_info *i = blkfront_info(disk);
	uint64_t bytes = i->sectors * i->sector_size, ns, flush_start;
	int rc, failures = check_refusals(disk, i);

	printf("blkcheck: %s: writing seed %llu over %llu MiB\n", i->name, (unsigned long long)seed,
	       (unsigned long long)(bytes >> 20));
	rc = run_pass(disk, BLK_WRITE, bytes, &ns);
	if (rc) {
		printf("blkcheck: write pass failed: %d\n", rc);
		return failures + 1;
	}
	flush_start = monotonic_ns();
	rc = blkfront_flush(disk);
	/* A benchmark counts the flush: the data is not written until it is done. */
	if (bench)
		print_rate("write+flush", bytes, ns + monotonic_ns() - flush_start);
	else
		print_rate("write", bytes, ns);
	printf("blkcheck: flush: %s\n", rc == 0		    ? "ok"
					: rc == -EOPNOTSUPP ? "not supported"
							    : "FAILED");
	failures += rc != 0 && rc != -EOPNOTSUPP;

	pass.bad_sectors = 0;
	rc = run_pass(disk, BLK_READ, bytes, &ns);
	if (rc) {
		printf("blkcheck: read pass failed: %d\n", rc);
		return failures + 1;
	}
	print_rate("read", bytes, ns);
	if (bench)
		return failures;
	printf("blkcheck: verified %llu sectors, %llu bad\n", (unsigned long long)(bytes / SECTOR),
	       (unsigned long long)pass.bad_sectors);
	print_stats(disk);
	failures += pass.bad_sectors != 0;
	return failures + check_discard(disk);
}

/*
 * A read-only disk: our own check refuses a write (EROFS); with that check lifted the
 * write goes to the backend, which must refuse it too (EIO); its first sector is then
 * read back. The write would put RO_WRITE over that sector: dom0 checks the image.
 */
#define RO_WRITE "blkcheck wrote this"

static const char *outcome(int rc)
{
	return rc ? strerror_name(rc) : "ACCEPTED";
}

static int check_read_only(struct blkfront *disk)
{
	const struct blkfront_info *i = blkfront_info(disk);
	static uint8_t sector[SECTOR];
	int rc, failures = 0;

	memset(sector, 0, sizeof(sector));
	memcpy(sector, RO_WRITE, sizeof(RO_WRITE));
	rc = blkfront_write(disk, 0, sector, SECTOR);
	printf("blkcheck: write to %s: %s\n", i->name,
	       rc == -EROFS ? "refused, the disk is read-only (EROFS)" : outcome(rc));
	failures += rc != -EROFS;

	blkfront_set_read_only(disk, false);
	rc = blkfront_write(disk, 0, sector, SECTOR);
	blkfront_set_read_only(disk, true);
	printf("blkcheck: write to %s past our own check: %s\n", i->name,
	       rc == -EIO ? "refused by the backend (EIO)" : outcome(rc));
	failures += rc != -EIO;

	rc = blkfront_read(disk, 0, sector, SECTOR);
	if (rc) {
		printf("blkcheck: read of %s failed: %d\n", i->name, rc);
		return failures + 1;
	}
	sector[31] = 0;
	printf("blkcheck: %s sector 0 says \"%s\"\n", i->name, (char *)sector);
	return failures;
}

static void parse_cmdline(void)
{
	struct skiff_domain_info d;
	const char *s;

	skiff_domain_info(&d);
	s = d.cmdline ? strstr(d.cmdline, "seed=") : NULL;
	if (s)
		seed = strtoul(s + 5, NULL, 0);
	wait_for_shutdown = d.cmdline && strstr(d.cmdline, "wait");
	bench = d.cmdline && strstr(d.cmdline, "bench");
}

int main(void)
{
	int n = blkfront_count(), failures = 0;

	parse_cmdline();
	wait_queue_init(&pass.wq);
	printf("blkcheck: %d disk(s)\n", n);
	if (n <= 0)
		return 1;
	for (int d = 0; d < n; d++) {
		struct blkfront *disk;
		int rc = blkfront_open((unsigned int)d, &disk);

		if (rc) {
			printf("blkcheck: disk %d: %s\n", d, strerror_name(rc));
			failures++;
			continue;
		}
		describe(blkfront_info(disk));
		failures += d == 0 ? check_disk(disk) : check_read_only(disk);
	}
	printf("blkcheck: %s\n", failures ? "FAILED" : "all checks passed");
	if (failures)
		return 1;
	if (wait_for_shutdown) {
		printf("blkcheck: waiting for a shutdown request\n");
		for (;;)
			sleep(3600);
	}
	return 0;
}
