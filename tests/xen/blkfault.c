/*
 * blkfault: a vbd backend in dom0's userspace that serves a guest's disk honestly until
 * it is told to misbehave. It is how the tests show what blkfront does with a backend
 * that breaks the protocol, which Linux's blkback never does on purpose.
 *
 *   blkfault DOMID VDEV IMAGE SECTORS SECTOR_SIZE CASE N
 *
 * It plays the toolstack's part for a guest created paused (`xl create -p`): it writes
 * the frontend's device/vbd/VDEV nodes and its own backend directory (under
 * backend/faultvbd/, which dom0's blkback does not watch); after `xl unpause` it is
 * the backend, until the guest is gone. The store is IMAGE, a file of SECTORS 512-byte
 * units (sparse: it may be terabytes). Only what blkfront needs is offered: one ring
 * page (unless a node: case offers more), no indirect descriptors, no persistent grants.
 *
 * CASE says what to do at the Nth request taken off the ring (1 for the first):
 *   honest        nothing: serve every request
 *   bad-id        answer it with an id no request has
 *   duplicate     answer it twice
 *   far-ahead     answer it, and move the response producer 1000 slots past
 *   wrong-op      answer it with another operation
 *   bad-status    answer it with status 7
 *   silence       answer nothing from it on
 *   storm         signal the event channel 100,000 times, then answer it, and go on
 *                 honestly
 *   closing       go to Closing with it (and whatever follows) unanswered
 *   closed        go to Closed without Closing first, it unanswered
 *   unmap         unmap the ring and answer nothing (the guest sees silence)
 *   node:NAME=VALUE   write VALUE into our node NAME before InitWait (garbage in
 *                 what blkfront reads), then serve honestly
 *
 *   blkfault verify IMAGE BASE_SECTOR RANGE...
 *
 * checks, after the guest is gone, that every block apps/blkhostile was told was
 * written (its "acked blocks" line: "0-41 43") holds its stamp in IMAGE.
 *
 * The guest's state changes are followed: when it goes Closing or Closed, the ring is
 * unmapped and we go Closed; a reopen (Initialising again) is served afresh. One line on
 * stdout for each thing done ("blkfault: connected, ring of 1 page(s)", "blkfault: case
 * bad-id at request 5"), for the test to read.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* io/ring.h's barriers: x86 orders loads with loads and stores with stores already. */
#define mb()  __sync_synchronize()
#define rmb() __asm__ __volatile__("" ::: "memory")
#define wmb() __asm__ __volatile__("" ::: "memory")

#include <xenevtchn.h>
#include <xengnttab.h>
#include <xenstore.h>
#include <xen/xen.h>
#include <xen/io/blkif.h>
#include <xen/io/xenbus.h>

#define PAGE	  4096
#define MAX_ORDER 4
#define SECTOR	  512
#define MAX_SEGS  BLKIF_MAX_SEGMENTS_PER_REQUEST

static struct xs_handle *xs;
static xengnttab_handle *xgt;
static xenevtchn_handle *xce;
static unsigned int domid, vdev;
static char front[128], back[128];
static int image = -1;
static unsigned long long sectors;
static unsigned int sector_size;
static const char *fault;
static unsigned long fault_at;
static char node_name[64], node_value[128];

/* The connection: the ring mapped, the event channel bound. */
static void *ring_mem;
static unsigned int ring_pages;
static blkif_back_ring_t ring;
static evtchn_port_t port = 0;
static bool connected, misbehaving;
static unsigned long taken; /* requests taken off the ring since the connection */

