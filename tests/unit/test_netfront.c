/*
 * netfront against a hostile or broken backend, on the host. drivers/netfront.c is
 * built into this file (its static functions are what is tested), together with the
 * real xenbus handshake (drivers/xenbus.c) and xenstore value parsers (xen/xs_wire.c),
 * against stubs of everything below them:
 *
 *  - xenstore: a table of nodes (device/vif/0 with mac, backend and backend-id; the
 *    backend's state and features) and a backend that follows our state: from InitWait
 *    to Connected once we are Connected (it then reads our nodes and maps both rings),
 *    Closing after us, Closed after us (it unmaps the rings);
 *  - grants: a table that remembers each granted page and can refuse to end a grant, as
 *    Xen does while the backend maps it; ending a grant twice is counted;
 *  - pages: the host's allocator, each page tracked; freeing a page that is still
 *    granted fails the test;
 *  - events, threads, wait queues: one thread at a time. The interface's thread is its
 *    real function, run when a test delivers an event, until it would sleep for the
 *    next one. Any other wait is ended only by the backend doing something
 *    (while_waiting); a wait nothing can end fails the test, and a timed wait nothing
 *    can end lets the clock run to its deadline.
 *
 * On the other end of the two shared rings, a fake netback (BACK_RING over the same
 * pages) takes TX requests and RX pages and writes responses, good ones or not.
 *
 * The driver uses the host's libc here (not Skiff's), so AddressSanitizer sees its heap.
 */
#include "drivers/netfront.c"
#include "xenbus/event_throttle.c"
#include "xenbus/frontend.c"
#include "xenbus/xenbus.c"
#include "xen/xs_wire.c"
#include "libc/strerror.c"

#include <sanitizer/asan_interface.h>
#include <setjmp.h>
#include <cmocka.h>

#define FRONT	   "device/vif/0"
#define BACK	   "/local/domain/0/backend/vif/1/0"
#define MAC	   "00:16:3e:5e:6c:01"
#define BACKEND_ID 0
#define PORT	   7
#define FIRST_REF  8
#define MAX_REFS   4096
#define MAX_PAGES  1024

static struct netfront *dev;

#include "fake_guest.h"

void *gnttab_alloc_page(domid_t domid, bool readonly, grant_ref_t *ref)
{
	char *p = page_alloc(1);

	memset(p, 0, PAGE_SIZE);
	if (gnttab_grant_page(domid, p, readonly, ref))
		fail_msg("out of grant references");
	return p;
}

#include "fake_threads.h"
#include "fake_xenstore.h"

/* ---- the fake netback ---------------------------------------------------------------- */

static netif_tx_back_ring_t tx_back;
static netif_rx_back_ring_t rx_back;
static grant_ref_t tx_ring_gref, rx_ring_gref;
static bool rings_mapped, backend_connected;

/* What netback does when we are Connected: read our nodes, map both rings. */
static void backend_connect(void)
{
	struct grant *tx, *rx;

	tx_ring_gref = (grant_ref_t)front_uint("tx-ring-ref");
	rx_ring_gref = (grant_ref_t)front_uint("rx-ring-ref");
	if (backend_node("feature-split-event-channels") &&
	    !strcmp(backend_node("feature-split-event-channels"), "1")) {
		assert_int_equal(front_uint("event-channel-tx"), PORT);
		assert_int_equal(front_uint("event-channel-rx"), PORT + 1);
		assert_null(front_node("event-channel"));
	} else {
		assert_int_equal(front_uint("event-channel"), PORT);
	}
	assert_int_equal(front_uint("request-rx-copy"), 1);
	tx = granted(tx_ring_gref);
	rx = granted(rx_ring_gref);
	assert_false(tx->readonly);
	assert_false(rx->readonly);
	tx->busy = rx->busy = -1; /* mapped: the grants cannot end until we unmap */
	rings_mapped = true;
	BACK_RING_INIT(&tx_back, (netif_tx_sring_t *)tx->va, PAGE_SIZE);
	BACK_RING_INIT(&rx_back, (netif_rx_sring_t *)rx->va, PAGE_SIZE);
	backend_connected = true;
	set_backend_state(XenbusStateConnected);
}

static void backend_follows(int front_state)
{
	const char *state = backend_node("state");

	switch (front_state) {
	case XenbusStateInitialising: /* a new frontend: ready for it again */
		if (state && state_value(state) == XenbusStateClosed)
			set_backend_state(XenbusStateInitWait);
		break;
	case XenbusStateConnected:
		if (state && state_value(state) == XenbusStateInitWait)
			backend_connect();
		break;
	case XenbusStateClosing:
		set_backend_state(XenbusStateClosing);
		break;
	case XenbusStateClosed:
		if (rings_mapped)
			grants[tx_ring_gref].busy = grants[rx_ring_gref].busy = 0;
		rings_mapped = false;
		set_backend_state(XenbusStateClosed);
		break;
	}
}

static bool next_tx(struct netif_tx_request *r)
{
	int more;

	RING_FINAL_CHECK_FOR_REQUESTS(&tx_back, more);
	if (!more)
		return false;
	memcpy(r, RING_GET_REQUEST(&tx_back, tx_back.req_cons), sizeof(*r));
	tx_back.req_cons++;
	return true;
}

static struct netif_tx_request take_tx(void)
{
	struct netif_tx_request r;

	if (!next_tx(&r))
		fail_msg("no TX request on the ring");
	return r;
}

static void tx_respond(uint16_t id, int16_t status)
{
	struct netif_tx_response *rsp = RING_GET_RESPONSE(&tx_back, tx_back.rsp_prod_pvt);
	int notify;

	rsp->id = id;
	rsp->status = status;
	tx_back.rsp_prod_pvt++;
	RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&tx_back, notify);
	(void)notify;
}

static bool next_rx(struct netif_rx_request *r)
{
	int more;

	RING_FINAL_CHECK_FOR_REQUESTS(&rx_back, more);
	if (!more)
		return false;
	memcpy(r, RING_GET_REQUEST(&rx_back, rx_back.req_cons), sizeof(*r));
	rx_back.req_cons++;
	return true;
}

static struct netif_rx_request take_rx(void)
{
	struct netif_rx_request r;

	if (!next_rx(&r))
		fail_msg("no RX page on the ring");
	return r;
}

static void rx_respond(uint16_t id, uint16_t offset, uint16_t flags, int16_t status)
{
	struct netif_rx_response *rsp = RING_GET_RESPONSE(&rx_back, rx_back.rsp_prod_pvt);
	int notify;

	rsp->id = id;
	rsp->offset = offset;
	rsp->flags = flags;
	rsp->status = status;
	rx_back.rsp_prod_pvt++;
	RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&rx_back, notify);
	(void)notify;
}

/* An extra-information answer (it takes a ring slot, and overwrites the id). */
static void rx_respond_extra(uint8_t type, uint8_t flags, uint16_t gso_size, uint8_t gso_type)
{
	struct netif_extra_info *x =
		(struct netif_extra_info *)RING_GET_RESPONSE(&rx_back, rx_back.rsp_prod_pvt);
	int notify;

	memset(x, 0, sizeof(*x));
	x->type = type;
	x->flags = flags;
	x->u.gso.size = gso_size;
	x->u.gso.type = gso_type;
	rx_back.rsp_prod_pvt++;
	RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&rx_back, notify);
	(void)notify;
}

/* One piece of a packet copied into the next posted page, and its answer. */
static struct netif_rx_request deliver_piece(const unsigned char *data, uint16_t offset, size_t len,
					     uint16_t flags)
{
	struct netif_rx_request r = take_rx();

	memcpy(granted(r.gref)->va + offset, data, len);
	rx_respond(r.id, offset, flags, (int16_t)len);
	return r;
}

/* The RX request posted last (the backend has not taken the ones before it). */
static struct netif_rx_request newest_rx(void)
{
	struct netif_rx_request r;

	memcpy(&r, RING_GET_REQUEST(&rx_back, rx_back.sring->req_prod - 1), sizeof(r));
	return r;
}

/* Copy a frame into the next posted page, as netback's grant copy does, and answer. */
static struct netif_rx_request deliver(const void *frame, uint16_t offset, size_t len)
{
	struct netif_rx_request r = take_rx();
	struct grant *g = granted(r.gref);

	assert_false(g->readonly);
	assert_true(offset + len <= PAGE_SIZE);
	memcpy(g->va + offset, frame, len);
	rx_respond(r.id, offset, 0, (int16_t)len);
	return r;
}

/* The event arrives: the handler wakes the interface's thread, which does its work
 * (called by the backend while the thread itself waits, only the event arrives). */
static void run_vif_thread(void)
{
	assert_non_null(bound_handler);
	bound_handler(PORT, bound_arg);
	assert_true(dev->fe.event_pending);
	run_device_thread();
}

/* A correct backend: answer every queued TX request, then signal. */
static bool backend_serves_tx(void)
{
	struct netif_tx_request r;
	bool any = false;

	while (next_tx(&r)) {
		granted(r.gref);
		tx_respond(r.id, NETIF_RSP_OKAY);
		any = true;
	}
	if (any)
		run_vif_thread();
	return any;
}

/* ---- frames and the rx callback ------------------------------------------------------ */

static unsigned char frame_a[PAGE_SIZE], frame_b[PAGE_SIZE];

static void fill(unsigned char *p, size_t len, unsigned int seed)
{
	for (size_t i = 0; i < len; i++)
		p[i] = (unsigned char)(i * 7 + seed + i / 251);
}

static struct rx_log {
	unsigned int calls;
	size_t len;
	unsigned char data[NETFRONT_MAX_PACKET];
	const void *frame; /* the first piece */
	unsigned int nfrag, flags, gso_size;
	int slot;	  /* the RX slot whose page held the first piece */
	bool posted;	  /* a slot of the packet was still marked posted during the call */
	bool grant_ended; /* every piece's grant had ended before the call */
	const void *piece[NETFRONT_MAX_RX_FRAGS];
	int borrowed; /* netfront_rx_borrow's answer, if the test asked (borrow) */
} rx_log;
static bool borrow;
static char rx_arg;
static void (*on_rx)(void);

