/*
 * The grant table (xen/gnttab.c) on the host, against a fake Xen. xen/gnttab.c is built
 * into this file with PV's way of getting the table's frames (arch/x86_64/pv_gnttab.c);
 * its hypercalls come from here instead of arch/x86_64/hypercall.h
 * (there is no hypercall page on the host), and so do the calls it makes below it:
 *
 *  - GNTTABOP_query_size / setup_table: a table of xen_nr_frames frames that may grow
 *    to xen_max_frames; setup_table writes one machine frame number per frame asked
 *    for, as Xen does;
 *  - pv_map_frame: the page now shows Xen's frame (zeroed, but for the toolstack's
 *    console and xenstore entries in frame 0); the test reads and writes entries
 *    through these mappings, as Xen and a backend would;
 *  - page_alloc/page_free: host memory filled with garbage, each page tracked.
 */
#define ARCH_X86_64_HYPERCALL_H /* the fake Xen below replaces the hypercalls */
static long HYPERVISOR_grant_table_op(unsigned int cmd, void *uop, unsigned int count);

#include "xen/gnttab.c"
#include "arch/x86_64/pv_gnttab.c"

/* arch/x86_64/setup.c forwards to the boot mode's own: PV's, here. */
void *arch_grant_frame(unsigned int index)
{
	return pv_grant_frame(index);
}

#include <stdio.h>
#include <setjmp.h>
#include <cmocka.h>

#define MFN_BASE  0x80000ul /* machine frames of Xen's table */
#define MAX_RUNS  64
#define TOOLSTACK 0 /* the domain that granted the reserved entries (dom0) */

#include "fake_log.h"

/* ---- pages: runs of host memory, freed page by page like lib/page_alloc.c allows ---- */

static struct run {
	char *p;
	unsigned long n;
	uint64_t in_use; /* one bit per page */
} runs[MAX_RUNS];
static bool pages_run_out;

void *page_alloc(unsigned long n)
{
	char *p;

	assert_true(n > 0 && n <= 64);
	if (pages_run_out)
		return NULL;
	p = aligned_alloc(PAGE_SIZE, n * PAGE_SIZE);
	assert_non_null(p);
	memset(p, 0xa5, n * PAGE_SIZE); /* garbage, as a reused page would hold */
	for (unsigned int i = 0; i < MAX_RUNS; i++) {
		if (!runs[i].p) {
			runs[i] = (struct run){p, n, n == 64 ? ~0ull : (1ull << n) - 1};
			return p;
		}
	}
	fail_msg("more than %u runs of pages in use", MAX_RUNS);
	return NULL;
}

static struct run *run_of(const void *p)
{
	for (unsigned int i = 0; i < MAX_RUNS; i++)
		if (runs[i].p && (const char *)p >= runs[i].p &&
		    (const char *)p < runs[i].p + runs[i].n * PAGE_SIZE)
			return &runs[i];
	return NULL;
}

static bool page_in_use(const void *p)
{
	struct run *r = run_of(p);

	return r && r->in_use >> ((const char *)p - r->p) / PAGE_SIZE & 1;
}

void page_free(void *p, unsigned long n)
{
	struct run *r = run_of(p);
	unsigned long first;

	if (!r || ((char *)p - r->p) % PAGE_SIZE)
		fail_msg("page_free(%p): not a page in use", p);
	first = ((char *)p - r->p) / PAGE_SIZE;
	assert_true(first + n <= r->n);
	for (unsigned long i = first; i < first + n; i++) {
		if (!(r->in_use >> i & 1))
			fail_msg("page_free(%p): page %lu is not in use", p, i);
		r->in_use &= ~(1ull << i);
	}
	if (!r->in_use) {
		free(r->p);
		r->p = NULL;
	}
}

static unsigned long pages_in_use(void)
{
	unsigned long count = 0;

	for (unsigned int i = 0; i < MAX_RUNS; i++)
		if (runs[i].p)
			count += (unsigned long)__builtin_popcountll(runs[i].in_use);
	return count;
}

