/*
 * The xenstore client (xenbus/xenstore.c) on the host, against a fake xenstored on a
 * real shared ring page (fake_xenstored.h). The client runs as it does on Skiff: the
 * real scheduler (kernel/thread.c over host_threads.h and fake_vcpu.h) runs its reader
 * and watch threads, and the test is the boot thread. xenstored takes its turn while
 * the vCPU is blocked; when it has nothing to do, time jumps to the next timer, so a
 * 20 s timeout takes no real time.
 *
 * Each test starts a new client (xenstore_init, which reads domid and name) and ends by
 * freeing its threads and heap; ASan's leak check covers the rest.
 */
#include "kernel/thread.c"
#include "xenbus/xenstore.c"
#include "xenbus/xs_strict.c"
#include "xen/xs_wire.c"
#include "libc/strerror.c"

#include <setjmp.h>
#include <cmocka.h>

#include "fake_log.h"
#include "fake_vcpu.h"
#include "host_threads.h"
#include "fake_xenstored.h"

struct boot_info boot_info;

static uint32_t ring_start; /* where both rings' indices begin */

/* ---- a new client for each test --------------------------------------------------- */

static void forget_the_client(void)
{
	while (watches) {
		struct xs_watch *w = watches;

		watches = w->next;
		free(w->path);
		free(w);
	}
	while (events_head) {
		struct watch_event *e = events_head;

		events_head = e->next;
		free(e->payload);
		free(e);
	}
	host_threads_reset(true); /* the reader and watch threads wait for ever: free them */
	ring = NULL;
	port = 0;
	broken = false;
	wait_queue_init(&ring_wq);
	wait_queue_init(&writer_wq);
	wait_queue_init(&watch_wq);
	pending = NULL;
	free(owed);
	owed = NULL;
	owed_len = owed_done = 0;
	next_req_id = 1;
	writer_busy = false;
	next_token = 0;
	events_tail = NULL;
	domid = 0;
	domain_name[0] = '\0';
}

static struct wait_queue cb_wq; /* woken by every callback */
static unsigned int cb_calls, notified;
static char cb_path[256];
static const char *cb_thread, *notify_thread;

static int connected(void **state)
{
	forget_the_client();
	reset_vcpu();
	reset_xenstored();
	clear_log();
	xs_page.req_cons = xs_page.req_prod = ring_start;
	xs_page.rsp_cons = xs_page.rsp_prod = ring_start;
	xsd_dom0_write("domid", "7");
	xsd_dom0_write("name", "guest");
	boot_info.store_ring = &xs_page;
	boot_info.store_evtchn = XSD_PORT;
	idle_hook = xsd_turn;
	assert_int_equal(xenstore_init(), 0);
	/* what the tests count starts now */
	xsd.nr_seen = 0;
	memset(xsd.of_type, 0, sizeof(xsd.of_type));
	wait_queue_init(&cb_wq);
	cb_calls = notified = 0;
	cb_path[0] = '\0';
	cb_thread = notify_thread = NULL;
	return 0;
}

static int connected_near_2_to_the_32(void **state)
{
	ring_start = 0xffffff00u; /* the free-running indices wrap during the test */
	return connected(state);
}

static int disconnected(void **state)
{
	forget_the_client();
	ring_start = 0;
	return 0;
}

static void reconnect(void)
{
	disconnected(NULL);
	connected(NULL);
}

/* ---- helpers ------------------------------------------------------------------------ */

#define WAIT_FOR(cond) assert_true(wait_event_timeout(&cb_wq, (cond), NSEC_PER_SEC))

static void assert_read(const char *path, const char *want)
{
	char *value = NULL;

	assert_int_equal(xs_read(XS_NO_TRANSACTION, path, &value), 0);
	assert_string_equal(value, want);
	free(value);
}

/* The call's result; a value read is dropped. */
static int read_rc(const char *path)
{
	char *value = NULL;
	int rc = xs_read(XS_NO_TRANSACTION, path, &value);

	if (!rc)
		free(value);
	return rc;
}

static struct thread *start(const char *name, int (*fn)(void *), void *arg)
{
	struct thread *t = thread_create(name, fn, arg);

	assert_non_null(t);
	return t;
}

static void join(struct thread *t)
{
	assert_int_equal(thread_join(t, NULL), 0);
}

static char big[XENSTORE_PAYLOAD_MAX + 1];

/* A value of n bytes that is not text, different for each seed. */
static void fill(char *buf, size_t n, unsigned int seed)
{
	for (size_t i = 0; i < n; i++)
		buf[i] = (char)(1 + (i * 7 + seed) % 250); /* no NUL: xs_write sends a string */
}

static void on_change(const char *path, void *arg)
{
	cb_calls++;
	strlcpy(cb_path, path, sizeof(cb_path));
	cb_thread = thread_name(thread_self());
	wait_queue_wake_all(&cb_wq);
}

