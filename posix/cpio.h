/*
 * A reader of "newc" cpio archives, the format `cpio -H newc -o` writes and the one an
 * xl config's ramdisk= module holds for Skiff. Each entry is a 110-byte ASCII header
 * (magic "070701", or "070702" when c_check holds the byte sum of the data, then
 * thirteen 8-digit hex fields), the name with its NUL (header and name padded with
 * zeros to a multiple of 4 bytes, counted from the archive's start), then the data
 * padded to 4. The entry named "TRAILER!!!" ends the archive; whatever follows it
 * (cpio pads to 512-byte blocks) is not read.
 *
 * The archive came from outside the domain: every length is checked against the
 * buffer before a byte is read, and nothing outside [archive, archive + len) is read.
 * Entries point into the archive; nothing is copied or allocated.
 */
#ifndef POSIX_CPIO_H
#define POSIX_CPIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cpio_entry {
	const char *name; /* points into the archive, NUL-terminated, leading "./" and "/"
			     removed; "" for the root "." entry */
	size_t name_len;  /* strlen(name) */
	uint32_t mode;	  /* st_mode bits as in the archive (S_IFDIR 0040000, S_IFREG 0100000,
			     S_IFLNK 0120000) */
	uint32_t mtime;
	const void *data; /* file contents (symlink target for links), inside the archive */
	size_t size;
};

struct cpio_reader {
	const unsigned char *base;
	size_t len, off; /* off <= len: where the next header starts */
	bool done;	 /* the trailer was read */
};

void cpio_reader_init(struct cpio_reader *r, const void *archive, size_t len);

/*
 * 1: *e is the next entry. 0: the trailer was reached (and every later call returns 0).
 * -EBADMSG: the archive is malformed; *why points to a constant message naming what is
 * wrong and *at to its byte offset in the archive, for one clear console line (why and
 * at may be NULL). The reader stays where it was, so a later call fails the same way.
 * Names with a ".." component are refused; other entry types (devices, fifos) and hard
 * links (newc stores the data once, with the last link) are the caller's to judge.
 */
int cpio_next(struct cpio_reader *r, struct cpio_entry *e, const char **why, size_t *at);

#endif
