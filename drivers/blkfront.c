/*
 * blkfront: the frontend of Xen's split block device (xen/io/blkif.h is the spec).
 *
 * One shared ring per disk, of 1 to 4 pages: we put requests on it, blkback in dom0
 * puts responses, and each side signals the other through one event channel. A
 * request names up to 11 pages of ours by grant reference; the backend maps them and
 * reads (for a write) or fills (for a read) the sectors first_sect..last_sect of each.
 * With indirect descriptors (BLKIF_OP_INDIRECT) the request names instead a page that
 * lists up to 256 such segments: 1 MiB in one request. A caller's request longer than
 * one ring request is cut into several, and its callback runs once, when all are done.
 *
 * Data goes through the disk's own pages (its pool), never the caller's buffer: grants
 * are page-granular, so granting the caller's memory would show the backend whatever
 * else shares those pages (XSA-403). Without persistent grants a page is granted for
 * one request (read-only for a write) and a read is copied out only after the grant
 * has been withdrawn. With them (feature-persistent) each pool page stays granted,
 * read-write, for the disk's life, so blkback maps it once instead of per request;
 * the caller's buffer is still never granted, so nothing it holds can change later.
 *
 * The backend is not trusted. Every response is copied off the ring and checked (id in
 * flight, operation, status) before use; any violation marks the disk broken: the
 * error is logged once, every outstanding request fails with -EIO, the event channel
 * is masked, and the rest of the appliance runs on. A request unanswered for 30 s does
 * the same.
 *
 * The handshake, the disk's thread, hot-unplug and close are the lifecycle every
 * frontend shares (xenbus/frontend.h); this file fills in its hooks. A submitter fills
 * the ring; the disk's thread reads responses and runs completion callbacks.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <skiff/blkfront.h>
#include <skiff/thread.h>
#include <skiff/xenstore.h>

#include "libc/page_alloc.h"
#include "libc/printk.h"
#include "xen/gnttab.h"
#include "xen/ring.h"
#include "xen/time.h"
#include "xenbus/frontend.h"
#include <xen/io/blkif.h>
#include <xen/io/protocols.h>

#define SEGS		   BLKIF_MAX_SEGMENTS_PER_REQUEST /* 11, in a direct request */
#define INDIRECT_SEGS	   256 /* 1 MiB a ring request: what Linux's blkback offers */
#define SECTOR		   512
#define MAX_RING_ORDER	   2 /* 4 pages, 128 requests: more gains nothing here */
#define MAX_RING_PAGES	   (1u << MAX_RING_ORDER)
#define REQUEST_TIMEOUT_NS (30 * NSEC_PER_SEC)
#define NO_SLOT		   0xffffu
#define NO_PAGE		   0xffffu
#define NO_GRANT	   0 /* refs 0-7 belong to the toolstack: never one of ours */
#define MAX_DISKS	   16
/*
 * The pages a disk may hold: four 1 MiB requests and their indirect pages, and no more
 * than Linux's blkback keeps mapped for one ring (its max_persistent_grants, 1056), so
 * with persistent grants every page stays mapped. Pages are allocated when first used.
 */
#define POOL_PAGES 1056

_Static_assert(BLK_MAX_REQUEST == INDIRECT_SEGS * PAGE_SIZE, "one indirect request");
_Static_assert(INDIRECT_SEGS <= PAGE_SIZE / sizeof(struct blkif_request_segment),
	       "one indirect page lists every segment");
_Static_assert(sizeof(struct blkif_request_indirect) <= sizeof(struct blkif_request) &&
		       sizeof(struct blkif_request_discard) <= sizeof(struct blkif_request),
	       "every request shape fits a ring slot");
/* Cut into direct requests, the largest request needs 24 slots; a 1-page ring has 32. */
#define MAX_PARTS 32
_Static_assert((BLK_MAX_REQUEST + SEGS * PAGE_SIZE - 1) / (SEGS * PAGE_SIZE) <= MAX_PARTS,
	       "a request cut into direct ones fits the smallest ring");
_Static_assert(INDIRECT_SEGS + 1 <= POOL_PAGES, "the largest request fits the pool");

/* A page that carries data (or an indirect request's segment list) to or from the
 * backend: the disk's own, zeroed when first allocated, kept for reuse. */
struct pool_page {
	void *va;	 /* NULL until first needed, or after the backend kept it */
	grant_ref_t ref; /* NO_GRANT unless granted */
	uint16_t next;	 /* the next free page, or the next page of the same request */
};

/* A caller's request cut into several ring requests: its callback runs once. */
struct cut_request {
	struct blk_request *req;
	unsigned int pending; /* ring requests not yet answered */
	int status;	      /* the first error among them */
};

/* A ring request in flight, indexed by the id we give the backend. */
struct slot {
	struct blk_request *req; /* NULL while free */
	struct cut_request *cut; /* NULL unless req was cut into several */
	size_t offset, len;	 /* the part of req->buf this ring request carries */
	uint8_t op;		 /* the operation its response must name */
	uint16_t nseg;
	uint16_t pages;	   /* its data pages, chained through pool_page.next */
	uint16_t indirect; /* its indirect page, or NO_PAGE */
	uint64_t deadline; /* system time by which the backend must have answered */
	uint16_t next_free;
	/* Times it went on the ring: the high half of its request id. A response for an
	 * earlier use (one answered twice, the second after the slot was taken again)
	 * then matches no request in flight, and cannot complete the new one unwritten. */
	uint32_t uses;
};

