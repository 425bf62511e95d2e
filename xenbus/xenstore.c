/*
 * The xenstore client. Requests go out on the "req" ring of the shared page and
 * replies come back on the "rsp" ring (xen/io/xs_wire.h, docs/misc/xenstore-ring.txt),
 * both 1024-byte rings with free-running 32-bit indices. A message may be longer than
 * a ring: it is written and read in pieces as the other side makes room.
 *
 * Threads: a caller writes its whole request (one writer at a time), then sleeps
 * until the reader thread finds the reply with its req_id. Watch events arrive at
 * any time; the reader queues them for the watch thread, which runs the callbacks,
 * so that a callback may itself use xenstore. The event handler only wakes threads.
 *
 * A call ends within 20 s, whatever xenstored does: waiting for room on the ring as
 * well as for the reply. A request cut short then is finished by the next one.
 *
 * Everything read from the ring is checked before use (xs_wire.c): a reply that is
 * malformed, or that answers no request, is logged and dropped; impossible ring
 * indices stop the client (every call then fails with -EIO) instead of crashing.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <skiff/thread.h>
#include <skiff/xenstore.h>
#include <stdint.h>
#include <xen/xen.h>
#include <xen/io/xs_wire.h>

#include <arch.h>
#include "libc/printk.h"
#include "xen/events.h"
#include "kernel/init.h"
#include "xen/xs_wire.h"

/* The bound on a whole call: the writer's turn, room on the ring and the reply.
 * xenstored answers in milliseconds, even on a busy emulated host. */
#define XS_CALL_TIMEOUT_NS (20 * NSEC_PER_SEC)

struct request {
	uint32_t req_id;
	uint32_t type;
	bool done;
	int err;
	char *reply; /* malloc'd, with a NUL after len bytes */
	uint32_t len;
	struct wait_queue wq;
	struct request *next;
};

struct xs_watch {
	char *path;
	char token[16];
	void (*fn)(const char *path, void *arg); /* in the watch thread, or */
	void (*notify)(void *arg);		 /* in the reader thread: wake only */
	void *arg;
	struct xs_watch *next;
};

struct watch_event {
	char *payload; /* path\0token\0 */
	uint32_t len;
	struct watch_event *next;
};

static struct xenstore_domain_interface *ring;
static evtchn_port_t port;
static bool broken;
static struct wait_queue ring_wq = WAIT_QUEUE_INIT; /* space or data on the rings */
static struct request *pending;
static uint32_t next_req_id = 1;
static bool writer_busy;
static struct wait_queue writer_wq = WAIT_QUEUE_INIT;
/* The rest of a request whose caller gave up while it was half on the ring. xenstored
 * reads a stream: it must be finished before another request begins. */
static char *owed;
static uint32_t owed_len, owed_done;
static struct xs_watch *watches;
static unsigned int next_token;
static struct watch_event *events_head, *events_tail;
static struct wait_queue watch_wq = WAIT_QUEUE_INIT;
static unsigned int domid;
static char domain_name[64];

static void ring_event(evtchn_port_t p, void *arg)
{
	wait_queue_wake_all(&ring_wq);
}

static void stop(const char *why, uint32_t a, uint32_t b)
{
	if (!broken)
		printk("xenstore: %s (%u, %u); the client stops, calls fail with EIO\n", why, a, b);
	broken = true;
	for (struct request *r = pending; r; r = r->next)
		wait_queue_wake_all(&r->wq);
	wait_queue_wake_all(&ring_wq);
	wait_queue_wake_all(&writer_wq);
}

/* Bytes xenstored has replied that we have not read yet. */
static uint32_t rsp_available(void)
{
	uint32_t prod = READ_ONCE(ring->rsp_prod);
	uint32_t avail = prod - ring->rsp_cons;

	virt_rmb(); /* read the bytes only after the index that published them */
	if (avail > XENSTORE_RING_SIZE)
		stop("reply ring index out of range", ring->rsp_cons, prod);
	return broken ? 0 : avail;
}

