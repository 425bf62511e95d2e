/*
 * A fake xenstored for test_xenstore.c, on the other end of a real struct
 * xenstore_domain_interface (xen/io/xs_wire.h): it takes the guest's requests off the
 * "req" ring byte by byte, as they come, and puts its answers on the "rsp" ring as room
 * allows, then raises the event channel. It runs only while the guest's vCPU is blocked
 * (fake_vcpu.h's idle_hook), and only once the guest has notified the port or a test
 * gave it something to do: a guest that forgets to notify is not served.
 *
 * Its store answers READ, WRITE, MKDIR, RM, DIRECTORY, SET_PERMS, WATCH (acknowledged,
 * then fired once, as xenstored does), UNWATCH and transactions (no isolation; a commit can be
 * refused with EAGAIN). A test can also:
 *  - answer a request itself (xsd.answer), with anything, for any req_id;
 *  - hold every answer back (xsd.holding) and release them later, in any order;
 *  - freeze it (xsd.frozen): it takes no request and sends nothing, as under SIGSTOP;
 *  - send at most xsd.chunk bytes a turn, so that a message crosses the ring's end in
 *    pieces;
 *  - put raw bytes on the reply ring (bad headers, bad lengths).
 * Every request it took is kept (xsd.seen) for the tests to look at.
 */
#ifndef TESTS_UNIT_FAKE_XENSTORED_H
#define TESTS_UNIT_FAKE_XENSTORED_H

#define XSD_PORT    5
#define XSD_MSG_MAX (sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX)
#define XSD_NODES   32
#define XSD_WATCHES 8
#define XSD_HELD    8
#define XSD_SEEN    32

static struct xenstore_domain_interface xs_page; /* the page both domains map */

struct xsd_msg {
	struct xsd_sockmsg hdr;
	char body[XENSTORE_PAYLOAD_MAX + 1]; /* with a NUL after hdr.len bytes */
};

static struct xsd_node {
	char path[256];
	char value[XENSTORE_PAYLOAD_MAX];
	uint32_t len;
} xsd_nodes[XSD_NODES];

static struct xsd_watch {
	char path[256];
	char token[64];
} xsd_watches[XSD_WATCHES];

static struct {
	char in[2 * XSD_MSG_MAX]; /* request bytes taken off the ring, not yet a message */
	uint32_t in_len;
	char out[64 * 1024]; /* bytes for the reply ring, out_sent of them sent */
	uint32_t out_len, out_sent;
	bool kicked; /* the guest notified the port */
	bool poked;  /* a test gave it something to do */
	bool frozen, holding;
	uint32_t chunk;
	struct xsd_msg held[XSD_HELD];
	unsigned int nr_held;
	bool (*answer)(const struct xsd_msg *req); /* true: answered (or ignored) it */
	struct xsd_msg seen[XSD_SEEN];
	unsigned int nr_seen; /* requests taken, all of them */
	unsigned int of_type[XS_TYPE_COUNT];
	unsigned int refuse_commits; /* this many commits get EAGAIN */
	unsigned int commits, aborts, turns, notifies;
	uint32_t next_tx;
} xsd;

static evtchn_handler_t store_handler; /* what the guest bound to XSD_PORT */
static void *store_arg;

/* ---- the event channel, the guest's side --------------------------------------- */

int evtchn_bind(evtchn_port_t port, evtchn_handler_t handler, void *arg)
{
	assert_int_equal(port, XSD_PORT);
	assert_null(store_handler);
	store_handler = handler;
	store_arg = arg;
	return 0;
}

int evtchn_notify(evtchn_port_t port)
{
	assert_int_equal(port, XSD_PORT);
	xsd.kicked = true;
	xsd.notifies++;
	return 0;
}

static void raise_store_event(void)
{
	if (store_handler)
		store_handler(XSD_PORT, store_arg);
}

/* ---- what it sends ---------------------------------------------------------------- */