struct blkfront {
	struct frontend fe; /* first: the lifecycle's hooks get &dev->fe */
	struct blkfront_info info;
	uint64_t sectors512; /* the size in 512-byte units, as requests count */
	/* Writes refused here (-EROFS), before the backend sees them: info.read_only when
	 * connected, then whatever blkfront_set_read_only says. The backend checks too. */
	bool refuse_writes;

	blkif_front_ring_t ring;
	void *ring_mem;
	unsigned int ring_order;
	grant_ref_t ring_refs[MAX_RING_PAGES];

	struct slot *slots;
	unsigned int nslots, in_flight, free_slots;
	uint16_t free_head;

	struct pool_page *pool; /* POOL_PAGES entries */
	unsigned int free_pages;
	uint16_t free_page;	/* LIFO, as blkif.h advises for persistent grants */
	struct wait_queue room; /* submitters wait here for slots and pages */

	uint64_t ring_requests, indirect_requests, cut_requests;
};

static struct blkfront *to_dev(struct frontend *fe)
{
	return (struct blkfront *)fe;
}

/* ---- discovery ---------------------------------------------------------------- */
int blkfront_count(void)
{
	unsigned int vdevs[MAX_DISKS], n;
	int rc = frontend_list("vbd", vdevs, MAX_DISKS, &n);

	return rc ? rc : (int)n;
}

/*
 * The name a device number stands for (Xen's docs/misc/vbd-interface.txt): xvd disks
 * are 202 << 8 | disk << 4 | partition (disks 0-15), or 1 << 28 | disk << 8 | partition
 * (any disk); disk 0 is "xvda", 25 "xvdz", 26 "xvdaa", a partition adds its number.
 * Other numbers (the emulated hd and sd ones) are "vbd<number>".
 */
static void vbd_name(unsigned int vdev, char *buf, size_t size)
{
	unsigned int disk, part;
	char letters[8];
	int n = sizeof(letters) - 1;

	if (vdev & (1u << 28)) {
		disk = (vdev >> 8) & 0xfffff;
		part = vdev & 0xff;
	} else if ((vdev >> 8) == 202) {
		disk = (vdev >> 4) & 15;
		part = vdev & 15;
	} else {
		snprintf(buf, size, "vbd%u", vdev);
		return;
	}
	letters[n] = 0;
	/* Base 26 without a zero digit, as Linux names disks: a..z, aa..zz, aaa.. */
	for (long d = disk; d >= 0 && n > 0; d = d / 26 - 1)
		letters[--n] = (char)('a' + d % 26);
	if (part)
		snprintf(buf, size, "xvd%s%u", letters + n, part);
	else
		snprintf(buf, size, "xvd%s", letters + n);
}

int blkfront_name(unsigned int index, char *buf, size_t size)
{
	unsigned int vdevs[MAX_DISKS], n;
	int rc = frontend_list("vbd", vdevs, MAX_DISKS, &n);

	if (rc)
		return rc;
	if (index >= n)
		return -ENODEV;
	vbd_name(vdevs[index], buf, size);
	return 0;
}

/* ---- the pool of pages -------------------------------------------------------- */

/*
 * Take a free page of the pool and grant it: read-only if the backend only reads it (a
 * write's data, an indirect page), except that persistent grants are read-write (the
 * backend maps them once for every later use, blkif.h note 8) and are kept. NO_PAGE if
 * no page or no grant could be had.
 */
static uint16_t take_page(struct blkfront *dev, bool readonly)
{
	uint16_t i = dev->free_page;
	struct pool_page *p;

	if (i == NO_PAGE)
		return NO_PAGE;
	p = &dev->pool[i];
	if (!p->va) {
		p->va = page_alloc(1);
		if (!p->va)
			return NO_PAGE;
		memset(p->va, 0, PAGE_SIZE);
	}
	if (p->ref == NO_GRANT && gnttab_grant_page(dev->fe.xb.backend_id, p->va,
						    readonly && !dev->info.persistent, &p->ref)) {
		p->ref = NO_GRANT;
		return NO_PAGE;
	}
	dev->free_page = p->next;
	dev->free_pages--;
	p->next = NO_PAGE;
	return i;
}

static void put_page(struct blkfront *dev, uint16_t i)
{
	dev->pool[i].next = dev->free_page;
	dev->free_page = i;
	dev->free_pages++;
}

/*
 * Withdraw a page's grant, unless grants are persistent. A page the backend still maps
 * leaves the pool for good (never reused or freed: the backend may still write it) and
 * its entry gets a fresh page when next used: -EBUSY then. The ref is forgotten once
 * handled, so a second call never ends a grant twice.
 */
static int end_page_grant(struct blkfront *dev, uint16_t i)
{
	struct pool_page *p = &dev->pool[i];
	grant_ref_t ref = p->ref;

	if (dev->info.persistent || ref == NO_GRANT)
		return 0;
	p->ref = NO_GRANT;
	if (gnttab_end_or_keep_later(ref, p->va) == 0)
		return 0;
	p->va = NULL; /* freed once the backend unmaps it, never reused */
	return -EBUSY;
}

