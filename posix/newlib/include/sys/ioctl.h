/*
 * Skiff's <sys/ioctl.h> for newlib, which has none: POSIX leaves ioctl() to each
 * system, and programs written on Linux include this header whether or not they call it
 * (SQLite's unix VFS does, for a request it makes only when built for F2FS atomic
 * writes). One request is taken, FIONBIO (Linux's number): an int, non-zero to make fd
 * non-blocking (fcntl's O_NONBLOCK), as socket code written for BSD does. Any other
 * request (posix/newlib/syscalls.c) says so on the console and fails with ENOSYS.
 */
#ifndef _SYS_IOCTL_H
#define _SYS_IOCTL_H

#define FIONBIO 0x5421

int ioctl(int fd, unsigned long request, ...);

#endif
