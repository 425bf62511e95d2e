/*
 * An lwIP network interface over netfront. Sending gathers the pbuf chain into
 * fragments for netfront_send(), which copies them into its own pages. Receiving
 * copies each frame (valid only during the callback) into a pbuf from the pool and
 * queues it for the tcpip thread; when either is full the frame is dropped and
 * counted, so a flood costs frames, never memory.
 *
 * Sending runs wherever lwIP's core runs (the tcpip thread, or an application thread
 * holding the core mutex), so one frame at a time. netfront_send() may wait for ring
 * space with the mutex held; that is fine, since the ring drains without lwIP.
 */
#include <stdio.h>
#include <string.h>
#include <skiff/netfront.h>

#include "net/skiff_netif.h"
#include "lwip/etharp.h"
#include "lwip/pbuf.h"
#include "lwip/tcpip.h"
#include "netif/ethernet.h"

/* Pieces gathered per frame; a longer chain (rare: TCP sends 2-3) is copied first. */
#define MAX_FRAGS 8

static struct {
	uint64_t rx_not_up, rx_no_pbuf, rx_queue_full, tx_errors;
} counters;

static err_t linkoutput(struct netif *netif, struct pbuf *p)
{
	struct net_fragment frags[MAX_FRAGS];
	struct pbuf *copy = NULL;
	unsigned int n = 0;
	int rc;

	if (pbuf_clen(p) > MAX_FRAGS) {
		copy = pbuf_clone(PBUF_RAW, PBUF_RAM, p);
		if (!copy) {
			counters.tx_errors++;
			return ERR_MEM;
		}
		p = copy;
	}
	for (; p; p = p->next) {
		if (!p->len)
			continue;
		frags[n].data = p->payload;
		frags[n].len = p->len;
		n++;
	}
	rc = netfront_send(netif->state, frags, n);
	if (copy)
		pbuf_free(copy);
	if (rc) {
		counters.tx_errors++;
		return ERR_IF;
	}
	return ERR_OK;
}

void skiff_netif_rx(struct netfront *dev, const void *frame, size_t len, void *arg)
{
	struct netif *netif = arg;
	struct pbuf *p;

	/* Until netif_add() and netif_set_up() are done, there is nobody to give it to. */
	if (!netif_is_up(netif)) {
		counters.rx_not_up++;
		return;
	}
	/* netfront hands over at most NETFRONT_MAX_FRAME bytes: len fits a u16_t. */
	p = pbuf_alloc(PBUF_RAW, (u16_t)len, PBUF_POOL);
	if (!p) {
		counters.rx_no_pbuf++;
		return;
	}
	pbuf_take(p, frame, (u16_t)len);
	/* tcpip_input() only queues it: the tcpip thread does the protocol work. */
	if (netif->input(p, netif) != ERR_OK) {
		pbuf_free(p);
		counters.rx_queue_full++;
	}
}

err_t skiff_netif_init(struct netif *netif)
{
	const struct netfront_info *info = netfront_info(netif->state);

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
	stats->tx_errors = counters.tx_errors;
}
