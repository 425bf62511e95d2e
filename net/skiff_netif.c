/*
 * An lwIP network interface over netfront. Sending gathers the pbuf chain into
 * fragments for netfront_send(), which copies them into its own pages. Receiving
 * hands lwIP each packet as a chain of pbufs, checks its TCP sum (below) and queues it
 * for the tcpip thread. A packet larger than a frame (GSO: up to 64 KiB, in up to 18
 * pages) is not copied: its pages are borrowed from netfront (netfront_rx_borrow) and
 * wrapped as custom pbufs, each page given back when lwIP frees its pbuf. A frame, or
 * a packet netfront will not lend, is copied into receive buffers of this file's own
 * (a 1.5 KiB buffer holds a frame in less memory than the page it came in), also custom
 * pbufs: a pbuf pool made at run time, so that it is not in the image (lwIP's own
 * PBUF_POOL is empty) and grows with the domain. Buffers are malloc'd as needed up to
 * a bound set by the domain's memory, then kept on a free list: a flood runs them dry
 * instead of eating the heap. A frame is never borrowed (lwIP may keep pointers in a
 * fragment's header: see lendable()). When the buffers or the queue are used up, the
 * packet is dropped and counted, so a flood costs packets, never memory, and
 * out-of-order queues are dropped so that they cannot hold the buffers for good.
 *
 * Checksums. lwIP's own TCP check is off on this interface; check_tcp_sum() does it
 * here instead, for the packets that need it. A TCP packet the backend flags
 * NETRXF_csum_blank (sent by dom0's own stack, which left the sum to the "hardware")
 * or NETRXF_data_validated (its sum checked already) is taken on the backend's word, as
 * Linux takes it: summing 64 KiB twice (completing the sum, then lwIP checking it) cost
 * the guest ~8% of a TCP stream's time here. A blank checksum is not completed, since
 * nothing received leaves the guest again (lwIP does not forward). UDP is left to lwIP:
 * its datagrams are small, and one cut into IP fragments can only be checked once they
 * are put together, which lwIP does; a blank UDP checksum is completed for it.
 *
 * Sending runs wherever lwIP's core runs (the tcpip thread, or an application thread
 * holding the core mutex), so one frame at a time. netfront_send() may wait for ring
 * space with the mutex held; that is fine, since the ring drains without lwIP.
 */
#include <arch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <skiff/netfront.h>

#include "libc/page_alloc.h"
#include "net/skiff_netif.h"
#include "lwip/etharp.h"
#include "lwip/inet_chksum.h"
#include "lwip/ip.h"
#include "lwip/pbuf.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/tcpip.h"
#include "netif/ethernet.h"

/* Pieces gathered per frame; a longer chain (rare: TCP sends 2-3) is copied first. */
#define MAX_FRAGS 8
/* A packet is borrowed only with every header lwIP and check_tcp_sum() read in its
 * first piece: Ethernet, and IP and TCP with their longest options. */
#define HEADERS_MAX (SIZEOF_ETH_HDR + 60 + 60)

/* A page netfront lent, as a pbuf. Kept on a free list once made (bounded by what
 * netfront lends). */
struct lent_pbuf {
	struct pbuf_custom pc; /* first: lwIP hands &pc.pbuf back */
	struct netfront *dev;
	const void *data; /* the piece netfront lent (payload moves as headers are read) */
	struct lent_pbuf *next_free;
};

static struct lent_pbuf *free_wrappers;

/* A receive buffer (the top of the file): a frame, or a piece of a copied packet. */
#define RX_BUF_DATA 1536
struct rx_buf {
	struct pbuf_custom pc; /* first */
	struct rx_buf *next_free;
	u8_t data[RX_BUF_DATA];
};

/* At most a sixteenth of the domain's memory, as netfront lends (4 MiB: 166 buffers). */
#define RX_BUFS_MAX 1024
static struct rx_buf *free_bufs;
static unsigned int bufs_made, bufs_max;

static struct {
	uint64_t rx_not_up, rx_no_pbuf, rx_queue_full, rx_bad_csum_blank, rx_tcp_csum_trusted,
		rx_bad_tcp_csum, tx_errors, tx_acks;
} counters;

