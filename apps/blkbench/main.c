/*
 * blkbench: the disk patterns `make bench` runs, the same ones fio runs in the Linux
 * guest it is compared with (tests/bench/linux-init):
 *
 *   randread-4k-qd1    4 KiB reads at random 4 KiB-aligned places, 1 in flight
 *   randread-4k-qd32   the same, 32 in flight
 *   randwrite-4k-qd1   4 KiB writes at random places, 1 in flight
 *   randwrite-4k-qd32  the same, 32 in flight
 *   read-1m-qd4        1 MiB reads from the start of the disk on, 4 in flight
 *   write-1m-qd4       1 MiB writes, 4 in flight
 *
 * soak=N instead runs one pattern until N requests are done: 4 KiB at random places,
 * 32 in flight, half of them reads and half writes, after a warm-up of 1,000; the
 * memory (skiff_memory_info) after the warm-up and at the end, which must be the same.
 *
 * Each runs for secs=N seconds (extra=, default 3). A request is sent again from its
 * completion callback, as fio's libaio engine does, so the depth stays full. For each
 * pattern one line: IOPS, MB/s, and the latency (submit to completion) at the 50th
 * and 99th percentiles, from a histogram whose buckets are at most 1/32 wide.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <skiff/blkfront.h>
#include <skiff/thread.h>
#include <skiff/time.h>
#include <skiff/memory.h>
#include <skiff/xen.h>

#define MAX_DEPTH 32
#define MAX_BLOCK (1024 * 1024)
#define BUCKETS	  1024

struct pattern {
	const char *name;
	enum blk_op op;
	size_t block;
	unsigned int depth;
	bool random;
};

static const struct pattern patterns[] = {
	{"randread-4k-qd1", BLK_READ, 4096, 1, true},
	{"randread-4k-qd32", BLK_READ, 4096, 32, true},
	{"randwrite-4k-qd1", BLK_WRITE, 4096, 1, true},
	{"randwrite-4k-qd32", BLK_WRITE, 4096, 32, true},
	{"read-1m-qd4", BLK_READ, MAX_BLOCK, 4, false},
	{"write-1m-qd4", BLK_WRITE, MAX_BLOCK, 4, false},
};

/* soak=N: odd slots write, even ones read. */
static const struct pattern soak = {"soak-4k-qd32", BLK_READ, 4096, 32, true};

struct io {
	struct blk_request req;
	uint64_t sent;
};

/* One pattern's run: the disk's thread completes and resubmits, main waits. */
static struct run {
	const struct pattern *p;
	struct blkfront *disk;
	uint64_t blocks; /* in the disk */
	uint64_t next;	 /* the next block of a sequential pattern */
	uint64_t rng;
	uint64_t end_ns, last_ns;
	uint64_t done;
	uint64_t limit, sent; /* limit: stop after this many (0: by time) */
	unsigned int in_flight;
	int error;
	uint32_t hist[BUCKETS];
	struct wait_queue wq;
} run;

static struct io ios[MAX_DEPTH];
static uint8_t buffers[4][MAX_BLOCK]; /* the 1 MiB patterns; 4 KiB ones share buffers[0] */

/* Latency histogram: exact below 64 us, then 32 buckets per power of two. */
static unsigned int bucket_of(uint64_t us)
{
	unsigned int msb = 63 - (unsigned int)__builtin_clzll(us | 1);
	unsigned int g = msb < 5 ? 0 : msb - 5;
	unsigned int b = g * 32 + (unsigned int)(us >> g);

	return b < BUCKETS ? b : BUCKETS - 1;
}

/* The middle of a bucket, in us. */
static uint64_t bucket_value(unsigned int b)
{
	unsigned int g = b < 64 ? 0 : b / 32 - 1;
	uint64_t low = (uint64_t)(b - g * 32) << g;

	return low + ((1ull << g) >> 1);
}

static uint64_t percentile(unsigned int pct)
{
	uint64_t want = (run.done * pct + 99) / 100, seen = 0;

	for (unsigned int b = 0; b < BUCKETS; b++) {
		seen += run.hist[b];
		if (seen >= want && seen)
			return bucket_value(b);
	}
	return 0;
}

static uint64_t next_block(void)
{
	if (!run.p->random)
		return run.next++ % run.blocks;
	run.rng ^= run.rng << 13; /* xorshift64 */
	run.rng ^= run.rng >> 7;
	run.rng ^= run.rng << 17;
	return run.rng % run.blocks;
}

static void io_done(struct blk_request *req, int status);

static int submit_io(struct io *io)
{
	io->req.sector = next_block() * (run.p->block / 512);
	io->sent = monotonic_ns();
	run.sent++;
	return blkfront_submit(run.disk, &io->req);
}

