/*
 * Grant tables, v1 (xen/grant_table.h): the table of 8-byte entries through which this
 * domain lets another one (a backend) map or copy one of its pages. An entry names the
 * frame, the domain allowed and the access; Xen sets GTF_reading/GTF_writing while the
 * other domain has it mapped.
 *
 * Every function that returns int returns 0 or a negative errno; those that return a
 * page return NULL on any failure.
 */
#ifndef XEN_GNTTAB_H
#define XEN_GNTTAB_H

#include <stdbool.h>
#include <stdint.h>
#include <xen/xen.h>
#include <xen/grant_table.h>

/* -EIO if Xen will not say the table's size, -ENOMEM if it cannot be set up or mapped. */
int gnttab_init(void);

/*
 * Let domid access the page at va (read-only or read-write). The page must hold
 * nothing domid may not see: grants are page-granular (XSA-403). gnttab_alloc_page()
 * gives a zeroed page for that. -ENOSPC when the table is full and cannot grow; -ERANGE
 * for a machine frame above 2^32, which a v1 entry cannot name.
 */
int gnttab_grant_page(domid_t domid, const void *va, bool readonly, grant_ref_t *ref);
/*
 * Withdraw a grant. -EBUSY while domid still has it mapped: then the grant stays, and
 * its page must not be reused or freed (it is leaked, never silently handed out again).
 * -EINVAL for a ref that is not granted.
 */
int gnttab_end_access(grant_ref_t ref);

/* Whether the other domain has the grant mapped now (Xen's GTF_reading/GTF_writing). */
bool gnttab_in_use(grant_ref_t ref);

/* A zeroed page, granted to domid. */
void *gnttab_alloc_page(domid_t domid, bool readonly, grant_ref_t *ref);
/*
 * End the grant and free the page: 0. -EBUSY if the other domain still maps it: then
 * both are kept out of use until it unmaps it, and freed by the first grant (or
 * gnttab_reclaim) after that. The caller must not touch the page again either way.
 */
int gnttab_free_page(void *page, grant_ref_t ref);
/* End the grant of a page the caller keeps: 0, and the page is still the caller's.
 * -EBUSY while the other domain maps it: the page is the grant table's from now on,
 * freed as gnttab_free_page frees one (the caller must forget it). */
int gnttab_end_or_keep_later(grant_ref_t ref, void *page);
/* Free the pages whose grants were still mapped when freed and no longer are; how many
 * still wait. */
unsigned int gnttab_reclaim(void);

/* n contiguous zeroed pages, each granted to domid (refs[0..n-1]): a multi-page ring. */
void *gnttab_alloc_pages(domid_t domid, unsigned int n, bool readonly, grant_ref_t *refs);
void gnttab_free_pages(void *pages, unsigned int n, const grant_ref_t *refs);

/* GNTTABOP_copy: 0 if every copy succeeded; -EIO if one failed (each op's status holds
 * its GNTST_* code); the hypercall's own -errno if Xen refused the whole batch. */
int gnttab_copy(struct gnttab_copy *ops, unsigned int count);

/* Entries in use and the table's current and largest size (for tests and stats). */
unsigned int gnttab_used(void);
unsigned int gnttab_capacity(void);

#endif