/* The RX slot whose page holds p, or -1. */
static int slot_of(struct netfront *d, const void *p)
{
	for (unsigned int i = 0; i < RX_SLOTS; i++) {
		struct rx_slot *s = &d->rx_slots[i];

		if (s->page && (const char *)p >= (char *)s->page &&
		    (const char *)p < (char *)s->page + PAGE_SIZE)
			return (int)i;
	}
	return -1;
}

static void record_rx(struct netfront *d, const struct netfront_rx *pkt, void *arg)
{
	size_t len = 0;

	assert_ptr_equal(d, dev);
	assert_ptr_equal(arg, &rx_arg);
	assert_ptr_equal(current, &dev_token); /* in the interface's thread */
	assert_true(pkt->len <= sizeof(rx_log.data));
	assert_true(pkt->nfrag >= 1 && pkt->nfrag <= NETFRONT_MAX_RX_FRAGS);
	rx_log.calls++;
	rx_log.len = pkt->len;
	rx_log.frame = pkt->frags[0].data;
	rx_log.nfrag = pkt->nfrag;
	rx_log.flags = pkt->flags;
	rx_log.gso_size = pkt->gso_size;
	rx_log.slot = slot_of(d, pkt->frags[0].data);
	rx_log.posted = false;
	rx_log.grant_ended = true;
	for (unsigned int i = 0; i < pkt->nfrag; i++) {
		int slot = slot_of(d, pkt->frags[i].data);

		assert_true(slot >= 0);
		assert_true(len + pkt->frags[i].len <= sizeof(rx_log.data));
		memcpy(rx_log.data + len, pkt->frags[i].data, pkt->frags[i].len);
		len += pkt->frags[i].len;
		rx_log.posted |= d->rx_slots[slot].posted;
		rx_log.piece[i] = pkt->frags[i].data;
		rx_log.grant_ended &= !grants[d->rx_slots[slot].ref].active;
	}
	assert_int_equal(len, pkt->len); /* the pieces add up to the length given */
	if (borrow)
		rx_log.borrowed = netfront_rx_borrow(d, pkt);
	if (on_rx)
		on_rx();
}

static struct netfront_stats stats(void)
{
	struct netfront_stats s;

	netfront_stats(dev, &s);
	return s;
}

static int send_frame(const unsigned char *frame, size_t len)
{
	struct net_fragment f = {.data = frame, .len = len};

	return netfront_send(dev, &f, 1, 0);
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
	clear_log();
	bound_handler = NULL;
	bound_arg = NULL;
	masks = notifies = port_closes = unmasks = sleeps = ports_open = 0;
	notifies_on[0] = notifies_on[1] = 0;
	total_pages = 16384;
	masked_port = 0;
	on_notify = NULL;
	reset_threads();
	reset_xenstore();
	set_node(FRONT "/backend", BACK);
	set_node(FRONT "/backend-id", "0");
	set_node(FRONT "/mac", MAC);
	set_node(FRONT "/state", "1"); /* the toolstack made us Initialising */
	set_backend("state", "2");     /* InitWait */
	set_backend("feature-rx-copy", "1");
	memset(&tx_back, 0, sizeof(tx_back));
	memset(&rx_back, 0, sizeof(rx_back));
	tx_ring_gref = rx_ring_gref = 0;
	rings_mapped = backend_connected = false;
	memset(&rx_log, 0, sizeof(rx_log));
	on_rx = NULL;
	borrow = false;
	fill(frame_a, sizeof(frame_a), 1);
	fill(frame_b, sizeof(frame_b), 100);
	open_list = NULL;
	hook_registered = false;
	dev = NULL;
}

static int stubs_only(void **state)
{
	reset_stubs();
	return 0;
}

/* Open interface 0 with the test's rx callback: NULL if refused. */
static struct netfront *open0(void)
{
	struct netfront *d = (struct netfront *)&main_token;
	int rc = netfront_open(0, record_rx, &rx_arg, &d);

	if (rc) {
		assert_true(rc < 0);
		assert_null(d);
		return NULL;
	}
	assert_non_null(d);
	return d;
}

/*
 * The link callback as skiff_netif registers it: told down once, whether the backend
 * broke the protocol, left, or the app closed the device; never told twice, and only
 * after senders were told to give up. The detach test puts count_link in its place.
 */
static unsigned int link_downs;
static bool watching_link;

static void record_link(struct netfront *d, bool up, void *arg)
{
	assert_ptr_equal(d, dev);
	assert_ptr_equal(arg, &rx_arg);
	assert_false(up);
	assert_false(d->info.link_up);
	link_downs++;
}

static void watch_link(struct netfront *d)
{
	link_downs = 0;
	watching_link = true;
	netfront_set_link_callback(d, record_link);
}

static int open_vif(void **state)
{
	reset_stubs();
	watching_link = false;
	dev = open0();
	if (!dev)
		return -1;
	watch_link(dev);
	clear_log();
	notifies = 0;
	return 0;
}

/*
 * Close the interface if the test did not, then check what is left: no grant was
 * ended twice, every grant still active is one the backend refuses to give back, and
 * the only pages still allocated are the ones it still maps.
 */
static int close_vif(void **state)
{
	if (dev) {
		netfront_close(dev);
		if (watching_link)
			assert_int_equal(link_downs, 1);
	}
	dev = NULL;
	assert_int_equal(double_ends, 0);
	for (grant_ref_t r = FIRST_REF; r < next_ref; r++)
		if (grants[r].active && !grants[r].busy)
			fail_msg("grant %u still active after the close", r);
	for (unsigned int i = 0; i < MAX_PAGES; i++)
		if (live[i].p && !page_is_granted(live[i].p, live[i].n))
			fail_msg("page %p neither freed nor still mapped by the backend",
				 live[i].p);
	assert_null(open_list);
	assert_false(rings_mapped);
	return 0;
}

/* What every violation must leave: broken, link down (for the stack too, once the
 * device's thread has run: a break found by a sender is told there), masked, one line
 * logged. */
static void assert_broken(const char *why)
{
	assert_true(dev->fe.broken);
	assert_false(dev->info.link_up);
	assert_false(netfront_info(dev)->link_up);
	run_device_thread();
	assert_int_equal(link_downs, 1);
	assert_int_equal(masks, 1);
	assert_int_equal(masked_port, PORT);
	assert_logged(why);
	assert_int_equal(times_logged("; device disabled"), 1);
	assert_int_equal(times_logged("netfront vif0: "), 1);
}

/* ---- opening ------------------------------------------------------------------------ */

static void open_publishes_rings_and_posts_every_rx_page(void **state)
{
	static const uint8_t mac[6] = {0x00, 0x16, 0x3e, 0x5e, 0x6c, 0x01};
	bool seen[RX_SLOTS] = {false};
	char *pages[RX_SLOTS];
	char ref[16];
	struct netfront *other;

	dev = open0();
	assert_non_null(dev);

	/* the nodes netback reads */
	snprintf(ref, sizeof(ref), "%u", dev->tx_ring_ref);
	assert_string_equal(front_node("tx-ring-ref"), ref);
	snprintf(ref, sizeof(ref), "%u", dev->rx_ring_ref);
	assert_string_equal(front_node("rx-ring-ref"), ref);
	assert_int_not_equal(dev->tx_ring_ref, dev->rx_ring_ref);
	assert_ptr_equal(granted(dev->tx_ring_ref)->va, dev->tx_ring_page);
	assert_ptr_equal(granted(dev->rx_ring_ref)->va, dev->rx_ring_page);
	assert_false(grants[dev->tx_ring_ref].readonly);
	assert_false(grants[dev->rx_ring_ref].readonly);
	assert_string_equal(front_node("event-channel"), "7");
	assert_string_equal(front_node("request-rx-copy"), "1");
	assert_string_equal(front_node("feature-rx-notify"), "1");
	assert_null(front_node("feature-no-csum-offload")); /* 0: we complete blank sums */
	assert_string_equal(front_node("feature-sg"), "1");
	assert_string_equal(front_node("feature-gso-tcpv4"), "1");
	assert_int_equal(transactions, 2); /* our state Initialising, then the rings */
	assert_int_equal(nr_front_states, 2);
	assert_int_equal(front_states[0], XenbusStateInitialising);
	assert_int_equal(front_states[1], XenbusStateConnected);
	assert_true(backend_connected);
	assert_int_equal(dev->fe.xb.backend_state, XenbusStateConnected);
	assert_string_equal(dev->fe.xb.backend, BACK);

	/* what the application sees */
	assert_ptr_equal(netfront_info(dev), &dev->info);
	assert_string_equal(dev->info.name, "vif0");
	assert_memory_equal(dev->info.mac, mac, 6);
	assert_int_equal(dev->info.mtu, 1500);
	assert_true(dev->info.link_up);
	assert_false(dev->fe.broken);
	assert_logged("netfront vif0: 00:16:3e:5e:6c:01, backend " BACK "\n");

	/* 256 RX pages posted, each its own id, page and writable grant */
	assert_int_equal(notifies, 1);
	assert_int_equal(dev->rx.sring->req_prod, RX_SLOTS);
	for (unsigned int i = 0; i < RX_SLOTS; i++) {
		struct netif_rx_request r = take_rx();
		struct grant *g = granted(r.gref);

		assert_int_equal(r.id, i); /* by its place on the ring */
		assert_false(seen[r.id]);
		seen[r.id] = true;
		assert_false(g->readonly);
		assert_true(dev->rx_slots[r.id].posted);
		assert_int_equal(dev->rx_slots[r.id].ref, r.gref);
		assert_ptr_equal(g->va, dev->rx_slots[r.id].page);
		for (unsigned int j = 0; j < i; j++) /* no page twice */
			assert_ptr_not_equal(pages[j], g->va);
		pages[i] = g->va;
	}
	struct netif_rx_request extra;
	assert_false(next_rx(&extra));
	struct netif_tx_request tx;
	assert_false(next_tx(&tx));
	assert_int_equal(active_grants(), 2 + RX_SLOTS);
	assert_int_equal(live_pages(), 2 + RX_SLOTS);

	/* the interface's thread, the event channel, the shutdown hook */
	assert_ptr_equal(created_fn, frontend_thread);
	assert_ptr_equal(created_arg, &dev->fe);
	assert_int_equal(creates, 1);
	assert_ptr_equal(dev->fe.thread, &dev_token);
	assert_ptr_equal(bound_handler, frontend_event);
	assert_ptr_equal(bound_arg, &dev->fe);
	assert_int_equal(shutdown_hooks, 1);
	assert_int_equal(watches, 1);
	assert_ptr_equal(open_list, dev);

	assert_int_equal(netfront_count(), 1);
	assert_int_equal(netfront_open(0, record_rx, &rx_arg, &other), -EBUSY); /* once */
	assert_null(other);
	assert_logged("netfront vif0: already open");
	assert_int_equal(netfront_open(1, record_rx, &rx_arg, &other), -ENODEV);
	assert_null(other);
	assert_logged("netfront: no interface 1 (1 found)");
}