/* Room left for requests. */
static uint32_t req_space(void)
{
	uint32_t cons = READ_ONCE(ring->req_cons);
	uint32_t used = ring->req_prod - cons;

	if (used > XENSTORE_RING_SIZE)
		stop("request ring index out of range", cons, ring->req_prod);
	return broken ? 0 : XENSTORE_RING_SIZE - used;
}

static int ring_read(void *buf, uint32_t len)
{
	char *dst = buf;

	while (len) {
		uint32_t avail, off, n;

		/* broken read after: the index check may have just set it */
		wait_event(&ring_wq, rsp_available() > 0 || broken);
		if (broken)
			return -EIO;
		avail = rsp_available();
		off = MASK_XENSTORE_IDX(ring->rsp_cons);
		n = avail < len ? avail : len;
		if (n > XENSTORE_RING_SIZE - off)
			n = XENSTORE_RING_SIZE - off; /* up to the end of the ring first */
		memcpy(dst, ring->rsp + off, n);
		virt_mb(); /* done reading the bytes before giving their space back */
		WRITE_ONCE(ring->rsp_cons, ring->rsp_cons + n);
		evtchn_notify(port);
		dst += n;
		len -= n;
	}
	return 0;
}

static uint64_t ns_left(uint64_t deadline)
{
	uint64_t now = monotonic_ns();

	return deadline > now ? deadline - now : 0;
}

/* Write as much of buf as xenstored makes room for by the deadline: how much went. */
static uint32_t ring_write(const char *buf, uint32_t len, uint64_t deadline)
{
	uint32_t done = 0;

	while (done < len) {
		uint32_t space, off, n;

		/* Bounded: a frozen xenstored takes nothing off the ring either. broken is
		 * read after the index check, which may have just set it. */
		if (!wait_event_timeout(&ring_wq, req_space() > 0 || broken, ns_left(deadline)) ||
		    broken)
			break;
		space = req_space();
		off = MASK_XENSTORE_IDX(ring->req_prod);
		n = space < len - done ? space : len - done;
		if (n > XENSTORE_RING_SIZE - off)
			n = XENSTORE_RING_SIZE - off;
		memcpy(ring->req + off, buf + done, n);
		virt_wmb(); /* the bytes before the index that publishes them */
		WRITE_ONCE(ring->req_prod, ring->req_prod + n);
		evtchn_notify(port);
		done += n;
	}
	return done;
}

/*
 * Put a whole request (msg, which this takes) on the ring by the deadline: 0,
 * -ETIMEDOUT or -EIO. What is owed of an earlier request goes first. A request cut
 * short is owed in its turn: its caller hears -ETIMEDOUT, and the next request sends
 * the rest first, so xenstored never reads one request's bytes as another's.
 */
static int send_request(char *msg, uint32_t len, uint64_t deadline)
{
	uint32_t done;

	if (owed) {
		owed_done += ring_write(owed + owed_done, owed_len - owed_done, deadline);
		if (owed_done < owed_len) {
			free(msg); /* none of it on the ring yet */
			return broken ? -EIO : -ETIMEDOUT;
		}
		free(owed);
		owed = NULL;
	}
	done = ring_write(msg, len, deadline);
	if (done == len || done == 0 || broken) {
		free(msg); /* all sent, none sent, or nobody will send again */
		return done == len ? 0 : broken ? -EIO : -ETIMEDOUT;
	}
	owed = msg;
	owed_len = len;
	owed_done = done;
	return -ETIMEDOUT;
}

static struct request *take_pending(uint32_t req_id)
{
	for (struct request **p = &pending; *p; p = &(*p)->next) {
		if ((*p)->req_id == req_id) {
			struct request *r = *p;

			*p = r->next;
			return r;
		}
	}
	return NULL;
}

static struct xs_watch *find_watch(const char *token)
{
	for (struct xs_watch *w = watches; w; w = w->next)
		if (!strcmp(w->token, token))
			return w;
	return NULL;
}

