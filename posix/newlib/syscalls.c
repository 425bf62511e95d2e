/*
 * newlib's system calls, over the POSIX layer (posix/sys.h): the POSIX calls newlib
 * leaves to its target (read, open, fcntl, getcwd, ...), which a program calls and
 * newlib's own code calls too (built without syscalls of its own, newlib turns its
 * _read_r() into read(): REENTRANT_SYSCALLS_PROVIDED with MISSING_SYSCALL_NAMES). Each
 * translates newlib's flags and structures to the layer's and back, and sets the
 * calling thread's errno (newlib's number) on failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/times.h>

#include <signal.h>

#include "libc/printk.h"
#include "posix/newlib/glue.h"
#include "posix/sys.h"

#define RET(rc) newlib_ret(_REENT, (rc))

/* newlib's open flags as the layer's. */
static int sys_flags(int flags)
{
	int out = flags & O_ACCMODE; /* 0, 1, 2 in both */

	if (flags & O_CREAT)
		out |= SYS_O_CREAT;
	if (flags & O_EXCL)
		out |= SYS_O_EXCL;
	if (flags & O_TRUNC)
		out |= SYS_O_TRUNC;
	if (flags & O_APPEND)
		out |= SYS_O_APPEND;
	if (flags & O_NONBLOCK)
		out |= SYS_O_NONBLOCK;
	if (flags & O_DIRECTORY)
		out |= SYS_O_DIRECTORY;
	return out;
}

static int newlib_flags(int flags)
{
	int out = flags & SYS_O_ACCMODE;

	if (flags & SYS_O_APPEND)
		out |= O_APPEND;
	if (flags & SYS_O_NONBLOCK)
		out |= O_NONBLOCK;
	if (flags & SYS_O_DIRECTORY)
		out |= O_DIRECTORY;
	return out;
}

static void to_stat(const struct sys_stat *s, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_dev = (dev_t)s->dev;
	st->st_ino = (ino_t)s->ino;
	st->st_mode = (mode_t)s->mode;
	st->st_nlink = (nlink_t)s->nlink;
	st->st_size = (off_t)s->size;
	st->st_blksize = (blksize_t)s->blksize;
	st->st_blocks = (blkcnt_t)s->blocks;
	st->st_atim.tv_sec = s->atime.sec;
	st->st_atim.tv_nsec = s->atime.nsec;
	st->st_mtim.tv_sec = s->mtime.sec;
	st->st_mtim.tv_nsec = s->mtime.nsec;
	st->st_ctim.tv_sec = s->ctime.sec;
	st->st_ctim.tv_nsec = s->ctime.nsec;
}

ssize_t read(int fd, void *buf, size_t len)
{
	return RET(sys_read(fd, buf, len));
}

ssize_t write(int fd, const void *buf, size_t len)
{
	return RET(sys_write(fd, buf, len));
}

int open(const char *path, int flags, ...)
{
	va_list ap;
	int mode = 0;

	if (flags & O_CREAT) {
		va_start(ap, flags);
		mode = va_arg(ap, int);
		va_end(ap);
	}
	return RET(sys_open(path, sys_flags(flags), (uint32_t)mode));
}

int close(int fd)
{
	return RET(sys_close(fd));
}

off_t lseek(int fd, off_t off, int whence)
{
	return RET(sys_lseek(fd, off, whence));
}

static int stat_out(int rc, const struct sys_stat *s, struct stat *st)
{
	if (!rc)
		to_stat(s, st);
	return RET(rc);
}

int fstat(int fd, struct stat *st)
{
	struct sys_stat s;

	return stat_out(sys_fstat(fd, &s), &s, st);
}

int stat(const char *path, struct stat *st)
{
	struct sys_stat s;

	return stat_out(sys_stat(path, &s), &s, st);
}

int lstat(const char *path, struct stat *st)
{
	struct sys_stat s;

	return stat_out(sys_lstat(path, &s), &s, st);
}

int isatty(int fd)
{
	int rc = sys_isatty(fd);

	return rc == 1 ? 1 : (RET(rc), 0);
}

int unlink(const char *path)
{
	return RET(sys_unlink(path));
}

int rename(const char *from, const char *to)
{
	return RET(sys_rename(from, to));
}

int mkdir(const char *path, mode_t mode)
{
	return RET(sys_mkdir(path, (uint32_t)mode));
}

int link(const char *from, const char *to)
{
	return RET(sys_nosys("link"));
}

int gettimeofday(struct timeval *tv, void *tz)
{
	struct sys_timespec ts;

	sys_clock_gettime(SYS_CLOCK_REALTIME, &ts);
	if (tv) {
		tv->tv_sec = ts.sec;
		tv->tv_usec = ts.nsec / 1000;
	}
	return 0;
}

/* clock() reads this: the program's processor time is all the time since boot (one
 * program, one vCPU), in clock ticks of CLK_TCK. */