/* Withdraw the grants of a ring request's pages; each page the backend kept is logged. */
static int end_slot_grants(struct blkfront *dev, struct slot *s)
{
	long id = (long)(s - dev->slots);
	unsigned int n = 0;
	int rc = 0;

	for (uint16_t i = s->pages; i != NO_PAGE; i = dev->pool[i].next, n++) {
		if (end_page_grant(dev, i) == 0)
			continue;
		printk("blkfront %s: backend still maps page %u of request %ld: kept from use "
		       "until it lets go\n",
		       dev->fe.name, n, id);
		rc = -EBUSY;
	}
	if (s->indirect != NO_PAGE && end_page_grant(dev, s->indirect)) {
		printk("blkfront %s: backend still maps the indirect page of request %ld: kept "
		       "from use until it lets go\n",
		       dev->fe.name, id);
		rc = -EBUSY;
	}
	return rc;
}

/* Give a ring request's pages back to the pool (still granted, if grants persist). */
static void return_slot_pages(struct blkfront *dev, struct slot *s)
{
	uint16_t i = s->pages;

	while (i != NO_PAGE) {
		uint16_t next = dev->pool[i].next;

		put_page(dev, i);
		i = next;
	}
	if (s->indirect != NO_PAGE)
		put_page(dev, s->indirect);
	s->pages = s->indirect = NO_PAGE;
	s->nseg = 0;
}

/* ---- slots and completion ------------------------------------------------------- */

static struct slot *take_slot(struct blkfront *dev)
{
	struct slot *s = &dev->slots[dev->free_head];

	dev->free_head = s->next_free;
	dev->free_slots--;
	s->pages = s->indirect = NO_PAGE;
	s->nseg = 0;
	return s;
}

static void free_slot(struct blkfront *dev, struct slot *s)
{
	return_slot_pages(dev, s);
	s->req = NULL;
	s->cut = NULL;
	s->next_free = dev->free_head;
	dev->free_head = (uint16_t)(s - dev->slots);
	dev->free_slots++;
	wait_queue_wake_all(&dev->room);
}

/* A ring request is over: the caller's callback runs when the last part of its
 * request is, with the first error any part had. */
static void finish(struct blkfront *dev, struct slot *s, int err)
{
	struct blk_request *req = s->req;
	struct cut_request *cut = s->cut;

	dev->in_flight--;
	free_slot(dev, s);
	if (cut) {
		if (err && !cut->status)
			cut->status = err;
		if (--cut->pending)
			return;
		err = cut->status;
		free(cut);
	}
	req->done(req, err);
}

/* Broken or closing: every request still outstanding fails with -EIO. */
static void fail_all(struct frontend *fe)
{
	struct blkfront *dev = to_dev(fe);

	for (unsigned int i = 0; dev->slots && i < dev->nslots; i++) {
		struct slot *s = &dev->slots[i];

		if (!s->req)
			continue;
		end_slot_grants(dev, s);
		finish(dev, s, -EIO);
	}
	wait_queue_wake_all(&dev->room);
}

/* ---- responses ---------------------------------------------------------------- */

static int status_to_errno(int16_t status, int *err)
{
	switch (status) {
	case BLKIF_RSP_OKAY:
		*err = 0;
		return 0;
	case BLKIF_RSP_ERROR:
		*err = -EIO;
		return 0;
	case BLKIF_RSP_EOPNOTSUPP:
		*err = -EOPNOTSUPP;
		return 0;
	}
	return -1;
}

/* Copy a finished read from the pool's pages into its part of the caller's buffer. */
static void copy_out(struct blkfront *dev, const struct slot *s)
{
	char *to = (char *)s->req->buf + s->offset;
	size_t done = 0;

	for (uint16_t i = s->pages; i != NO_PAGE; i = dev->pool[i].next) {
		size_t n = s->len - done < PAGE_SIZE ? s->len - done : PAGE_SIZE;

		memcpy(to + done, dev->pool[i].va, n);
		done += n;
	}
}

/* Handle one response (already copied off the ring). false if it broke the disk. */
static bool complete(struct blkfront *dev, const struct blkif_response *rsp)
{
	uint64_t index = rsp->id & UINT32_MAX;
	struct slot *s;
	int err;

	if (index >= dev->nslots || !dev->slots[index].req ||
	    dev->slots[index].uses != rsp->id >> 32) {
		frontend_break(&dev->fe, "response for id %#llx, which is not in flight",
			       (unsigned long long)rsp->id);
		return false;
	}
	s = &dev->slots[index];
	/* An indirect request's answer names the operation inside it (Linux's blkback) or,
	 * as blkif.h's "copied from request" reads, BLKIF_OP_INDIRECT: both are the same
	 * request's. */
	if (rsp->operation != s->op &&
	    !(s->indirect != NO_PAGE && rsp->operation == BLKIF_OP_INDIRECT)) {
		frontend_break(&dev->fe,
			       "response to request %#llx has operation %u, request had %u",
			       (unsigned long long)rsp->id, rsp->operation, s->op);
		return false;
	}
	if (status_to_errno(rsp->status, &err)) {
		frontend_break(&dev->fe, "response to request %#llx has unknown status %d",
			       (unsigned long long)rsp->id, rsp->status);
		return false;
	}
	/* Withdraw the grants first: once that succeeded the backend cannot change the
	 * data any more, and only then is a read copied out. (Persistent grants stay; the
	 * caller's buffer is still never granted.) */
	if (end_slot_grants(dev, s)) {
		frontend_break(&dev->fe, "backend answered request %#llx but kept its pages mapped",
			       (unsigned long long)rsp->id);
		return false;
	}
	if (err == 0 && s->req->op == BLK_READ)
		copy_out(dev, s);
	finish(dev, s, err);
	/* The callback may have closed the disk: its ring and slots are gone then. */
	return dev->fe.state != FRONTEND_CLOSED;
}

