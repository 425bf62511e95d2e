/*
 * skiff_net_start(): lwIP up on vif 0 with an address from the command line or DHCP.
 *
 * Order matters: the tcpip thread first (the netif's input queue), then the device,
 * then the netif under the core mutex. The status callback runs in whichever thread
 * changes the address (this one for a static address, the tcpip thread for DHCP) and
 * wakes skiff_net_wait_address().
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <skiff/net.h>
#include <skiff/netfront.h>
#include <skiff/thread.h>
#include <skiff/xen.h>

#include "net/skiff_netif.h"
#include "lwip/dhcp.h"
#include "lwip/dns.h"
#include "lwip/ip4_addr.h"
#include "lwip/netif.h"
#include "lwip/tcpip.h"

/* What the command line asked for. */
struct net_config {
	bool dhcp;
	ip4_addr_t ip, netmask, gw, dns;
};

static struct netif netif;
static struct netfront *dev;
static bool started, tcpip_up, has_address, address_printed;
static struct wait_queue wq = WAIT_QUEUE_INIT;

/* A dotted quad, strictly: four decimal numbers 0-255, nothing else. */
static int parse_ip(const char *s, size_t len, ip4_addr_t *out)
{
	uint32_t parts[4] = {0};
	unsigned int part = 0, digits = 0;

	for (size_t i = 0; i < len; i++) {
		if (s[i] == '.' && digits && part < 3) {
			part++;
			digits = 0;
		} else if (s[i] >= '0' && s[i] <= '9' && digits < 3) {
			parts[part] = parts[part] * 10 + (uint32_t)(s[i] - '0');
			digits++;
		} else {
			return -EINVAL;
		}
	}
	if (part != 3 || !digits)
		return -EINVAL;
	for (part = 0; part < 4; part++)
		if (parts[part] > 255)
			return -EINVAL;
	IP4_ADDR(out, parts[0], parts[1], parts[2], parts[3]);
	return 0;
}

static int prefix_to_mask(const char *s, size_t len, ip4_addr_t *mask)
{
	unsigned int bits = 0;

	if (len < 1 || len > 2)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		bits = bits * 10 + (unsigned int)(s[i] - '0');
	}
	if (bits > 32)
		return -EINVAL;
	ip4_addr_set_u32(mask, lwip_htonl(bits ? 0xffffffffu << (32 - bits) : 0));
	return 0;
}

/* The value of "key=" among the space-separated words of cmdline, or NULL. */
static const char *find_key(const char *cmdline, const char *key, size_t *len)
{
	size_t klen = strlen(key);

	for (const char *w = cmdline; *w;) {
		size_t wlen = strchr(w, ' ') ? (size_t)(strchr(w, ' ') - w) : strlen(w);

		if (wlen > klen && !strncmp(w, key, klen)) {
			*len = wlen - klen;
			return w + klen;
		}
		w += wlen;
		while (*w == ' ')
			w++;
	}
	return NULL;
}

static int parse_key(const char *cmdline, const char *key, ip4_addr_t *out)
{
	size_t len;
	const char *v = find_key(cmdline, key, &len);

	if (!v)
		return 0;
	if (parse_ip(v, len, out)) {
		printf("net: bad %s%.*s on the command line\n", key, (int)len, v);
		return -EINVAL;
	}
	return 0;
}

static int parse_config(const char *cmdline, struct net_config *c)
{
	size_t len;
	const char *v = find_key(cmdline, "ip=", &len);
	const char *slash;

	memset(c, 0, sizeof(*c));
	if (!v || (len == 4 && !strncmp(v, "dhcp", 4))) {
		c->dhcp = true;
		return parse_key(cmdline, "dns=", &c->dns);
	}
	IP4_ADDR(&c->netmask, 255, 255, 255, 0);
	slash = memchr(v, '/', len);
	if (parse_ip(v, slash ? (size_t)(slash - v) : len, &c->ip) ||
	    (slash && prefix_to_mask(slash + 1, len - (size_t)(slash + 1 - v), &c->netmask))) {
		printf("net: bad ip=%.*s on the command line\n", (int)len, v);
		return -EINVAL;
	}
	if (parse_key(cmdline, "netmask=", &c->netmask) || parse_key(cmdline, "gw=", &c->gw) ||
	    parse_key(cmdline, "dns=", &c->dns))
		return -EINVAL;
	if (!ip4_addr_netmask_valid(ip4_addr_get_u32(&c->netmask))) {
		printf("net: netmask %s is not a run of ones\n", ip4addr_ntoa(&c->netmask));
		return -EINVAL;
	}
	return 0;
}

