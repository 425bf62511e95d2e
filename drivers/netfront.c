/*
 * netfront: the frontend of Xen's split network device (xen/io/netif.h is the spec).
 *
 * Two rings of one page each, and one event channel, or one for each ring when the
 * backend offers feature-split-event-channels (then a TX answer does not make netback
 * look at RX, nor new RX pages at TX; our one thread serves both):
 *  - TX: we put a request per frame naming a granted page holding it; netback copies
 *    the frame out and answers with a status.
 *  - RX: we post empty granted pages ahead of time; netback copies each incoming
 *    packet into one or more of them (request-rx-copy, feature-sg) and answers in the
 *    same ring slots: a slot a page, in order, plus one slot of extra information (the
 *    GSO segment size) after the first page of a packet larger than a frame.
 *    Because an extra-information slot overwrites the answer's id, a slot's page is
 *    found by the slot's place on the ring, as the protocol requires of backends.
 * Every frame sent fits in one page (MTU 1500), so no fragment of ours ever crosses a
 * page boundary, which netback would refuse.
 *
 * The backend is not trusted. Each response is copied off the ring and checked: id in
 * range and in flight (RX: the id its slot was posted with), status known, offset +
 * length within the page, no flag we did not negotiate, a packet of at most 18 pages
 * and 64 KiB with at most one extra of the one kind we know (GSO, TCPv4). A violation marks the
 * interface broken (one log line, link down, event channel masked); the rest of the appliance runs
 * on. Received frames are handed on only after their page's grant has ended, so the backend cannot
 * change a frame while the stack parses it.
 *
 * Lending (zero copy): the rx callback may keep a packet's pages (netfront_rx_borrow)
 * instead of copying them, and give each back when done. Fresh pages take their places
 * on the ring; pages given back wait on a spare list for the next ones. A page on that
 * list has held nothing but what this backend wrote into it (and what the receiver
 * changed in place: netfront_rx_borrow's contract), so it is granted again without
 * being zeroed. The pages lent are bounded per device (a sixteenth of the
 * domain's memory, at most LEND_MAX); past that, borrowing fails and the caller copies.
 *
 * The handshake, the interface's thread, hot-unplug and close are the lifecycle every
 * frontend shares (xenbus/frontend.h); this file fills in its hooks. The interface's
 * thread reaps TX answers, takes received frames to the rx callback, and posts the
 * pages again.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <skiff/netfront.h>
#include <skiff/thread.h>
#include <skiff/xenstore.h>

#include "libc/page_alloc.h"
#include "libc/printk.h"
#include "xen/gnttab.h"
#include "xen/ring.h"
#include "xen/time.h"
#include "xenbus/frontend.h"
#include <xen/io/netif.h>

#define TX_SLOTS	    __CONST_RING_SIZE(netif_tx, PAGE_SIZE)		   /* 256 */
#define RX_SLOTS	    ((unsigned int)__CONST_RING_SIZE(netif_rx, PAGE_SIZE)) /* 256 */
#define TX_STALL_TIMEOUT_NS (30 * NSEC_PER_SEC)
#define NO_SLOT		    0xffffu
#define MAX_VIFS	    8
#define LEND_MAX	    512 /* pages (2 MiB) lent out at most, per device */

struct tx_slot {
	void *page; /* bounce page: the frame is copied here, at offset 0 */
	grant_ref_t ref;
	bool in_flight;
	uint16_t next_free;
};

struct rx_slot {
	void *page;
	grant_ref_t ref;
	bool posted; /* granted and on the ring, waiting for a frame */
};

struct netfront {
	struct frontend fe; /* first: the lifecycle's hooks get &dev->fe */
	struct netfront_info info;

	netif_tx_front_ring_t tx;
	netif_rx_front_ring_t rx;
	void *tx_ring_page, *rx_ring_page;
	grant_ref_t tx_ring_ref, rx_ring_ref;

	struct tx_slot tx_slots[TX_SLOTS];
	uint16_t tx_free;
	unsigned int tx_in_flight;
	struct wait_queue tx_freed;
	struct rx_slot rx_slots[RX_SLOTS]; /* by ring place: request i uses slot i % RX_SLOTS */

	void (*rx_fn)(struct netfront *dev, const struct netfront_rx *pkt, void *arg);
	void *rx_arg; /* for link_fn too */
	void (*link_fn)(struct netfront *dev, bool up, void *arg);
	bool link_fn_up; /* what link_fn was last told (up from the connect) */
	struct netfront_stats stats;