/* Still listening to the ring: not broken, not yet given back. */
static bool ring_live(struct blkfront *dev)
{
	return !dev->fe.broken && dev->fe.state != FRONTEND_CLOSED;
}

static void reap_responses(struct blkfront *dev)
{
	struct frontend *fe = &dev->fe;
	int more;

	do {
		RING_IDX prod, cons, outstanding, claimed;

		if (!ring_live(dev))
			return;
		/* Read the producer once: the backend may move it (or garbage) at any time. */
		prod = READ_ONCE(dev->ring.sring->rsp_prod);
		virt_rmb(); /* the responses before prod are visible once prod is */
		cons = dev->ring.rsp_cons;
		outstanding = dev->ring.req_prod_pvt - cons;
		claimed = prod - cons;
		/* The answers that can be real come first: complete those before a producer
		 * that runs ahead of our requests breaks the disk. */
		for (RING_IDX end = claimed > outstanding ? cons + outstanding : prod; cons != end;
		     cons++) {
			struct blkif_response rsp;

			memcpy(&rsp, RING_GET_RESPONSE(&dev->ring, cons), sizeof(rsp));
			barrier(); /* use the copy only: never read the shared slot twice */
			dev->ring.rsp_cons = cons + 1;
			if (!complete(dev, &rsp))
				return;
		}
		if (claimed > outstanding) {
			frontend_break(fe,
				       "backend claims %u responses, but only %u requests were "
				       "outstanding",
				       claimed, outstanding);
			return;
		}
		RING_FINAL_CHECK_FOR_RESPONSES(&dev->ring, more);
	} while (more);
}

/* true if any response was read (dev outlives a close from a callback: its thread
 * frees it last). */
static bool handle_responses(struct frontend *fe)
{
	struct blkfront *dev = to_dev(fe);
	RING_IDX before = dev->ring.rsp_cons;

	reap_responses(dev);
	return dev->ring.rsp_cons != before;
}

static unsigned int in_flight(struct frontend *fe)
{
	return to_dev(fe)->in_flight;
}

/* The oldest request decides when the disk's thread must look again. */
static uint64_t next_deadline(struct frontend *fe)
{
	struct blkfront *dev = to_dev(fe);
	uint64_t first = 0;

	for (unsigned int i = 0; dev->in_flight && i < dev->nslots; i++)
		if (dev->slots[i].req && (!first || dev->slots[i].deadline < first))
			first = dev->slots[i].deadline;
	return first;
}

static void check_timeouts(struct frontend *fe, uint64_t now)
{
	uint64_t first = next_deadline(fe);

	handle_responses(fe); /* an answer may have come just now */
	if (first && first <= now && next_deadline(fe) == first)
		frontend_break(fe, "no answer to a request in %llu s",
			       (unsigned long long)(REQUEST_TIMEOUT_NS / NSEC_PER_SEC));
}

/* ---- requests ----------------------------------------------------------------- */

static int check_request(struct blkfront *dev, const struct blk_request *req)
{
	const struct blkfront_info *info = &dev->info;
	uint64_t per_sector = info->sector_size / SECTOR;

	if (!frontend_usable(&dev->fe))
		return -EIO;
	if (!req->done)
		return -EINVAL;
	switch (req->op) {
	case BLK_FLUSH:
		return info->flush || info->barrier ? 0 : -EOPNOTSUPP;
	case BLK_DISCARD:
		if (!info->discard)
			return -EOPNOTSUPP;
		break;
	case BLK_READ:
	case BLK_WRITE:
		break;
	default:
		return -EINVAL;
	}
	if (req->op != BLK_READ && dev->refuse_writes)
		return -EROFS;
	if (req->len == 0 || req->len % info->sector_size || req->sector % per_sector)
		return -EINVAL;
	if (req->op != BLK_DISCARD && (!req->buf || req->len > BLK_MAX_REQUEST))
		return -EINVAL;
	if (req->sector > dev->sectors512 || req->len / SECTOR > dev->sectors512 - req->sector)
		return -ERANGE;
	return 0;
}

static bool moves_data(const struct blk_request *req)
{
	return req->op == BLK_READ || req->op == BLK_WRITE;
}

static size_t ring_request_bytes(const struct blkfront *dev)
{
	return (size_t)dev->info.max_segments * PAGE_SIZE;
}

/* Ring requests req needs: a read or write longer than one is cut. */
static unsigned int ring_requests_for(const struct blkfront *dev, const struct blk_request *req)
{
	size_t max = ring_request_bytes(dev);

	return moves_data(req) ? (unsigned int)((req->len + max - 1) / max) : 1;
}

/* The bytes of req's data the k-th of its ring requests carries (0 for a flush or a
 * discard, which carry none). */
static size_t part_len(const struct blkfront *dev, const struct blk_request *req, unsigned int k)
{
	size_t max = ring_request_bytes(dev), left;

	if (!moves_data(req))
		return 0;
	left = req->len - k * max;
	return left < max ? left : max;
}

/* Pool pages a ring request of len bytes takes: its data, and its indirect page. */
static unsigned int pages_for_len(size_t len)
{
	unsigned int n = (unsigned int)((len + PAGE_SIZE - 1) / PAGE_SIZE);

	return n > SEGS ? n + 1 : n;
}