static void malformed_mac_keeps_the_interface_down(void **state)
{
	static const char *const bad[] = {
		"00:16:3e:zz:00:01",  "",
		"00:16:3e:00:01",     "00:16:3e:00:01:02:03",
		"00:16:3e:00:01:2",   "00-16-3e-00-01-02",
		" 00:16:3e:00:01:02",
	};
	char expect[128];

	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		clear_log();
		set_node(FRONT "/mac", bad[i]); /* the backend went InitWait after our Closed */
		assert_null(open0());
		snprintf(expect, sizeof(expect),
			 "netfront vif0: malformed mac '%s' (EINVAL): the interface stays down",
			 bad[i]);
		assert_logged(expect);
		assert_logged("netfront vif0: not connected (EINVAL)");
		assert_int_equal(active_grants(), 0);
		assert_int_equal(live_pages(), 0);
		assert_int_equal(page_allocs, 0);
		assert_null(front_node("tx-ring-ref"));
		assert_null(bound_handler);
		assert_null(created_fn);
		assert_null(open_list);
		assert_int_equal(unwatches, i + 1); /* the backend's state no longer watched */
		assert_int_equal(state_value(front_node("state")), XenbusStateClosed);
	}
	clear_log();
	set_node(FRONT "/mac", NULL);
	assert_null(open0());
	assert_logged("netfront vif0: malformed mac '(none)' (ENOENT)");
	assert_int_equal(live_pages(), 0);

	set_node(FRONT "/mac", "00:16:3E:5e:6C:01"); /* either case */
	dev = open0();
	assert_non_null(dev);
	assert_memory_equal(dev->info.mac, ((uint8_t[]){0, 0x16, 0x3e, 0x5e, 0x6c, 1}), 6);
}

static void backend_without_rx_copy_is_refused(void **state)
{
	static const char *const values[] = {NULL, "0", "yes", "1 "};

	for (unsigned int i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		clear_log();
		set_backend("feature-rx-copy", values[i]); /* InitWait again after our Closed */
		assert_null(open0());
		assert_logged("netfront vif0: backend does not offer feature-rx-copy\n");
		assert_logged("netfront vif0: not connected (EOPNOTSUPP)");
		assert_false(backend_connected);
		assert_null(front_node("tx-ring-ref"));
		assert_int_equal(active_grants(), 0);
		assert_int_equal(live_pages(), 0);
		assert_null(open_list);
		assert_int_equal(state_value(front_node("state")), XenbusStateClosed);
	}
}

/* IPv4 checksum offload is on unless the backend writes feature-no-csum-offload
 * (netif.h); a malformed value counts as off. */
static void tx_checksum_offload_follows_the_backend(void **state)
{
	static const struct {
		const char *value;
		bool offload;
	} cases[] = {{NULL, true}, {"0", true}, {"1", false}, {"yes", false}, {"2", false}};

	for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		set_backend("state", "2");
		set_backend("feature-no-csum-offload", cases[i].value);
		dev = open0();
		assert_non_null(dev);
		assert_int_equal(netfront_info(dev)->tx_csum_offload, cases[i].offload);
		netfront_close(dev);
		dev = NULL;
	}
}

/* A frame sent with its checksum blank says so, and that the data is the sender's. */
static void blank_checksum_is_flagged_only_when_offered(void **state)
{
	struct net_fragment f = {frame_a, 60};
	struct netif_tx_request r;

	assert_true(netfront_info(dev)->tx_csum_offload);
	assert_int_equal(netfront_send(dev, &f, 1, NETFRONT_TX_CSUM_BLANK), 0);
	r = take_tx();
	assert_int_equal(r.flags, NETTXF_csum_blank | NETTXF_data_validated);
	assert_int_equal(netfront_send(dev, &f, 1, 0), 0);
	r = take_tx();
	assert_int_equal(r.flags, 0);
	assert_int_equal(stats().tx_csum_blank, 1);

	dev->info.tx_csum_offload = false; /* as if the backend had said no */
	assert_int_equal(netfront_send(dev, &f, 1, NETFRONT_TX_CSUM_BLANK), 0);
	r = take_tx();
	assert_int_equal(r.flags, 0);
	assert_int_equal(stats().tx_csum_blank, 1);
}

/* ---- receiving ------------------------------------------------------------------------ */

static void good_frame_reaches_the_callback_and_its_page_is_reposted(void **state)
{
	struct netif_rx_request r = deliver(frame_a, 0, 60), again;
	char *page = dev->rx_slots[r.id].page;
	unsigned int allocs = page_allocs;
	struct netfront_stats s;

	assert_ptr_equal(grants[r.gref].va, page);
	run_vif_thread();

	assert_int_equal(rx_log.calls, 1);
	assert_int_equal(rx_log.len, 60);
	assert_memory_equal(rx_log.data, frame_a, 60);
	assert_ptr_equal(rx_log.frame, page);
	assert_int_equal(rx_log.slot, r.id);
	assert_false(rx_log.posted);
	assert_true(rx_log.grant_ended); /* the backend could no longer change the frame */
	s = stats();
	assert_int_equal(s.rx_frames, 1);
	assert_int_equal(s.rx_bytes, 60);
	assert_int_equal(s.rx_errors + s.rx_dropped + s.tx_frames, 0);
	assert_false(dev->fe.broken);
	assert_true(dev->info.link_up);
	assert_int_equal(loglen, 0);

	/* the same page, posted again under a new grant */
	assert_int_equal(dev->rx.req_prod_pvt, RX_SLOTS + 1);
	assert_int_equal(dev->rx.sring->req_prod, RX_SLOTS + 1);
	again = newest_rx();
	assert_int_equal(again.id, r.id);
	assert_int_not_equal(again.gref, r.gref);
	assert_false(granted(again.gref)->readonly);
	assert_ptr_equal(grants[again.gref].va, page);
	assert_false(grants[r.gref].active);
	assert_true(dev->rx_slots[r.id].posted);
	assert_int_equal(page_allocs, allocs);

	/* a frame of the largest size, not at the start of its page, flagged validated */
	struct netif_rx_request r2 = take_rx();
	memcpy(grants[r2.gref].va + 100, frame_b, NETFRONT_MAX_FRAME);
	rx_respond(r2.id, 100, NETRXF_data_validated, NETFRONT_MAX_FRAME);
	run_vif_thread();
	assert_int_equal(rx_log.calls, 2);
	assert_int_equal(rx_log.len, NETFRONT_MAX_FRAME);
	assert_memory_equal(rx_log.data, frame_b, NETFRONT_MAX_FRAME);
	assert_ptr_equal(rx_log.frame, (char *)dev->rx_slots[r2.id].page + 100);
	s = stats();
	assert_int_equal(s.rx_frames, 2);
	assert_int_equal(s.rx_bytes, 60 + NETFRONT_MAX_FRAME);
	assert_false(dev->fe.broken);
}

static void frame_ending_at_the_page_end_is_delivered(void **state)
{
	struct netif_rx_request r = deliver(frame_a, PAGE_SIZE - 96, 96);

	run_vif_thread();
	assert_int_equal(rx_log.calls, 1);
	assert_int_equal(rx_log.len, 96);
	assert_memory_equal(rx_log.data, frame_a, 96);
	assert_ptr_equal(rx_log.frame, (char *)dev->rx_slots[r.id].page + PAGE_SIZE - 96);
	assert_false(dev->fe.broken);
}

static void rx_id_out_of_range_breaks_the_interface(void **state)
{
	struct netif_rx_request r = take_rx();

	rx_respond(RX_SLOTS, 0, 0, 60);
	run_vif_thread();
	assert_broken("netfront vif0: RX answer for id 256 in ring slot 0, not posted there; "
		      "device disabled");
	assert_int_equal(rx_log.calls, 0);
	assert_true(dev->rx_slots[r.id].posted);
	assert_int_equal(dev->rx.req_prod_pvt, RX_SLOTS); /* nothing posted once broken */
}

static void rx_id_far_out_of_range_breaks_the_interface(void **state)
{
	take_rx();
	rx_respond(0xffff, 0, 0, 60);
	run_vif_thread();
	assert_broken("RX answer for id 65535 in ring slot 0, not posted there");
	assert_int_equal(rx_log.calls, 0);
}

static void rx_id_answered_twice_breaks_the_interface(void **state)
{
	struct netif_rx_request r = deliver(frame_a, 0, 60);

	rx_respond(r.id, 0, 0, 60); /* the same page again, already consumed */
	run_vif_thread();
	assert_int_equal(rx_log.calls, 1);
	assert_memory_equal(rx_log.data, frame_a, 60);
	char expect[80];
	snprintf(expect, sizeof(expect), "RX answer for id %u in ring slot 1, not posted there",
		 r.id);
	assert_broken(expect);
	assert_int_equal(dev->rx.rsp_cons, 1); /* the bad answer is not consumed */
	assert_int_equal(stats().rx_frames, 1);
}

static void rx_frame_past_the_page_end_breaks_the_interface(void **state)
{
	struct netif_rx_request r = take_rx();

	rx_respond(r.id, PAGE_SIZE - 96, 0, 97);
	run_vif_thread();
	assert_broken("netfront vif0: RX answer of 97 bytes at offset 4000 does not fit its "
		      "page; device disabled");
	assert_int_equal(rx_log.calls, 0);
	assert_int_equal(stats().rx_frames, 0);
}