/* ---- requests and replies -------------------------------------------------------------- */

static void init_reads_our_domid_and_name(void **state)
{
	assert_int_equal(xs_domid(), 7);
	assert_string_equal(xs_domain_name(), "guest");
}

static void write_and_read_carry_exactly_their_bytes(void **state)
{
	const struct xsd_msg *m;

	assert_int_equal(xs_write(XS_NO_TRANSACTION, "data/x", "hello"), 0);
	m = xsd_last(XS_WRITE);
	assert_int_equal(m->hdr.len, 12); /* path\0value: the value has no NUL */
	assert_memory_equal(m->body, "data/x\0hello", 12);
	assert_int_equal(m->hdr.tx_id, 0);
	assert_read("data/x", "hello");
	assert_int_equal(xsd_last(XS_READ)->hdr.len, 7);
	assert_int_equal(read_rc("data/nothing"), -ENOENT);
}

static void each_request_has_its_own_req_id(void **state)
{
	assert_read("name", "guest");
	assert_read("name", "guest");
	assert_int_equal(xsd.nr_seen, 2);
	assert_int_not_equal(xsd.seen[0].hdr.req_id, xsd.seen[1].hdr.req_id);
}

struct reader {
	const char *path;
	int rc;
	char *value;
};

static int read_in_a_thread(void *arg)
{
	struct reader *r = arg;

	r->rc = xs_read(XS_NO_TRANSACTION, r->path, &r->value);
	return 0;
}

/* Three threads ask at once; xenstored answers the second, the third, then the first. */
static void replies_are_matched_to_their_requests_by_req_id(void **state)
{
	struct reader r[3] = {{.path = "a"}, {.path = "b"}, {.path = "c"}};
	const char *want[3] = {"1", "2", "3"};
	const unsigned int order[3] = {1, 2, 0};
	struct thread *t[3];

	xsd_dom0_write("a", "1");
	xsd_dom0_write("b", "2");
	xsd_dom0_write("c", "3");
	xsd.holding = true;
	for (int i = 0; i < 3; i++)
		t[i] = start(r[i].path, read_in_a_thread, &r[i]);
	msleep(1); /* all three ask; xenstored holds its answers */
	assert_int_equal(xsd.nr_held, 3);
	xsd_release(order, 3);
	for (int i = 0; i < 3; i++) {
		join(t[i]);
		assert_int_equal(r[i].rc, 0);
		assert_string_equal(r[i].value, want[i]);
		free(r[i].value);
	}
}

/* Before the real answer, a READ answer with an id nobody used. */
static bool answer_an_unknown_id_first(const struct xsd_msg *req)
{
	if (req->hdr.type == XS_READ)
		xsd_send(XS_READ, req->hdr.req_id + 1000, 0, "wrong", 5);
	return false; /* then the store answers */
}

static void a_reply_to_no_request_is_dropped(void **state)
{
	char line[64];

	xsd.answer = answer_an_unknown_id_first;
	assert_read("name", "guest");
	snprintf(line, sizeof(line), "reply READ to no request (id %u) dropped",
		 xsd_last(XS_READ)->hdr.req_id + 1000);
	assert_logged(line);
}

/* ---- timeouts ---------------------------------------------------------------------- */

static void a_silent_xenstored_costs_etimedout_within_the_bound(void **state)
{
	uint64_t t0 = now_ns;

	xsd.holding = true; /* it takes the request and never answers */
	assert_int_equal(read_rc("name"), -ETIMEDOUT);
	assert_int_equal(now_ns - t0, XS_CALL_TIMEOUT_NS);
	assert_int_equal(xsd.of_type[XS_READ], 1);
	assert_logged("no answer to request");
	assert_null(pending);
}

/* The answer to a call that gave up comes just before the next call's: same type,
 * another value. It must not be taken for the next call's. */
static void a_late_reply_does_not_answer_the_next_call(void **state)
{
	xsd.holding = true;
	assert_int_equal(read_rc("name"), -ETIMEDOUT);
	xsd.holding = false;
	xsd_release_all(); /* "guest", for the call that gave up */
	assert_read("domid", "7");
	assert_logged("reply READ to no request");
	assert_read("name", "guest"); /* and the client goes on */
}

/*
 * A frozen xenstored (SIGSTOP in dom0) takes no request off the ring either. A request
 * the ring cannot hold must still cost -ETIMEDOUT within the bound, not a hang.
 */
static void a_frozen_xenstored_costs_a_long_request_etimedout_within_the_bound(void **state)
{
	uint64_t t0 = now_ns;

	fill(big, 3000, 4);
	big[3000] = '\0';
	xsd.frozen = true;
	assert_int_equal(xs_write(XS_NO_TRANSACTION, "big", big), -ETIMEDOUT);
	assert_int_equal(now_ns - t0, XS_CALL_TIMEOUT_NS);
}

/* Calls go on while xenstored is frozen: their requests fill the ring, and still each
 * call ends within the bound. */
