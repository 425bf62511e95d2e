/*
 * netfront: the frontend of Xen's split network device (xen/io/netif.h is the spec).
 *
 * Two rings share one page each and one event channel:
 *  - TX: we put a request per frame naming a granted page holding it; netback copies
 *    the frame out and answers with a status.
 *  - RX: we post empty granted pages ahead of time; netback copies each incoming frame
 *    into one (request-rx-copy) and answers with its offset and length.
 * Every frame fits in one page (MTU 1500, no scatter-gather or GSO negotiated), so no
 * fragment ever crosses a page boundary, which netback would refuse.
 *
 * The backend is not trusted. Each response is copied off the ring and checked: id in
 * range and in flight, status known, offset + length within the page, no flag we did
 * not negotiate. A violation marks the interface broken (one log line, link down,
 * event channel masked); the rest of the appliance runs on. Received frames are handed
 * on only after their page's grant has ended, so the backend cannot change a frame
 * while the stack parses it.
 *
 * Threads: the event handler only wakes the interface's thread, which reaps TX
 * answers, takes received frames to the rx callback, and posts the pages again.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <skiff/netfront.h>
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
#include <xen/io/netif.h>

#define TX_SLOTS	      __CONST_RING_SIZE(netif_tx, PAGE_SIZE) /* 256 */
#define RX_SLOTS	      __CONST_RING_SIZE(netif_rx, PAGE_SIZE) /* 256 */
#define CONNECT_TIMEOUT_MS    30000 /* the vif hotplug script under TCG takes seconds */
#define DISCONNECT_TIMEOUT_MS 5000
#define TX_STALL_TIMEOUT_NS   (30 * NSEC_PER_SEC)
#define NO_SLOT		      0xffffu
#define MAX_VIFS	      8

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
	struct xenbus_device xb;
	struct netfront_info info;
	unsigned int handle; /* the vif number: our node is device/vif/<handle> */

	netif_tx_front_ring_t tx;
	netif_rx_front_ring_t rx;
	void *tx_ring_page, *rx_ring_page;
	grant_ref_t tx_ring_ref, rx_ring_ref;
	evtchn_port_t port;
	bool port_open;

	struct tx_slot tx_slots[TX_SLOTS];
	uint16_t tx_free;
	unsigned int tx_in_flight;
	struct wait_queue tx_freed;
	struct rx_slot rx_slots[RX_SLOTS];
	uint16_t rx_unposted[RX_SLOTS]; /* ids to post (again): a stack, so a refill costs
					 * the frames consumed, not a scan of the ring */
	unsigned int nr_unposted;

	void (*rx_fn)(struct netfront *dev, const void *frame, size_t len, void *arg);
	void *rx_arg; /* for link_fn too */
	void (*link_fn)(struct netfront *dev, bool up, void *arg);
	struct netfront_stats stats;

	bool pending; /* set by the event handler */
	struct wait_queue kick;
	struct event_throttle throttle;
	struct thread *thread;
	bool broken, closing, stop_thread;
	bool released; /* disconnected, everything but this struct given back */
	struct netfront *next_open;
};

static struct netfront *open_vifs;
static bool hook_registered;

/* ---- discovery ---------------------------------------------------------------- */

int netfront_count(void)
{
	unsigned int ids[MAX_VIFS], n;
	int rc = xenbus_list_devices("vif", ids, MAX_VIFS, &n);

	return rc ? rc : (int)n;
}

/* ---- failure ------------------------------------------------------------------ */

/* End a grant; a page the backend still holds is dropped for good (never reused). */
static void end_grant(struct netfront *dev, void **page, grant_ref_t ref)
{
	if (gnttab_end_access(ref) == 0)
		return;
	printk("netfront %s: backend still holds a page: page leaked\n", dev->info.name);
	*page = NULL;
}

static void __attribute__((format(printf, 2, 3)))
mark_broken(struct netfront *dev, const char *fmt, ...)
{
	va_list ap;

	if (dev->broken)
		return;
	dev->broken = true;
	dev->info.link_up = false;
	if (dev->port_open)
		evtchn_mask(dev->port);
	printk("netfront %s: ", dev->info.name);
	va_start(ap, fmt);
	vprintk(fmt, ap);
	va_end(ap);
	printk("; interface disabled\n");
	wait_queue_wake_all(&dev->tx_freed); /* senders waiting for a slot fail */
}

/* ---- TX ----------------------------------------------------------------------- */