	const struct netfront_rx *delivering; /* the packet the rx callback has, if any */
	const struct rx_packet *delivering_pkt;
	unsigned int lent, lend_max; /* pages borrowed and not given back; the bound */
	unsigned int rx_posted_max;  /* pages kept on the RX ring (rx_ring_pages()) */
	void *spare;		     /* pages given back: a list through their first word */
	bool freed;		     /* closed with pages still lent: the last frees dev */
};

static struct netfront *to_dev(struct frontend *fe)
{
	return (struct netfront *)fe;
}

/* ---- discovery ---------------------------------------------------------------- */

int netfront_count(void)
{
	unsigned int ids[MAX_VIFS], n;
	int rc = frontend_list("vif", ids, MAX_VIFS, &n);

	return rc ? rc : (int)n;
}

/* ---- failure ------------------------------------------------------------------ */

/* End a grant: -EBUSY if the backend still maps the page, which is then the grant
 * table's: never reused by us, freed once the backend unmaps it. */
static int end_grant(void **page, grant_ref_t ref)
{
	if (gnttab_end_or_keep_later(ref, *page) == 0)
		return 0;
	*page = NULL;
	return -EBUSY;
}

/* Broken or closing: the link is down, and senders waiting for ring space fail. Frames
 * in flight need no answer of ours (the stack retransmits what it must). */
static void fail_all(struct frontend *fe)
{
	struct netfront *dev = to_dev(fe);

	dev->info.link_up = false;
	wait_queue_wake_all(&dev->tx_freed);
}

/* ---- TX ----------------------------------------------------------------------- */

static void reap_tx(struct netfront *dev)
{
	int more;

	do {
		RING_IDX prod, cons;

		if (dev->fe.broken || dev->fe.state == FRONTEND_CLOSED)
			return;
		prod = READ_ONCE(dev->tx.sring->rsp_prod);
		virt_rmb();
		cons = dev->tx.rsp_cons;
		if (prod - cons > dev->tx.req_prod_pvt - cons) {
			frontend_break(&dev->fe, "backend claims %u TX answers for %u requests",
				       prod - cons, dev->tx.req_prod_pvt - cons);
			return;
		}
		for (; cons != prod; cons++) {
			struct netif_tx_response rsp;
			struct tx_slot *s;
			int kept;

			memcpy(&rsp, RING_GET_RESPONSE(&dev->tx, cons), sizeof(rsp));
			barrier(); /* the copy only from here on */
			if (rsp.id >= TX_SLOTS || !dev->tx_slots[rsp.id].in_flight) {
				frontend_break(&dev->fe,
					       "TX answer for id %u, which is not in flight",
					       rsp.id);
				return;
			}
			if (rsp.status != NETIF_RSP_OKAY && rsp.status != NETIF_RSP_ERROR &&
			    rsp.status != NETIF_RSP_DROPPED) {
				frontend_break(&dev->fe, "TX answer with unknown status %d",
					       rsp.status);
				return;
			}
			s = &dev->tx_slots[rsp.id];
			kept = end_grant(&s->page, s->ref);
			s->in_flight = false;
			s->next_free = dev->tx_free;
			dev->tx_free = rsp.id;
			dev->tx_in_flight--;
			/* An answer is the backend's word that it let go of the page. */
			if (kept) {
				frontend_break(&dev->fe,
					       "backend answered TX request %u but kept its page "
					       "mapped",
					       rsp.id);
				return;
			}
			if (rsp.status == NETIF_RSP_ERROR)
				dev->stats.tx_errors++;
			else if (rsp.status == NETIF_RSP_DROPPED)
				dev->stats.tx_dropped++;
		}
		dev->tx.rsp_cons = prod;
		RING_FINAL_CHECK_FOR_RESPONSES(&dev->tx, more);
	} while (more);
	wait_queue_wake_all(&dev->tx_freed);
}