static void a_frozen_xenstored_hangs_no_call_however_many_come(void **state)
{
	char path[101];

	memset(path, 'p', 100);
	path[100] = '\0'; /* 117 bytes a request: the ring holds 8 and a bit */
	xsd.frozen = true;
	for (int i = 0; i < 12; i++) {
		uint64_t t0 = now_ns;

		assert_int_equal(read_rc(path), -ETIMEDOUT);
		assert_true(now_ns - t0 <= XS_CALL_TIMEOUT_NS);
	}
}

static void thaw_but_never_answer(void)
{
	xsd.frozen = false;
	xsd.holding = true;
	xsd.poked = true;
}

/* The bound is on the whole call: 10 s waiting for room on the ring leave 10 s for the
 * reply, not another 20. */
static void the_bound_counts_the_wait_for_room_as_well_as_for_the_reply(void **state)
{
	uint64_t t0 = now_ns;

	fill(big, 3000, 8);
	big[3000] = '\0';
	xsd.frozen = true;
	event_at(t0 + 10 * NSEC_PER_SEC, thaw_but_never_answer);
	assert_int_equal(xs_write(XS_NO_TRANSACTION, "big", big), -ETIMEDOUT);
	assert_int_equal(xsd.of_type[XS_WRITE], 1); /* it went out whole */
	assert_int_equal(now_ns - t0, XS_CALL_TIMEOUT_NS);
	assert_logged("no answer to request");
}

/*
 * Once xenstored runs again the client works again, and xenstored finds a stream it
 * can read: the request whose caller gave up half-way is finished before the next one
 * begins, and the one that found no room at all never went out.
 */
static void a_thawed_xenstored_reads_whole_requests_and_the_client_works_again(void **state)
{
	fill(big, 3000, 6);
	big[3000] = '\0';
	xsd.frozen = true;
	assert_int_equal(xs_write(XS_NO_TRANSACTION, "big", big), -ETIMEDOUT); /* half out */
	assert_int_equal(read_rc("domid"), -ETIMEDOUT);			       /* no room */
	xsd.frozen = false;
	xsd.poked = true;
	assert_read("name", "guest");
	assert_int_equal(xsd.nr_seen, 2);
	assert_int_equal(xsd.seen[0].hdr.type, XS_WRITE);
	assert_int_equal(xsd_node("big")->len, 3000);
	assert_memory_equal(xsd_node("big")->value, big, 3000);
	assert_logged("reply WRITE to no request");
	assert_string_equal(xsd.seen[1].body, "name");
}

/* ---- watch events -------------------------------------------------------------------- */

/* The token the client gave its watch on path, as xenstored keeps it. */
static void token_of(const char *watched, char *token, size_t size)
{
	for (unsigned int i = 0; i < XSD_WATCHES; i++) {
		if (!strcmp(xsd_watches[i].path, watched)) {
			strlcpy(token, xsd_watches[i].token, size);
			return;
		}
	}
	fail_msg("xenstored has no watch on %s", watched);
}

/* A watch event comes between a request and its answer, both a few bytes at a time
 * across the ring's end. */
static bool answer_after_an_event(const struct xsd_msg *req)
{
	char token[64];

	if (req->hdr.type != XS_READ)
		return false;
	token_of("backend", token, sizeof(token));
	xsd_event("backend/vbd/state", token);
	return false;
}

static void a_watch_event_before_a_reply_goes_to_the_watch(void **state)
{
	struct xs_watch *w;

	assert_int_equal(xs_watch("backend", on_change, NULL, &w), 0);
	WAIT_FOR(cb_calls == 1); /* fired once at once */
	xsd.answer = answer_after_an_event;
	xsd.chunk = 7;
	assert_read("name", "guest");
	WAIT_FOR(cb_calls == 2);
	assert_string_equal(cb_path, "backend/vbd/state");
	assert_string_equal(cb_thread, "xs-watch");
	assert_int_equal(xs_unwatch(w), 0);
}

static void a_watch_calls_back_at_once_and_on_each_change_until_unwatched(void **state)
{
	struct xs_watch *w = NULL;
	const struct xsd_msg *watch, *unwatch;
	char token[64];

	assert_int_equal(xs_watch("data", on_change, NULL, &w), 0);
	assert_non_null(w);
	WAIT_FOR(cb_calls == 1);
	assert_string_equal(cb_path, "data");
	xsd_dom0_write("data/x", "1");
	WAIT_FOR(cb_calls == 2);
	assert_string_equal(cb_path, "data/x");
	token_of("data", token, sizeof(token));
	assert_int_equal(xs_unwatch(w), 0);
	/* UNWATCH names the watch as WATCH did: path\0token\0 */
	watch = xsd_last(XS_WATCH);
	unwatch = xsd_last(XS_UNWATCH);
	assert_int_equal(unwatch->hdr.len, watch->hdr.len);
	assert_memory_equal(unwatch->body, watch->body, watch->hdr.len);
	/* an event xenstored had already queued for it is dropped */
	xsd_event("data/y", token);
	msleep(1000);
	assert_int_equal(cb_calls, 2);
}

