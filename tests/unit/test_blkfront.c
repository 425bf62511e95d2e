/*
 * blkfront against a hostile or broken backend, on the host. drivers/blkfront.c is
 * built into this file (its static functions are what is tested) against stubs of
 * everything below it:
 *
 *  - xenstore and xenbus: a backend that goes through the handshake, with the disk's
 *    nodes a test sets;
 *  - grants: a table that remembers each granted page and can refuse to end a grant, as
 *    Xen does while the backend maps it; ending a grant twice is counted;
 *  - pages: the host's allocator, each page tracked; freeing a page that is still
 *    granted fails the test;
 *  - events, threads, wait queues: one thread. A wait is ended only by the backend
 *    doing something (while_waiting); a wait nothing can end fails the test, and a
 *    timed wait nothing can end lets the clock run to its deadline.
 *
 * On the other end of the shared ring, a fake blkback (BACK_RING over the same pages)
 * reads requests, moves data between a disk image and the granted pages, and writes
 * responses, good ones or not.
 *
 * The driver uses the host's libc here (not Skiff's), so AddressSanitizer sees its heap.
 */
#include "drivers/blkfront.c"
#include "xenbus/event_throttle.c"
#include "xenbus/frontend.c"
#include "xenbus/xenbus.c"
#include "xen/xs_wire.c"
#include "libc/strerror.c"

#include <sanitizer/asan_interface.h>
#include <setjmp.h>
#include <cmocka.h>

#define VDEV	     51712 /* xvda */
#define FRONT	     "device/vbd/51712"
#define BACK	     "/local/domain/0/backend/vbd/1/51712"
#define BACKEND_ID   0
#define PORT	     7
#define FIRST_REF    8
#define MAX_REFS     2048
#define MAX_PAGES    512
#define DISK_SECTORS 2048 /* 1 MiB disk image */

static struct blkfront *dev;

#include "fake_guest.h"

void *gnttab_alloc_pages(domid_t domid, unsigned int n, bool readonly, grant_ref_t *refs)
{
	char *p = page_alloc(n);

	memset(p, 0, n * PAGE_SIZE);
	for (unsigned int i = 0; i < n; i++)
		if (gnttab_grant_page(domid, p + i * PAGE_SIZE, readonly, &refs[i]))
			fail_msg("out of grant references");
	return p;
}

void gnttab_free_pages(void *pages, unsigned int n, const grant_ref_t *refs)
{
	bool ended = true;

	for (unsigned int i = 0; i < n; i++)
		if (gnttab_end_access(refs[i]))
			ended = false;
	if (ended) /* else leaked, as xen/gnttab.c does */
		page_free(pages, n);
}

#include "fake_threads.h"
#include "fake_xenstore.h"

/* ---- the fake blkback: its half of the handshake ------------------------------------ */

static bool ring_mapped;
static grant_ref_t mapped_refs[4];
static unsigned int nr_mapped;

/* What blkback does when we are Initialised: read our nodes, map the ring. */
static void backend_map_ring(void)
{
	unsigned int order =
		front_node("ring-page-order") ? (unsigned int)front_uint("ring-page-order") : 0;

	assert_true(order <= 2);
	assert_int_equal(front_uint("event-channel"), PORT);
	nr_mapped = 1u << order;
	for (unsigned int i = 0; i < nr_mapped; i++) {
		char name[16];

		if (order)
			snprintf(name, sizeof(name), "ring-ref%u", i);
		else
			strlcpy(name, "ring-ref", sizeof(name));
		mapped_refs[i] = (grant_ref_t)front_uint(name);
		granted(mapped_refs[i])->busy = -1; /* mapped: cannot end until unmapped */
	}
	ring_mapped = true;
}

/* blkback maps the ring once we are Initialised and answers Connected; it unmaps the
 * ring at our Closed; a new frontend (our Initialising) finds it in InitWait again. */
static void backend_follows(int front_state)
{
	int state = backend_state();

	switch (front_state) {
	case XenbusStateInitialising:
		if (state == XenbusStateClosed)
			set_backend_state(XenbusStateInitWait);
		break;
	case XenbusStateInitialised:
		if (state == XenbusStateInitWait) {
			backend_map_ring();
			set_backend_state(XenbusStateConnected);
		}
		break;
	case XenbusStateClosing:
		if (state != XenbusStateClosed)
			set_backend_state(XenbusStateClosing);
		break;
	case XenbusStateClosed:
		for (unsigned int i = 0; ring_mapped && i < nr_mapped; i++)
			grants[mapped_refs[i]].busy = 0;
		ring_mapped = false;
		set_backend_state(XenbusStateClosed);
		break;
	}
}

/* ---- the fake blkback: the ring ------------------------------------------------------ */

static blkif_back_ring_t back;
static uint8_t disk[DISK_SECTORS * SECTOR];

static void attach_backend(void)
{
	BACK_RING_INIT(&back, dev->ring.sring, dev->info.ring_pages * PAGE_SIZE);
}

/* Copy the next request off the ring, as blkback does; false if there is none. */
static bool next_request(struct blkif_request *r)
{
	int more;

	RING_FINAL_CHECK_FOR_REQUESTS(&back, more);
	if (!more)
		return false;
	memcpy(r, RING_GET_REQUEST(&back, back.req_cons), sizeof(*r));
	back.req_cons++;
	return true;
}

static struct blkif_request take_request(void)
{
	struct blkif_request r;

	if (!next_request(&r))
		fail_msg("no request on the ring");
	return r;
}

/* Move a read's or write's data between the disk image and the granted pages. */
static void perform(const struct blkif_request *r)
{
	uint64_t sector = r->sector_number;

	for (unsigned int i = 0; i < r->nr_segments; i++) {
		const struct blkif_request_segment *seg = &r->seg[i];
		struct grant *g = granted(seg->gref);
		size_t off = seg->first_sect * SECTOR;
		size_t n = (seg->last_sect - seg->first_sect + 1u) * SECTOR;

		assert_true(seg->first_sect <= seg->last_sect && seg->last_sect < 8);
		assert_true((sector + n / SECTOR) * SECTOR <= sizeof(disk));
		if (r->operation == BLKIF_OP_READ) {
			assert_false(g->readonly);
			memcpy(g->va + off, disk + sector * SECTOR, n);
		} else {
			assert_int_equal(r->operation, BLKIF_OP_WRITE);
			memcpy(disk + sector * SECTOR, g->va + off, n);
		}
		sector += n / SECTOR;
	}
}

/* Put a response on the ring (any id, operation, status) and publish it. */
static void respond(uint64_t id, uint8_t op, int16_t status)
{
	struct blkif_response *rsp = RING_GET_RESPONSE(&back, back.rsp_prod_pvt);
	int notify;

	rsp->id = id;
	rsp->operation = op;
	rsp->status = status;
	back.rsp_prod_pvt++;
	RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&back, notify);
	(void)notify;
}

/* The event arrives: the handler wakes the disk's thread, which handles responses. */
static void run_disk_thread(void)
{
	struct thread *was = current;

	assert_non_null(bound_handler);
	bound_handler(PORT, bound_arg);
	assert_true(dev->fe.event_pending);
	run_device_thread(); /* callbacks run in the disk's thread */
	current = was;
}

