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
 * is masked, and the rest of the appliance runs on.
 *
 * Threads: a submitter fills the ring; the event handler only wakes the disk's own
 * thread, which reads responses and runs completion callbacks.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <skiff/blkfront.h>
#include <skiff/shutdown.h>
#include <skiff/thread.h>
#include <skiff/xenstore.h>

#include "xenbus/event_throttle.h"
#include "xenbus/xenbus.h"
#include "libc/page_alloc.h"
#include "libc/printk.h"
#include "xen/events.h"
#include "xen/gnttab.h"
#include "xen/ring.h"
#include <xen/io/blkif.h>
#include <xen/io/protocols.h>

#define SEGS		      BLKIF_MAX_SEGMENTS_PER_REQUEST
#define SECTOR		      512
#define MAX_RING_ORDER	      2 /* 4 pages, 128 requests: more gains nothing here */
#define MAX_RING_PAGES	      (1u << MAX_RING_ORDER)
#define CONNECT_TIMEOUT_MS    30000 /* hotplug scripts under TCG take ~6 s */
#define DISCONNECT_TIMEOUT_MS 5000
#define REQUEST_TIMEOUT_NS    (30 * NSEC_PER_SEC)
#define NO_SLOT		      0xffffu
#define NO_GRANT	      0 /* refs 0-7 belong to the toolstack: never one of ours */
#define MAX_DISKS	      16

_Static_assert(BLK_MAX_REQUEST == SEGS * PAGE_SIZE, "BLK_MAX_REQUEST is 11 pages");

/* A request in flight, indexed by the id we give the backend. */
struct slot {
	struct blk_request *req; /* NULL while free */
	uint8_t op;		 /* BLKIF_OP_* sent */
	unsigned int nseg;
	grant_ref_t refs[SEGS];
	void *pages[SEGS]; /* bounce pages, zeroed when first allocated, kept for reuse */
	uint16_t next_free;
};

struct blkfront {
	struct xenbus_device xb;
	struct blkfront_info info;
	unsigned int vdev; /* the device number: our node is device/vbd/<vdev> */

	blkif_front_ring_t ring;
	void *ring_mem;
	grant_ref_t ring_refs[MAX_RING_PAGES];
	evtchn_port_t port;
	bool port_open;

	struct slot *slots;
	unsigned int nslots, in_flight;
	uint16_t free_head;
	struct wait_queue slot_freed; /* submitters wait here for a free slot */

	bool pending;		/* set by the event handler, cleared by the thread */
	struct wait_queue kick; /* the disk's thread waits here for events */
	struct event_throttle throttle;
	struct thread *thread;

	bool broken, closing, stop_thread;
	bool released; /* disconnected, everything but this struct given back */
	struct blkfront *next_open;
};

static struct blkfront *open_disks;
static bool hook_registered;

/* ---- discovery ---------------------------------------------------------------- */
int blkfront_count(void)
{
	unsigned int vdevs[MAX_DISKS], n;
	int rc = xenbus_list_devices("vbd", vdevs, MAX_DISKS, &n);

	return rc ? rc : (int)n;
}

/* ---- failure ------------------------------------------------------------------ */

/*
 * Withdraw the grants of a slot's pages; a page the backend still maps is dropped.
 * Each ref is forgotten once handled, so a second call (mark_broken() after a failed
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
		       dev->info.name, i, (long)(s - dev->slots));
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

/*
 * The backend broke the protocol (or stopped answering): log why, once, stop
 * listening to it and fail everything outstanding. The disk stays unusable until
 * blkfront_close().
 */
