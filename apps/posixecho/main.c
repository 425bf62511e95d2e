/*
 * posixecho: the echo service (RFC 862) on port 7, TCP and UDP, written against POSIX
 * only: BSD sockets, getaddrinfo(), poll() and non-blocking accept, as on any Unix. One
 * thread serves everything: poll() watches the listening socket, the UDP socket, every
 * client and the console (a line "quit" typed on `xl console` ends the program).
 *
 *	extra = "ip=10.0.0.2 netmask=255.255.255.0 dns=10.0.0.1 -- [lookup NAME]
 *		 [connect HOST PORT]"
 *
 * Before it serves, the client side of sockets, each step printed: "lookup NAME" looks
 * NAME up (DNS, through getaddrinfo); "connect HOST PORT" looks HOST up, connects to
 * it, says hello and reads one line back; "check HOST" runs the checks of check_all()
 * against HOST, on which port 9 is closed and port 9001 sends 100,000 bytes and closes.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <sys/time.h>

#define PORT	    "7"
#define MAX_CLIENTS 16
#define BUF_SIZE    16384

struct client {
	int fd;
	char peer[INET_ADDRSTRLEN + 6];
	unsigned long long bytes;
};

static struct client clients[MAX_CLIENTS];
static unsigned int nclients;
static char buf[BUF_SIZE];

static void die(const char *what)
{
	printf("posixecho: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* A socket bound to port 7 of every address, from getaddrinfo() as portable code does. */
static int listen_on(int type)
{
	struct addrinfo hints = {.ai_flags = AI_PASSIVE, .ai_family = AF_INET, .ai_socktype = type};
	struct addrinfo *res;
	int one = 1, fd, rc = getaddrinfo(NULL, PORT, &hints, &res);

	if (rc) {
		printf("posixecho: getaddrinfo: %s\n", gai_strerror(rc));
		exit(1);
	}
	fd = socket(res->ai_family, res->ai_socktype | SOCK_NONBLOCK, res->ai_protocol);
	if (fd < 0)
		die("socket");
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0)
		die("setsockopt");
	if (bind(fd, res->ai_addr, res->ai_addrlen) < 0)
		die("bind");
	if (type == SOCK_STREAM && listen(fd, SOMAXCONN) < 0)
		die("listen");
	freeaddrinfo(res);
	return fd;
}

static void name_peer(const struct sockaddr_in *sin, char *out, size_t size)
{
	char ip[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &sin->sin_addr, ip, sizeof(ip));
	snprintf(out, size, "%s:%u", ip, ntohs(sin->sin_port));
}

/* Every connection waiting on the (non-blocking) listening socket. */
static void accept_all(int lfd)
{
	for (;;) {
		struct sockaddr_in sin;
		socklen_t len = sizeof(sin);
		int one = 1, fd = accept(lfd, (struct sockaddr *)&sin, &len);

		if (fd < 0) {
			if (errno != EAGAIN)
				printf("posixecho: accept: %s\n", strerror(errno));
			return;
		}
		if (nclients == MAX_CLIENTS) {
			printf("posixecho: too many clients, closing a new one\n");
			close(fd);
			continue;
		}
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		clients[nclients].fd = fd;
		clients[nclients].bytes = 0;
		name_peer(&sin, clients[nclients].peer, sizeof(clients[nclients].peer));
		printf("posixecho: connection from %s\n", clients[nclients].peer);
		nclients++;
	}
}

/* Every datagram waiting: each sent back to where it came from. */
static void echo_datagrams(int ufd)
{
	for (;;) {
		struct sockaddr_in from;
		socklen_t len = sizeof(from);
		ssize_t n = recvfrom(ufd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &len);

		if (n < 0) {
			if (errno != EAGAIN)
				printf("posixecho: recvfrom: %s\n", strerror(errno));
			return;
		}
		if (sendto(ufd, buf, (size_t)n, 0, (struct sockaddr *)&from, len) < 0)
			printf("posixecho: sendto: %s\n", strerror(errno));
	}
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Echo what client i sent; false once it is gone. */
static int serve(unsigned int i)
{
	ssize_t n = read(clients[i].fd, buf, sizeof(buf));

	if (n > 0 && write_all(clients[i].fd, buf, (size_t)n) == 0) {
		clients[i].bytes += (unsigned long long)n;
		return 1;
	}
	if (n < 0 || errno)
		printf("posixecho: %s: %s\n", clients[i].peer,
		       n < 0 ? strerror(errno) : "write failed");
	printf("posixecho: %s closed after %llu bytes\n", clients[i].peer, clients[i].bytes);
	close(clients[i].fd);
	clients[i] = clients[--nclients];
	return 0;
}

/* HOST's first IPv4 address for a TCP connection to PORT, printed; NULL if none. */
static struct addrinfo *lookup(const char *host, const char *port)
{
	struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_STREAM}, *res;
	char ip[INET_ADDRSTRLEN];
	int rc = getaddrinfo(host, port, &hints, &res);

	if (rc) {
		printf("posixecho: getaddrinfo %s: %s\n", host, gai_strerror(rc));
		return NULL;
	}
	inet_ntop(AF_INET, &((struct sockaddr_in *)res->ai_addr)->sin_addr, ip, sizeof(ip));
	printf("posixecho: %s is %s\n", host, ip);
	return res;
}