static void xsd_queue_bytes(const void *bytes, uint32_t len)
{
	assert_true(len <= sizeof(xsd.out) - xsd.out_len);
	memcpy(xsd.out + xsd.out_len, bytes, len);
	xsd.out_len += len;
	xsd.poked = true;
}

static void xsd_send(uint32_t type, uint32_t req_id, uint32_t tx_id, const void *body, uint32_t len)
{
	struct xsd_sockmsg hdr = {.type = type, .req_id = req_id, .tx_id = tx_id, .len = len};

	assert_true(len <= XENSTORE_PAYLOAD_MAX);
	if (xsd.holding) {
		struct xsd_msg *m;

		assert_true(xsd.nr_held < XSD_HELD);
		m = &xsd.held[xsd.nr_held++];
		m->hdr = hdr;
		memcpy(m->body, body, len);
		return;
	}
	xsd_queue_bytes(&hdr, sizeof(hdr));
	xsd_queue_bytes(body, len);
}

static void xsd_reply(const struct xsd_msg *req, uint32_t type, const void *body, uint32_t len)
{
	xsd_send(type, req->hdr.req_id, req->hdr.tx_id, body, len);
}

static void xsd_ok(const struct xsd_msg *req)
{
	xsd_reply(req, req->hdr.type, "OK", 3);
}

static void xsd_error(const struct xsd_msg *req, const char *name)
{
	xsd_reply(req, XS_ERROR, name, strlen(name) + 1);
}

/* A watch event: path\0token\0, with req_id 0 (it answers no request). */
static void xsd_event(const char *path, const char *token)
{
	char body[512];
	size_t p = strlen(path) + 1, t = strlen(token) + 1;

	assert_true(p + t <= sizeof(body));
	memcpy(body, path, p);
	memcpy(body + p, token, t);
	xsd_send(XS_WATCH_EVENT, 0, 0, body, p + t);
}

/* The answers held back, sent now in the order given (indices into xsd.held). */
static void xsd_release(const unsigned int *order, unsigned int n)
{
	bool was = xsd.holding;

	xsd.holding = false;
	for (unsigned int i = 0; i < n; i++) {
		const struct xsd_msg *m = &xsd.held[order[i]];

		xsd_send(m->hdr.type, m->hdr.req_id, m->hdr.tx_id, m->body, m->hdr.len);
	}
	xsd.nr_held = 0;
	xsd.holding = was;
}

static void xsd_release_all(void)
{
	unsigned int order[XSD_HELD];

	for (unsigned int i = 0; i < xsd.nr_held; i++)
		order[i] = i;
	xsd_release(order, xsd.nr_held);
}

/* ---- the store ------------------------------------------------------------------- */

static struct xsd_node *xsd_node(const char *path)
{
	for (unsigned int i = 0; i < XSD_NODES; i++)
		if (xsd_nodes[i].path[0] && !strcmp(xsd_nodes[i].path, path))
			return &xsd_nodes[i];
	return NULL;
}

static void xsd_set(const char *path, const void *value, uint32_t len)
{
	struct xsd_node *n = xsd_node(path);

	for (unsigned int i = 0; !n && i < XSD_NODES; i++)
		if (!xsd_nodes[i].path[0])
			n = &xsd_nodes[i];
	assert_non_null(n);
	assert_true(strlen(path) < sizeof(n->path) && len <= sizeof(n->value));
	strcpy(n->path, path);
	memcpy(n->value, value, len);
	n->len = len;
}

/* path is below (or is) the watched path, as xenstored matches watches. */
static bool xsd_watched(const char *watched, const char *path)
{
	size_t n = strlen(watched);

	return !strncmp(watched, path, n) && (path[n] == '\0' || path[n] == '/');
}

static void xsd_fire(const char *path)
{
	for (unsigned int i = 0; i < XSD_WATCHES; i++)
		if (xsd_watches[i].path[0] && xsd_watched(xsd_watches[i].path, path))
			xsd_event(path, xsd_watches[i].token);
}

