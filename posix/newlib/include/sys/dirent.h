/*
 * Skiff's <sys/dirent.h> for newlib, which leaves this header to its target: the DIR
 * and struct dirent of posix/newlib/dirent.c. <dirent.h> (newlib's) declares opendir,
 * readdir and the rest over these.
 */
#ifndef _SYS_DIRENT_H
#define _SYS_DIRENT_H

#include <sys/types.h>

#define DT_UNKNOWN 0
#define DT_CHR	   2
#define DT_DIR	   4
#define DT_BLK	   6
#define DT_REG	   8
#define DT_LNK	   10

struct dirent {
	ino_t d_ino;
	unsigned char d_type;
	char d_name[256];
};

typedef struct {
	int dd_fd;
	struct dirent dd_entry;
} DIR;

#endif