/* The client side: HOST looked up and connected to, one line each way. */
static void say_hello(const char *host, const char *port)
{
	struct addrinfo *res = lookup(host, port);
	char line[128];
	size_t got = 0;
	int fd;

	if (!res)
		return;
	fd = socket(res->ai_family, res->ai_socktype, res->ai_protocol);
	if (fd < 0 || connect(fd, res->ai_addr, res->ai_addrlen) < 0) {
		printf("posixecho: connect %s:%s: %s\n", host, port, strerror(errno));
		if (fd >= 0)
			close(fd);
		freeaddrinfo(res);
		return;
	}
	freeaddrinfo(res);
	dprintf(fd, "hello from posixecho\n");
	/* One line back (the peer may keep its side open). */
	while (got < sizeof(line) - 1 && read(fd, line + got, 1) == 1 && line[got] != '\n')
		got++;
	line[got] = 0;
	printf("posixecho: %s:%s answered \"%s\"\n", host, port, line);
	close(fd);
}

static void check(const char *name, int ok, const char *why)
{
	if (ok)
		printf("posixecho: check %s ok\n", name);
	else
		printf("posixecho: check %s FAILED: %s (errno %s)\n", name, why, strerror(errno));
}

static struct sockaddr_in peer_at(const char *host, int port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};

	inet_pton(AF_INET, host, &a.sin_addr);
	return a;
}

static long ms_since(const struct timeval *t0)
{
	struct timeval t;

	gettimeofday(&t, NULL);
	return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_usec - t0->tv_usec) / 1000;
}

/* A connected socket's two ends: the peer is whom it connected to, the local end an
 * address of ours with a port; a buffer too short gets a cut address and the whole
 * length (POSIX). */
static void check_names(int fd, const struct sockaddr_in *to)
{
	struct sockaddr_in me, peer;
	socklen_t mlen = sizeof(me), plen = sizeof(peer), short_len = 2;
	unsigned char cut[2] = {0xee, 0xee};

	check("socket_names",
	      getpeername(fd, (struct sockaddr *)&peer, &plen) == 0 && plen == sizeof(peer) &&
		      peer.sin_family == AF_INET && peer.sin_port == to->sin_port &&
		      peer.sin_addr.s_addr == to->sin_addr.s_addr &&
		      getsockname(fd, (struct sockaddr *)&me, &mlen) == 0 && mlen == sizeof(me) &&
		      me.sin_family == AF_INET && me.sin_port != 0 && me.sin_addr.s_addr != 0 &&
		      getsockname(fd, (struct sockaddr *)cut, &short_len) == 0 &&
		      short_len == sizeof(me) && cut[0] == ((unsigned char *)&me)[0] &&
		      cut[1] == ((unsigned char *)&me)[1],
	      "getpeername is dom0's port, getsockname ours; a short buffer is cut");
}

/* A thread blocked in recv() on a socket another thread closes. */
static void *blocked_reader(void *arg)
{
	char c;
	ssize_t n = recv(*(int *)arg, &c, 1, 0);

	return (void *)(intptr_t)(n < 0 ? errno : 0);
}

