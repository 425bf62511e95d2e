/* Between the netif over netfront (skiff_netif.c) and the start-up code (net.c). */
#ifndef SKIFF_LWIP_SKIFF_NETIF_H
#define SKIFF_LWIP_SKIFF_NETIF_H

#include <stddef.h>
#include <skiff/net.h>
#include <skiff/netfront.h>

#include "lwip/netif.h"

/* netif_add()'s init function; netif->state is the struct netfront *. */
err_t skiff_netif_init(struct netif *netif);
/* netfront's receive callback; arg is the struct netif *. */
/* netfront's link callback: the netif's link follows the device's. */
void skiff_netif_link(struct netfront *dev, bool up, void *arg);
void skiff_netif_rx(struct netfront *dev, const struct netfront_rx *pkt, void *arg);
/* The netif's drop counters (the other fields of stats are left alone). */
void skiff_netif_counters(struct skiff_net_stats *stats);

#endif
