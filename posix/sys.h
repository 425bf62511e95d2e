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
