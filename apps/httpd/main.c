/*
 * httpd: a small HTTP/1.1 server (RFC 9112) on lwIP's socket API. It serves
 *	/        an HTML page: uptime, Xen version, domain id and name, network counters
 *	/stats   the same as JSON
 * Connections are persistent (keep-alive) unless the client says otherwise or speaks
 * HTTP/1.0 without asking for it. GET and HEAD only; anything else gets 405.
 *
 * The port is 80, or port=N on the command line; the address comes from ip=... or
 * DHCP (<skiff/net.h>).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <skiff/net.h>
#include <skiff/thread.h>
#include <skiff/time.h>
#include <skiff/xen.h>

#include "lwip/sockets.h"

#define REQUEST_MAX 4096 /* request line and headers; longer gets 431 */
#define BODY_MAX    4096
#define IDLE_S	    30 /* a keep-alive connection quiet this long is closed */

static uint64_t started_ns;
static unsigned long long requests;

struct request {
	char method[8];
	char path[256];
	bool http11, keep_alive;
};

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* Does header line h (no CRLF) have name `name` and a value containing `token`? */
static bool header_has(const char *h, const char *name, const char *token)
{
	size_t n = strlen(name), t = strlen(token);

	for (size_t i = 0; i < n; i++)
		if (lower(h[i]) != lower(name[i]))
			return false;
	if (h[n] != ':')
		return false;
	for (const char *v = h + n + 1; *v; v++) {
		size_t i = 0;

		while (i < t && v[i] && lower(v[i]) == lower(token[i]))
			i++;
		if (i == t)
			return true;
	}
	return false;
}

/* Parse the request head in buf (NUL-terminated, CRLFs included). false: malformed. */
static bool parse(char *buf, struct request *r)
{
	char *line = buf, *end = strstr(buf, "\r\n"), *sp1, *sp2;

	if (!end)
		return false;
	*end = 0;
	sp1 = strchr(line, ' ');
	sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
	if (!sp1 || !sp2 || (size_t)(sp1 - line) >= sizeof(r->method) ||
	    (size_t)(sp2 - sp1 - 1) >= sizeof(r->path))
		return false;
	memcpy(r->method, line, (size_t)(sp1 - line));
	r->method[sp1 - line] = 0;
	memcpy(r->path, sp1 + 1, (size_t)(sp2 - sp1 - 1));
	r->path[sp2 - sp1 - 1] = 0;
	if (strcmp(sp2 + 1, "HTTP/1.1") == 0)
		r->http11 = true;
	else if (strcmp(sp2 + 1, "HTTP/1.0") == 0)
		r->http11 = false;
	else
		return false;
	r->keep_alive = r->http11;
	for (line = end + 2; (end = strstr(line, "\r\n")) && end != line; line = end + 2) {
		*end = 0;
		if (header_has(line, "Connection", "close"))
			r->keep_alive = false;
		else if (header_has(line, "Connection", "keep-alive"))
			r->keep_alive = true;
	}
	return true;
}

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

struct facts {
	unsigned long long uptime_s;
	struct skiff_domain_info dom;
	struct skiff_net_stats net;
	struct skiff_net_address addr;
};

static void gather(struct facts *f)
{
	f->uptime_s = (monotonic_ns() - started_ns) / NSEC_PER_SEC;
	skiff_domain_info(&f->dom);
	skiff_net_stats(&f->net);
	skiff_net_address(&f->addr);
}