int netfront_send(struct netfront *dev, const struct net_fragment *frags, unsigned int nfrag,
		  unsigned int flags)
{
	struct netif_tx_request *req;
	struct tx_slot *s;
	size_t len = 0;
	uint16_t id;
	int notify;

	for (unsigned int i = 0; i < nfrag; i++)
		len += frags[i].len;
	if (len == 0 || len > NETFRONT_MAX_FRAME) {
		dev->stats.tx_errors++;
		return -EMSGSIZE;
	}
	if (dev->tx_free == NO_SLOT && thread_self() == dev->fe.thread)
		reap_tx(dev); /* the thread that frees slots cannot wait for itself */
	if (dev->tx_free == NO_SLOT && thread_self() == dev->fe.thread) {
		dev->stats.tx_dropped++;
		return -EAGAIN;
	}
	if (!wait_event_timeout(&dev->tx_freed,
				dev->tx_free != NO_SLOT || !frontend_usable(&dev->fe),
				TX_STALL_TIMEOUT_NS))
		frontend_break(&dev->fe, "TX ring full for %llu s: backend stopped taking frames",
			       (unsigned long long)(TX_STALL_TIMEOUT_NS / NSEC_PER_SEC));
	if (!frontend_usable(&dev->fe)) {
		dev->stats.tx_dropped++;
		return -EIO;
	}

	id = dev->tx_free;
	s = &dev->tx_slots[id];
	if (!s->page) {
		s->page = page_alloc(1);
		if (!s->page) {
			dev->stats.tx_dropped++;
			return -ENOMEM;
		}
		memset(s->page, 0, PAGE_SIZE); /* the backend may read all of it */
	}
	len = 0;
	for (unsigned int i = 0; i < nfrag; i++) {
		memcpy((char *)s->page + len, frags[i].data, frags[i].len);
		len += frags[i].len;
	}
	if (gnttab_grant_page(dev->fe.xb.backend_id, s->page, true, &s->ref)) {
		dev->stats.tx_dropped++;
		return -ENOMEM;
	}
	dev->tx_free = s->next_free;
	s->in_flight = true;
	dev->tx_in_flight++;

	req = RING_GET_REQUEST(&dev->tx, dev->tx.req_prod_pvt);
	req->gref = s->ref;
	req->offset = 0;
	/* One slot. A blank checksum is netback's to complete; the data itself is as the
	 * sender made it, which data_validated says (Linux's netfront sets both too). */
	req->flags = 0;
	if ((flags & NETFRONT_TX_CSUM_BLANK) && dev->info.tx_csum_offload) {
		req->flags = NETTXF_csum_blank | NETTXF_data_validated;
		dev->stats.tx_csum_blank++;
	}
	req->id = id;
	req->size = (uint16_t)len;
	dev->tx.req_prod_pvt++;
	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&dev->tx, notify);
	if (notify)
		frontend_notify_on(&dev->fe, 0); /* TX's channel */
	dev->stats.tx_frames++;
	dev->stats.tx_bytes += len;
	return 0;
}

/* ---- RX ----------------------------------------------------------------------- */

/* Pages go on the RX ring while connecting and connected: none once closing. */
static bool may_post_rx(const struct netfront *dev)
{
	return !dev->fe.broken &&
	       (dev->fe.state == FRONTEND_CONNECTING || dev->fe.state == FRONTEND_CONNECTED);
}

/* The slot of ring place idx (requests and their answers share it). */
static struct rx_slot *rx_slot_at(struct netfront *dev, RING_IDX idx)
{
	return &dev->rx_slots[idx % RX_SLOTS];
}

/* A page given back, for slot s: false if there is none. */
static bool take_spare(struct netfront *dev, struct rx_slot *s)
{
	void *page = dev->spare;

	if (!page)
		return false;
	dev->spare = *(void **)page;
	*(void **)page = NULL; /* the link was ours, not the backend's */
	s->page = page;
	return true;
}

static void free_spares(struct netfront *dev)
{
	while (dev->spare) {
		void *page = dev->spare;

		dev->spare = *(void **)page;
		page_free(page, 1);
	}
}

/*
 * How many pages to keep on the RX ring: all 256 (1 MiB) once the domain has 8 MiB, an
 * eighth of its memory below that, so that a small domain keeps pages for sending and
 * for its app (in 2 MiB, a full ring left TX no page: no ARP answer went out). Never
 * fewer than RX_POSTED_MIN, which a packet of 18 pages and its extra need with room
 * to spare: netback waits for that many and, after a minute, takes the link down.
 */
#define RX_POSTED_MIN 32
static unsigned int rx_ring_pages(void)
{
	unsigned long n = page_alloc_total_pages() / 8;

	return n < RX_POSTED_MIN ? RX_POSTED_MIN : n > RX_SLOTS ? RX_SLOTS : (unsigned int)n;
}

/* Put a page (back) on every free place of the ring, up to rx_posted_max. */
static void post_rx(struct netfront *dev)
{
	bool posted = false;
	int notify;

	while (may_post_rx(dev) && !RING_FULL(&dev->rx) &&
	       dev->rx.req_prod_pvt - dev->rx.rsp_cons < dev->rx_posted_max) {
		RING_IDX idx = dev->rx.req_prod_pvt;
		struct rx_slot *s = rx_slot_at(dev, idx);
		struct netif_rx_request *req;

		if (!s->page && !take_spare(dev, s)) {
			s->page = page_alloc(1);
			if (!s->page)
				break; /* fewer buffers, not an error: try again later */
			memset(s->page, 0, PAGE_SIZE);
		}
		if (gnttab_grant_page(dev->fe.xb.backend_id, s->page, false, &s->ref))
			break;
		s->posted = true;
		req = RING_GET_REQUEST(&dev->rx, idx);
		req->id = (uint16_t)(idx % RX_SLOTS);
		req->gref = s->ref;
		dev->rx.req_prod_pvt++;
		posted = true;
	}
	if (!posted)
		return;
	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&dev->rx, notify);
	if (notify)
		frontend_notify_on(&dev->fe, 1); /* RX's, when split */
}

