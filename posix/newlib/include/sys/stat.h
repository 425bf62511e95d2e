/*
 * newlib's <sys/stat.h>, and the one declaration it leaves out here: lstat(). newlib
 * declares it only for its targets with symbolic links (Cygwin, RTEMS, SPU); Skiff's
 * file tree has them (the ramdisk's), and posix/newlib/syscalls.c implements lstat().
 * Programs call it to see a link rather than what it names (SQLite's unix VFS, to
 * resolve a database's path).
 */
#ifndef SKIFF_SYS_STAT_H
#define SKIFF_SYS_STAT_H

#include_next <sys/stat.h>

int lstat(const char *__restrict path, struct stat *__restrict st);

#endif
