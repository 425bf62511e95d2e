/* The newc cpio reader (posix/cpio.c), fed archives built here byte by byte, one that
 * GNU cpio wrote, and every malformation an untrusted ramdisk= module could hold. Each
 * archive that must be rejected is parsed from a heap copy of exactly its length, so
 * ASan catches a read past its end. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "posix/cpio.h"

#define HDR   110
#define MTIME 0x65937d25u /* 2024-01-02 03:04:05 UTC */

/* The header's fields after the 6-byte magic, as cpio(5) orders them. */
enum {
	INO,
	MODE,
	UID,
	GID,
	NLINK,
	MTIME_F,
	FILESIZE,
	DEVMAJ,
	DEVMIN,
	RDEVMAJ,
	RDEVMIN,
	NAMESIZE,
	CHECK
};
static const char *const field_names[] = {
	"c_ino",       "c_mode",     "c_uid",	   "c_gid",	 "c_nlink",
	"c_mtime",     "c_filesize", "c_devmajor", "c_devminor", "c_rdevmajor",
	"c_rdevminor", "c_namesize", "c_check",
};
#define FIELD(f) (6 + 8 * (size_t)(f))

/* An archive being written by a test. */
struct ar {
	unsigned char b[4096];
	size_t len;
};

static void put(struct ar *a, const void *p, size_t n)
{
	assert_true(a->len + n <= sizeof(a->b));
	memcpy(a->b + a->len, p, n);
	a->len += n;
}

static void pad4(struct ar *a)
{
	while (a->len % 4)
		a->b[a->len++] = 0;
}

/* A header with these fields, as it stands (a test may lie in it); returns its offset. */
static size_t put_header(struct ar *a, const char *magic, uint32_t mode, uint32_t size,
			 uint32_t namesize, uint32_t check)
{
	size_t at = a->len;
	char h[HDR + 1];

	snprintf(h, sizeof(h), "%s%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X", magic,
		 (unsigned)at, mode, 0, 0, 1, MTIME, size, 0, 0, 0, 0, namesize, check);
	put(a, h, HDR);
	return at;
}

/* A well-formed entry: header, name and NUL, padding, data, padding. */
static size_t add_entry(struct ar *a, const char *name, uint32_t mode, const void *data,
			size_t size)
{
	size_t at = put_header(a, "070701", mode, size, strlen(name) + 1, 0);

	put(a, name, strlen(name) + 1);
	pad4(a);
	put(a, data, size);
	pad4(a);
	return at;
}

static size_t add_file(struct ar *a, const char *name, const char *text)
{
	return add_entry(a, name, 0100644, text, strlen(text));
}

static size_t add_trailer(struct ar *a)
{
	return add_entry(a, "TRAILER!!!", 0, "", 0);
}

/* Rewrites one field of the header at hdr. */
static void set_field(struct ar *a, size_t hdr, int field, uint32_t v)
{
	char digits[9];

	snprintf(digits, sizeof(digits), "%08X", v);
	memcpy(a->b + hdr + FIELD(field), digits, 8);
}

/* Reads the len bytes at p from a heap copy of exactly len bytes, to the end or the first
 * error; returns what the last cpio_next returned, with its why and at. */
static int read_all(const void *p, size_t len, int *entries, const char **why, size_t *at)
{
	unsigned char *copy = malloc(len ? len : 1);
	struct cpio_reader r;
	struct cpio_entry e;
	int rc, n = 0;

	memcpy(copy, p, len);
	cpio_reader_init(&r, copy, len);
	*why = NULL;
	*at = (size_t)-1;
	/* Each entry takes at least a header: more than len / 110 + 1 means a loop. */
	while ((rc = cpio_next(&r, &e, why, at)) == 1) {
		assert_true(e.name >= (char *)copy && e.name + e.name_len < (char *)copy + len);
		assert_true((unsigned char *)e.data >= copy &&
			    (unsigned char *)e.data + e.size <= copy + len);
		assert_true(++n <= (int)(len / HDR) + 1);
	}
	free(copy);
	if (entries)
		*entries = n;
	return rc;
}

/* The archive is refused with a message holding words, for the byte at offset at. */
static void expect_reject(const struct ar *a, const char *words, size_t at)
{
	const char *why;
	size_t where;

	assert_int_equal(read_all(a->b, a->len, NULL, &why, &where), -EBADMSG);
	assert_non_null(why);
	if (!strstr(why, words))
		fail_msg("why is \"%s\", expected it to say \"%s\"", why, words);
	assert_int_equal(where, at);
}

