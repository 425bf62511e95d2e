/*
 * TCP/IP for an appliance: lwIP (lib/lwip) over the first virtual network interface.
 * An app whose apps/NAME/app.mk says APP_LWIP := 1 is linked with lwIP and may use its
 * socket API (<lwip/sockets.h>) or netconn API (<lwip/api.h>) once skiff_net_start()
 * has returned 0.
 *
 * The address comes from the domain's command line (xl's extra=):
 *	ip=10.0.0.2 netmask=255.255.255.0 gw=10.0.0.1 dns=10.0.0.1
 * (or ip=10.0.0.2/24), every key but ip= optional; without ip= (or with ip=dhcp) it
 * comes from DHCP. Other words on the command line are left to the application.
 */
#ifndef SKIFF_NET_H
#define SKIFF_NET_H

#include <stdbool.h>
#include <stdint.h>
#include <skiff/netfront.h>

/* How long skiff_net_start() waits for an address (a DHCP lease) before -ETIMEDOUT. */
#define SKIFF_NET_ADDRESS_TIMEOUT_MS 30000

/*
 * Open vif 0, start lwIP's tcpip thread, add the interface, configure it and wait for
 * its address, which is printed ("net: vif0 10.0.0.2/24 gw 10.0.0.1 (static)").
 * 0, or -ENODEV (no vif), -EIO (it would not connect), -EINVAL (a bad ip=, netmask=,
 * gw= or dns=), -ENOMEM, -EALREADY (started before), -ETIMEDOUT (no DHCP lease yet:
 * lwIP keeps asking, and skiff_net_wait_address() can wait longer).
 */
int skiff_net_start(void);

/* Wait until the interface has an address: 0 (printed once), or -ETIMEDOUT, -ENODEV. */
int skiff_net_wait_address(unsigned int timeout_ms);

struct skiff_net_address {
	uint8_t ip[4], netmask[4], gw[4]; /* as written: 10.0.0.2 is {10, 0, 0, 2} */
	unsigned int prefix_len;	  /* 24 for 255.255.255.0 */
	bool dhcp;			  /* from a DHCP lease, not the command line */
	char ip_text[16];		  /* "10.0.0.2" */
};

/* The current address: 0, or -ENODEV (not started), -EAGAIN (none yet). */
int skiff_net_address(struct skiff_net_address *addr);

struct skiff_net_stats {
	struct netfront_stats dev; /* the driver's own counters */
	/* Received frames the stack dropped: */
	uint64_t rx_not_up;	    /* before the interface was up */
	uint64_t rx_no_pbuf;	    /* the receive buffers (net/skiff_netif.c) were all in use */
	uint64_t rx_queue_full;	    /* the tcpip thread's mailbox was full */
	uint64_t rx_bad_csum_blank; /* a checksum to complete, in no IPv4 UDP packet */
	uint64_t rx_bad_tcp_csum;   /* a TCP sum wrong, or not checkable (an IP fragment) */
	/* Not dropped: TCP packets whose sum was not checked on the backend's word (it
	 * flagged them blank or validated). */
	uint64_t rx_tcp_csum_trusted;
	/* Frames lwIP sent that netfront_send() refused, or that could not be gathered. */
	uint64_t tx_errors;
	/* Not errors: TCP segments sent with no data, acknowledgements only. */
	uint64_t tx_acks;
};

/* 0, or -ENODEV if not started. */
int skiff_net_stats(struct skiff_net_stats *stats);

#endif