/* In the disk's thread: count it, and send it again until the time is up. */
static void io_done(struct blk_request *req, int status)
{
	struct io *io = req->arg;
	uint64_t now = monotonic_ns();

	if (status && !run.error)
		run.error = status;
	run.done++;
	run.last_ns = now;
	run.hist[bucket_of((now - io->sent) / 1000)]++;
	if ((run.limit ? run.sent < run.limit : now < run.end_ns) && !run.error) {
		int rc = submit_io(io);

		if (rc == 0)
			return;
		run.error = rc;
	}
	if (--run.in_flight == 0)
		wait_queue_wake_all(&run.wq);
}

static int run_pattern(struct blkfront *disk, const struct pattern *p, unsigned int secs,
		       uint64_t limit)
{
	const struct blkfront_info *info = blkfront_info(disk);
	uint64_t start, ns, centi;

	memset(run.hist, 0, sizeof(run.hist));
	run.p = p;
	run.disk = disk;
	run.blocks = info->sectors * info->sector_size / p->block;
	run.next = 0;
	run.rng = 0x9E3779B97F4A7C15ull;
	run.done = 0;
	run.sent = 0;
	run.limit = limit;
	run.error = 0;
	start = monotonic_ns();
	run.end_ns = start + secs * NSEC_PER_SEC;
	run.in_flight = p->depth;
	for (unsigned int i = 0; i < p->depth; i++) {
		ios[i].req = (struct blk_request){.op = p == &soak && i % 2 ? BLK_WRITE : p->op,
						  .buf = buffers[p->block == MAX_BLOCK ? i : 0],
						  .len = p->block,
						  .done = io_done,
						  .arg = &ios[i]};
		int rc = submit_io(&ios[i]);

		if (rc) {
			run.error = rc; /* reported below, with no figures */
			run.in_flight -= p->depth - i;
			break;
		}
	}
	wait_event(&run.wq, run.in_flight == 0);
	if (run.error) {
		printf("blkbench: %s: %s\n", p->name, strerror_name(run.error));
		return 1;
	}
	ns = run.last_ns - start;
	centi = run.done * p->block * 100 * 1000 / ns; /* MB/s, two decimals */
	printf("blkbench: %s: %llu IOPS, %llu.%02llu MB/s, lat p50 %llu us, p99 %llu us "
	       "(%llu requests in %llu ms)\n",
	       p->name, (unsigned long long)(run.done * NSEC_PER_SEC / ns),
	       (unsigned long long)(centi / 100), (unsigned long long)(centi % 100),
	       (unsigned long long)percentile(50), (unsigned long long)percentile(99),
	       (unsigned long long)run.done, (unsigned long long)(ns / NSEC_PER_MSEC));
	return 0;
}

static void memory_line(const char *when, struct skiff_memory_info *m)
{
	skiff_memory_info(m);
	printf("blkbench: memory %s: %lu free pages, %lu kept by malloc, %lu malloc blocks, %u "
	       "grants in use\n",
	       when, m->free_pages, m->malloc_pages, m->malloc_blocks, m->grants_in_use);
}

/* soak=N: the warm-up fills the disk's page pool; from then on nothing may grow. */
static int soak_test(struct blkfront *disk, uint64_t n)
{
	struct skiff_memory_info start, end;
	int failed = run_pattern(disk, &soak, 0, 1000);

	memory_line("after the warm-up", &start);
	failed += run_pattern(disk, &soak, 0, n);
	memory_line("at the end", &end);
	printf("blkbench: soak: memory %s\n", skiff_memory_same(&start, &end) ? "flat" : "GREW");
	return failed;
}

int main(void)
{
	struct skiff_domain_info d;
	struct blkfront *disk;
	unsigned int secs = 3;
	const char *s;
	int failures = 0;

	skiff_domain_info(&d);
	s = d.cmdline ? strstr(d.cmdline, "secs=") : NULL;
	if (s)
		secs = (unsigned int)strtoul(s + 5, NULL, 10);
	wait_queue_init(&run.wq);
	memset(buffers, 0x5a, sizeof(buffers));
	if (blkfront_open(0, &disk)) {
		printf("blkbench: no disk\n");
		return 1;
	}
	printf("blkbench: %s, %u segments a request%s%s, %u s a pattern\n",
	       blkfront_info(disk)->name, blkfront_info(disk)->max_segments,
	       blkfront_info(disk)->indirect ? " (indirect)" : "",
	       blkfront_info(disk)->persistent ? ", persistent grants" : "", secs);
	s = d.cmdline ? strstr(d.cmdline, "soak=") : NULL;
	if (s)
		failures = soak_test(disk, strtoul(s + 5, NULL, 10));
	else
		for (size_t i = 0; i < sizeof(patterns) / sizeof(patterns[0]); i++)
			failures += run_pattern(disk, &patterns[i], secs, 0);
	blkfront_close(disk);
	printf("blkbench: %s\n", failures ? "FAILED" : "done");
	return failures ? 1 : 0;
}
