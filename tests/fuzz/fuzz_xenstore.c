/*
 * The xenstore client (xenbus/xenstore.c) against a xenstored that replies anything:
 * the unit tests' fake xenstored on a real ring page and the real scheduler with host
 * threads (tests/unit/test_xenstore.c, built in with its main renamed). The input is a
 * list of client calls (read, write, directory, get_perms, watch and unwatch, a
 * transaction), and for each request xenstored takes, what it answers: the store's
 * own reply, a reply of the right type with the input's bytes, a reply of any type,
 * a reply to another request, a watch event with the input's bytes, raw bytes on the
 * reply ring (headers of any type and length), or nothing at all.
 *
 * Whatever happens, every call returns 0 or a negative errno, within its bound (the
 * fake clock jumps to each timeout), and what a call returns is well formed; the
 * client's memory all comes back (the per-input leak check).
 */
/* kernel/thread.c's sleep() would be libFuzzer's too (its memory watcher sleeps) */
#define sleep skiff_sleep
#define main  xenstore_unit_tests
#include "test_xenstore.c"
#undef main

#include "fuzz_input.h"
#include "panic_stub.c" /* a panic (kernel/thread.c) is an assertion failure */

#define RAW_BUDGET 16384 /* reply bytes per input: well inside the fake's 64 KiB queue */

static struct fuzz_input *feed;
static size_t raw_sent;

static uint32_t body(char *buf, uint32_t max)
{
	uint32_t len = fuzz_u16(feed) % (max + 1);

	if (len > RAW_BUDGET - raw_sent)
		len = (uint32_t)(RAW_BUDGET - raw_sent);
	fuzz_take(feed, buf, len);
	raw_sent += len + sizeof(struct xsd_sockmsg);
	return len;
}

/* xenstored's answer to one request, as the input says (true: the store stays quiet). */
static bool answer(const struct xsd_msg *req)
{
	static char buf[XENSTORE_PAYLOAD_MAX + 64];
	uint8_t how;
	uint32_t len;

	if (!fuzz_more(feed) || raw_sent >= RAW_BUDGET)
		return false;
	how = fuzz_u8(feed);
	switch (how % 8) {
	case 0:
		return false; /* the store's own answer */
	case 1:
		len = body(buf, 300);
		xsd_reply(req, req->hdr.type, buf, len);
		return true;
	case 2:
		len = body(buf, 300);
		xsd_reply(req, fuzz_u8(feed) % (XS_TYPE_COUNT + 2), buf, len);
		return true;
	case 3:
		len = body(buf, 64);
		xsd_send(req->hdr.type, req->hdr.req_id + fuzz_u8(feed), req->hdr.tx_id, buf, len);
		return how & 0x80; /* and, often, the right answer after it */
	case 4:
		len = body(buf, 300);
		xsd_send(XS_WATCH_EVENT, 0, 0, buf, len);
		return false;
	case 5:
		len = body(buf, sizeof(buf));
		xsd_queue_bytes(buf, len);
		return how & 0x80;
	case 6:
		return true; /* silence: the call times out */
	default:
		len = body(buf, XENSTORE_PAYLOAD_MAX);
		xsd_reply(req, req->hdr.type, buf, len); /* long: it crosses the ring's end */
		return true;
	}
}

#define CHECK_RC(rc)                                                                               \
	do {                                                                                       \
		if ((rc) > 0) {                                                                    \
			printf("fuzz_xenstore: a call returned %d\n", (int)(rc));                  \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

static void call(uint8_t what)
{
	static struct xs_watch *w;
	char *value = NULL, **names = NULL;
	unsigned int count = 0;
	struct xs_perm perms[4];
	xs_transaction_t t;
	int rc;

	switch (what % 8) {
	case 0:
		rc = xs_read(XS_NO_TRANSACTION, "name", &value);
		CHECK_RC(rc);
		if (!rc)
			free(value);
		break;
	case 1:
		CHECK_RC(xs_write(XS_NO_TRANSACTION, "data/a", "b"));
		break;
	case 2:
		rc = xs_directory(XS_NO_TRANSACTION, "data", &names, &count);
		CHECK_RC(rc);
		if (!rc) {
			for (unsigned int i = 0; i < count; i++)
				(void)strlen(names[i]); /* each a string (ASan checks the bytes) */
			free(names);
		}
		break;
	case 3:
		rc = xs_get_perms(XS_NO_TRANSACTION, "data", perms, 4, &count);
		CHECK_RC(rc);
		if (!rc && count > 4)
			abort();
		break;
	case 4:
		if (!w)
			CHECK_RC(xs_watch("data", on_change, NULL, &w));
		break;
	case 5:
		if (w) {
			CHECK_RC(xs_unwatch(w));
			w = NULL;
		}
		break;
	case 6:
		rc = xs_transaction_start(&t);
		CHECK_RC(rc);
		if (!rc)
			CHECK_RC(xs_transaction_end(t, what & 0x80));
		break;
	default:
		CHECK_RC(xs_mkdir(XS_NO_TRANSACTION, "data/c"));
		break;
	}
	if (what == 0xff)
		w = NULL; /* forgotten with the client below */
}

/* The end of an input: the client stops as it does when xenstored breaks the protocol,
 * and its reader, which may be waiting for the rest of a message that will never come,
 * sees that and frees what it holds. The leak check then covers that path too. */
static void stop_the_client(void)
{
	xsd.answer = NULL;
	stop("the fuzz input ends", 0, 0);
	for (int i = 0; i < 4; i++)
		thread_yield();
}

FUZZ_CMOCKA_FAILURES_ABORT()

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = {data, size};
	unsigned int calls = 0;

	feed = &in;
	raw_sent = 0;
	disconnected(NULL);
	connected(NULL);
	xsd.answer = answer;
	while (fuzz_more(&in) && calls++ < 32)
		call(fuzz_u8(&in));
	stop_the_client();
	call(0xff);
	disconnected(NULL);
	return 0;
}
