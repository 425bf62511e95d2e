/*
 * nettest: the network client the Xen tests run in dom0 against an appliance. Built
 * statically on the host (dom0's root has no compiler), so it depends on nothing there.
 *
 *   nettest tcp-echo IP PORT BYTES     send BYTES of pseudo-random data, read the echo
 *                                      while sending, compare; prints MB/s
 *   nettest udp-echo IP PORT MIN MAX   one datagram of each size MIN..MAX, each echo
 *                                      compared (3 tries of 1 s each per size)
 *   nettest rtt IP PORT COUNT          COUNT 32-byte TCP round trips; prints the median
 *                                      and the 99th percentile
 *   nettest udp-pps IP PORT SECS N     64-byte UDP datagrams to an echo server for SECS,
 *                                      N kept in flight (one sent for each echo, or for
 *                                      each 0.2 s with none); prints echoes per second
 *   nettest udp-soak IP PORT COUNT N   the same until COUNT echoes came back (or none
 *                                      for 10 s), after 10,000 to warm up, with a
 *                                      "skiff-memory" datagram before, half-way and
 *                                      after, which apps/echo answers by printing its
 *                                      memory
 *   nettest echo-server PORT           TCP and UDP echo (RFC 862) on PORT, a process
 *                                      per TCP client; runs until killed (make bench's
 *                                      Linux guest answers like apps/echo)
 *   nettest http IP PORT PATH COUNT    COUNT GET requests on one connection (keep-alive),
 *                                      each answer read by its Content-Length; prints
 *                                      the last body
 *   nettest relay LPORT IP PORT        accept on LPORT, relay each connection to IP:PORT
 *                                      (make run's port forward into the appliance)
 *   nettest dns NAME IP                a DNS server on UDP port 53 that knows one name:
 *                                      an A query for NAME gets IP, any other NXDOMAIN;
 *                                      each query printed; runs until killed
 *   nettest tcp-csum IFACE COUNT SECS  watch the TCP frames a guest sends on its vif
 *                                      (COUNT, or SECS at most) and check each checksum:
 *                                      a frame marked partial (checksum offload: Linux
 *                                      completes it later) must hold the pseudo-header's
 *                                      sum, any other a complete, right checksum
 *   nettest tcp-badsum IFACE MAC IP PORT
 *                                      TCP SYNs written onto the guest's vif IFACE (to
 *                                      MAC, IP:PORT, from 10.0.0.1): those with a wrong
 *                                      checksum must go unanswered, one with a right
 *                                      checksum must get its SYN-ACK
 *
 * Exit status 0 only if every check held.
 */
#define _GNU_SOURCE /* strcasestr */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static struct sockaddr_in address(const char *ip, const char *port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(atoi(port))};

	if (inet_pton(AF_INET, ip, &a.sin_addr) != 1) {
		fprintf(stderr, "nettest: bad address %s\n", ip);
		exit(2);
	}
	return a;
}