/* ---- the fake Xen ------------------------------------------------------------------- */

static unsigned int xen_nr_frames, xen_max_frames;
static unsigned int setup_calls, last_setup_frames;
static bool setup_fails, query_fails;
static long map_fails_for = -1;		     /* the frame whose mapping fails */
static grant_entry_v1_t *mapped[MAX_FRAMES]; /* where we mapped each of Xen's frames */
static int16_t copy_status[4];
static long copy_rc;

static long HYPERVISOR_grant_table_op(unsigned int cmd, void *uop, unsigned int count)
{
	assert_int_equal(count, cmd == GNTTABOP_copy ? count : 1);
	switch (cmd) {
	case GNTTABOP_query_size: {
		struct gnttab_query_size *q = uop;

		assert_int_equal(q->dom, DOMID_SELF);
		if (query_fails)
			return -ENOSYS;
		q->nr_frames = xen_nr_frames;
		q->max_nr_frames = xen_max_frames;
		q->status = GNTST_okay;
		return 0;
	}
	case GNTTABOP_setup_table: {
		struct gnttab_setup_table *op = uop;

		assert_int_equal(op->dom, DOMID_SELF);
		setup_calls++;
		last_setup_frames = op->nr_frames;
		if (setup_fails || op->nr_frames > xen_max_frames) {
			op->status = GNTST_general_error;
			return 0;
		}
		for (unsigned int i = 0; i < op->nr_frames; i++)
			op->frame_list.p[i] = MFN_BASE + i;
		if (op->nr_frames > xen_nr_frames)
			xen_nr_frames = op->nr_frames;
		op->status = GNTST_okay;
		return 0;
	}
	case GNTTABOP_copy: {
		struct gnttab_copy *ops = uop;

		assert_true(count <= 4);
		for (unsigned int i = 0; i < count; i++)
			ops[i].status = copy_status[i];
		return copy_rc;
	}
	}
	fail_msg("unexpected grant_table_op %u", cmd);
	return -ENOSYS;
}

int pv_map_frame(void *va, unsigned long mfn)
{
	unsigned long frame = mfn - MFN_BASE;

	assert_true(frame < xen_nr_frames);
	assert_int_equal((uintptr_t)va % PAGE_SIZE, 0);
	assert_true(page_in_use(va));
	if ((long)frame == map_fails_for)
		return -1;
	mapped[frame] = va;
	memset(va, 0, PAGE_SIZE); /* the page shows Xen's frame now */
	if (frame == 0) {	  /* where the toolstack granted our console and xenstore rings */
		mapped[0][GNTTAB_RESERVED_CONSOLE] = (grant_entry_v1_t){
			.flags = GTF_permit_access, .domid = TOOLSTACK, .frame = 0x1234};
		mapped[0][GNTTAB_RESERVED_XENSTORE] = (grant_entry_v1_t){
			.flags = GTF_permit_access, .domid = TOOLSTACK, .frame = 0x1235};
	}
	return 0;
}

static const void *high_page; /* this page's frame is above 2^32 (a host with > 16 TiB) */

/* A frame number that fits a v1 entry's 32 bits (host addresses go higher). */
unsigned long arch_virt_to_mfn(const void *va)
{
	if (high_page && va == high_page)
		return (1ul << 32) + 5;
	return ((uintptr_t)va >> PAGE_SHIFT) & 0xffffffffu;
}

/* An entry as Xen and the backends see it. */
static grant_entry_v1_t *xen_entry(grant_ref_t ref)
{
	assert_true(ref / PER_FRAME < xen_nr_frames);
	assert_non_null(mapped[ref / PER_FRAME]);
	return &mapped[ref / PER_FRAME][ref % PER_FRAME];
}

/* ---- fixtures ----------------------------------------------------------------------- */

static char *page; /* a page to grant */