/* Another domain (the toolstack, a backend) writes a node: watches fire. */
static void xsd_dom0_write(const char *path, const char *value)
{
	xsd_set(path, value, strlen(value));
	xsd_fire(path);
}

static void xsd_directory(const struct xsd_msg *req)
{
	static char list[XENSTORE_PAYLOAD_MAX];
	size_t plen = strlen(req->body);
	uint32_t len = 0;

	for (unsigned int i = 0; i < XSD_NODES; i++) {
		const char *p = xsd_nodes[i].path, *name = p + plen + 1;
		size_t n = 0;

		if (!p[0] || strncmp(p, req->body, plen) || p[plen] != '/')
			continue;
		while (name[n] && name[n] != '/')
			n++;
		assert_true(len + n + 1 <= sizeof(list));
		memcpy(list + len, name, n);
		list[len + n] = '\0';
		len += n + 1;
	}
	xsd_reply(req, XS_DIRECTORY, list, len);
}

static void xsd_watch(const struct xsd_msg *req)
{
	const char *path = req->body, *token = path + strlen(path) + 1;

	for (unsigned int i = 0; i < XSD_WATCHES; i++) {
		if (xsd_watches[i].path[0])
			continue;
		strcpy(xsd_watches[i].path, path);
		strcpy(xsd_watches[i].token, token);
		xsd_ok(req);
		xsd_event(path, token); /* fired once at once: the client reads what is there */
		return;
	}
	xsd_error(req, "ENOSPC");
}

static void xsd_unwatch(const struct xsd_msg *req)
{
	const char *path = req->body, *token = path + strlen(path) + 1;

	for (unsigned int i = 0; i < XSD_WATCHES; i++) {
		if (strcmp(xsd_watches[i].path, path) || strcmp(xsd_watches[i].token, token))
			continue;
		xsd_watches[i].path[0] = '\0';
		xsd_ok(req);
		return;
	}
	xsd_error(req, "ENOENT");
}

static void xsd_answer(const struct xsd_msg *req)
{
	const char *path = req->body;
	struct xsd_node *n;
	char id[16];

	switch (req->hdr.type) {
	case XS_READ:
		n = xsd_node(path);
		if (n)
			xsd_reply(req, XS_READ, n->value, n->len);
		else
			xsd_error(req, "ENOENT");
		return;
	case XS_WRITE:
		/* path\0value, the value without a NUL of its own */
		xsd_set(path, path + strlen(path) + 1, req->hdr.len - strlen(path) - 1);
		xsd_ok(req);
		xsd_fire(path);
		return;
	case XS_MKDIR:
		if (!xsd_node(path))
			xsd_set(path, "", 0);
		xsd_ok(req);
		return;
	case XS_RM:
		n = xsd_node(path);
		if (!n) {
			xsd_error(req, "ENOENT");
			return;
		}
		n->path[0] = '\0';
		xsd_ok(req);
		return;
	case XS_DIRECTORY:
		xsd_directory(req);
		return;
	case XS_SET_PERMS:
		xsd_ok(req); /* taken on trust: no permissions are kept */
		return;
	case XS_WATCH:
		xsd_watch(req);
		return;
	case XS_UNWATCH:
		xsd_unwatch(req);
		return;
	case XS_TRANSACTION_START:
		snprintf(id, sizeof(id), "%u", ++xsd.next_tx);
		xsd_reply(req, XS_TRANSACTION_START, id, strlen(id) + 1);
		return;
	case XS_TRANSACTION_END:
		if (!strcmp(path, "F")) {
			xsd.aborts++;
		} else if (xsd.refuse_commits) {
			/* something changed under the transaction: the guest must run it again */
			xsd.refuse_commits--;
			xsd_error(req, "EAGAIN");
			return;
		} else {
			xsd.commits++;
		}
		xsd_ok(req);
		return;
	}
	xsd_error(req, "EINVAL");
}

