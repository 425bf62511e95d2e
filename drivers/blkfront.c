/*
 * blkfront: the frontend of Xen's split block device (xen/io/blkif.h is the spec).
 *
 * One shared ring per disk, of 1 to 4 pages: we put requests on it, blkback in dom0
 * puts responses, and each side signals the other through one event channel. A
 * request names up to 11 pages of ours by grant reference; the backend maps them and
 * reads (for a write) or fills (for a read) the sectors first_sect..last_sect of each.
 *
 * Data goes through bounce pages of the driver, never the caller's buffer: grants are
 * page-granular, so granting the caller's memory would show the backend whatever else
 * shares those pages (XSA-403), and a read is copied out only after the grant has
 * been withdrawn, so a backend cannot change data the caller already looks at.
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

#define SEGS		   BLKIF_MAX_SEGMENTS_PER_REQUEST
#define SECTOR		   512
#define MAX_RING_ORDER	   2 /* 4 pages, 128 requests: more gains nothing here */
#define MAX_RING_PAGES	   (1u << MAX_RING_ORDER)
#define REQUEST_TIMEOUT_NS (30 * NSEC_PER_SEC)
#define NO_SLOT		   0xffffu
#define NO_GRANT	   0 /* refs 0-7 belong to the toolstack: never one of ours */
#define MAX_DISKS	   16

_Static_assert(BLK_MAX_REQUEST == SEGS * PAGE_SIZE, "BLK_MAX_REQUEST is 11 pages");