static struct xs_watch *self_watch;
static int self_read_rc, self_unwatch_rc = 1;

/* The watch thread runs callbacks so that they may use xenstore, even to unwatch. */
static void read_then_unwatch_myself(const char *path, void *arg)
{
	char *value = NULL;

	self_read_rc = xs_read(XS_NO_TRANSACTION, "name", &value);
	free(value);
	self_unwatch_rc = xs_unwatch(self_watch);
	on_change(path, arg);
}

static void a_callback_may_use_xenstore_and_unwatch_itself(void **state)
{
	self_unwatch_rc = 1;
	self_read_rc = 1;
	assert_int_equal(xs_watch("data", read_then_unwatch_myself, NULL, &self_watch), 0);
	WAIT_FOR(cb_calls == 1);
	assert_int_equal(self_read_rc, 0);
	assert_int_equal(self_unwatch_rc, 0);
	assert_null(watches);
	xsd_dom0_write("data/x", "1"); /* xenstored has no watch left to fire */
	msleep(1000);
	assert_int_equal(cb_calls, 1);
}

static struct wait_queue release_wq;
static bool released;

static void block_until_released(const char *path, void *arg)
{
	cb_calls++;
	wait_queue_wake_all(&cb_wq);
	wait_event(&release_wq, released);
}

static void on_notify(void *arg)
{
	notified++;
	notify_thread = thread_name(thread_self());
	wait_queue_wake_all(&cb_wq);
}

/* A notify-only watch is served by the reader thread, even while a callback of another
 * watch keeps the watch thread busy. */
static void watch_notify_runs_in_the_reader_while_a_callback_blocks(void **state)
{
	struct xs_watch *slow, *fast;

	wait_queue_init(&release_wq);
	released = false;
	assert_int_equal(xs_watch("slow", block_until_released, NULL, &slow), 0);
	WAIT_FOR(cb_calls == 1); /* the watch thread now waits in the callback */
	assert_int_equal(xs_watch_notify("fast", on_notify, NULL, &fast), 0);
	WAIT_FOR(notified == 1);
	assert_string_equal(notify_thread, "xenstore");
	xsd_dom0_write("fast/state", "4");
	WAIT_FOR(notified == 2);
	released = true;
	wait_queue_wake_all(&release_wq);
	assert_int_equal(xs_unwatch(fast), 0);
	assert_int_equal(xs_unwatch(slow), 0);
}

static bool refuse_watches(const struct xsd_msg *req)
{
	if (req->hdr.type != XS_WATCH)
		return false;
	xsd_error(req, "EACCES");
	return true;
}

static void a_refused_watch_returns_the_errno_and_no_handle(void **state)
{
	struct xs_watch *w = (struct xs_watch *)1;

	xsd.answer = refuse_watches;
	assert_int_equal(xs_watch("secret", on_change, NULL, &w), -EACCES);
	assert_null(w);
	assert_null(watches);
	assert_logged("watch on secret failed: EACCES");
	assert_int_equal(xsd.of_type[XS_UNWATCH], 0); /* nothing was set: nothing to undo */
}

/* A watch is one call: on a silent xenstored it too ends within the bound. */
static void a_watch_xenstored_does_not_answer_ends_within_the_bound(void **state)
{
	struct xs_watch *w = (struct xs_watch *)1;
	uint64_t t0 = now_ns;

	xsd.holding = true;
	assert_int_equal(xs_watch("data", on_change, NULL, &w), -ETIMEDOUT);
	assert_int_equal(now_ns - t0, XS_CALL_TIMEOUT_NS);
	assert_null(w);
	assert_null(watches);
}

/* ---- xenstored's errors ---------------------------------------------------------------- */

static const char *error_name;

static bool answer_with_error(const struct xsd_msg *req)
{
	if (req->hdr.type != XS_READ)
		return false;
	xsd_error(req, error_name);
	return true;
}

/* Every error name io/xs_wire.h lists comes back as its negative errno. */
static void xenstored_error_names_become_negative_errno(void **state)
{
	xsd.answer = answer_with_error;
	for (size_t i = 0; i < sizeof(xsd_errors) / sizeof(xsd_errors[0]); i++) {
		error_name = xsd_errors[i].errstring;
		assert_int_equal(read_rc("name"), -xsd_errors[i].errnum);
	}
	error_name = "EQUOTA"; /* oxenstored's, unknown to us: still a failure */
	assert_int_equal(read_rc("name"), -EIO);
}

static bool answer_error_without_nul(const struct xsd_msg *req)
{
	if (req->hdr.type != XS_READ)
		return false;
	xsd_reply(req, XS_ERROR, "ENOENT", 6);
	return true;
}

