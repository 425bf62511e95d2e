/*
 * posixhttpd: an HTTP/1.1 server written against POSIX only: BSD sockets, select(),
 * open/read/fstat of the files of its ramdisk, time and strftime for the Date header.
 * One thread serves every client; connections stay open between requests (keep-alive)
 * unless the client asks to close.
 *
 *	extra = "ip=10.0.0.4 netmask=255.255.255.0 -- [PORT]"     (80 by default)
 *
 * GET and HEAD of:
 *	/            /www/index.html of the ramdisk; any other /NAME is /www/NAME
 *	/stats       its counters, as JSON
 *	/bytes/N     N bytes (up to 64 MiB) of the pattern "0123456789abcdef...", repeated
 * Anything else: 404, 405 (another method) or 400 (a request it cannot read).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_CLIENTS 16
#define REQ_MAX	    4096
#define BYTES_MAX   (64u << 20)

struct client {
	int fd;
	size_t len; /* bytes of a request in req */
	char req[REQ_MAX];
};

static struct client *clients[MAX_CLIENTS];
static unsigned long long requests, connections, bytes_sent, not_found;
static time_t started;

static void die(const char *what)
{
	printf("posixhttpd: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
		bytes_sent += (unsigned long long)n;
	}
	return 0;
}

/* The status line and headers; the body follows (unless the request was HEAD). */
static int head(int fd, int status, const char *type, unsigned long long length, int keep)
{
	const char *reason = status == 200   ? "OK"
			     : status == 400 ? "Bad Request"
			     : status == 404 ? "Not Found"
					     : "Method Not Allowed";
	char date[64], buf[512];
	time_t now = time(NULL);
	int n;

	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", gmtime(&now));
	n = snprintf(buf, sizeof(buf),
		     "HTTP/1.1 %d %s\r\nServer: posixhttpd\r\nDate: %s\r\nContent-Type: %s\r\n"
		     "Content-Length: %llu\r\nConnection: %s\r\n\r\n",
		     status, reason, date, type, length, keep ? "keep-alive" : "close");
	return write_all(fd, buf, (size_t)n);
}

static int error_page(int fd, int status, int keep, int body)
{
	char text[64];
	int n = snprintf(text, sizeof(text), "%d\n", status);

	if (head(fd, status, "text/plain", (unsigned long long)n, keep) < 0)
		return -1;
	return body ? write_all(fd, text, (size_t)n) : 0;
}

static const char *type_of(const char *path)
{
	const char *dot = strrchr(path, '.');

	if (dot && !strcmp(dot, ".html"))
		return "text/html";
	if (dot && !strcmp(dot, ".txt"))
		return "text/plain";
	return "application/octet-stream";
}

/* A file of the ramdisk under /www; no ".." (the path stays inside /www). */
static int send_file(int fd, const char *path, int keep, int body)
{
	char name[256], buf[8192];
	struct stat st;
	int file, rc = 0;
	ssize_t n;

	if (strstr(path, "..") ||
	    snprintf(name, sizeof(name), "/www%s", strcmp(path, "/") ? path : "/index.html") >=
		    (int)sizeof(name))
		return error_page(fd, 404, keep, body);
	file = open(name, O_RDONLY);
	if (file < 0 || fstat(file, &st) < 0 || !S_ISREG(st.st_mode)) {
		if (file >= 0)
			close(file);
		not_found++;
		return error_page(fd, 404, keep, body);
	}
	if (head(fd, 200, type_of(name), (unsigned long long)st.st_size, keep) < 0)
		rc = -1;
	while (rc == 0 && body && (n = read(file, buf, sizeof(buf))) > 0)
		rc = write_all(fd, buf, (size_t)n);
	close(file);
	return rc;
}

static int send_bytes(int fd, const char *count, int keep, int body)
{
	static const char pattern[] = "0123456789abcdef";
	char buf[16384], *end;
	unsigned long n = strtoul(count, &end, 10);

	if (*end || end == count || n > BYTES_MAX)
		return error_page(fd, 404, keep, body);
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = pattern[i % 16];
	if (head(fd, 200, "application/octet-stream", n, keep) < 0)
		return -1;
	/* Each chunk starts where the pattern is, so the whole body is one pattern. */
	while (body && n) {
		size_t len = n < sizeof(buf) ? n : sizeof(buf);

		if (write_all(fd, buf, len) < 0)
			return -1;
		n -= len;
	}
	return 0;
}

