/*
 * netfront against a backend that answers anything: the unit tests' fake guest and
 * fake netback (tests/unit/test_netfront.c, built in with its main renamed), driven by
 * the fuzz input. The input may first put garbage in one xenstore node netfront reads
 * (the mac, a feature flag); then it is a list of moves: fill the next posted RX page
 * with bytes and answer it with any offset, flags and status (so multi-slot packets,
 * extra-info and GSO slots, all shapes), put a made-up RX or TX response or extra-info
 * slot on a ring, move a producer index, send a frame, answer the next TX request with
 * any status, raise the event, let time run to a deadline.
 *
 * Whatever happens, each packet handed up is whole and in bounds (record_rx's checks),
 * and at the close the link was told down once, no grant was ended twice or left
 * active, and every page is free or still mapped by the backend (close_vif's checks). A failed
 * assertion aborts, and libFuzzer keeps the input.
 */
#define main netfront_unit_tests
#include "test_netfront.c"
#undef main

#include "fuzz_input.h"

/* What netfront reads that its backend (or the toolstack) wrote. */
static const char *const vif_nodes[] = {
	FRONT "/mac",
	BACK "/feature-rx-copy",
	BACK "/feature-sg",
	BACK "/feature-gso-tcpv4",
	BACK "/feature-no-csum-offload",
	BACK "/feature-split-event-channels",
	BACK "/feature-rx-notify",
	BACK "/multi-queue-max-queues",
	BACK "/state",
};
#define NR_VIF_NODES (sizeof(vif_nodes) / sizeof(vif_nodes[0]))
#define MAX_SENDS    64 /* well under the TX ring's 256: a send never waits */

static unsigned int sends;

static void garbage_node(struct fuzz_input *in)
{
	uint8_t which = fuzz_u8(in);
	char value[64];

	if (which >= NR_VIF_NODES)
		return; /* most inputs: an honest vif */
	set_node(vif_nodes[which], fuzz_string(in, value, sizeof(value) - 1));
}

static bool active(grant_ref_t ref)
{
	return ref >= FIRST_REF && ref < next_ref && grants[ref].active;
}

/* The next posted RX page, filled with the input's bytes where the answer says they are. */
static void rx_piece(struct fuzz_input *in, bool real_id)
{
	struct netif_rx_request r;
	uint16_t id, offset = fuzz_u16(in) % (PAGE_SIZE + 64), flags = fuzz_u16(in);
	int16_t status = (int16_t)(fuzz_u16(in) % 4200) - 100; /* mostly sizes, some errors */

	if (!next_rx(&r))
		return;
	id = real_id ? r.id : fuzz_u16(in);
	if (status > 0 && active(r.gref) && offset + (size_t)status <= PAGE_SIZE)
		fuzz_take(in, granted(r.gref)->va + offset, (size_t)status);
	rx_respond(id, offset, flags, status);
}

static void send(struct fuzz_input *in)
{
	size_t len = fuzz_u16(in) % (NETFRONT_MAX_FRAME + 100);

	if (sends++ < MAX_SENDS)
		send_frame(frame_a, len);
}

static void tx_answer(struct fuzz_input *in)
{
	struct netif_tx_request r;
	int16_t status = (int16_t)(fuzz_u8(in) % 6) - 3; /* OKAY, ERROR, DROPPED, NULL, ... */

	if (next_tx(&r))
		tx_respond(fuzz_u8(in) & 1 ? fuzz_u16(in) : r.id, status);
}

static void move_producer(struct fuzz_input *in, bool rx)
{
	int8_t by = (int8_t)fuzz_u8(in);

	if (rx) {
		rx_back.sring->rsp_prod += (RING_IDX)(int32_t)by;
		rx_back.rsp_prod_pvt = rx_back.sring->rsp_prod;
	} else {
		tx_back.sring->rsp_prod += (RING_IDX)(int32_t)by;
		tx_back.rsp_prod_pvt = tx_back.sring->rsp_prod;
	}
}

/* The event arrives; a broken vif's handler may ignore it. */
static void raise_event(void)
{
	if (!bound_handler)
		return;
	bound_handler(PORT, bound_arg);
	if (dev->fe.event_pending)
		run_device_thread();
}

static void play(struct fuzz_input *in)
{
	unsigned int moves = 0;

	while (fuzz_more(in) && moves++ < 512) {
		uint8_t kind = fuzz_u8(in);

		switch (kind % 12) {
		case 0:
		case 1:
			rx_piece(in, true);
			break;
		case 2:
			rx_piece(in, false);
			break;
		case 3:
			rx_respond(fuzz_u16(in), fuzz_u16(in), fuzz_u16(in), (int16_t)fuzz_u16(in));
			break;
		case 4:
			rx_respond_extra(fuzz_u8(in), fuzz_u8(in), fuzz_u16(in), fuzz_u8(in));
			break;
		case 5:
			send(in);
			break;
		case 6:
			tx_answer(in);
			break;
		case 7:
			move_producer(in, true);
			break;
		case 8:
			move_producer(in, false);
			break;
		case 9:
		case 10:
			raise_event();
			break;
		case 11:
			if (dev_alive && dev_ctx.sleeping && dev_ctx.timed)
				run_device_thread_at_its_deadline();
			break;
		}
	}
	raise_event();
}

FUZZ_CMOCKA_FAILURES_ABORT()

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = {data, size};

	reset_stubs();
	sends = 0;
	garbage_node(&in);
	watching_link = false;
	dev = open0();
	if (dev)
		watch_link(dev); /* close_vif checks the link was told down once */
	if (dev && backend_connected)
		play(&in);
	close_vif(NULL);
	return 0;
}