static void an_error_without_its_nul_is_ebadmsg(void **state)
{
	xsd.answer = answer_error_without_nul;
	assert_int_equal(read_rc("name"), -EBADMSG);
	xsd.answer = NULL;
	assert_read("name", "guest");
}

/* ---- the other calls ------------------------------------------------------------------ */

static void directory_gives_every_name_in_one_block(void **state)
{
	char **names = NULL;
	unsigned int count = 0;

	xsd_dom0_write("dir/a", "1");
	xsd_dom0_write("dir/bb", "2");
	xsd_dom0_write("dir/ccc", "3");
	assert_int_equal(xs_directory(XS_NO_TRANSACTION, "dir", &names, &count), 0);
	assert_int_equal(count, 3);
	assert_string_equal(names[0], "a");
	assert_string_equal(names[1], "bb");
	assert_string_equal(names[2], "ccc");
	free(names); /* one block: ASan would see the strings leak otherwise */
	assert_int_equal(xs_directory(XS_NO_TRANSACTION, "empty", &names, &count), 0);
	assert_int_equal(count, 0);
	free(names);
}

static const char *perms_reply;
static uint32_t perms_len;

static bool answer_perms(const struct xsd_msg *req)
{
	if (req->hdr.type != XS_GET_PERMS)
		return false;
	xsd_reply(req, XS_GET_PERMS, perms_reply, perms_len);
	return true;
}

static void get_perms_parses_each_entry_and_refuses_a_bad_one(void **state)
{
	struct xs_perm perms[4];
	unsigned int count = 0;

	xsd.answer = answer_perms;
	perms_reply = "b7\0r0\0n65535";
	perms_len = 13;
	assert_int_equal(xs_get_perms(XS_NO_TRANSACTION, "data", perms, 4, &count), 0);
	assert_int_equal(count, 3);
	assert_int_equal(perms[0].access, 'b');
	assert_int_equal(perms[0].domid, 7);
	assert_int_equal(perms[1].access, 'r');
	assert_int_equal(perms[2].domid, 65535);
	assert_int_equal(xs_get_perms(XS_NO_TRANSACTION, "data", perms, 2, &count), -E2BIG);
	perms_reply = "x7"; /* no such access */
	perms_len = 3;
	assert_int_equal(xs_get_perms(XS_NO_TRANSACTION, "data", perms, 4, &count), -EBADMSG);
	perms_reply = "r65536"; /* no such domain */
	perms_len = 7;
	assert_int_equal(xs_get_perms(XS_NO_TRANSACTION, "data", perms, 4, &count), -EBADMSG);
	assert_logged("bad permission 'r65536' on data");
}

static void set_perms_sends_each_entry_as_text(void **state)
{
	const struct xs_perm perms[] = {{'b', 7}, {'r', 0}};
	const struct xsd_msg *m;

	assert_int_equal(xs_set_perms(XS_NO_TRANSACTION, "data", perms, 2), 0);
	m = xsd_last(XS_SET_PERMS);
	assert_int_equal(m->hdr.len, 11);
	assert_memory_equal(m->body, "data\0b7\0r0", 11);
	assert_int_equal(xs_set_perms(XS_NO_TRANSACTION, "data", perms, 0), -EINVAL);
}

/* ---- transactions ---------------------------------------------------------------------- */

static unsigned int runs;
static xs_transaction_t tx_used[128];
static int fn_rc;

static int write_in_a_transaction(xs_transaction_t t, void *arg)
{
	tx_used[runs++ % 128] = t;
	if (fn_rc)
		return fn_rc;
	return xs_write(t, "data/t", "v");
}

static const char *tx_reply;

static bool answer_transaction_id(const struct xsd_msg *req)
{
	if (req->hdr.type != XS_TRANSACTION_START)
		return false;
	xsd_reply(req, XS_TRANSACTION_START, tx_reply, strlen(tx_reply) + 1);
	return true;
}

/* TRANSACTION_START takes "" and answers an id: 0 (no transaction) or not a number is
 * refused. */
static void a_transaction_id_of_0_or_not_a_number_is_ebadmsg(void **state)
{
	xs_transaction_t t = 99;

	xsd.answer = answer_transaction_id;
	tx_reply = "42";
	assert_int_equal(xs_transaction_start(&t), 0);
	assert_int_equal(t, 42);
	assert_int_equal(xsd_last(XS_TRANSACTION_START)->hdr.len, 1);
	t = 99;
	tx_reply = "0";
	assert_int_equal(xs_transaction_start(&t), -EBADMSG);
	tx_reply = "4x";
	assert_int_equal(xs_transaction_start(&t), -EBADMSG);
	tx_reply = "4294967296";
	assert_int_equal(xs_transaction_start(&t), -EBADMSG);
	assert_int_equal(t, 99);
}