static void reset(void)
{
	free(next_free);
	next_free = NULL;
	memset(frames, 0, sizeof(frames));
	nr_frames = max_frames = 0;
	free_head = LIST_END;
	nr_used = 0;
	nr_later = 0;

	for (unsigned int i = 0; i < MAX_RUNS; i++)
		free(runs[i].p);
	memset(runs, 0, sizeof(runs));
	pages_run_out = false;
	xen_nr_frames = 1;
	xen_max_frames = 4;
	setup_calls = last_setup_frames = 0;
	setup_fails = query_fails = false;
	map_fails_for = -1;
	high_page = NULL;
	memset(mapped, 0, sizeof(mapped));
	memset(copy_status, 0, sizeof(copy_status));
	copy_rc = 0;
	loglen = 0;
	logbuf[0] = '\0';
}

static int fresh(void **state)
{
	reset();
	return 0;
}

/* A table of one frame that may grow to xen_max_frames (4). */
static int one_frame(void **state)
{
	reset();
	if (gnttab_init())
		return -1;
	page = page_alloc(1);
	return 0;
}

static int max_one_frame(void **state)
{
	reset();
	xen_max_frames = 1;
	if (gnttab_init())
		return -1;
	page = page_alloc(1);
	return 0;
}

static int done(void **state)
{
	reset();
	return 0;
}

/* The reserved entries hold what the toolstack put there, whatever we did. */
static void assert_reserved_untouched(void)
{
	assert_int_equal(xen_entry(0)->frame, 0x1234);
	assert_int_equal(xen_entry(1)->frame, 0x1235);
	assert_int_equal(xen_entry(0)->flags, GTF_permit_access);
	for (grant_ref_t r = 2; r < GNTTAB_NR_RESERVED_ENTRIES; r++)
		assert_int_equal(xen_entry(r)->flags, 0);
}

/* ---- setting up ----------------------------------------------------------------------- */

static void init_maps_the_frames_xen_reports(void **state)
{
	xen_nr_frames = 2;
	assert_int_equal(gnttab_init(), 0);
	assert_int_equal(setup_calls, 2); /* one a frame, each asking for the frames up to it */
	assert_int_equal(last_setup_frames, 2);
	assert_non_null(mapped[0]);
	assert_non_null(mapped[1]);
	assert_ptr_not_equal(mapped[0], mapped[1]);
	assert_int_equal(gnttab_capacity(), 2 * 512 - 8);
	assert_int_equal(gnttab_used(), 0);
	assert_int_equal(max_frames, 4);
	assert_reserved_untouched();
}

static void init_caps_the_table_at_64_frames(void **state)
{
	xen_max_frames = 1024;
	assert_int_equal(gnttab_init(), 0);
	assert_int_equal(max_frames, MAX_FRAMES);
	assert_int_equal(gnttab_capacity(), 512 - 8);
}

static void init_fails_when_xen_says_no(void **state)
{
	query_fails = true;
	assert_int_equal(gnttab_init(), -EIO);
	assert_logged("query_size failed");
	query_fails = false;
	setup_fails = true;
	assert_int_equal(gnttab_init(), -ENOMEM);
	assert_logged("setup_table(1 frames) failed");
}

/* ---- granting and ending ---------------------------------------------------------- */

static void grant_fills_the_entry_xen_reads(void **state)
{
	grant_ref_t ro, rw;

	assert_int_equal(gnttab_grant_page(3, page, true, &ro), 0);
	assert_int_equal(ro, GNTTAB_NR_RESERVED_ENTRIES); /* the first one not reserved */
	assert_int_equal(xen_entry(ro)->frame, arch_virt_to_mfn(page));
	assert_int_equal(xen_entry(ro)->domid, 3);
	assert_int_equal(xen_entry(ro)->flags, GTF_permit_access | GTF_readonly);

	assert_int_equal(gnttab_grant_page(4, page, false, &rw), 0);
	assert_int_not_equal(rw, ro);
	assert_int_equal(xen_entry(rw)->domid, 4);
	assert_int_equal(xen_entry(rw)->flags, GTF_permit_access);
	assert_int_equal(gnttab_used(), 2);
	assert_reserved_untouched();
}