static void say(const char *fmt, ...)
{
	va_list ap;

	printf("blkfault: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static void die(const char *what)
{
	say("fatal: %s: %s", what, strerror(errno));
	exit(1);
}

static void write_node(const char *dir, const char *node, const char *fmt, ...)
{
	char path[256], value[128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(value, sizeof(value), fmt, ap);
	va_end(ap);
	snprintf(path, sizeof(path), "%s/%s", dir, node);
	if (!xs_write(xs, XBT_NULL, path, value, strlen(value)))
		die(path);
}

/* A node's value as a number, or -1 if it is absent or not a number. */
static long long read_number(const char *dir, const char *node)
{
	char path[256], *v, *end;
	unsigned int len;
	long long n;

	snprintf(path, sizeof(path), "%s/%s", dir, node);
	v = xs_read(xs, XBT_NULL, path, &len);
	if (!v)
		return -1;
	n = strtoll(v, &end, 10);
	if (end == v || *end)
		n = -1;
	free(v);
	return n;
}

static void set_state(XenbusState s)
{
	write_node(back, "state", "%d", (int)s);
}

/* Owner first (it may write), then who else may read. */
static void set_perms(const char *path, unsigned int owner, unsigned int reader)
{
	struct xs_permissions p[2] = {{.id = owner, .perms = XS_PERM_NONE},
				      {.id = reader, .perms = XS_PERM_READ}};

	if (!xs_set_permissions(xs, XBT_NULL, path, p, 2))
		die(path);
}

/* A directory made first, with its permissions, so that the nodes written into it
 * inherit them (xenstored gives a new node its parent's permissions). */
static void make_dir(const char *path, unsigned int owner, unsigned int reader)
{
	if (!xs_mkdir(xs, XBT_NULL, path))
		die(path);
	set_perms(path, owner, reader);
}

/* The toolstack's part: the frontend's nodes (the guest's to write) and ours (the guest
 * may read them). */
static void make_device(void)
{
	snprintf(front, sizeof(front), "/local/domain/%u/device/vbd/%u", domid, vdev);
	snprintf(back, sizeof(back), "/local/domain/0/backend/faultvbd/%u/%u", domid, vdev);
	make_dir(front, domid, 0);
	write_node(front, "backend", "%s", back);
	write_node(front, "backend-id", "0");
	write_node(front, "virtual-device", "%u", vdev);
	write_node(front, "device-type", "disk");
	write_node(front, "state", "%d", XenbusStateInitialising);
	make_dir(back, 0, domid);
	write_node(back, "frontend", "%s", front);
	write_node(back, "frontend-id", "%u", domid);
	write_node(back, "online", "1");
	write_node(back, "state", "%d", XenbusStateInitialising);
}

/* What blkback writes before InitWait; a node: case puts its garbage over one. */
static void offer_disk(void)
{
	write_node(back, "sectors", "%llu", sectors);
	write_node(back, "sector-size", "%u", sector_size);
	write_node(back, "physical-sector-size", "%u", sector_size);
	write_node(back, "info", "0");
	write_node(back, "mode", "w");
	write_node(back, "dev", "xvdb");
	write_node(back, "feature-flush-cache", "1");
	if (node_name[0]) {
		write_node(back, node_name, "%s", node_value);
		say("node %s = '%s'", node_name, node_value);
	}
	set_state(XenbusStateInitWait);
}

static void disconnect(void)
{
	if (port) {
		xenevtchn_unbind(xce, port);
		port = 0;
	}
	if (ring_mem) {
		xengnttab_unmap(xgt, ring_mem, ring_pages);
		ring_mem = NULL;
	}
	connected = false;
}

/* The frontend is Initialised: map its ring, bind its event channel, go Connected. */
static void connect_ring(void)
{
	uint32_t refs[1 << MAX_ORDER];
	long long order = read_number(front, "ring-page-order"), evtchn, ref;
	xenevtchn_port_or_error_t local;

	ring_pages = order < 0 ? 1 : 1u << order;
	if (order > MAX_ORDER) {
		say("frontend asks for ring-page-order %lld", order);
		exit(1);
	}
	for (unsigned int i = 0; i < ring_pages; i++) {
		char node[16];

		if (order < 0)
			snprintf(node, sizeof(node), "ring-ref");
		else
			snprintf(node, sizeof(node), "ring-ref%u", i);
		ref = read_number(front, node);
		if (ref < 0) {
			say("frontend has no %s", node);
			exit(1);
		}
		refs[i] = (uint32_t)ref;
	}
	evtchn = read_number(front, "event-channel");
	ring_mem = xengnttab_map_domain_grant_refs(xgt, ring_pages, domid, refs,
						   PROT_READ | PROT_WRITE);
	if (!ring_mem)
		die("map the ring");
	local = xenevtchn_bind_interdomain(xce, domid, (evtchn_port_t)evtchn);
	if (local < 0)
		die("bind the event channel");
	port = (evtchn_port_t)local;
	BACK_RING_INIT(&ring, (blkif_sring_t *)ring_mem, (size_t)ring_pages * PAGE);
	connected = true;
	misbehaving = false;
	taken = 0;
	set_state(XenbusStateConnected);
	say("connected, ring of %u page(s), event channel %lld", ring_pages, evtchn);
}

static void push(uint64_t id, uint8_t op, int16_t status)
{
	blkif_response_t *rsp = RING_GET_RESPONSE(&ring, ring.rsp_prod_pvt);
	int notify;

	rsp->id = id;
	rsp->operation = op;
	rsp->status = status;
	ring.rsp_prod_pvt++;
	RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&ring, notify);
	if (notify)
		xenevtchn_notify(xce, port);
}

/* Carry a read or write out between the granted pages and the image. */
static int16_t perform(const blkif_request_t *req)
{
	uint32_t refs[MAX_SEGS];
	uint64_t sector = req->sector_number;
	bool write = req->operation == BLKIF_OP_WRITE;
	unsigned int n = req->nr_segments;
	char *pages;
	int16_t status = BLKIF_RSP_OKAY;

	if (n == 0 || n > MAX_SEGS)
		return BLKIF_RSP_ERROR;
	for (unsigned int i = 0; i < n; i++)
		refs[i] = req->seg[i].gref;
	pages = xengnttab_map_domain_grant_refs(xgt, n, domid, refs,
						write ? PROT_READ : PROT_READ | PROT_WRITE);
	if (!pages)
		return BLKIF_RSP_ERROR;
	for (unsigned int i = 0; i < n && status == BLKIF_RSP_OKAY; i++) {
		const struct blkif_request_segment *s = &req->seg[i];
		size_t len = (size_t)(s->last_sect - s->first_sect + 1) * SECTOR;
		char *at = pages + (size_t)i * PAGE + (size_t)s->first_sect * SECTOR;
		off_t off = (off_t)sector * SECTOR;
		ssize_t done;

		if (s->first_sect > s->last_sect || s->last_sect >= PAGE / SECTOR ||
		    sector + len / SECTOR > sectors) {
			status = BLKIF_RSP_ERROR;
			break;
		}
		done = write ? pwrite(image, at, len, off) : pread(image, at, len, off);
		if (done != (ssize_t)len)
			status = BLKIF_RSP_ERROR;
		sector += len / SECTOR;
	}
	xengnttab_unmap(xgt, pages, n);
	return status;
}

static int16_t serve(const blkif_request_t *req)
{
	switch (req->operation) {
	case BLKIF_OP_READ:
	case BLKIF_OP_WRITE:
		return perform(req);
	case BLKIF_OP_FLUSH_DISKCACHE:
		return fdatasync(image) ? BLKIF_RSP_ERROR : BLKIF_RSP_OKAY;
	default:
		return BLKIF_RSP_EOPNOTSUPP;
	}
}

/* The case, at its request. True: the request was dealt with (or is to be ignored). */
static bool misbehave(const blkif_request_t *req)
{
	say("case %s at request %lu (id %llu, operation %u)", fault, taken,
	    (unsigned long long)req->id, req->operation);
	misbehaving = true;
	if (!strcmp(fault, "bad-id")) {
		push(req->id ^ 0x5a5a000000ull, req->operation, BLKIF_RSP_OKAY);
	} else if (!strcmp(fault, "duplicate")) {
		int16_t st = serve(req);

		push(req->id, req->operation, st);
		push(req->id, req->operation, st);
	} else if (!strcmp(fault, "far-ahead")) {
		push(req->id, req->operation, serve(req));
		ring.sring->rsp_prod += 1000;
		xenevtchn_notify(xce, port);
	} else if (!strcmp(fault, "wrong-op")) {
		push(req->id, req->operation == BLKIF_OP_READ ? BLKIF_OP_WRITE : BLKIF_OP_READ,
		     BLKIF_RSP_OKAY);
	} else if (!strcmp(fault, "bad-status")) {
		push(req->id, req->operation, 7);
	} else if (!strcmp(fault, "storm")) {
		for (int i = 0; i < 100000; i++)
			xenevtchn_notify(xce, port);
		say("100000 events sent");
		push(req->id, req->operation, serve(req));
		misbehaving = false; /* and honest again from now on */
		fault = "honest";
	} else if (!strcmp(fault, "closing")) {
		set_state(XenbusStateClosing);
	} else if (!strcmp(fault, "closed")) {
		disconnect();
		set_state(XenbusStateClosed);
	} else if (!strcmp(fault, "unmap")) {
		xengnttab_unmap(xgt, ring_mem, ring_pages);
		ring_mem = NULL;
		connected = false;
	}
	/* silence: nothing */
	return true;
}

/* Whether requests after the case's are still answered: yes for the cases whose wrong
 * is one bad answer; no for silence, closing, closed, unmap (storm goes back to honest). */
static bool answers_after(const char *c)
{
	static const char *const answering[] = {"duplicate", "bad-id", "far-ahead", "wrong-op",
						"bad-status"};

	for (size_t i = 0; i < sizeof(answering) / sizeof(answering[0]); i++)
		if (!strcmp(c, answering[i]))
			return true;
	return false;
}

/* Take every request on the ring; answer each, or do the case's wrong. */
static void serve_ring(void)
{
	int more;

	do {
		RING_IDX rp = ring.sring->req_prod, rc = ring.req_cons;

		xen_rmb();
		if (rp - rc > RING_SIZE(&ring)) {
			say("frontend's request producer %u is %u past ours", rp, rp - rc);
			return;
		}
		while (connected && rc != rp) {
			blkif_request_t req;

			memcpy(&req, RING_GET_REQUEST(&ring, rc), sizeof(req));
			ring.req_cons = ++rc;
			taken++;
			if (misbehaving && !answers_after(fault))
				continue; /* the rest go unanswered too */
			if (!misbehaving && taken == fault_at && strcmp(fault, "honest") &&
			    strncmp(fault, "node:", 5)) {
				misbehave(&req);
				continue;
			}
			push(req.id, req.operation, serve(&req));
		}
		if (!connected)
			return;
		RING_FINAL_CHECK_FOR_REQUESTS(&ring, more);
	} while (more);
}

/* The guest's state moved (or the first look): follow it. */
static void frontend_changed(void)
{
	long long st = read_number(front, "state");

	if (st == XenbusStateInitialised && !connected && !misbehaving)
		connect_ring();
	else if ((st == XenbusStateClosing || st == XenbusStateClosed) &&
		 read_number(back, "state") != XenbusStateClosed) {
		say("frontend %s: disconnecting", st == XenbusStateClosing ? "Closing" : "Closed");
		disconnect();
		set_state(XenbusStateClosed);
	} else if (st == XenbusStateInitialising &&
		   read_number(back, "state") == XenbusStateClosed) {
		say("frontend reopens");
		misbehaving = false;
		fault = "honest";
		set_state(XenbusStateInitWait);
	}
}

static bool guest_alive(void)
{
	char path[64];
	unsigned int len;
	char *v;

	snprintf(path, sizeof(path), "/local/domain/%u/name", domid);
	v = xs_read(xs, XBT_NULL, path, &len);
	free(v);
	return v != NULL;
}

static void handle_events(void)
{
	xenevtchn_port_or_error_t p = xenevtchn_pending(xce);

	if (p < 0)
		return;
	xenevtchn_unmask(xce, (evtchn_port_t)p);
	if (connected && (evtchn_port_t)p == port)
		serve_ring();
}

/* apps/blkhostile's stamp of a 4 KiB block (the same text, made apart from it). */
static void stamp(char *buf, unsigned int block)
{
	for (unsigned int off = 0; off < PAGE; off += 64)
		snprintf(buf + off, 64, "SKIFF-HOSTILE block %u at %u", block, off);
}

static int verify(int argc, char **argv)
{
	unsigned long long base = strtoull(argv[3], NULL, 10);
	static char want[PAGE], got[PAGE];
	unsigned int checked = 0;
	int fd = open(argv[2], O_RDONLY);

	if (fd < 0)
		die(argv[2]);
	for (int i = 4; i < argc; i++) {
		char *dash;
		unsigned long first = strtoul(argv[i], &dash, 10), last = first;

		if (*dash == '-')
			last = strtoul(dash + 1, NULL, 10);
		for (unsigned long b = first; b <= last; b++) {
			off_t off = (off_t)(base + b * (PAGE / SECTOR)) * SECTOR;

			memset(want, 0, sizeof(want));
			stamp(want, (unsigned int)b);
			if (pread(fd, got, PAGE, off) != PAGE || memcmp(got, want, PAGE)) {
				say("verify: acknowledged block %lu is not in the store", b);
				return 1;
			}
			checked++;
		}
	}
	say("verify: all %u acknowledged block(s) are in the store", checked);
	return 0;
}

int main(int argc, char **argv)
{
	long long last_state = -2;

	if (argc >= 4 && !strcmp(argv[1], "verify"))
		return verify(argc, argv);

	if (argc != 8) {
		fprintf(stderr, "usage: %s DOMID VDEV IMAGE SECTORS SECTOR_SIZE CASE N\n", argv[0]);
		return 2;
	}
	domid = (unsigned int)atoi(argv[1]);
	vdev = (unsigned int)atoi(argv[2]);
	sectors = strtoull(argv[4], NULL, 10);
	sector_size = (unsigned int)atoi(argv[5]);
	fault = argv[6];
	fault_at = strtoul(argv[7], NULL, 10);
	if (!strncmp(fault, "node:", 5)) {
		const char *eq = strchr(fault + 5, '=');

		if (!eq || (size_t)(eq - fault - 5) >= sizeof(node_name)) {
			fprintf(stderr, "blkfault: node:NAME=VALUE\n");
			return 2;
		}
		memcpy(node_name, fault + 5, (size_t)(eq - fault - 5));
		snprintf(node_value, sizeof(node_value), "%s", eq + 1);
	}
	signal(SIGPIPE, SIG_IGN);
	image = open(argv[3], O_RDWR | O_CREAT, 0644);
	if (image < 0 || ftruncate(image, (off_t)(sectors * SECTOR)))
		die(argv[3]);
	xs = xs_open(0);
	xgt = xengnttab_open(NULL, 0);
	xce = xenevtchn_open(NULL, 0);
	if (!xs || !xgt || !xce)
		die("open xenstore, gntdev or evtchn");
	make_device();
	offer_disk();
	say("ready: domain %u device %u, %llu sectors of 512 bytes, sector size %u, case %s at %lu",
	    domid, vdev, sectors, sector_size, fault, fault_at);

	/* The guest's state is read every 50 ms rather than watched: simple, and fast
	 * enough for a test (a watch's events never reached us through libxenstore's
	 * static build). */
	while (guest_alive()) {
		struct pollfd fds[1] = {{.fd = xenevtchn_fd(xce), .events = POLLIN}};
		long long st = read_number(front, "state");

		if (st != last_state) {
			say("frontend state %lld", st);
			last_state = st;
			frontend_changed();
		}
		if (poll(fds, 1, 50) < 0 && errno != EINTR)
			die("poll");
		if (fds[0].revents & POLLIN)
			handle_events();
		else if (connected)
			serve_ring(); /* a request may be there with no event (it polls too) */
	}
	disconnect();
	xs_rm(xs, XBT_NULL, back);
	say("the guest is gone: %lu request(s) taken", taken);
	return 0;
}