/* ---- its turn -------------------------------------------------------------------- */

static void xsd_take(const struct xsd_msg *req)
{
	if (xsd.nr_seen < XSD_SEEN)
		xsd.seen[xsd.nr_seen] = *req;
	xsd.nr_seen++;
	if (req->hdr.type < XS_TYPE_COUNT)
		xsd.of_type[req->hdr.type]++;
	if (!xsd.answer || !xsd.answer(req))
		xsd_answer(req);
}

/* Every request byte on the ring, then each whole message in it. */
static bool xsd_take_requests(void)
{
	static struct xsd_msg req;
	uint32_t cons = xs_page.req_cons, avail = READ_ONCE(xs_page.req_prod) - cons;

	/* the guest's own index: it must never claim more than the ring holds */
	assert_true(avail <= XENSTORE_RING_SIZE);
	if (!avail)
		return false;
	assert_true(avail <= sizeof(xsd.in) - xsd.in_len);
	for (uint32_t i = 0; i < avail; i++)
		xsd.in[xsd.in_len++] = xs_page.req[MASK_XENSTORE_IDX(cons + i)];
	WRITE_ONCE(xs_page.req_cons, cons + avail);
	while (xsd.in_len >= sizeof(struct xsd_sockmsg)) {
		uint32_t size;

		memcpy(&req.hdr, xsd.in, sizeof(req.hdr));
		if (req.hdr.len > XENSTORE_PAYLOAD_MAX)
			fail_msg("the guest sent a request of %u bytes", req.hdr.len);
		size = sizeof(req.hdr) + req.hdr.len;
		if (xsd.in_len < size)
			break;
		memcpy(req.body, xsd.in + sizeof(req.hdr), req.hdr.len);
		req.body[req.hdr.len] = '\0';
		xsd.in_len -= size;
		memmove(xsd.in, xsd.in + size, xsd.in_len);
		xsd_take(&req);
	}
	return true;
}

static bool xsd_send_replies(void)
{
	uint32_t prod = xs_page.rsp_prod;
	uint32_t room = XENSTORE_RING_SIZE - (prod - READ_ONCE(xs_page.rsp_cons));
	uint32_t n = xsd.out_len - xsd.out_sent;

	if (n > room)
		n = room;
	if (xsd.chunk && n > xsd.chunk)
		n = xsd.chunk;
	for (uint32_t i = 0; i < n; i++)
		xs_page.rsp[MASK_XENSTORE_IDX(prod + i)] = xsd.out[xsd.out_sent++];
	WRITE_ONCE(xs_page.rsp_prod, prod + n);
	if (xsd.out_sent == xsd.out_len)
		xsd.out_sent = xsd.out_len = 0;
	return n > 0;
}

/* fake_vcpu.h's idle_hook: true if it raised the event. */
static bool xsd_turn(void)
{
	bool moved;

	if (xsd.frozen || (!xsd.kicked && !xsd.poked))
		return false;
	xsd.kicked = xsd.poked = false;
	xsd.turns++;
	moved = xsd_take_requests();
	moved |= xsd_send_replies();
	if (moved)
		as_upcall(raise_store_event);
	return moved;
}

/* The request the test is about: the last one of a type. */
static const struct xsd_msg *xsd_last(uint32_t type)
{
	unsigned int n = xsd.nr_seen < XSD_SEEN ? xsd.nr_seen : XSD_SEEN;

	while (n--)
		if (xsd.seen[n].hdr.type == type)
			return &xsd.seen[n];
	fail_msg("xenstored saw no %s request", xs_type_name(type));
	return NULL;
}

static void reset_xenstored(void)
{
	memset(&xsd, 0, sizeof(xsd));
	memset(&xs_page, 0, sizeof(xs_page));
	memset(xsd_nodes, 0, sizeof(xsd_nodes));
	memset(xsd_watches, 0, sizeof(xsd_watches));
	store_handler = NULL;
	store_arg = NULL;
}

#endif