static unsigned int pages_for(const struct blkfront *dev, const struct blk_request *req,
			      unsigned int parts)
{
	unsigned int n = 0;

	for (unsigned int k = 0; k < parts; k++)
		n += pages_for_len(part_len(dev, req, k));
	return n;
}

static bool has_room(const struct blkfront *dev, unsigned int slots, unsigned int pages)
{
	return dev->free_slots >= slots && dev->free_pages >= pages;
}

/* The operation a request is sent as, and its response names (an indirect request's
 * answer may also name BLKIF_OP_INDIRECT: complete()). */
static uint8_t ring_op(const struct blkfront *dev, const struct blk_request *req)
{
	switch (req->op) {
	case BLK_READ:
		return BLKIF_OP_READ;
	case BLK_WRITE:
		return BLKIF_OP_WRITE;
	case BLK_DISCARD:
		return BLKIF_OP_DISCARD;
	default:
		return dev->info.flush ? BLKIF_OP_FLUSH_DISKCACHE : BLKIF_OP_WRITE_BARRIER;
	}
}

/* Fill pool pages with s's part of req (a write's data) and grant them. */
static int fill_pages(struct blkfront *dev, struct slot *s, const struct blk_request *req)
{
	bool write = req->op == BLK_WRITE;
	uint16_t *link = &s->pages;

	for (size_t done = 0; done < s->len; done += PAGE_SIZE) {
		size_t n = s->len - done < PAGE_SIZE ? s->len - done : PAGE_SIZE;
		uint16_t i = take_page(dev, write); /* the backend only reads a write's pages */

		if (i == NO_PAGE)
			return -ENOMEM;
		*link = i;
		link = &dev->pool[i].next;
		s->nseg++;
		if (write)
			memcpy(dev->pool[i].va, (const char *)req->buf + s->offset + done, n);
	}
	if (s->nseg > SEGS) {
		s->indirect = take_page(dev, true);
		if (s->indirect == NO_PAGE)
			return -ENOMEM;
	}
	return 0;
}

/* The segments of s: each of its pages from sector 0, the last one maybe partial. */
static void fill_segments(const struct blkfront *dev, const struct slot *s,
			  struct blkif_request_segment *seg)
{
	size_t left = s->len;

	for (uint16_t i = s->pages; i != NO_PAGE; i = dev->pool[i].next, seg++) {
		size_t n = left < PAGE_SIZE ? left : PAGE_SIZE;

		seg->gref = dev->pool[i].ref;
		seg->first_sect = 0;
		seg->last_sect = (uint8_t)(n / SECTOR - 1);
		left -= n;
	}
}

/* Write s as the next request on the ring, in the shape its operation takes; the
 * caller pushes. */
static void put_on_ring(struct blkfront *dev, struct slot *s, const struct blk_request *req)
{
	union {
		struct blkif_request rw;
		struct blkif_request_indirect indirect;
		struct blkif_request_discard discard;
	} r;
	uint64_t id = (uint64_t)++s->uses << 32 | (uint64_t)(s - dev->slots);
	blkif_vdev_t handle = (blkif_vdev_t)dev->fe.id;
	uint64_t sector = req->sector + s->offset / SECTOR;

	memset(&r, 0, sizeof(r));
	if (req->op == BLK_DISCARD) {
		r.discard = (struct blkif_request_discard){.operation = BLKIF_OP_DISCARD,
							   .handle = handle,
							   .id = id,
							   .sector_number = sector,
							   .nr_sectors = req->len / SECTOR};
	} else if (s->indirect != NO_PAGE) {
		r.indirect = (struct blkif_request_indirect){.operation = BLKIF_OP_INDIRECT,
							     .indirect_op = s->op,
							     .nr_segments = s->nseg,
							     .id = id,
							     .sector_number = sector,
							     .handle = handle};
		r.indirect.indirect_grefs[0] = dev->pool[s->indirect].ref;
		fill_segments(dev, s, dev->pool[s->indirect].va);
		dev->indirect_requests++;
	} else {
		r.rw = (struct blkif_request){.operation = s->op,
					      .nr_segments = (uint8_t)s->nseg,
					      .handle = handle,
					      .id = id,
					      .sector_number = req->op == BLK_FLUSH ? 0 : sector};
		fill_segments(dev, s, r.rw.seg);
	}
	memcpy(RING_GET_REQUEST(&dev->ring, dev->ring.req_prod_pvt), &r, sizeof(r.rw));
	dev->ring.req_prod_pvt++;
	dev->ring_requests++;
}

/* Give back slots (and their pages) taken for a request that will not be sent. The
 * backend was not told of their grants, but refs are easy to guess: one it mapped anyway
 * is left to end_slot_grants, which drops the page rather than reuse it. */
static void untake(struct blkfront *dev, struct slot **taken, unsigned int n)
{
	while (n-- > 0) {
		end_slot_grants(dev, taken[n]);
		free_slot(dev, taken[n]);
	}
}