/* One received packet, as read off the ring: where its pieces are, what it says. */
struct rx_packet {
	unsigned int slots; /* ring places it takes, extras included */
	unsigned int nfrag;
	struct {
		RING_IDX idx;
		uint16_t offset, len;
	} frag[NETFRONT_MAX_RX_FRAGS];
	size_t len;
	unsigned int flags, gso_size;
	bool error; /* the backend answered a piece with an error: dropped, not broken */
};

/* Check one piece's answer at ring place idx (first: the packet's first piece). */
static int check_rx_piece(struct netfront *dev, RING_IDX idx, const struct netif_rx_response *rsp,
			  bool first, struct rx_packet *pkt)
{
	const uint16_t first_flags =
		NETRXF_data_validated | NETRXF_csum_blank | NETRXF_more_data | NETRXF_extra_info;

	if (rsp->id != idx % RX_SLOTS || !rx_slot_at(dev, idx)->posted) {
		frontend_break(&dev->fe, "RX answer for id %u in ring slot %u, not posted there",
			       rsp->id, idx % RX_SLOTS);
		return -1;
	}
	/* The flags of the packet are on its first piece; the others may only say more
	 * follow (and a prefix GSO slot, feature-gso-tcpv4-prefix, was not asked for). */
	if (rsp->flags & ~(first ? first_flags : NETRXF_more_data)) {
		frontend_break(&dev->fe, "RX answer with flags %#x, not negotiated", rsp->flags);
		return -1;
	}
	if (rsp->status < 0) {
		pkt->error = true;
		return 0;
	}
	/* An offset of PAGE_SIZE would make the piece point at the next page, which is not
	 * the backend's (a borrowed piece gives its page back by that pointer). */
	if ((first && rsp->status == 0) || rsp->offset >= PAGE_SIZE ||
	    (size_t)rsp->offset + (size_t)rsp->status > PAGE_SIZE) {
		frontend_break(&dev->fe, "RX answer of %d bytes at offset %u does not fit its page",
			       rsp->status, rsp->offset);
		return -1;
	}
	if (pkt->nfrag == NETFRONT_MAX_RX_FRAGS) {
		frontend_break(&dev->fe, "RX packet of more than %d pages", NETFRONT_MAX_RX_FRAGS);
		return -1;
	}
	pkt->frag[pkt->nfrag].idx = idx;
	pkt->frag[pkt->nfrag].offset = rsp->offset;
	pkt->frag[pkt->nfrag].len = (uint16_t)rsp->status;
	pkt->nfrag++;
	pkt->len += (size_t)rsp->status;
	if (pkt->len > NETFRONT_MAX_RX_BYTES) {
		frontend_break(&dev->fe, "RX packet of more than %d bytes", NETFRONT_MAX_RX_BYTES);
		return -1;
	}
	return 0;
}

/* The one extra we negotiated: GSO of TCPv4 (feature-gso-tcpv4), once a packet. */
static int check_rx_extra(struct netfront *dev, const struct netif_extra_info *x,
			  struct rx_packet *pkt)
{
	if (x->type != XEN_NETIF_EXTRA_TYPE_GSO || pkt->gso_size) {
		frontend_break(&dev->fe, "RX extra of type %u, not negotiated (or a second GSO)",
			       x->type);
		return -1;
	}
	if (x->u.gso.type != XEN_NETIF_GSO_TYPE_TCPV4 || x->u.gso.size == 0) {
		frontend_break(&dev->fe, "RX GSO extra of type %u, size %u: not TCPv4 GSO",
			       x->u.gso.type, x->u.gso.size);
		return -1;
	}
	pkt->gso_size = x->u.gso.size;
	return 0;
}

/*
 * Read the packet that starts at ring place cons, up to prod: 1 when it is all there
 * (*pkt describes it), 0 when its end has not been answered yet, -1 when the answers
 * broke the protocol (the device is broken).
 */