/* A correct backend: serve every queued request, then signal. */
static bool backend_serves(void)
{
	struct blkif_request r;
	bool any = false;

	while (next_request(&r)) {
		if (r.operation == BLKIF_OP_READ || r.operation == BLKIF_OP_WRITE)
			perform(&r);
		respond(r.id, r.operation, BLKIF_RSP_OKAY);
		any = true;
	}
	if (any)
		run_disk_thread();
	return any;
}

/* ---- requests and buffers of the tests -------------------------------------------- */

struct done_log {
	unsigned int calls;
	int status;
};

/* Static, not on a test's stack: a request may complete in the teardown's close. */
static struct blk_request reqs[64];
static struct done_log done_logs[64];
static unsigned int nr_reqs;
static void *buffers[16];
static unsigned int nr_buffers;

static void record_done(struct blk_request *req, int status)
{
	struct done_log *d = req->arg;

	d->calls++;
	d->status = status;
}

static struct blk_request *new_request(enum blk_op op, uint64_t sector, void *buf, size_t len)
{
	assert_true(nr_reqs < 64);
	reqs[nr_reqs] = (struct blk_request){.op = op,
					     .sector = sector,
					     .buf = buf,
					     .len = len,
					     .done = record_done,
					     .arg = &done_logs[nr_reqs]};
	return &reqs[nr_reqs++];
}

static struct done_log *done_of(const struct blk_request *req)
{
	return req->arg;
}

/* A caller's buffer at an odd address, exactly len bytes (ASan guards both ends). */
static char *new_buffer(size_t len, int fill)
{
	char *base = malloc(len + 1);

	assert_non_null(base);
	assert_true(nr_buffers < 16);
	buffers[nr_buffers++] = base;
	memset(base, fill, len + 1);
	return base + 1;
}

static bool all_bytes(const char *p, int value, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((uint8_t)p[i] != (uint8_t)value)
			return false;
	return true;
}

/* Submit a read of len bytes at sector into a fresh buffer; take it off the ring. */
static struct blk_request *submit_read(uint64_t sector, size_t len, struct blkif_request *r)
{
	struct blk_request *req = new_request(BLK_READ, sector, new_buffer(len, 0x11), len);

	assert_int_equal(blkfront_submit(dev, req), 0);
	*r = take_request();
	return req;
}

/* ---- fixtures --------------------------------------------------------------------- */

static void reset_stubs(void)
{
	for (unsigned int i = 0; i < MAX_PAGES; i++)
		free(live[i].p); /* pages a test leaked on purpose */
	memset(live, 0, sizeof(live));
	page_allocs = 0;
	memset(grants, 0, sizeof(grants));
	next_ref = FIRST_REF;
	double_ends = 0;
	loglen = 0;
	logbuf[0] = '\0';
	bound_handler = NULL;
	bound_arg = NULL;
	masks = notifies = port_closes = unmasks = sleeps = 0;
	masked_port = 0;
	on_notify = NULL;
	reset_threads();
	reset_xenstore();
	set_node(FRONT "/backend", BACK);
	set_node(FRONT "/backend-id", "0");
	set_node(FRONT "/state", "1"); /* the toolstack made us Initialising */
	set_backend("state", "2");     /* InitWait */
	set_backend("sectors", "2048");
	set_backend("sector-size", "512");
	set_backend("mode", "w");
	set_backend("dev", "xvda");
	ring_mapped = false;
	nr_mapped = 0;
	memset(reqs, 0, sizeof(reqs));
	memset(done_logs, 0, sizeof(done_logs));
	nr_reqs = 0;
	nr_buffers = 0;
	for (size_t i = 0; i < sizeof(disk); i++)
		disk[i] = (uint8_t)(i * 7 + i / PAGE_SIZE);
	open_list = NULL;
	hook_registered = false;
	dev = NULL;
}

static int stubs_only(void **state)
{
	reset_stubs();
	return 0;
}

/* Open disk 0: NULL if refused. */
static struct blkfront *open0(void)
{
	struct blkfront *d = (struct blkfront *)&main_token;
	int rc = blkfront_open(0, &d);

	if (rc) {
		assert_true(rc < 0);
		assert_null(d);
		return NULL;
	}
	assert_non_null(d);
	return d;
}

static int open_disk(void **state)
{
	reset_stubs();
	dev = open0();
	if (!dev)
		return -1;
	attach_backend();
	return 0;
}

/*
 * Close the disk if the test did not, then check what is left: no grant was ended
 * twice, and the only pages still allocated are the ones the backend still maps.
 */
static int close_disk(void **state)
{
	if (dev)
		blkfront_close(dev);
	dev = NULL;
	for (unsigned int i = 0; i < nr_buffers; i++)
		free(buffers[i]);
	nr_buffers = 0;
	assert_int_equal(double_ends, 0);
	for (unsigned int i = 0; i < MAX_PAGES; i++)
		if (live[i].p && !page_is_granted(live[i].p, live[i].n))
			fail_msg("page %p neither freed nor still mapped by the backend",
				 live[i].p);
	assert_null(open_list);
	return 0;
}

/* ---- good answers ------------------------------------------------------------------ */

static void read_answer_is_copied_to_the_callers_buffer(void **state)
{
	size_t len = 2 * PAGE_SIZE + 3 * SECTOR; /* three segments, the last one partial */
	struct blk_request *req = new_request(BLK_READ, 24, new_buffer(len, 0x11), len);
	struct blkif_request r;

	assert_int_equal(blkfront_submit(dev, req), 0);
	assert_int_equal(notifies, 1);
	assert_int_equal(dev->in_flight, 1);

	r = take_request();
	assert_int_equal(r.operation, BLKIF_OP_READ);
	assert_int_equal(r.nr_segments, 3);
	assert_int_equal(r.handle, VDEV);
	assert_int_equal(r.sector_number, 24);
	assert_true(r.id < dev->nslots);
	assert_ptr_equal(dev->slots[r.id].req, req);
	for (unsigned int i = 0; i < 3; i++) {
		assert_int_equal(r.seg[i].first_sect, 0);
		assert_int_equal(r.seg[i].last_sect, i < 2 ? 7 : 2);
		assert_false(granted(r.seg[i].gref)->readonly); /* the backend writes a read */
		assert_ptr_equal(grants[r.seg[i].gref].va, dev->slots[r.id].pages[i]);
	}
	assert_int_not_equal(r.seg[0].gref, r.seg[1].gref);

	perform(&r);
	assert_true(all_bytes(req->buf, 0x11, len)); /* nothing reaches the caller early */
	respond(r.id, BLKIF_OP_READ, BLKIF_RSP_OKAY);
	run_disk_thread();

	assert_int_equal(done_of(req)->calls, 1);
	assert_int_equal(done_of(req)->status, 0);
	assert_memory_equal(req->buf, disk + 24 * SECTOR, len);
	assert_false(dev->fe.broken);
	assert_int_equal(dev->in_flight, 0);
	assert_null(dev->slots[r.id].req);
	for (unsigned int i = 0; i < 3; i++)
		assert_false(grants[r.seg[i].gref].active);
	assert_int_equal(dev->ring.rsp_cons, 1);
	assert_int_equal(loglen, 0);
}

