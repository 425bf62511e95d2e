/*
 * The v1 grant table. How its frames reach our address space depends on the boot mode
 * (arch_grant_frame: GNTTABOP_setup_table for PV, XENMEM_add_to_physmap for PVH); the
 * table starts at one frame (512 entries) and grows a frame at a time when the free
 * list runs dry, up to what GNTTABOP_query_size allows. Entries 0-7 are reserved for
 * the toolstack (console and xenstore rings).
 *
 * Only threads use this (no event handler grants or ends access), so no lock is needed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <xen/xen.h>
#include <xen/grant_table.h>

#include <arch.h>
#include <hypercall.h>
#include "libc/page_alloc.h"
#include "libc/printk.h"
#include "xen/gnttab.h"

#define PER_FRAME  (PAGE_SIZE / sizeof(grant_entry_v1_t))
#define MAX_FRAMES 64 /* Xen's default gnttab_max_frames: 32,768 entries */
#define LIST_END   0xffffffffu
#define IN_USE	   0xfffffffeu /* next_free[ref] of a granted entry */

static grant_entry_v1_t *frames[MAX_FRAMES];
static unsigned int nr_frames, max_frames;
static grant_ref_t *next_free; /* next_free[ref]: the free entry after ref, or IN_USE */
static grant_ref_t free_head = LIST_END;
static unsigned int nr_used;

/*
 * Pages whose grant the other domain still had mapped when they were freed: they stay
 * out of every free list (it may still write them) until it unmaps them. Every later
 * grant, and gnttab_reclaim(), tries them again and frees those it can. Past MAX_LATER
 * a page is kept out of use for good, with a line.
 */
#define MAX_LATER 512
static struct later {
	void *page;
	grant_ref_t ref;
} later[MAX_LATER];
static unsigned int nr_later;

static grant_entry_v1_t *entry(grant_ref_t ref)
{
	return &frames[ref / PER_FRAME][ref % PER_FRAME];
}

static void put_free(grant_ref_t ref)
{
	next_free[ref] = free_head;
	free_head = ref;
}

/* Map table frame i and put its entries on the free list. */
static int add_frame(unsigned int i)
{
	grant_ref_t *list = realloc(next_free, (i + 1) * PER_FRAME * sizeof(*list));
	void *va;

	if (!list)
		return -ENOMEM;
	next_free = list;
	va = arch_grant_frame(i);
	if (!va) {
		printk("gnttab: cannot map table frame %u\n", i);
		return -ENOMEM;
	}
	frames[i] = va;
	for (grant_ref_t ref = (i + 1) * PER_FRAME; ref-- > i * PER_FRAME;)
		if (ref >= GNTTAB_NR_RESERVED_ENTRIES)
			put_free(ref);
	nr_frames = i + 1;
	return 0;
}

/* Grow the table to n frames (Xen keeps the ones we have). */
static int grow_to(unsigned int n)
{
	if (n > MAX_FRAMES)
		return -EINVAL;
	for (unsigned int i = nr_frames; i < n; i++) {
		int err = add_frame(i);

		if (err)
			return err;
	}
	return 0;
}

int gnttab_init(void)
{
	struct gnttab_query_size q = {.dom = DOMID_SELF};

	if (HYPERVISOR_grant_table_op(GNTTABOP_query_size, &q, 1) || q.status != GNTST_okay) {
		printk("gnttab: query_size failed\n");
		return -EIO;
	}
	max_frames = q.max_nr_frames < MAX_FRAMES ? q.max_nr_frames : MAX_FRAMES;
	/* Xen may report more frames than we will map: start with what we can hold. */
	return grow_to(q.nr_frames == 0 ? 1 : q.nr_frames < max_frames ? q.nr_frames : max_frames);
}

int gnttab_grant_page(domid_t domid, const void *va, bool readonly, grant_ref_t *ref)
{
	unsigned long mfn = arch_virt_to_mfn(va);
	grant_entry_v1_t *e;

	/* grant_table.h: a v1 entry's frame is 32 bits; cut down, it would name another page. */
	if (mfn > UINT32_MAX) {
		printk("gnttab: frame %#lx does not fit a v1 grant entry\n", mfn);
		return -ERANGE;
	}
	if (nr_later)
		gnttab_reclaim();
	if (free_head == LIST_END && (nr_frames >= max_frames || grow_to(nr_frames + 1)))
		return -ENOSPC;
	*ref = free_head;
	free_head = next_free[*ref];
	next_free[*ref] = IN_USE;
	nr_used++;

	e = entry(*ref);
	e->frame = (uint32_t)mfn;
	e->domid = domid;
	virt_wmb(); /* frame and domid are in place before the flags make the entry valid */
	WRITE_ONCE(e->flags, GTF_permit_access | (readonly ? GTF_readonly : 0));
	return 0;
}