static void rx_frame_at_a_huge_offset_breaks_the_interface(void **state)
{
	struct netif_rx_request r = take_rx();

	rx_respond(r.id, 0xffff, 0, 60);
	run_vif_thread();
	assert_broken("RX answer of 60 bytes at offset 65535 does not fit its page");
	assert_int_equal(rx_log.calls, 0);
}

static void rx_empty_frame_breaks_the_interface(void **state)
{
	struct netif_rx_request r = take_rx();

	rx_respond(r.id, 0, 0, 0);
	run_vif_thread();
	assert_broken("RX answer of 0 bytes at offset 0 does not fit its page");
	assert_int_equal(rx_log.calls, 0);
}

/* An empty later piece at offset PAGE_SIZE would point at the page after its own: a
 * receiver borrowing it would give back (and the ring then grant) the wrong page. */
static void rx_empty_piece_at_the_page_end_breaks_the_interface(void **state)
{
	borrow = true;
	deliver_piece(frame_a, 0, PAGE_SIZE, NETRXF_more_data);
	rx_respond(take_rx().id, PAGE_SIZE, 0, 0);
	run_vif_thread();
	assert_broken("RX answer of 0 bytes at offset 4096 does not fit its page");
	assert_int_equal(rx_log.calls, 0);
	assert_int_equal(dev->lent, 0);
}

static void rx_error_status_counts_an_error(void **state)
{
	struct netif_rx_request r = take_rx(), again;

	rx_respond(r.id, 0, 0, NETIF_RSP_ERROR);
	run_vif_thread();
	assert_int_equal(rx_log.calls, 0);
	assert_int_equal(stats().rx_errors, 1);
	assert_int_equal(stats().rx_frames, 0);
	assert_false(dev->fe.broken);
	assert_true(dev->info.link_up);
	assert_int_equal(masks, 0);
	assert_int_equal(loglen, 0);
	assert_false(grants[r.gref].active);
	assert_int_equal(dev->rx.req_prod_pvt, RX_SLOTS + 1);
	again = newest_rx(); /* the page goes back on the ring */
	assert_int_equal(again.id, r.id);

	/* and the interface still receives */
	deliver(frame_a, 0, 42);
	run_vif_thread();
	assert_int_equal(rx_log.calls, 1);
	assert_memory_equal(rx_log.data, frame_a, 42);
}

/* With scatter-gather, netback may fill a page with one packet larger than a frame. */
static void rx_frame_of_a_whole_page_is_delivered(void **state)
{
	struct netif_rx_request r = take_rx(), again;

	memcpy(grants[r.gref].va, frame_a, PAGE_SIZE);
	rx_respond(r.id, 0, 0, PAGE_SIZE);
	run_vif_thread();
	assert_int_equal(rx_log.calls, 1);
	assert_int_equal(rx_log.len, PAGE_SIZE);
	assert_memory_equal(rx_log.data, frame_a, PAGE_SIZE);
	assert_int_equal(stats().rx_frames, 1);
	assert_false(dev->fe.broken);
	again = newest_rx();
	assert_int_equal(again.id, r.id);
}

static void rx_flag(uint16_t flags, const char *why)
{
	struct netif_rx_request r = take_rx();

	memcpy(grants[r.gref].va, frame_a, 60);
	rx_respond(r.id, 0, flags, 60);
	run_vif_thread();
	assert_broken(why);
	assert_int_equal(rx_log.calls, 0);
}

/* ---- packets of several pages, GSO, checksums ------------------------------------ */

/* Three pages, the last part-filled: one callback with every piece, in order. */
static void multi_page_packet_is_delivered_whole(void **state)
{
	static unsigned char packet[3 * PAGE_SIZE];
	struct netfront_stats s;

	fill(packet, sizeof(packet), 3);
	deliver_piece(packet, 0, PAGE_SIZE, NETRXF_more_data);
	deliver_piece(packet + PAGE_SIZE, 0, PAGE_SIZE, NETRXF_more_data);
	deliver_piece(packet + 2 * PAGE_SIZE, 0, 1000, 0);
	run_vif_thread();
	assert_int_equal(rx_log.calls, 1);
	assert_int_equal(rx_log.nfrag, 3);
	assert_int_equal(rx_log.len, 2 * PAGE_SIZE + 1000);
	assert_memory_equal(rx_log.data, packet, 2 * PAGE_SIZE + 1000);
	assert_true(rx_log.grant_ended); /* every page taken back before the call */
	assert_false(rx_log.posted);
	assert_int_equal(rx_log.gso_size, 0);
	s = stats();
	assert_int_equal(s.rx_frames, 1);
	assert_int_equal(s.rx_slots, 3);
	assert_int_equal(s.rx_bytes, 2 * PAGE_SIZE + 1000);
	assert_int_equal(dev->rx.rsp_cons, 3);
	assert_int_equal(dev->rx.req_prod_pvt, RX_SLOTS + 3); /* all three posted again */
	assert_false(dev->fe.broken);
}

/* A 2 MiB domain: an eighth of its memory on the RX ring (64 pages), kept at that. */
static void small_domain_posts_fewer_rx_pages(void **state)
{
	total_pages = 512;
	dev = open0();
	assert_non_null(dev);
	assert_int_equal(dev->rx.req_prod_pvt, 64);
	deliver(frame_a, 0, 60);
	run_vif_thread();
	assert_int_equal(rx_log.calls, 1);
	assert_int_equal(dev->rx.req_prod_pvt, 65); /* the one taken, posted again */
	total_pages = 64;			    /* 256 KiB: the floor, for a new open */
	netfront_close(dev);
	dev = open0();
	assert_non_null(dev);
	assert_int_equal(dev->rx.req_prod_pvt, 32);
}

/* ---- split event channels ------------------------------------------------------------ */

/* The backend offers them: TX's requests are notified on one channel, RX's pages on the
 * other, and an event on either wakes the interface's thread. */
static void split_event_channels_when_the_backend_offers_them(void **state)
{
	set_backend("feature-split-event-channels", "1");
	dev = open0();
	assert_non_null(dev);
	assert_true(netfront_info(dev)->split_events);
	assert_string_equal(front_node("event-channel-tx"), "7");
	assert_string_equal(front_node("event-channel-rx"), "8");
	assert_null(front_node("event-channel"));
	assert_int_equal(ports_open, 2);
	assert_int_equal(notifies_on[0], 0); /* the RX pages posted at connect: RX's only */
	assert_int_equal(notifies_on[1], 1);
	assert_int_equal(send_frame(frame_a, 60), 0);
	assert_int_equal(notifies_on[0], 1);
	assert_int_equal(notifies_on[1], 1);
	deliver(frame_b, 0, 70);
	bound_handler(PORT + 1, bound_arg);
	assert_true(dev->fe.event_pending);
	run_device_thread();
	assert_int_equal(rx_log.calls, 1);
	assert_memory_equal(rx_log.data, frame_b, 70);
	assert_logged("netfront vif0: 00:16:3e:5e:6c:01, backend " BACK ", split event channels");
	netfront_close(dev);
	dev = NULL;
	assert_int_equal(ports_open, 0);
	assert_int_equal(port_closes, 2);
}

/* A value that is not 0 or 1 is read as no: one channel, as netif.h's default. */
static void garbage_split_event_node_means_one_channel(void **state)
{
	set_backend("feature-split-event-channels", "yes");
	dev = open0();
	assert_non_null(dev);
	assert_false(netfront_info(dev)->split_events);
	assert_string_equal(front_node("event-channel"), "7");
	assert_null(front_node("event-channel-tx"));
	assert_null(front_node("event-channel-rx"));
	assert_int_equal(ports_open, 1);
}

/* ---- lending (zero copy) ------------------------------------------------------------ */

static unsigned char lent_packet[3 * PAGE_SIZE];

/* Three pages of a packet, answered; the interface's thread takes it. */
static void deliver_three_pages(void)
{
	fill(lent_packet, sizeof(lent_packet), 9);
	deliver_piece(lent_packet, 0, PAGE_SIZE, NETRXF_more_data);
	deliver_piece(lent_packet + PAGE_SIZE, 0, PAGE_SIZE, NETRXF_more_data);
	deliver_piece(lent_packet + 2 * PAGE_SIZE, 0, 700, 0);
	run_vif_thread();
	assert_int_equal(rx_log.calls, 1);
	assert_int_equal(rx_log.nfrag, 3);
}

static void borrowed_pages_stay_the_callers_and_others_are_posted(void **state)
{
	borrow = true;
	deliver_three_pages();
	assert_int_equal(rx_log.borrowed, 0);
	assert_int_equal(stats().rx_lent, 3);
	for (unsigned int i = 0; i < 3; i++) {
		/* No slot holds it any more, no grant names it, and it still holds the data. */
		assert_int_equal(slot_of(dev, rx_log.piece[i]), -1);
		assert_false(page_is_granted(rx_log.piece[i], 1));
		assert_memory_equal(rx_log.piece[i], lent_packet + i * PAGE_SIZE,
				    i < 2 ? PAGE_SIZE : 700);
	}
	assert_int_equal(dev->rx.req_prod_pvt, RX_SLOTS + 3); /* fresh pages in their places */
	assert_int_equal(dev->lent, 3);
	for (unsigned int i = 0; i < 3; i++)
		netfront_rx_give_back(dev, (const char *)rx_log.piece[i] + 100); /* any byte */
	assert_int_equal(dev->lent, 0);
	assert_false(dev->fe.broken);
}