static int read_rx_packet(struct netfront *dev, RING_IDX cons, RING_IDX prod, struct rx_packet *pkt)
{
	struct netif_rx_response rsp;
	RING_IDX idx = cons;
	bool more_extras;

	memset(pkt, 0, sizeof(*pkt));
	memcpy(&rsp, RING_GET_RESPONSE(&dev->rx, idx), sizeof(rsp));
	barrier(); /* the copy only from here on */
	if (check_rx_piece(dev, idx, &rsp, true, pkt))
		return -1;
	idx++;
	pkt->flags = rsp.flags;
	more_extras = rsp.flags & NETRXF_extra_info;
	while (more_extras) {
		struct netif_extra_info x;

		if (idx == prod)
			goto incomplete;
		memcpy(&x, RING_GET_RESPONSE(&dev->rx, idx), sizeof(x));
		barrier();
		if (!rx_slot_at(dev, idx)->posted) {
			frontend_break(&dev->fe, "RX extra in ring slot %u, not posted",
				       idx % RX_SLOTS);
			return -1;
		}
		if (check_rx_extra(dev, &x, pkt))
			return -1;
		more_extras = x.flags & XEN_NETIF_EXTRA_FLAG_MORE;
		idx++;
	}
	while (rsp.flags & NETRXF_more_data) {
		if (idx == prod)
			goto incomplete;
		memcpy(&rsp, RING_GET_RESPONSE(&dev->rx, idx), sizeof(rsp));
		barrier();
		if (check_rx_piece(dev, idx, &rsp, false, pkt))
			return -1;
		idx++;
	}
	pkt->slots = idx - cons;
	return 1;

incomplete:
	/* The rest may still come, unless every posted page is answered already. */
	if (prod - cons >= dev->rx.req_prod_pvt - cons) {
		frontend_break(&dev->fe, "RX packet goes on past the %u pages posted",
			       dev->rx.req_prod_pvt - cons);
		return -1;
	}
	return 0;
}

/* Take the packet's pages back from the backend, then hand it to the rx callback. */
static void deliver_rx_packet(struct netfront *dev, RING_IDX cons, const struct rx_packet *pkt)
{
	struct net_fragment frags[NETFRONT_MAX_RX_FRAGS];
	struct netfront_rx rx = {.frags = frags, .nfrag = pkt->nfrag, .len = pkt->len};
	int kept = 0;

	for (unsigned int i = 0; i < pkt->slots; i++) {
		struct rx_slot *s = rx_slot_at(dev, cons + i);

		s->posted = false;
		kept |= end_grant(&s->page, s->ref); /* before the packet is looked at */
	}
	dev->rx.rsp_cons = cons + pkt->slots;
	dev->stats.rx_slots += pkt->slots;
	/* An answer is the backend's word that it let go of the page: one that keeps it
	 * would cost a page and a grant each time. */
	if (kept) {
		frontend_break(&dev->fe, "backend answered RX request %u but kept its page mapped",
			       (unsigned int)(cons % RX_SLOTS));
		return;
	}
	for (unsigned int i = 0; i < pkt->nfrag; i++) {
		struct rx_slot *s = rx_slot_at(dev, pkt->frag[i].idx);

		frags[i] = (struct net_fragment){(char *)s->page + pkt->frag[i].offset,
						 pkt->frag[i].len};
	}
	if (pkt->error) {
		dev->stats.rx_errors++;
		return;
	}
	/* Too long for the stack (NETFRONT_MAX_PACKET), yet within the protocol: a full
	 * 64 KiB datagram GRO made in dom0. Dropped: TCP sends it again, cut smaller. */
	if (pkt->len > NETFRONT_MAX_PACKET || dev->fe.state != FRONTEND_CONNECTED) {
		dev->stats.rx_dropped++;
		return;
	}
	if (pkt->flags & NETRXF_csum_blank) {
		rx.flags |= NETFRONT_RX_CSUM_BLANK;
		dev->stats.rx_csum_blank++;
	}
	if (pkt->flags & NETRXF_data_validated)
		rx.flags |= NETFRONT_RX_VALIDATED;
	rx.gso_size = pkt->gso_size;
	if (pkt->gso_size)
		dev->stats.rx_gso++;
	dev->stats.rx_frames++;
	dev->stats.rx_bytes += pkt->len;
	if (dev->rx_fn) {
		dev->delivering = &rx;
		dev->delivering_pkt = pkt;
		dev->rx_fn(dev, &rx, dev->rx_arg);
		dev->delivering = NULL;
	}
}