static void queue_watch_event(char *payload, uint32_t len)
{
	struct watch_event *e;
	const char *strs[2];
	struct xs_watch *w;

	if (xs_check_payload(XS_WATCH_EVENT, payload, len)) {
		printk("xenstore: malformed watch event dropped\n");
		free(payload);
		return;
	}
	xs_split(payload, len, strs, 2);
	w = find_watch(strs[1]);
	if (w && w->notify) {
		/* A notify-only watch (a device's state): wake its owner here, so that no
		 * callback blocked in the watch thread can delay it. */
		w->notify(w->arg);
		free(payload);
		return;
	}
	e = malloc(sizeof(*e));
	if (!e) {
		printk("xenstore: watch event dropped (no memory)\n");
		free(payload);
		return;
	}
	e->payload = payload;
	e->len = len;
	e->next = NULL;
	if (events_tail)
		events_tail->next = e;
	else
		events_head = e;
	events_tail = e;
	wait_queue_wake_one(&watch_wq);
}

/* Hand a reply to the request waiting for it, after checking it fits that request. */
static void deliver(const struct xsd_sockmsg *hdr, char *payload)
{
	struct request *r = take_pending(hdr->req_id);

	if (!r) {
		printk("xenstore: reply %s to no request (id %u) dropped\n",
		       xs_type_name(hdr->type), hdr->req_id);
		free(payload);
		return;
	}
	if (xs_check_payload(hdr->type, payload, hdr->len)) {
		printk("xenstore: malformed %s reply (%u bytes) to %s rejected\n",
		       xs_type_name(hdr->type), hdr->len, xs_type_name(r->type));
		r->err = -EBADMSG;
	} else if (hdr->type == XS_ERROR) {
		r->err = xs_error_errno(payload, hdr->len);
	} else if (hdr->type != r->type) {
		printk("xenstore: %s reply to a %s request rejected\n", xs_type_name(hdr->type),
		       xs_type_name(r->type));
		r->err = -EBADMSG;
	}
	if (r->err) {
		free(payload);
	} else {
		r->reply = payload;
		r->len = hdr->len;
	}
	r->done = true;
	wait_queue_wake_all(&r->wq);
}

static int reader_thread(void *arg)
{
	while (!broken) {
		struct xsd_sockmsg hdr;
		char *payload;

		if (ring_read(&hdr, sizeof(hdr)))
			break;
		if (xs_check_header(&hdr)) {
			/* Without a trustworthy length we cannot find the next message. */
			stop("reply header with bad type or length", hdr.type, hdr.len);
			break;
		}
		payload = malloc(hdr.len + 1);
		if (!payload) {
			stop("no memory for a reply", hdr.type, hdr.len);
			break;
		}
		if (ring_read(payload, hdr.len)) {
			free(payload);
			break;
		}
		payload[hdr.len] = '\0';
		if (hdr.type == XS_WATCH_EVENT)
			queue_watch_event(payload, hdr.len);
		else
			deliver(&hdr, payload);
	}
	return -EIO;
}

static int watch_thread(void *arg)
{
	for (;;) {
		struct watch_event *e;
		const char *strs[2];
		struct xs_watch *w;

		wait_event(&watch_wq, events_head != NULL);
		e = events_head;
		events_head = e->next;
		if (!events_head)
			events_tail = NULL;
		xs_split(e->payload, e->len, strs, 2); /* checked when it was queued */
		w = find_watch(strs[1]);
		if (w && w->fn)
			w->fn(strs[0], w->arg); /* w may be gone after: it may unwatch itself */
		free(e->payload);
		free(e);
	}
	return 0;
}

