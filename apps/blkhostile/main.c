/*
 * blkhostile: a disk whose backend turns hostile (tests/xen/blkfault.c, in dom0), and one
 * served by dom0's blkback beside it. On the hostile disk (xvdb) it keeps 4 writes of
 * 4 KiB in flight, each block stamped with its number, until one fails or all are done;
 * then it reports:
 *   - how many writes were acknowledged (their blocks listed, for dom0 to find them in
 *     the backend's store) and how long the failed ones took to fail after the first;
 *   - how long a new write takes to be refused once the disk has failed;
 *   - how long the close takes;
 * then that the other disk (xvda) still writes and reads back, and the free pages and
 * grant entries, malloc's pages and blocks, before xvdb was opened and after it was
 * closed (they must be equal: everything came back). Then it
 * waits for `xl shutdown`.
 *
 * extra=: "blocks=N" (default 64) writes in all; "at=end" puts them at the end of the
 * disk (a 3 TiB one: sector numbers past 2^32).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <skiff/blkfront.h>
#include <skiff/console.h>
#include <skiff/thread.h>
#include <skiff/time.h>
#include <skiff/memory.h>
#include <skiff/xen.h>

#define BLOCK	   4096
#define DEPTH	   4
#define MAX_BLOCKS 1024

struct write {
	struct blk_request req;
	unsigned int block;
	bool busy; /* submitted, done() not yet called */
	char buf[BLOCK];
};

static struct write writes[DEPTH];
static bool acked[MAX_BLOCKS];
static unsigned int in_flight, nr_acked, nr_failed;
static int first_error;
static uint64_t first_error_ns, last_done_ns;
static struct wait_queue done_wq;

static void stamp(char *buf, unsigned int block)
{
	memset(buf, 0, BLOCK);
	for (unsigned int off = 0; off < BLOCK; off += 64)
		snprintf(buf + off, 64, "SKIFF-HOSTILE block %u at %u", block, off);
}

static void note_error(int rc)
{
	if (!first_error) {
		first_error = rc;
		first_error_ns = monotonic_ns();
	}
}

static void done(struct blk_request *req, int status)
{
	struct write *w = req->arg;

	if (status == 0) {
		acked[w->block] = true;
		nr_acked++;
	} else {
		note_error(status);
		nr_failed++;
	}
	last_done_ns = monotonic_ns();
	w->busy = false;
	in_flight--;
	wait_queue_wake_all(&done_wq);
}

static double ms_since(uint64_t t0)
{
	return (double)(monotonic_ns() - t0) / 1e6;
}

static struct write *free_slot(void)
{
	for (unsigned int i = 0; i < DEPTH; i++)
		if (!writes[i].busy)
			return &writes[i];
	return NULL;
}

/* The acknowledged blocks as ranges ("0-41 43"), for dom0 to check its store. */
static void print_acked(unsigned int blocks, uint64_t base)
{
	printf("blkhostile: acked blocks at sector %llu:", (unsigned long long)base);
	for (unsigned int b = 0; b < blocks; b++) {
		unsigned int e = b;

		if (!acked[b])
			continue;
		while (e + 1 < blocks && acked[e + 1])
			e++;
		if (e > b)
			printf(" %u-%u", b, e);
		else
			printf(" %u", b);
		b = e;
	}
	printf("\n");
}