int netfront_rx_borrow(struct netfront *dev, const struct netfront_rx *rx)
{
	const struct rx_packet *pkt = dev->delivering_pkt;

	if (rx != dev->delivering)
		return -EINVAL; /* not the packet the callback was given */
	if (dev->lent + pkt->nfrag > dev->lend_max)
		return -ENOSPC;
	/* The slots' pages are the caller's now; post_rx() finds others for them. */
	for (unsigned int i = 0; i < pkt->nfrag; i++)
		rx_slot_at(dev, pkt->frag[i].idx)->page = NULL;
	dev->lent += pkt->nfrag;
	dev->stats.rx_lent += pkt->nfrag;
	dev->delivering = NULL; /* once */
	return 0;
}

void netfront_rx_give_back(struct netfront *dev, const void *data)
{
	void *page = (void *)((uintptr_t)data & ~(uintptr_t)(PAGE_SIZE - 1));

	dev->lent--;
	if (dev->freed) { /* closed and gone but for its lent pages */
		page_free(page, 1);
		if (!dev->lent)
			free(dev);
		return;
	}
	*(void **)page = dev->spare;
	dev->spare = page;
}

static void receive(struct netfront *dev)
{
	int more;

	do {
		RING_IDX prod, cons;

		if (dev->fe.broken || dev->fe.state == FRONTEND_CLOSED)
			return;
		prod = READ_ONCE(dev->rx.sring->rsp_prod);
		virt_rmb();
		cons = dev->rx.rsp_cons;
		if (prod - cons > dev->rx.req_prod_pvt - cons) {
			frontend_break(&dev->fe, "backend claims %u RX answers for %u posted pages",
				       prod - cons, dev->rx.req_prod_pvt - cons);
			return;
		}
		while (cons != prod) {
			struct rx_packet pkt;
			int rc = read_rx_packet(dev, cons, prod, &pkt);

			if (rc < 0)
				return;
			if (rc == 0)
				break; /* the rest of it is still to come */
			deliver_rx_packet(dev, cons, &pkt);
			cons += pkt.slots;
			/* The callback may have closed the interface (its rings are gone) or
			 * broken it (through a send): stop either way. */
			if (!frontend_usable(&dev->fe))
				return;
		}
		if (cons == prod) {
			RING_FINAL_CHECK_FOR_RESPONSES(&dev->rx, more);
		} else {
			/* A packet's first answers without its last: ask for an event at the
			 * next answer (the ring's macro would ask for one past rsp_cons, the
			 * packet's start, which has come already). */
			dev->rx.sring->rsp_event = prod + 1;
			virt_mb();
			more = READ_ONCE(dev->rx.sring->rsp_prod) != prod;
		}
	} while (more);
}

/* The event channel fired (or the interface is closing and waits for TX answers). */
static bool process(struct frontend *fe)
{
	struct netfront *dev = to_dev(fe);
	RING_IDX tx_before = dev->tx.rsp_cons, rx_before = dev->rx.rsp_cons;

	reap_tx(dev);
	receive(dev);
	post_rx(dev); /* not while closing: may_post_rx() */
	/* a TX or RX answer consumed: work, not noise */
	return dev->tx.rsp_cons != tx_before || dev->rx.rsp_cons != rx_before;
}

static unsigned int in_flight(struct frontend *fe)
{
	return to_dev(fe)->tx_in_flight;
}

/* ---- connecting --------------------------------------------------------------- */

/* Our half of the handshake (the frontend adds event-channel and our state). */
static int write_ring_nodes(struct frontend *fe, xs_transaction_t t)
{
	struct netfront *dev = to_dev(fe);
	/* Not written, so its default holds: feature-no-csum-offload (0: we complete a
	 * blank checksum ourselves, skiff_netif.c). */
	static const char *const flags[] = {
		"request-rx-copy",   /* netback copies into our pages (no page flipping) */
		"feature-rx-notify", /* we notify when we post RX pages: no polling */
		"feature-sg",	     /* a packet may take several pages */
		"feature-gso-tcpv4", /* TCP packets of up to 64 KiB, not cut into frames */
	};
	int rc = frontend_write_node(fe, t, "tx-ring-ref", "%u", dev->tx_ring_ref);

	if (!rc)
		rc = frontend_write_node(fe, t, "rx-ring-ref", "%u", dev->rx_ring_ref);
	for (unsigned int i = 0; !rc && i < sizeof(flags) / sizeof(flags[0]); i++)
		rc = frontend_write_node(fe, t, flags[i], "1");
	return rc;
}

