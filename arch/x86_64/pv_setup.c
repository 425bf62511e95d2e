/*
 * The C side of the PV entry (head.S): turn start_info into struct boot_info, then hand
 * over to the generic kernel_main(). Only things that need no memory set-up happen
 * here, so that the console works from kernel_main's first line.
 */
#include <stdint.h>
#include <xen/xen.h>

#include <arch.h>
#include "arch/upcalls.h"
#include "layout.h"
#include "mode.h"
#include "pv.h"

start_info_t *pv_start_info;
unsigned long *pv_p2m;

const struct arch_mode pv_mode = {
	.traps_init = pv_traps_init,
	.mm_init = pv_mm_init,
	.virt_to_frame = pv_virt_to_frame,
	.page_guard = pv_page_guard,
	.page_unguard = pv_page_unguard,
	.grant_frame = pv_grant_frame,
	.events_save_disable = pv_events_save_disable,
	.events_restore = pv_events_restore,
	.events_wait = pv_events_wait,
	.fault_address = pv_fault_address,
	.fpu_restore = pv_fpu_restore,
};

void arch_pv_start(start_info_t *si) __attribute__((noreturn));

void arch_pv_start(start_info_t *si)
{
	arch_mode = &pv_mode;
	arch_virt_base = PV_VIRT_BASE;
	pv_start_info = si;
	pv_p2m = (unsigned long *)si->mfn_list;

	boot_info.boot_protocol = "pv";
	boot_info.nr_pages = si->nr_pages;
	/* start_info names the rings by machine frame; they lie in the region Xen mapped. */
	boot_info.console_ring = pv_mfn_to_virt(si->console.domU.mfn);
	boot_info.console_evtchn = si->console.domU.evtchn;
	boot_info.store_ring = pv_mfn_to_virt(si->store_mfn);
	boot_info.store_evtchn = si->store_evtchn;
	si->cmd_line[MAX_GUEST_CMDLINE - 1] = '\0';
	boot_info.cmdline = (const char *)si->cmd_line;
	/* A ramdisk is mapped in the bootstrap region (xen.h: unless SIF_MOD_START_PFN). */
	if (si->mod_len && !(si->flags & SIF_MOD_START_PFN)) {
		boot_info.module = (const void *)si->mod_start;
		boot_info.module_size = si->mod_len;
	}

	kernel_main();
}
