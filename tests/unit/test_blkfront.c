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

#define VDEV	   51712 /* xvda */
#define FRONT	   "device/vbd/51712"
#define BACK	   "/local/domain/0/backend/vbd/1/51712"
#define BACKEND_ID 0
#define PORT	   7
#define FIRST_REF  8
#define MAX_REFS   16384
#define MAX_PAGES  2048
#ifndef DISK_SECTORS
#define DISK_SECTORS 8192 /* 4 MiB disk image; tests/fuzz/fuzz_blkif.c makes it smaller */
#endif
#define DISK_SECTORS_TEXT_(n) #n
#define DISK_SECTORS_TEXT(n)  DISK_SECTORS_TEXT_(n)

static struct blkfront *dev;

/* A request id: the slot in its low half, the slot's use in its high half. */
#define SLOT_OF(id) ((id)&UINT32_MAX)

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
/* With persistent grants (both sides' feature-persistent), blkback maps each data and
 * indirect page the first time it sees it and keeps it until Closed, as Linux's does. */
static bool backend_persistent;
static grant_ref_t kept_refs[MAX_REFS];
static unsigned int nr_kept;

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
	backend_persistent = backend_node("feature-persistent") &&
			     strcmp(backend_node("feature-persistent"), "1") == 0 &&
			     front_node("feature-persistent") &&
			     strcmp(front_node("feature-persistent"), "1") == 0;
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
		for (unsigned int i = 0; i < nr_kept; i++)
			grants[kept_refs[i]].busy = 0;
		nr_kept = 0;
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

/* The backend maps a page a request names (and, with persistent grants, keeps it). */
static struct grant *backend_map(grant_ref_t ref)
{
	struct grant *g = granted(ref);

	if (backend_persistent && g->busy == 0) {
		assert_true(nr_kept < MAX_REFS);
		g->busy = -1;
		kept_refs[nr_kept++] = ref;
	}
	return g;
}

/* Move a read's or write's data between the disk image and the granted pages. */
static void perform_segments(uint8_t op, uint64_t sector, const struct blkif_request_segment *segs,
			     unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		const struct blkif_request_segment *seg = &segs[i];
		struct grant *g = backend_map(seg->gref);
		size_t off = seg->first_sect * SECTOR;
		size_t len = (seg->last_sect - seg->first_sect + 1u) * SECTOR;

		assert_true(seg->first_sect <= seg->last_sect && seg->last_sect < 8);
		assert_true((sector + len / SECTOR) * SECTOR <= sizeof(disk));
		if (op == BLKIF_OP_READ) {
			assert_false(g->readonly);
			memcpy(g->va + off, disk + sector * SECTOR, len);
		} else {
			assert_int_equal(op, BLKIF_OP_WRITE);
			memcpy(disk + sector * SECTOR, g->va + off, len);
		}
		sector += len / SECTOR;
	}
}

/* What blkback does with a request: a direct or indirect read or write, a discard. */
static void perform(const struct blkif_request *r)
{
	const struct blkif_request_indirect *ind = (const void *)r;
	const struct blkif_request_discard *d = (const void *)r;

	switch (r->operation) {
	case BLKIF_OP_INDIRECT:
		assert_true(ind->nr_segments > 0 && ind->nr_segments <= 256);
		perform_segments(ind->indirect_op, ind->sector_number,
				 (const void *)backend_map(ind->indirect_grefs[0])->va,
				 ind->nr_segments);
		break;
	case BLKIF_OP_DISCARD:
		assert_true((d->sector_number + d->nr_sectors) * SECTOR <= sizeof(disk));
		memset(disk + d->sector_number * SECTOR, 0, d->nr_sectors * SECTOR);
		break;
	default:
		perform_segments(r->operation, r->sector_number, r->seg, r->nr_segments);
	}
}

