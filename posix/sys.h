/*
 * The system calls of Skiff's POSIX layer, in terms of no C library: plain integer
 * types, flags and structures of this header. Each returns 0 or a count, or a negative
 * errno (Linux's numbers, <errno.h>). A C library's glue (posix/newlib/) turns its own
 * flags, structures and errno into these, so a second C library needs only a glue of
 * its own.
 */
#ifndef POSIX_SYS_H
#define POSIX_SYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* open() flags (Linux's values; the glue translates the C library's). */
#define SYS_O_ACCMODE	0003
#define SYS_O_RDONLY	0000
#define SYS_O_WRONLY	0001
#define SYS_O_RDWR	0002
#define SYS_O_CREAT	0100
#define SYS_O_EXCL	0200
#define SYS_O_TRUNC	01000
#define SYS_O_APPEND	02000
#define SYS_O_NONBLOCK	04000
#define SYS_O_DIRECTORY 0200000

/* st_mode: the same octal values in every Unix C library. */
#define SYS_S_IFMT     0170000
#define SYS_S_IFDIR    0040000
#define SYS_S_IFCHR    0020000
#define SYS_S_IFBLK    0060000
#define SYS_S_IFREG    0100000
#define SYS_S_IFLNK    0120000
#define SYS_S_IFSOCK   0140000
#define SYS_S_ISDIR(m) (((m)&SYS_S_IFMT) == SYS_S_IFDIR)
#define SYS_S_ISREG(m) (((m)&SYS_S_IFMT) == SYS_S_IFREG)

#define SYS_SEEK_SET 0
#define SYS_SEEK_CUR 1
#define SYS_SEEK_END 2

struct sys_timespec {
	int64_t sec;
	long nsec;
};

struct sys_stat {
	uint64_t dev, ino;
	uint32_t mode, nlink;
	int64_t size;
	uint32_t blksize;
	int64_t blocks; /* of 512 bytes */
	struct sys_timespec atime, mtime, ctime;
};

struct sys_dirent {
	uint64_t ino;
	uint32_t mode; /* SYS_S_IF* of the entry */
	char name[256];
};

/* The highest number of open files; fds are 0 .. SYS_OPEN_MAX - 1. */
#define SYS_OPEN_MAX 256

int sys_open(const char *path, int flags, uint32_t mode);
int sys_close(int fd);
long sys_read(int fd, void *buf, size_t len);
long sys_write(int fd, const void *buf, size_t len);
long sys_pread(int fd, void *buf, size_t len, int64_t off);
long sys_pwrite(int fd, const void *buf, size_t len, int64_t off);
int64_t sys_lseek(int fd, int64_t off, int whence);
int sys_fstat(int fd, struct sys_stat *st);
int sys_stat(const char *path, struct sys_stat *st);
int sys_lstat(const char *path, struct sys_stat *st);
/* 1 for a terminal (the console), else -ENOTTY (or -EBADF). */
int sys_isatty(int fd);
int sys_dup(int fd);
int sys_dup2(int fd, int to);
/* F_DUPFD: another fd for the file of fd, the lowest free at or above min. */
int sys_dupfd(int fd, int min);
/* F_GETFL: the open flags; F_SETFL: only SYS_O_NONBLOCK and SYS_O_APPEND change. */
int sys_getfl(int fd);
int sys_setfl(int fd, int flags);
/* A record lock (F_SETLK, F_SETLKW, F_GETLK) on an open file: one process holds every
 * lock there is, so each is granted; -EBADF for a bad fd, -EINVAL for a non-file. */
int sys_lock(int fd);
int sys_fsync(int fd);
int sys_ftruncate(int fd, int64_t len);
int sys_truncate(const char *path, int64_t len);
int sys_unlink(const char *path);
int sys_rename(const char *from, const char *to);
int sys_mkdir(const char *path, uint32_t mode);
int sys_rmdir(const char *path);
/* 0 if path exists (every file may be read; only /tmp's may be written): mode is
 * R_OK 4, W_OK 2, X_OK 1 or F_OK 0. */