/* A page given back is posted again for a later packet, its list link wiped. */
static void pages_given_back_are_posted_again(void **state)
{
	const void *pieces[3];
	unsigned int allocs;

	borrow = true;
	deliver_three_pages();
	memcpy(pieces, rx_log.piece, sizeof(pieces));
	for (unsigned int i = 0; i < 3; i++)
		netfront_rx_give_back(dev, pieces[i]);
	allocs = page_allocs;
	rx_log.calls = 0;
	deliver_three_pages(); /* borrowed too: three slots to fill again */
	assert_int_equal(rx_log.borrowed, 0);
	assert_int_equal(page_allocs, allocs); /* from the spares, not the allocator */
	for (unsigned int i = 0; i < 3; i++) {
		int slot = slot_of(dev, pieces[i]);
		static const char zero[sizeof(void *)];

		assert_true(slot >= 0);
		assert_true(dev->rx_slots[slot].posted);
		assert_memory_equal(pieces[i], zero, sizeof(zero)); /* no pointer of ours */
	}
	for (unsigned int i = 0; i < 3; i++)
		netfront_rx_give_back(dev, rx_log.piece[i]);
}

static void borrowing_past_the_limit_is_refused(void **state)
{
	unsigned int allocs = page_allocs;

	dev->lend_max = 2;
	borrow = true;
	deliver_three_pages();
	assert_int_equal(rx_log.borrowed, -ENOSPC);
	assert_int_equal(stats().rx_lent, 0);
	assert_int_equal(dev->lent, 0);
	for (unsigned int i = 0; i < 3; i++)
		assert_true(slot_of(dev, rx_log.piece[i]) >= 0); /* posted again */
	assert_int_equal(page_allocs, allocs);
}

static void borrowing_outside_the_callback_is_refused(void **state)
{
	struct netfront_rx rx = {0};

	assert_int_equal(netfront_rx_borrow(dev, &rx), -EINVAL);
	borrow = true;
	on_rx = NULL;
	deliver_three_pages();
	assert_int_equal(rx_log.borrowed, 0);
	assert_int_equal(netfront_rx_borrow(dev, &rx), -EINVAL); /* the call is over */
	assert_int_equal(dev->lent, 3);
	for (unsigned int i = 0; i < 3; i++)
		netfront_rx_give_back(dev, rx_log.piece[i]);
}

/* Pages still lent when the interface closes: the device waits for them, and the last
 * one given back frees it (close_vif and AddressSanitizer see nothing left). */
static void pages_given_back_after_close_are_freed(void **state)
{
	borrow = true;
	deliver_three_pages();
	netfront_close(dev);
	assert_int_equal(live_pages(), 3); /* only the lent pages are left */
	for (unsigned int i = 0; i < 3; i++)
		netfront_rx_give_back(dev, rx_log.piece[i]);
	assert_int_equal(live_pages(), 0);
	dev = NULL;
}

/* A 64 KiB-class GSO packet: first piece, its GSO extra, then the rest. */
static void gso_packet_carries_its_segment_size_and_blank_checksum(void **state)
{
	static unsigned char packet[5 * PAGE_SIZE];
	struct netfront_stats s;

	fill(packet, sizeof(packet), 5);
	deliver_piece(packet, 66, PAGE_SIZE - 66,
		      NETRXF_more_data | NETRXF_extra_info | NETRXF_csum_blank |
			      NETRXF_data_validated);
	take_rx(); /* the extra's slot: its page stays empty */
	rx_respond_extra(XEN_NETIF_EXTRA_TYPE_GSO, 0, 1448, XEN_NETIF_GSO_TYPE_TCPV4);
	deliver_piece(packet + PAGE_SIZE - 66, 0, PAGE_SIZE, NETRXF_more_data);
	deliver_piece(packet + 2 * PAGE_SIZE - 66, 0, 500, 0);
	run_vif_thread();
	assert_int_equal(rx_log.calls, 1);
	assert_int_equal(rx_log.nfrag, 3);
	assert_int_equal(rx_log.len, 2 * PAGE_SIZE - 66 + 500);
	assert_memory_equal(rx_log.data, packet, rx_log.len);
	assert_int_equal(rx_log.gso_size, 1448);
	assert_int_equal(rx_log.flags, NETFRONT_RX_CSUM_BLANK | NETFRONT_RX_VALIDATED);
	assert_true(rx_log.grant_ended);
	s = stats();
	assert_int_equal(s.rx_gso, 1);
	assert_int_equal(s.rx_csum_blank, 1);
	assert_int_equal(s.rx_slots, 4); /* the extra takes a slot */
	assert_int_equal(dev->rx.rsp_cons, 4);
	assert_int_equal(dev->rx.req_prod_pvt, RX_SLOTS + 4);
	assert_false(dev->fe.broken);
}

/* The first pieces of a packet without its last: nothing yet, an event asked for at
 * the next answer; then the rest, and the packet once. */
static void packet_waits_for_its_last_piece(void **state)
{
	static unsigned char packet[2 * PAGE_SIZE];

	fill(packet, sizeof(packet), 9);
	deliver_piece(packet, 0, PAGE_SIZE, NETRXF_more_data);
	run_vif_thread();
	assert_int_equal(rx_log.calls, 0);
	assert_int_equal(dev->rx.rsp_cons, 0);
	assert_int_equal(dev->rx.sring->rsp_event, 2); /* wake me at answer 2 */
	assert_false(dev->fe.broken);
	deliver_piece(packet + PAGE_SIZE, 0, 77, 0);
	run_vif_thread();
	assert_int_equal(rx_log.calls, 1);
	assert_int_equal(rx_log.len, PAGE_SIZE + 77);
	assert_memory_equal(rx_log.data, packet, PAGE_SIZE + 77);
	assert_int_equal(dev->rx.rsp_cons, 2);
	assert_false(dev->fe.broken);
}

/* An error in any piece: the whole packet is dropped and counted, every page reposted. */
static void error_in_a_later_piece_drops_the_packet(void **state)
{
	struct netif_rx_request r;

	deliver_piece(frame_a, 0, PAGE_SIZE, NETRXF_more_data);
	r = take_rx();
	rx_respond(r.id, 0, NETRXF_more_data, NETIF_RSP_ERROR);
	deliver_piece(frame_b, 0, 100, 0);
	run_vif_thread();
	assert_int_equal(rx_log.calls, 0);
	assert_int_equal(stats().rx_errors, 1);
	assert_int_equal(stats().rx_frames, 0);
	assert_int_equal(dev->rx.rsp_cons, 3);
	assert_int_equal(dev->rx.req_prod_pvt, RX_SLOTS + 3);
	assert_false(dev->fe.broken);
	/* and the next packet comes through */
	deliver(frame_a, 0, 60);
	run_vif_thread();
	assert_int_equal(rx_log.calls, 1);
}

static void piece_with_a_first_piece_flag_breaks_the_interface(void **state)
{
	deliver_piece(frame_a, 0, 100, NETRXF_more_data);
	deliver_piece(frame_a, 0, 100, NETRXF_csum_blank);
	run_vif_thread();
	assert_broken("RX answer with flags 0x2, not negotiated");
	assert_int_equal(rx_log.calls, 0);
}

static void extra(uint8_t type, uint8_t flags, uint16_t size, uint8_t gso_type, const char *why)
{
	deliver_piece(frame_a, 0, 100, NETRXF_extra_info);
	take_rx();
	rx_respond_extra(type, flags, size, gso_type);
	if (flags & XEN_NETIF_EXTRA_FLAG_MORE) {
		take_rx();
		rx_respond_extra(XEN_NETIF_EXTRA_TYPE_GSO, 0, 1448, XEN_NETIF_GSO_TYPE_TCPV4);
	}
	run_vif_thread();
	assert_broken(why);
	assert_int_equal(rx_log.calls, 0);
}

static void extra_of_an_unknown_type_breaks_the_interface(void **state)
{
	extra(XEN_NETIF_EXTRA_TYPE_MCAST_ADD, 0, 0, 0,
	      "RX extra of type 2, not negotiated (or a second GSO)");
}

static void gso_extra_not_tcpv4_breaks_the_interface(void **state)
{
	extra(XEN_NETIF_EXTRA_TYPE_GSO, 0, 1448, XEN_NETIF_GSO_TYPE_TCPV6,
	      "RX GSO extra of type 2, size 1448: not TCPv4 GSO");
}

static void gso_extra_of_size_0_breaks_the_interface(void **state)
{
	extra(XEN_NETIF_EXTRA_TYPE_GSO, 0, 0, XEN_NETIF_GSO_TYPE_TCPV4,
	      "RX GSO extra of type 1, size 0: not TCPv4 GSO");
}

static void second_gso_extra_breaks_the_interface(void **state)
{
	extra(XEN_NETIF_EXTRA_TYPE_GSO, XEN_NETIF_EXTRA_FLAG_MORE, 1448, XEN_NETIF_GSO_TYPE_TCPV4,
	      "RX extra of type 1, not negotiated (or a second GSO)");
}

static void packet_of_19_pages_breaks_the_interface(void **state)
{
	for (int i = 0; i < NETFRONT_MAX_RX_FRAGS; i++)
		deliver_piece(frame_a, 0, 100, NETRXF_more_data);
	deliver_piece(frame_a, 0, 100, 0);
	run_vif_thread();
	assert_broken("RX packet of more than 18 pages");
	assert_int_equal(rx_log.calls, 0);
}

/* 16 full pages and 14 bytes are 65,550: one more than a 64 KiB datagram and its
 * Ethernet header. */
static void packet_over_64_kib_breaks_the_interface(void **state)
{
	for (int i = 0; i < 16; i++)
		deliver_piece(frame_a, 0, PAGE_SIZE, NETRXF_more_data);
	deliver_piece(frame_a, 0, 14, 0);
	run_vif_thread();
	assert_broken("RX packet of more than 65549 bytes");
	assert_int_equal(rx_log.calls, 0);
}

/* 65,549 bytes: a full 64 KiB datagram and its header, legitimate, but more than
 * lwIP's 16-bit lengths hold. Dropped and counted; the interface works on. */
static void full_64_kib_datagram_is_dropped_not_broken(void **state)
{
	struct netfront_stats s;

	for (int i = 0; i < 16; i++)
		deliver_piece(frame_a, 0, PAGE_SIZE, NETRXF_more_data);
	deliver_piece(frame_a, 0, 13, 0);
	deliver(frame_b, 0, 60);
	run_vif_thread();
	assert_false(dev->fe.broken);
	assert_int_equal(rx_log.calls, 1); /* the frame after it */
	assert_int_equal(rx_log.len, 60);
	s = stats();
	assert_int_equal(s.rx_dropped, 1);
	assert_int_equal(s.rx_frames, 1);
	assert_int_equal(s.rx_slots, 18);
	assert_int_equal(dev->rx.req_prod_pvt, RX_SLOTS + 18); /* every page posted again */
}

