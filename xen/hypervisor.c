#include <string.h>
#include <stdint.h>
#include <xen/xen.h>
#include <xen/version.h>
#include <xen/vcpu.h>

#include <hypercall.h>
#include "xen/hypervisor.h"

void xen_get_version(struct xen_version_info *v)
{
	xen_extraversion_t extra;
	long ver = HYPERVISOR_xen_version(XENVER_version, NULL);

	v->major = (unsigned long)ver >> 16;
	v->minor = ver & 0xffff;
	memset(extra, 0, sizeof(extra));
	HYPERVISOR_xen_version(XENVER_extraversion, extra);
	memcpy(v->extra, extra, sizeof(v->extra) - 1);
	v->extra[sizeof(v->extra) - 1] = '\0';
}

unsigned int xen_nr_vcpus(void)
{
	unsigned int n = 0;

	/* -ENOENT past the last vCPU; 0 or 1 (down or up) for each that exists. */
	while (n < 4096 && HYPERVISOR_vcpu_op(VCPUOP_is_up, n, NULL) >= 0)
		n++;
	return n;
}