static const char *pushed_data;
static size_t pushed_len;
static unsigned int pushed_checks;

/* At the notify, the newest request on the ring must already show the caller's data. */
static void check_pushed_write(void)
{
	const struct blkif_request *r = RING_GET_REQUEST(&dev->ring, dev->ring.sring->req_prod - 1);
	size_t done = 0;

	assert_int_equal(dev->ring.sring->req_prod, dev->ring.req_prod_pvt);
	for (unsigned int i = 0; i < r->nr_segments; i++) {
		size_t n = (r->seg[i].last_sect - r->seg[i].first_sect + 1u) * SECTOR;
		struct grant *g = granted(r->seg[i].gref);

		assert_true(g->readonly); /* the backend only reads a write */
		assert_memory_equal(g->va, pushed_data + done, n);
		done += n;
	}
	assert_int_equal(done, pushed_len);
	pushed_checks++;
}

static void write_data_is_in_the_granted_pages_when_pushed(void **state)
{
	size_t len = PAGE_SIZE + 2 * SECTOR;
	char *buf = new_buffer(len, 0);
	char *expect = new_buffer(len, 0);
	struct blk_request *req = new_request(BLK_WRITE, 40, buf, len);
	struct blkif_request r;

	for (size_t i = 0; i < len; i++)
		buf[i] = expect[i] = (char)(i * 13 + 5);
	pushed_data = expect;
	pushed_len = len;
	pushed_checks = 0;
	on_notify = check_pushed_write;

	assert_int_equal(blkfront_submit(dev, req), 0);
	assert_int_equal(pushed_checks, 1);
	memset(buf, 0xee, len); /* the caller may reuse its buffer: the pages are copies */

	r = take_request();
	assert_int_equal(r.operation, BLKIF_OP_WRITE);
	assert_int_equal(r.nr_segments, 2);
	assert_int_equal(r.handle, VDEV);
	assert_int_equal(r.sector_number, 40);
	assert_true(r.id < dev->nslots);
	assert_ptr_equal(dev->slots[r.id].req, req);
	assert_int_equal(r.seg[0].first_sect, 0);
	assert_int_equal(r.seg[0].last_sect, 7);
	assert_int_equal(r.seg[1].first_sect, 0);
	assert_int_equal(r.seg[1].last_sect, 1);
	assert_memory_equal(granted(r.seg[0].gref)->va, expect, PAGE_SIZE);
	assert_memory_equal(granted(r.seg[1].gref)->va, expect + PAGE_SIZE, 2 * SECTOR);

	perform(&r);
	respond(r.id, BLKIF_OP_WRITE, BLKIF_RSP_OKAY);
	run_disk_thread();
	assert_int_equal(done_of(req)->calls, 1);
	assert_int_equal(done_of(req)->status, 0);
	assert_memory_equal(disk + 40 * SECTOR, expect, len);
	assert_false(dev->fe.broken);
	assert_int_equal(active_grants(), 1); /* the ring's */
}

/* Bounce pages are kept: the second request reuses them, and its ids come back. */
static void answered_slots_and_pages_are_reused(void **state)
{
	struct blkif_request r1, r2;
	struct blk_request *a = submit_read(0, PAGE_SIZE, &r1);
	unsigned int allocs;

	perform(&r1);
	respond(r1.id, BLKIF_OP_READ, BLKIF_RSP_OKAY);
	run_disk_thread();
	allocs = page_allocs;

	struct blk_request *b = submit_read(8, PAGE_SIZE, &r2);
	assert_int_equal(page_allocs, allocs);
	assert_int_equal(r2.id, r1.id);
	perform(&r2);
	respond(r2.id, BLKIF_OP_READ, BLKIF_RSP_OKAY);
	run_disk_thread();
	assert_int_equal(done_of(a)->status, 0);
	assert_int_equal(done_of(b)->status, 0);
	assert_memory_equal(b->buf, disk + 8 * SECTOR, PAGE_SIZE);
	assert_false(dev->fe.broken);
}

/* ---- bad answers -------------------------------------------------------------------- */

/* What every violation must leave: broken, masked, all failed, grants ended, no copy. */
static void assert_broken(struct blk_request **failed, unsigned int n)
{
	assert_true(dev->fe.broken);
	assert_int_equal(masks, 1);
	assert_int_equal(masked_port, PORT);
	assert_int_equal(dev->in_flight, 0);
	for (unsigned int i = 0; i < n; i++) {
		assert_int_equal(done_of(failed[i])->calls, 1);
		assert_int_equal(done_of(failed[i])->status, -EIO);
		assert_true(all_bytes(failed[i]->buf, 0x11, failed[i]->len));
	}
	assert_logged("device disabled");
}

static void response_id_out_of_range_breaks_the_disk(void **state)
{
	struct blkif_request ra, rb;
	struct blk_request *a = submit_read(0, SECTOR, &ra);
	struct blk_request *b = submit_read(8, PAGE_SIZE, &rb);

	perform(&ra);
	perform(&rb);
	respond(dev->nslots, BLKIF_OP_READ, BLKIF_RSP_OKAY);
	run_disk_thread();

	assert_broken((struct blk_request *[]){a, b}, 2);
	assert_logged("blkfront xvda: response for id 32, which is not in flight");
	assert_logged("2 request(s) failed");
	assert_int_equal(active_grants(), 1);
}

/* An id that a cast to 32 or 16 bits would turn into the slot of a request in flight. */
static void response_id_with_high_bits_breaks_the_disk(void **state)
{
	struct blkif_request r;
	struct blk_request *a = submit_read(0, SECTOR, &r);

	perform(&r);
	respond(r.id | 1ull << 32 | 1ull << 16, BLKIF_OP_READ, BLKIF_RSP_OKAY);
	run_disk_thread();
	assert_broken((struct blk_request *[]){a}, 1);
	assert_logged("not in flight");
}

static void response_for_a_completed_request_breaks_the_disk(void **state)
{
	struct blkif_request ra, rb;
	struct blk_request *a = submit_read(0, SECTOR, &ra);
	struct blk_request *b = submit_read(8, SECTOR, &rb);

	perform(&ra);
	respond(ra.id, BLKIF_OP_READ, BLKIF_RSP_OKAY);
	respond(ra.id, BLKIF_OP_READ, BLKIF_RSP_OKAY); /* again: b is still in flight */
	run_disk_thread();

	assert_int_equal(done_of(a)->calls, 1);
	assert_int_equal(done_of(a)->status, 0);
	assert_memory_equal(a->buf, disk, SECTOR);
	assert_broken((struct blk_request *[]){b}, 1);
	assert_logged("not in flight");
	assert_int_equal(dev->ring.rsp_cons, 2);
}

static void response_for_a_slot_never_used_breaks_the_disk(void **state)
{
	struct blkif_request r;
	struct blk_request *a = submit_read(0, SECTOR, &r);

	assert_null(dev->slots[r.id + 1].req);
	respond(r.id + 1, BLKIF_OP_READ, BLKIF_RSP_OKAY);
	run_disk_thread();
	assert_broken((struct blk_request *[]){a}, 1);
	assert_logged("not in flight");
}