/* Our mac, which the toolstack wrote in our own directory: required. */
static int read_mac(struct frontend *fe)
{
	struct netfront *dev = to_dev(fe);
	char path[96];
	int rc;

	snprintf(path, sizeof(path), "%s/mac", fe->xb.nodename);
	rc = xs_read_mac(XS_NO_TRANSACTION, path, dev->info.mac);
	if (rc) {
		char *raw = NULL;

		xs_read(XS_NO_TRANSACTION, path, &raw);
		printk("netfront %s: malformed mac '%s' (%s): the interface stays down\n", fe->name,
		       raw ? raw : "(none)", strerror_name(-rc));
		free(raw);
	}
	return rc;
}

/* Two event channels if the backend offers them; a malformed value is read as no. */
static bool split_events(struct frontend *fe)
{
	unsigned long long split;

	return xenbus_read_backend_uint(&fe->xb, "feature-split-event-channels", 1, &split) == 0 &&
	       split;
}

static int alloc_rings(struct frontend *fe)
{
	struct netfront *dev = to_dev(fe);
	unsigned long long rx_copy, no_csum;
	int rc = xenbus_read_backend_uint(&fe->xb, "feature-rx-copy", 1, &rx_copy);

	if (rc || !rx_copy) {
		printk("netfront %s: backend does not offer feature-rx-copy\n", fe->name);
		return -EOPNOTSUPP;
	}
	/* netif.h: IPv4 checksum offload is on unless the backend says otherwise. A
	 * malformed value is read as off: the safe side. */
	rc = xenbus_read_backend_uint(&fe->xb, "feature-no-csum-offload", 1, &no_csum);
	dev->info.tx_csum_offload = rc == -ENOENT || (!rc && !no_csum);
	dev->info.split_events = fe->nr_ports == 2;
	dev->tx_ring_page = gnttab_alloc_page(fe->xb.backend_id, false, &dev->tx_ring_ref);
	dev->rx_ring_page = gnttab_alloc_page(fe->xb.backend_id, false, &dev->rx_ring_ref);
	if (!dev->tx_ring_page || !dev->rx_ring_page)
		return -ENOMEM;
	SHARED_RING_INIT((netif_tx_sring_t *)dev->tx_ring_page);
	FRONT_RING_INIT(&dev->tx, (netif_tx_sring_t *)dev->tx_ring_page, PAGE_SIZE);
	SHARED_RING_INIT((netif_rx_sring_t *)dev->rx_ring_page);
	FRONT_RING_INIT(&dev->rx, (netif_rx_sring_t *)dev->rx_ring_page, PAGE_SIZE);
	dev->tx_free = NO_SLOT;
	for (unsigned int i = TX_SLOTS; i-- > 0;) {
		dev->tx_slots[i].next_free = dev->tx_free;
		dev->tx_free = (uint16_t)i;
	}
	return 0;
}

/* Both ends Connected: fill the RX ring, and the link is up. */
static int connected(struct frontend *fe)
{
	struct netfront *dev = to_dev(fe);

	post_rx(dev);
	dev->info.link_up = dev->link_fn_up = true;
	printk("netfront %s: %02x:%02x:%02x:%02x:%02x:%02x, backend %s%s\n", fe->name,
	       dev->info.mac[0], dev->info.mac[1], dev->info.mac[2], dev->info.mac[3],
	       dev->info.mac[4], dev->info.mac[5], fe->xb.backend,
	       dev->info.split_events ? ", split event channels" : "");
	return 0;
}

/* ---- disconnecting ------------------------------------------------------------ */

/* What the interface carried, once, as it closes: which offloads were used. */
static void log_counters(const struct netfront *dev)
{
	const struct netfront_stats *st = &dev->stats;

	if (!st->rx_frames && !st->tx_frames)
		return;
	printk("netfront %s: received %llu packets, %llu bytes (%llu GSO, %llu ring slots, "
	       "%llu with a blank checksum, %llu pages lent); sent %llu frames (%llu checksums "
	       "left to the backend)\n",
	       dev->fe.name, (unsigned long long)st->rx_frames, (unsigned long long)st->rx_bytes,
	       (unsigned long long)st->rx_gso, (unsigned long long)st->rx_slots,
	       (unsigned long long)st->rx_csum_blank, (unsigned long long)st->rx_lent,
	       (unsigned long long)st->tx_frames, (unsigned long long)st->tx_csum_blank);
}

/* The app's stack hears the link is down, once: a break and the close after it both
 * come here. */
static void tell_link_down(struct netfront *dev)
{
	if (!dev->link_fn_up)
		return;
	dev->link_fn_up = false;
	if (dev->link_fn)
		dev->link_fn(dev, false, dev->rx_arg);
}

/* Broken by its backend: the link goes down for the stack too, so that senders get an
 * error at once (lwIP routes nothing over a link that is down) and DHCP or the app can
 * react. In the device's thread, which holds no lock the callback takes. */
