/*
 * <netdb.h> for newlib programs: getaddrinfo() and its kin. A numeric address is read
 * here (posix/inet.c); a name goes to lwIP's DNS client (sys_resolve, posix/socket.c).
 * Services are port numbers: there is no /etc/services. Only in appliances linked with
 * lwIP.
 */
#include <errno.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>

#include "posix/newlib/glue.h"
#include "posix/sys.h"

int h_errno;

/* One answer: the addrinfo, its address and its name, in one allocation (what
 * freeaddrinfo() frees). */
struct answer {
	struct addrinfo ai;
	struct sockaddr_in sin;
	char name[];
};

static struct addrinfo *answer(uint32_t addr, uint16_t port, int socktype, const char *canon)
{
	size_t len = canon ? strlen(canon) + 1 : 0;
	struct answer *a = calloc(1, sizeof(*a) + len);

	if (!a)
		return NULL;
	a->sin.sin_family = AF_INET;
	a->sin.sin_port = htons(port);
	a->sin.sin_addr.s_addr = addr;
	a->ai.ai_family = AF_INET;
	a->ai.ai_socktype = socktype;
	a->ai.ai_protocol = socktype == SOCK_STREAM ? IPPROTO_TCP : IPPROTO_UDP;
	a->ai.ai_addrlen = sizeof(a->sin);
	a->ai.ai_addr = (struct sockaddr *)&a->sin;
	if (canon) {
		memcpy(a->name, canon, len);
		a->ai.ai_canonname = a->name;
	}
	return &a->ai;
}

/* The layer's lookup error as getaddrinfo's. */
static int eai_of(int rc)
{
	switch (rc) {
	case -ENOENT:
	case -EINVAL:
		return EAI_NONAME;
	case -EAGAIN:
		return EAI_AGAIN;
	case -ENOMEM:
		return EAI_MEMORY;
	default:
		return EAI_FAIL; /* -ENETDOWN: no network at all */
	}
}

static int host_address(const char *node, int flags, uint32_t *addr)
{
	int rc;

	if (!node) {
		/* No host: the wildcard address to bind to, or this host's to connect to. */
		*addr = (flags & AI_PASSIVE) ? htonl(INADDR_ANY) : htonl(INADDR_LOOPBACK);
		return 0;
	}
	if (sys_inet_aton(node, addr))
		return 0;
	if (flags & AI_NUMERICHOST)
		return EAI_NONAME;
	rc = sys_resolve(node, addr);
	return rc ? eai_of(rc) : 0;
}

int getaddrinfo(const char *node, const char *service, const struct addrinfo *hints,
		struct addrinfo **res)
{
	const int known = AI_PASSIVE | AI_CANONNAME | AI_NUMERICHOST | AI_V4MAPPED | AI_ALL |
			  AI_ADDRCONFIG | AI_NUMERICSERV;
	int flags = hints ? hints->ai_flags : 0, family = hints ? hints->ai_family : AF_UNSPEC;
	int socktype = hints ? hints->ai_socktype : 0, protocol = hints ? hints->ai_protocol : 0;
	struct addrinfo *first = NULL, **next = &first;
	uint16_t port = 0;
	uint32_t addr;
	int rc;