int blkfront_submit(struct blkfront *dev, struct blk_request *req)
{
	struct slot *taken[MAX_PARTS];
	struct cut_request *cut = NULL;
	unsigned int n, pages;
	bool was_idle;
	int notify, rc = check_request(dev, req);

	if (rc)
		return rc;
	n = ring_requests_for(dev, req);
	pages = pages_for(dev, req, n);
	if (!has_room(dev, n, pages) && thread_self() == dev->fe.thread)
		return -EBUSY; /* a callback waiting for room would wait for itself */
	wait_event(&dev->room, has_room(dev, n, pages) || !frontend_usable(&dev->fe));
	if (!frontend_usable(&dev->fe))
		return -EIO;
	if (n > 1) {
		cut = malloc(sizeof(*cut));
		if (!cut)
			return -ENOMEM;
		*cut = (struct cut_request){.req = req, .pending = n};
	}
	/* Every part gets its slot and pages before any is sent: a request goes out whole
	 * or not at all. */
	for (unsigned int k = 0; k < n; k++) {
		struct slot *s = take_slot(dev);

		taken[k] = s;
		s->req = req;
		s->cut = cut;
		s->op = ring_op(dev, req);
		s->offset = k * ring_request_bytes(dev);
		s->len = part_len(dev, req, k);
		rc = moves_data(req) ? fill_pages(dev, s, req) : 0;
		if (rc) {
			untake(dev, taken, k + 1);
			free(cut);
			return rc;
		}
	}
	was_idle = dev->in_flight == 0;
	for (unsigned int k = 0; k < n; k++) {
		taken[k]->deadline = deadline_after_ns(REQUEST_TIMEOUT_NS);
		put_on_ring(dev, taken[k], req);
		dev->in_flight++;
	}
	dev->cut_requests += n > 1;
	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&dev->ring, notify);
	if (notify)
		frontend_notify(&dev->fe);
	if (was_idle)
		wait_queue_wake_all(&dev->fe.kick); /* the thread learns the new deadline */
	return 0;
}

/* ---- synchronous wrappers ----------------------------------------------------- */

struct sync_wait {
	bool done;
	int status;
	struct wait_queue wq;
};

static void sync_done(struct blk_request *req, int status)
{
	struct sync_wait *w = req->arg;

	w->status = status;
	w->done = true;
	wait_queue_wake_all(&w->wq);
}

/* One request, waited for. Every request is answered, failed by a broken disk (30 s at
 * most) or by the close, so the wait needs no timeout of its own. */
static int sync_request(struct blkfront *dev, enum blk_op op, uint64_t sector, void *buf,
			size_t len)
{
	struct sync_wait w = {.done = false};
	struct blk_request req = {
		.op = op, .sector = sector, .buf = buf, .len = len, .done = sync_done, .arg = &w};
	int rc;

	if (thread_self() == dev->fe.thread)
		return -EBUSY; /* from a completion: the answer would need this very thread */
	wait_queue_init(&w.wq);
	rc = blkfront_submit(dev, &req);
	if (rc)
		return rc;
	wait_event(&w.wq, w.done);
	return w.status;
}

/* Reads and writes of any length: one request of at most BLK_MAX_REQUEST at a time
 * (which the driver cuts further if the disk takes less in one ring request). */
static int sync_io(struct blkfront *dev, enum blk_op op, uint64_t sector, char *buf, size_t len)
{
	while (len > 0) {
		size_t n = len < BLK_MAX_REQUEST ? len : BLK_MAX_REQUEST;
		int rc = sync_request(dev, op, sector, buf, n);

		if (rc)
			return rc;
		sector += n / SECTOR;
		buf += n;
		len -= n;
	}
	return 0;
}

int blkfront_read(struct blkfront *dev, uint64_t sector, void *buf, size_t len)
{
	return sync_io(dev, BLK_READ, sector, buf, len);
}

int blkfront_write(struct blkfront *dev, uint64_t sector, const void *buf, size_t len)
{
	return sync_io(dev, BLK_WRITE, sector, (char *)buf, len);
}

int blkfront_flush(struct blkfront *dev)
{
	return sync_request(dev, BLK_FLUSH, 0, NULL, 0);
}

int blkfront_discard(struct blkfront *dev, uint64_t sector, uint64_t len)
{
	if (len > SIZE_MAX)
		return -EINVAL;
	return sync_request(dev, BLK_DISCARD, sector, NULL, (size_t)len);
}

/* ---- connecting --------------------------------------------------------------- */

static bool power_of_two(unsigned long long v)
{
	return v && !(v & (v - 1));
}

/*
 * An optional feature node: absent is def; garbage is logged once and also def, so a
 * disk stays usable when a backend writes a feature oddly (Linux uses such disks).
 */
static unsigned long long read_feature(struct blkfront *dev, const char *node,
				       unsigned long long max, unsigned long long def)
{
	unsigned long long v;
	int rc = xenbus_read_backend_uint(&dev->fe.xb, node, max, &v);

	if (rc == 0)
		return v;
	if (rc != -ENOENT)
		printk("blkfront %s: ignoring backend node %s (%s)\n", dev->fe.name, node,
		       strerror_name(rc));
	return def;
}

/*
 * The optional features that change how requests are sent: indirect descriptors (at
 * most INDIRECT_SEGS a request, whatever the backend offers), persistent grants (we
 * always offer them), discard and its extents (garbage: the sector size and 0).
 */