static void broken(struct frontend *fe)
{
	tell_link_down(to_dev(fe));
}

/*
 * Closing: the link goes down first. Senders waiting for ring space give up before the
 * link callback runs: one may hold the lock it takes (lwIP's core lock). Frames already
 * queued may still go out while the lifecycle waits for their answers.
 */
static void closing(struct frontend *fe)
{
	struct netfront *dev = to_dev(fe);

	dev->info.link_up = false;
	wait_queue_wake_all(&dev->tx_freed);
	tell_link_down(dev);
	log_counters(dev);
}

static void release(struct frontend *fe)
{
	struct netfront *dev = to_dev(fe);
	unsigned int kept = 0;

	if (dev->tx_ring_page)
		gnttab_free_page(dev->tx_ring_page, dev->tx_ring_ref);
	if (dev->rx_ring_page)
		gnttab_free_page(dev->rx_ring_page, dev->rx_ring_ref);
	dev->tx_ring_page = dev->rx_ring_page = NULL;
	for (unsigned int i = 0; i < TX_SLOTS; i++) {
		struct tx_slot *s = &dev->tx_slots[i];

		if (s->in_flight && end_grant(&s->page, s->ref))
			kept++;
		s->in_flight = false;
		if (s->page)
			page_free(s->page, 1);
		s->page = NULL;
	}
	dev->tx_in_flight = 0;
	for (unsigned int i = 0; i < RX_SLOTS; i++) {
		struct rx_slot *s = &dev->rx_slots[i];

		if (s->posted && end_grant(&s->page, s->ref))
			kept++;
		s->posted = false;
		if (s->page)
			page_free(s->page, 1);
		s->page = NULL;
	}
	/* They held this backend's data: not for the next one, if there is one. */
	free_spares(dev);
	if (kept)
		printk("netfront %s: backend still maps %u pages after it closed: kept from use "
		       "until it lets go\n",
		       dev->fe.name, kept);
}

static void free_vif(struct frontend *fe)
{
	struct netfront *dev = to_dev(fe);

	free_spares(dev);
	if (dev->lent)
		dev->freed = true; /* netfront_rx_give_back frees it with the last page */
	else
		free(dev);
}

static const struct frontend_ops netfront_ops = {
	.driver = "netfront",
	.class = "vif",
	.probe = read_mac,
	.split_events = split_events,
	.split_event_nodes = {"event-channel-tx", "event-channel-rx"},
	.alloc = alloc_rings,
	.write_nodes = write_ring_nodes,
	.publish_state = XenbusStateConnected, /* netback waits for our Connected */
	.connected = connected,
	.process = process,
	.in_flight = in_flight,
	.closing = closing,
	.fail_all = fail_all,
	.broken = broken,
	.release = release,
	.free = free_vif,
};

int netfront_open(unsigned int index,
		  void (*rx)(struct netfront *dev, const struct netfront_rx *pkt, void *arg),
		  void *arg, struct netfront **out)
{
	unsigned int ids[MAX_VIFS], n;
	struct netfront *dev;
	int rc = frontend_list("vif", ids, MAX_VIFS, &n);

	*out = NULL;
	if (rc || index >= n) {
		printk("netfront: no interface %u (%u found)\n", index, rc ? 0 : n);
		return rc ? rc : -ENODEV;
	}
	dev = calloc(1, sizeof(*dev));
	if (!dev)
		return -ENOMEM;
	dev->rx_fn = rx;
	dev->rx_arg = arg;
	dev->info.mtu = NETFRONT_MTU;
	dev->rx_posted_max = rx_ring_pages();
	dev->lend_max = (unsigned int)(page_alloc_total_pages() / 16);
	if (dev->lend_max > LEND_MAX)
		dev->lend_max = LEND_MAX;
	snprintf(dev->fe.name, sizeof(dev->fe.name), "vif%u", ids[index]);
	strlcpy(dev->info.name, dev->fe.name, sizeof(dev->info.name));
	wait_queue_init(&dev->tx_freed);
	rc = frontend_open(&dev->fe, &netfront_ops, ids[index]);
	if (rc) {
		free(dev);
		return rc;
	}
	*out = dev;
	return 0;
}

void netfront_close(struct netfront *dev)
{
	frontend_close(&dev->fe);
}

void netfront_set_link_callback(struct netfront *dev,
				void (*fn)(struct netfront *dev, bool up, void *arg))
{
	dev->link_fn = fn;
}

const struct netfront_info *netfront_info(const struct netfront *dev)
{
	return &dev->info;
}

void netfront_stats(const struct netfront *dev, struct netfront_stats *stats)
{
	*stats = dev->stats;
}
