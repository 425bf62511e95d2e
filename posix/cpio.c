/*
 * The newc cpio reader (posix/cpio.h). Every check compares a length with what is left
 * of the buffer (len - off, which cannot wrap since off <= len), never off + length with
 * len, so no sum can overflow however large len or a header's fields are.
 */
#include <errno.h>
#include <string.h>

#include "posix/cpio.h"

#define MAGIC_LEN  6
#define FIELD_LEN  8
#define HEADER_LEN 110 /* the magic and 13 fields of 8 hex digits */

/* The fields after the magic, in the order cpio(5) ("New ASCII Format") gives them. */
enum field {
	F_INO,
	F_MODE,
	F_UID,
	F_GID,
	F_NLINK,
	F_MTIME,
	F_FILESIZE,
	F_DEVMAJOR,
	F_DEVMINOR,
	F_RDEVMAJOR,
	F_RDEVMINOR,
	F_NAMESIZE,
	F_CHECK,
	NR_FIELDS
};

/* One constant message per field: *why cannot be formatted. */
static const char *const bad_digit[NR_FIELDS] = {
	[F_INO] = "non-hex digit in the header's c_ino field",
	[F_MODE] = "non-hex digit in the header's c_mode field",
	[F_UID] = "non-hex digit in the header's c_uid field",
	[F_GID] = "non-hex digit in the header's c_gid field",
	[F_NLINK] = "non-hex digit in the header's c_nlink field",
	[F_MTIME] = "non-hex digit in the header's c_mtime field",
	[F_FILESIZE] = "non-hex digit in the header's c_filesize field",
	[F_DEVMAJOR] = "non-hex digit in the header's c_devmajor field",
	[F_DEVMINOR] = "non-hex digit in the header's c_devminor field",
	[F_RDEVMAJOR] = "non-hex digit in the header's c_rdevmajor field",
	[F_RDEVMINOR] = "non-hex digit in the header's c_rdevminor field",
	[F_NAMESIZE] = "non-hex digit in the header's c_namesize field",
	[F_CHECK] = "non-hex digit in the header's c_check field",
};

static size_t field_offset(enum field f)
{
	return MAGIC_LEN + (size_t)f * FIELD_LEN;
}

/* The zero bytes that bring x up to a multiple of 4. */
static size_t pad4(size_t x)
{
	return -x & 3;
}

static int fail(const char **why, size_t *at, const char *msg, size_t where)
{
	if (why)
		*why = msg;
	if (at)
		*at = where;
	return -EBADMSG;
}