static void read_fast_paths(struct blkfront *dev)
{
	struct blkfront_info *info = &dev->info;
	unsigned long long segs = read_feature(dev, "feature-max-indirect-segments", UINT32_MAX, 0);
	unsigned long long gran, align;

	info->indirect = segs > SEGS;
	info->max_segments = segs <= SEGS	    ? SEGS
			     : segs < INDIRECT_SEGS ? (unsigned int)segs
						    : INDIRECT_SEGS;
	info->persistent = read_feature(dev, "feature-persistent", 1, 0);
	info->discard = read_feature(dev, "feature-discard", 1, 0);
	gran = read_feature(dev, "discard-granularity", UINT32_MAX, info->sector_size);
	align = read_feature(dev, "discard-alignment", UINT32_MAX, 0);
	if (gran == 0 || gran % info->sector_size || align % info->sector_size) {
		if (info->discard)
			printk("blkfront %s: ignoring discard-granularity %llu, discard-alignment "
			       "%llu: not whole sectors\n",
			       dev->fe.name, gran, align);
		gran = info->sector_size;
		align = 0;
	}
	info->discard_granularity = (unsigned int)gran;
	info->discard_alignment = (unsigned int)align;
}

/* What the backend tells about the disk once it is Connected (blkif.h, "Backend"). */
static int read_disk_info(struct frontend *fe)
{
	struct blkfront *dev = to_dev(fe);
	struct blkfront_info *info = &dev->info;
	unsigned long long sectors, ssize, pssize, vinfo;
	char *mode;
	int rc;

	/* Required: without a size there is no disk to speak of. */
	rc = xenbus_read_backend_uint(&fe->xb, "sectors", UINT64_MAX >> 12, &sectors);
	if (!rc)
		rc = xenbus_read_backend_uint(&fe->xb, "sector-size", PAGE_SIZE, &ssize);
	if (rc) {
		printk("blkfront %s: cannot read the disk's size (%s)\n", fe->name,
		       strerror_name(rc));
		return rc;
	}
	if (ssize < SECTOR || !power_of_two(ssize)) {
		printk("blkfront %s: bad sector-size %llu\n", fe->name, ssize);
		return -EINVAL;
	}
	vinfo = read_feature(dev, "info", UINT32_MAX, 0);
	pssize = read_feature(dev, "physical-sector-size", 1u << 20, ssize);
	if (pssize < ssize || !power_of_two(pssize)) {
		printk("blkfront %s: ignoring physical-sector-size %llu\n", fe->name, pssize);
		pssize = ssize;
	}
	/*
	 * io/blkif.h (4.17) says "sectors" counts sector-size units, but Linux blkback
	 * writes 512-byte units whatever sector-size is (later Xen fixed the text to
	 * match). We do not offer feature-large-sector-size, so 512-byte units it is.
	 */
	dev->sectors512 = sectors;
	info->sectors = sectors / (ssize / SECTOR);
	info->sector_size = (unsigned int)ssize;
	info->physical_sector_size = (unsigned int)pssize;
	info->read_only = vinfo & VDISK_READONLY;
	info->removable = vinfo & VDISK_REMOVABLE;
	info->cdrom = vinfo & VDISK_CDROM;
	info->flush = read_feature(dev, "feature-flush-cache", 1, 0);
	info->barrier = read_feature(dev, "feature-barrier", 1, 0);
	/* "mode" is what the toolstack asked for ("r" or "w"); either one makes it read-only. */
	if (xenbus_read_backend(&fe->xb, "mode", &mode) == 0) {
		if (strcmp(mode, "w") != 0)
			info->read_only = true;
		free(mode);
	}
	dev->refuse_writes = info->read_only;
	read_fast_paths(dev);
	info->ring_pages = 1u << dev->ring_order;
	info->max_in_flight = dev->nslots;
	strlcpy(info->name, fe->name, sizeof(info->name));
	return 0;
}

static bool plain_name(const char *s, size_t max)
{
	size_t n = 0;

	for (; s[n]; n++)
		if (!((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= '0' && s[n] <= '9')))
			return false;
	return n > 0 && n < max;
}

/* Name the disk after the backend's "dev" node ("xvda"), else its device number. */
static int read_name(struct frontend *fe)
{
	char *name;

	if (xenbus_read_backend(&fe->xb, "dev", &name))
		return 0;
	if (plain_name(name, sizeof(fe->name)))
		strlcpy(fe->name, name, sizeof(fe->name));
	free(name);
	return 0;
}

static int alloc_ring(struct frontend *fe)
{
	struct blkfront *dev = to_dev(fe);
	/* Optional, and clamped: a backend offering 99 gets what we use at most. */
	unsigned long long max_order = read_feature(dev, "max-ring-page-order", UINT32_MAX, 0);
	unsigned int npages;

	dev->ring_order = max_order < MAX_RING_ORDER ? (unsigned int)max_order : MAX_RING_ORDER;
	npages = 1u << dev->ring_order;
	dev->ring_mem = gnttab_alloc_pages(fe->xb.backend_id, npages, false, dev->ring_refs);
	if (!dev->ring_mem)
		return -ENOMEM;
	SHARED_RING_INIT((blkif_sring_t *)dev->ring_mem);
	FRONT_RING_INIT(&dev->ring, (blkif_sring_t *)dev->ring_mem, npages * PAGE_SIZE);

	dev->nslots = RING_SIZE(&dev->ring);
	dev->slots = calloc(dev->nslots, sizeof(*dev->slots));
	dev->pool = calloc(POOL_PAGES, sizeof(*dev->pool));
	if (!dev->slots || !dev->pool)
		return -ENOMEM;
	dev->free_head = NO_SLOT;
	for (unsigned int i = dev->nslots; i-- > 0;) {
		dev->slots[i].next_free = dev->free_head;
		dev->free_head = (uint16_t)i;
	}
	dev->free_slots = dev->nslots;
	/* No page yet: each is allocated when a request first needs it. */
	dev->free_page = NO_PAGE;
	for (unsigned int i = POOL_PAGES; i-- > 0;)
		put_page(dev, (uint16_t)i);
	return 0;
}