/* Send one request made of n pieces and wait for its reply. */
static int talk(uint32_t type, xs_transaction_t t, const char *const parts[], const uint32_t lens[],
		unsigned int n, char **reply, uint32_t *reply_len)
{
	uint64_t deadline = deadline_after_ns(XS_CALL_TIMEOUT_NS);
	struct request r = {.type = type};
	struct xsd_sockmsg hdr = {.type = type, .tx_id = t};
	uint32_t len = sizeof(hdr);
	char *msg;
	int rc;

	if (!ring || broken)
		return -EIO;
	for (unsigned int i = 0; i < n; i++)
		hdr.len += lens[i];
	if (hdr.len > XENSTORE_PAYLOAD_MAX)
		return -E2BIG;
	/* One piece, which can outlive the call if xenstored stops reading half-way. */
	msg = malloc(sizeof(hdr) + hdr.len);
	if (!msg)
		return -ENOMEM;

	hdr.req_id = r.req_id = next_req_id++;
	memcpy(msg, &hdr, sizeof(hdr));
	for (unsigned int i = 0; i < n; i++) {
		memcpy(msg + len, parts[i], lens[i]);
		len += lens[i];
	}
	r.next = pending;
	pending = &r;

	/* One writer at a time, so that requests do not interleave on the ring. The writer
	 * began before us and gives up by its own deadline, so we still end by ours. */
	wait_event(&writer_wq, !writer_busy);
	writer_busy = true;
	rc = send_request(msg, len, deadline);
	writer_busy = false;
	wait_queue_wake_one(&writer_wq);
	if (rc == -ETIMEDOUT) {
		take_pending(r.req_id);
		printk("xenstore: request %u (type %u) not on the ring after %llu s: xenstored "
		       "takes no requests\n",
		       r.req_id, type, (unsigned long long)(XS_CALL_TIMEOUT_NS / NSEC_PER_SEC));
		return rc;
	}

	/* Bounded: a xenstored that stopped answering must not hang the caller for
	 * ever. A reply that comes later finds no request and is dropped (deliver()). */
	if (!rc && !wait_event_timeout(&r.wq, r.done || broken, ns_left(deadline))) {
		take_pending(r.req_id);
		printk("xenstore: no answer to request %u (type %u) in %llu s\n", r.req_id, type,
		       (unsigned long long)(XS_CALL_TIMEOUT_NS / NSEC_PER_SEC));
		return -ETIMEDOUT;
	}
	if (!r.done) {
		take_pending(r.req_id);
		return -EIO;
	}
	if (r.err)
		return r.err;
	if (reply) {
		*reply = r.reply;
		*reply_len = r.len;
	} else {
		free(r.reply);
	}
	return 0;
}

/* A request whose payload is one string and its NUL: "path\0". */
static int talk_path(uint32_t type, xs_transaction_t t, const char *path, char **reply,
		     uint32_t *len)
{
	const char *parts[] = {path};
	uint32_t lens[] = {strlen(path) + 1};

	return talk(type, t, parts, lens, 1, reply, len);
}

int xs_read(xs_transaction_t t, const char *path, char **value)
{
	uint32_t len;

	return talk_path(XS_READ, t, path, value, &len);
}

int xs_write(xs_transaction_t t, const char *path, const char *value)
{
	const char *parts[] = {path, value};
	uint32_t lens[] = {strlen(path) + 1, strlen(value)}; /* the value has no NUL */

	return talk(XS_WRITE, t, parts, lens, 2, NULL, NULL);
}

/* Not inlined into xs_printf, which is built with SSE (libc/printk.h). */
static __attribute__((noinline)) int xs_vprintf(xs_transaction_t t, const char *path,
						const char *fmt, va_list ap)
{
	char value[256];
	int n = vsnprintf(value, sizeof(value), fmt, ap);

	if (n >= (int)sizeof(value))
		return -E2BIG;
	return xs_write(t, path, value);
}

/* An app may write a double: the vector registers go to the va_list (libc/printk.h). */
VA_SAVES_VECTOR_ARGS int xs_printf(xs_transaction_t t, const char *path, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = xs_vprintf(t, path, fmt, ap);
	va_end(ap);
	return rc;
}