static void expect_entry(struct cpio_reader *r, const char *name, uint32_t mode, const char *data,
			 size_t size)
{
	struct cpio_entry e;
	const char *why = NULL;
	size_t at = 0;

	assert_int_equal(cpio_next(r, &e, &why, &at), 1);
	assert_string_equal(e.name, name);
	assert_int_equal(e.name_len, strlen(name));
	assert_int_equal(e.mode, mode);
	assert_int_equal(e.mtime, MTIME);
	assert_int_equal(e.size, size);
	assert_memory_equal(e.data, data, size);
	assert_true((unsigned char *)e.data >= r->base &&
		    (unsigned char *)e.data + e.size <= r->base + r->len);
}

static void expect_end(struct cpio_reader *r)
{
	struct cpio_entry e;
	const char *why = NULL;
	size_t at = 0;

	assert_int_equal(cpio_next(r, &e, &why, &at), 0);
	assert_int_equal(cpio_next(r, &e, &why, &at), 0); /* and it stays at the end */
	assert_null(why);
}

static void reads_files_directories_and_symlinks(void **state)
{
	struct ar a = {0};
	struct cpio_reader r;

	add_entry(&a, ".", 040755, "", 0);
	add_entry(&a, "./etc", 040755, "", 0);
	add_file(&a, "./etc/hosts", "127.0.0.1 localhost\n");
	add_entry(&a, "./bin/sh", 0120777, "busybox", 7);
	add_file(&a, "./empty", "");
	add_file(&a, "abc", "1234"); /* data already a multiple of 4 */
	add_trailer(&a);
	cpio_reader_init(&r, a.b, a.len);
	expect_entry(&r, "", 040755, "", 0);
	expect_entry(&r, "etc", 040755, "", 0);
	expect_entry(&r, "etc/hosts", 0100644, "127.0.0.1 localhost\n", 20);
	expect_entry(&r, "bin/sh", 0120777, "busybox", 7);
	expect_entry(&r, "empty", 0100644, "", 0);
	expect_entry(&r, "abc", 0100644, "1234", 4);
	expect_end(&r);
}

static void strips_leading_dot_slash_and_slash(void **state)
{
	static const char *const in[] = {"/",	     "./",    "/.",    "./.",	  "/etc",
					 ".//etc/x", "././a", "/./b",  ".hidden", "...",
					 "a..",	     "..b",   "a/./c", "./x/"};
	static const char *const out[] = {"",  "",	  "",	 "",	"etc", "etc/x", "a",
					  "b", ".hidden", "...", "a..", "..b", "a/./c", "x/"};
	struct ar a = {0};
	struct cpio_reader r;

	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++)
		add_file(&a, in[i], "");
	add_trailer(&a);
	cpio_reader_init(&r, a.b, a.len);
	for (size_t i = 0; i < sizeof(out) / sizeof(out[0]); i++)
		expect_entry(&r, out[i], 0100644, "", 0);
	expect_end(&r);
}

/*
 * What GNU cpio 2.13 wrote (1024 bytes: the rest is the zero padding to its 512-byte
 * blocks) for a tree made with
 *	mkdir dir; printf 'hi\n' >hello.txt; : >dir/empty; ln -s ../hello.txt dir/link
 *	touch -h -d '2024-01-02 03:04:05 UTC' . dir dir/empty dir/link hello.txt
 *	find . | LC_ALL=C sort | cpio -H newc -o --reproducible -R 0:0
 */
static const unsigned char real_archive[1024] =
	"07070100000000000041ED00000000000000000000000365937D25000000000000000000000000000000"
	"00000000000000000200000000"
	".\0"
	"07070100000001000041ED00000000000000000000000265937D25000000000000000000000000000000"
	"00000000000000000400000000"
	"dir\0\0\0"
	"07070100000002000081A400000000000000000000000165937D25000000000000000000000000000000"
	"00000000000000000A00000000"
	"dir/empty\0"
	"070701000000030000A1FF00000000000000000000000165937D250000000C000000000000000000000000"
	"000000000000000900000000"
	"dir/link\0\0"
	"../hello.txt"
	"07070100000004000081A400000000000000000000000165937D25000000030000000000000000000000"
	"00000000000000000A00000000"
	"hello.txt\0"
	"hi\n\0"
	"07070100000000000000000000000000000000000000010000000000000000000000000000000000000000"
	"000000000000000B00000000"
	"TRAILER!!!\0\0\0\0";
#define REAL_TRAILER_NAME_END 0x2d5 /* the trailer's name and NUL end here */

