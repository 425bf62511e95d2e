/* The grant table's frames for a PV guest (arch_grant_frame). */
#include <stdint.h>
#include <xen/xen.h>
#include <xen/grant_table.h>

#include <arch.h>
#include <hypercall.h>
#include "libc/page_alloc.h"
#include "libc/printk.h"
#include "pv.h"

/*
 * A PV guest asks for its grant table with GNTTABOP_setup_table, which answers with the
 * machine frames of the first nr_frames frames (growing the table as needed); frame
 * `index` is then mapped over a page of our own.
 */
void *pv_grant_frame(unsigned int index)
{
	static xen_pfn_t mfns[PV_MAX_GRANT_FRAMES];
	struct gnttab_setup_table op = {.dom = DOMID_SELF, .nr_frames = index + 1};
	void *va;
	long rc;

	if (index >= PV_MAX_GRANT_FRAMES)
		return NULL;
	set_xen_guest_handle(op.frame_list, mfns);
	rc = HYPERVISOR_grant_table_op(GNTTABOP_setup_table, &op, 1);
	if (rc || op.status != GNTST_okay) {
		printk("gnttab: setup_table(%u frames) failed: %ld/%d\n", index + 1, rc, op.status);
		return NULL;
	}
	va = page_alloc(1);
	if (va && pv_map_frame(va, mfns[index])) {
		page_free(va, 1);
		va = NULL;
	}
	return va;
}