static void ended_grant_goes_back_to_the_free_list(void **state)
{
	grant_ref_t a, b, c, again;

	assert_int_equal(gnttab_grant_page(1, page, false, &a), 0);
	assert_int_equal(gnttab_grant_page(1, page, false, &b), 0);
	assert_int_equal(gnttab_grant_page(1, page, false, &c), 0);
	assert_int_equal(gnttab_used(), 3);

	assert_int_equal(gnttab_end_access(b), 0);
	assert_int_equal(xen_entry(b)->flags, 0); /* Xen no longer lets anyone map it */
	assert_int_equal(gnttab_used(), 2);
	assert_int_equal(gnttab_grant_page(2, page, true, &again), 0);
	assert_int_equal(again, b);
	assert_int_equal(xen_entry(b)->domid, 2);

	assert_int_equal(gnttab_end_access(a), 0);
	assert_int_equal(gnttab_end_access(again), 0);
	assert_int_equal(gnttab_end_access(c), 0);
	assert_int_equal(gnttab_used(), 0);
}

static void end_access_refuses_while_the_backend_maps(void **state)
{
	static const uint16_t in_use[] = {GTF_reading, GTF_writing, GTF_reading | GTF_writing};

	for (unsigned int i = 0; i < 3; i++) {
		grant_ref_t ref, other;
		uint16_t flags;

		assert_int_equal(gnttab_grant_page(1, page, false, &ref), 0);
		xen_entry(ref)->flags |= in_use[i]; /* Xen: the backend mapped it */
		flags = xen_entry(ref)->flags;

		assert_true(gnttab_in_use(ref));
		assert_int_equal(gnttab_end_access(ref), -EBUSY);
		assert_int_equal(gnttab_end_access(ref), -EBUSY);
		assert_int_equal(xen_entry(ref)->flags, flags); /* still granted, still mapped */
		assert_int_equal(xen_entry(ref)->domid, 1);
		assert_int_equal(xen_entry(ref)->frame, arch_virt_to_mfn(page));
		assert_int_equal(gnttab_used(), 1);
		for (unsigned int j = 0; j < 20; j++) { /* and never handed out again */
			assert_int_equal(gnttab_grant_page(1, page, false, &other), 0);
			assert_int_not_equal(other, ref);
		}
		for (grant_ref_t r = GNTTAB_NR_RESERVED_ENTRIES; r < 512; r++)
			if (r != ref && xen_entry(r)->flags)
				assert_int_equal(gnttab_end_access(r), 0);

		xen_entry(ref)->flags &= (uint16_t)~in_use[i]; /* the backend unmaps it */
		assert_false(gnttab_in_use(ref));
		assert_int_equal(gnttab_end_access(ref), 0);
		assert_false(gnttab_in_use(ref)); /* not granted: not in use either */
		assert_int_equal(xen_entry(ref)->flags, 0);
		assert_int_equal(gnttab_used(), 0);
		assert_int_equal(gnttab_grant_page(1, page, false, &other), 0);
		assert_int_equal(other, ref);
		assert_int_equal(gnttab_end_access(other), 0);
	}
}

static void reserved_entries_are_never_handed_out(void **state)
{
	static bool seen[512];
	grant_ref_t ref;

	memset(seen, 0, sizeof(seen));
	for (unsigned int round = 0; round < 2; round++) {
		for (unsigned int i = 0; i < 512 - GNTTAB_NR_RESERVED_ENTRIES; i++) {
			assert_int_equal(gnttab_grant_page(1, page, true, &ref), 0);
			assert_true(ref >= GNTTAB_NR_RESERVED_ENTRIES && ref < 512);
			assert_false(seen[ref]);
			seen[ref] = true;
		}
		assert_int_equal(gnttab_grant_page(1, page, true, &ref), -ENOSPC);
		assert_int_equal(gnttab_used(), 512 - GNTTAB_NR_RESERVED_ENTRIES);
		assert_int_equal(setup_calls, 1); /* Xen's maximum: no growing */
		assert_reserved_untouched();
		for (grant_ref_t r = GNTTAB_NR_RESERVED_ENTRIES; r < 512; r++) {
			assert_int_equal(gnttab_end_access(r), 0);
			seen[r] = false;
		}
	}
}