static int tcp_connect(const char *ip, const char *port)
{
	struct sockaddr_in a = address(ip, port);
	int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		fprintf(stderr, "nettest: connect %s:%s: %s\n", ip, port, strerror(errno));
		exit(1);
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

/* The byte at offset i of the test stream (xorshift, so the data is not compressible
 * or periodic at any small stride). */
static uint8_t stream_byte(uint64_t i)
{
	uint64_t x = i * 0x9E3779B97F4A7C15ull + 0x1234567;

	x ^= x >> 31;
	x *= 0xBF58476D1CE4E5B9ull;
	x ^= x >> 29;
	return (uint8_t)x;
}

static int tcp_echo(const char *ip, const char *port, long long total)
{
	int fd = tcp_connect(ip, port);
	long long sent = 0, got = 0, wrong = -1;
	uint8_t buf[16384];
	double t0 = now_s();

	while (got < total) {
		struct pollfd p = {.fd = fd, .events = POLLIN | (sent < total ? POLLOUT : 0)};

		if (poll(&p, 1, 30000) <= 0) {
			fprintf(stderr, "nettest: tcp-echo stalled: sent %lld, got back %lld\n",
				sent, got);
			return 1;
		}
		if (p.revents & POLLIN) {
			ssize_t n = read(fd, buf, sizeof(buf));

			if (n <= 0) {
				fprintf(stderr, "nettest: tcp-echo: connection closed after %lld\n",
					got);
				return 1;
			}
			for (ssize_t i = 0; i < n; i++)
				if (buf[i] != stream_byte(got + i) && wrong < 0)
					wrong = got + i;
			got += n;
		}
		if ((p.revents & POLLOUT) && sent < total) {
			size_t n =
				total - sent < (long long)sizeof(buf) ? total - sent : sizeof(buf);
			ssize_t w;

			for (size_t i = 0; i < n; i++)
				buf[i] = stream_byte(sent + i);
			w = write(fd, buf, n);
			if (w < 0) {
				perror("nettest: write");
				return 1;
			}
			sent += w;
		}
	}
	close(fd);
	if (wrong >= 0) {
		printf("nettest: tcp-echo: %lld bytes, first wrong byte at %lld\n", total, wrong);
		return 1;
	}
	printf("nettest: tcp-echo: %lld bytes echoed intact, %.2f MB/s each way\n", total,
	       total / (now_s() - t0) / 1e6);
	return 0;
}

static int udp_echo(const char *ip, const char *port, int min, int max)
{
	struct sockaddr_in a = address(ip, port);
	int fd = socket(AF_INET, SOCK_DGRAM, 0), bad = 0;
	struct timeval tv = {.tv_sec = 1};
	static uint8_t out[65536], in[65536];

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	connect(fd, (struct sockaddr *)&a, sizeof(a));
	for (int size = min, missed = 0; size <= max; size++) {
		int ok = 0;

		/* A dead server must not cost 3 s for each of 1472 sizes (and the job its
		 * time limit): ten sizes in a row without an echo end the test. */
		if (missed == 10) {
			printf("nettest: udp-echo: 10 sizes in a row without an echo, giving up at "
			       "%d\n",
			       size);
			bad += max - size + 1;
			break;
		}

		for (int i = 0; i < size; i++)
			out[i] = stream_byte((uint64_t)size << 16 | i);
		for (int tries = 0; tries < 3 && !ok; tries++) {
			ssize_t n;

			send(fd, out, size, 0);
			/* Skip late echoes of an earlier try or size. */
			while ((n = recv(fd, in, sizeof(in), 0)) >= 0)
				if (n == size && memcmp(in, out, size) == 0) {
					ok = 1;
					break;
				}
		}
		missed = ok ? 0 : missed + 1;
		if (!ok && bad++ < 5)
			printf("nettest: udp-echo: no good echo of %d bytes\n", size);
	}
	printf("nettest: udp-echo: sizes %d..%d, %d without a good echo\n", min, max, bad);
	return bad != 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int rtt(const char *ip, const char *port, int count)
{
	int fd = tcp_connect(ip, port);
	double *t = calloc(count, sizeof(*t));
	char msg[32], back[32];
	struct timeval tv = {.tv_sec = 5}; /* a server that stops answering ends the test */

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));

	memset(msg, 'r', sizeof(msg));
	for (int i = 0; i < count; i++) {
		double t0 = now_s();
		size_t got = 0;

		if (write(fd, msg, sizeof(msg)) != sizeof(msg))
			return 1;
		while (got < sizeof(back)) {
			ssize_t n = read(fd, back + got, sizeof(back) - got);

			if (n <= 0) {
				printf("nettest: rtt: no echo of round trip %d\n", i + 1);
				return 1;
			}
			got += n;
		}
		t[i] = now_s() - t0;
	}
	qsort(t, count, sizeof(*t), cmp_double);
	printf("nettest: rtt: %d round trips of 32 bytes, median %.3f ms, p99 %.3f ms, min %.3f "
	       "ms\n",
	       count, t[count / 2] * 1e3, t[count - 1 - count / 100] * 1e3, t[0] * 1e3);
	return 0;
}

/* Echoes per second with n datagrams in flight: each echo sends the next one; a lost
 * one is replaced once nothing came for 0.2 s, so the window never runs dry. */