static void reap_tx(struct netfront *dev)
{
	int more;

	do {
		RING_IDX prod, cons;

		if (dev->broken)
			return;
		prod = READ_ONCE(dev->tx.sring->rsp_prod);
		virt_rmb();
		cons = dev->tx.rsp_cons;
		if (prod - cons > dev->tx.req_prod_pvt - cons) {
			mark_broken(dev, "backend claims %u TX answers for %u requests",
				    prod - cons, dev->tx.req_prod_pvt - cons);
			return;
		}
		for (; cons != prod; cons++) {
			struct netif_tx_response rsp;
			struct tx_slot *s;

			memcpy(&rsp, RING_GET_RESPONSE(&dev->tx, cons), sizeof(rsp));
			barrier(); /* the copy only from here on */
			if (rsp.id >= TX_SLOTS || !dev->tx_slots[rsp.id].in_flight) {
				mark_broken(dev, "TX answer for id %u, which is not in flight",
					    rsp.id);
				return;
			}
			if (rsp.status != NETIF_RSP_OKAY && rsp.status != NETIF_RSP_ERROR &&
			    rsp.status != NETIF_RSP_DROPPED) {
				mark_broken(dev, "TX answer with unknown status %d", rsp.status);
				return;
			}
			s = &dev->tx_slots[rsp.id];
			end_grant(dev, &s->page, s->ref);
			s->in_flight = false;
			s->next_free = dev->tx_free;
			dev->tx_free = rsp.id;
			dev->tx_in_flight--;
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

int netfront_send(struct netfront *dev, const struct net_fragment *frags, unsigned int nfrag)
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
	if (dev->tx_free == NO_SLOT && thread_self() == dev->thread)
		reap_tx(dev); /* the thread that frees slots cannot wait for itself */
	if (dev->tx_free == NO_SLOT && thread_self() == dev->thread) {
		dev->stats.tx_dropped++;
		return -EAGAIN;
	}
	if (!wait_event_timeout(&dev->tx_freed,
				dev->tx_free != NO_SLOT || dev->broken || dev->closing,
				TX_STALL_TIMEOUT_NS))
		mark_broken(dev, "TX ring full for %llu s: backend stopped taking frames",
			    (unsigned long long)(TX_STALL_TIMEOUT_NS / NSEC_PER_SEC));
	if (dev->broken || dev->closing) {
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
	if (gnttab_grant_page(dev->xb.backend_id, s->page, true, &s->ref)) {
		dev->stats.tx_dropped++;
		return -ENOMEM;
	}
	dev->tx_free = s->next_free;
	s->in_flight = true;
	dev->tx_in_flight++;

	req = RING_GET_REQUEST(&dev->tx, dev->tx.req_prod_pvt);
	req->gref = s->ref;
	req->offset = 0;
	req->flags = 0; /* one slot, checksums complete: nothing for netback to do */
	req->id = id;
	req->size = (uint16_t)len;
	dev->tx.req_prod_pvt++;
	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&dev->tx, notify);
	if (notify)
		evtchn_notify(dev->port);
	dev->stats.tx_frames++;
	dev->stats.tx_bytes += len;
	return 0;
}

/* ---- RX ----------------------------------------------------------------------- */

/* Put every free receive page (back) on the ring. */
static void post_rx(struct netfront *dev)
{
	bool posted = false;
	int notify;

	while (dev->nr_unposted > 0 && !dev->broken && !RING_FULL(&dev->rx)) {
		uint16_t id = dev->rx_unposted[dev->nr_unposted - 1];
		struct rx_slot *s = &dev->rx_slots[id];
		struct netif_rx_request *req;

		if (!s->page) {
			s->page = page_alloc(1);
			if (!s->page)
				break; /* fewer buffers, not an error: try again later */
			memset(s->page, 0, PAGE_SIZE);
		}
		if (gnttab_grant_page(dev->xb.backend_id, s->page, false, &s->ref))
			break;
		dev->nr_unposted--;
		s->posted = true;
		req = RING_GET_REQUEST(&dev->rx, dev->rx.req_prod_pvt);
		req->id = id;
		req->gref = s->ref;
		dev->rx.req_prod_pvt++;
		posted = true;
	}
	if (!posted)
		return;
	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&dev->rx, notify);
	if (notify)
		evtchn_notify(dev->port);
}

/* Check one RX answer; 1 if its frame can be delivered, 0 to drop it, -1 broke. */
static int check_rx(struct netfront *dev, const struct netif_rx_response *rsp)
{
	if (rsp->id >= RX_SLOTS || !dev->rx_slots[rsp->id].posted) {
		mark_broken(dev, "RX answer for id %u, which was not posted", rsp->id);
		return -1;
	}
	if (rsp->flags & (NETRXF_more_data | NETRXF_extra_info | NETRXF_gso_prefix)) {
		/* We negotiated neither scatter-gather nor GSO. */
		mark_broken(dev, "RX answer with flags %#x, not negotiated", rsp->flags);
		return -1;
	}
	if (rsp->status < 0) {
		dev->stats.rx_errors++;
		return 0;
	}
	if (rsp->status == 0 || (size_t)rsp->offset + (size_t)rsp->status > PAGE_SIZE) {
		mark_broken(dev, "RX answer of %d bytes at offset %u does not fit its page",
			    rsp->status, rsp->offset);
		return -1;
	}
	if (rsp->status > NETFRONT_MAX_FRAME) {
		dev->stats.rx_dropped++; /* larger than the MTU we told the stack */
		return 0;
	}
	return 1;
}

static void receive(struct netfront *dev)
{
	int more;

	do {
		RING_IDX prod, cons;

		if (dev->broken || dev->closing)
			return;
		prod = READ_ONCE(dev->rx.sring->rsp_prod);
		virt_rmb();
		cons = dev->rx.rsp_cons;
		if (prod - cons > dev->rx.req_prod_pvt - cons) {
			mark_broken(dev, "backend claims %u RX answers for %u posted pages",
				    prod - cons, dev->rx.req_prod_pvt - cons);
			return;
		}
		for (; cons != prod; cons++) {
			struct netif_rx_response rsp;
			struct rx_slot *s;
			int ok;

			memcpy(&rsp, RING_GET_RESPONSE(&dev->rx, cons), sizeof(rsp));
			barrier();
			dev->rx.rsp_cons = cons + 1;
			ok = check_rx(dev, &rsp);
			if (ok < 0)
				return;
			s = &dev->rx_slots[rsp.id];
			s->posted = false;
			dev->rx_unposted[dev->nr_unposted++] = rsp.id;
			end_grant(dev, &s->page, s->ref); /* before the frame is looked at */
			if (ok && s->page) {
				dev->stats.rx_frames++;
				dev->stats.rx_bytes += (uint64_t)rsp.status;
				if (dev->rx_fn)
					dev->rx_fn(dev, (char *)s->page + rsp.offset,
						   (size_t)rsp.status, dev->rx_arg);
				/* The callback may have closed the interface (its rings are
				 * gone) or broken it (through a send): stop either way. */
				if (dev->closing || dev->broken)
					return;
			}
		}
		RING_FINAL_CHECK_FOR_RESPONSES(&dev->rx, more);
	} while (more);
}

static void ring_event(evtchn_port_t port, void *arg)
{
	struct netfront *dev = arg;

	dev->pending = true;
	wait_queue_wake_all(&dev->kick);
}

static int vif_thread(void *arg)
{
	struct netfront *dev = arg;

	for (;;) {
		RING_IDX tx_before, rx_before;

		wait_event(&dev->kick, dev->pending || dev->stop_thread);
		if (dev->stop_thread)
			return 0;
		tx_before = dev->tx.rsp_cons;
		rx_before = dev->rx.rsp_cons;
		dev->pending = false;
		reap_tx(dev);
		receive(dev);
		/* Closing: keep reaping TX answers (close waits for them) but post no
		 * more RX pages; close ends the thread through stop_thread. */
		if (dev->closing)
			continue;
		post_rx(dev);
		if (!dev->broken)
			event_throttle(&dev->throttle, dev->port,
				       dev->tx.rsp_cons != tx_before ||
					       dev->rx.rsp_cons != rx_before,
				       &dev->broken, dev->info.name);
	}
}

/* ---- connecting --------------------------------------------------------------- */

static int write_nodes(xs_transaction_t t, void *arg)
{
	struct netfront *dev = arg;
	const char *me = dev->xb.nodename;
	static const char *const flags[] = {
		"request-rx-copy",	   /* netback copies into our pages (no page flipping) */
		"feature-rx-notify",	   /* we notify when we post RX pages: no polling */
		"feature-no-csum-offload", /* send us frames with complete checksums */
	};
	char path[96];
	int rc;

	snprintf(path, sizeof(path), "%s/tx-ring-ref", me);
	rc = xs_printf(t, path, "%u", dev->tx_ring_ref);
	snprintf(path, sizeof(path), "%s/rx-ring-ref", me);
	if (!rc)
		rc = xs_printf(t, path, "%u", dev->rx_ring_ref);
	snprintf(path, sizeof(path), "%s/event-channel", me);
	if (!rc)
		rc = xs_printf(t, path, "%u", dev->port);
	for (unsigned int i = 0; !rc && i < sizeof(flags) / sizeof(flags[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", me, flags[i]);
		rc = xs_write(t, path, "1");
	}
	/* Not offered: scatter-gather and GSO (every frame fits one page). */
	snprintf(path, sizeof(path), "%s/feature-sg", me);
	if (!rc)
		rc = xs_write(t, path, "0");
	return rc;
}

static int read_mac(struct netfront *dev)
{
	char path[96];
	int rc;

	snprintf(path, sizeof(path), "%s/mac", dev->xb.nodename);
	rc = xs_read_mac(XS_NO_TRANSACTION, path, dev->info.mac);
	if (rc) {
		char *raw = NULL;

		xs_read(XS_NO_TRANSACTION, path, &raw);
		printk("netfront %s: malformed mac '%s' (%s): the interface stays down\n",
		       dev->info.name, raw ? raw : "(none)", strerror_name(-rc));
		free(raw);
	}
	return rc;
}

static int alloc_rings(struct netfront *dev)
{
	dev->tx_ring_page = gnttab_alloc_page(dev->xb.backend_id, false, &dev->tx_ring_ref);
	dev->rx_ring_page = gnttab_alloc_page(dev->xb.backend_id, false, &dev->rx_ring_ref);
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
	for (unsigned int i = RX_SLOTS; i-- > 0;) /* so that id 0 is posted first */
		dev->rx_unposted[dev->nr_unposted++] = (uint16_t)i;
	return 0;
}

static int connect(struct netfront *dev)
{
	unsigned long long rx_copy;
	int rc, state;

	rc = read_mac(dev);
	if (rc)
		return rc;
	state = xenbus_wait_backend(&dev->xb,
				    1u << XenbusStateInitWait | 1u << XenbusStateInitialised |
					    1u << XenbusStateConnected,
				    CONNECT_TIMEOUT_MS);
	if (state < 0)
		return state;
	rc = xenbus_read_backend_uint(&dev->xb, "feature-rx-copy", 1, &rx_copy);
	if (rc || !rx_copy) {
		printk("netfront %s: backend does not offer feature-rx-copy\n", dev->info.name);
		return -EOPNOTSUPP;
	}
	rc = alloc_rings(dev);
	if (!rc)
		rc = evtchn_alloc_unbound(dev->xb.backend_id, &dev->port);
	if (!rc) {
		dev->port_open = true; /* from here on release() closes it */
		rc = evtchn_bind(dev->port, ring_event, dev);
	}
	if (rc) {
		printk("netfront %s: cannot set up the rings (%d)\n", dev->info.name, rc);
		return rc;
	}
	rc = xs_transact(write_nodes, dev);
	if (!rc)
		rc = xenbus_switch_state(&dev->xb, XenbusStateConnected);
	if (rc) {
		printk("netfront %s: cannot publish the rings (%d)\n", dev->info.name, rc);
		return rc;
	}
	state = xenbus_wait_backend(&dev->xb, 1u << XenbusStateConnected, CONNECT_TIMEOUT_MS);
	if (state < 0)
		return state;
	post_rx(dev);
	dev->thread = thread_create(dev->info.name, vif_thread, dev);
	if (!dev->thread)
		return -ENOMEM;
	dev->info.link_up = true;
	return 0;
}

/* ---- disconnecting ------------------------------------------------------------ */

static void release(struct netfront *dev)
{
	if (dev->port_open)
		evtchn_close(dev->port);
	dev->port_open = false;
	if (dev->tx_ring_page)
		gnttab_free_page(dev->tx_ring_page, dev->tx_ring_ref);
	if (dev->rx_ring_page)
		gnttab_free_page(dev->rx_ring_page, dev->rx_ring_ref);
	dev->tx_ring_page = dev->rx_ring_page = NULL;
	for (unsigned int i = 0; i < TX_SLOTS; i++) {
		struct tx_slot *s = &dev->tx_slots[i];

		if (s->in_flight)
			end_grant(dev, &s->page, s->ref);
		if (s->page)
			page_free(s->page, 1);
		s->page = NULL;
	}
	for (unsigned int i = 0; i < RX_SLOTS; i++) {
		struct rx_slot *s = &dev->rx_slots[i];

		if (s->posted)
			end_grant(dev, &s->page, s->ref);
		if (s->page)
			page_free(s->page, 1);
		s->page = NULL;
	}
	xenbus_device_release(&dev->xb);
}

static void unlink_open(struct netfront *dev)
{
	for (struct netfront **p = &open_vifs; *p; p = &(*p)->next_open) {
		if (*p == dev) {
			*p = dev->next_open;
			return;
		}
	}
}

/* Disconnect and let go of everything the interface holds but its struct (the app's). */
static void disconnect_vif(struct netfront *dev)
{
	bool from_own_thread = thread_self() == dev->thread;

	dev->closing = true;
	dev->info.link_up = false;
	/* Senders waiting for ring space give up first: one may hold the lock the link
	 * callback takes (lwIP's core lock). */
	wait_queue_wake_all(&dev->tx_freed);
	if (dev->link_fn)
		dev->link_fn(dev, false, dev->rx_arg);
	/* Let frames already queued go out (briefly), then leave. */
	if (!dev->broken && !from_own_thread)
		wait_event_timeout(&dev->tx_freed, dev->tx_in_flight == 0, 1000 * NSEC_PER_MSEC);
	xenbus_disconnect(&dev->xb, DISCONNECT_TIMEOUT_MS);
	dev->stop_thread = true;
	wait_queue_wake_all(&dev->kick);
	if (dev->thread && !from_own_thread)
		thread_join(dev->thread, NULL);
	release(dev);
	dev->released = true;
	printk("netfront %s: disconnected\n", dev->info.name);
}

void netfront_close(struct netfront *dev)
{
	if (!dev->closing)
		disconnect_vif(dev);
	else if (!dev->released)
		return; /* another thread is disconnecting it right now */
	unlink_open(dev);
	if (thread_self() != dev->thread)
		free(dev);
}

/*
 * The backend leaves while we are connected (`xl network-detach`): follow it so the
 * toolstack can finish. The link goes down and sends fail with -EIO; the handle stays
 * valid until netfront_close(). Runs in the xenstore watch thread.
 */
static void backend_leaving(void *arg, int state)
{
	struct netfront *dev = arg;

	if (dev->closing)
		return; /* we are the ones leaving, or already gone */
	printk("netfront %s: the backend is going away (%s): detaching\n", dev->info.name,
	       xenbus_state_name(state));
	disconnect_vif(dev);
}

static void close_all(void *arg)
{
	while (open_vifs)
		netfront_close(open_vifs);
}

struct netfront *
netfront_open(unsigned int index,
	      void (*rx)(struct netfront *dev, const void *frame, size_t len, void *arg), void *arg)
{
	unsigned int ids[MAX_VIFS], n;
	char node[64];
	struct netfront *dev;
	int rc = xenbus_list_devices("vif", ids, MAX_VIFS, &n);

	if (rc || index >= n) {
		printk("netfront: no interface %u (%u found)\n", index, rc ? 0 : n);
		return NULL;
	}
	for (struct netfront *d = open_vifs; d; d = d->next_open) {
		if (d->handle == ids[index]) {
			printk("netfront %s: already open\n", d->info.name);
			return NULL;
		}
	}
	if (!hook_registered && skiff_at_shutdown(close_all, NULL) == 0)
		hook_registered = true;
	dev = calloc(1, sizeof(*dev));
	if (!dev)
		return NULL;
	dev->handle = ids[index];
	dev->rx_fn = rx;
	dev->rx_arg = arg;
	dev->info.mtu = NETFRONT_MTU;
	snprintf(dev->info.name, sizeof(dev->info.name), "vif%u", dev->handle);
	wait_queue_init(&dev->tx_freed);
	wait_queue_init(&dev->kick);
	snprintf(node, sizeof(node), "device/vif/%u", dev->handle);
	rc = xenbus_device_init(&dev->xb, node);
	if (!rc)
		rc = connect(dev);
	if (rc) {
		printk("netfront %s: not connected (%s)\n", dev->info.name, strerror_name(-rc));
		if (dev->xb.watch)
			xenbus_switch_state(&dev->xb, XenbusStateClosed);
		release(dev);
		free(dev);
		return NULL;
	}
	printk("netfront %s: %02x:%02x:%02x:%02x:%02x:%02x, backend %s\n", dev->info.name,
	       dev->info.mac[0], dev->info.mac[1], dev->info.mac[2], dev->info.mac[3],
	       dev->info.mac[4], dev->info.mac[5], dev->xb.backend);
	dev->xb.on_backend_leaving = backend_leaving;
	dev->xb.on_backend_leaving_arg = dev;
	dev->next_open = open_vifs;
	open_vifs = dev;
	return dev;
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