int xs_mkdir(xs_transaction_t t, const char *path)
{
	return talk_path(XS_MKDIR, t, path, NULL, NULL);
}

int xs_rm(xs_transaction_t t, const char *path)
{
	return talk_path(XS_RM, t, path, NULL, NULL);
}

int xs_directory(xs_transaction_t t, const char *path, char ***names, unsigned int *count)
{
	char *reply, **array;
	uint32_t len;
	int n, rc = talk_path(XS_DIRECTORY, t, path, &reply, &len);

	if (rc)
		return rc;
	/* Count the names, then build one block: the pointer array, then the strings. */
	n = 0;
	for (uint32_t i = 0; i < len; i++)
		n += reply[i] == '\0';
	array = malloc(n * sizeof(char *) + len + 1);
	if (!array) {
		free(reply);
		return -ENOMEM;
	}
	memcpy(array + n, reply, len + 1);
	xs_split((char *)(array + n), len, (const char **)array, n);
	free(reply);
	*names = array;
	*count = n;
	return 0;
}

int xs_get_perms(xs_transaction_t t, const char *path, struct xs_perm *perms, unsigned int max,
		 unsigned int *count)
{
	const char *strs[64];
	char *reply;
	uint32_t len;
	int n, rc = talk_path(XS_GET_PERMS, t, path, &reply, &len);

	if (rc)
		return rc;
	n = xs_split(reply, len, strs, max < 64 ? max : 64);
	for (int i = 0; i < n && rc == 0; i++) {
		unsigned long long id;

		if (!strchr("nrwb", strs[i][0]) || !strs[i][0] ||
		    xs_parse_uint(strs[i] + 1, 0xffff, &id)) {
			printk("xenstore: bad permission '%s' on %s\n", strs[i], path);
			rc = -EBADMSG;
			break;
		}
		perms[i].access = strs[i][0];
		perms[i].domid = (uint16_t)id;
	}
	free(reply);
	if (n < 0)
		return n;
	*count = n;
	return rc;
}

int xs_set_perms(xs_transaction_t t, const char *path, const struct xs_perm *perms,
		 unsigned int count)
{
	char text[16][8];
	const char *parts[17] = {path};
	uint32_t lens[17] = {strlen(path) + 1};

	if (count == 0 || count > 16)
		return -EINVAL;
	for (unsigned int i = 0; i < count; i++) {
		snprintf(text[i], sizeof(text[i]), "%c%u", perms[i].access, perms[i].domid);
		parts[i + 1] = text[i];
		lens[i + 1] = strlen(text[i]) + 1;
	}
	return talk(XS_SET_PERMS, t, parts, lens, count + 1, NULL, NULL);
}

int xs_transaction_start(xs_transaction_t *t)
{
	const char *parts[] = {""};
	uint32_t lens[] = {1};
	unsigned long long id;
	char *reply;
	uint32_t len;
	int rc = talk(XS_TRANSACTION_START, XS_NO_TRANSACTION, parts, lens, 1, &reply, &len);

	if (rc)
		return rc;
	rc = xs_parse_uint(reply, UINT32_MAX, &id);
	free(reply);
	if (rc || id == 0)
		return -EBADMSG;
	*t = (xs_transaction_t)id;
	return 0;
}

int xs_transaction_end(xs_transaction_t t, bool abort)
{
	return talk_path(XS_TRANSACTION_END, t, abort ? "F" : "T", NULL, NULL);
}

int xs_transact(int (*fn)(xs_transaction_t t, void *arg), void *arg)
{
	for (int attempt = 0; attempt < 100; attempt++) {
		xs_transaction_t t;
		int rc = xs_transaction_start(&t);

		if (rc)
			return rc;
		rc = fn(t, arg);
		if (rc) {
			xs_transaction_end(t, true);
			return rc;
		}
		rc = xs_transaction_end(t, false);
		if (rc != -EAGAIN) /* EAGAIN: something changed under us, run it again */
			return rc;
	}
	return -EAGAIN;
}

