/*
 * echo: the RFC 862 echo service on port 7, over TCP and UDP, through lwIP's socket API.
 * Every TCP client gets its own thread; one thread answers all UDP datagrams.
 *
 * The address comes from the command line (extra="ip=10.0.0.2 netmask=255.255.255.0
 * gw=10.0.0.1") or from DHCP; see <skiff/net.h>. The appliance runs until the
 * toolstack stops it (xl shutdown), or exits with an error if the network cannot start.
 *
 * A UDP datagram that is exactly "skiff-memory" is echoed too, and first prints the
 * appliance's memory on the console (skiff_memory_info): the soak test sends one before
 * and one after a million echoes and compares the two lines.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <skiff/net.h>
#include <skiff/thread.h>
#include <skiff/memory.h>

#include "lwip/sockets.h"

#define ECHO_PORT 7
#define TCP_BUF	  4096
/* The largest datagram lwIP reassembles is smaller; longer ones are cut, as RFC 862 allows. */
#define UDP_BUF 16384

static char udp_buf[UDP_BUF]; /* one UDP thread: static, not on its 16 KiB stack */

static const char *peer_name(const struct sockaddr_in *sin, char *buf, size_t size)
{
	char ip[16];

	inet_ntoa_r(sin->sin_addr, ip, sizeof(ip));
	snprintf(buf, size, "%s:%u", ip, ntohs(sin->sin_port));
	return buf;
}

/* Write all of buf; false if the connection broke. */
static bool send_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = send(fd, buf, len, 0);

		if (n <= 0)
			return false;
		buf += n;
		len -= (size_t)n;
	}
	return true;
}

struct client {
	int fd;
	char name[24];
};

static int tcp_client(void *arg)
{
	struct client *c = arg;
	char *buf = malloc(TCP_BUF);
	unsigned long long total = 0;
	ssize_t n = -1;

	if (buf) {
		while ((n = recv(c->fd, buf, TCP_BUF, 0)) > 0 && send_all(c->fd, buf, (size_t)n))
			total += (unsigned long long)n;
	}
	if (n < 0)
		printf("echo: tcp %s failed after %llu bytes (errno %d)\n", c->name, total, errno);
	else
		printf("echo: tcp %s closed after %llu bytes\n", c->name, total);
	close(c->fd);
	free(buf);
	free(c);
	return 0;
}

static void print_memory(void)
{
	struct skiff_memory_info m;

	skiff_memory_info(&m);
	printf("echo: memory: %lu free pages, %lu kept by malloc, %lu malloc blocks, %u grants in "
	       "use\n",
	       m.free_pages, m.malloc_pages, m.malloc_blocks, m.grants_in_use);
}

static int udp_server(void *arg)
{
	int fd = (int)(long)arg;

	for (;;) {
		struct sockaddr_in from;
		socklen_t len = sizeof(from);
		ssize_t n =
			recvfrom(fd, udp_buf, sizeof(udp_buf), 0, (struct sockaddr *)&from, &len);

		if (n < 0) {
			printf("echo: udp recvfrom: errno %d\n", errno);
			continue;
		}
		if (n == 12 && !memcmp(udp_buf, "skiff-memory", 12))
			print_memory();
		if (sendto(fd, udp_buf, (size_t)n, 0, (struct sockaddr *)&from, len) < 0)
			printf("echo: udp sendto: errno %d\n", errno);
	}
	return 0;
}

static int bound_socket(int type)
{
	struct sockaddr_in addr = {
		.sin_family = AF_INET,
		.sin_port = htons(ECHO_PORT),
		.sin_addr.s_addr = htonl(INADDR_ANY),
	};
	int fd = socket(AF_INET, type, 0);

	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		int err = errno;

		close(fd);
		return -err;
	}
	return fd;
}

int main(void)
{
	struct skiff_net_address addr;
	struct thread *t;
	int rc, tcp, udp;

	rc = skiff_net_start();
	if (rc) {
		printf("echo: no network: %s\n", strerror_name(rc));
		return 1;
	}
	tcp = bound_socket(SOCK_STREAM);
	udp = bound_socket(SOCK_DGRAM);
	if (tcp < 0 || udp < 0 || listen(tcp, 8) < 0) {
		int err = tcp < 0 ? -tcp : udp < 0 ? -udp : errno;

		printf("echo: cannot open port %d: errno %d\n", ECHO_PORT, err);
		return 1;
	}
	t = thread_create("echo-udp", udp_server, (void *)(long)udp);
	if (!t) {
		printf("echo: no memory for the udp thread\n");
		return 1;
	}
	thread_detach(t);
	skiff_net_address(&addr);
	printf("echo: listening on %s port %d (tcp, udp)\n", addr.ip_text, ECHO_PORT);

	for (;;) {
		struct sockaddr_in from;
		socklen_t len = sizeof(from);
		struct client *c;
		int fd = accept(tcp, (struct sockaddr *)&from, &len);

		if (fd < 0) {
			/* Out of sockets (ENFILE) or memory: let a client finish first. */
			printf("echo: accept: errno %d\n", errno);
			msleep(100);
			continue;
		}
		c = malloc(sizeof(*c));
		if (c) {
			c->fd = fd;
			peer_name(&from, c->name, sizeof(c->name));
		}
		t = c ? thread_create("echo-tcp", tcp_client, c) : NULL;
		if (!t) {
			printf("echo: no memory for a client thread\n");
			free(c);
			close(fd);
			continue;
		}
		printf("echo: tcp %s connected\n", c->name);
		thread_detach(t);
	}
}