static void rx_gso_prefix_breaks_the_interface(void **state)
{
	rx_flag(NETRXF_gso_prefix, "RX answer with flags 0x10, not negotiated");
}

/* A good answer in the first slot, behind a producer one past the pages posted. */
static void rx_producer_ahead_breaks_the_interface_before_any_frame(void **state)
{
	deliver(frame_a, 0, 60);
	dev->rx.sring->rsp_prod += RX_SLOTS;
	run_vif_thread();
	assert_broken("netfront vif0: backend claims 257 RX answers for 256 posted pages");
	assert_int_equal(rx_log.calls, 0);
	assert_int_equal(dev->rx.rsp_cons, 0);
	assert_int_equal(stats().rx_frames, 0);
}

static void rx_producer_moving_back_breaks_the_interface(void **state)
{
	deliver(frame_a, 0, 60);
	run_vif_thread();
	assert_int_equal(rx_log.calls, 1);
	dev->rx.sring->rsp_prod = 0; /* below what we consumed */
	run_vif_thread();
	assert_broken("backend claims 4294967295 RX answers for 256 posted pages");
	assert_int_equal(rx_log.calls, 1);
}

/* Xen refuses to end the grant: the backend kept the page mapped after answering. The
 * answer was its word that it let go: the interface breaks at the first such page. */
static void rx_page_still_mapped_breaks_the_interface(void **state)
{
	struct netif_rx_request r = deliver(frame_a, 0, 60);
	char *page = dev->rx_slots[r.id].page;
	RING_IDX posted = rx_back.sring->req_prod;
	char expect[96];

	grants[r.gref].busy = -1;
	run_vif_thread();
	snprintf(expect, sizeof(expect), "backend answered RX request %u but kept its page mapped",
		 r.id);
	assert_broken(expect);
	assert_int_equal(rx_log.calls, 0); /* never delivered */
	assert_int_equal(stats().rx_frames, 0);
	assert_true(grants[r.gref].active);
	assert_non_null(live_run(page));		   /* not freed... */
	assert_null(dev->rx_slots[r.id].page);		   /* ...nor reused */
	assert_int_equal(rx_back.sring->req_prod, posted); /* none posted after the break */

	netfront_close(dev); /* nor freed at the close */
	dev = NULL;
	assert_non_null(live_run(page));
	assert_int_equal(live_pages(), 1);
	assert_int_equal(active_grants(), 1);
}

static void tx_page_still_mapped_breaks_the_interface(void **state)
{
	struct netif_tx_request a;
	char *page;
	char expect[96];

	assert_int_equal(send_frame(frame_a, 60), 0);
	a = take_tx();
	page = grants[a.gref].va;
	grants[a.gref].busy = -1;
	tx_respond(a.id, NETIF_RSP_OKAY);
	run_vif_thread();
	snprintf(expect, sizeof(expect), "backend answered TX request %u but kept its page mapped",
		 a.id);
	assert_broken(expect);
	assert_int_equal(dev->tx_in_flight, 0);
	assert_int_equal(send_frame(frame_a, 60), -EIO);

	netfront_close(dev);
	dev = NULL;
	assert_non_null(live_run(page)); /* kept out of use for good */
	assert_int_equal(live_pages(), 1);
}

static void broken_interface_ignores_the_backend_and_refuses_sends(void **state)
{
	size_t logged;

	take_rx();
	rx_respond(RX_SLOTS, 0, 0, 60);
	run_vif_thread();
	assert_true(dev->fe.broken);
	logged = loglen;

	assert_int_equal(send_frame(frame_a, 60), -EIO);
	assert_int_equal(send_frame(frame_a, 60), -EIO);
	assert_int_equal(stats().tx_dropped, 2);
	assert_int_equal(stats().tx_frames, 0);
	assert_int_equal(dev->tx.req_prod_pvt, 0);
	assert_int_equal(notifies, 0);

	/* more answers, good or bad: not read, not logged */
	deliver(frame_a, 0, 60);
	tx_respond(3, 99);
	run_vif_thread();
	assert_int_equal(rx_log.calls, 0);
	assert_int_equal(dev->rx.rsp_cons, 0); /* not even the bad answer */
	assert_int_equal(dev->tx.rsp_cons, 0);
	assert_int_equal(loglen, logged);
	assert_int_equal(masks, 1);
}

/* ---- sending ---------------------------------------------------------------------------- */

static unsigned int pushed_checks;

/* At the notify, the newest request on the ring must already show the whole frame. */
static void check_pushed_frame(void)
{
	const struct netif_tx_request *r = RING_GET_REQUEST(&dev->tx, dev->tx.sring->req_prod - 1);
	struct grant *g = granted(r->gref);

	assert_int_equal(dev->tx.sring->req_prod, dev->tx.req_prod_pvt);
	assert_true(g->readonly);
	assert_int_equal(r->size, 64);
	assert_memory_equal(g->va, frame_a, 14);
	pushed_checks++;
}

static void send_gathers_fragments_into_one_read_only_page(void **state)
{
	unsigned char expect[64];
	struct net_fragment frags[3] = {{frame_a, 14}, {frame_b, 20}, {frame_a + 100, 30}};
	struct netif_tx_request r, r2;
	struct netfront_stats s;
	unsigned int allocs;
	char *page;

	memcpy(expect, frame_a, 14);
	memcpy(expect + 14, frame_b, 20);
	memcpy(expect + 34, frame_a + 100, 30);
	on_notify = check_pushed_frame;
	assert_int_equal(netfront_send(dev, frags, 3, 0), 0);
	assert_int_equal(pushed_checks, 1);
	assert_int_equal(dev->tx_in_flight, 1);

	r = take_tx();
	assert_int_equal(r.size, 64);
	assert_int_equal(r.offset, 0);
	assert_int_equal(r.flags, 0);
	assert_true(r.id < TX_SLOTS);
	assert_true(dev->tx_slots[r.id].in_flight);
	page = dev->tx_slots[r.id].page;
	assert_ptr_equal(granted(r.gref)->va, page);
	assert_true(grants[r.gref].readonly); /* the backend only reads a frame we send */
	assert_memory_equal(page, expect, 64);
	for (size_t i = 64; i < PAGE_SIZE; i++) /* nothing else of ours in the page */
		assert_int_equal(((unsigned char *)page)[i], 0);
	s = stats();
	assert_int_equal(s.tx_frames, 1);
	assert_int_equal(s.tx_bytes, 64);
	assert_int_equal(s.tx_errors + s.tx_dropped, 0);

	/* answered: the slot is free, its grant ended, its page kept for the next frame */
	tx_respond(r.id, NETIF_RSP_OKAY);
	run_vif_thread();
	assert_false(dev->tx_slots[r.id].in_flight);
	assert_int_equal(dev->tx_in_flight, 0);
	assert_int_equal(dev->tx_free, r.id);
	assert_false(grants[r.gref].active);
	assert_int_equal(dev->tx.rsp_cons, 1);
	allocs = page_allocs;
	on_notify = NULL;
	assert_int_equal(send_frame(frame_b, NETFRONT_MAX_FRAME), 0);
	r2 = take_tx();
	assert_int_equal(r2.id, r.id);
	assert_int_equal(r2.size, NETFRONT_MAX_FRAME);
	assert_int_not_equal(r2.gref, r.gref);
	assert_ptr_equal(granted(r2.gref)->va, page);
	assert_memory_equal(page, frame_b, NETFRONT_MAX_FRAME);
	assert_int_equal(page_allocs, allocs);
	assert_int_equal(stats().tx_errors, 0);
	assert_false(dev->fe.broken);
	assert_int_equal(loglen, 0);
}

static void frames_of_bad_sizes_are_refused(void **state)
{
	struct net_fragment big[2] = {{frame_a, 1000}, {frame_b, 515}};
	struct net_fragment empty[2] = {{frame_a, 0}, {frame_b, 0}};
	unsigned int allocs = page_allocs;

	assert_int_equal(netfront_send(dev, big, 2, 0), -EMSGSIZE);
	assert_int_equal(send_frame(frame_a, NETFRONT_MAX_FRAME + 1), -EMSGSIZE);
	assert_int_equal(netfront_send(dev, empty, 2, 0), -EMSGSIZE);
	assert_int_equal(netfront_send(dev, empty, 0, 0), -EMSGSIZE);
	assert_int_equal(stats().tx_errors, 4);
	assert_int_equal(stats().tx_frames + stats().tx_dropped, 0);
	assert_int_equal(dev->tx.req_prod_pvt, 0);
	assert_int_equal(dev->tx_in_flight, 0);
	assert_int_equal(notifies, 0);
	assert_int_equal(page_allocs, allocs);
	assert_false(dev->fe.broken);
}

static void tx_error_and_dropped_answers_are_counted(void **state)
{
	struct netif_tx_request a, b;

	assert_int_equal(send_frame(frame_a, 60), 0);
	assert_int_equal(send_frame(frame_b, 70), 0);
	a = take_tx();
	b = take_tx();
	assert_int_not_equal(a.id, b.id);
	tx_respond(b.id, NETIF_RSP_DROPPED); /* in any order */
	tx_respond(a.id, NETIF_RSP_ERROR);
	run_vif_thread();
	assert_int_equal(stats().tx_errors, 1);
	assert_int_equal(stats().tx_dropped, 1);
	assert_int_equal(stats().tx_frames, 2);
	assert_int_equal(dev->tx_in_flight, 0);
	assert_false(dev->tx_slots[a.id].in_flight);
	assert_false(dev->tx_slots[b.id].in_flight);
	assert_false(grants[a.gref].active);
	assert_false(grants[b.gref].active);
	assert_false(dev->fe.broken);
	assert_int_equal(masks, 0);
	assert_int_equal(loglen, 0);
}