/* Our half of the handshake (the frontend adds event-channel and our state). */
static int write_ring_nodes(struct frontend *fe, xs_transaction_t t)
{
	struct blkfront *dev = to_dev(fe);
	int rc = 0;

	if (dev->ring_order == 0) {
		rc = frontend_write_node(fe, t, "ring-ref", "%u", dev->ring_refs[0]);
	} else {
		rc = frontend_write_node(fe, t, "ring-page-order", "%u", dev->ring_order);
		for (unsigned int i = 0; !rc && i < (1u << dev->ring_order); i++) {
			char node[16];

			snprintf(node, sizeof(node), "ring-ref%u", i);
			rc = frontend_write_node(fe, t, node, "%u", dev->ring_refs[i]);
		}
	}
	if (!rc)
		rc = frontend_write_node(fe, t, "protocol", "%s", XEN_IO_PROTO_ABI_X86_64);
	/* Our pool's pages are reused for every request, so the backend may keep them
	 * mapped; it says in its own node whether it will. */
	if (!rc)
		rc = frontend_write_node(fe, t, "feature-persistent", "%u", 1);
	return rc;
}

/* ---- disconnecting ------------------------------------------------------------ */

/* Closing: submitters waiting for room give up (-EIO). */
static void closing(struct frontend *fe)
{
	wait_queue_wake_all(&to_dev(fe)->room);
}

/* End every grant the pool still holds (persistent ones: the backend has unmapped them
 * by now) and free its pages; a page still mapped is freed once it lets go (gnttab). */
static void release_pool(struct blkfront *dev)
{
	unsigned int kept = 0;

	for (unsigned int i = 0; dev->pool && i < POOL_PAGES; i++) {
		struct pool_page *p = &dev->pool[i];

		if (p->ref != NO_GRANT)
			kept += gnttab_free_page(p->va, p->ref) != 0;
		else if (p->va)
			page_free(p->va, 1);
	}
	if (kept)
		printk("blkfront %s: backend still maps %u pages after it closed: kept from use "
		       "until it lets go\n",
		       dev->fe.name, kept);
	free(dev->pool);
	dev->pool = NULL;
	dev->free_page = NO_PAGE;
	dev->free_pages = 0;
}

/* The backend has let go: free what a (possibly half-made) disk holds. */
static void release(struct frontend *fe)
{
	struct blkfront *dev = to_dev(fe);

	if (dev->ring_mem)
		gnttab_free_pages(dev->ring_mem, 1u << dev->ring_order, dev->ring_refs);
	dev->ring_mem = NULL;
	release_pool(dev);
	free(dev->slots);
	dev->slots = NULL;
	dev->nslots = 0;
}

static void free_disk(struct frontend *fe)
{
	free(to_dev(fe));
}

static const struct frontend_ops blkfront_ops = {
	.driver = "blkfront",
	.class = "vbd",
	.probe = read_name,
	.alloc = alloc_ring,
	.write_nodes = write_ring_nodes,
	.publish_state = XenbusStateInitialised,
	.connected = read_disk_info,
	.process = handle_responses,
	.in_flight = in_flight,
	.next_deadline = next_deadline,
	.check_timeouts = check_timeouts,
	.closing = closing,
	.fail_all = fail_all,
	.release = release,
	.free = free_disk,
};

int blkfront_open(unsigned int index, struct blkfront **out)
{
	unsigned int vdevs[MAX_DISKS], n;
	struct blkfront *dev;
	int rc = frontend_list("vbd", vdevs, MAX_DISKS, &n);

	*out = NULL;
	if (rc || index >= n) {
		printk("blkfront: no disk %u (%u found)\n", index, rc ? 0 : n);
		return rc ? rc : -ENODEV;
	}
	dev = calloc(1, sizeof(*dev));
	if (!dev)
		return -ENOMEM;
	snprintf(dev->fe.name, sizeof(dev->fe.name), "vbd%u", vdevs[index]);
	wait_queue_init(&dev->room);
	rc = frontend_open(&dev->fe, &blkfront_ops, vdevs[index]);
	if (rc) {
		free(dev);
		return rc;
	}
	*out = dev;
	return 0;
}

void blkfront_close(struct blkfront *dev)
{
	frontend_close(&dev->fe);
}

const struct blkfront_info *blkfront_info(const struct blkfront *dev)
{
	return &dev->info;
}

void blkfront_set_read_only(struct blkfront *dev, bool ro)
{
	dev->refuse_writes = ro;
}

void blkfront_stats(const struct blkfront *dev, struct blkfront_stats *st)
{
	*st = (struct blkfront_stats){.ring_requests = dev->ring_requests,
				      .indirect = dev->indirect_requests,
				      .cut = dev->cut_requests};
	for (unsigned int i = 0; dev->pool && i < POOL_PAGES; i++) {
		const struct pool_page *p = &dev->pool[i];

		st->pages += p->va != NULL;
		st->granted += p->ref != NO_GRANT;
		st->mapped += p->ref != NO_GRANT && gnttab_in_use(p->ref);
	}
}
