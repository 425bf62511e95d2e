#include <string.h>
#include <skiff/xen.h>
#include <skiff/xenstore.h>

#include <arch.h>
#include "xen/hypervisor.h"

void skiff_domain_info(struct skiff_domain_info *info)
{
	struct xen_version_info v;

	xen_get_version(&v);
	info->xen_major = v.major;
	info->xen_minor = v.minor;
	strlcpy(info->xen_extra, v.extra, sizeof(info->xen_extra));
	info->memory_kib = boot_info.nr_pages * (PAGE_SIZE / 1024);
	info->nr_vcpus = xen_nr_vcpus();
	info->cmdline = boot_info.cmdline;
	info->domid = xs_domid();
	info->name = xs_domain_name();
}