static void response_with_another_operation_breaks_the_disk(void **state)
{
	struct blkif_request r;
	struct blk_request *a = submit_read(0, PAGE_SIZE, &r);

	perform(&r);
	respond(r.id, BLKIF_OP_WRITE, BLKIF_RSP_OKAY);
	run_disk_thread();
	assert_broken((struct blk_request *[]){a}, 1);
	assert_logged("has operation 1, request had 0");
}

static void unknown_status_breaks_the_disk(void **state)
{
	struct blkif_request r;
	struct blk_request *a = submit_read(0, PAGE_SIZE, &r);

	perform(&r);
	respond(r.id, BLKIF_OP_READ, 7);
	run_disk_thread();
	assert_broken((struct blk_request *[]){a}, 1);
	assert_logged("has unknown status 7");
}

static void error_status_fails_only_that_request(void **state)
{
	struct blkif_request r;
	struct blk_request *a = submit_read(0, PAGE_SIZE, &r);

	perform(&r); /* data in the page, but the backend says it failed */
	respond(r.id, BLKIF_OP_READ, BLKIF_RSP_ERROR);
	run_disk_thread();
	assert_int_equal(done_of(a)->calls, 1);
	assert_int_equal(done_of(a)->status, -EIO);
	assert_true(all_bytes(a->buf, 0x11, PAGE_SIZE));
	assert_false(dev->fe.broken);
	assert_int_equal(masks, 0);
	assert_int_equal(loglen, 0);
	assert_int_equal(active_grants(), 1);

	/* the disk still works */
	struct blk_request *b = submit_read(8, SECTOR, &r);
	perform(&r);
	respond(r.id, BLKIF_OP_READ, BLKIF_RSP_OKAY);
	run_disk_thread();
	assert_int_equal(done_of(b)->status, 0);
	assert_memory_equal(b->buf, disk + 8 * SECTOR, SECTOR);
}

static void eopnotsupp_status_is_passed_on(void **state)
{
	struct blk_request *flush = new_request(BLK_FLUSH, 0, NULL, 0);
	struct blkif_request r;

	dev->info.flush = true;
	assert_int_equal(blkfront_submit(dev, flush), 0);
	r = take_request();
	assert_int_equal(r.operation, BLKIF_OP_FLUSH_DISKCACHE);
	assert_int_equal(r.nr_segments, 0);
	respond(r.id, BLKIF_OP_FLUSH_DISKCACHE, BLKIF_RSP_EOPNOTSUPP);
	run_disk_thread();
	assert_int_equal(done_of(flush)->calls, 1);
	assert_int_equal(done_of(flush)->status, -EOPNOTSUPP);

	struct blk_request *a = submit_read(0, SECTOR, &r);
	perform(&r);
	respond(r.id, BLKIF_OP_READ, BLKIF_RSP_EOPNOTSUPP);
	run_disk_thread();
	assert_int_equal(done_of(a)->status, -EOPNOTSUPP);
	assert_true(all_bytes(a->buf, 0x11, SECTOR));
	assert_false(dev->fe.broken);
	assert_int_equal(loglen, 0);
}

/* The producer claims 1000 answers to 2 requests: the two that can be real (both good)
 * complete, then the disk breaks; nothing past them is read. */
static void producer_far_ahead_breaks_the_disk_after_the_real_answers(void **state)
{
	struct blkif_request ra, rb;
	struct blk_request *a = submit_read(0, SECTOR, &ra);
	struct blk_request *b = submit_read(8, SECTOR, &rb);

	perform(&ra);
	perform(&rb);
	for (unsigned int i = 0; i < 2; i++) { /* good answers in the first two slots... */
		struct blkif_response *rsp = RING_GET_RESPONSE(&back, i);

		rsp->id = i ? rb.id : ra.id;
		rsp->operation = BLKIF_OP_READ;
		rsp->status = BLKIF_RSP_OKAY;
	}
	dev->ring.sring->rsp_prod += 1000; /* ...behind a producer 1000 ahead */
	run_disk_thread();

	assert_int_equal(done_of(a)->status, 0);
	assert_int_equal(done_of(b)->status, 0);
	assert_memory_equal(b->buf, disk + 8 * SECTOR, SECTOR);
	assert_true(dev->fe.broken);
	assert_int_equal(masks, 1);
	assert_logged("backend claims 1000 responses, but only 2 requests were outstanding");
	assert_int_equal(dev->ring.rsp_cons, 2);
}

static void producer_one_ahead_breaks_the_disk(void **state)
{
	struct blkif_request ra, rb, rc;
	struct blk_request *a = submit_read(0, SECTOR, &ra);
	struct blk_request *b = submit_read(8, SECTOR, &rb);
	struct blk_request *c;

	respond(ra.id, BLKIF_OP_READ, BLKIF_RSP_OKAY);
	respond(rb.id, BLKIF_OP_READ, BLKIF_RSP_OKAY);
	dev->ring.sring->rsp_prod++;
	run_disk_thread();
	assert_int_equal(done_of(a)->status, 0);
	assert_int_equal(done_of(b)->status, 0);
	assert_true(dev->fe.broken);
	assert_logged("claims 3 responses, but only 2 requests");
	assert_int_equal(dev->ring.rsp_cons, 2);
	c = new_request(BLK_READ, 0, new_buffer(SECTOR, 0x11), SECTOR);
	assert_int_equal(blkfront_submit(dev, c), -EIO);
	(void)rc;
}

static void producer_moving_back_breaks_the_disk(void **state)
{
	struct blkif_request ra, rb;
	struct blk_request *a = submit_read(0, SECTOR, &ra);
	struct blk_request *b = submit_read(8, SECTOR, &rb);

	perform(&ra);
	respond(ra.id, BLKIF_OP_READ, BLKIF_RSP_OKAY);
	run_disk_thread();
	assert_int_equal(done_of(a)->status, 0);
	dev->ring.sring->rsp_prod = 0; /* below what we consumed */
	run_disk_thread();
	/* it claims 2^32 - 1: the one slot that could hold b's answer is stale: not in flight */
	assert_broken((struct blk_request *[]){b}, 1);
	assert_logged("not in flight");
}

/* Xen refuses to end the grant: the backend kept the page mapped after answering. */
static void grant_still_mapped_at_completion_breaks_the_disk(void **state)
{
	struct blkif_request r;
	struct blk_request *a = submit_read(0, PAGE_SIZE, &r);
	struct grant *g = granted(r.seg[0].gref);
	char *page = dev->slots[r.id].pages[0];

	perform(&r);
	g->busy = -1;
	respond(r.id, BLKIF_OP_READ, BLKIF_RSP_OKAY);
	run_disk_thread();

	assert_broken((struct blk_request *[]){a}, 1); /* the caller's buffer is untouched */
	assert_memory_equal(page, disk, PAGE_SIZE);    /* though the page held the data */
	assert_null(dev->slots[r.id].pages[0]);	       /* never reused... */
	assert_non_null(live_run(page));	       /* ...nor freed */
	assert_true(g->active);
	assert_logged("backend still maps page 0 of request");
	assert_logged("page leaked");
	assert_logged("backend answered request");
	assert_logged("but kept its pages mapped");

	blkfront_close(dev); /* the page stays out of use after the close too */
	dev = NULL;
	assert_non_null(live_run(page));
	assert_int_equal(live_pages(), 1);
}