static int udp_pps(const char *ip, const char *port, int secs, int n)
{
	struct sockaddr_in a = address(ip, port);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	uint8_t msg[64], back[2048];
	long long sent = 0, echoed = 0, refills = 0;
	double start, end;

	memset(msg, 'p', sizeof(msg));
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)))
		return 1;
	start = now_s();
	end = start + secs;
	for (int i = 0; i < n; i++, sent++)
		send(fd, msg, sizeof(msg), 0);
	while (now_s() < end) {
		struct pollfd p = {.fd = fd, .events = POLLIN};

		if (poll(&p, 1, 200) <= 0) {
			refills++;
			for (int i = 0; i < n; i++, sent++)
				send(fd, msg, sizeof(msg), 0);
			continue;
		}
		if (recv(fd, back, sizeof(back), 0) == sizeof(msg)) {
			echoed++;
			send(fd, msg, sizeof(msg), 0);
			sent++;
		}
	}
	printf("nettest: udp-pps: %lld echoes of 64 bytes in %d s, %d in flight: %.0f per second "
	       "(%lld sent, %lld refills)\n",
	       echoed, secs, n, echoed / (now_s() - start), sent, refills);
	return echoed == 0;
}

/* One datagram and its echo (3 tries of 1 s). */
static int udp_once(int fd, const char *text)
{
	char back[256];

	for (int tries = 0; tries < 3; tries++) {
		struct pollfd p = {.fd = fd, .events = POLLIN};

		send(fd, text, strlen(text), 0);
		while (poll(&p, 1, 1000) > 0) {
			ssize_t n = recv(fd, back, sizeof(back), 0);

			if (n == (ssize_t)strlen(text) && !memcmp(back, text, (size_t)n))
				return 0;
		}
	}
	return 1;
}

/* count 64-byte echoes, n in flight (n more sent after 0.2 s with none); stops early
 * after 10 s without one. Returns the echoes. Late echoes are drained before it returns. */
static long long echo_count(int fd, long long count, int n, long long *sent)
{
	uint8_t msg[64], back[2048];
	long long echoed = 0, out = 0;
	double last = now_s();

	memset(msg, 's', sizeof(msg));
	for (int i = 0; i < n && out < count; i++, out++)
		send(fd, msg, sizeof(msg), 0);
	while (echoed < count && now_s() - last < 10) {
		struct pollfd p = {.fd = fd, .events = POLLIN};

		if (poll(&p, 1, 200) <= 0) {
			for (int i = 0; i < n; i++, out++)
				send(fd, msg, sizeof(msg), 0);
			continue;
		}
		if (recv(fd, back, sizeof(back), 0) == sizeof(msg)) {
			echoed++;
			last = now_s();
			if (out < count) {
				send(fd, msg, sizeof(msg), 0);
				out++;
			}
		}
	}
	while (poll(&(struct pollfd){.fd = fd, .events = POLLIN}, 1, 500) > 0)
		recv(fd, back, sizeof(back), 0);
	*sent = out;
	return echoed;
}

/* A warm-up of 10,000 echoes (lwIP and netfront reach their working set), the memory,
 * half the echoes, the memory, the other half, the memory. */
static int udp_soak(const char *ip, const char *port, long long count, int n)
{
	struct sockaddr_in a = address(ip, port);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	long long echoed = 0, sent, all = 0;
	double start;

	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)))
		return 1;
	echo_count(fd, 10000, n, &sent);
	start = now_s();
	for (int half = 0; half < 3; half++) {
		if (udp_once(fd, "skiff-memory")) {
			printf("nettest: udp-soak: no answer to skiff-memory\n");
			return 1;
		}
		if (half < 2) {
			echoed += echo_count(fd, count / 2, n, &sent);
			all += sent;
		}
	}
	printf("nettest: udp-soak: %lld echoes of 64 bytes of %lld sent in %.0f s (%.0f a "
	       "second)\n",
	       echoed, all, now_s() - start, echoed / (now_s() - start));
	return echoed < count / 2 * 2;
}

/* RFC 862 over TCP and UDP on port, until killed. */
static int echo_server(const char *port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(atoi(port))};
	int u = socket(AF_INET, SOCK_DGRAM, 0), t = socket(AF_INET, SOCK_STREAM, 0), one = 1;
	static char buf[65536];

	setsockopt(t, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(u, (struct sockaddr *)&a, sizeof(a)) ||
	    bind(t, (struct sockaddr *)&a, sizeof(a)) || listen(t, 16)) {
		perror("nettest: echo-server");
		return 1;
	}
	signal(SIGCHLD, SIG_IGN); /* no zombies */
	for (;;) {
		struct pollfd p[2] = {{.fd = u, .events = POLLIN}, {.fd = t, .events = POLLIN}};

		if (poll(p, 2, -1) < 0)
			continue;
		if (p[0].revents & POLLIN) {
			struct sockaddr_in from;
			socklen_t len = sizeof(from);
			ssize_t n =
				recvfrom(u, buf, sizeof(buf), 0, (struct sockaddr *)&from, &len);

			if (n >= 0)
				sendto(u, buf, n, 0, (struct sockaddr *)&from, len);
		}
		if (p[1].revents & POLLIN) {
			int c = accept(t, NULL, NULL);

			if (c >= 0 && fork() == 0) {
				ssize_t n;

				setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
				while ((n = read(c, buf, sizeof(buf))) > 0)
					if (write(c, buf, n) != n)
						break;
				_exit(0);
			}
			if (c >= 0)
				close(c);
		}
	}
}