static int render_json(char *b, size_t size, const struct facts *f)
{
	const struct netfront_stats *s = &f->net.dev;

	return snprintf(b, size,
			"{\"uptime_s\": %llu, \"xen\": \"%u.%u%s\", \"domid\": %u, "
			"\"name\": \"%s\", \"ip\": \"%s\", \"requests\": %llu,\n"
			" \"rx\": {\"frames\": %llu, \"bytes\": %llu, \"errors\": %llu, "
			"\"dropped\": %llu, \"gso\": %llu, \"slots\": %llu, \"lent\": %llu, "
			"\"csum_blank\": %llu, "
			"\"csum_trusted\": %llu, \"bad_csum\": %llu},\n"
			" \"tx\": {\"frames\": %llu, \"bytes\": %llu, \"errors\": %llu, "
			"\"dropped\": %llu, \"acks\": %llu, \"csum_blank\": %llu}}\n",
			f->uptime_s, f->dom.xen_major, f->dom.xen_minor, f->dom.xen_extra,
			f->dom.domid, f->dom.name ? f->dom.name : "", f->addr.ip_text, requests,
			(unsigned long long)s->rx_frames, (unsigned long long)s->rx_bytes,
			(unsigned long long)s->rx_errors, (unsigned long long)s->rx_dropped,
			(unsigned long long)s->rx_gso, (unsigned long long)s->rx_slots,
			(unsigned long long)s->rx_lent, (unsigned long long)s->rx_csum_blank,
			(unsigned long long)f->net.rx_tcp_csum_trusted,
			(unsigned long long)f->net.rx_bad_tcp_csum,
			(unsigned long long)s->tx_frames, (unsigned long long)s->tx_bytes,
			(unsigned long long)s->tx_errors, (unsigned long long)s->tx_dropped,
			(unsigned long long)f->net.tx_acks, (unsigned long long)s->tx_csum_blank);
}

static int render_html(char *b, size_t size, const struct facts *f)
{
	const struct netfront_stats *s = &f->net.dev;

	return snprintf(b, size,
			"<!DOCTYPE html>\n<html><head><title>Skiff appliance %s</title></head>\n"
			"<body><h1>Skiff appliance &ldquo;%s&rdquo;</h1>\n<ul>\n"
			"<li>uptime: %llu s</li>\n<li>Xen %u.%u%s, domain %u</li>\n"
			"<li>address: %s</li>\n<li>requests served: %llu</li>\n"
			"<li>received: %llu frames, %llu bytes, %llu errors, %llu dropped</li>\n"
			"<li>sent: %llu frames, %llu bytes, %llu errors, %llu dropped</li>\n"
			"</ul>\n<p><a href=\"/stats\">/stats</a> as JSON</p></body></html>\n",
			f->dom.name ? f->dom.name : "", f->dom.name ? f->dom.name : "", f->uptime_s,
			f->dom.xen_major, f->dom.xen_minor, f->dom.xen_extra, f->dom.domid,
			f->addr.ip_text, requests, (unsigned long long)s->rx_frames,
			(unsigned long long)s->rx_bytes, (unsigned long long)s->rx_errors,
			(unsigned long long)s->rx_dropped, (unsigned long long)s->tx_frames,
			(unsigned long long)s->tx_bytes, (unsigned long long)s->tx_errors,
			(unsigned long long)s->tx_dropped);
}

/* Length of path without its query string. */
static size_t strcspn_query(const char *path)
{
	size_t n = 0;

	while (path[n] && path[n] != '?')
		n++;
	return n;
}

static bool path_is(const char *path, size_t len, const char *want)
{
	return strlen(want) == len && strncmp(path, want, len) == 0;
}

/* Answer one request; false if the connection must close. */
static bool respond(int fd, const struct request *r, const char *peer)
{
	static char body[BODY_MAX]; /* threads are cooperative: no one else runs mid-use */
	char head[256];
	const char *status = "200 OK", *type = "text/html; charset=utf-8";
	struct facts f;
	int len;
	bool head_only = strcmp(r->method, "HEAD") == 0;
	size_t plen = strcspn_query(r->path); /* route on the path, not the ?query */

	requests++;
	gather(&f);
	if (!head_only && strcmp(r->method, "GET") != 0) {
		status = "405 Method Not Allowed";
		type = "text/plain";
		len = snprintf(body, sizeof(body), "GET or HEAD only\n");
	} else if (path_is(r->path, plen, "/") || path_is(r->path, plen, "/index.html")) {
		len = render_html(body, sizeof(body), &f);
	} else if (path_is(r->path, plen, "/stats")) {
		type = "application/json";
		len = render_json(body, sizeof(body), &f);
	} else {
		status = "404 Not Found";
		type = "text/plain";
		len = snprintf(body, sizeof(body), "no such page: %s\n", r->path);
	}
	if (len < 0 || len >= (int)sizeof(body))
		len = (int)sizeof(body) - 1;
	printf("httpd: %s %s %s %.3s\n", peer, r->method, r->path, status);
	snprintf(head, sizeof(head),
		 "HTTP/1.1 %s\r\nServer: Skiff\r\nContent-Type: %s\r\nContent-Length: %d\r\n"
		 "Cache-Control: no-store\r\nConnection: %s\r\n%s\r\n",
		 status, type, len, r->keep_alive ? "keep-alive" : "close",
		 head_only || !r->http11 || !r->keep_alive ? "" : "Keep-Alive: timeout=30\r\n");
	if (!send_all(fd, head, strlen(head)))
		return false;
	if (!head_only && !send_all(fd, body, (size_t)len))
		return false;
	return r->keep_alive;
}