/* ---- a broken disk ------------------------------------------------------------------ */

static void broken_disk_refuses_requests_and_ignores_the_backend(void **state)
{
	struct blkif_request r;
	struct blk_request *a = submit_read(0, SECTOR, &r);
	struct blk_request *late = new_request(BLK_READ, 0, new_buffer(SECTOR, 0x11), SECTOR);
	char *buf = new_buffer(SECTOR, 0x11);
	RING_IDX req_prod;
	size_t logged;

	respond(r.id, BLKIF_OP_WRITE, BLKIF_RSP_OKAY);
	run_disk_thread();
	assert_broken((struct blk_request *[]){a}, 1);
	logged = loglen;
	req_prod = dev->ring.req_prod_pvt;

	assert_int_equal(blkfront_submit(dev, late), -EIO);
	assert_int_equal(done_of(late)->calls, 0);
	assert_int_equal(blkfront_read(dev, 0, buf, SECTOR), -EIO);
	assert_int_equal(blkfront_write(dev, 0, buf, SECTOR), -EIO);
	dev->info.flush = true;
	assert_int_equal(blkfront_flush(dev), -EIO);
	assert_int_equal(dev->ring.req_prod_pvt, req_prod);

	/* more answers, good or bad: not read, not logged */
	respond(r.id, BLKIF_OP_READ, BLKIF_RSP_OKAY);
	respond(999, 9, 9);
	run_disk_thread();
	assert_int_equal(dev->ring.rsp_cons, 1);
	assert_int_equal(loglen, logged);
	assert_int_equal(masks, 1);
	assert_int_equal(done_of(a)->calls, 1);
}

/* ---- requests refused before they reach the ring ----------------------------------- */

static int check(enum blk_op op, uint64_t sector, size_t len)
{
	static char buf[BLK_MAX_REQUEST + SECTOR];
	static struct done_log unused;
	struct blk_request req = {.op = op,
				  .sector = sector,
				  .buf = buf,
				  .len = len,
				  .done = record_done,
				  .arg = &unused};
	int rc = check_request(dev, &req);

	if (rc) { /* and blkfront_submit refuses it with the same error, touching nothing */
		RING_IDX prod = dev->ring.req_prod_pvt;

		assert_int_equal(blkfront_submit(dev, &req), rc);
		assert_int_equal(dev->ring.req_prod_pvt, prod);
		assert_int_equal(unused.calls, 0);
	}
	return rc;
}

static void write_to_read_only_disk_is_refused(void **state)
{
	blkfront_set_read_only(dev, true); /* a writable disk, read-only by our own choice */
	assert_int_equal(check(BLK_WRITE, 0, SECTOR), -EROFS);
	assert_int_equal(check(BLK_READ, 0, SECTOR), 0);
	assert_int_equal(notifies, 0);
	assert_false(dev->info.read_only); /* still the backend's word */
}

/* A disk the backend calls read-only: its writes are refused here until the caller lifts
 * our check; then they reach the backend, whose refusal (blkback's answer to a write on
 * a read-only vbd) comes back as -EIO and leaves the disk working. */
static void read_only_disk_writes_reach_the_backend_once_allowed(void **state)
{
	char *buf = new_buffer(SECTOR, 0x5a);
	struct blk_request *w = new_request(BLK_WRITE, 0, buf, SECTOR);
	struct blkif_request r;

	set_backend("mode", "r");
	dev = open0();
	assert_non_null(dev);
	attach_backend();
	assert_true(dev->info.read_only);
	assert_int_equal(check(BLK_WRITE, 0, SECTOR), -EROFS);
	assert_int_equal(notifies, 0);

	blkfront_set_read_only(dev, false);
	assert_int_equal(blkfront_submit(dev, w), 0);
	r = take_request();
	assert_int_equal(r.operation, BLKIF_OP_WRITE);
	assert_int_equal(r.sector_number, 0);
	respond(r.id, BLKIF_OP_WRITE, BLKIF_RSP_ERROR);
	run_disk_thread();
	assert_int_equal(done_of(w)->calls, 1);
	assert_int_equal(done_of(w)->status, -EIO);
	assert_false(dev->fe.broken);
	assert_true(dev->info.read_only);
	assert_int_equal(active_grants(), 1); /* the ring's */

	blkfront_set_read_only(dev, true);
	assert_int_equal(check(BLK_WRITE, 0, SECTOR), -EROFS);
	assert_int_equal(check(BLK_READ, 0, SECTOR), 0);
}

static void lengths_must_be_whole_sectors(void **state)
{
	assert_int_equal(check(BLK_READ, 0, 100), -EINVAL);
	assert_int_equal(check(BLK_WRITE, 0, SECTOR + 1), -EINVAL);
	assert_int_equal(check(BLK_READ, 0, 0), -EINVAL);
	assert_int_equal(check(BLK_READ, 0, 3 * SECTOR), 0);

	/* a disk of 4 KiB sectors: whole 4 KiB sectors at 4 KiB boundaries */
	dev->info.sector_size = 4096;
	dev->info.sectors = DISK_SECTORS / 8;
	assert_int_equal(check(BLK_READ, 0, SECTOR), -EINVAL);
	assert_int_equal(check(BLK_READ, 4, 4096), -EINVAL);
	assert_int_equal(check(BLK_READ, 8, 4096), 0);
}

static void requests_past_the_end_are_refused(void **state)
{
	assert_int_equal(check(BLK_READ, DISK_SECTORS - 1, SECTOR), 0);
	assert_int_equal(check(BLK_READ, DISK_SECTORS - 1, 2 * SECTOR), -ERANGE);
	assert_int_equal(check(BLK_WRITE, DISK_SECTORS, SECTOR), -ERANGE);
	assert_int_equal(check(BLK_READ, DISK_SECTORS - 88, BLK_MAX_REQUEST), 0);
	assert_int_equal(check(BLK_READ, DISK_SECTORS - 87, BLK_MAX_REQUEST), -ERANGE);
	assert_int_equal(check(BLK_READ, UINT64_MAX, SECTOR), -ERANGE); /* no wrap-around */
	assert_int_equal(check(BLK_READ, UINT64_MAX - 1, 4 * SECTOR), -ERANGE);

	dev->info.sector_size = 4096;
	dev->info.sectors = DISK_SECTORS / 8;
	assert_int_equal(check(BLK_READ, DISK_SECTORS - 8, 4096), 0);
	assert_int_equal(check(BLK_READ, DISK_SECTORS, 4096), -ERANGE);
	assert_int_equal(check(BLK_READ, UINT64_MAX - 7, 4096), -ERANGE);
}

static void requests_over_eleven_pages_are_refused(void **state)
{
	assert_int_equal(check(BLK_READ, 0, BLK_MAX_REQUEST), 0);
	assert_int_equal(check(BLK_READ, 0, BLK_MAX_REQUEST + SECTOR), -EINVAL);
	assert_int_equal(check(BLK_WRITE, 0, BLK_MAX_REQUEST + SECTOR), -EINVAL);
}