static void check_all(const char *host)
{
	struct sockaddr_in closed = peer_at(host, 9), sender = peer_at(host, 9001);
	struct timeval t0, tiny = {0, 500}, short_wait = {0, 300 * 1000};
	struct linger lg = {1, 0};
	int one = 1, v = 0, fd, e = 0;
	socklen_t len = sizeof(v);
	static char big[100000];
	unsigned char tos = 0x10;
	struct pollfd p;
	pthread_t t;
	void *res;
	ssize_t n;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	errno = 0;
	check("connect_refused",
	      connect(fd, (struct sockaddr *)&closed, sizeof(closed)) < 0 && errno == ECONNREFUSED,
	      "ECONNREFUSED from a closed port");
	close(fd);

	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	errno = 0;
	n = connect(fd, (struct sockaddr *)&closed, sizeof(closed));
	p = (struct pollfd){.fd = fd, .events = POLLOUT};
	len = sizeof(e);
	check("nonblocking_connect_so_error",
	      n < 0 && errno == EINPROGRESS && poll(&p, 1, 5000) == 1 &&
		      getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len) == 0 &&
		      (e == ECONNREFUSED || e == ECONNRESET),
	      "EINPROGRESS, then SO_ERROR a newlib errno of the refusal");
	close(fd);

	fd = socket(AF_INET, SOCK_STREAM, 0);
	len = sizeof(v);
	check("boolean_option_reads_1",
	      setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == 0 &&
		      getsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &v, &len) == 0 && v == 1,
	      "SO_REUSEADDR set reads back 1");
	len = sizeof(lg);
	check("so_linger",
	      setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)) == 0 &&
		      getsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, &len) == 0 && lg.l_onoff == 1,
	      "SO_LINGER set and read");
	check("ip_tos_one_byte", setsockopt(fd, IPPROTO_IP, IP_TOS, &tos, 1) == 0, "a char");
	close(fd);

	fd = socket(AF_INET, SOCK_DGRAM, 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tiny, sizeof(tiny));
	gettimeofday(&t0, NULL);
	errno = 0;
	check("sub_millisecond_timeout_times_out",
	      recv(fd, big, 1, 0) < 0 && errno == EAGAIN && ms_since(&t0) < 1000,
	      "500 us is a timeout, not none");
	close(fd);

	fd = socket(AF_INET, SOCK_DGRAM, 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &short_wait, sizeof(short_wait));
	pthread_create(&t, NULL, blocked_reader, &fd);
	usleep(50 * 1000); /* the reader is in recv() now */
	close(fd);
	v = socket(AF_INET, SOCK_DGRAM, 0); /* the table and lwIP go on */
	pthread_join(t, &res);
	check("close_while_another_thread_reads", v >= 0 && (intptr_t)res == EAGAIN,
	      "the reader times out; nothing crashes");
	close(v);

	fd = socket(AF_INET, SOCK_STREAM, 0);
	n = -1;
	if (connect(fd, (struct sockaddr *)&sender, sizeof(sender)) == 0)
		n = recv(fd, big, sizeof(big), MSG_WAITALL);
	check("msg_waitall_reads_it_all", n == (ssize_t)sizeof(big), "100,000 bytes in one recv()");
	check_names(fd, &sender);
	close(fd);
}

/* What was typed on the console (non-blocking stdin): true with a whole line in line. */
static int console_line(char *line, size_t size, size_t *typed)
{
	char c;

	while (read(STDIN_FILENO, &c, 1) == 1) {
		if (c == '\n' || c == '\r') {
			line[*typed] = 0;
			*typed = 0;
			return 1;
		}
		if (*typed < size - 1)
			line[(*typed)++] = c;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct pollfd fds[3 + MAX_CLIENTS];
	int tcp, udp;
	char line[64];
	size_t typed = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "lookup") && i + 1 < argc) {
			struct addrinfo *res = lookup(argv[++i], NULL);

			if (res)
				freeaddrinfo(res);
		} else if (!strcmp(argv[i], "check") && i + 1 < argc) {
			check_all(argv[++i]);
		} else if (!strcmp(argv[i], "connect") && i + 2 < argc) {
			say_hello(argv[i + 1], argv[i + 2]);
			i += 2;
		} else {
			printf("posixecho: usage: posixecho [lookup NAME] [connect HOST PORT] "
			       "[check HOST]\n");
			return 2;
		}
	}
	if (fcntl(STDIN_FILENO, F_SETFL, O_NONBLOCK) < 0)
		die("fcntl");
	tcp = listen_on(SOCK_STREAM);
	udp = listen_on(SOCK_DGRAM);
	printf("posixecho: listening on port %s (tcp, udp)\n", PORT);
	for (;;) {
		unsigned int n = nclients;

		fds[0] = (struct pollfd){.fd = tcp, .events = POLLIN};
		fds[1] = (struct pollfd){.fd = udp, .events = POLLIN};
		fds[2] = (struct pollfd){.fd = STDIN_FILENO, .events = POLLIN};
		for (unsigned int i = 0; i < n; i++)
			fds[3 + i] = (struct pollfd){.fd = clients[i].fd, .events = POLLIN};
		if (poll(fds, 3 + n, -1) < 0)
			die("poll");
		if (fds[0].revents)
			accept_all(tcp);
		if (fds[1].revents)
			echo_datagrams(udp);
		if (fds[2].revents && console_line(line, sizeof(line), &typed) &&
		    !strcmp(line, "quit")) {
			printf("posixecho: quit\n");
			return 0;
		}
		/* From the last: serve() moves the last client into a closed one's place. */
		for (unsigned int i = n; i-- > 0;)
			if (fds[3 + i].revents) {
				errno = 0;
				serve(i);
			}
	}
}