/* Read one HTTP response from fd: status code, body into body (NUL-ended). */
static int http_response(int fd, char *body, size_t size)
{
	static char buf[65536];
	size_t have = 0, head, len;
	char *end, *cl;
	int status;

	for (;;) {
		ssize_t n;

		buf[have] = 0;
		end = strstr(buf, "\r\n\r\n");
		if (end)
			break;
		n = read(fd, buf + have, sizeof(buf) - 1 - have);
		if (n <= 0)
			return -1;
		have += n;
	}
	head = end + 4 - buf;
	if (sscanf(buf, "HTTP/1.1 %d", &status) != 1)
		return -1;
	cl = strcasestr(buf, "\r\nContent-Length:");
	if (!cl || cl > end)
		return -1;
	len = strtoul(cl + 17, NULL, 10);
	if (len >= size)
		return -1;
	while (have - head < len) {
		ssize_t n = read(fd, buf + have, sizeof(buf) - 1 - have);

		if (n <= 0)
			return -1;
		have += n;
	}
	memcpy(body, buf + head, len);
	body[len] = 0;
	return status;
}

static int http(const char *ip, const char *port, const char *path, int count)
{
	int fd = tcp_connect(ip, port);
	static char body[65536];
	char req[512];

	snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: nettest\r\n\r\n",
		 path, ip);
	for (int i = 0; i < count; i++) {
		int status;

		if (write(fd, req, strlen(req)) != (ssize_t)strlen(req))
			return 1;
		status = http_response(fd, body, sizeof(body));
		if (status != 200) {
			printf("nettest: http: answer %d to request %d: status %d\n", i + 1, i + 1,
			       status);
			return 1;
		}
	}
	printf("nettest: http: %d answers on one connection\n%s", count, body);
	return 0;
}

/* Copy both ways between a and b until either side closes. */
static void splice_fds(int a, int b)
{
	char buf[16384];
	struct pollfd p[2] = {{.fd = a, .events = POLLIN}, {.fd = b, .events = POLLIN}};

	while (poll(p, 2, -1) > 0) {
		for (int i = 0; i < 2; i++) {
			ssize_t n;

			if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			n = read(p[i].fd, buf, sizeof(buf));
			if (n <= 0 || write(p[1 - i].fd, buf, n) != n)
				return;
		}
	}
}

static int relay(const char *lport, const char *ip, const char *port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(atoi(lport))};
	int one = 1, l = socket(AF_INET, SOCK_STREAM, 0);

	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(l, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(l, 16) < 0) {
		perror("nettest: relay");
		return 1;
	}
	for (;;) {
		int c = accept(l, NULL, NULL);

		if (c < 0)
			continue;
		if (fork() == 0) {
			int s = tcp_connect(ip, port);

			splice_fds(c, s);
			_exit(0);
		}
		close(c);
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
	}
}

/* The question's name as text ("a.b"): its length in the packet, or -1 if malformed. */
static int dns_name(const uint8_t *p, size_t len, char *out, size_t size)
{
	size_t i = 0, o = 0;

	while (i < len && p[i]) {
		size_t l = p[i++];

		if (l > 63 || i + l > len || o + l + 2 > size)
			return -1;
		if (o)
			out[o++] = '.';
		memcpy(out + o, p + i, l);
		o += l;
		i += l;
	}
	if (i >= len)
		return -1;
	out[o] = 0;
	return (int)i + 1;
}

