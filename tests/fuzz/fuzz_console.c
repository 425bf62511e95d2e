/*
 * console_read (xen/console.c) over an input ring that xenconsoled fills: the input
 * gives the ring's two indices, its bytes and how much the caller asks for, then more
 * rounds of the same on the same ring (the indices run free and wrap).
 *
 * Whatever the indices say, a read returns -EIO and leaves in_cons alone when they
 * cannot be true (more unread than the ring holds), and otherwise returns at most what
 * was asked and what was there, the ring's bytes in order, and gives back exactly
 * those slots. Nothing outside the ring is read (ASan).
 */
#define main console_unit_tests
#include "test_console.c"
#undef main

#include <stdlib.h>

#include "fuzz_input.h"

static void one_read(struct fuzz_input *in)
{
	char buf[2 * sizeof(page.in)], want[sizeof(buf)];
	XENCONS_RING_IDX cons, prod;
	size_t len, there;
	long n;

	if (fuzz_u8(in) & 1)
		page.in_cons = fuzz_u32(in); /* else the ring goes on where it was */
	cons = page.in_cons;
	prod = cons + (fuzz_u8(in) & 1 ? fuzz_u32(in) : fuzz_u16(in) % (sizeof(page.in) + 2));
	page.in_prod = prod;
	fuzz_take(in, page.in, fuzz_u16(in) % (sizeof(page.in) + 1));
	len = fuzz_u16(in) % sizeof(buf);

	there = prod - cons;
	for (size_t i = 0; i < len && i < there && i < sizeof(want); i++)
		want[i] = page.in[MASK_XENCONS_IDX(cons + i, page.in)];
	notifies = 0;
	n = console_read(buf, len);
	if (there > sizeof(page.in)) {
		if (n != -EIO || page.in_cons != cons)
			abort(); /* impossible indices: refused, and nothing taken */
		return;
	}
	if (n < 0 || (size_t)n > len || (size_t)n > there ||
	    (size_t)n != (len < there ? len : there))
		abort();
	if (memcmp(buf, want, (size_t)n) || page.in_cons != cons + (XENCONS_RING_IDX)n)
		abort();
	if ((n > 0) != (notifies > 0))
		abort(); /* the backend is told when slots come back, and only then */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = {data, size};

	fresh(NULL);
	for (int rounds = 0; rounds < 16 && fuzz_more(&in); rounds++)
		one_read(&in);
	return 0;
}
