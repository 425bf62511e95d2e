/*
 * netfront: the virtual network interfaces of the xl config's vif=[...] list, served
 * by netback in dom0 (xen/io/netif.h). Frames are Ethernet frames without the FCS.
 *
 * Sending copies the frame into pages of the driver, so the caller's buffers are free
 * again as soon as netfront_send() returns. Received packets are handed to a callback,
 * which runs in the interface's own thread; the packet is valid during the call only,
 * unless the callback borrows its pages (netfront_rx_borrow: zero copy).
 * A packet may be larger than a frame (up to 64 KiB, in pieces: the backend offers
 * scatter-gather and GSO), and its checksum may be left to the receiver to complete.
 */
#ifndef SKIFF_NETFRONT_H
#define SKIFF_NETFRONT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct netfront;

/* The largest frame sent: 14 bytes of header and an MTU of 1500 (no VLAN tag). */
#define NETFRONT_MTU	   1500
#define NETFRONT_MAX_FRAME (NETFRONT_MTU + 14)
/* The largest packet netback may hand over: a TCP packet of up to 64 KiB in several
 * pages (scatter-gather, GSO), an IP datagram of at most 65,535 bytes, and its 14-byte
 * Ethernet header. A longer one breaks the protocol. */
#define NETFRONT_MAX_RX_BYTES (65535 + 14)
/* The largest packet the rx callback gets: lwIP's lengths are 16-bit. One from here
 * to NETFRONT_MAX_RX_BYTES is legitimate but dropped (and counted). */
#define NETFRONT_MAX_PACKET 65535
/* The most pages one received packet may take (16 for 64 KiB, one more for an offset
 * into the first, one for slack: what Linux's netfront accepts too). */
#define NETFRONT_MAX_RX_FRAGS 18

struct netfront_stats {
	uint64_t rx_frames, rx_bytes, rx_errors, rx_dropped;
	uint64_t tx_frames, tx_bytes, tx_errors, tx_dropped;
	uint64_t rx_gso;	/* packets larger than one frame (a GSO extra) */
	uint64_t rx_slots;	/* ring slots the packets took, extras included */
	uint64_t rx_csum_blank; /* packets whose checksum the backend left blank */
	uint64_t tx_csum_blank; /* frames sent with their checksum left to the backend */
	uint64_t rx_lent;	/* pages lent to the rx callback (netfront_rx_borrow) */
};

struct netfront_info {
	char name[16]; /* "vif0": the index in the vif list */
	uint8_t mac[6];
	unsigned int mtu;
	bool link_up; /* connected to a working backend */
	/* The backend completes the TCP and UDP checksums of IPv4 frames sent with
	 * NETFRONT_TX_CSUM_BLANK (netif.h: on unless it writes feature-no-csum-offload). */
	bool tx_csum_offload;
	/* TX and RX have an event channel each (feature-split-event-channels). */
	bool split_events;
};

/* A piece of a frame to send (netfront_send gathers them), or of one received. */
struct net_fragment {
	const void *data;
	size_t len;
};

/* What a received packet's flags say:
 *  - CSUM_BLANK: its TCP or UDP checksum is not filled in (a sender in dom0 left it
 *    to the "hardware"); the receiver completes it.
 *  - VALIDATED: the backend says its checksums were checked. */
#define NETFRONT_RX_CSUM_BLANK 0x1
#define NETFRONT_RX_VALIDATED  0x2

/* A received packet: its pieces in order (each in a page of the driver's), valid
 * during the rx callback only. */
struct netfront_rx {
	const struct net_fragment *frags;
	unsigned int nfrag;
	size_t len;	       /* of all the pieces: at most NETFRONT_MAX_PACKET */
	unsigned int flags;    /* NETFRONT_RX_* */
	unsigned int gso_size; /* a GSO packet's TCP segment size (its MSS), else 0 */
};

/* Number of virtual network interfaces the toolstack gave this domain. */
int netfront_count(void);

/*
 * Connect to the index-th interface (in order of vif number). rx(dev, pkt, arg) runs
 * in the interface's thread for every good packet received. 0 and *dev, or a
 * negative errno (logged with the details): -ENODEV no such interface, -EBUSY open
 * already, -EINVAL a malformed "mac" (the device stays down), -EOPNOTSUPP the backend
 * cannot copy into our pages, -ETIMEDOUT it did not answer, -ENOMEM.
 */
int netfront_open(unsigned int index,
		  void (*rx)(struct netfront *dev, const struct netfront_rx *pkt, void *arg),
		  void *arg, struct netfront **dev);
const struct netfront_info *netfront_info(const struct netfront *dev);

/*
 * fn(dev, up, arg) runs (with open's arg) when the link changes: today, when it goes
 * down, once, because the backend broke the protocol (the device is disabled), left
 * (xl network-detach), or the device is closed. It runs in the device's own thread
 * (or the one that closes it), before the device's memory is given back.
 */
void netfront_set_link_callback(struct netfront *dev,
				void (*fn)(struct netfront *dev, bool up, void *arg));
void netfront_stats(const struct netfront *dev, struct netfront_stats *stats);

/* netfront_send's flags: the frame's TCP or UDP checksum field holds only the sum of
 * the pseudo-header (folded, not inverted, as Linux's partial checksums do); the
 * backend completes it. Only if info->tx_csum_offload. */
#define NETFRONT_TX_CSUM_BLANK 0x1

/*
 * Send one frame made of nfrag fragments (at most NETFRONT_MAX_FRAME bytes in all).
 * Waits while the ring is full (a ring full for 30 s breaks the device). 0, or
 * -EMSGSIZE (empty or too long), -EIO (device broken or closed), -ENOMEM, or -EAGAIN
 * when called from the rx callback with the ring full (it cannot wait for itself).
 * The frame is counted as dropped in every case but -EMSGSIZE (an error).
 */
int netfront_send(struct netfront *dev, const struct net_fragment *frags, unsigned int nfrag,
		  unsigned int flags);

/*
 * Zero copy, from the rx callback only: keep the packet's pages instead of copying
 * them. Each pkt->frags[i].data then stays valid until the caller gives that piece back
 * with netfront_rx_give_back(dev, frags[i].data), from any thread, even after
 * netfront_close() (the device's memory waits for the last page). The caller may
 * change the packet in place, but must write nothing else there: a page given back
 * goes to the backend again without being zeroed. 0, or -ENOSPC when the device has lent its limit
 * (a sixteenth of the domain's memory, at most 2 MiB): the packet is then valid during the call
 * only, as without this; -EINVAL if pkt is not the packet the callback was given.
 */
int netfront_rx_borrow(struct netfront *dev, const struct netfront_rx *pkt);
void netfront_rx_give_back(struct netfront *dev, const void *data);

/* Frames in flight get up to 5 s to go out, then Closing -> Closed, every grant ended,
 * and dev freed. Runs by itself for every open interface before the domain stops. */
void netfront_close(struct netfront *dev);

#endif
