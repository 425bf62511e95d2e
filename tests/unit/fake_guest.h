/*
 * What the driver tests (test_blkfront.c, test_netfront.c) fake alike: printk kept in
 * a buffer the tests read (fake_log.h), pages that are tracked (a page freed while granted fails
 * the test), and a grant table that records every grant, can refuse to end one (the backend still
 * maps it) and counts double ends; event channels that record binds, masks and notifications.
 * Included once, after the driver's source, by a test that has defined FIRST_REF, MAX_REFS,
 * MAX_PAGES, PORT and BACKEND_ID.
 */
#ifndef TESTS_UNIT_FAKE_GUEST_H
#define TESTS_UNIT_FAKE_GUEST_H

#include "fake_log.h"

/* ---- libc: what glibc 2.36 lacks ---------------------------------------------------- */

#include "host_strlcpy.h"

/* ---- time: each test's own clock (monotonic_ns), with xen/time.c's saturation ------- */

uint64_t deadline_after_ns(uint64_t ns)
{
	uint64_t now = monotonic_ns();

	return ns > UINT64_MAX - now ? UINT64_MAX : now + ns;
}

/* ---- pages ----------------------------------------------------------------------- */

static struct live_page {
	char *p;
	unsigned long n;
} live[MAX_PAGES];
static unsigned int page_allocs;

static bool page_is_granted(const char *p, unsigned long n);

void *page_alloc(unsigned long n)
{
	char *p = aligned_alloc(PAGE_SIZE, n * PAGE_SIZE);

	assert_non_null(p);
	memset(p, 0xa5, n * PAGE_SIZE); /* garbage, as a reused page would hold */
	for (unsigned int i = 0; i < MAX_PAGES; i++) {
		if (!live[i].p) {
			live[i].p = p;
			live[i].n = n;
			page_allocs++;
			return p;
		}
	}
	fail_msg("more than %u runs of pages in use", MAX_PAGES);
	return NULL;
}

static struct live_page *live_run(const void *p)
{
	for (unsigned int i = 0; i < MAX_PAGES; i++)
		if (live[i].p && (const char *)p >= live[i].p &&
		    (const char *)p < live[i].p + live[i].n * PAGE_SIZE)
			return &live[i];
	return NULL;
}

void page_free(void *p, unsigned long n)
{
	struct live_page *lp = live_run(p);

	if (!lp || lp->p != p)
		fail_msg("page_free(%p): not a run of pages in use", p);
	assert_int_equal(lp->n, n);
	if (page_is_granted(p, n))
		fail_msg("page %p freed while the backend may still map it", p);
	free(p);
	lp->p = NULL;
}

/* The domain's memory, as netfront sizes its ring and lending by it: 64 MiB unless a
 * test says otherwise. */
static unsigned long total_pages = 16384;

unsigned long page_alloc_total_pages(void)
{
	return total_pages;
}

static unsigned int live_pages(void)
{
	unsigned int count = 0;

	for (unsigned int i = 0; i < MAX_PAGES; i++)
		if (live[i].p)
			count += live[i].n;
	return count;
}

/* ---- grants ---------------------------------------------------------------------- */

static struct grant {
	char *va;
	domid_t domid;
	bool readonly, active;
	int busy; /* end_access refuses this many more times; < 0: always (still mapped) */
} grants[MAX_REFS];
static grant_ref_t next_ref;
static unsigned int double_ends;

int gnttab_grant_page(domid_t domid, const void *va, bool readonly, grant_ref_t *ref)
{
	if ((uintptr_t)va % PAGE_SIZE)
		fail_msg("grant of %p: not a page", va);
	if (!live_run(va))
		fail_msg("grant of %p: not an allocated page", va);
	if (next_ref >= MAX_REFS)
		return -ENOSPC;
	grants[next_ref] = (struct grant){
		.va = (char *)va, .domid = domid, .readonly = readonly, .active = true};
	*ref = next_ref++;
	return 0;
}

