/*
 * blkfront against a backend that answers anything: the unit tests' fake guest and
 * fake blkback (tests/unit/test_blkfront.c, built in with its main renamed), driven by
 * the fuzz input. The input may first put garbage in one of the disk's xenstore nodes;
 * then it is a list of moves: serve the next request honestly, answer it with another
 * id, operation or status, put a made-up response on the ring, move the producer
 * index, raise the event, submit another request, let time run to a deadline.
 *
 * Whatever happens, at the close every request accepted has completed exactly once,
 * with 0 or a negative errno; no grant was ended twice; and every page is free, or
 * still mapped by the backend (close_disk's checks). Any harness assertion failing
 * aborts, and libFuzzer keeps the input.
 */
#define DISK_SECTORS 1024 /* a small disk: the harness fills it afresh for every input */
#define main	     blkfront_unit_tests
#include "test_blkfront.c"
#undef main

#include "fuzz_input.h"

/* The nodes blkfront reads from its backend, each of which may hold garbage. */
static const char *const disk_nodes[] = {
	"sectors",
	"sector-size",
	"physical-sector-size",
	"info",
	"mode",
	"feature-flush-cache",
	"feature-barrier",
	"feature-persistent",
	"feature-discard",
	"discard-granularity",
	"discard-alignment",
	"max-ring-page-order",
	"feature-max-indirect-segments",
	"state",
};
#define NR_DISK_NODES (sizeof(disk_nodes) / sizeof(disk_nodes[0]))

#define MAX_FUZZ_REQS 16

static void garbage_node(struct fuzz_input *in)
{
	uint8_t which = fuzz_u8(in);
	char value[64];

	if (which >= NR_DISK_NODES)
		return; /* most inputs: an honest disk */
	set_backend(disk_nodes[which], fuzz_string(in, value, sizeof(value) - 1));
}

/* A request of the input's making: an operation, a sector, 1 to 64 sectors. */
static void submit(struct fuzz_input *in)
{
	static const enum blk_op ops[] = {BLK_READ, BLK_WRITE, BLK_FLUSH, BLK_DISCARD};
	uint8_t op = fuzz_u8(in);
	uint64_t sector = fuzz_u16(in) % (DISK_SECTORS + 8); /* a few past the end */
	size_t len = (size_t)(fuzz_u8(in) % 64 + 1) * SECTOR;
	struct blk_request *req;

	if (nr_reqs >= MAX_FUZZ_REQS)
		return;
	req = new_request(ops[op % 4], sector, new_buffer(len, 0x11), len);
	if (op & 0x80)
		req->len -= 1; /* not whole sectors: refused */
	if (blkfront_submit(dev, req))
		req->done = NULL; /* refused: it never completes */
}

/* The event arrives; a broken disk's handler may ignore it. */
static void raise_event(void)
{
	struct thread *was = current;

	if (!bound_handler)
		return;
	bound_handler(PORT, bound_arg);
	if (dev->fe.event_pending)
		run_device_thread();
	current = was;
}

static bool active(grant_ref_t ref)
{
	return ref >= FIRST_REF && ref < next_ref && grants[ref].active;
}

/* Each segment in its page, on the disk, and granted the way the operation needs: a
 * read writes into the page, and a backend's map of a read-only grant for writing fails. */
static bool segments_fit(uint8_t op, const struct blkif_request_segment *segs, unsigned int n,
			 uint64_t sector)
{
	for (unsigned int i = 0; i < n; i++) {
		if (!active(segs[i].gref) || segs[i].first_sect > segs[i].last_sect ||
		    segs[i].last_sect >= 8 ||
		    (op == BLKIF_OP_READ && grants[segs[i].gref].readonly))
			return false;
		sector += segs[i].last_sect - segs[i].first_sect + 1u;
	}
	return sector <= DISK_SECTORS;
}

/*
 * Whether the fake blkback can carry the request out, or answers it BLKIF_RSP_ERROR as
 * blkback does a bad one. A request answered early (a made-up response with its id) or
 * failed by a break has had its grants ended, so a real backend's map of them fails;
 * and a slot the input's own responses overwrote before the backend read it holds
 * anything at all.
 */