static int dns(const char *name, const char *ip)
{
	struct sockaddr_in a = address("0.0.0.0", "53"), from;
	struct in_addr answer;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	if (inet_pton(AF_INET, ip, &answer) != 1 || fd < 0 ||
	    bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		fprintf(stderr, "nettest: dns: %s\n", strerror(errno));
		return 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (;;) {
		uint8_t q[512], r[600];
		socklen_t flen = sizeof(from);
		ssize_t n = recvfrom(fd, q, sizeof(q), 0, (struct sockaddr *)&from, &flen);
		char qname[256];
		int nlen, known;
		size_t qend, rlen;
		uint16_t qtype;

		/* A query: 12 bytes of header, one question (name, type, class). */
		if (n < 12 + 5 || (q[2] & 0x80) || q[4] != 0 || q[5] != 1)
			continue;
		nlen = dns_name(q + 12, (size_t)n - 12, qname, sizeof(qname));
		if (nlen < 0 || 12 + (size_t)nlen + 4 > (size_t)n)
			continue;
		qend = 12 + (size_t)nlen + 4;
		qtype = (uint16_t)(q[12 + nlen] << 8 | q[12 + nlen + 1]);
		known = !strcasecmp(qname, name) && qtype == 1;
		printf("nettest: dns: %s type %u: %s\n", qname, qtype, known ? ip : "no such name");
		memcpy(r, q, qend);
		r[2] = 0x80 | 0x04 | (q[2] & 0x01); /* a response, authoritative, RD copied */
		r[3] = known ? 0 : 3;		    /* NOERROR, or NXDOMAIN */
		r[6] = 0, r[7] = known;		    /* answers */
		r[8] = r[9] = r[10] = r[11] = 0;
		rlen = qend;
		if (known) {
			static const uint8_t rr[] = {0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4};

			memcpy(r + rlen, rr, sizeof(rr));
			memcpy(r + rlen + sizeof(rr), &answer, 4);
			rlen += sizeof(rr) + 4;
		}
		sendto(fd, r, rlen, 0, (struct sockaddr *)&from, flen);
	}
}

/* The one's-complement sum of len bytes, folded to 16 bits (RFC 1071). */
static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)(p[len - 1] << 8);
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* One frame from the guest: 1 partial and right, 2 complete and right, 0 not TCP,
 * -1 wrong. */
static int check_tcp_frame(const uint8_t *f, size_t len, int partial)
{
	const uint8_t *ip = f + 14, *tcp;
	size_t ihl, total, seg;
	uint32_t pseudo;

	if (len < 14 + 20 || f[12] != 0x08 || f[13] != 0x00 || (ip[0] >> 4) != 4 || ip[9] != 6)
		return 0;
	ihl = (size_t)(ip[0] & 0x0f) * 4;
	total = (size_t)(ip[2] << 8 | ip[3]);
	if (ihl < 20 || total < ihl + 20 || 14 + total > len)
		return -1;
	tcp = ip + ihl;
	seg = total - ihl;
	pseudo = csum_add(0, ip + 12, 8) + 6 + (uint32_t)seg;
	if (partial) /* the field holds the folded pseudo-header sum, not inverted */
		return (tcp[16] << 8 | tcp[17]) == csum_fold(pseudo) ? 1 : -1;
	return csum_fold(csum_add(pseudo, tcp, seg)) == 0xffff ? 2 : -1;
}