static void other_malformed_requests_are_refused(void **state)
{
	struct blk_request req = {.op = BLK_READ, .buf = NULL, .len = SECTOR, .done = record_done};

	assert_int_equal(check_request(dev, &req), -EINVAL); /* no buffer */
	req.buf = logbuf;
	req.done = NULL;
	assert_int_equal(check_request(dev, &req), -EINVAL); /* no callback */
	req.done = record_done;
	req.op = (enum blk_op)7;
	assert_int_equal(check_request(dev, &req), -EINVAL);
}

static void flush_needs_a_feature(void **state)
{
	struct blk_request *f1 = new_request(BLK_FLUSH, 0, NULL, 0);
	struct blk_request *f2 = new_request(BLK_FLUSH, 0, NULL, 0);
	struct blkif_request r;

	assert_int_equal(check(BLK_FLUSH, 0, 0), -EOPNOTSUPP);
	assert_int_equal(blkfront_flush(dev), -EOPNOTSUPP);
	assert_int_equal(notifies, 0);

	dev->info.barrier = true; /* a barrier flushes too */
	assert_int_equal(blkfront_submit(dev, f1), 0);
	r = take_request();
	assert_int_equal(r.operation, BLKIF_OP_WRITE_BARRIER);
	assert_int_equal(r.nr_segments, 0);
	respond(r.id, r.operation, BLKIF_RSP_OKAY);
	run_disk_thread();
	assert_int_equal(done_of(f1)->status, 0);

	dev->info.flush = true; /* preferred when offered */
	assert_int_equal(blkfront_submit(dev, f2), 0);
	r = take_request();
	assert_int_equal(r.operation, BLKIF_OP_FLUSH_DISKCACHE);
	respond(r.id, BLKIF_OP_WRITE_BARRIER, BLKIF_RSP_OKAY); /* answered as the other one */
	run_disk_thread();
	assert_int_equal(done_of(f2)->status, -EIO);
	assert_true(dev->fe.broken);
}

/* ---- a full ring ---------------------------------------------------------------------- */

static void full_ring_waits_but_not_in_a_completion(void **state)
{
	char *buf = new_buffer(SECTOR, 0x11);
	struct blk_request *extra = new_request(BLK_READ, 0, buf, SECTOR);

	assert_int_equal(dev->nslots, 32);
	for (unsigned int i = 0; i < dev->nslots; i++)
		assert_int_equal(blkfront_submit(dev, new_request(BLK_READ, i, buf, SECTOR)), 0);
	assert_int_equal(dev->free_head, NO_SLOT);
	assert_int_equal(dev->in_flight, 32);

	current = dev->fe.thread; /* a completion callback must not wait for itself */
	assert_int_equal(blkfront_submit(dev, extra), -EBUSY);
	current = (struct thread *)&main_token;

	/* another thread waits until the backend answers and slots come free */
	while_waiting = backend_serves;
	assert_int_equal(blkfront_submit(dev, extra), 0);
	for (unsigned int i = 1; i <= dev->nslots; i++)
		assert_int_equal(done_logs[i].status, 0);
	assert_int_equal(dev->in_flight, 1);
	assert_true(backend_serves());
	assert_int_equal(done_of(extra)->calls, 1);
	assert_int_equal(done_of(extra)->status, 0);
	assert_int_equal(RING_FREE_REQUESTS(&dev->ring), 32);
}

/* ---- the synchronous calls ------------------------------------------------------------- */

static void sync_write_and_read_round_trip(void **state)
{
	size_t len = 2 * BLK_MAX_REQUEST + 2 * SECTOR; /* three requests */
	char *data = new_buffer(len, 0), *back_buf = new_buffer(len, 0);

	for (size_t i = 0; i < len; i++)
		data[i] = (char)(i * 31 + 1);
	while_waiting = backend_serves;
	assert_int_equal(blkfront_write(dev, 100, data, len), 0);
	assert_memory_equal(disk + 100 * SECTOR, data, len);
	assert_int_equal(blkfront_read(dev, 100, back_buf, len), 0);
	assert_memory_equal(back_buf, data, len);
	dev->info.flush = true;
	assert_int_equal(blkfront_flush(dev), 0);
	assert_int_equal(dev->ring.req_prod_pvt, 7);
	assert_int_equal(timeouts, 0);
	assert_false(dev->fe.broken);
}

static void unanswered_request_times_out_and_breaks_the_disk(void **state)
{
	char *buf = new_buffer(PAGE_SIZE, 0x11);
	uint64_t start = now_ns;

	assert_int_equal(blkfront_read(dev, 0, buf, PAGE_SIZE), -EIO); /* failed by the break */
	assert_int_equal(now_ns - start, REQUEST_TIMEOUT_NS);
	assert_true(dev->fe.broken);
	assert_int_equal(masks, 1);
	assert_logged("no answer to a request in 30 s");
	assert_int_equal(active_grants(), 1);
	assert_true(all_bytes(buf, 0x11, PAGE_SIZE));

	/* the answer arrives late: ignored */
	respond(0, BLKIF_OP_READ, BLKIF_RSP_OKAY);
	run_disk_thread();
	assert_int_equal(dev->ring.rsp_cons, 0);
}

/* ---- opening and closing ---------------------------------------------------------------- */

static void close_fails_requests_still_in_flight(void **state)
{
	struct blkif_request r;
	struct blk_request *a = submit_read(0, PAGE_SIZE, &r);

	blkfront_close(dev);
	dev = NULL;
	assert_int_equal(done_of(a)->calls, 1);
	assert_int_equal(done_of(a)->status, -EIO);
	assert_int_equal(timeouts, 1);
	assert_logged("request(s) unanswered at close");
	assert_logged("disconnected");
	assert_int_equal(state_value(front_node("state")), XenbusStateClosed);
	assert_int_equal(joins, 1);
	assert_int_equal(port_closes, 1);
	assert_int_equal(unwatches, 1);
	assert_int_equal(active_grants(), 0);
	assert_int_equal(live_pages(), 0);
}