static void table_grows_a_frame_at_a_time_up_to_max(void **state)
{
	grant_ref_t ref;
	unsigned int granted = 0;

	while (gnttab_used() < 512 - GNTTAB_NR_RESERVED_ENTRIES) {
		assert_int_equal(gnttab_grant_page(1, page, false, &ref), 0);
		granted++;
	}
	assert_int_equal(setup_calls, 1);

	/* the free list is empty: the next grant asks Xen for a second frame */
	assert_int_equal(gnttab_grant_page(1, page, false, &ref), 0);
	assert_int_equal(setup_calls, 2);
	assert_int_equal(last_setup_frames, 2);
	assert_int_equal(ref, 512); /* only 0-7 are reserved, not the start of each frame */
	assert_int_equal(gnttab_capacity(), 2 * 512 - 8);
	assert_int_equal(xen_entry(512)->frame, arch_virt_to_mfn(page));
	assert_int_equal(xen_entry(512)->flags, GTF_permit_access);
	granted++;

	while (gnttab_grant_page(1, page, false, &ref) == 0)
		granted++;
	assert_int_equal(granted, 4 * 512 - 8);
	assert_int_equal(setup_calls, 4); /* one frame at a time, never past the maximum */
	assert_int_equal(last_setup_frames, 4);
	assert_int_equal(gnttab_capacity(), 4 * 512 - 8);
	assert_int_equal(gnttab_used(), 4 * 512 - 8);
	assert_int_equal(xen_entry(4 * 512 - 1)->flags, GTF_permit_access);
	assert_reserved_untouched();

	assert_int_equal(gnttab_end_access(1500), 0); /* the free list works across frames */
	assert_int_equal(gnttab_grant_page(1, page, false, &ref), 0);
	assert_int_equal(ref, 1500);
}

static void failed_growth_is_enospc_and_keeps_the_table(void **state)
{
	grant_ref_t ref;

	for (unsigned int i = 0; i < 512 - GNTTAB_NR_RESERVED_ENTRIES; i++)
		assert_int_equal(gnttab_grant_page(1, page, false, &ref), 0);
	setup_fails = true;
	assert_int_equal(gnttab_grant_page(1, page, false, &ref), -ENOSPC);
	assert_logged("setup_table(2 frames) failed");
	assert_int_equal(gnttab_capacity(), 512 - 8);
	assert_int_equal(gnttab_used(), 512 - 8);
	assert_int_equal(xen_entry(511)->flags, GTF_permit_access);

	setup_fails = false; /* Xen has room again */
	assert_int_equal(gnttab_grant_page(1, page, false, &ref), 0);
	assert_int_equal(ref, 512);
}

/* ---- pages with their grants ---------------------------------------------------------- */

static bool all_zero(const char *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i])
			return false;
	return true;
}