static void reads_what_gnu_cpio_wrote(void **state)
{
	struct cpio_reader r;

	cpio_reader_init(&r, real_archive, sizeof(real_archive));
	expect_entry(&r, "", 040755, "", 0);
	expect_entry(&r, "dir", 040755, "", 0);
	expect_entry(&r, "dir/empty", 0100644, "", 0);
	expect_entry(&r, "dir/link", 0120777, "../hello.txt", 12); /* ".." in data is fine */
	expect_entry(&r, "hello.txt", 0100644, "hi\n", 3);
	expect_end(&r);
}

static void accepts_070702_with_its_checksum(void **state)
{
	struct ar a = {0};
	struct cpio_reader r;
	size_t h = put_header(&a, "070702", 0100644, 3, 2, 'a' + 'b' + 'c');

	put(&a, "x", 2);
	pad4(&a);
	put(&a, "abc", 3);
	pad4(&a);
	add_trailer(&a);
	cpio_reader_init(&r, a.b, a.len);
	expect_entry(&r, "x", 0100644, "abc", 3);
	expect_end(&r);

	set_field(&a, h, CHECK, 'a' + 'b' + 'c' + 1);
	expect_reject(&a, "checksum", h + FIELD(CHECK));
}

static void accepts_lowercase_hex(void **state)
{
	struct ar a = {0};
	struct cpio_reader r;
	size_t h = add_entry(&a, "d", 040755, "", 0);

	memcpy(a.b + h + FIELD(MODE), "000041ed", 8);
	add_trailer(&a);
	cpio_reader_init(&r, a.b, a.len);
	expect_entry(&r, "d", 040755, "", 0);
	expect_end(&r);
}

static void ignores_what_follows_the_trailer(void **state)
{
	struct ar a = {0};
	struct cpio_reader r;

	add_file(&a, "f", "x");
	add_trailer(&a);
	memset(a.b + a.len, 0, 512);
	a.len += 512;
	put(&a, "garbage after the zeros", 23);
	cpio_reader_init(&r, a.b, a.len);
	expect_entry(&r, "f", 0100644, "x", 1);
	expect_end(&r);
}

/* A trailer as the buffer's last bytes, without the padding after its name, is an end. */
static void accepts_a_trailer_cut_after_its_name(void **state)
{
	const char *why;
	size_t at;
	int n;

	assert_int_equal(read_all(real_archive, REAL_TRAILER_NAME_END, &n, &why, &at), 0);
	assert_int_equal(n, 5);
}

static void rejects_a_truncated_header(void **state)
{
	struct ar a = {0};

	add_file(&a, "f", "x");
	a.len += 50; /* the first 50 bytes of the next header */
	memcpy(a.b + a.len - 50, "0707010000000000", 16);
	expect_reject(&a, "truncated header", a.len - 50);
}

static void rejects_gzip(void **state)
{
	struct ar a = {0};

	put(&a, "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", 10);
	memset(a.b + a.len, 0x55, 200);
	a.len += 200;
	expect_reject(&a, "gzip-compressed: Skiff reads an uncompressed newc archive", 0);
	a.len = 2; /* even when that is all there is */
	expect_reject(&a, "gzip-compressed", 0);
}

static void rejects_odc_and_binary_cpio(void **state)
{
	static const char *const magics[] = {"070707", "\xc7\x71", "\x71\xc7"};

	for (size_t i = 0; i < 3; i++) {
		struct ar a = {0};

		put(&a, magics[i], strlen(magics[i]));
		memset(a.b + a.len, '0', 200);
		a.len += 200;
		expect_reject(&a, "old binary/odc cpio format, not newc", 0);
	}
}

static void rejects_a_bad_magic(void **state)
{
	static const char magics[][6] = {"070700", "070703", "170701", "hello!", "\0\1\0\0\0\0"};
	struct ar a = {0};
	size_t h;

	for (size_t i = 0; i < sizeof(magics) / sizeof(magics[0]); i++) {
		memset(&a, 0, sizeof(a));
		add_file(&a, "f", "x");
		memcpy(a.b, magics[i], 6);
		add_trailer(&a);
		expect_reject(&a, "bad magic", 0);
	}
	/* The second entry's magic, and a buffer too short for a whole magic. */
	memset(&a, 0, sizeof(a));
	add_file(&a, "f", "x");
	h = add_trailer(&a);
	a.b[h + 2] = 'x';
	expect_reject(&a, "bad magic", h);
	a.len = h + 3;
	expect_reject(&a, "bad magic", h);
}