static void reply_error(int fd, const char *status)
{
	char msg[160];

	snprintf(msg, sizeof(msg), "HTTP/1.1 %s\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
		 status);
	send_all(fd, msg, strlen(msg));
}

/* Serve one connection: requests one after another until it closes or idles out. */
static int client(void *arg)
{
	int fd = (int)(long)arg;
	char *buf = malloc(REQUEST_MAX + 1), peer[16] = "?";
	size_t have = 0;
	struct timeval idle = {.tv_sec = IDLE_S};
	struct sockaddr_in sin;
	socklen_t slen = sizeof(sin);

	if (getpeername(fd, (struct sockaddr *)&sin, &slen) == 0)
		inet_ntoa_r(sin.sin_addr, peer, sizeof(peer));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &idle, sizeof(idle));
	while (buf) {
		char *end;
		struct request r = {.keep_alive = false};
		size_t used;
		ssize_t n;

		buf[have] = 0;
		end = strstr(buf, "\r\n\r\n");
		if (!end) {
			if (have == REQUEST_MAX) {
				reply_error(fd, "431 Request Header Fields Too Large");
				break;
			}
			n = recv(fd, buf + have, REQUEST_MAX - have, 0);
			if (n <= 0)
				break; /* closed, idle, or reset */
			have += (size_t)n;
			continue;
		}
		used = (size_t)(end + 4 - buf);
		end[2] = 0; /* the head, ending in one CRLF */
		if (!parse(buf, &r)) {
			reply_error(fd, "400 Bad Request");
			break;
		}
		if (!respond(fd, &r, peer))
			break;
		/* A pipelined request may follow in the same buffer. (Bodies are not
		 * expected: GET and HEAD have none.) */
		memmove(buf, buf + used, have - used);
		have -= used;
	}
	free(buf);
	close(fd);
	return 0;
}

static unsigned int port_from_cmdline(void)
{
	struct skiff_domain_info d;
	const char *p;

	skiff_domain_info(&d);
	p = d.cmdline ? strstr(d.cmdline, "port=") : NULL;
	return p ? (unsigned int)strtoul(p + 5, NULL, 10) : 80;
}

int main(void)
{
	struct sockaddr_in addr = {.sin_family = AF_INET};
	struct skiff_net_address a;
	unsigned int port = port_from_cmdline();
	int one = 1, fd, rc;

	started_ns = monotonic_ns();
	rc = skiff_net_start();
	if (rc) {
		printf("httpd: no network (%s)\n", strerror_name(-rc));
		return 1;
	}
	fd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	addr.sin_port = htons((uint16_t)port);
	addr.sin_addr.s_addr = htonl(INADDR_ANY);
	if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(fd, 8) < 0) {
		printf("httpd: cannot listen on port %u (errno %d)\n", port, errno);
		return 1;
	}
	skiff_net_address(&a);
	printf("httpd: serving http://%s:%u/\n", a.ip_text, port);
	for (;;) {
		int c = accept(fd, NULL, NULL);
		struct thread *t;

		if (c < 0)
			continue;
		t = thread_create("http", client, (void *)(long)c);
		if (t)
			thread_detach(t);
		else
			close(c);
	}
}