int sys_access(const char *path, int mode);
long sys_readlink(const char *path, char *buf, size_t size);
/* A file's permission bits (mode & 07777), kept and reported by stat; nothing checks
 * them (one user, root). -EROFS outside /tmp. */
int sys_chmod(const char *path, uint32_t mode);
int sys_fchmod(int fd, uint32_t mode);
/* A file's modification time: *mtime, or now for NULL; -EINVAL for a malformed time or
 * one before 1970, -EROFS outside /tmp. The tree keeps this one time per file (stat
 * reports it as the access and change times too). */
int sys_utime(const char *path, const struct sys_timespec *mtime);
int sys_chdir(const char *path);
/* The working directory's path into buf; -ERANGE if it does not fit. */
int sys_getcwd(char *buf, size_t size);
/* The next entry of the directory open on fd: 1 and *d filled, 0 at the end. */
int sys_readdir(int fd, struct sys_dirent *d);

/*
 * poll(): each entry's fd, the events asked for and those that happened (Linux's
 * values). A negative fd is skipped (revents 0), one not open gets SYS_POLLNVAL. Files
 * and devices but the console are always ready; the console is readable when input
 * is waiting; a socket as its state says. timeout_ms < 0 waits for ever. The number
 * of entries with revents, or -EINVAL (more than SYS_OPEN_MAX), -ENOMEM.
 */
struct sys_pollfd {
	int fd;
	short events, revents;
};
#define SYS_POLLIN   0x001
#define SYS_POLLPRI  0x002
#define SYS_POLLOUT  0x004
#define SYS_POLLERR  0x008
#define SYS_POLLHUP  0x010
#define SYS_POLLNVAL 0x020
int sys_poll(struct sys_pollfd *fds, unsigned int n, int timeout_ms);

/*
 * Sockets: IPv4 TCP and UDP over lwIP (posix/socket.c, only in appliances linked with
 * lwIP). Linux's numbers for families, types, levels, options and flags, which the
 * glue's headers give programs. An address is a struct sys_sockaddr: family, then port
 * and address in network byte order, as in a sockaddr_in.
 */
#define SYS_AF_UNSPEC	  0
#define SYS_AF_INET	  2
#define SYS_AF_INET6	  10
#define SYS_SOCK_STREAM	  1
#define SYS_SOCK_DGRAM	  2
#define SYS_SOCK_RAW	  3
#define SYS_SOCK_NONBLOCK 04000	   /* or'ed into socket()'s type, accept4()'s flags */
#define SYS_SOCK_CLOEXEC  02000000 /* accepted; there is no exec() */
#define SYS_IPPROTO_IP	  0
#define SYS_IPPROTO_TCP	  6
#define SYS_IPPROTO_UDP	  17
#define SYS_SOL_SOCKET	  1
#define SYS_SO_REUSEADDR  2
#define SYS_SO_TYPE	  3
#define SYS_SO_ERROR	  4
#define SYS_SO_BROADCAST  6
#define SYS_SO_SNDBUF	  7
#define SYS_SO_RCVBUF	  8
#define SYS_SO_KEEPALIVE  9
#define SYS_SO_LINGER	  13 /* struct sys_linger */
#define SYS_SO_RCVTIMEO	  20 /* struct sys_timespec; zero: no timeout */
#define SYS_SO_SNDTIMEO	  21
#define SYS_TCP_NODELAY	  1
#define SYS_TCP_KEEPIDLE  4
#define SYS_TCP_KEEPINTVL 5
#define SYS_TCP_KEEPCNT	  6
#define SYS_IP_TOS	  1
#define SYS_IP_TTL	  2
#define SYS_MSG_OOB	  0x01
#define SYS_MSG_PEEK	  0x02
#define SYS_MSG_DONTWAIT  0x40
#define SYS_MSG_WAITALL	  0x100
#define SYS_MSG_NOSIGNAL  0x4000
#define SYS_MSG_MORE	  0x8000
#define SYS_SHUT_RD	  0
#define SYS_SHUT_WR	  1
#define SYS_SHUT_RDWR	  2