static int tcp_csum(const char *ifname, int count, int secs)
{
	/* ETH_P_ALL: a bridge port's frames reach only the taps of every protocol; those
	 * of one protocol come after the bridge, which has taken the frame. */
	int fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL)), on = 1;
	int partial = 0, complete = 0, wrong = 0, merged = 0;
	struct sockaddr_ll ll = {.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL)};
	double end = now_s() + secs;
	static uint8_t frame[65536 + 64];

	ll.sll_ifindex = (int)if_nametoindex(ifname);
	if (fd < 0 || !ll.sll_ifindex || bind(fd, (struct sockaddr *)&ll, sizeof(ll)) ||
	    setsockopt(fd, SOL_PACKET, PACKET_AUXDATA, &on, sizeof(on))) {
		printf("nettest: tcp-csum: cannot watch %s: %s\n", ifname, strerror(errno));
		return 1;
	}
	while (partial + complete + wrong < count && now_s() < end) {
		char cbuf[CMSG_SPACE(sizeof(struct tpacket_auxdata))];
		struct iovec iov = {frame, sizeof(frame)};
		struct sockaddr_ll from;
		struct msghdr msg = {.msg_name = &from,
				     .msg_namelen = sizeof(from),
				     .msg_iov = &iov,
				     .msg_iovlen = 1,
				     .msg_control = cbuf,
				     .msg_controllen = sizeof(cbuf)};
		struct pollfd pfd = {fd, POLLIN, 0};
		int is_partial = 0, rc;
		ssize_t n;

		if (poll(&pfd, 1, 200) <= 0)
			continue;
		n = recvmsg(fd, &msg, MSG_TRUNC);
		if (n <= 0 || (size_t)n > sizeof(frame) || from.sll_pkttype == PACKET_OUTGOING)
			continue; /* only what the guest sent */
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
			struct tpacket_auxdata aux;

			if (c->cmsg_level != SOL_PACKET || c->cmsg_type != PACKET_AUXDATA)
				continue;
			memcpy(&aux, CMSG_DATA(c), sizeof(aux));
			is_partial = (aux.tp_status & TP_STATUS_CSUMNOTREADY) != 0;
		}
		if (n > 1514) { /* dom0 merged frames (GRO) and rewrote the sum: not ours */
			merged++;
			continue;
		}
		rc = check_tcp_frame(frame, (size_t)n, is_partial);
		partial += rc == 1;
		complete += rc == 2;
		wrong += rc < 0;
	}
	printf("nettest: tcp-csum: %d TCP frames from the guest: %d partial with the right "
	       "pseudo-header sum, %d complete and right, %d wrong (%d merged by dom0, not "
	       "checked)\n",
	       partial + complete + wrong, partial, complete, wrong, merged);
	return partial + complete > 0 && !wrong ? 0 : 1;
}

/* Parse "aa:bb:cc:dd:ee:ff". */
static int parse_mac(const char *s, uint8_t mac[6])
{
	unsigned int b[6];

	if (sscanf(s, "%x:%x:%x:%x:%x:%x", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5]) != 6)
		return -1;
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)b[i];
	return 0;
}

/* A TCP SYN from dom0 (SRC_MAC, 10.0.0.1:sport) to the guest, its sum right or not. */
static size_t make_syn(uint8_t *f, const uint8_t dst_mac[6], const uint8_t src_mac[6],
		       struct in_addr src, struct in_addr dst, uint16_t sport, uint16_t dport,
		       int bad_sum)
{
	uint8_t *ip = f + 14, *tcp = ip + 20;
	uint16_t sum;

	memset(f, 0, 14 + 20 + 20);
	memcpy(f, dst_mac, 6);
	memcpy(f + 6, src_mac, 6);
	f[12] = 0x08;
	ip[0] = 0x45;
	ip[3] = 40;
	ip[6] = 0x40; /* Don't Fragment */
	ip[8] = 64;
	ip[9] = 6;
	memcpy(ip + 12, &src, 4);
	memcpy(ip + 16, &dst, 4);
	sum = (uint16_t)~csum_fold(csum_add(0, ip, 20));
	ip[10] = (uint8_t)(sum >> 8);
	ip[11] = (uint8_t)sum;
	tcp[0] = (uint8_t)(sport >> 8);
	tcp[1] = (uint8_t)sport;
	tcp[2] = (uint8_t)(dport >> 8);
	tcp[3] = (uint8_t)dport;
	tcp[7] = 1;	/* sequence number */
	tcp[12] = 0x50; /* 20-byte header */
	tcp[13] = 0x02; /* SYN */
	tcp[14] = 0x10; /* window 4096 */
	sum = (uint16_t)~csum_fold(csum_add(csum_add(0, ip + 12, 8) + 6 + 20, tcp, 20));
	if (bad_sum)
		sum ^= 0x0100;
	tcp[16] = (uint8_t)(sum >> 8);
	tcp[17] = (uint8_t)sum;
	return 14 + 20 + 20;
}

/* Wait up to secs for the guest's SYN-ACK to dport: 1 if seen. */
static int saw_syn_ack(int fd, uint16_t dport, double secs)
{
	static uint8_t frame[65536 + 64];
	double end = now_s() + secs;

	while (now_s() < end) {
		struct pollfd pfd = {fd, POLLIN, 0};
		struct sockaddr_ll from;
		socklen_t flen = sizeof(from);
		const uint8_t *tcp;
		ssize_t n;

		if (poll(&pfd, 1, 100) <= 0)
			continue;
		n = recvfrom(fd, frame, sizeof(frame), 0, (struct sockaddr *)&from, &flen);
		if (n < 14 + 20 + 20 || from.sll_pkttype == PACKET_OUTGOING)
			continue;
		if (frame[12] != 0x08 || frame[13] != 0x00 || frame[14 + 9] != 6)
			continue;
		tcp = frame + 14 + (frame[14] & 0x0f) * 4;
		if ((tcp[2] << 8 | tcp[3]) == dport && (tcp[13] & 0x12) == 0x12)
			return 1;
	}
	return 0;
}