static void tx_status(int16_t status, const char *why)
{
	struct netif_tx_request r;

	assert_int_equal(send_frame(frame_a, 60), 0);
	r = take_tx();
	tx_respond(r.id, status);
	run_vif_thread();
	assert_broken(why);
	assert_true(dev->tx_slots[r.id].in_flight); /* its grant ends at the close */
	assert_true(grants[r.gref].active);
	assert_int_equal(stats().tx_errors + stats().tx_dropped, 0);
}

static void tx_unknown_status_breaks_the_interface(void **state)
{
	tx_status(5, "netfront vif0: TX answer with unknown status 5; device disabled");
}

static void tx_null_status_breaks_the_interface(void **state)
{
	tx_status(NETIF_RSP_NULL, "TX answer with unknown status 1");
}

static void tx_negative_unknown_status_breaks_the_interface(void **state)
{
	tx_status(-3, "TX answer with unknown status -3");
}

static void tx_id_not_in_flight_breaks_the_interface(void **state)
{
	struct netif_tx_request r;

	assert_int_equal(send_frame(frame_a, 60), 0);
	r = take_tx();
	tx_respond(r.id + 1, NETIF_RSP_OKAY);
	run_vif_thread();
	char expect[80];
	snprintf(expect, sizeof(expect), "TX answer for id %u, which is not in flight", r.id + 1);
	assert_broken(expect);
	assert_true(dev->tx_slots[r.id].in_flight);
}

static void tx_id_out_of_range_breaks_the_interface(void **state)
{
	assert_int_equal(send_frame(frame_a, 60), 0);
	take_tx();
	tx_respond(TX_SLOTS, NETIF_RSP_OKAY);
	run_vif_thread();
	assert_broken("TX answer for id 256, which is not in flight");
}

static void tx_answered_twice_breaks_the_interface(void **state)
{
	struct netif_tx_request a, b;

	assert_int_equal(send_frame(frame_a, 60), 0);
	assert_int_equal(send_frame(frame_a, 60), 0);
	a = take_tx();
	b = take_tx();
	tx_respond(a.id, NETIF_RSP_OKAY);
	tx_respond(a.id, NETIF_RSP_OKAY); /* b is still in flight */
	run_vif_thread();
	char expect[80];
	snprintf(expect, sizeof(expect), "TX answer for id %u, which is not in flight", a.id);
	assert_broken(expect);
	assert_false(grants[a.gref].active);
	assert_true(grants[b.gref].active);
	assert_int_equal(dev->tx_in_flight, 1);
}

static void tx_producer_ahead_breaks_the_interface(void **state)
{
	struct netif_tx_request r;

	assert_int_equal(send_frame(frame_a, 60), 0);
	r = take_tx();
	tx_respond(r.id, NETIF_RSP_OKAY);
	dev->tx.sring->rsp_prod++;
	run_vif_thread();
	assert_broken("netfront vif0: backend claims 2 TX answers for 1 requests");
	assert_true(dev->tx_slots[r.id].in_flight); /* the good answer was not believed */
	assert_int_equal(dev->tx.rsp_cons, 0);
}

/* ---- a full TX ring ------------------------------------------------------------------------ */

static void fill_tx_ring(void)
{
	for (unsigned int i = 0; i < TX_SLOTS; i++)
		assert_int_equal(send_frame(frame_a, 60 + i), 0);
	assert_int_equal(dev->tx_free, NO_SLOT);
	assert_int_equal(dev->tx_in_flight, TX_SLOTS);
	assert_true(RING_FULL(&dev->tx));
}

static void full_ring_drops_in_the_interface_thread_and_waits_elsewhere(void **state)
{
	struct netif_tx_request first;

	fill_tx_ring();

	/* the interface's own thread (an rx callback answering ARP) cannot wait for itself */
	current = (struct thread *)&dev_token;
	assert_int_equal(send_frame(frame_b, 60), -EAGAIN);
	assert_int_equal(stats().tx_dropped, 1);
	assert_int_equal(dev->tx.req_prod_pvt, TX_SLOTS);

	/* an answer is on the ring but no event handled yet: the send reaps it */
	first = take_tx();
	tx_respond(first.id, NETIF_RSP_OKAY);
	assert_int_equal(send_frame(frame_b, 60), 0);
	assert_int_equal(dev->tx.req_prod_pvt, TX_SLOTS + 1);
	assert_int_equal(stats().tx_dropped, 1);
	current = (struct thread *)&main_token;

	/* another thread waits until the backend answers and slots come free */
	while_waiting = backend_serves_tx;
	assert_int_equal(send_frame(frame_b, 61), 0);
	assert_int_equal(dev->tx_in_flight, 1);
	assert_int_equal(stats().tx_frames, TX_SLOTS + 2);
	assert_int_equal(stats().tx_dropped, 1);
	assert_int_equal(stats().tx_errors, 0);
	assert_int_equal(timeouts, 0);
	assert_false(dev->fe.broken);
	assert_int_equal(loglen, 0);
}

static bool backend_answers_badly(void)
{
	struct netif_tx_request r;

	if (!next_tx(&r))
		return false;
	tx_respond(r.id, 7);
	run_vif_thread();
	return true;
}

static void waiting_sender_fails_when_the_interface_breaks(void **state)
{
	fill_tx_ring();
	while_waiting = backend_answers_badly;
	assert_int_equal(send_frame(frame_b, 60), -EIO);
	assert_broken("TX answer with unknown status 7");
	assert_int_equal(stats().tx_dropped, 1);
	assert_int_equal(dev->tx.req_prod_pvt, TX_SLOTS);
}

/* ---- closing ------------------------------------------------------------------------------- */

static void close_ends_every_grant_once_and_frees_every_page(void **state)
{
	assert_int_equal(send_frame(frame_a, 60), 0);
	assert_int_equal(send_frame(frame_b, 70), 0);
	deliver(frame_a, 0, 60); /* a page the backend filled, not yet handed on */
	while_waiting = backend_serves_tx;

	netfront_close(dev);
	dev = NULL;
	assert_int_equal(nr_front_states, 4);
	assert_int_equal(front_states[2], XenbusStateClosing);
	assert_int_equal(front_states[3], XenbusStateClosed);
	assert_string_equal(backend_node("state"), "6");
	assert_false(rings_mapped);
	assert_int_equal(timeouts, 0); /* the frames in flight were answered */
	assert_int_equal(rx_log.calls, 0);
	assert_int_equal(joins, 1);
	assert_int_equal(port_closes, 1);
	assert_null(bound_handler);
	assert_int_equal(unwatches, 1);
	assert_int_equal(active_grants(), 0);
	assert_int_equal(double_ends, 0);
	assert_int_equal(live_pages(), 0);
	assert_null(open_list);
	assert_logged("netfront vif0: disconnected\n");
	assert_int_equal(times_logged("kept from use"), 0);
}

static void close_with_frames_unanswered_waits_briefly(void **state)
{
	uint64_t start = now_ns;

	assert_int_equal(send_frame(frame_a, 60), 0);
	assert_int_equal(send_frame(frame_b, 70), 0);
	netfront_close(dev);
	dev = NULL;
	assert_int_equal(timeouts, 1);
	assert_int_equal(now_ns - start, DISCONNECT_TIMEOUT_MS * NSEC_PER_MSEC);
	assert_int_equal(active_grants(), 0);
	assert_int_equal(live_pages(), 0);
	assert_int_equal(front_states[nr_front_states - 1], XenbusStateClosed);
}

static void close_of_a_broken_interface_does_not_wait(void **state)
{
	assert_int_equal(send_frame(frame_a, 60), 0);
	take_rx();
	rx_respond(RX_SLOTS, 0, 0, 60);
	run_vif_thread();
	assert_true(dev->fe.broken);
	netfront_close(dev);
	dev = NULL;
	assert_int_equal(timeouts, 0);
	assert_int_equal(active_grants(), 0);
	assert_int_equal(live_pages(), 0);
}

static void close_in_callback(void)
{
	netfront_close(dev);
}

/*
 * netfront_close() from the rx callback (the interface's own thread) frees the rings
 * and the pages; receive(), which called the callback, must not touch them again, nor
 * take the next frame waiting on the ring.
 */
static void close_from_the_rx_callback_touches_no_freed_memory(void **state)
{
	struct netfront *closed = dev;

	assert_int_equal(send_frame(frame_a, 60), 0);
	deliver(frame_a, 0, 60);
	deliver(frame_b, 0, 80);
	on_rx = close_in_callback;
	run_vif_thread();
	/* the close waits (in the thread) for the frame in flight, then gives up */
	run_device_thread_at_its_deadline();

	assert_int_equal(rx_log.calls, 1);
	assert_memory_equal(rx_log.data, frame_a, 60);
	assert_false(dev_alive); /* the thread ended, and freed the interface */
	assert_true(dev_detached);
	assert_int_equal(joins, 0);
	assert_int_equal(front_states[nr_front_states - 1], XenbusStateClosed);
	assert_int_equal(active_grants(), 0);
	assert_int_equal(live_pages(), 0);
	assert_null(open_list);
	assert_logged("netfront vif0: disconnected\n");
	assert_true(__asan_address_is_poisoned(closed)); /* freed, by its thread */
	dev = NULL;
}

/* The backend answers one frame per event. */
static bool backend_serves_one_tx(void)
{
	struct netif_tx_request r;

	if (!next_tx(&r))
		return false;
	granted(r.gref);
	tx_respond(r.id, NETIF_RSP_OKAY);
	run_vif_thread();
	return true;
}

/* Regression: the thread stopped reaping at the first event once closing had begun,
 * so close always waited its full second for the answers of later events. */
static void close_reaps_answers_of_every_event(void **state)
{
	assert_int_equal(send_frame(frame_a, 60), 0);
	assert_int_equal(send_frame(frame_b, 70), 0);
	while_waiting = backend_serves_one_tx;
	netfront_close(dev);
	dev = NULL;
	assert_int_equal(timeouts, 0);
	assert_int_equal(active_grants(), 0);
	assert_int_equal(live_pages(), 0);
	assert_int_equal(front_states[nr_front_states - 1], XenbusStateClosed);
}

static int send_in_callback_rc;
static uint16_t bad_tx_id;