/* The operation blkback's answer names: an indirect request's inner one. */
static uint8_t answer_op(const struct blkif_request *r)
{
	return r->operation == BLKIF_OP_INDIRECT
		       ? ((const struct blkif_request_indirect *)r)->indirect_op
		       : r->operation;
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
		if (r.operation != BLKIF_OP_FLUSH_DISKCACHE &&
		    r.operation != BLKIF_OP_WRITE_BARRIER)
			perform(&r);
		respond(r.id, answer_op(&r), BLKIF_RSP_OKAY);
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

/* The n-th data page of the ring request with this id (the pool chains them). */
static uint16_t slot_page_index(uint64_t id, unsigned int n)
{
	uint16_t i = dev->slots[SLOT_OF(id)].pages;

	while (n-- > 0 && i != NO_PAGE)
		i = dev->pool[i].next;
	return i;
}

static void *slot_page(uint64_t id, unsigned int n)
{
	uint16_t i = slot_page_index(id, n);

	return i == NO_PAGE ? NULL : dev->pool[i].va;
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
	masks = notifies = port_closes = unmasks = sleeps = ports_open = 0;
	notifies_on[0] = notifies_on[1] = 0;
	masked_port = 0;
	on_notify = NULL;
	reset_threads();
	reset_xenstore();
	set_node(FRONT "/backend", BACK);
	set_node(FRONT "/backend-id", "0");
	set_node(FRONT "/state", "1"); /* the toolstack made us Initialising */
	set_backend("state", "2");     /* InitWait */
	set_backend("sectors", DISK_SECTORS_TEXT(DISK_SECTORS));
	set_backend("sector-size", "512");
	set_backend("mode", "w");
	set_backend("dev", "xvda");
	ring_mapped = false;
	nr_mapped = 0;
	backend_persistent = false;
	nr_kept = 0;
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
	assert_true(SLOT_OF(r.id) < dev->nslots);
	assert_int_equal(r.id >> 32, dev->slots[SLOT_OF(r.id)].uses);
	assert_ptr_equal(dev->slots[SLOT_OF(r.id)].req, req);
	for (unsigned int i = 0; i < 3; i++) {
		assert_int_equal(r.seg[i].first_sect, 0);
		assert_int_equal(r.seg[i].last_sect, i < 2 ? 7 : 2);
		assert_false(granted(r.seg[i].gref)->readonly); /* the backend writes a read */
		assert_ptr_equal(grants[r.seg[i].gref].va, slot_page(r.id, i));
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
	assert_null(dev->slots[SLOT_OF(r.id)].req);
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
	assert_true(SLOT_OF(r.id) < dev->nslots);
	assert_int_equal(r.id >> 32, dev->slots[SLOT_OF(r.id)].uses);
	assert_ptr_equal(dev->slots[SLOT_OF(r.id)].req, req);
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
	assert_int_equal(SLOT_OF(r2.id), SLOT_OF(r1.id)); /* the same slot, */
	assert_int_equal(r2.id >> 32, (r1.id >> 32) + 1); /* in its next use */
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
	assert_logged("blkfront xvda: response for id 0x20, which is not in flight");
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

/*
 * A response sent twice, the second after its slot was taken by a new request: it names
 * the slot's earlier use, so it completes nothing (the new request is not told it
 * succeeded when the backend never carried it out) and breaks the disk. The hostile
 * area's duplicate case found this under Xen, when ids were bare slot numbers.
 */
static void duplicate_response_after_the_slot_was_reused_breaks_the_disk(void **state)
{
	struct blkif_request r1, r2;
	struct blk_request *a = submit_read(0, SECTOR, &r1);
	struct blk_request *b;

	perform(&r1);
	respond(r1.id, BLKIF_OP_READ, BLKIF_RSP_OKAY);
	run_disk_thread();
	assert_int_equal(done_of(a)->status, 0);
	b = submit_read(8, SECTOR, &r2);
	assert_int_equal(SLOT_OF(r2.id), SLOT_OF(r1.id));
	respond(r1.id, BLKIF_OP_READ, BLKIF_RSP_OKAY); /* the first answer, again */
	run_disk_thread();
	assert_broken((struct blk_request *[]){b}, 1);
	assert_logged("which is not in flight");
}

static void response_for_a_slot_never_used_breaks_the_disk(void **state)
{
	struct blkif_request r;
	struct blk_request *a = submit_read(0, SECTOR, &r);

	assert_null(dev->slots[SLOT_OF(r.id) + 1].req);
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
	uint16_t pi = slot_page_index(r.id, 0);
	char *page = dev->pool[pi].va;

	perform(&r);
	g->busy = -1;
	respond(r.id, BLKIF_OP_READ, BLKIF_RSP_OKAY);
	run_disk_thread();

	assert_broken((struct blk_request *[]){a}, 1); /* the caller's buffer is untouched */
	assert_memory_equal(page, disk, PAGE_SIZE);    /* though the page held the data */
	assert_null(dev->pool[pi].va);		       /* never reused... */
	assert_non_null(live_run(page));	       /* ...nor freed */
	assert_true(g->active);
	assert_logged("backend still maps page 0 of request");
	assert_logged("kept from use until it lets go");
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
	assert_int_equal(check(BLK_READ, DISK_SECTORS - BLK_MAX_REQUEST / SECTOR, BLK_MAX_REQUEST),
			 0);
	assert_int_equal(
		check(BLK_READ, DISK_SECTORS - BLK_MAX_REQUEST / SECTOR + 1, BLK_MAX_REQUEST),
		-ERANGE);
	assert_int_equal(check(BLK_READ, UINT64_MAX, SECTOR), -ERANGE); /* no wrap-around */
	assert_int_equal(check(BLK_READ, UINT64_MAX - 1, 4 * SECTOR), -ERANGE);

	dev->info.sector_size = 4096;
	dev->info.sectors = DISK_SECTORS / 8;
	assert_int_equal(check(BLK_READ, DISK_SECTORS - 8, 4096), 0);
	assert_int_equal(check(BLK_READ, DISK_SECTORS, 4096), -ERANGE);
	assert_int_equal(check(BLK_READ, UINT64_MAX - 7, 4096), -ERANGE);
}

static void requests_over_one_mib_are_refused(void **state)
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
	/* three requests, the two of 1 MiB cut into 24 ring requests each (no indirect) */
	size_t len = 2 * BLK_MAX_REQUEST + 2 * SECTOR;
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
	assert_int_equal(dev->ring.req_prod_pvt, 2 * (24 + 24 + 1) + 1);
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
		set_backend("sectors", "8192");
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

/* ---- indirect requests, requests cut in parts, persistent grants, discard ---------- */

/* Open disk 0 with these backend nodes (name, value pairs, NULL-ended) and attach. */
static void open_with(const char *const *nodes)
{
	for (; nodes[0]; nodes += 2)
		set_backend(nodes[0], nodes[1]);
	dev = open0();
	assert_non_null(dev);
	attach_backend();
}

static void fill_pattern(char *p, size_t len, unsigned int seed)
{
	for (size_t i = 0; i < len; i++)
		p[i] = (char)(i * 13 + i / PAGE_SIZE + seed);
}

static void indirect_request_carries_a_mib_in_one_ring_request(void **state)
{
	char *data = new_buffer(BLK_MAX_REQUEST, 0), *back_buf = new_buffer(BLK_MAX_REQUEST, 0x11);
	struct blk_request *w, *rd;
	const struct blkif_request_indirect *ind;
	const struct blkif_request_segment *seg;
	struct blkif_request r;

	open_with((const char *[]){"feature-max-indirect-segments", "256", NULL});
	assert_true(dev->info.indirect);
	assert_int_equal(dev->info.max_segments, 256);
	fill_pattern(data, BLK_MAX_REQUEST, 3);

	w = new_request(BLK_WRITE, 2048, data, BLK_MAX_REQUEST);
	assert_int_equal(blkfront_submit(dev, w), 0);
	assert_int_equal(dev->ring.req_prod_pvt, 1); /* one ring request for 1 MiB */
	r = take_request();
	ind = (const void *)&r;
	assert_int_equal(ind->operation, BLKIF_OP_INDIRECT);
	assert_int_equal(ind->indirect_op, BLKIF_OP_WRITE);
	assert_int_equal(ind->nr_segments, 256);
	assert_int_equal(ind->sector_number, 2048);
	assert_int_equal(ind->handle, VDEV);
	assert_int_equal(ind->indirect_grefs[1], 0);
	/* the segment list: the backend only reads it, and a write's pages */
	assert_true(granted(ind->indirect_grefs[0])->readonly);
	seg = (const void *)granted(ind->indirect_grefs[0])->va;
	for (unsigned int i = 0; i < 256; i++) {
		assert_int_equal(seg[i].first_sect, 0);
		assert_int_equal(seg[i].last_sect, 7);
		assert_true(granted(seg[i].gref)->readonly);
		assert_memory_equal(granted(seg[i].gref)->va, data + i * PAGE_SIZE, PAGE_SIZE);
	}
	perform(&r);
	respond(r.id, BLKIF_OP_WRITE, BLKIF_RSP_OKAY); /* blkback names the inner operation */
	run_disk_thread();
	assert_int_equal(done_of(w)->calls, 1);
	assert_int_equal(done_of(w)->status, 0);
	assert_memory_equal(disk + 2048 * SECTOR, data, BLK_MAX_REQUEST);

	rd = new_request(BLK_READ, 2048, back_buf, BLK_MAX_REQUEST);
	assert_int_equal(blkfront_submit(dev, rd), 0);
	assert_true(backend_serves());
	assert_int_equal(done_of(rd)->status, 0);
	assert_memory_equal(back_buf, data, BLK_MAX_REQUEST);
	assert_int_equal(dev->indirect_requests, 2);
	assert_int_equal(dev->free_pages, POOL_PAGES);
}

/* A short request still goes direct (no segment page to fill), indirect disk or not. */
static void short_request_on_an_indirect_disk_goes_direct(void **state)
{
	struct blkif_request r;

	open_with((const char *[]){"feature-max-indirect-segments", "256", NULL});
	submit_read(0, SEGS * PAGE_SIZE, &r);
	assert_int_equal(r.operation, BLKIF_OP_READ);
	assert_int_equal(r.nr_segments, SEGS);
	submit_read(0, SEGS * PAGE_SIZE + SECTOR, &r);
	assert_int_equal(r.operation, BLKIF_OP_INDIRECT);
	assert_int_equal(((struct blkif_request_indirect *)&r)->nr_segments, SEGS + 1);
}

/* An indirect request's answer names its inner operation (Linux's blkback) or
 * BLKIF_OP_INDIRECT (blkif.h: "copied from request"); any other breaks the disk. */
static void indirect_answer_names_either_operation(void **state)
{
	struct blkif_request r1, r2, r3;
	struct blk_request *a, *b, *c;

	open_with((const char *[]){"feature-max-indirect-segments", "256", NULL});
	a = submit_read(0, 64 * PAGE_SIZE, &r1);
	b = submit_read(0, 64 * PAGE_SIZE, &r2);
	c = submit_read(0, 64 * PAGE_SIZE, &r3);
	perform(&r1);
	perform(&r2);
	respond(r1.id, BLKIF_OP_INDIRECT, BLKIF_RSP_OKAY);
	respond(r2.id, BLKIF_OP_READ, BLKIF_RSP_OKAY);
	run_disk_thread();
	assert_int_equal(done_of(a)->status, 0);
	assert_int_equal(done_of(b)->status, 0);
	assert_memory_equal(a->buf, disk, 64 * PAGE_SIZE);
	respond(r3.id, BLKIF_OP_WRITE, BLKIF_RSP_OKAY);
	run_disk_thread();
	assert_broken((struct blk_request *[]){c}, 1);
	assert_logged("has operation 1, request had 0");
}

/* A direct request's answer naming BLKIF_OP_INDIRECT is another request's: broken. */
static void direct_answer_naming_indirect_breaks_the_disk(void **state)
{
	struct blkif_request r;
	struct blk_request *a;

	open_with((const char *[]){"feature-max-indirect-segments", "256", NULL});
	a = submit_read(0, 4 * PAGE_SIZE, &r);
	respond(r.id, BLKIF_OP_INDIRECT, BLKIF_RSP_OKAY);
	run_disk_thread();
	assert_broken((struct blk_request *[]){a}, 1);
	assert_logged("has operation 6, request had 0");
}

static void indirect_segments_offered_are_clamped_or_ignored(void **state)
{
	static const struct {
		const char *value;
		bool indirect;
		unsigned int segs;
	} cases[] = {{"4096", true, 256}, {"32", true, 32}, {"12", true, 12},
		     {"11", false, 11},	  {"0", false, 11}, {"-5", false, 11},
		     {"1x", false, 11},	  {"", false, 11},  {"99999999999999", false, 11}};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		reset_stubs();
		set_backend("feature-max-indirect-segments", cases[i].value);
		dev = open0();
		assert_non_null(dev);
		assert_int_equal(dev->info.indirect, cases[i].indirect);
		assert_int_equal(dev->info.max_segments, cases[i].segs);
		blkfront_close(dev);
		dev = NULL;
	}
	assert_int_equal(live_pages(), 0);
}

/* 32 segments a ring request: 200 KiB is cut in 2 (128 + 72 KiB); one callback, after the
 * last answer, with the error one part had. */
static void request_cut_in_parts_completes_once_with_the_first_error(void **state)
{
	size_t len = 200 * 1024;
	struct blk_request *a;
	struct blkif_request r1, r2;

	open_with((const char *[]){"feature-max-indirect-segments", "32", NULL});
	a = new_request(BLK_READ, 8, new_buffer(len, 0x11), len);
	assert_int_equal(blkfront_submit(dev, a), 0);
	r1 = take_request();
	r2 = take_request();
	assert_int_equal(((struct blkif_request_indirect *)&r1)->nr_segments, 32);
	assert_int_equal(((struct blkif_request_indirect *)&r2)->nr_segments, 18);
	assert_int_equal(r2.sector_number, 8 + 32 * 8);
	assert_int_equal(dev->cut_requests, 1);

	perform(&r2);
	respond(r2.id, BLKIF_OP_READ, BLKIF_RSP_OKAY);
	run_disk_thread();
	assert_int_equal(done_of(a)->calls, 0); /* half of it is not there yet */
	/* the part that came is in the caller's buffer already, the rest is not */
	assert_memory_equal((char *)a->buf + 128 * 1024, disk + (8 + 256) * SECTOR, 72 * 1024);
	respond(r1.id, BLKIF_OP_READ, BLKIF_RSP_ERROR);
	run_disk_thread();
	assert_int_equal(done_of(a)->calls, 1);
	assert_int_equal(done_of(a)->status, -EIO);
	assert_int_equal(dev->in_flight, 0);
	assert_int_equal(dev->free_slots, dev->nslots);
	assert_false(dev->fe.broken);
}

/* Parts of a cut request still in flight when the disk breaks: one callback, -EIO. */
static void cut_request_failed_by_a_break_completes_once(void **state)
{
	size_t len = 100 * 1024; /* 44 + 44 + 12 KiB, no indirect */
	struct blk_request *a = new_request(BLK_WRITE, 0, new_buffer(len, 0x11), len);
	struct blkif_request r;

	assert_int_equal(blkfront_submit(dev, a), 0);
	assert_int_equal(dev->in_flight, 3);
	r = take_request();
	perform(&r);
	respond(r.id, BLKIF_OP_WRITE, BLKIF_RSP_OKAY);
	respond(r.id, BLKIF_OP_WRITE, BLKIF_RSP_OKAY); /* twice: breaks the disk */
	run_disk_thread();
	assert_true(dev->fe.broken);
	assert_int_equal(done_of(a)->calls, 1);
	assert_int_equal(done_of(a)->status, -EIO);
	assert_int_equal(dev->in_flight, 0);
}

/* Four 1 MiB requests fill the pool (4 x 257 of 1056 pages): a fifth waits for one of
 * them to end, and a completion callback cannot wait: -EBUSY. */
static void pool_that_runs_dry_makes_submitters_wait(void **state)
{
	char *buf = new_buffer(BLK_MAX_REQUEST, 0x11);
	struct blk_request *extra = new_request(BLK_READ, 0, buf, BLK_MAX_REQUEST);
	struct blk_request *small = new_request(BLK_READ, 0, buf, 8 * PAGE_SIZE);

	open_with((const char *[]){"feature-max-indirect-segments", "256", NULL});
	for (unsigned int i = 0; i < 4; i++)
		assert_int_equal(
			blkfront_submit(dev, new_request(BLK_READ, 0, buf, BLK_MAX_REQUEST)), 0);
	assert_int_equal(dev->free_pages, POOL_PAGES - 4 * 257);
	assert_int_equal(dev->in_flight, 4);
	assert_int_equal(blkfront_submit(dev, small), 0); /* 8 pages still fit */

	/* 20 left: 19 pages and their indirect page fit, 20 and theirs do not */
	current = dev->fe.thread;
	assert_int_equal(blkfront_submit(dev, new_request(BLK_READ, 0, buf, 20 * PAGE_SIZE)),
			 -EBUSY);
	assert_int_equal(blkfront_submit(dev, new_request(BLK_READ, 0, buf, 19 * PAGE_SIZE)), 0);
	assert_int_equal(dev->free_pages, 0);
	assert_int_equal(blkfront_submit(dev, extra), -EBUSY);
	current = (struct thread *)&main_token;
	assert_int_equal(done_of(extra)->calls, 0);

	while_waiting = backend_serves;
	assert_int_equal(blkfront_submit(dev, extra), 0);
	assert_true(backend_serves());
	for (unsigned int i = 0; i < nr_reqs; i++)
		if (i != 6) /* the one refused */
			assert_int_equal(done_logs[i].status, 0);
	assert_int_equal(done_logs[6].calls, 0);
	assert_int_equal(done_of(extra)->calls, 1);
	assert_int_equal(dev->free_pages, POOL_PAGES);
}

/* The disk's pages are not allocated before they are needed, and are kept after. */
static void pool_pages_are_allocated_when_first_needed(void **state)
{
	struct blkfront_stats st;
	char *buf = new_buffer(3 * PAGE_SIZE, 0);

	blkfront_stats(dev, &st);
	assert_int_equal(st.pages, 0);
	while_waiting = backend_serves;
	assert_int_equal(blkfront_read(dev, 0, buf, 3 * PAGE_SIZE), 0);
	assert_int_equal(blkfront_read(dev, 0, buf, 2 * PAGE_SIZE), 0); /* reuses two */
	blkfront_stats(dev, &st);
	assert_int_equal(st.pages, 3);
	assert_int_equal(st.granted, 0); /* no persistent grants: each request's grants end */
	assert_int_equal(st.ring_requests, 2);
}

static void persistent_grants_are_kept_read_write_and_reused(void **state)
{
	char *data = new_buffer(4 * PAGE_SIZE, 0), *back_buf = new_buffer(4 * PAGE_SIZE, 0);
	struct blkfront_stats st;
	struct blkif_request r;
	struct blk_request *w;
	grant_ref_t first[4];

	open_with((const char *[]){"feature-persistent", "1", NULL});
	assert_string_equal(front_node("feature-persistent"), "1");
	assert_true(dev->info.persistent);
	assert_true(backend_persistent);
	fill_pattern(data, 4 * PAGE_SIZE, 9);

	w = new_request(BLK_WRITE, 64, data, 4 * PAGE_SIZE);
	assert_int_equal(blkfront_submit(dev, w), 0);
	r = take_request();
	for (unsigned int i = 0; i < 4; i++) {
		first[i] = r.seg[i].gref;
		assert_false(granted(first[i])->readonly); /* blkif.h note 8 */
	}
	perform(&r);
	respond(r.id, BLKIF_OP_WRITE, BLKIF_RSP_OKAY);
	run_disk_thread();
	assert_int_equal(done_of(w)->status, 0); /* the kept mapping is not a violation */
	assert_false(dev->fe.broken);
	for (unsigned int i = 0; i < 4; i++)
		assert_true(grants[first[i]].active);

	blkfront_stats(dev, &st);
	assert_int_equal(st.pages, 4);
	assert_int_equal(st.granted, 4);
	assert_int_equal(st.mapped, 4);

	/* the next request is given the same pages, with their grants */
	submit_read(64, 4 * PAGE_SIZE, &r);
	for (unsigned int i = 0; i < 4; i++)
		assert_true(r.seg[i].gref == first[0] || r.seg[i].gref == first[1] ||
			    r.seg[i].gref == first[2] || r.seg[i].gref == first[3]);
	perform(&r);
	respond(r.id, BLKIF_OP_READ, BLKIF_RSP_OKAY);
	run_disk_thread();
	while_waiting = backend_serves;
	assert_int_equal(blkfront_read(dev, 64, back_buf, 4 * PAGE_SIZE), 0);
	assert_memory_equal(back_buf, data, 4 * PAGE_SIZE);
	assert_int_equal(next_ref, first[3] + 1); /* no grant made after the first request */
	/* the close (teardown): the backend unmaps at Closed, every grant ends, pages freed */
}

/* Offered by us always; used only if the backend says so (absent, 0, garbage: not). */
static void persistent_grants_need_the_backends_word(void **state)
{
	static const char *const values[] = {"0", "2", "yes", NULL};

	for (unsigned int i = 0; i < 4; i++) {
		reset_stubs();
		if (values[i])
			set_backend("feature-persistent", values[i]);
		dev = open0();
		assert_non_null(dev);
		assert_string_equal(front_node("feature-persistent"), "1");
		assert_false(dev->info.persistent);
		blkfront_close(dev);
		dev = NULL;
	}
}

/* A persistent page the backend still maps after Closed is leaked, and said once. */
static void persistent_pages_kept_after_close_are_leaked_once(void **state)
{
	char *buf = new_buffer(2 * PAGE_SIZE, 0);
	struct blkif_request r;

	open_with((const char *[]){"feature-persistent", "1", NULL});
	submit_read(0, 2 * PAGE_SIZE, &r);
	perform(&r);
	respond(r.id, BLKIF_OP_READ, BLKIF_RSP_OKAY);
	run_disk_thread();
	nr_kept = 0; /* the backend "forgets" to unmap them at Closed */
	blkfront_close(dev);
	dev = NULL;
	assert_logged("backend still maps 2 pages after it closed: kept from use until it lets go");
	assert_int_equal(live_pages(), 2);
	(void)buf;
}

static void discard_is_one_request_without_pages(void **state)
{
	struct blk_request *d;
	struct blkif_request r;
	const struct blkif_request_discard *rd = (const void *)&r;

	open_with((const char *[]){"feature-discard", "1", "discard-granularity", "4096",
				   "discard-alignment", "0", NULL});
	assert_true(dev->info.discard);
	assert_int_equal(dev->info.discard_granularity, 4096);
	d = new_request(BLK_DISCARD, 1024, NULL, 3 * 1024 * 1024); /* past 1 MiB: one request */
	assert_int_equal(blkfront_submit(dev, d), 0);
	r = take_request();
	assert_int_equal(rd->operation, BLKIF_OP_DISCARD);
	assert_int_equal(rd->flag, 0);
	assert_int_equal(rd->handle, VDEV);
	assert_int_equal(rd->sector_number, 1024);
	assert_int_equal(rd->nr_sectors, 3 * 2048);
	assert_int_equal(dev->free_pages, POOL_PAGES);
	perform(&r);
	respond(r.id, BLKIF_OP_DISCARD, BLKIF_RSP_OKAY);
	run_disk_thread();
	assert_int_equal(done_of(d)->status, 0);
	assert_true(all_bytes((char *)disk + 1024 * SECTOR, 0, 3 * 1024 * 1024));

	/* the sync call, and what is refused */
	while_waiting = backend_serves;
	assert_int_equal(blkfront_discard(dev, 0, 4096), 0);
	assert_int_equal(blkfront_discard(dev, 0, 0), -EINVAL);
	assert_int_equal(blkfront_discard(dev, 0, 100), -EINVAL);
	assert_int_equal(blkfront_discard(dev, DISK_SECTORS - 1, 2 * SECTOR), -ERANGE);
	blkfront_set_read_only(dev, true);
	assert_int_equal(blkfront_discard(dev, 0, 4096), -EROFS);
}

static void discard_needs_the_feature_and_sane_extents(void **state)
{
	open_with((const char *[]){"discard-granularity", "4096", NULL});
	assert_false(dev->info.discard);
	assert_int_equal(blkfront_discard(dev, 0, 4096), -EOPNOTSUPP);
	blkfront_close(dev);

	reset_stubs();
	open_with((const char *[]){"feature-discard", "1", "discard-granularity", "100", NULL});
	assert_true(dev->info.discard);
	assert_int_equal(dev->info.discard_granularity, 512); /* the sector size instead */
	assert_int_equal(dev->info.discard_alignment, 0);
	assert_logged("ignoring discard-granularity 100");
	blkfront_close(dev);

	reset_stubs();
	open_with((const char *[]){"feature-discard", "1", NULL});
	assert_int_equal(dev->info.discard_granularity, 512); /* absent: the sector size */
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
		T(duplicate_response_after_the_slot_was_reused_breaks_the_disk),
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
		T(requests_over_one_mib_are_refused),
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
		T0(indirect_request_carries_a_mib_in_one_ring_request),
		T0(short_request_on_an_indirect_disk_goes_direct),
		T0(indirect_answer_names_either_operation),
		T0(direct_answer_naming_indirect_breaks_the_disk),
		T0(indirect_segments_offered_are_clamped_or_ignored),
		T0(request_cut_in_parts_completes_once_with_the_first_error),
		T(cut_request_failed_by_a_break_completes_once),
		T0(pool_that_runs_dry_makes_submitters_wait),
		T(pool_pages_are_allocated_when_first_needed),
		T0(persistent_grants_are_kept_read_write_and_reused),
		T0(persistent_grants_need_the_backends_word),
		T0(persistent_pages_kept_after_close_are_leaked_once),
		T0(discard_is_one_request_without_pages),
		T0(discard_needs_the_feature_and_sane_extents),
	};

	return cmocka_run_group_tests_name("blkfront", tests, NULL, NULL);
}