static bool all_zero(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/* NULL if the n bytes at p (n may be short of a header) can start a newc header, else
 * what they are instead. */
static const char *magic_problem(const unsigned char *p, size_t n)
{
	static const char newc[] = "07070"; /* then '1', or '2' with a checksum */
	size_t i;

	if (n >= 2 && p[0] == 0x1f && p[1] == 0x8b)
		return "gzip-compressed: Skiff reads an uncompressed newc archive";
	/* The old binary format: 070707 octal as a 16-bit word, in either byte order. */
	if (n >= 2 && ((p[0] == 0xc7 && p[1] == 0x71) || (p[0] == 0x71 && p[1] == 0xc7)))
		return "old binary/odc cpio format, not newc";
	if (n >= MAGIC_LEN && !memcmp(p, "070707", MAGIC_LEN))
		return "old binary/odc cpio format, not newc";
	for (i = 0; i < n && i < MAGIC_LEN - 1; i++)
		if (p[i] != (unsigned char)newc[i])
			return "bad magic: not a newc cpio archive (070701)";
	if (n >= MAGIC_LEN && p[MAGIC_LEN - 1] != '1' && p[MAGIC_LEN - 1] != '2')
		return "bad magic: not a newc cpio archive (070701)";
	return NULL;
}

/* False, with *bad the index of its first non-hex digit, if the field is not 8 of them. */
static bool hex_field(const unsigned char *hdr, enum field f, uint32_t *value, size_t *bad)
{
	const unsigned char *p = hdr + field_offset(f);
	uint32_t v = 0;

	for (size_t i = 0; i < FIELD_LEN; i++) {
		unsigned int c = p[i], d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else {
			*bad = i;
			return false;
		}
		v = v << 4 | d;
	}
	*value = v;
	return true;
}

/* The offset in name of a ".." component, or -1. */
static ptrdiff_t dotdot_at(const char *name)
{
	const char *c = name; /* the start of the current component */

	for (const char *p = name;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		if (p - c == 2 && c[0] == '.' && c[1] == '.')
			return c - name;
		if (*p == '\0')
			return -1;
		c = p + 1;
	}
}

/* How many leading bytes of name to drop: every "./" and "/", and a last lone ".". */
static size_t name_skip(const char *name)
{
	size_t skip = 0;

	for (;;) {
		if (name[skip] == '/')
			skip++;
		else if (name[skip] == '.' && name[skip + 1] == '/')
			skip += 2;
		else
			break;
	}
	if (name[skip] == '.' && name[skip + 1] == '\0')
		skip++;
	return skip;
}

void cpio_reader_init(struct cpio_reader *r, const void *archive, size_t len)
{
	r->base = archive;
	r->len = len;
	r->off = 0;
	r->done = false;
}

int cpio_next(struct cpio_reader *r, struct cpio_entry *e, const char **why, size_t *at)
{
	const unsigned char *hdr = r->base + r->off;
	size_t off = r->off, rest = r->len - r->off;
	uint32_t f[NR_FIELDS];
	const char *problem, *name, *nul;
	size_t namesize, name_end, data_off, data_end, size;
	ptrdiff_t dotdot;

	if (r->done)
		return 0;
	/* Zeros in place of a header: the block padding cpio writes, but no trailer before. */
	if (rest == 0 || (hdr[0] == 0 && all_zero(hdr, rest)))
		return fail(why, at, "archive ends without a TRAILER!!! entry", off);
	problem = magic_problem(hdr, rest);
	if (problem)
		return fail(why, at, problem, off);
	if (rest < HEADER_LEN)
		return fail(why, at, "truncated header: fewer than 110 bytes left", off);
	for (enum field i = 0; i < NR_FIELDS; i++) {
		size_t bad;

		if (!hex_field(hdr, i, &f[i], &bad))
			return fail(why, at, bad_digit[i], off + field_offset(i) + bad);
	}

	/* c_namesize counts the name's NUL. */
	namesize = f[F_NAMESIZE];
	name = (const char *)hdr + HEADER_LEN;
	if (namesize == 0)
		return fail(why, at, "name size (c_namesize) is 0", off + field_offset(F_NAMESIZE));
	if (namesize > rest - HEADER_LEN)
		return fail(why, at, "name runs past the end of the archive", off + HEADER_LEN);
	if (name[namesize - 1] != '\0')
		return fail(why, at, "name is not NUL-terminated at c_namesize - 1",
			    off + HEADER_LEN + namesize - 1);
	nul = memchr(name, '\0', namesize - 1);
	if (nul)
		return fail(why, at, "name holds a NUL before its end (c_namesize too large)",
			    off + HEADER_LEN + (size_t)(nul - name));
	if (namesize == 1)
		return fail(why, at, "name is empty", off + HEADER_LEN);
	/* The trailer's size and padding do not matter: nothing after it is read. */
	if (namesize == sizeof("TRAILER!!!") && !memcmp(name, "TRAILER!!!", namesize)) {
		r->done = true;
		return 0;
	}
	dotdot = dotdot_at(name);
	if (dotdot >= 0)
		return fail(why, at, "name has a \"..\" component",
			    off + HEADER_LEN + (size_t)dotdot);

	/* Header and name are padded to 4 from the archive's start, and so is the data. */
	name_end = off + HEADER_LEN + namesize; /* <= len: checked above */
	if (pad4(name_end) > r->len - name_end)
		return fail(why, at, "name padding runs past the end of the archive", name_end);
	data_off = name_end + pad4(name_end);
	size = f[F_FILESIZE];
	if (size > r->len - data_off)
		return fail(why, at, "data runs past the end of the archive (c_filesize)",
			    data_off);
	data_end = data_off + size;
	if (hdr[MAGIC_LEN - 1] == '2') {
		/* 070702: c_check is the sum of the data's bytes, modulo 2^32. */
		uint32_t sum = 0;

		for (size_t i = 0; i < size; i++)
			sum += r->base[data_off + i];
		if (sum != f[F_CHECK])
			return fail(why, at, "data does not match its 070702 checksum (c_check)",
				    off + field_offset(F_CHECK));
	}

	e->name = name + name_skip(name);
	e->name_len = namesize - 1 - (size_t)(e->name - name);
	e->mode = f[F_MODE];
	e->mtime = f[F_MTIME];
	e->data = r->base + data_off;
	e->size = size;
	/* Data padding cut off by the end: the next call says the trailer is missing. */
	r->off = pad4(data_end) > r->len - data_end ? r->len : data_end + pad4(data_end);
	return 1;
}