static void __attribute__((format(printf, 2, 3)))
mark_broken(struct blkfront *dev, const char *fmt, ...)
{
	va_list ap;

	if (dev->broken)
		return;
	dev->broken = true;
	if (dev->port_open)
		evtchn_mask(dev->port);
	printk("blkfront %s: ", dev->info.name);
	va_start(ap, fmt);
	vprintk(fmt, ap);
	va_end(ap);
	printk("; disk disabled, %u request(s) failed\n", dev->in_flight);

	for (unsigned int i = 0; i < dev->nslots; i++) {
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
		mark_broken(dev, "response for id %llu, which is not in flight",
			    (unsigned long long)rsp->id);
		return false;
	}
	s = &dev->slots[rsp->id];
	if (rsp->operation != s->op) {
		mark_broken(dev, "response to request %llu has operation %u, request had %u",
			    (unsigned long long)rsp->id, rsp->operation, s->op);
		return false;
	}
	if (status_to_errno(rsp->status, &err)) {
		mark_broken(dev, "response to request %llu has unknown status %d",
			    (unsigned long long)rsp->id, rsp->status);
		return false;
	}
	/* Withdraw the grants first: once that succeeded the backend cannot change the
	 * data any more, and only then is a read copied out. */
	if (end_slot_grants(dev, s)) {
		mark_broken(dev, "backend answered request %llu but kept its pages mapped",
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
	return !dev->closing;
}

static void handle_responses(struct blkfront *dev)
{
	int more;

	do {
		RING_IDX prod, cons;

		if (dev->broken || dev->closing)
			return;
		/* Read the producer once: the backend may move it (or garbage) at any time. */
		prod = READ_ONCE(dev->ring.sring->rsp_prod);
		virt_rmb(); /* the responses before prod are visible once prod is */
		cons = dev->ring.rsp_cons;
		if (prod - cons > dev->ring.req_prod_pvt - cons) {
			mark_broken(dev,
				    "backend claims %u responses, but only %u requests are "
				    "outstanding",
				    prod - cons, dev->ring.req_prod_pvt - cons);
			return;
		}
		for (; cons != prod; cons++) {
			struct blkif_response rsp;

			memcpy(&rsp, RING_GET_RESPONSE(&dev->ring, cons), sizeof(rsp));
			barrier(); /* use the copy only: never read the shared slot twice */
			dev->ring.rsp_cons = cons + 1;
			if (!complete(dev, &rsp))
				return;
		}
		RING_FINAL_CHECK_FOR_RESPONSES(&dev->ring, more);
	} while (more);
}

static void ring_event(evtchn_port_t port, void *arg)
{
	struct blkfront *dev = arg;

	dev->pending = true;
	wait_queue_wake_all(&dev->kick);
}

static int disk_thread(void *arg)
{
	struct blkfront *dev = arg;

	for (;;) {
		RING_IDX before;

		wait_event(&dev->kick, dev->pending || dev->stop_thread);
		if (dev->stop_thread)
			return 0;
		before = dev->ring.rsp_cons;
		dev->pending = false; /* before reading: an event after this is not lost */
		handle_responses(dev);
		if (!dev->broken && !dev->closing)
			event_throttle(&dev->throttle, dev->port, dev->ring.rsp_cons != before,
				       &dev->broken, dev->info.name);
	}
}

/* ---- requests ----------------------------------------------------------------- */

static int check_request(struct blkfront *dev, const struct blk_request *req)
{
	const struct blkfront_info *info = &dev->info;
	uint64_t per_sector = info->sector_size / SECTOR;

	if (dev->broken || dev->closing)
		return -EIO;
	if (!req->done)
		return -EINVAL;
	if (req->op == BLK_FLUSH)
		return info->flush || info->barrier ? 0 : -EOPNOTSUPP;
	if (req->op != BLK_READ && req->op != BLK_WRITE)
		return -EINVAL;
	if (req->op == BLK_WRITE && info->read_only)
		return -EROFS;
	if (!req->buf || req->len == 0 || req->len > BLK_MAX_REQUEST ||
	    req->len % info->sector_size || req->sector % per_sector)
		return -EINVAL;
	if (req->sector > info->sectors * per_sector ||
	    req->len / SECTOR > info->sectors * per_sector - req->sector)
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
		if (gnttab_grant_page(dev->xb.backend_id, *page, write, &s->refs[s->nseg]))
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
		.handle = (blkif_vdev_t)dev->vdev,
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
		evtchn_notify(dev->port);
}

int blkfront_submit(struct blkfront *dev, struct blk_request *req)
{
	struct slot *s;
	int rc = check_request(dev, req);

	if (rc)
		return rc;
	if (dev->free_head == NO_SLOT && thread_self() == dev->thread)
		return -EBUSY; /* a callback waiting for a slot would wait for itself */
	wait_event(&dev->slot_freed, dev->free_head != NO_SLOT || dev->broken || dev->closing);
	if (dev->broken || dev->closing)
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
	put_on_ring(dev, s, req);
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

static int sync_request(struct blkfront *dev, enum blk_op op, uint64_t sector, void *buf,
			size_t len)
{
	struct sync_wait w = {.done = false};
	struct blk_request req = {
		.op = op, .sector = sector, .buf = buf, .len = len, .done = sync_done, .arg = &w};
	int rc;

	wait_queue_init(&w.wq);
	rc = blkfront_submit(dev, &req);
	if (rc)
		return rc;
	if (!wait_event_timeout(&w.wq, w.done, REQUEST_TIMEOUT_NS)) {
		mark_broken(dev, "no answer to a request in %llu s",
			    (unsigned long long)(REQUEST_TIMEOUT_NS / NSEC_PER_SEC));
		return -ETIMEDOUT; /* mark_broken() completed it: nothing refers to w now */
	}
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

/* A backend node that may be absent (then def); present, it must parse. */
static int read_optional(struct blkfront *dev, const char *node, unsigned long long max,
			 unsigned long long def, unsigned long long *out)
{
	int rc = xenbus_read_backend_uint(&dev->xb, node, max, out);

	if (rc == -ENOENT) {
		*out = def;
		return 0;
	}
	if (rc)
		printk("blkfront %s: backend node %s is invalid (%d)\n", dev->info.name, node, rc);
	return rc;
}

/* What the backend tells about the disk once it is Connected (blkif.h, "Backend"). */
static int read_disk_info(struct blkfront *dev)
{
	struct blkfront_info *info = &dev->info;
	unsigned long long sectors, ssize, pssize, vinfo, flush, barrier;
	char *mode;
	int rc;

	rc = xenbus_read_backend_uint(&dev->xb, "sectors", UINT64_MAX >> 12, &sectors);
	if (!rc)
		rc = xenbus_read_backend_uint(&dev->xb, "sector-size", PAGE_SIZE, &ssize);
	if (!rc)
		rc = read_optional(dev, "info", UINT32_MAX, 0, &vinfo);
	if (!rc)
		rc = read_optional(dev, "physical-sector-size", 1u << 20, ssize, &pssize);
	if (!rc)
		rc = read_optional(dev, "feature-flush-cache", 1, 0, &flush);
	if (!rc)
		rc = read_optional(dev, "feature-barrier", 1, 0, &barrier);
	if (rc) {
		printk("blkfront %s: cannot read the disk's size and features (%d)\n", info->name,
		       rc);
		return rc;
	}
	if (ssize < SECTOR || !power_of_two(ssize) || pssize < ssize || !power_of_two(pssize)) {
		printk("blkfront %s: bad sector-size %llu / physical-sector-size %llu\n",
		       info->name, ssize, pssize);
		return -EINVAL;
	}
	info->sectors = sectors;
	info->sector_size = (unsigned int)ssize;
	info->physical_sector_size = (unsigned int)pssize;
	info->read_only = vinfo & VDISK_READONLY;
	info->removable = vinfo & VDISK_REMOVABLE;
	info->cdrom = vinfo & VDISK_CDROM;
	info->flush = flush;
	info->barrier = barrier;
	/* "mode" is what the toolstack asked for ("r" or "w"); either one makes it read-only. */
	if (xenbus_read_backend(&dev->xb, "mode", &mode) == 0) {
		if (strcmp(mode, "w") != 0)
			info->read_only = true;
		free(mode);
	}
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
static void read_name(struct blkfront *dev)
{
	char *name;

	if (xenbus_read_backend(&dev->xb, "dev", &name))
		return;
	if (plain_name(name, sizeof(dev->info.name)))
		strlcpy(dev->info.name, name, sizeof(dev->info.name));
	free(name);
}

static int alloc_ring(struct blkfront *dev, unsigned int order)
{
	unsigned int npages = 1u << order;

	dev->ring_mem = gnttab_alloc_pages(dev->xb.backend_id, npages, false, dev->ring_refs);
	if (!dev->ring_mem)
		return -ENOMEM;
	SHARED_RING_INIT((blkif_sring_t *)dev->ring_mem);
	FRONT_RING_INIT(&dev->ring, (blkif_sring_t *)dev->ring_mem, npages * PAGE_SIZE);
	dev->info.ring_pages = npages;

	dev->nslots = RING_SIZE(&dev->ring);
	dev->slots = calloc(dev->nslots, sizeof(*dev->slots));
	if (!dev->slots)
		return -ENOMEM;
	dev->free_head = NO_SLOT;
	for (unsigned int i = dev->nslots; i-- > 0;) {
		dev->slots[i].next_free = dev->free_head;
		dev->free_head = (uint16_t)i;
	}
	dev->info.max_in_flight = dev->nslots;
	return 0;
}

struct ring_nodes {
	struct blkfront *dev;
	unsigned int order;
};

/* Our half of the handshake, in one transaction: ring, event channel, ABI. */
static int write_ring_nodes(xs_transaction_t t, void *arg)
{
	struct ring_nodes *rn = arg;
	struct blkfront *dev = rn->dev;
	const char *me = dev->xb.nodename;
	char path[96];
	int rc = 0;

	if (rn->order == 0) {
		snprintf(path, sizeof(path), "%s/ring-ref", me);
		rc = xs_printf(t, path, "%u", dev->ring_refs[0]);
	} else {
		snprintf(path, sizeof(path), "%s/ring-page-order", me);
		rc = xs_printf(t, path, "%u", rn->order);
		for (unsigned int i = 0; !rc && i < (1u << rn->order); i++) {
			snprintf(path, sizeof(path), "%s/ring-ref%u", me, i);
			rc = xs_printf(t, path, "%u", dev->ring_refs[i]);
		}
	}
	snprintf(path, sizeof(path), "%s/event-channel", me);
	if (!rc)
		rc = xs_printf(t, path, "%u", dev->port);
	snprintf(path, sizeof(path), "%s/protocol", me);
	if (!rc)
		rc = xs_write(t, path, XEN_IO_PROTO_ABI_X86_64);
	return rc;
}

static int connect(struct blkfront *dev)
{
	struct ring_nodes rn = {.dev = dev};
	unsigned long long max_order;
	int rc, state;

	state = xenbus_wait_backend(&dev->xb,
				    1u << XenbusStateInitWait | 1u << XenbusStateInitialised |
					    1u << XenbusStateConnected,
				    CONNECT_TIMEOUT_MS);
	if (state < 0)
		return state;
	read_name(dev);
	rc = read_optional(dev, "max-ring-page-order", 16, 0, &max_order);
	if (rc)
		return rc;
	rn.order = max_order < MAX_RING_ORDER ? (unsigned int)max_order : MAX_RING_ORDER;

	rc = alloc_ring(dev, rn.order);
	if (!rc)
		rc = evtchn_alloc_unbound(dev->xb.backend_id, &dev->port);
	if (!rc) {
		dev->port_open = true; /* from here on release() closes it */
		rc = evtchn_bind(dev->port, ring_event, dev);
	}
	if (rc) {
		printk("blkfront %s: cannot set up the ring (%d)\n", dev->info.name, rc);
		return rc;
	}
	rc = xs_transact(write_ring_nodes, &rn);
	if (!rc)
		rc = xenbus_switch_state(&dev->xb, XenbusStateInitialised);
	if (rc) {
		printk("blkfront %s: cannot publish the ring (%d)\n", dev->info.name, rc);
		return rc;
	}

	state = xenbus_wait_backend(&dev->xb, 1u << XenbusStateConnected, CONNECT_TIMEOUT_MS);
	if (state < 0)
		return state;
	rc = read_disk_info(dev);
	if (!rc)
		rc = xenbus_switch_state(&dev->xb, XenbusStateConnected);
	if (rc)
		return rc;
	/* Last: once the thread runs, failing here would need to stop it first. */
	dev->thread = thread_create(dev->info.name, disk_thread, dev);
	return dev->thread ? 0 : -ENOMEM;
}

/* ---- disconnecting ------------------------------------------------------------ */

/* Free what a (possibly half-made) disk holds; its requests are finished. */
static void release(struct blkfront *dev)
{
	if (dev->port_open)
		evtchn_close(dev->port);
	dev->port_open = false;
	if (dev->ring_mem)
		gnttab_free_pages(dev->ring_mem, dev->info.ring_pages, dev->ring_refs);
	dev->ring_mem = NULL;
	for (unsigned int i = 0; dev->slots && i < dev->nslots; i++)
		for (unsigned int j = 0; j < SEGS; j++)
			if (dev->slots[i].pages[j])
				page_free(dev->slots[i].pages[j], 1);
	free(dev->slots);
	dev->slots = NULL;
	xenbus_device_release(&dev->xb);
}

static void unlink_open(struct blkfront *dev)
{
	for (struct blkfront **p = &open_disks; *p; p = &(*p)->next_open) {
		if (*p == dev) {
			*p = dev->next_open;
			return;
		}
	}
}

/* Disconnect and let go of everything the disk holds but its struct (the app's). */
static void disconnect_disk(struct blkfront *dev)
{
	bool from_own_thread = thread_self() == dev->thread;

	dev->closing = true;
	wait_queue_wake_all(&dev->slot_freed); /* waiting submitters fail with -EIO */
	if (!from_own_thread && !dev->broken &&
	    !wait_event_timeout(&dev->slot_freed, dev->in_flight == 0,
				(uint64_t)DISCONNECT_TIMEOUT_MS * NSEC_PER_MSEC))
		mark_broken(dev, "requests still unanswered at close");
	else if (from_own_thread && dev->in_flight)
		mark_broken(dev, "closed from a completion with requests in flight");
	xenbus_disconnect(&dev->xb, DISCONNECT_TIMEOUT_MS);

	dev->stop_thread = true;
	wait_queue_wake_all(&dev->kick);
	if (dev->thread && !from_own_thread)
		thread_join(dev->thread, NULL);
	release(dev);
	dev->released = true;
	printk("blkfront %s: disconnected\n", dev->info.name);
}

void blkfront_close(struct blkfront *dev)
{
	if (!dev->closing)
		disconnect_disk(dev);
	else if (!dev->released)
		return; /* another thread is disconnecting it right now */
	unlink_open(dev);
	if (thread_self() == dev->thread)
		return; /* the thread still runs on dev: leave it (the domain is stopping) */
	free(dev);
}

/*
 * The backend leaves while we are connected: `xl block-detach`, or the toolstack
 * tearing the device down. Follow it (Closing, Closed) so that the toolstack can finish,
 * and fail what is outstanding; the app's handle stays valid (requests get -EIO) until
 * it calls blkfront_close(). Runs in the xenstore watch thread.
 */
static void backend_leaving(void *arg, int state)
{
	struct blkfront *dev = arg;

	if (dev->closing)
		return; /* we are the ones leaving, or already gone */
	printk("blkfront %s: the backend is going away (%s): detaching\n", dev->info.name,
	       xenbus_state_name(state));
	disconnect_disk(dev);
}

static void close_all(void *arg)
{
	while (open_disks)
		blkfront_close(open_disks);
}

struct blkfront *blkfront_open(unsigned int index)
{
	unsigned int vdevs[MAX_DISKS], n;
	char node[64];
	struct blkfront *dev;
	int rc = xenbus_list_devices("vbd", vdevs, MAX_DISKS, &n);

	if (rc || index >= n) {
		printk("blkfront: no disk %u (%u found)\n", index, rc ? 0 : n);
		return NULL;
	}
	for (struct blkfront *d = open_disks; d; d = d->next_open) {
		if (d->vdev == vdevs[index]) {
			printk("blkfront %s: already open\n", d->info.name);
			return NULL;
		}
	}
	if (!hook_registered && skiff_at_shutdown(close_all, NULL) == 0)
		hook_registered = true;
	dev = calloc(1, sizeof(*dev));
	if (!dev)
		return NULL;
	dev->vdev = vdevs[index];
	snprintf(dev->info.name, sizeof(dev->info.name), "vbd%u", dev->vdev);
	wait_queue_init(&dev->slot_freed);
	wait_queue_init(&dev->kick);
	snprintf(node, sizeof(node), "device/vbd/%u", dev->vdev);
	rc = xenbus_device_init(&dev->xb, node);
	if (!rc)
		rc = connect(dev);
	if (rc) {
		printk("blkfront %s: not connected (%d)\n", dev->info.name, rc);
		if (dev->xb.watch)
			xenbus_switch_state(&dev->xb, XenbusStateClosed);
		release(dev);
		free(dev); /* (connect() makes the disk's thread only once nothing can fail) */
		return NULL;
	}
	dev->xb.on_backend_leaving = backend_leaving;
	dev->xb.on_backend_leaving_arg = dev;
	dev->next_open = open_disks;
	open_disks = dev;
	return dev;
}

const struct blkfront_info *blkfront_info(const struct blkfront *dev)
{
	return &dev->info;
}