clock_t times(struct tms *t)
{
	struct sys_timespec ts;
	clock_t ticks;

	sys_clock_gettime(SYS_CLOCK_MONOTONIC, &ts);
	ticks = (clock_t)(ts.sec * CLK_TCK + ts.nsec / (1000000000 / CLK_TCK));
	if (t) {
		t->tms_utime = ticks;
		t->tms_stime = t->tms_cutime = t->tms_cstime = 0;
	}
	return ticks;
}

pid_t getpid(void)
{
	return 1;
}

/* raise() and abort() end here: a signal to ourselves ends the appliance as a crash
 * with status 128 + the signal, as a shell reports it (abort(): 134), since no handler
 * for it exists. */
int kill(pid_t pid, int sig)
{
	if (pid != 1 && pid != 0 && pid != -1) {
		errno = ESRCH;
		return -1;
	}
	if (sig < 0 || sig >= NSIG) {
		errno = EINVAL;
		return -1;
	}
	/* 0 asks whether the process is there; these are ignored by default (POSIX). */
	if (sig == 0 || sig == SIGCHLD || sig == SIGURG || sig == SIGWINCH || sig == SIGCONT)
		return 0;
	printk("posix: signal %d raised%s: the appliance ends\n", sig,
	       sig == SIGABRT ? " (abort)" : "");
	sys_exit(128 + sig);
}

int fork(void)
{
	return RET(sys_nosys("fork"));
}

pid_t wait(int *status)
{
	return RET(sys_nosys("wait"));
}

int execve(const char *path, char *const argv[], char *const envp[])
{
	return RET(sys_nosys("execve"));
}

/* The heap is Skiff's (posix/newlib/malloc.c): nothing grows a break. */
void *sbrk(ptrdiff_t incr)
{
	RET(sys_nosys("sbrk"));
	return (void *)-1;
}

static int fcntl_sys(int fd, int cmd, long arg)
{
	switch (cmd) {
	case F_GETFL: {
		int rc = sys_getfl(fd);

		return rc < 0 ? rc : newlib_flags(rc);
	}
	case F_SETFL:
		return sys_setfl(fd, sys_flags((int)arg));
	case F_GETFD:
		return sys_getfl(fd) < 0 ? -EBADF : FD_CLOEXEC; /* nothing is exec'd */
	case F_SETFD:
		return sys_getfl(fd) < 0 ? -EBADF : 0;
	case F_DUPFD: {
		/* The lowest free fd at or above arg, an int (a variadic int's upper 32 bits
		 * are undefined: they are not read). */
		int min = (int)arg;

		return sys_dupfd(fd, min < 0 ? -1 : min);
	}
	case F_GETLK: {
		struct flock *l = (struct flock *)arg;
		int rc = sys_lock(fd);

		if (!rc)
			l->l_type = F_UNLCK; /* no other process holds it */
		return rc;
	}
	case F_SETLK:
	case F_SETLKW:
		return sys_lock(fd);
	default:
		return -EINVAL;
	}
}

int creat(const char *path, mode_t mode)
{
	return open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
}

ssize_t pread(int fd, void *buf, size_t len, off_t off)
{
	return RET(sys_pread(fd, buf, len, off));
}

ssize_t pwrite(int fd, const void *buf, size_t len, off_t off)
{
	return RET(sys_pwrite(fd, buf, len, off));
}

int rmdir(const char *path)
{
	return RET(sys_rmdir(path));
}

int dup(int fd)
{
	return RET(sys_dup(fd));
}

int dup2(int fd, int to)
{
	return RET(sys_dup2(fd, to));
}

int fcntl(int fd, int cmd, ...)
{
	va_list ap;
	long arg;

	va_start(ap, cmd);
	arg = va_arg(ap, long);
	va_end(ap);
	return RET(fcntl_sys(fd, cmd, arg));
}

int fsync(int fd)
{
	return RET(sys_fsync(fd));
}

int fdatasync(int fd)
{
	return RET(sys_fsync(fd));
}

int ftruncate(int fd, off_t len)
{
	return RET(sys_ftruncate(fd, len));
}

int truncate(const char *path, off_t len)
{
	return RET(sys_truncate(path, len));
}

int access(const char *path, int mode)
{
	return RET(sys_access(path, mode));
}

ssize_t readlink(const char *path, char *buf, size_t size)
{
	return RET(sys_readlink(path, buf, size));
}

int chdir(const char *path)
{
	return RET(sys_chdir(path));
}

/* getcwd(NULL, size) allocates the buffer (size bytes, or as many as the path needs
 * when size is 0), as glibc and the BSDs do and portable programs expect. */
char *getcwd(char *buf, size_t size)
{
	char *mine = NULL;
	int rc;

	if (!buf) {
		mine = malloc(size ? size : PATH_MAX);
		if (!mine) {
			errno = ENOMEM;
			return NULL;
		}
		buf = mine;
		size = size ? size : PATH_MAX;
	} else if (!size) {
		errno = EINVAL;
		return NULL;
	}
	rc = sys_getcwd(buf, size);
	if (rc) {
		free(mine);
		RET(rc);
		return NULL;
	}
	return buf;
}

