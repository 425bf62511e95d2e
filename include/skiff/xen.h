/* What an appliance can learn about the Xen it runs on and its own domain. */
#ifndef SKIFF_XEN_H
#define SKIFF_XEN_H

struct skiff_domain_info {
	unsigned int xen_major, xen_minor;
	char xen_extra[16];	  /* e.g. ".7" in 4.17.7 */
	unsigned long memory_kib; /* RAM the domain booted with */
	unsigned int nr_vcpus;
	const char *cmdline; /* the xl config's extra= */
	unsigned int domid;  /* from xenstore (0 if xenstore is not up) */
	const char *name;    /* the domain's name, from xenstore */
};

void skiff_domain_info(struct skiff_domain_info *info);

/* Memory as the page allocator and the grant table see it now (kernel/memory_info.c).
 * Every device that comes and goes gives back what it took: compare before and after. */
struct skiff_memory_info {
	unsigned long free_pages, total_pages; /* 4 KiB pages, the page allocator's */
	/* malloc keeps the pages it cut into small blocks (free_pages + malloc_pages is
	 * what a device that came and went must leave as it was), and counts the blocks
	 * handed out and not freed. */
	unsigned long malloc_pages, malloc_blocks;
	unsigned int grants_in_use; /* grant entries granted to any domain */
	/* Pages freed while a backend still mapped them: kept from use until it unmaps
	 * them (then freed; this call frees those it has let go of first). */
	unsigned int pages_held_by_backends;
};

void skiff_memory_info(struct skiff_memory_info *info);

#endif