static void alloc_page_is_zeroed_and_granted(void **state)
{
	unsigned long before = pages_in_use();
	grant_ref_t ro, rw;
	char *a = gnttab_alloc_page(5, true, &ro), *b = gnttab_alloc_page(5, false, &rw);

	assert_non_null(a);
	assert_non_null(b);
	assert_true(all_zero(a, PAGE_SIZE)); /* page_alloc gave garbage */
	assert_true(all_zero(b, PAGE_SIZE));
	assert_int_equal(xen_entry(ro)->frame, arch_virt_to_mfn(a));
	assert_int_equal(xen_entry(ro)->flags, GTF_permit_access | GTF_readonly);
	assert_int_equal(xen_entry(rw)->flags, GTF_permit_access);
	assert_int_equal(xen_entry(rw)->domid, 5);
	assert_int_equal(pages_in_use(), before + 2);

	gnttab_free_page(a, ro);
	assert_false(page_in_use(a));
	assert_int_equal(xen_entry(ro)->flags, 0);

	xen_entry(rw)->flags |= GTF_writing; /* the backend still maps b: keep both */
	assert_int_equal(gnttab_free_page(b, rw), -EBUSY);
	assert_true(page_in_use(b));
	assert_int_equal(xen_entry(rw)->flags, GTF_permit_access | GTF_writing);
	assert_int_equal(gnttab_used(), 1);
	assert_int_equal(gnttab_reclaim(), 1); /* still mapped: still kept */
	assert_true(page_in_use(b));
}

/*
 * A page freed while its backend still maps it (a backend that broke the protocol and
 * raced the frontend's close): kept out of use, neither the page nor its entry handed
 * out again, and freed by the first grant after the backend unmaps it.
 */
static void page_freed_while_mapped_is_freed_once_unmapped(void **state)
{
	unsigned long before = pages_in_use();
	grant_ref_t ref, other;
	char *p = gnttab_alloc_page(5, false, &ref);

	xen_entry(ref)->flags |= GTF_reading;
	assert_int_equal(gnttab_free_page(p, ref), -EBUSY);
	for (int i = 0; i < 10; i++) { /* grants meanwhile: not this entry, not this page */
		char *q = gnttab_alloc_page(5, false, &other);

		assert_ptr_not_equal(q, p);
		assert_int_not_equal(other, ref);
		assert_int_equal(gnttab_free_page(q, other), 0);
	}
	assert_true(page_in_use(p));
	assert_int_equal(gnttab_used(), 1);

	xen_entry(ref)->flags &= (uint16_t)~GTF_reading; /* the backend lets go */
	assert_int_equal(gnttab_grant_page(5, page, false, &other), 0);
	assert_false(page_in_use(p)); /* that grant freed it first */
	assert_int_equal(gnttab_end_access(other), 0);
	assert_int_equal(gnttab_used(), 0);
	assert_int_equal(gnttab_reclaim(), 0);
	assert_int_equal(pages_in_use(), before);
}

static void alloc_page_fails_cleanly(void **state)
{
	unsigned long before = pages_in_use();
	grant_ref_t ref;

	pages_run_out = true;
	assert_null(gnttab_alloc_page(1, false, &ref));
	assert_int_equal(gnttab_used(), 0);
	pages_run_out = false;

	for (unsigned int i = 0; i < 512 - GNTTAB_NR_RESERVED_ENTRIES; i++)
		assert_int_equal(gnttab_grant_page(1, page, false, &ref), 0);
	assert_null(gnttab_alloc_page(1, false, &ref)); /* no entry left: page given back */
	assert_int_equal(pages_in_use(), before);
}

static void alloc_pages_grants_each_page(void **state)
{
	grant_ref_t refs[4];
	char *p = gnttab_alloc_pages(6, 4, false, refs);

	assert_non_null(p);
	assert_true(all_zero(p, 4 * PAGE_SIZE));
	for (unsigned int i = 0; i < 4; i++) {
		assert_int_equal(xen_entry(refs[i])->frame, arch_virt_to_mfn(p + i * PAGE_SIZE));
		assert_int_equal(xen_entry(refs[i])->domid, 6);
		for (unsigned int j = 0; j < i; j++)
			assert_int_not_equal(refs[i], refs[j]);
	}
	assert_int_equal(gnttab_used(), 4);

	xen_entry(refs[2])->flags |= GTF_reading; /* still mapped: that page is kept */
	gnttab_free_pages(p, 4, refs);
	assert_false(page_in_use(p));
	assert_false(page_in_use(p + PAGE_SIZE));
	assert_true(page_in_use(p + 2 * PAGE_SIZE));
	assert_false(page_in_use(p + 3 * PAGE_SIZE));
	assert_int_equal(gnttab_used(), 1);
}