/* newlib's clock id as the layer's; -1 (the layer says EINVAL) for one it has not. */
static int sys_clock(clockid_t clock)
{
	return clock == CLOCK_MONOTONIC	 ? SYS_CLOCK_MONOTONIC
	       : clock == CLOCK_REALTIME ? SYS_CLOCK_REALTIME
					 : -1;
}

int clock_gettime(clockid_t clock, struct timespec *tp)
{
	struct sys_timespec ts;
	int rc = sys_clock_gettime(sys_clock(clock), &ts);

	if (!rc) {
		tp->tv_sec = ts.sec;
		tp->tv_nsec = ts.nsec;
	}
	return RET(rc);
}

int clock_getres(clockid_t clock, struct timespec *tp)
{
	struct sys_timespec ts;
	int rc = sys_clock_getres(sys_clock(clock), &ts);

	if (!rc && tp) {
		tp->tv_sec = ts.sec;
		tp->tv_nsec = ts.nsec;
	}
	return RET(rc);
}

int nanosleep(const struct timespec *req, struct timespec *rem)
{
	struct sys_timespec ts = {req->tv_sec, req->tv_nsec};
	int rc = sys_nanosleep(&ts);

	if (!rc && rem)
		rem->tv_sec = rem->tv_nsec = 0;
	return RET(rc);
}

/* sleep() is Skiff's own (<skiff/time.h>), the same call. */

int usleep(useconds_t us)
{
	struct sys_timespec ts = {us / 1000000, (long)(us % 1000000) * 1000};

	return RET(sys_nanosleep(&ts));
}

pid_t getppid(void)
{
	return 0;
}

/* One user: root, as far as a program asks. */
uid_t getuid(void)
{
	return 0;
}

uid_t geteuid(void)
{
	return 0;
}

gid_t getgid(void)
{
	return 0;
}

gid_t getegid(void)
{
	return 0;
}

void _exit(int status)
{
	sys_exit(status);
}

long sysconf(int name)
{
	switch (name) {
	case _SC_PAGESIZE:
		return 4096;
	case _SC_CLK_TCK:
		return CLK_TCK;
	case _SC_OPEN_MAX:
		return SYS_OPEN_MAX;
	case _SC_NPROCESSORS_CONF:
	case _SC_NPROCESSORS_ONLN:
		return 1;
	default:
		return RET(-EINVAL);
	}
}

/* A file's mode: kept, and reported by stat, but checked by nothing (one user). */
int chmod(const char *path, mode_t mode)
{
	return RET(sys_chmod(path, (uint32_t)mode));
}

int fchmod(int fd, mode_t mode)
{
	return RET(sys_fchmod(fd, (uint32_t)mode));
}

/* Every file belongs to the one user, root (getuid() above): giving a file to root, or
 * leaving its owner as it is (-1), changes nothing and succeeds; there is no other owner
 * to give it to, so that is ENOSYS, loudly. rc is the stat of the file, which must
 * exist. */
static int chown_sys(int rc, uid_t uid, gid_t gid, const char *name)
{
	if (rc)
		return rc;
	if ((uid != 0 && uid != (uid_t)-1) || (gid != 0 && gid != (gid_t)-1))
		return sys_nosys(name);
	return 0;
}

int chown(const char *path, uid_t uid, gid_t gid)
{
	struct sys_stat s;

	return RET(chown_sys(sys_stat(path, &s), uid, gid, "chown"));
}

int fchown(int fd, uid_t uid, gid_t gid)
{
	struct sys_stat s;

	return RET(chown_sys(sys_fstat(fd, &s), uid, gid, "fchown"));
}

/* The access time is not kept (the tree has one time per file): tv[1], the
 * modification time, is the one set. */
int utimes(const char *path, const struct timeval *tv)
{
	struct sys_timespec mtime;

	if (!tv)
		return RET(sys_utime(path, NULL));
	if (tv[0].tv_usec < 0 || tv[0].tv_usec >= 1000000 || tv[1].tv_usec < 0 ||
	    tv[1].tv_usec >= 1000000)
		return RET(-EINVAL);
	mtime.sec = tv[1].tv_sec;
	mtime.nsec = (long)tv[1].tv_usec * 1000;
	return RET(sys_utime(path, &mtime));
}

/* <sys/ioctl.h> (posix/newlib/include/sys/ioctl.h): FIONBIO only. */
int ioctl(int fd, unsigned long request, ...)
{
	va_list ap;
	int *on, flags;

	if (request != FIONBIO)
		return RET(sys_nosys("ioctl"));
	va_start(ap, request);
	on = va_arg(ap, int *);
	va_end(ap);
	flags = sys_getfl(fd);
	if (flags < 0)
		return RET(flags);
	flags = *on ? flags | SYS_O_NONBLOCK : flags & ~SYS_O_NONBLOCK;
	return RET(sys_setfl(fd, flags));
}