static void rejects_a_non_hex_digit_in_each_field(void **state)
{
	for (int f = INO; f <= CHECK; f++) {
		for (int digit = 0; digit < 8; digit += 7) {
			struct ar a = {0};
			size_t h, at;
			char words[40];

			add_file(&a, "f", "x");
			h = add_file(&a, "g", "y");
			add_trailer(&a);
			at = h + FIELD(f) + digit;
			a.b[at] = f % 2 ? 'g' : ' ';
			snprintf(words, sizeof(words), "non-hex digit in the header's %s field",
				 field_names[f]);
			expect_reject(&a, words, at);
		}
	}
}

static void rejects_a_zero_or_empty_name(void **state)
{
	struct ar a = {0};
	size_t h = add_file(&a, "f", "x");

	add_trailer(&a);
	set_field(&a, h, NAMESIZE, 0);
	expect_reject(&a, "name size (c_namesize) is 0", h + FIELD(NAMESIZE));

	memset(&a, 0, sizeof(a));
	h = put_header(&a, "070701", 0100644, 0, 1, 0);
	put(&a, "", 1);
	pad4(&a);
	add_trailer(&a);
	expect_reject(&a, "name is empty", h + HDR);
}

static void rejects_a_name_without_its_nul(void **state)
{
	struct ar a = {0};
	size_t h = add_file(&a, "abc", "x");

	add_trailer(&a);
	set_field(&a, h, NAMESIZE, 3); /* "abc" without the NUL */
	expect_reject(&a, "not NUL-terminated", h + HDR + 2);
}

static void rejects_a_nul_inside_the_name(void **state)
{
	struct ar a = {0};
	size_t h = put_header(&a, "070701", 0100644, 0, 6, 0);

	put(&a, "ab\0cd", 6);
	pad4(&a);
	add_trailer(&a);
	expect_reject(&a, "NUL before its end", h + HDR + 2);
}

static void rejects_a_name_past_the_end(void **state)
{
	struct ar a = {0};
	size_t h = add_file(&a, "f", "x");

	set_field(&a, h, NAMESIZE, 0xffffffff);
	expect_reject(&a, "name runs past the end", h + HDR);
	set_field(&a, h, NAMESIZE, a.len - HDR + 1); /* one byte more than there is */
	expect_reject(&a, "name runs past the end", h + HDR);
}

static void rejects_name_padding_past_the_end(void **state)
{
	struct ar a = {0};

	put_header(&a, "070701", 0100644, 0, 3, 0);
	put(&a, "ab", 3); /* 113 bytes: the 3 of padding are missing */
	expect_reject(&a, "name padding runs past the end", HDR + 3);
}

static void rejects_data_past_the_end(void **state)
{
	struct ar a = {0};
	size_t h = add_file(&a, "f", "x");

	add_trailer(&a);
	set_field(&a, h, FILESIZE, 0xffffffff);
	expect_reject(&a, "data runs past the end", h + HDR + 2);
	set_field(&a, h, FILESIZE, a.len - (h + HDR + 2) + 1);
	expect_reject(&a, "data runs past the end", h + HDR + 2);
}

static void rejects_a_dotdot_component(void **state)
{
	static const char *const names[] = {"..",   "../x",    "a/..",	 "a/../b",
					    "./..", "/../etc", "a//../b"};
	static const size_t at[] = {0, 0, 2, 2, 2, 1, 3};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct ar a = {0};
		size_t h;

		add_file(&a, "ok", "");
		h = add_file(&a, names[i], "");
		add_trailer(&a);
		expect_reject(&a, "\"..\" component", h + HDR + at[i]);
	}
}

static void rejects_an_end_without_a_trailer(void **state)
{
	struct ar a = {0};

	expect_reject(&a, "ends without a TRAILER!!! entry", 0); /* nothing at all */
	add_file(&a, "f", "x");
	expect_reject(&a, "ends without a TRAILER!!! entry", a.len);
	memset(a.b + a.len, 0, 600); /* block padding, but no trailer before it */
	a.len += 600;
	expect_reject(&a, "ends without a TRAILER!!! entry", a.len - 600);
}

/* A data padding cut off by the end: the entry is whole, the trailer is missing. */
static void rejects_data_padding_cut_by_the_end(void **state)
{
	struct ar a = {0};
	const char *why;
	size_t at;
	int n;

	add_file(&a, "f", "x");
	a.len -= 3;
	assert_int_equal(read_all(a.b, a.len, &n, &why, &at), -EBADMSG);
	assert_int_equal(n, 1);
	assert_non_null(strstr(why, "TRAILER!!!"));
	assert_int_equal(at, a.len);
}