/* Where a frame's IPv4 TCP or UDP checksum is. */
struct l4_sum {
	u8_t *ip, *field;    /* the IP header, the checksum field (both in the first pbuf) */
	ip4_addr_t src, dst; /* the pseudo-header's addresses */
	u16_t ip_len;	     /* the IP packet's length (the frame may carry padding after it) */
	u16_t seg_len;	     /* the TCP or UDP segment's, header included */
	u8_t proto;
};

/* An Ethernet frame of IPv4 (no VLAN tag: none is negotiated). */
static bool is_ipv4(const u8_t *eth)
{
	return eth[12] == 0x08 && eth[13] == 0x00;
}

/* An IPv4 fragment (more to come, or not the first): a TCP or UDP sum covers the
 * whole datagram, so it cannot be checked or completed from one fragment. */
static bool is_fragment(const u8_t *ip)
{
	return (ip[6] & 0x3f) || ip[7];
}

/* Find it: false if the frame is not IPv4 TCP or UDP with its headers in the first
 * pbuf, or its lengths do not add up. */
static bool find_l4_sum(struct pbuf *p, struct l4_sum *l4)
{
	u8_t *eth = p->payload, *ip = eth + SIZEOF_ETH_HDR;
	u16_t ihl, at;

	if (p->len < SIZEOF_ETH_HDR + 20 || !is_ipv4(eth))
		return false;
	ihl = (u16_t)((ip[0] & 0x0f) * 4);
	l4->ip_len = (u16_t)(ip[2] << 8 | ip[3]);
	l4->proto = ip[9];
	if ((ip[0] >> 4) != 4 || ihl < 20 || l4->ip_len < ihl ||
	    SIZEOF_ETH_HDR + l4->ip_len > p->tot_len)
		return false;
	if (is_fragment(ip))
		return false;
	at = l4->proto == IP_PROTO_TCP ? 16 : l4->proto == IP_PROTO_UDP ? 6 : 0;
	l4->seg_len = (u16_t)(l4->ip_len - ihl);
	if (!at || SIZEOF_ETH_HDR + ihl + at + 2 > p->len || l4->seg_len < at + 2)
		return false;
	l4->ip = ip;
	l4->field = ip + ihl + at;
	memcpy(&l4->src.addr, ip + 12, 4);
	memcpy(&l4->dst.addr, ip + 16, 4);
	return true;
}

/*
 * A UDP packet whose checksum was left blank (NETFRONT_RX_CSUM_BLANK: a sender in dom0
 * left it to the NIC, and netback passed the job on): fill it in, over the
 * pseudo-header and the whole datagram, so that lwIP's check passes for exactly the
 * packets a real NIC would have summed. false if it cannot be (the packet is dropped).
 */
static bool complete_checksum(struct pbuf *p)
{
	u16_t hdr, sum;
	struct l4_sum l4;

	if (!find_l4_sum(p, &l4))
		return false;
	/* The sum is over the IP packet, not the frame's padding. */
	if (p->tot_len > SIZEOF_ETH_HDR + l4.ip_len)
		pbuf_realloc(p, (u16_t)(SIZEOF_ETH_HDR + l4.ip_len));
	l4.field[0] = l4.field[1] = 0;
	hdr = (u16_t)(SIZEOF_ETH_HDR + l4.ip_len - l4.seg_len);
	if (pbuf_remove_header(p, hdr))
		return false;
	sum = inet_chksum_pseudo(p, l4.proto, l4.seg_len, &l4.src, &l4.dst);
	pbuf_header_force(p, (s16_t)hdr); /* back to where it was, in the same buffer */
	if (l4.proto == IP_PROTO_UDP && sum == 0)
		sum = 0xffff; /* 0 means "no checksum" in UDP */
	memcpy(l4.field, &sum, 2);
	return true;
}

static bool is_ipv4_tcp(const struct pbuf *p)
{
	const u8_t *eth = p->payload;

	return p->len >= SIZEOF_ETH_HDR + 20 && is_ipv4(eth) &&
	       eth[SIZEOF_ETH_HDR + 9] == IP_PROTO_TCP;
}

/*
 * lwIP's TCP check, done here (see the top of the file): true if the packet may go on.
 * A TCP packet that is not vouched for must have its headers in order, not be an IP
 * fragment (TCP sends with Don't Fragment; a fragment's sum can only be checked once the
 * datagram is put together) and sum right.
 */