static void open_publishes_a_multi_page_ring(void **state)
{
	char name[16], ref[16];
	struct blkfront *other;

	set_backend("max-ring-page-order", "3"); /* more than we use */
	set_backend("sectors", "256");
	set_backend("sector-size", "4096");
	set_backend("feature-flush-cache", "1");
	set_backend("mode", "r");
	set_backend("dev", "xvdb");
	dev = open0();
	assert_non_null(dev);

	assert_string_equal(dev->info.name, "xvdb");
	assert_int_equal(dev->info.sectors, 256 / 8); /* "sectors" counts 512-byte units */
	assert_int_equal(dev->info.sector_size, 4096);
	assert_int_equal(dev->info.physical_sector_size, 4096);
	assert_true(dev->info.read_only);
	assert_true(dev->info.flush);
	assert_false(dev->info.barrier);
	assert_int_equal(dev->info.ring_pages, 4);
	assert_int_equal(dev->info.max_in_flight, 128);
	assert_int_equal(dev->nslots, 128);
	assert_string_equal(front_node("ring-page-order"), "2");
	assert_null(front_node("ring-ref"));
	for (unsigned int i = 0; i < 4; i++) {
		grant_ref_t g = dev->ring_refs[i];

		snprintf(name, sizeof(name), "ring-ref%u", i);
		snprintf(ref, sizeof(ref), "%u", g);
		assert_string_equal(front_node(name), ref);
		assert_false(granted(g)->readonly);
		assert_ptr_equal(grants[g].va, (char *)dev->ring_mem + i * PAGE_SIZE);
	}
	assert_string_equal(front_node("event-channel"), "7");
	assert_string_equal(front_node("protocol"), "x86_64-abi");
	assert_int_equal(state_value(front_node("state")), XenbusStateConnected);
	assert_ptr_equal(created_fn, frontend_thread);
	assert_ptr_equal(created_arg, &dev->fe);
	assert_ptr_equal(bound_arg, &dev->fe);
	assert_int_equal(shutdown_hooks, 1);
	assert_int_equal(blkfront_open(0, &other), -EBUSY); /* once */
	assert_null(other);
	assert_logged("already open");
	assert_int_equal(blkfront_open(1, &other), -ENODEV);
	assert_null(other);
	assert_logged("no disk 1 (1 found)");
}

static void open_with_a_one_page_ring_writes_ring_ref(void **state)
{
	char ref[16];

	dev = open0();
	assert_non_null(dev);
	snprintf(ref, sizeof(ref), "%u", dev->ring_refs[0]);
	assert_string_equal(front_node("ring-ref"), ref);
	assert_null(front_node("ring-page-order"));
	assert_int_equal(dev->info.ring_pages, 1);
	assert_false(dev->info.read_only);
	assert_false(dev->info.flush);
}

static void open_refuses_bad_sector_sizes(void **state)
{
	static const char *const bad[][2] = {
		{"1000", NULL}, {"256", NULL}, {"0", "512"}, {"8192", NULL}, {"abc", NULL}};

	for (unsigned int i = 0; i < 5; i++) {
		set_backend("sector-size", bad[i][0]);
		set_backend("physical-sector-size", bad[i][1]);
		loglen = 0;
		assert_null(open0());
		assert_logged("not connected");
		assert_int_equal(state_value(front_node("state")), XenbusStateClosed);
		assert_int_equal(active_grants(), 0);
		assert_int_equal(live_pages(), 0);
		assert_null(open_list);
	}
}

/* ---- regressions: bugs these tests found, fixed since ---- */

/*
 * complete() ends a slot's grants, one of them is still mapped, and it calls
 * mark_broken(), which ends the same slot's grants again (the slot still holds its
 * request): grants that had ended are ended a second time. xen/gnttab.c then puts the
 * ref on its free list twice, which links the ref to itself.
 */
static void grant_kept_mapped_ends_the_other_grants_once(void **state)
{
	struct blkif_request r;
	struct blk_request *a = submit_read(0, 2 * PAGE_SIZE, &r);

	perform(&r);
	granted(r.seg[1].gref)->busy = -1;
	respond(r.id, BLKIF_OP_READ, BLKIF_RSP_OKAY);
	run_disk_thread();
	assert_int_equal(done_of(a)->status, -EIO);
	assert_true(dev->fe.broken);
	assert_int_equal(double_ends, 0); /* fails: seg 0's grant was ended twice */
}

static void close_on_completion(struct blk_request *req, int status)
{
	record_done(req, status);
	blkfront_close(dev);
}

/*
 * blkfront_close() from a completion callback (it supports being called from the
 * disk's thread) frees the ring and the slots; handle_responses(), which called the
 * callback, then goes on with RING_FINAL_CHECK_FOR_RESPONSES on the freed ring.
 * AddressSanitizer stops the program here (heap-use-after-free): this test runs last.
 */
static void close_from_a_completion_does_not_touch_the_freed_ring(void **state)
{
	struct blkif_request r;
	struct blk_request *a = submit_read(0, SECTOR, &r);
	struct blkfront *closed = dev;

	a->done = close_on_completion;
	perform(&r);
	respond(r.id, BLKIF_OP_READ, BLKIF_RSP_OKAY);
	run_disk_thread();
	assert_int_equal(done_of(a)->calls, 1);
	assert_int_equal(done_of(a)->status, 0);
	assert_int_equal(live_pages(), 0);
	assert_false(
		dev_alive); /* its thread ended and freed it: ASan sees a leak or a double free */
	assert_true(dev_detached);
	assert_true(__asan_address_is_poisoned(closed)); /* freed, by its thread */
	dev = NULL;
}

/* ---- the lifecycle (xenbus/frontend.c) ------------------------------------------------ */

/* The toolstack removed our directory: a late state write would leave an orphan node. */
static void switch_state_does_not_write_when_our_node_is_gone(void **state)
{
	set_node(FRONT "/state", NULL);
	assert_int_equal(xenbus_switch_state(&dev->fe.xb, XenbusStateClosing), -ENOENT);
	assert_null(front_node("state"));
	set_node(FRONT "/state", "4"); /* back, so that the teardown's close is orderly */
}

static void close_then_reopen_writes_initialising_first_and_connects(void **state)
{
	unsigned int closed_at;

	blkfront_close(dev);
	dev = NULL;
	assert_int_equal(backend_state(), XenbusStateClosed);
	closed_at = nr_front_states;
	dev = open0();
	assert_non_null(dev);
	assert_int_equal(front_states[closed_at], XenbusStateInitialising);
	assert_int_equal(backend_state(), XenbusStateConnected);
	assert_int_equal(state_value(front_node("state")), XenbusStateConnected);
	attach_backend();
	while_waiting = backend_serves;
	char *buf = new_buffer(SECTOR, 0);
	assert_int_equal(blkfront_read(dev, 5, buf, SECTOR), 0);
	assert_memory_equal(buf, disk + 5 * SECTOR, SECTOR);
}

/* The backend left; the disk's thread disconnects and waits for the answer still due.
 * A close meanwhile waits for that disconnect to end, and the disk is freed once. */
static void close_while_the_thread_is_mid_disconnect_waits(void **state)
{
	struct blkif_request r;
	struct blk_request *a = submit_read(0, SECTOR, &r);
	uint64_t start = now_ns;

	set_backend_state(XenbusStateClosing);
	run_device_thread();
	assert_int_equal(dev->fe.state, FRONTEND_CLOSING); /* in the drain, 5 s at most */
	assert_logged("the backend is going away (Closing)");
	blkfront_close(dev);
	dev = NULL;
	assert_false(dev_alive);
	assert_int_equal(now_ns - start, DISCONNECT_TIMEOUT_MS * NSEC_PER_MSEC);
	assert_int_equal(done_of(a)->calls, 1);
	assert_int_equal(done_of(a)->status, -EIO);
	assert_int_equal(times_logged("disconnected"), 1);
	assert_int_equal(joins, 1);
	assert_int_equal(active_grants(), 0);
	assert_int_equal(live_pages(), 0);
	assert_null(front_node("ring-ref"));
	assert_null(front_node("event-channel"));
}