static void transact_runs_again_when_the_commit_gets_eagain(void **state)
{
	runs = 0;
	fn_rc = 0;
	xsd.refuse_commits = 2;
	assert_int_equal(xs_transact(write_in_a_transaction, NULL), 0);
	assert_int_equal(runs, 3);
	assert_int_equal(xsd.of_type[XS_TRANSACTION_START], 3);
	assert_int_equal(xsd.of_type[XS_TRANSACTION_END], 3);
	assert_int_equal(xsd.commits, 1);
	assert_int_equal(xsd.aborts, 0);
	/* each run in a transaction of its own, its writes in it */
	assert_int_equal(tx_used[0], 1);
	assert_int_equal(tx_used[1], 2);
	assert_int_equal(tx_used[2], 3);
	assert_int_equal(xsd_last(XS_WRITE)->hdr.tx_id, 3);
	assert_int_equal(xsd_last(XS_TRANSACTION_END)->hdr.tx_id, 3);
	assert_memory_equal(xsd_last(XS_TRANSACTION_END)->body, "T", 2);
}

static void transact_gives_up_after_100_refused_commits(void **state)
{
	runs = 0;
	fn_rc = 0;
	xsd.refuse_commits = 1000;
	assert_int_equal(xs_transact(write_in_a_transaction, NULL), -EAGAIN);
	assert_int_equal(runs, 100);
	assert_int_equal(xsd.of_type[XS_TRANSACTION_START], 100);
	assert_int_equal(xsd.commits, 0);
}

static void transact_aborts_when_its_function_fails(void **state)
{
	runs = 0;
	fn_rc = -EACCES;
	assert_int_equal(xs_transact(write_in_a_transaction, NULL), -EACCES);
	assert_int_equal(runs, 1);
	assert_int_equal(xsd.aborts, 1);
	assert_memory_equal(xsd_last(XS_TRANSACTION_END)->body, "F", 2);
}

/* ---- long messages and bad ones ------------------------------------------------------- */

/* 4096 bytes through the 1 KiB ring, in pieces of 100 bytes: it crosses the ring's end
 * four times, and the header of the next message is split too. */
static void a_reply_longer_than_the_ring_arrives_whole(void **state)
{
	char *value = NULL;

	fill(big, XENSTORE_PAYLOAD_MAX, 3);
	xsd_set("big", big, XENSTORE_PAYLOAD_MAX);
	xsd.chunk = 100;
	assert_int_equal(xs_read(XS_NO_TRANSACTION, "big", &value), 0);
	assert_memory_equal(value, big, XENSTORE_PAYLOAD_MAX);
	assert_int_equal(value[XENSTORE_PAYLOAD_MAX], '\0');
	free(value);
	xsd.chunk = 7;
	assert_read("name", "guest");
}

static void a_request_longer_than_the_ring_is_written_whole(void **state)
{
	fill(big, 3000, 5);
	big[3000] = '\0';
	assert_int_equal(xs_write(XS_NO_TRANSACTION, "big", big), 0);
	assert_int_equal(xsd_node("big")->len, 3000);
	assert_memory_equal(xsd_node("big")->value, big, 3000);
}

/* Both ways across the 32-bit wrap of the free-running indices. */
static void ring_indices_wrap_past_2_to_the_32(void **state)
{
	char *value = NULL;

	fill(big, 3000, 9);
	big[3000] = '\0';
	assert_int_equal(xs_write(XS_NO_TRANSACTION, "big", big), 0);
	assert_int_equal(xs_read(XS_NO_TRANSACTION, "big", &value), 0);
	assert_memory_equal(value, big, 3001);
	free(value);
	assert_true(xs_page.req_prod < ring_start && xs_page.rsp_prod < ring_start);
}

struct writer {
	const char *path;
	char value[3001];
	int rc;
};

static int write_in_a_thread(void *arg)
{
	struct writer *w = arg;

	w->rc = xs_write(XS_NO_TRANSACTION, w->path, w->value);
	return 0;
}

/* Two requests longer than the ring, from two threads: neither is cut into the other. */
static void two_long_requests_from_two_threads_do_not_interleave(void **state)
{
	static struct writer w[2] = {{.path = "one"}, {.path = "two"}};
	struct thread *t[2];

	for (int i = 0; i < 2; i++) {
		fill(w[i].value, 3000, 11 + i);
		w[i].value[3000] = '\0';
		t[i] = start(w[i].path, write_in_a_thread, &w[i]);
	}
	for (int i = 0; i < 2; i++) {
		join(t[i]);
		assert_int_equal(w[i].rc, 0);
		assert_memory_equal(xsd_node(w[i].path)->value, w[i].value, 3000);
	}
}

/*
 * A request is begun while another thread's is half on the ring: xenstored (on another
 * CPU) makes room and raises the event while this thread runs, so the first writer is
 * runnable but has not run yet. The second must wait its turn, not put its header into
 * the middle of the first request.
 */