struct sys_sockaddr {
	uint16_t family; /* SYS_AF_INET */
	uint16_t port;	 /* network byte order */
	uint32_t addr;	 /* network byte order */
};

struct sys_linger {
	int onoff, seconds;
};

int sys_socket(int family, int type, int protocol);
int sys_bind(int fd, const struct sys_sockaddr *a);
int sys_listen(int fd, int backlog);
/* A connection from the queue of a listening socket; *peer its address if not NULL;
 * flags: SYS_SOCK_NONBLOCK, SYS_SOCK_CLOEXEC. */
int sys_accept(int fd, struct sys_sockaddr *peer, int flags);
int sys_connect(int fd, const struct sys_sockaddr *a);
/* to and from may be NULL (a connected socket); flags SYS_MSG_*. */
long sys_sendto(int fd, const void *buf, size_t len, int flags, const struct sys_sockaddr *to);
long sys_recvfrom(int fd, void *buf, size_t len, int flags, struct sys_sockaddr *from);
int sys_shutdown(int fd, int how);
/* Options of an int value but SO_LINGER and the timeouts (above); *len in and out. */
int sys_setsockopt(int fd, int level, int name, const void *val, size_t len);
int sys_getsockopt(int fd, int level, int name, void *val, size_t *len);
int sys_getsockname(int fd, struct sys_sockaddr *a);
int sys_getpeername(int fd, struct sys_sockaddr *a);
/* A host name's IPv4 address (network byte order) from DNS: 0, or -ENOENT (no such
 * name, or no answer), -EAGAIN (no DNS server is known), -EINVAL (a malformed name),
 * -ENOMEM, -ENETDOWN. */
int sys_resolve(const char *name, uint32_t *addr);

/* IPv4 text (posix/inet.c). sys_inet_pton4: exactly four decimal numbers 0-255 joined
 * by dots (inet_pton's rule); sys_inet_aton: inet_aton's older forms too (1 to 4 parts,
 * each decimal, 0x hex or 0 octal, the last filling the remaining bytes). Each 1 and
 * *addr (network byte order), or 0. sys_inet_ntop4: "a.b.c.d" into buf, its length, or
 * -ENOSPC. sys_parse_port: a decimal port 0-65535, 1 and *port (host order), or 0. */
int sys_inet_pton4(const char *s, uint32_t *addr);
int sys_inet_aton(const char *s, uint32_t *addr);
int sys_inet_ntop4(uint32_t addr, char *buf, size_t size);
int sys_parse_port(const char *s, uint16_t *port);

#define SYS_CLOCK_REALTIME  0
#define SYS_CLOCK_MONOTONIC 1
int sys_clock_gettime(int clock, struct sys_timespec *ts);
int sys_clock_getres(int clock, struct sys_timespec *ts);
/* Sleep for *req; -EINVAL for a negative or malformed time. */
int sys_nanosleep(const struct sys_timespec *req);

/* End the appliance: status 0 powers the domain off, any other crashes it (as exit()). */
void sys_exit(int status) __attribute__((noreturn));
/* A call the layer does not have: says so on the console (once per name) and returns
 * -ENOSYS, so the program fails loudly, never silently. */
int sys_nosys(const char *name);

/* How a C library's glue runs the program: start(argc, argv, envp) in a thread with
 * a stack of SYS_MAIN_STACK bytes, its return value the exit status. Called from one
 * kernel start-up step of the glue's own. */
#define SYS_MAIN_STACK (256 * 1024)
void sys_set_start(int (*start)(int argc, char **argv, char **envp));
/* true in the thread running start (the program's main thread): a pthread_exit() there
 * ends the program once its other threads have ended, as POSIX has it. */
bool sys_in_main_thread(void);

/* The name of an errno value this layer returns ("ENOENT"), or NULL: the glue maps
 * names to its C library's numbers. */
const char *sys_errno_name(int err);

#endif