/* Writes to the hostile disk, DEPTH in flight, until one fails or all are done. */
static void hammer(struct blkfront *disk, unsigned int blocks, uint64_t base)
{
	unsigned int next = 0;
	uint64_t t0;
	int rc;

	wait_queue_init(&done_wq);
	while (next < blocks && !first_error) {
		struct write *w;

		wait_event(&done_wq, in_flight < DEPTH || first_error);
		if (first_error)
			break;
		w = free_slot();
		w->block = next;
		stamp(w->buf, next);
		w->req = (struct blk_request){.op = BLK_WRITE,
					      .sector = base + (uint64_t)next * (BLOCK / 512),
					      .buf = w->buf,
					      .len = BLOCK,
					      .done = done,
					      .arg = w};
		w->busy = true;
		in_flight++;
		rc = blkfront_submit(disk, &w->req);
		if (rc) {
			w->busy = false;
			in_flight--;
			printf("blkhostile: xvdb: write of block %u refused: %s\n", next,
			       strerror_name(rc));
			note_error(rc);
			break;
		}
		next++;
	}
	wait_event(&done_wq, in_flight == 0);
	printf("blkhostile: xvdb: %u write(s) acknowledged, %u failed", nr_acked, nr_failed);
	if (first_error)
		printf(" (first %s; the last done %.1f ms after it)", strerror_name(first_error),
		       (double)(last_done_ns > first_error_ns ? last_done_ns - first_error_ns : 0) /
			       1e6);
	printf("\n");
	print_acked(blocks, base);
	if (!first_error)
		return;
	t0 = monotonic_ns();
	rc = blkfront_write(disk, base, writes[0].buf, BLOCK);
	printf("blkhostile: xvdb: a new write: %s in %.1f ms\n", rc ? strerror_name(rc) : "ok",
	       ms_since(t0));
}

/* dom0's blkback disk, beside the hostile one: a block written and read back. */
static bool other_disk_works(struct blkfront *disk)
{
	static char out[BLOCK], in[BLOCK];

	stamp(out, 999);
	return blkfront_write(disk, 0, out, BLOCK) == 0 && blkfront_read(disk, 0, in, BLOCK) == 0 &&
	       memcmp(in, out, BLOCK) == 0;
}

static int open_named(const char *want, struct blkfront **disk)
{
	char name[16];

	for (int i = 0; i < blkfront_count(); i++)
		if (blkfront_name((unsigned int)i, name, sizeof(name)) == 0 && !strcmp(name, want))
			return blkfront_open((unsigned int)i, disk);
	return -ENODEV;
}

static void print_memory(const char *when, struct skiff_memory_info *m)
{
	skiff_memory_info(m);
	printf("blkhostile: memory %s: %lu free pages of %lu, %lu kept by malloc, %lu malloc "
	       "blocks, %u grants in use, %u pages held by backends\n",
	       when, m->free_pages, m->total_pages, m->malloc_pages, m->malloc_blocks,
	       m->grants_in_use, m->pages_held_by_backends);
}

int main(void)
{
	struct skiff_domain_info d;
	struct skiff_memory_info before, after;
	struct blkfront *hostile, *other;
	unsigned int blocks = 64;
	uint64_t base = 0, t0;
	const char *s;
	int rc;

	skiff_domain_info(&d);
	if (d.cmdline && (s = strstr(d.cmdline, "blocks=")))
		blocks = (unsigned int)strtoul(s + 7, NULL, 10);
	if (blocks == 0 || blocks > MAX_BLOCKS)
		blocks = 64;
	/* xvda first, and used once: what it keeps (its pages, the xenstore client's
	 * threads started by its first watch) is then in both counts. */
	rc = open_named("xvda", &other);
	if (rc) {
		printf("blkhostile: open xvda: %s\n", strerror_name(rc));
		return 1;
	}
	if (!other_disk_works(other))
		printf("blkhostile: xvda FAILED before xvdb was opened\n");
	print_memory("before", &before);
	rc = open_named("xvdb", &hostile);
	if (rc) {
		printf("blkhostile: xvdb refused: %s\n", strerror_name(rc));
	} else {
		const struct blkfront_info *info = blkfront_info(hostile);

		printf("blkhostile: xvdb: %llu sectors of %u bytes\n",
		       (unsigned long long)info->sectors, info->sector_size);
		if (d.cmdline && strstr(d.cmdline, "at=end"))
			base = info->sectors * (info->sector_size / 512) - (uint64_t)blocks * 8;
		hammer(hostile, blocks, base);
		t0 = monotonic_ns();
		blkfront_close(hostile);
		printf("blkhostile: xvdb: closed in %.1f ms\n", ms_since(t0));
	}
	printf("blkhostile: xvda %s\n", other_disk_works(other) ? "still works" : "FAILED");
	print_memory("after", &after);
	printf("blkhostile: memory %s\n",
	       skiff_memory_same(&before, &after) ? "all back" : "NOT all back");
	blkfront_close(other);
	printf("blkhostile: waiting for a shutdown request\n");
	for (;;)
		sleep(3600);
}