static void a_request_begun_while_another_is_half_written_waits_its_turn(void **state)
{
	static struct writer first = {.path = "one"}, second = {.path = "two"};
	struct thread *t;

	fill(first.value, 3000, 21);
	first.value[3000] = '\0';
	fill(second.value, 3000, 22);
	second.value[3000] = '\0';
	t = start("one", write_in_a_thread, &first);
	thread_yield(); /* it fills the ring and waits for room */
	assert_int_equal(xs_page.req_prod - xs_page.req_cons, XENSTORE_RING_SIZE);
	assert_true(xsd_turn()); /* room, and the event: the first writer is runnable */
	assert_int_equal(xs_write(XS_NO_TRANSACTION, second.path, second.value), 0);
	join(t);
	assert_int_equal(first.rc, 0);
	assert_memory_equal(xsd_node("one")->value, first.value, 3000);
	assert_memory_equal(xsd_node("two")->value, second.value, 3000);
}

static void a_request_over_4096_bytes_is_e2big_and_not_sent(void **state)
{
	unsigned int notifies = xsd.notifies;

	fill(big, XENSTORE_PAYLOAD_MAX, 1);
	big[XENSTORE_PAYLOAD_MAX - 2] = '\0'; /* "big\0" and 4094 bytes: 4098 */
	assert_int_equal(xs_write(XS_NO_TRANSACTION, "big", big), -E2BIG);
	assert_int_equal(xsd.nr_seen, 0);
	assert_int_equal(xsd.notifies, notifies);
	big[XENSTORE_PAYLOAD_MAX - 4] = '\0'; /* 4096: the most there may be */
	assert_int_equal(xs_write(XS_NO_TRANSACTION, "big", big), 0);
}

static struct xsd_sockmsg bad_header;

static bool answer_with_bad_header(const struct xsd_msg *req)
{
	if (req->hdr.type != XS_READ)
		return false;
	bad_header.req_id = req->hdr.req_id;
	xsd_queue_bytes(&bad_header, sizeof(bad_header));
	xsd_queue_bytes("OK", 3); /* a few bytes of what it claims is the payload */
	return true;
}

/*
 * A reply header whose length is over XENSTORE_PAYLOAD_MAX (one more, or 2^32 - 1, which
 * a length + 1 allocation would wrap to 0), or whose type is unknown: the client cannot
 * find the next message, so it stops, says why, and every call fails with -EIO without
 * reaching the ring. Never a read past the buffer (ASan watches).
 */
static void a_reply_header_with_a_bad_length_or_type_stops_the_client(void **state)
{
	const struct xsd_sockmsg bad[] = {
		{.type = XS_READ, .len = UINT32_MAX},
		{.type = XS_READ, .len = XENSTORE_PAYLOAD_MAX + 1},
		{.type = XS_TYPE_COUNT, .len = 3},
		{.type = XS_INVALID, .len = 3},
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char line[96];

		reconnect();
		bad_header = bad[i];
		xsd.answer = answer_with_bad_header;
		assert_int_equal(read_rc("name"), -EIO);
		snprintf(line, sizeof(line), "reply header with bad type or length (%u, %u)",
			 bad[i].type, bad[i].len);
		assert_logged(line);
		assert_int_equal(read_rc("name"), -EIO);
		assert_int_equal(xsd.nr_seen, 1); /* the second never went out */
	}
}

static bool claim_more_than_the_ring(const struct xsd_msg *req)
{
	if (req->hdr.type != XS_READ)
		return false;
	xs_page.rsp_prod = xs_page.rsp_cons + XENSTORE_RING_SIZE + 1;
	return true;
}

static void a_reply_index_beyond_the_ring_stops_the_client(void **state)
{
	xsd.answer = claim_more_than_the_ring;
	assert_int_equal(read_rc("name"), -EIO);
	assert_logged("reply ring index out of range");
	assert_null(ring_wq.head); /* the reader saw it too, and ended */
	assert_int_equal(read_rc("name"), -EIO);
}

/* xenstored claims to have taken requests we never wrote: the client stops at once,
 * rather than wait for room that the index says will never come. */
static void a_request_index_beyond_the_ring_stops_the_client(void **state)
{
	uint64_t t0 = now_ns;

	xsd.frozen = true; /* it says so, and does nothing more */
	xs_page.req_cons = xs_page.req_prod + 5;
	assert_int_equal(read_rc("name"), -EIO);
	assert_int_equal(now_ns, t0);
	assert_logged("request ring index out of range");
	assert_int_equal(xsd.nr_seen, 0);
}

/* The reader thread ends when the client stops; nobody joins it, so it must not stay
 * allocated (its struct and 20 KiB of stack). */
static void a_stopped_client_frees_its_reader_thread(void **state)
{
	assert_int_equal(live_stacks(), 2); /* the reader and the watch thread */
	xsd.answer = claim_more_than_the_ring;
	assert_int_equal(read_rc("name"), -EIO);
	assert_int_equal(live_stacks(), 1);
}