/* An async request nobody answers: the thread's timed wait ends at its deadline. */
static void unanswered_async_request_breaks_the_disk_at_30_s(void **state)
{
	struct blkif_request r;
	struct blk_request *a = submit_read(0, SECTOR, &r);
	uint64_t start = now_ns;

	run_device_thread(); /* it sleeps until the request's deadline */
	assert_int_equal(done_of(a)->calls, 0);
	run_device_thread_at_its_deadline();
	assert_int_equal(now_ns - start, REQUEST_TIMEOUT_NS);
	assert_int_equal(done_of(a)->calls, 1);
	assert_int_equal(done_of(a)->status, -EIO);
	assert_true(dev->fe.broken);
	assert_logged("no answer to a request in 30 s");
}

static void optional_garbage_leaves_the_disk_usable(void **state)
{
	char *buf = new_buffer(SECTOR, 0);

	set_backend("max-ring-page-order", "99");
	set_backend("feature-flush-cache", "yes");
	dev = open0();
	assert_non_null(dev);
	assert_int_equal(dev->info.ring_pages, 4); /* clamped to order 2 */
	assert_false(dev->info.flush);
	assert_int_equal(times_logged("ignoring backend node feature-flush-cache"), 1);
	assert_int_equal(blkfront_flush(dev), -EOPNOTSUPP);
	attach_backend();
	while_waiting = backend_serves;
	assert_int_equal(blkfront_read(dev, 0, buf, SECTOR), 0);
}

static void required_garbage_refuses_and_gives_everything_back(void **state)
{
	static const char *const bad[][2] = {{"sectors", "abc"}, {"sector-size", "0"}};

	for (unsigned int i = 0; i < 2; i++) {
		unsigned int from = nr_front_states;

		clear_log();
		set_backend("sectors", "2048");
		set_backend("sector-size", "512");
		set_backend(bad[i][0], bad[i][1]);
		assert_null(open0());
		assert_int_equal(
			times_logged(i ? "bad sector-size 0" : "cannot read the disk's size"), 1);
		assert_int_equal(active_grants(), 0);
		assert_int_equal(live_pages(), 0);
		assert_null(front_node("ring-ref"));
		assert_null(front_node("event-channel"));
		assert_null(front_node("protocol"));
		assert_int_equal(front_states[nr_front_states - 2], XenbusStateClosing);
		assert_int_equal(front_states[nr_front_states - 1], XenbusStateClosed);
		assert_true(nr_front_states - from >= 4);
		assert_null(open_list);
	}
}

static void disk_of_4096_byte_sectors(void **state)
{
	set_backend("sector-size", "4096"); /* sectors: 2048 units of 512 bytes */
	dev = open0();
	assert_non_null(dev);
	assert_int_equal(dev->info.sectors, DISK_SECTORS / 8);
	assert_int_equal(dev->info.sector_size, 4096);
	assert_int_equal(check(BLK_READ, DISK_SECTORS - 8, 4096), 0); /* the last sector */
	assert_int_equal(check(BLK_READ, DISK_SECTORS, 4096), -ERANGE);
	assert_int_equal(check(BLK_READ, DISK_SECTORS - 8, 2 * 4096), -ERANGE);
	attach_backend();
	while_waiting = backend_serves;
	char *buf = new_buffer(4096, 0);
	assert_int_equal(blkfront_read(dev, DISK_SECTORS - 8, buf, 4096), 0);
	assert_memory_equal(buf, disk + (DISK_SECTORS - 8) * SECTOR, 4096);
}

/* Device numbers to names, as xl's vdev= gives them (docs/misc/vbd-interface.txt). */
static void device_numbers_name_the_disks(void **state)
{
	static const struct {
		unsigned int vdev;
		const char *name;
	} cases[] = {
		{51712, "xvda"},
		{51728, "xvdb"},
		{51713, "xvda1"},
		{(202 << 8) | (15 << 4), "xvdp"},
		{(1u << 28) | (16 << 8), "xvdq"},
		{(1u << 28) | (25 << 8), "xvdz"},
		{(1u << 28) | (26 << 8), "xvdaa"},
		{(1u << 28) | (701 << 8), "xvdzz"},
		{(1u << 28) | (702 << 8), "xvdaaa"},
		{(1u << 28) | (27 << 8) | 3, "xvdab3"},
		{768, "vbd768"},
		{2049, "vbd2049"},
	};
	char buf[16];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		vbd_name(cases[i].vdev, buf, sizeof(buf));
		assert_string_equal(buf, cases[i].name);
	}
	/* the largest disk number of the extended form still fits and ends */
	vbd_name((1u << 28) | (0xfffffu << 8) | 0xff, buf, sizeof(buf));
	assert_true(strlen(buf) > 4 && strlen(buf) < sizeof(buf));
}

#define T(fn)  cmocka_unit_test_setup_teardown(fn, open_disk, close_disk)
#define T0(fn) cmocka_unit_test_setup_teardown(fn, stubs_only, close_disk)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(device_numbers_name_the_disks),
		T(read_answer_is_copied_to_the_callers_buffer),
		T(write_data_is_in_the_granted_pages_when_pushed),
		T(answered_slots_and_pages_are_reused),
		T(response_id_out_of_range_breaks_the_disk),
		T(response_id_with_high_bits_breaks_the_disk),
		T(response_for_a_completed_request_breaks_the_disk),
		T(response_for_a_slot_never_used_breaks_the_disk),
		T(response_with_another_operation_breaks_the_disk),
		T(unknown_status_breaks_the_disk),
		T(error_status_fails_only_that_request),
		T(eopnotsupp_status_is_passed_on),
		T(producer_far_ahead_breaks_the_disk_after_the_real_answers),
		T(producer_one_ahead_breaks_the_disk),
		T(producer_moving_back_breaks_the_disk),
		T(grant_still_mapped_at_completion_breaks_the_disk),
		T(broken_disk_refuses_requests_and_ignores_the_backend),
		T(write_to_read_only_disk_is_refused),
		T0(read_only_disk_writes_reach_the_backend_once_allowed),
		T(lengths_must_be_whole_sectors),
		T(requests_past_the_end_are_refused),
		T(requests_over_eleven_pages_are_refused),
		T(other_malformed_requests_are_refused),
		T(flush_needs_a_feature),
		T(full_ring_waits_but_not_in_a_completion),
		T(sync_write_and_read_round_trip),
		T(unanswered_request_times_out_and_breaks_the_disk),
		T(close_fails_requests_still_in_flight),
		T0(open_publishes_a_multi_page_ring),
		T0(open_with_a_one_page_ring_writes_ring_ref),
		T0(open_refuses_bad_sector_sizes),
		T(grant_kept_mapped_ends_the_other_grants_once),
		T(close_from_a_completion_does_not_touch_the_freed_ring),
		T(switch_state_does_not_write_when_our_node_is_gone),
		T(close_then_reopen_writes_initialising_first_and_connects),
		T(close_while_the_thread_is_mid_disconnect_waits),
		T(unanswered_async_request_breaks_the_disk_at_30_s),
		T0(optional_garbage_leaves_the_disk_usable),
		T0(required_garbage_refuses_and_gives_everything_back),
		T0(disk_of_4096_byte_sectors),
	};

	return cmocka_run_group_tests_name("blkfront", tests, NULL, NULL);
}