static bool check_tcp_sum(struct pbuf *p, unsigned int flags)
{
	struct l4_sum l4;
	bool right;
	u16_t hdr;

	if (!is_ipv4_tcp(p))
		return true;
	/* A fragment, vouched for or not: lwIP would put the datagram together and check
	 * no TCP sum over it. */
	if (is_fragment((const u8_t *)p->payload + SIZEOF_ETH_HDR))
		return false;
	if (flags & (NETFRONT_RX_CSUM_BLANK | NETFRONT_RX_VALIDATED)) {
		counters.rx_tcp_csum_trusted++;
		return true;
	}
	if (!find_l4_sum(p, &l4))
		return false;
	hdr = (u16_t)(SIZEOF_ETH_HDR + l4.ip_len - l4.seg_len);
	if (pbuf_remove_header(p, hdr))
		return false;
	/* Over the segment only, not any padding the frame has after it: 0 when right. */
	right = inet_chksum_pseudo_partial(p, IP_PROTO_TCP, l4.seg_len, l4.seg_len, &l4.src,
					   &l4.dst) == 0;
	pbuf_header_force(p, (s16_t)hdr);
	return right;
}

/*
 * A TCP frame lwIP left without a checksum (its netif does not generate them when
 * the backend completes them), l4 found in it: write the pseudo-header's sum, folded
 * and not inverted, as the start the backend adds the segment to (Linux's partial
 * checksum).
 */
static void start_partial_checksum(struct pbuf *p, const struct l4_sum *l4)
{
	/* lwIP's sum over the pseudo-header and none of the data, which it inverts as a
	 * finished checksum: inverted back, it is the start. */
	u16_t sum = (u16_t)~inet_chksum_pseudo_partial(p, l4->proto, l4->seg_len, 0, &l4->src,
						       &l4->dst);

	memcpy(l4->field, &sum, 2);
}

/* The TCP segment of l4 has no data, only an acknowledgement (or a window update). */
static bool is_pure_ack(const struct l4_sum *l4)
{
	const u8_t *tcp = l4->field - 16;

	return (tcp[13] & 0x17) == 0x10 && l4->seg_len == (tcp[12] >> 4) * 4;
}

static err_t linkoutput(struct netif *netif, struct pbuf *p)
{
	struct net_fragment frags[MAX_FRAGS];
	struct pbuf *copy = NULL;
	unsigned int n = 0, flags = 0;
	struct l4_sum l4;
	bool tcp, ack;
	int rc;

	if (pbuf_clen(p) > MAX_FRAGS) {
		copy = pbuf_clone(PBUF_RAW, PBUF_RAM, p);
		if (!copy) {
			counters.tx_errors++;
			return ERR_MEM;
		}
		p = copy;
	}
	/* TCP's checksum is the backend's to complete (skiff_netif_init). lwIP puts the
	 * headers in the frame's first pbuf, so this always finds them; were they not, the
	 * frame would go with a zero checksum and be dropped by its receiver, not be
	 * taken for right. The headers are read once, for that and the ACK count. */
	tcp = find_l4_sum(p, &l4) && l4.proto == IP_PROTO_TCP;
	if (tcp && netfront_info(netif->state)->tx_csum_offload) {
		start_partial_checksum(p, &l4);
		flags = NETFRONT_TX_CSUM_BLANK;
	}
	ack = tcp && is_pure_ack(&l4);
	for (; p; p = p->next) {
		if (!p->len)
			continue;
		frags[n].data = p->payload;
		frags[n].len = p->len;
		n++;
	}
	rc = netfront_send(netif->state, frags, n, flags);
	if (copy)
		pbuf_free(copy);
	if (rc) {
		counters.tx_errors++;
		return ERR_IF;
	}
	counters.tx_acks += ack;
	return ERR_OK;
}

static void put_wrapper(struct lent_pbuf *w)
{
	w->next_free = free_wrappers;
	free_wrappers = w;
}

/* lwIP is done with a borrowed page's pbuf. */
static void give_back(struct pbuf *p)
{
	struct lent_pbuf *w = (struct lent_pbuf *)p;

	netfront_rx_give_back(w->dev, w->data);
	put_wrapper(w);
}

static struct lent_pbuf *get_wrapper(void)
{
	struct lent_pbuf *w = free_wrappers;

	if (w) {
		free_wrappers = w->next_free;
		return w;
	}
	return malloc(sizeof(*w));
}