/* A request in flight, indexed by the id we give the backend. */
struct slot {
	struct blk_request *req; /* NULL while free */
	uint8_t op;		 /* BLKIF_OP_* sent */
	unsigned int nseg;
	uint64_t deadline; /* system time by which the backend must have answered */
	grant_ref_t refs[SEGS];
	void *pages[SEGS]; /* bounce pages, zeroed when first allocated, kept for reuse */
	uint16_t next_free;
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
	unsigned int nslots, in_flight;
	uint16_t free_head;
	struct wait_queue slot_freed; /* submitters wait here for a free slot */
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

/* ---- failure ------------------------------------------------------------------ */

/*
 * Withdraw the grants of a slot's pages; a page the backend still maps is dropped.
 * Each ref is forgotten once handled, so a second call (fail_all() after a failed
 * completion) never ends a grant twice.
 */
static int end_slot_grants(struct blkfront *dev, struct slot *s)
{
	int rc = 0;

	for (unsigned int i = 0; i < s->nseg; i++) {
		grant_ref_t ref = s->refs[i];

		if (ref == NO_GRANT)
			continue;
		s->refs[i] = NO_GRANT;
		if (gnttab_end_access(ref) == 0)
			continue;
		printk("blkfront %s: backend still maps page %u of request %ld: page leaked\n",
		       dev->fe.name, i, (long)(s - dev->slots));
		s->pages[i] = NULL; /* never reuse or free it: the backend may still write */
		rc = -EBUSY;
	}
	return rc;
}

static void release_slot(struct blkfront *dev, struct slot *s)
{
	s->req = NULL;
	s->next_free = dev->free_head;
	dev->free_head = (uint16_t)(s - dev->slots);
	dev->in_flight--;
	wait_queue_wake_all(&dev->slot_freed);
}

/* Broken or closing: every request still outstanding fails with -EIO. */
static void fail_all(struct frontend *fe)
{
	struct blkfront *dev = to_dev(fe);

	for (unsigned int i = 0; dev->slots && i < dev->nslots; i++) {
		struct slot *s = &dev->slots[i];
		struct blk_request *req = s->req;

		if (!req)
			continue;
		end_slot_grants(dev, s);
		s->nseg = 0;
		release_slot(dev, s);
		req->done(req, -EIO);
	}
	wait_queue_wake_all(&dev->slot_freed);
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

/* Copy a finished read from the bounce pages into the caller's buffer. */
static void copy_out(struct slot *s)
{
	struct blk_request *req = s->req;
	size_t done = 0;

	for (unsigned int i = 0; i < s->nseg; i++) {
		size_t n = req->len - done < PAGE_SIZE ? req->len - done : PAGE_SIZE;

		memcpy((char *)req->buf + done, s->pages[i], n);
		done += n;
	}
}

/* Handle one response (already copied off the ring). false if it broke the disk. */
static bool complete(struct blkfront *dev, const struct blkif_response *rsp)
{
	struct slot *s;
	struct blk_request *req;
	int err;

	if (rsp->id >= dev->nslots || !dev->slots[rsp->id].req) {
		frontend_break(&dev->fe, "response for id %llu, which is not in flight",
			       (unsigned long long)rsp->id);
		return false;
	}
	s = &dev->slots[rsp->id];
	if (rsp->operation != s->op) {
		frontend_break(&dev->fe,
			       "response to request %llu has operation %u, request had %u",
			       (unsigned long long)rsp->id, rsp->operation, s->op);
		return false;
	}
	if (status_to_errno(rsp->status, &err)) {
		frontend_break(&dev->fe, "response to request %llu has unknown status %d",
			       (unsigned long long)rsp->id, rsp->status);
		return false;
	}
	/* Withdraw the grants first: once that succeeded the backend cannot change the
	 * data any more, and only then is a read copied out. */
	if (end_slot_grants(dev, s)) {
		frontend_break(&dev->fe, "backend answered request %llu but kept its pages mapped",
			       (unsigned long long)rsp->id);
		return false;
	}
	req = s->req;
	if (err == 0 && s->op == BLKIF_OP_READ)
		copy_out(s);
	s->nseg = 0;
	release_slot(dev, s);
	req->done(req, err);
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
	if (req->op == BLK_FLUSH)
		return info->flush || info->barrier ? 0 : -EOPNOTSUPP;
	if (req->op != BLK_READ && req->op != BLK_WRITE)
		return -EINVAL;
	if (req->op == BLK_WRITE && dev->refuse_writes)
		return -EROFS;
	if (!req->buf || req->len == 0 || req->len > BLK_MAX_REQUEST ||
	    req->len % info->sector_size || req->sector % per_sector)
		return -EINVAL;
	if (req->sector > dev->sectors512 || req->len / SECTOR > dev->sectors512 - req->sector)
		return -ERANGE;
	return 0;
}

/* Fill slot s's bounce pages for req and grant them to the backend. */
static int prepare_pages(struct blkfront *dev, struct slot *s, const struct blk_request *req)
{
	bool write = req->op == BLK_WRITE;
	size_t done = 0;

	s->nseg = 0;
	while (done < req->len) {
		size_t n = req->len - done < PAGE_SIZE ? req->len - done : PAGE_SIZE;
		void **page = &s->pages[s->nseg];

		if (!*page) {
			*page = page_alloc(1);
			if (!*page)
				goto fail;
			memset(*page, 0, PAGE_SIZE);
		}
		if (write)
			memcpy(*page, (const char *)req->buf + done, n);
		/* The backend only reads a write's pages: grant those read-only. */
		if (gnttab_grant_page(dev->fe.xb.backend_id, *page, write, &s->refs[s->nseg]))
			goto fail;
		s->nseg++;
		done += n;
	}
	return 0;
fail:
	end_slot_grants(dev, s); /* not yet known to the backend: cannot fail */
	s->nseg = 0;
	return -ENOMEM;
}

static void put_on_ring(struct blkfront *dev, struct slot *s, const struct blk_request *req)
{
	struct blkif_request r = {
		.operation = s->op,
		.nr_segments = (uint8_t)s->nseg,
		.handle = (blkif_vdev_t)dev->fe.id,
		.id = (uint64_t)(s - dev->slots),
		.sector_number = req->op == BLK_FLUSH ? 0 : req->sector,
	};
	size_t left = req->len;
	int notify;

	for (unsigned int i = 0; i < s->nseg; i++) {
		size_t n = left < PAGE_SIZE ? left : PAGE_SIZE;

		r.seg[i].gref = s->refs[i];
		r.seg[i].first_sect = 0;
		r.seg[i].last_sect = (uint8_t)(n / SECTOR - 1);
		left -= n;
	}
	memcpy(RING_GET_REQUEST(&dev->ring, dev->ring.req_prod_pvt), &r, sizeof(r));
	dev->ring.req_prod_pvt++;
	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&dev->ring, notify);
	if (notify)
		frontend_notify(&dev->fe);
}

int blkfront_submit(struct blkfront *dev, struct blk_request *req)
{
	struct slot *s;
	int rc = check_request(dev, req);

	if (rc)
		return rc;
	if (dev->free_head == NO_SLOT && thread_self() == dev->fe.thread)
		return -EBUSY; /* a callback waiting for a slot would wait for itself */
	wait_event(&dev->slot_freed, dev->free_head != NO_SLOT || !frontend_usable(&dev->fe));
	if (!frontend_usable(&dev->fe))
		return -EIO;

	s = &dev->slots[dev->free_head];
	if (req->op == BLK_FLUSH) {
		s->op = dev->info.flush ? BLKIF_OP_FLUSH_DISKCACHE : BLKIF_OP_WRITE_BARRIER;
		s->nseg = 0;
	} else {
		s->op = req->op == BLK_WRITE ? BLKIF_OP_WRITE : BLKIF_OP_READ;
		rc = prepare_pages(dev, s, req);
		if (rc)
			return rc;
	}
	dev->free_head = s->next_free;
	dev->in_flight++;
	s->req = req;
	s->deadline = deadline_after_ns(REQUEST_TIMEOUT_NS);
	put_on_ring(dev, s, req);
	if (dev->in_flight == 1)
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

/* Reads and writes of any length: one request of at most BLK_MAX_REQUEST at a time. */
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
	if (!dev->slots)
		return -ENOMEM;
	dev->free_head = NO_SLOT;
	for (unsigned int i = dev->nslots; i-- > 0;) {
		dev->slots[i].next_free = dev->free_head;
		dev->free_head = (uint16_t)i;
	}
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
	return rc;
}

/* ---- disconnecting ------------------------------------------------------------ */

/* Closing: submitters waiting for a slot give up (-EIO). */
static void closing(struct frontend *fe)
{
	wait_queue_wake_all(&to_dev(fe)->slot_freed);
}

/* The backend has let go: free what a (possibly half-made) disk holds. */
static void release(struct frontend *fe)
{
	struct blkfront *dev = to_dev(fe);

	if (dev->ring_mem)
		gnttab_free_pages(dev->ring_mem, 1u << dev->ring_order, dev->ring_refs);
	dev->ring_mem = NULL;
	for (unsigned int i = 0; dev->slots && i < dev->nslots; i++)
		for (unsigned int j = 0; j < SEGS; j++)
			if (dev->slots[i].pages[j])
				page_free(dev->slots[i].pages[j], 1);
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
	wait_queue_init(&dev->slot_freed);
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