/* Status callback: the address (or the up/down state) changed. */
static void status_changed(struct netif *n)
{
	has_address = netif_is_up(n) && !ip4_addr_isany_val(*netif_ip4_addr(n));
	wait_queue_wake_all(&wq);
}

static void tcpip_ready(void *arg)
{
	tcpip_up = true;
	wait_queue_wake_all(&wq);
}

/* Bring the netif up; called with the core mutex held. */
static int add_netif(const struct net_config *c, const char *hostname)
{
	if (!netif_add(&netif, &c->ip, &c->netmask, &c->gw, dev, skiff_netif_init, tcpip_input))
		return -ENOMEM;
	netif_set_hostname(&netif, hostname && *hostname ? hostname : "skiff");
	netif_set_status_callback(&netif, status_changed);
	netif_set_default(&netif);
	if (!ip4_addr_isany_val(c->dns))
		dns_setserver(0, &c->dns);
	netif_set_up(&netif);
	if (c->dhcp && dhcp_start(&netif) != ERR_OK)
		return -ENOMEM;
	return 0;
}

int skiff_net_start(void)
{
	struct skiff_domain_info info;
	struct net_config config;
	int rc;

	if (started)
		return -EALREADY;
	skiff_domain_info(&info);
	rc = parse_config(info.cmdline ? info.cmdline : "", &config);
	if (rc)
		return rc;
	if (netfront_count() < 1) {
		printf("net: no network interface (vif=[...] in the xl config)\n");
		return -ENODEV;
	}
	started = true;
	tcpip_init(tcpip_ready, NULL);
	wait_event(&wq, tcpip_up);

	rc = netfront_open(0, skiff_netif_rx, &netif, &dev);
	if (rc)
		return rc; /* netfront logged the details */
	if (config.dhcp) {
		const uint8_t *mac = netfront_info(dev)->mac;

		printf("net: %s %02x:%02x:%02x:%02x:%02x:%02x, asking DHCP\n",
		       netfront_info(dev)->name, mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
	}
	LOCK_TCPIP_CORE();
	rc = add_netif(&config, info.name); /* xenstore's copy of the name stays */
	UNLOCK_TCPIP_CORE();
	if (rc)
		return rc;
	netfront_set_link_callback(dev, skiff_netif_link); /* a hot-unplug: link down */
	return skiff_net_wait_address(SKIFF_NET_ADDRESS_TIMEOUT_MS);
}

static void fill_address(struct skiff_net_address *a)
{
	uint32_t mask = lwip_ntohl(ip4_addr_get_u32(netif_ip4_netmask(&netif)));

	memcpy(a->ip, netif_ip4_addr(&netif), 4);
	memcpy(a->netmask, netif_ip4_netmask(&netif), 4);
	memcpy(a->gw, netif_ip4_gw(&netif), 4);
	a->prefix_len = 0;
	for (; mask & 0x80000000u; mask <<= 1)
		a->prefix_len++;
	a->dhcp = dhcp_supplied_address(&netif);
	ip4addr_ntoa_r(netif_ip4_addr(&netif), a->ip_text, sizeof(a->ip_text));
}

int skiff_net_wait_address(unsigned int timeout_ms)
{
	struct skiff_net_address a;

	if (!dev)
		return -ENODEV;
	if (!wait_event_timeout(&wq, has_address, (uint64_t)timeout_ms * NSEC_PER_MSEC)) {
		printf("net: %s has no address after %u ms\n", netfront_info(dev)->name,
		       timeout_ms);
		return -ETIMEDOUT;
	}
	if (!address_printed) {
		char gw[20] = "";

		fill_address(&a);
		if (!ip4_addr_isany(netif_ip4_gw(&netif)))
			snprintf(gw, sizeof(gw), " gw %u.%u.%u.%u", a.gw[0], a.gw[1], a.gw[2],
				 a.gw[3]);
		printf("net: %s %s/%u%s (%s)\n", netfront_info(dev)->name, a.ip_text, a.prefix_len,
		       gw, a.dhcp ? "dhcp" : "static");
		address_printed = true;
	}
	return 0;
}

int skiff_net_address(struct skiff_net_address *addr)
{
	if (!dev)
		return -ENODEV;
	if (!has_address)
		return -EAGAIN;
	fill_address(addr);
	return 0;
}

int skiff_net_stats(struct skiff_net_stats *stats)
{
	if (!dev)
		return -ENODEV;
	netfront_stats(dev, &stats->dev);
	skiff_netif_counters(stats);
	return 0;
}