/* Off our list: an event for it that comes later finds no watch and is dropped. */
static void unlink_watch(struct xs_watch *w)
{
	for (struct xs_watch **p = &watches; *p; p = &(*p)->next) {
		if (*p == w) {
			*p = w->next;
			break;
		}
	}
}

static int add_watch(const char *path, void (*fn)(const char *path, void *arg),
		     void (*notify)(void *arg), void *arg, struct xs_watch **watch)
{
	struct xs_watch *w = calloc(1, sizeof(*w));
	const char *parts[2];
	uint32_t lens[2];
	int rc;

	*watch = NULL;
	if (!w || !(w->path = strdup(path))) {
		free(w);
		return -ENOMEM;
	}
	snprintf(w->token, sizeof(w->token), "skiff%u", next_token++);
	w->fn = fn;
	w->notify = notify;
	w->arg = arg;
	w->next = watches;
	watches = w;
	parts[0] = path;
	lens[0] = strlen(path) + 1;
	parts[1] = w->token;
	lens[1] = strlen(w->token) + 1;
	rc = talk(XS_WATCH, XS_NO_TRANSACTION, parts, lens, 2, NULL, NULL);
	if (rc) {
		/* No XS_UNWATCH: xenstored refused, so there is nothing to undo, or it did not
		 * answer, and would keep a second call waiting as long. A watch it sets later
		 * fires with a token we no longer know: those events are dropped. */
		printk("xenstore: watch on %s failed: %s\n", path, strerror_name(rc));
		unlink_watch(w);
		free(w->path);
		free(w);
		return rc;
	}
	*watch = w;
	return 0;
}

int xs_watch(const char *path, void (*fn)(const char *path, void *arg), void *arg,
	     struct xs_watch **watch)
{
	return add_watch(path, fn, NULL, arg, watch);
}

int xs_watch_notify(const char *path, void (*notify)(void *arg), void *arg, struct xs_watch **watch)
{
	return add_watch(path, NULL, notify, arg, watch);
}

int xs_unwatch(struct xs_watch *w)
{
	const char *parts[] = {w->path, w->token};
	uint32_t lens[] = {strlen(w->path) + 1, strlen(w->token) + 1};
	int rc;

	unlink_watch(w); /* first: no callback once the caller has asked for none */
	rc = talk(XS_UNWATCH, XS_NO_TRANSACTION, parts, lens, 2, NULL, NULL);
	free(w->path);
	free(w);
	return rc;
}

unsigned int xs_domid(void)
{
	return domid;
}

const char *xs_domain_name(void)
{
	return domain_name;
}

/* Nobody joins the client's threads: the reader ends when the client stops, and must
 * not stay allocated then. */
static bool start_detached(const char *name, int (*fn)(void *))
{
	struct thread *t = thread_create(name, fn, NULL);

	return t && thread_detach(t) == 0;
}

/* Connect to the ring, start the reader and watch threads, learn our domid and name. */
static int xenstore_init(void)
{
	unsigned long long id;
	char *name;
	int rc;

	ring = boot_info.store_ring;
	port = boot_info.store_evtchn;
	if (!start_detached("xenstore", reader_thread) || !start_detached("xs-watch", watch_thread))
		return -ENOMEM;
	if (evtchn_bind(port, ring_event, NULL))
		return -EIO;

	/* libxl writes both under the domain's home; a relative path reads from there. */
	rc = xs_read_uint(XS_NO_TRANSACTION, "domid", 0x7fef, &id);
	if (rc) {
		printk("xenstore: cannot read our domid (%s): no devices, no shutdown requests\n",
		       strerror_name(rc));
		return rc;
	}
	domid = (unsigned int)id;
	if (xs_read(XS_NO_TRANSACTION, "name", &name) == 0) {
		strlcpy(domain_name, name, sizeof(domain_name));
		free(name);
	}
	return 0;
}
KERNEL_INIT(1, xenstore_init);