static int send_stats(int fd, int keep, int body)
{
	char buf[256];
	int n = snprintf(buf, sizeof(buf),
			 "{\"uptime_s\": %lld, \"connections\": %llu, \"requests\": %llu, "
			 "\"not_found\": %llu, \"bytes_sent\": %llu}\n",
			 (long long)(time(NULL) - started), connections, requests, not_found,
			 bytes_sent);

	if (head(fd, 200, "application/json", (unsigned long long)n, keep) < 0)
		return -1;
	return body ? write_all(fd, buf, (size_t)n) : 0;
}

/* One request (its head, NUL-terminated): 0 to keep the connection, -1 to close it. */
static int answer(int fd, char *req)
{
	char method[8], path[256], version[16];
	int keep, body;

	requests++;
	if (sscanf(req, "%7s %255s %15s", method, path, version) != 3 ||
	    strncmp(version, "HTTP/1.", 7) || path[0] != '/') {
		error_page(fd, 400, 0, 1);
		return -1;
	}
	/* HTTP/1.1 keeps the connection unless asked not to; 1.0 closes it. */
	keep = !strcmp(version, "HTTP/1.1") && !strstr(req, "Connection: close") &&
	       !strstr(req, "connection: close");
	body = strcmp(method, "HEAD") != 0;
	printf("posixhttpd: %s %s\n", method, path);
	if (strcmp(method, "GET") && strcmp(method, "HEAD")) {
		error_page(fd, 405, 0, 1);
		return -1;
	}
	if (!strcmp(path, "/stats")) {
		if (send_stats(fd, keep, body) < 0)
			return -1;
	} else if (!strncmp(path, "/bytes/", 7)) {
		if (send_bytes(fd, path + 7, keep, body) < 0)
			return -1;
	} else if (send_file(fd, path, keep, body) < 0) {
		return -1;
	}
	return keep ? 0 : -1;
}

static void drop(unsigned int i)
{
	close(clients[i]->fd);
	free(clients[i]);
	clients[i] = NULL;
}

/* Read what client i sent and answer each whole request in it. */
static void serve(unsigned int i)
{
	struct client *c = clients[i];
	ssize_t n = read(c->fd, c->req + c->len, sizeof(c->req) - 1 - c->len);
	char *end;

	if (n <= 0) {
		drop(i);
		return;
	}
	c->len += (size_t)n;
	c->req[c->len] = 0;
	while ((end = strstr(c->req, "\r\n\r\n"))) {
		size_t used = (size_t)(end + 4 - c->req);

		*end = 0;
		if (answer(c->fd, c->req) < 0) {
			drop(i);
			return;
		}
		memmove(c->req, c->req + used, c->len - used + 1);
		c->len -= used;
	}
	if (c->len == sizeof(c->req) - 1) { /* a head that does not fit */
		error_page(c->fd, 400, 0, 1);
		drop(i);
	}
}

static void accept_one(int lfd)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int fd = accept(lfd, (struct sockaddr *)&sin, &len);
	unsigned int i;

	if (fd < 0) {
		printf("posixhttpd: accept: %s\n", strerror(errno));
		return;
	}
	for (i = 0; i < MAX_CLIENTS && clients[i]; i++)
		;
	if (i == MAX_CLIENTS || !(clients[i] = calloc(1, sizeof(struct client)))) {
		printf("posixhttpd: no room for another client\n");
		close(fd);
		return;
	}
	clients[i]->fd = fd;
	connections++;
}

int main(int argc, char **argv)
{
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr = {.s_addr = htonl(INADDR_ANY)}};
	int one = 1, lfd, port = argc > 1 ? atoi(argv[1]) : 80;

	if (port <= 0 || port > 65535) {
		printf("posixhttpd: bad port %s\n", argv[1]);
		return 2;
	}
	started = time(NULL);
	sin.sin_port = htons((uint16_t)port);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (lfd < 0)
		die("socket");
	if (setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0)
		die("setsockopt");
	if (bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) < 0)
		die("bind");
	if (listen(lfd, 16) < 0)
		die("listen");
	printf("posixhttpd: serving on port %d\n", port);
	for (;;) {
		fd_set rd;
		int maxfd = lfd;

		FD_ZERO(&rd);
		FD_SET(lfd, &rd);
		for (unsigned int i = 0; i < MAX_CLIENTS; i++)
			if (clients[i]) {
				FD_SET(clients[i]->fd, &rd);
				if (clients[i]->fd > maxfd)
					maxfd = clients[i]->fd;
			}
		if (select(maxfd + 1, &rd, NULL, NULL, NULL) < 0)
			die("select");
		if (FD_ISSET(lfd, &rd))
			accept_one(lfd);
		for (unsigned int i = 0; i < MAX_CLIENTS; i++)
			if (clients[i] && FD_ISSET(clients[i]->fd, &rd))
				serve(i);
	}
}