/* The client stops while a request is half on the ring: nobody will send the rest, so
 * it is not kept. */
static void a_request_half_out_when_the_client_stops_is_not_kept(void **state)
{
	static struct writer w = {.path = "big"};
	struct thread *t;

	fill(w.value, 3000, 31);
	w.value[3000] = '\0';
	xsd.frozen = true;
	t = start("w", write_in_a_thread, &w);
	thread_yield(); /* it fills the ring and waits for room */
	xs_page.rsp_prod = xs_page.rsp_cons + XENSTORE_RING_SIZE + 1;
	as_upcall(raise_store_event);
	join(t);
	assert_int_equal(w.rc, -EIO);
	assert_null(owed);
}

static bool answer_okay(const struct xsd_msg *req)
{
	if (req->hdr.type != XS_WRITE)
		return false;
	xsd_reply(req, XS_WRITE, "OKAY", 5);
	return true;
}

static void a_malformed_reply_is_ebadmsg_and_the_client_goes_on(void **state)
{
	xsd.answer = answer_okay;
	assert_int_equal(xs_write(XS_NO_TRANSACTION, "data/x", "1"), -EBADMSG);
	assert_logged("malformed WRITE reply (5 bytes) to WRITE rejected");
	assert_read("name", "guest");
}

static bool answer_read_with_write(const struct xsd_msg *req)
{
	if (req->hdr.type != XS_READ)
		return false;
	xsd_reply(req, XS_WRITE, "OK", 3);
	return true;
}

static void a_reply_of_another_type_is_ebadmsg(void **state)
{
	xsd.answer = answer_read_with_write;
	assert_int_equal(read_rc("name"), -EBADMSG);
	assert_logged("WRITE reply to a READ request rejected");
}

#define TEST(f)	     cmocka_unit_test_setup_teardown(f, connected, disconnected)
#define TEST_WRAP(f) cmocka_unit_test_setup_teardown(f, connected_near_2_to_the_32, disconnected)

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(init_reads_our_domid_and_name),
		TEST(write_and_read_carry_exactly_their_bytes),
		TEST(each_request_has_its_own_req_id),
		TEST(replies_are_matched_to_their_requests_by_req_id),
		TEST(a_reply_to_no_request_is_dropped),
		TEST(a_silent_xenstored_costs_etimedout_within_the_bound),
		TEST(a_late_reply_does_not_answer_the_next_call),
		TEST(a_frozen_xenstored_costs_a_long_request_etimedout_within_the_bound),
		TEST(a_frozen_xenstored_hangs_no_call_however_many_come),
		TEST(the_bound_counts_the_wait_for_room_as_well_as_for_the_reply),
		TEST(a_thawed_xenstored_reads_whole_requests_and_the_client_works_again),
		TEST(a_watch_event_before_a_reply_goes_to_the_watch),
		TEST(a_watch_calls_back_at_once_and_on_each_change_until_unwatched),
		TEST(watch_notify_runs_in_the_reader_while_a_callback_blocks),
		TEST(a_callback_may_use_xenstore_and_unwatch_itself),
		TEST(a_refused_watch_returns_the_errno_and_no_handle),
		TEST(a_watch_xenstored_does_not_answer_ends_within_the_bound),
		TEST(xenstored_error_names_become_negative_errno),
		TEST(an_error_without_its_nul_is_ebadmsg),
		TEST(directory_gives_every_name_in_one_block),
		TEST(get_perms_parses_each_entry_and_refuses_a_bad_one),
		TEST(set_perms_sends_each_entry_as_text),
		TEST(a_transaction_id_of_0_or_not_a_number_is_ebadmsg),
		TEST(transact_runs_again_when_the_commit_gets_eagain),
		TEST(transact_gives_up_after_100_refused_commits),
		TEST(transact_aborts_when_its_function_fails),
		TEST(a_reply_longer_than_the_ring_arrives_whole),
		TEST(a_request_longer_than_the_ring_is_written_whole),
		TEST_WRAP(ring_indices_wrap_past_2_to_the_32),
		TEST(two_long_requests_from_two_threads_do_not_interleave),
		TEST(a_request_begun_while_another_is_half_written_waits_its_turn),
		TEST(a_request_over_4096_bytes_is_e2big_and_not_sent),
		TEST(a_reply_header_with_a_bad_length_or_type_stops_the_client),
		TEST(a_reply_index_beyond_the_ring_stops_the_client),
		TEST(a_request_index_beyond_the_ring_stops_the_client),
		TEST(a_stopped_client_frees_its_reader_thread),
		TEST(a_request_half_out_when_the_client_stops_is_not_kept),
		TEST(a_malformed_reply_is_ebadmsg_and_the_client_goes_on),
		TEST(a_reply_of_another_type_is_ebadmsg),
	};

	return cmocka_run_group_tests_name("xenstore", tests, NULL, NULL);
}