/*
 * Only a GSO packet is borrowed: IPv4 TCP on netback's word (its GSO extra), checked
 * here too, never an IP fragment, with every header in its first piece. Then lwIP
 * writes nothing into the page but the packet's own header fields (TCP's, turned to
 * host order): IP reassembly, which stores pointers in a fragment's header, never sees
 * a lent page, and the page can go back to the backend as netfront_rx_borrow asks.
 */
static bool lendable(const struct netfront_rx *pkt)
{
	const u8_t *eth = pkt->frags[0].data, *ip = eth + SIZEOF_ETH_HDR;

	if (!pkt->gso_size || pkt->frags[0].len < HEADERS_MAX)
		return false;
	return is_ipv4(eth) && ip[9] == IP_PROTO_TCP && !is_fragment(ip);
}

/* The packet's pages as a chain of custom pbufs, or NULL (then it is copied). */
static struct pbuf *borrow_packet(struct netfront *dev, const struct netfront_rx *pkt)
{
	struct lent_pbuf *w[NETFRONT_MAX_RX_FRAGS];
	struct pbuf *head = NULL;
	unsigned int n = 0;

	if (!lendable(pkt))
		return NULL;
	while (n < pkt->nfrag && (w[n] = get_wrapper()))
		n++;
	if (n < pkt->nfrag || netfront_rx_borrow(dev, pkt)) {
		while (n--)
			put_wrapper(w[n]);
		return NULL;
	}
	for (unsigned int i = 0; i < pkt->nfrag; i++) {
		u16_t len = (u16_t)pkt->frags[i].len;
		struct pbuf *p;

		w[i]->pc.custom_free_function = give_back;
		w[i]->dev = dev;
		w[i]->data = pkt->frags[i].data;
		/* PBUF_REF: the payload is outside the pbuf, so lwIP's pbuf_add_header()
		 * cannot grow it in front of the piece; the forced adds lwIP and this file
		 * make only show again a header they hid. */
		p = pbuf_alloced_custom(PBUF_RAW, len, PBUF_REF, &w[i]->pc,
					(void *)pkt->frags[i].data, len);
		if (head)
			pbuf_cat(head, p);
		else
			head = p;
	}
	return head;
}

/*
 * The buffers or the lending ran out. What pins them may be TCP segments queued out of
 * order past a hole that never fills (a peer can keep many such queues busy, and each
 * new segment keeps lwIP's timer from dropping them): drop every out-of-order queue,
 * which TCP allows (the data is sent again), as lwIP does when its own pool runs dry.
 * In the tcpip thread, which holds the core: this thread may not wait for it.
 */
static bool ooseq_free_pending;

static void free_ooseq(void *arg)
{
	ooseq_free_pending = false;
	for (struct tcp_pcb *pcb = tcp_active_pcbs; pcb; pcb = pcb->next)
		tcp_free_ooseq(pcb);
}

static void free_ooseq_soon(void)
{
	if (!ooseq_free_pending && tcpip_try_callback(free_ooseq, NULL) == ERR_OK)
		ooseq_free_pending = true;
}

static void free_buf(struct pbuf *p)
{
	struct rx_buf *b = (struct rx_buf *)p;

	b->next_free = free_bufs;
	free_bufs = b;
}

static struct rx_buf *get_buf(void)
{
	struct rx_buf *b = free_bufs;

	if (b) {
		free_bufs = b->next_free;
		return b;
	}
	if (bufs_made == bufs_max || !(b = malloc(sizeof(*b))))
		return NULL;
	bufs_made++;
	return b;
}

/* The packet copied into a chain of receive buffers, or NULL if they ran out. At most
 * NETFRONT_MAX_PACKET bytes: the length fits lwIP's u16_t. A chain, so a 64 KiB GSO
 * packet that could not be borrowed needs no buffer of its own size. */
static struct pbuf *copy_packet(const struct netfront_rx *pkt)
{
	struct pbuf *head = NULL;
	u16_t off = 0;

	for (size_t done = 0; done < pkt->len; done += RX_BUF_DATA) {
		size_t len = pkt->len - done < RX_BUF_DATA ? pkt->len - done : RX_BUF_DATA;
		struct rx_buf *b = get_buf();
		struct pbuf *p;

		if (!b) {
			if (head)
				pbuf_free(head);
			return NULL;
		}
		b->pc.custom_free_function = free_buf;
		/* PBUF_REF as for a lent page: pbuf_add_header() cannot grow a header into
		 * the fields before the data (an ICMP echo is answered from a copy). */
		p = pbuf_alloced_custom(PBUF_RAW, (u16_t)len, PBUF_REF, &b->pc, b->data,
					RX_BUF_DATA);
		if (head)
			pbuf_cat(head, p);
		else
			head = p;
	}
	for (unsigned int i = 0; i < pkt->nfrag; i++) {
		pbuf_take_at(head, pkt->frags[i].data, (u16_t)pkt->frags[i].len, off);
		off = (u16_t)(off + pkt->frags[i].len);
	}
	return head;
}