/* Answering ARP on a full ring, say: the send reaps the backend's (bad) TX answer. */
static void send_in_callback(void)
{
	tx_respond(bad_tx_id, 7);
	send_in_callback_rc = send_frame(frame_b, 60);
}

/* Regression: a send from the rx callback that reaped a bad TX answer broke the
 * interface, yet the frames after it in the batch were still delivered. */
static void interface_broken_in_the_rx_callback_delivers_no_more(void **state)
{
	fill_tx_ring();
	bad_tx_id = take_tx().id;
	deliver(frame_a, 0, 60);
	deliver(frame_b, 0, 80);
	on_rx = send_in_callback;
	run_vif_thread();
	assert_true(dev->fe.broken);
	assert_int_equal(rx_log.calls, 1);
	assert_int_not_equal(send_in_callback_rc, 0);
	assert_logged("TX answer with unknown status 7");
}

/*
 * A backend that notifies without end (XSA-391): after EVENT_STORM_RUN empty wake-ups
 * the port is masked for a pause, which doubles while the storm lasts, up to its
 * limit; one line is logged; real work ends the storm. The interface is not broken:
 * a noisy backend is slowed down, not disconnected.
 */
static void event_storm_is_throttled(void **state)
{
	uint64_t t0;
	unsigned int masks_before = masks;

	for (unsigned int i = 0; i < EVENT_STORM_RUN - 1; i++)
		run_vif_thread();
	assert_int_equal(sleeps, 0);
	run_vif_thread();
	assert_int_equal(sleeps, 1);
	assert_int_equal(masks, masks_before + 1);
	assert_int_equal(unmasks, 1);
	assert_logged("vif0: event storm from the backend (64 empty events in a row): throttling");
	assert_false(dev->fe.broken);
	assert_true(dev->info.link_up);

	/* Ten more runs of empty events: pauses of 2, 4, ... 64, then 100 ms each. */
	t0 = now_ns;
	for (unsigned int i = 0; i < 10 * EVENT_STORM_RUN; i++)
		run_vif_thread();
	assert_int_equal(sleeps, 11);
	assert_int_equal(now_ns - t0, (2 + 4 + 8 + 16 + 32 + 64 + 4 * 100) * NSEC_PER_MSEC);

	/* A frame is work: the storm is over and the frame arrives. */
	deliver(frame_a, 0, 60);
	run_vif_thread();
	assert_int_equal(rx_log.calls, 1);
	assert_int_equal(dev->fe.throttle.delay_ms, 0);
	assert_int_equal(dev->fe.throttle.empty, 0);
}

/* A broken interface's port stays masked: the throttle never unmasks it. */
static void storm_on_a_broken_interface_leaves_the_port_masked(void **state)
{
	take_rx();
	rx_respond(RX_SLOTS, 0, 0, 60); /* bad id: broken */
	run_vif_thread();
	assert_true(dev->fe.broken);
	for (unsigned int i = 0; i < 2 * EVENT_STORM_RUN; i++) {
		bound_handler(PORT, bound_arg);
		run_device_thread();
	}
	assert_int_equal(unmasks, 0);
}

/*
 * `xl network-detach`: the backend goes to Closing while we are connected. We follow
 * (Closing, Closed), give back every grant and page, and keep the struct for the app,
 * whose sends now fail, until it closes the handle.
 */
static void count_link(struct netfront *d, bool up, void *arg)
{
	assert_ptr_equal(d, dev);
	assert_false(up);
	assert_int_equal(d->fe.state, FRONTEND_CLOSING);
	assert_false(d->info.link_up); /* senders already told to give up */
	link_downs++;
}

static void backend_leaving_detaches_the_interface(void **state)
{
	struct netfront *held = dev;

	link_downs = 0;
	netfront_set_link_callback(dev, count_link);
	assert_int_equal(send_frame(frame_a, 60), 0); /* one frame never answered */
	set_backend_state(XenbusStateClosing);
	run_device_thread(); /* it notices, and waits (5 s at most) for the frame's answer */
	assert_int_equal(link_downs, 1);
	assert_logged("netfront vif0: the backend is going away (Closing): detaching");
	assert_int_equal(held->fe.state, FRONTEND_CLOSING);
	run_device_thread_at_its_deadline();
	assert_logged("netfront vif0: disconnected");
	assert_int_equal(held->fe.state, FRONTEND_CLOSED);
	assert_false(held->info.link_up);
	assert_int_equal(front_states[nr_front_states - 1], XenbusStateClosed);
	assert_int_equal(active_grants(), 0);
	assert_int_equal(live_pages(), 0);
	assert_null(watch_notify); /* no more callbacks for it */
	assert_int_equal(send_frame(frame_b, 60), -EIO);
	netfront_close(held); /* now only frees it */
	dev = NULL;
	assert_null(open_list);
}

static void shutdown_hook_closes_every_interface(void **state)
{
	assert_non_null(shutdown_fn);
	assert_int_equal(send_frame(frame_a, 60), 0);
	while_waiting = backend_serves_tx;
	shutdown_fn(shutdown_arg);
	dev = NULL;
	assert_null(open_list);
	assert_int_equal(front_states[nr_front_states - 1], XenbusStateClosed);
	assert_int_equal(active_grants(), 0);
	assert_int_equal(live_pages(), 0);
}

static void vifs_are_counted_in_number_order(void **state)
{
	unsigned int ids[MAX_VIFS], n;

	assert_int_equal(netfront_count(), 1);
	set_node("device/vif/12/backend", BACK);
	set_node("device/vif/3/backend", BACK);
	set_node("device/vif/junk/backend", BACK);
	clear_log();
	assert_int_equal(netfront_count(), 3);
	assert_logged("xenbus: ignoring device/vif/junk: not a device number");
	assert_int_equal(xenbus_list_devices("vif", ids, MAX_VIFS, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(ids[0], 0);
	assert_int_equal(ids[1], 3);
	assert_int_equal(ids[2], 12);

	memset(nodes, 0, sizeof(nodes));
	assert_int_equal(netfront_count(), 0);
	assert_null(open0());
	assert_logged("netfront: no interface 0 (0 found)");
}

#define T(fn)  cmocka_unit_test_setup_teardown(fn, open_vif, close_vif)
#define T0(fn) cmocka_unit_test_setup_teardown(fn, stubs_only, close_vif)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T0(open_publishes_rings_and_posts_every_rx_page),
		T0(malformed_mac_keeps_the_interface_down),
		T0(backend_without_rx_copy_is_refused),
		T0(tx_checksum_offload_follows_the_backend),
		T(blank_checksum_is_flagged_only_when_offered),
		T(good_frame_reaches_the_callback_and_its_page_is_reposted),
		T(frame_ending_at_the_page_end_is_delivered),
		T(rx_id_out_of_range_breaks_the_interface),
		T(rx_id_far_out_of_range_breaks_the_interface),
		T(rx_id_answered_twice_breaks_the_interface),
		T(rx_frame_past_the_page_end_breaks_the_interface),
		T(rx_frame_at_a_huge_offset_breaks_the_interface),
		T(rx_empty_frame_breaks_the_interface),
		T(rx_empty_piece_at_the_page_end_breaks_the_interface),
		T(rx_error_status_counts_an_error),
		T(rx_frame_of_a_whole_page_is_delivered),
		T(multi_page_packet_is_delivered_whole),
		T0(small_domain_posts_fewer_rx_pages),
		T0(split_event_channels_when_the_backend_offers_them),
		T0(garbage_split_event_node_means_one_channel),
		T(borrowed_pages_stay_the_callers_and_others_are_posted),
		T(pages_given_back_are_posted_again),
		T(borrowing_past_the_limit_is_refused),
		T(borrowing_outside_the_callback_is_refused),
		T(pages_given_back_after_close_are_freed),
		T(gso_packet_carries_its_segment_size_and_blank_checksum),
		T(packet_waits_for_its_last_piece),
		T(error_in_a_later_piece_drops_the_packet),
		T(piece_with_a_first_piece_flag_breaks_the_interface),
		T(extra_of_an_unknown_type_breaks_the_interface),
		T(gso_extra_not_tcpv4_breaks_the_interface),
		T(gso_extra_of_size_0_breaks_the_interface),
		T(second_gso_extra_breaks_the_interface),
		T(packet_of_19_pages_breaks_the_interface),
		T(packet_over_64_kib_breaks_the_interface),
		T(full_64_kib_datagram_is_dropped_not_broken),
		T(rx_gso_prefix_breaks_the_interface),
		T(rx_producer_ahead_breaks_the_interface_before_any_frame),
		T(rx_producer_moving_back_breaks_the_interface),
		T(rx_page_still_mapped_breaks_the_interface),
		T(tx_page_still_mapped_breaks_the_interface),
		T(broken_interface_ignores_the_backend_and_refuses_sends),
		T(send_gathers_fragments_into_one_read_only_page),
		T(frames_of_bad_sizes_are_refused),
		T(tx_error_and_dropped_answers_are_counted),
		T(tx_unknown_status_breaks_the_interface),
		T(tx_null_status_breaks_the_interface),
		T(tx_negative_unknown_status_breaks_the_interface),
		T(tx_id_not_in_flight_breaks_the_interface),
		T(tx_id_out_of_range_breaks_the_interface),
		T(tx_answered_twice_breaks_the_interface),
		T(tx_producer_ahead_breaks_the_interface),
		T(full_ring_drops_in_the_interface_thread_and_waits_elsewhere),
		T(waiting_sender_fails_when_the_interface_breaks),
		T(close_ends_every_grant_once_and_frees_every_page),
		T(close_with_frames_unanswered_waits_briefly),
		T(close_of_a_broken_interface_does_not_wait),
		T(shutdown_hook_closes_every_interface),
		T0(vifs_are_counted_in_number_order),
		T(close_from_the_rx_callback_touches_no_freed_memory),
		T(close_reaps_answers_of_every_event),
		T(interface_broken_in_the_rx_callback_delivers_no_more),
		T(event_storm_is_throttled),
		T(backend_leaving_detaches_the_interface),
		T(storm_on_a_broken_interface_leaves_the_port_masked),
	};

	return cmocka_run_group_tests_name("netfront", tests, NULL, NULL);
}