/*
 * TCP SYNs from dom0 straight onto the guest's vif (no checksum offload flags: netback
 * hands them on as they are): ones with a wrong TCP checksum must go unanswered, one
 * with a right sum must get the SYN-ACK that shows the guest was listening.
 */
static int tcp_badsum(const char *ifname, const char *mac, const char *ip, const char *port)
{
	int fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	struct sockaddr_ll ll = {.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL)};
	uint8_t dst_mac[6], src_mac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01}, f[64];
	struct in_addr src, dst;
	int bad_answered = 0, right_answered = 0;

	ll.sll_ifindex = (int)if_nametoindex(ifname);
	if (fd < 0 || !ll.sll_ifindex || bind(fd, (struct sockaddr *)&ll, sizeof(ll)) ||
	    parse_mac(mac, dst_mac) || !inet_aton(ip, &dst) || !inet_aton("10.0.0.1", &src)) {
		printf("nettest: tcp-badsum: cannot use %s, %s, %s: %s\n", ifname, mac, ip,
		       strerror(errno));
		return 1;
	}
	for (int i = 0; i < 3 && !bad_answered; i++) {
		size_t len =
			make_syn(f, dst_mac, src_mac, src, dst, 40001, (uint16_t)atoi(port), 1);

		send(fd, f, len, 0);
		bad_answered = saw_syn_ack(fd, 40001, 1.0);
	}
	for (int i = 0; i < 5 && !right_answered; i++) {
		size_t len =
			make_syn(f, dst_mac, src_mac, src, dst, 40002, (uint16_t)atoi(port), 0);

		send(fd, f, len, 0);
		right_answered = saw_syn_ack(fd, 40002, 1.0);
	}
	printf("nettest: tcp-badsum: SYN with a wrong checksum %s, SYN with a right one %s\n",
	       bad_answered ? "answered" : "unanswered",
	       right_answered ? "answered" : "unanswered");
	return !bad_answered && right_answered ? 0 : 1;
}

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "tcp-echo"))
		return tcp_echo(argv[2], argv[3], atoll(argv[4]));
	if (argc == 6 && !strcmp(argv[1], "udp-echo"))
		return udp_echo(argv[2], argv[3], atoi(argv[4]), atoi(argv[5]));
	if (argc == 5 && !strcmp(argv[1], "rtt"))
		return rtt(argv[2], argv[3], atoi(argv[4]));
	if (argc == 6 && !strcmp(argv[1], "udp-soak"))
		return udp_soak(argv[2], argv[3], atoll(argv[4]), atoi(argv[5]));
	if (argc == 6 && !strcmp(argv[1], "udp-pps"))
		return udp_pps(argv[2], argv[3], atoi(argv[4]), atoi(argv[5]));
	if (argc == 3 && !strcmp(argv[1], "echo-server"))
		return echo_server(argv[2]);
	if (argc == 6 && !strcmp(argv[1], "http"))
		return http(argv[2], argv[3], argv[4], atoi(argv[5]));
	if (argc == 5 && !strcmp(argv[1], "relay"))
		return relay(argv[2], argv[3], argv[4]);
	if (argc == 4 && !strcmp(argv[1], "dns"))
		return dns(argv[2], argv[3]);
	if (argc == 5 && !strcmp(argv[1], "tcp-csum"))
		return tcp_csum(argv[2], atoi(argv[3]), atoi(argv[4]));
	if (argc == 6 && !strcmp(argv[1], "tcp-badsum"))
		return tcp_badsum(argv[2], argv[3], argv[4], argv[5]);
	fprintf(stderr,
		"usage: nettest tcp-echo IP PORT BYTES | udp-echo IP PORT MIN MAX |\n"
		"       rtt IP PORT COUNT | http IP PORT PATH COUNT | relay LPORT IP PORT |\n"
		"       dns NAME IP | tcp-csum IFACE COUNT SECS | udp-pps IP PORT SECS N | "
		"udp-soak IP PORT COUNT N |\n"
		"       echo-server PORT | tcp-badsum IFACE MAC IP PORT\n");
	return 2;
}