void skiff_netif_rx(struct netfront *dev, const struct netfront_rx *pkt, void *arg)
{
	struct netif *netif = arg;
	struct pbuf *p;

	/* Until netif_add() and netif_set_up() are done, there is nobody to give it to. */
	if (!netif_is_up(netif)) {
		counters.rx_not_up++;
		return;
	}
	p = borrow_packet(dev, pkt);
	if (!p)
		p = copy_packet(pkt);
	if (!p) {
		counters.rx_no_pbuf++;
		free_ooseq_soon();
		return;
	}
	if (!check_tcp_sum(p, pkt->flags)) {
		pbuf_free(p);
		counters.rx_bad_tcp_csum++;
		return;
	}
	if ((pkt->flags & NETFRONT_RX_CSUM_BLANK) && !is_ipv4_tcp(p) && !complete_checksum(p)) {
		pbuf_free(p);
		counters.rx_bad_csum_blank++;
		return;
	}
	/* tcpip_input() only queues it: the tcpip thread does the protocol work. */
	if (netif->input(p, netif) != ERR_OK) {
		pbuf_free(p);
		counters.rx_queue_full++;
	}
}

err_t skiff_netif_init(struct netif *netif)
{
	const struct netfront_info *info = netfront_info(netif->state);
	u16_t chksum;

	bufs_max =
		(unsigned int)(page_alloc_total_pages() * PAGE_SIZE / 16 / sizeof(struct rx_buf));
	if (bufs_max > RX_BUFS_MAX)
		bufs_max = RX_BUFS_MAX;
	netif->name[0] = 'e';
	netif->name[1] = 'n';
	netif->output = etharp_output;
	netif->linkoutput = linkoutput;
	netif->mtu = info->mtu;
	netif->hwaddr_len = ETH_HWADDR_LEN;
	memcpy(netif->hwaddr, info->mac, ETH_HWADDR_LEN);
	/* Up from the start: netfront_open() only returns a connected device; netfront
	 * tells skiff_netif_link() when that ends. */
	netif->flags =
		NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET | NETIF_FLAG_LINK_UP;
	/* Checksum offload: TCP's is left to the backend (linkoutput). UDP's is not:
	 * lwIP may cut a datagram into IP fragments, and a sum over several frames
	 * cannot be completed from one. Received TCP sums are checked by
	 * check_tcp_sum(), not lwIP; every other received sum by lwIP. */
	chksum = NETIF_CHECKSUM_ENABLE_ALL & ~NETIF_CHECKSUM_CHECK_TCP;
	if (info->tx_csum_offload)
		chksum &= ~NETIF_CHECKSUM_GEN_TCP;
	NETIF_SET_CHECKSUM_CTRL(netif, chksum);
	return ERR_OK;
}

void skiff_netif_link(struct netfront *dev, bool up, void *arg)
{
	struct netif *netif = arg;

	/* netfront calls this from the thread that disconnects it, which never holds the
	 * core lock (threads only do inside lwIP calls). */
	LOCK_TCPIP_CORE();
	if (up)
		netif_set_link_up(netif);
	else
		netif_set_link_down(netif);
	UNLOCK_TCPIP_CORE();
	printf("net: %s link %s\n", netfront_info(dev)->name, up ? "up" : "down");
}

void skiff_netif_counters(struct skiff_net_stats *stats)
{
	stats->rx_not_up = counters.rx_not_up;
	stats->rx_no_pbuf = counters.rx_no_pbuf;
	stats->rx_queue_full = counters.rx_queue_full;
	stats->rx_bad_csum_blank = counters.rx_bad_csum_blank;
	stats->rx_tcp_csum_trusted = counters.rx_tcp_csum_trusted;
	stats->rx_bad_tcp_csum = counters.rx_bad_tcp_csum;
	stats->tx_errors = counters.tx_errors;
	stats->tx_acks = counters.tx_acks;
}