int gnttab_end_access(grant_ref_t ref)
{
	grant_entry_v1_t *e;
	uint16_t flags;

	/* Ending a ref twice would put it on the free list twice, and hand it out to two
	 * owners later: refuse, loudly. */
	if (ref >= nr_frames * PER_FRAME || next_free[ref] != IN_USE) {
		printk("gnttab: end_access(%u): not a granted entry\n", ref);
		return -EINVAL;
	}
	e = entry(ref);
	flags = READ_ONCE(e->flags);

	/*
	 * Clear the flags only if the other domain is not using the grant, in one atomic
	 * step: a plain check-then-write races with a backend mapping it between the two
	 * (XSA-396).
	 */
	do {
		if (flags & (GTF_reading | GTF_writing))
			return -EBUSY;
	} while (!__atomic_compare_exchange_n(&e->flags, &flags, 0, false, __ATOMIC_SEQ_CST,
					      __ATOMIC_SEQ_CST));
	put_free(ref);
	nr_used--;
	return 0;
}

bool gnttab_in_use(grant_ref_t ref)
{
	if (ref >= nr_frames * PER_FRAME || next_free[ref] != IN_USE)
		return false;
	return READ_ONCE(entry(ref)->flags) & (GTF_reading | GTF_writing);
}

void *gnttab_alloc_page(domid_t domid, bool readonly, grant_ref_t *ref)
{
	void *page = page_alloc(1);

	if (!page)
		return NULL;
	memset(page, 0, PAGE_SIZE);
	if (gnttab_grant_page(domid, page, readonly, ref)) {
		page_free(page, 1);
		return NULL;
	}
	return page;
}

int gnttab_end_or_keep_later(grant_ref_t ref, void *page)
{
	if (gnttab_end_access(ref) == 0)
		return 0;
	if (nr_later == MAX_LATER) {
		printk("gnttab: grant %u still mapped by its backend, and %u more: page %p kept "
		       "out of use\n",
		       ref, nr_later, page);
		return -EBUSY;
	}
	later[nr_later++] = (struct later){page, ref};
	return -EBUSY;
}

int gnttab_free_page(void *page, grant_ref_t ref)
{
	int rc = gnttab_end_or_keep_later(ref, page);

	if (rc == 0)
		page_free(page, 1);
	return rc;
}

unsigned int gnttab_reclaim(void)
{
	for (unsigned int i = 0; i < nr_later;) {
		if (gnttab_end_access(later[i].ref) == 0) {
			page_free(later[i].page, 1);
			later[i] = later[--nr_later];
		} else {
			i++;
		}
	}
	return nr_later;
}

void *gnttab_alloc_pages(domid_t domid, unsigned int n, bool readonly, grant_ref_t *refs)
{
	char *pages = page_alloc(n);

	if (!pages)
		return NULL;
	memset(pages, 0, n * PAGE_SIZE);
	for (unsigned int i = 0; i < n; i++) {
		if (gnttab_grant_page(domid, pages + i * PAGE_SIZE, readonly, &refs[i])) {
			/* Nobody knows these refs yet: ending them cannot fail. */
			while (i-- > 0)
				gnttab_end_access(refs[i]);
			page_free(pages, n);
			return NULL;
		}
	}
	return pages;
}

void gnttab_free_pages(void *pages, unsigned int n, const grant_ref_t *refs)
{
	for (unsigned int i = 0; i < n; i++)
		gnttab_free_page((char *)pages + i * PAGE_SIZE, refs[i]);
}

int gnttab_copy(struct gnttab_copy *ops, unsigned int count)
{
	long rc = HYPERVISOR_grant_table_op(GNTTABOP_copy, ops, count);

	if (rc)
		return (int)rc;
	/* GNTST_* codes are not errno values (GNTST_bad_gntref, -3, would read as -ESRCH):
	 * the caller finds which copy failed, and why, in its status. */
	for (unsigned int i = 0; i < count; i++)
		if (ops[i].status != GNTST_okay)
			return -EIO;
	return 0;
}

unsigned int gnttab_used(void)
{
	return nr_used;
}

unsigned int gnttab_capacity(void)
{
	return nr_frames * PER_FRAME - GNTTAB_NR_RESERVED_ENTRIES;
}