static bool can_perform(const struct blkif_request *r)
{
	const struct blkif_request_indirect *ind = (const void *)r;
	const struct blkif_request_discard *d = (const void *)r;

	switch (r->operation) {
	case BLKIF_OP_READ:
	case BLKIF_OP_WRITE:
		return r->nr_segments >= 1 && r->nr_segments <= BLKIF_MAX_SEGMENTS_PER_REQUEST &&
		       segments_fit(r->operation, r->seg, r->nr_segments, r->sector_number);
	case BLKIF_OP_INDIRECT:
		return (ind->indirect_op == BLKIF_OP_READ || ind->indirect_op == BLKIF_OP_WRITE) &&
		       ind->nr_segments >= 1 &&
		       ind->nr_segments <= PAGE_SIZE / sizeof(struct blkif_request_segment) &&
		       active(ind->indirect_grefs[0]) &&
		       segments_fit(ind->indirect_op,
				    (const void *)grants[ind->indirect_grefs[0]].va,
				    ind->nr_segments, ind->sector_number);
	case BLKIF_OP_DISCARD:
		return d->sector_number <= DISK_SECTORS &&
		       d->nr_sectors <= DISK_SECTORS - d->sector_number;
	case BLKIF_OP_FLUSH_DISKCACHE:
	case BLKIF_OP_WRITE_BARRIER:
		return true;
	}
	return false;
}

static void answer_next(struct fuzz_input *in, uint8_t how)
{
	struct blkif_request r;
	uint64_t id;
	uint8_t op;
	int16_t status = BLKIF_RSP_OKAY;

	if (!next_request(&r))
		return;
	id = r.id;
	op = answer_op(&r);
	switch (how) {
	case 0: /* honest */
		if (!can_perform(&r))
			status = BLKIF_RSP_ERROR;
		else if (r.operation != BLKIF_OP_FLUSH_DISKCACHE &&
			 r.operation != BLKIF_OP_WRITE_BARRIER)
			perform(&r);
		break;
	case 1:
		status = (int16_t)fuzz_u16(in);
		break;
	case 2:
		id ^= fuzz_u64(in);
		break;
	case 3:
		op = fuzz_u8(in);
		break;
	}
	respond(id, op, status);
}

static void move_producer(struct fuzz_input *in)
{
	int8_t by = (int8_t)fuzz_u8(in);

	back.sring->rsp_prod += (RING_IDX)(int32_t)by;
	back.rsp_prod_pvt = back.sring->rsp_prod;
}

static void play(struct fuzz_input *in)
{
	unsigned int moves = 0;

	submit(in);
	while (fuzz_more(in) && moves++ < 256) {
		uint8_t kind = fuzz_u8(in);

		switch (kind % 10) {
		case 0:
		case 1:
		case 2:
		case 3:
			answer_next(in, kind % 4);
			break;
		case 4:
			respond(fuzz_u64(in), fuzz_u8(in), (int16_t)fuzz_u16(in));
			break;
		case 5:
			move_producer(in);
			break;
		case 6:
		case 7:
			raise_event();
			break;
		case 8:
			submit(in);
			break;
		case 9:
			if (dev_alive && dev_ctx.sleeping && dev_ctx.timed)
				run_device_thread_at_its_deadline();
			break;
		}
	}
	raise_event();
}

static void check_every_request_completed_once(void)
{
	for (unsigned int i = 0; i < nr_reqs; i++) {
		if (!reqs[i].done)
			continue; /* refused at submit */
		if (done_logs[i].calls != 1 || done_logs[i].status > 0) {
			printf("fuzz_blkif: request %u completed %u times, status %d\n", i,
			       done_logs[i].calls, done_logs[i].status);
			abort();
		}
	}
}

FUZZ_CMOCKA_FAILURES_ABORT()

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = {data, size};

	reset_stubs();
	garbage_node(&in);
	dev = open0();
	if (dev) {
		attach_backend();
		play(&in);
	}
	close_disk(NULL);
	check_every_request_completed_once();
	return 0;
}