static void alloc_pages_undoes_a_partial_grant(void **state)
{
	unsigned long before = pages_in_use();
	grant_ref_t refs[4], ref;

	for (unsigned int i = 0; i < 512 - GNTTAB_NR_RESERVED_ENTRIES - 2; i++)
		assert_int_equal(gnttab_grant_page(1, page, false, &ref), 0);
	assert_null(gnttab_alloc_pages(6, 4, false, refs)); /* room for 2 of the 4 */
	assert_int_equal(gnttab_used(), 512 - GNTTAB_NR_RESERVED_ENTRIES - 2);
	assert_int_equal(pages_in_use(), before);
	assert_int_equal(xen_entry(refs[0])->flags, 0);
	assert_int_equal(xen_entry(refs[1])->flags, 0);
	assert_non_null(gnttab_alloc_pages(6, 2, false, refs)); /* and the 2 still work */
}

static void copy_reports_the_first_failure(void **state)
{
	struct gnttab_copy ops[3];

	memset(ops, 0, sizeof(ops));
	assert_int_equal(gnttab_copy(ops, 3), 0);
	copy_status[1] = GNTST_bad_gntref;
	copy_status[2] = GNTST_general_error;
	/* -errno like every other failure here (GNTST_bad_gntref, -3, read as -ESRCH); each
	 * op's own status says which copy failed and why */
	assert_int_equal(gnttab_copy(ops, 3), -EIO);
	assert_int_equal(ops[1].status, GNTST_bad_gntref);
	assert_int_equal(ops[2].status, GNTST_general_error);
	copy_rc = -EFAULT;
	assert_int_equal(gnttab_copy(ops, 3), -EFAULT);
}

/*
 * A v1 entry holds a 32-bit frame number: a frame above that used to be cut to its low
 * 32 bits, granting the backend some other page of the machine.
 */
static void frame_beyond_32_bits_is_refused(void **state)
{
	grant_ref_t ref = 12345, next;

	high_page = page;
	assert_int_equal(gnttab_grant_page(1, page, false, &ref), -ERANGE);
	assert_int_equal(gnttab_used(), 0);
	assert_int_equal(xen_entry(GNTTAB_NR_RESERVED_ENTRIES)->flags, 0);
	high_page = NULL;
	assert_int_equal(gnttab_grant_page(1, page, false, &next), 0); /* nothing lost */
	assert_int_equal(next, GNTTAB_NR_RESERVED_ENTRIES);
}

/* A table frame that cannot be mapped gives its page back. */
static void failed_frame_mapping_keeps_no_page(void **state)
{
	unsigned long before = pages_in_use();
	grant_ref_t ref;

	for (unsigned int i = 0; i < 512 - GNTTAB_NR_RESERVED_ENTRIES; i++)
		assert_int_equal(gnttab_grant_page(1, page, false, &ref), 0);
	map_fails_for = 1;
	assert_int_equal(gnttab_grant_page(1, page, false, &ref), -ENOSPC);
	assert_logged("cannot map table frame 1");
	assert_int_equal(pages_in_use(), before);
	assert_int_equal(gnttab_capacity(), 512 - 8);
}

/* ---- regressions: bugs these tests found, fixed since ---- */

/*
 * What blkfront's double end (see test_blkfront.c) does to this table: an entry whose
 * flags are already 0 is "ended" again and its ref pushed on the free list a second
 * time; the list then links the ref to itself and every later grant gets that ref.
 * A robustness gap here (nothing checks that the ref was granted); the bug is the
 * caller's.
 */
static void ending_a_grant_twice_does_not_hand_it_out_twice(void **state)
{
	grant_ref_t a, b, c;

	assert_int_equal(gnttab_grant_page(1, page, false, &a), 0);
	assert_int_equal(gnttab_end_access(a), 0);
	gnttab_end_access(a); /* the caller's bug */
	assert_int_equal(gnttab_grant_page(1, page, false, &b), 0);
	assert_int_equal(gnttab_grant_page(2, page, false, &c), 0);
	assert_int_not_equal(b, c); /* fails: both are a */
}