	if (flags & ~known)
		return EAI_BADFLAGS;
	if (!node && !service)
		return EAI_NONAME;
	if (family != AF_UNSPEC && family != AF_INET)
		return EAI_FAMILY;
	if (socktype != 0 && socktype != SOCK_STREAM && socktype != SOCK_DGRAM)
		return EAI_SOCKTYPE;
	if ((protocol == IPPROTO_TCP && socktype == SOCK_DGRAM) ||
	    (protocol == IPPROTO_UDP && socktype == SOCK_STREAM))
		return EAI_SOCKTYPE;
	if (service && !sys_parse_port(service, &port))
		return (flags & AI_NUMERICSERV) ? EAI_NONAME : EAI_SERVICE;
	rc = host_address(node, flags, &addr);
	if (rc)
		return rc;
	/* One answer for each socket type asked for (both, when none is), TCP's first;
	 * a protocol alone picks its type. */
	if (!socktype && protocol == IPPROTO_TCP)
		socktype = SOCK_STREAM;
	if (!socktype && protocol == IPPROTO_UDP)
		socktype = SOCK_DGRAM;
	for (int type = SOCK_STREAM; type <= SOCK_DGRAM; type++) {
		if (socktype && type != socktype)
			continue;
		*next = answer(addr, port, type, (flags & AI_CANONNAME) && node ? node : NULL);
		if (!*next) {
			freeaddrinfo(first);
			return EAI_MEMORY;
		}
		next = &(*next)->ai_next;
	}
	*res = first;
	return 0;
}

void freeaddrinfo(struct addrinfo *res)
{
	while (res) {
		struct addrinfo *next = res->ai_next;

		free(res); /* the first member of its struct answer */
		res = next;
	}
}

const char *gai_strerror(int err)
{
	switch (err) {
	case 0:
		return "Success";
	case EAI_BADFLAGS:
		return "Bad value for ai_flags";
	case EAI_NONAME:
		return "Name or service not known";
	case EAI_AGAIN:
		return "Temporary failure in name resolution";
	case EAI_FAIL:
		return "Non-recoverable failure in name resolution";
	case EAI_FAMILY:
		return "ai_family not supported";
	case EAI_SOCKTYPE:
		return "ai_socktype not supported";
	case EAI_SERVICE:
		return "Servname not supported for ai_socktype";
	case EAI_MEMORY:
		return "Memory allocation failure";
	case EAI_SYSTEM:
		return "System error";
	case EAI_OVERFLOW:
		return "Argument buffer overflow";
	default:
		return "Unknown error";
	}
}

int getnameinfo(const struct sockaddr *sa, socklen_t len, char *host, socklen_t hostlen, char *serv,
		socklen_t servlen, int flags)
{
	struct sockaddr_in in;

	if (!sa || len < sizeof(in) || sa->sa_family != AF_INET)
		return EAI_FAMILY;
	/* No reverse lookup: the numeric form is the only name there is. */
	if (flags & NI_NAMEREQD)
		return EAI_NONAME;
	memcpy(&in, sa, sizeof(in));
	if (host && hostlen && sys_inet_ntop4(in.sin_addr.s_addr, host, hostlen) < 0)
		return EAI_OVERFLOW;
	if (serv && servlen) {
		char text[6];
		unsigned int port = ntohs(in.sin_port), n = 0;

		do
			text[n++] = (char)('0' + port % 10);
		while ((port /= 10) && n < sizeof(text));
		if (n + 1 > servlen)
			return EAI_OVERFLOW;
		for (unsigned int i = 0; i < n; i++)
			serv[i] = text[n - 1 - i];
		serv[n] = 0;
	}
	return 0;
}

struct hostent *gethostbyname(const char *name)
{
	static struct hostent h;
	static char *aliases[1], *addrs[2];
	static uint32_t addr;
	static char hname[256];
	int rc;

	if (!name || strlen(name) >= sizeof(hname)) {
		h_errno = HOST_NOT_FOUND;
		return NULL;
	}
	rc = host_address(name, 0, &addr);
	if (rc) {
		h_errno = rc == EAI_AGAIN    ? TRY_AGAIN
			  : rc == EAI_NONAME ? HOST_NOT_FOUND
					     : NO_RECOVERY;
		return NULL;
	}
	strcpy(hname, name);
	addrs[0] = (char *)&addr;
	addrs[1] = NULL;
	aliases[0] = NULL;
	h.h_name = hname;
	h.h_aliases = aliases;
	h.h_addrtype = AF_INET;
	h.h_length = sizeof(addr);
	h.h_addr_list = addrs;
	return &h;
}
