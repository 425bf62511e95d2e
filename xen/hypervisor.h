/* What the hypervisor tells about itself and this domain. */
#ifndef XEN_HYPERVISOR_H
#define XEN_HYPERVISOR_H

struct xen_version_info {
	unsigned int major, minor;
	char extra[16]; /* e.g. ".7" or "-rc" */
};

void xen_get_version(struct xen_version_info *v);
/* vCPUs this domain has (VCPUOP_is_up answers for every vCPU that exists). */
unsigned int xen_nr_vcpus(void);

#endif
