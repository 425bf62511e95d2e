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

#endif