int gnttab_end_access(grant_ref_t ref)
{
	struct grant *g;

	if (ref < FIRST_REF || ref >= next_ref)
		fail_msg("gnttab_end_access(%u): never granted", ref);
	g = &grants[ref];
	if (!g->active) {
		double_ends++; /* xen/gnttab.c finds flags 0, "ends" it and frees the ref again */
		return 0;
	}
	if (g->busy) {
		if (g->busy > 0)
			g->busy--;
		return -EBUSY;
	}
	g->active = false;
	return 0;
}

/* xen/gnttab.c's: a page whose grant is still mapped stays out of use (here: live, and
 * granted, which the tests' end checks accept as the backend's). */
int gnttab_end_or_keep_later(grant_ref_t ref, void *page)
{
	return gnttab_end_access(ref) ? -EBUSY : 0;
}

int gnttab_free_page(void *page, grant_ref_t ref)
{
	if (gnttab_end_or_keep_later(ref, page))
		return -EBUSY;
	page_free(page, 1);
	return 0;
}

/* Mapped by the backend: a grant whose end is refused for good. */
bool gnttab_in_use(grant_ref_t ref)
{
	return ref >= FIRST_REF && ref < next_ref && grants[ref].active && grants[ref].busy < 0;
}

/* The grant a request (or a ring reference) names, as the backend maps it: it must be
 * active and granted to the backend. */
static struct grant *granted(grant_ref_t ref)
{
	if (ref < FIRST_REF || ref >= next_ref || !grants[ref].active)
		fail_msg("a request names grant %u, which is not active", ref);
	assert_int_equal(grants[ref].domid, BACKEND_ID);
	return &grants[ref];
}

static bool page_is_granted(const char *p, unsigned long n)
{
	for (grant_ref_t r = FIRST_REF; r < next_ref; r++)
		if (grants[r].active && grants[r].va >= p && grants[r].va < p + n * PAGE_SIZE)
			return true;
	return false;
}

static unsigned int active_grants(void)
{
	unsigned int count = 0;

	for (grant_ref_t r = FIRST_REF; r < next_ref; r++)
		count += grants[r].active;
	return count;
}

/* ---- event channels -------------------------------------------------------------- */

/* A device has one channel, PORT, or two (split), PORT and PORT + 1; both bound to the
 * same handler and argument (the frontend's). */
static evtchn_handler_t bound_handler;
static void *bound_arg;
static unsigned int masks, notifies, port_closes, ports_open;
static unsigned int notifies_on[2]; /* per port: PORT, PORT + 1 */
static evtchn_port_t masked_port;
static void (*on_notify)(void); /* runs when the backend is told about new requests */

static void assert_our_port(evtchn_port_t port)
{
	assert_true(port == PORT || port == PORT + 1);
}

int evtchn_alloc_unbound(domid_t remote, evtchn_port_t *port)
{
	assert_int_equal(remote, BACKEND_ID);
	assert_true(ports_open < 2);
	*port = PORT + ports_open++;
	return 0;
}

int evtchn_bind(evtchn_port_t port, evtchn_handler_t handler, void *arg)
{
	assert_our_port(port);
	bound_handler = handler;
	bound_arg = arg;
	return 0;
}

void evtchn_close(evtchn_port_t port)
{
	assert_our_port(port);
	assert_true(ports_open > 0);
	if (--ports_open == 0)
		bound_handler = NULL;
	port_closes++;
}

void evtchn_mask(evtchn_port_t port)
{
	masked_port = port;
	masks++;
}

static unsigned int unmasks, sleeps;

void evtchn_unmask(evtchn_port_t port)
{
	assert_our_port(port);
	unmasks++;
}

int evtchn_notify(evtchn_port_t port)
{
	assert_our_port(port);
	notifies++;
	notifies_on[port - PORT]++;
	if (on_notify)
		on_notify();
	return 0;
}

#endif