static void errors_repeat_on_the_next_call(void **state)
{
	struct ar a = {0};
	struct cpio_reader r;
	struct cpio_entry e;
	const char *why1, *why2;
	size_t at1, at2;

	add_file(&a, "ok", "");
	add_file(&a, "../x", "");
	add_trailer(&a);
	cpio_reader_init(&r, a.b, a.len);
	assert_int_equal(cpio_next(&r, &e, &why1, &at1), 1);
	assert_int_equal(cpio_next(&r, &e, &why1, &at1), -EBADMSG);
	assert_int_equal(cpio_next(&r, &e, &why2, &at2), -EBADMSG);
	assert_ptr_equal(why1, why2);
	assert_int_equal(at1, at2);
	assert_int_equal(cpio_next(&r, &e, NULL, NULL), -EBADMSG); /* why and at are optional */
}

/* Every prefix of an archive is an error, or the end once the trailer's name is whole. */
static void survives_truncation_at_every_length(void **state)
{
	struct ar a = {0};
	struct {
		const unsigned char *p;
		size_t trailer_name_end;
	} archives[] = {{real_archive, REAL_TRAILER_NAME_END}, {a.b, 0}};

	add_entry(&a, ".", 040755, "", 0);
	add_file(&a, "./a", "hello");
	add_entry(&a, "./l", 0120777, "a", 1);
	add_file(&a, "./e", "");
	archives[1].trailer_name_end = add_trailer(&a) + HDR + 11;
	for (size_t k = 0; k < 2; k++) {
		for (size_t len = 0; len < archives[k].trailer_name_end; len++) {
			const char *why;
			size_t at;
			int rc = read_all(archives[k].p, len, NULL, &why, &at);

			assert_int_equal(rc, -EBADMSG);
			assert_non_null(why);
			assert_true(at <= len);
		}
		for (size_t len = archives[k].trailer_name_end; len < 1024; len++) {
			const char *why;
			size_t at;

			assert_int_equal(read_all(archives[k].p, len, NULL, &why, &at), 0);
		}
	}
}

/* Every byte of the archive changed to each of a few values: never a crash or a loop. */
static void survives_corrupted_bytes(void **state)
{
	static const unsigned char values[] = {0, '0', '7', 'F', 'f', 'g', 0x80, 0xff};
	static unsigned char copy[1024];

	for (size_t i = 0; i < REAL_TRAILER_NAME_END; i++) {
		for (size_t v = 0; v < sizeof(values); v++) {
			const char *why;
			size_t at;
			int rc;

			memcpy(copy, real_archive, sizeof(copy));
			copy[i] = values[v];
			rc = read_all(copy, sizeof(copy), NULL, &why, &at);
			assert_true(rc == 0 || (rc == -EBADMSG && why && at <= sizeof(copy)));
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reads_files_directories_and_symlinks),
		cmocka_unit_test(strips_leading_dot_slash_and_slash),
		cmocka_unit_test(reads_what_gnu_cpio_wrote),
		cmocka_unit_test(accepts_070702_with_its_checksum),
		cmocka_unit_test(accepts_lowercase_hex),
		cmocka_unit_test(ignores_what_follows_the_trailer),
		cmocka_unit_test(accepts_a_trailer_cut_after_its_name),
		cmocka_unit_test(rejects_a_truncated_header),
		cmocka_unit_test(rejects_gzip),
		cmocka_unit_test(rejects_odc_and_binary_cpio),
		cmocka_unit_test(rejects_a_bad_magic),
		cmocka_unit_test(rejects_a_non_hex_digit_in_each_field),
		cmocka_unit_test(rejects_a_zero_or_empty_name),
		cmocka_unit_test(rejects_a_name_without_its_nul),
		cmocka_unit_test(rejects_a_nul_inside_the_name),
		cmocka_unit_test(rejects_a_name_past_the_end),
		cmocka_unit_test(rejects_name_padding_past_the_end),
		cmocka_unit_test(rejects_data_past_the_end),
		cmocka_unit_test(rejects_a_dotdot_component),
		cmocka_unit_test(rejects_an_end_without_a_trailer),
		cmocka_unit_test(rejects_data_padding_cut_by_the_end),
		cmocka_unit_test(errors_repeat_on_the_next_call),
		cmocka_unit_test(survives_truncation_at_every_length),
		cmocka_unit_test(survives_corrupted_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