/*
 * gnttab_init() caps max_frames at MAX_FRAMES (64) but then asks Xen for the
 * q.nr_frames frames the table already has, uncapped: a table already above 64 frames
 * at boot (gnttab_max_frames > 64 and a previous kernel in this domain, kexec or
 * pvgrub, that grew it) makes Xen write more than 64 frame numbers into mfns[64] on
 * the stack, and grow_to() index frames[] past its end. AddressSanitizer stops the
 * program here (stack-buffer-overflow): this test runs last.
 */
static void init_with_a_table_above_64_frames_stays_in_bounds(void **state)
{
	xen_nr_frames = 65;
	xen_max_frames = 128;
	gnttab_init();
	assert_true(nr_frames <= MAX_FRAMES);
}

/*
 * grow_to() asked Xen for n frames first and checked n against MAX_FRAMES after: Xen
 * wrote n frame numbers into mfns[MAX_FRAMES] on the stack. Only gnttab_init's and
 * gnttab_grant_page's caps kept n in range. AddressSanitizer stops the old code here
 * (stack-buffer-overflow): this test runs last.
 */
static void growing_past_max_frames_asks_xen_nothing(void **state)
{
	xen_max_frames = 128;
	assert_int_equal(grow_to(MAX_FRAMES + 1), -EINVAL);
	assert_int_equal(setup_calls, 0);
	assert_int_equal(nr_frames, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(init_maps_the_frames_xen_reports, fresh, done),
		cmocka_unit_test_setup_teardown(init_caps_the_table_at_64_frames, fresh, done),
		cmocka_unit_test_setup_teardown(init_fails_when_xen_says_no, fresh, done),
		cmocka_unit_test_setup_teardown(grant_fills_the_entry_xen_reads, one_frame, done),
		cmocka_unit_test_setup_teardown(ended_grant_goes_back_to_the_free_list, one_frame,
						done),
		cmocka_unit_test_setup_teardown(end_access_refuses_while_the_backend_maps,
						one_frame, done),
		cmocka_unit_test_setup_teardown(reserved_entries_are_never_handed_out,
						max_one_frame, done),
		cmocka_unit_test_setup_teardown(table_grows_a_frame_at_a_time_up_to_max, one_frame,
						done),
		cmocka_unit_test_setup_teardown(failed_growth_is_enospc_and_keeps_the_table,
						one_frame, done),
		cmocka_unit_test_setup_teardown(alloc_page_is_zeroed_and_granted, one_frame, done),
		cmocka_unit_test_setup_teardown(page_freed_while_mapped_is_freed_once_unmapped,
						one_frame, done),
		cmocka_unit_test_setup_teardown(alloc_page_fails_cleanly, max_one_frame, done),
		cmocka_unit_test_setup_teardown(alloc_pages_grants_each_page, one_frame, done),
		cmocka_unit_test_setup_teardown(alloc_pages_undoes_a_partial_grant, max_one_frame,
						done),
		cmocka_unit_test_setup_teardown(copy_reports_the_first_failure, one_frame, done),
		cmocka_unit_test_setup_teardown(frame_beyond_32_bits_is_refused, one_frame, done),
		cmocka_unit_test_setup_teardown(failed_frame_mapping_keeps_no_page, one_frame,
						done),
		cmocka_unit_test_setup_teardown(ending_a_grant_twice_does_not_hand_it_out_twice,
						one_frame, done),
		cmocka_unit_test_setup_teardown(init_with_a_table_above_64_frames_stays_in_bounds,
						fresh, done),
		cmocka_unit_test_setup_teardown(growing_past_max_frames_asks_xen_nothing, fresh,
						done),
	};

	return cmocka_run_group_tests_name("gnttab", tests, NULL, NULL);
}
