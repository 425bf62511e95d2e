/*
 * The C side of the PVH entry (pvh_head.S), on the boot page tables: find Xen, fill
 * the hypercall page, read hvm_start_info and the HVM parameters into struct boot_info,
 * then hand over to kernel_main().
 */
#include <errno.h>
#include <string.h>
#include <stdint.h>
#include <xen/xen.h>
#include <xen/memory.h>
#include <xen/hvm/hvm_op.h>
#include <xen/hvm/params.h>

#include <arch.h>
#include <hypercall.h>
#include "arch/upcalls.h"
#include "layout.h"
#include "mode.h"
#include "pvh.h"

#define CMDLINE_MAX 1024 /* as a PV guest's start_info.cmd_line */
#define E820_MAX    PVH_MAX_RANGES

const struct arch_mode pvh_mode = {
	.traps_init = pvh_traps_init,
	.mm_init = pvh_mm_init,
	.virt_to_frame = pvh_virt_to_frame,
	.page_guard = pvh_page_guard,
	.page_unguard = pvh_page_unguard,
	.grant_frame = pvh_grant_frame,
	.events_save_disable = pvh_events_save_disable,
	.events_restore = pvh_events_restore,
	.events_wait = pvh_events_wait,
	.fault_address = pvh_fault_address,
	.fpu_restore = pvh_fpu_restore,
};

struct pvh_start pvh_boot;
uint64_t pvh_console_pfn, pvh_store_pfn;
static char cmdline[CMDLINE_MAX];
const char *pvh_start_error;

void arch_pvh_start(uint32_t start_info_pa) __attribute__((noreturn));

/* Nothing we can report yet: stop here, which xl shows as a domain that never ran. */
static void __attribute__((noreturn)) halt(void)
{
	for (;;)
		asm volatile("cli; hlt");
}

/*
 * Xen's CPUID leaves (arch-x86/cpuid.h) start at 0x40000000, or 0x100 further on per
 * other hypervisor interface offered first (Viridian). Leaf base + 2 names the MSR to
 * which the hypercall page's physical address is written; Xen then fills the page.
 */
static void hypercall_page_init(void)
{
	extern char hypercall_page[];

	for (uint32_t base = 0x40000000; base < 0x40010000; base += 0x100) {
		uint32_t eax, ebx, ecx, edx;

		pvh_cpuid(base, &eax, &ebx, &ecx, &edx);
		if (ebx == 0x566e6558 && ecx == 0x65584d4d && edx == 0x4d4d566e &&
		    eax >= base + 2) {
			pvh_cpuid(base + 2, &eax, &ebx, &ecx, &edx);
			pvh_wrmsr(ebx, (uint64_t)(unsigned long)hypercall_page - PVH_VIRT_BASE);
			return;
		}
	}
	halt(); /* "XenVMMXenVMM" not found: not a Xen guest */
}

static uint64_t hvm_param(uint32_t index)
{
	struct xen_hvm_param p = {.domid = DOMID_SELF, .index = index};

	return HYPERVISOR_hvm_op(HVMOP_get_param, &p) ? 0 : p.value;
}

/* Physical memory, read through the boot tables (all but the top 2 MiB below 4 GiB). */
static const void *boot_phys(uint64_t pa, uint64_t len)
{
	const uint64_t mapped = (4ULL << 30) - PVH_VIRT_BASE;

	if (pa >= mapped || len > mapped - pa)
		return NULL;
	return (const void *)(unsigned long)(pa + PVH_VIRT_BASE);
}

/* Version 0 of hvm_start_info has no memory map: ask Xen for the E820 one. */
static void memory_map_from_xen(struct pvh_memory *m)
{
	static struct __attribute__((packed)) {
		uint64_t addr, size;
		uint32_t type;
	} e820[E820_MAX];
	struct xen_memory_map map = {.nr_entries = E820_MAX};

	set_xen_guest_handle(map.buffer, e820);
	if (HYPERVISOR_memory_op(XENMEM_memory_map, &map))
		return;
	for (unsigned int i = 0; i < map.nr_entries && i < E820_MAX; i++)
		pvh_memory_add(m, e820[i].addr, e820[i].size, e820[i].type);
}

/* x87 and SSE usable: CR0.MP and NE on, EM off; CR4.OSFXSR and OSXMMEXCPT on. */
static __attribute__((noinline)) void fpu_init(void)
{
	unsigned long cr0, cr4;

	asm volatile("mov %%cr0, %0" : "=r"(cr0));
	cr0 = (cr0 | 0x22) & ~0x0cUL; /* MP, NE on; EM, TS off */
	asm volatile("mov %0, %%cr0" ::"r"(cr0));
	asm volatile("mov %%cr4, %0" : "=r"(cr4));
	asm volatile("mov %0, %%cr4" ::"r"(cr4 | 0x600));
	asm volatile("fninit");
}

void arch_pvh_start(uint32_t start_info_pa)
{
	extern char _text[], _end[];
	const char *why = NULL;

	arch_mode = &pvh_mode;
	arch_virt_base = PVH_VIRT_BASE;
	hypercall_page_init();
	fpu_init();

	/* The console first: from here on, errors can be reported. */
	pvh_console_pfn = hvm_param(HVM_PARAM_CONSOLE_PFN);
	pvh_store_pfn = hvm_param(HVM_PARAM_STORE_PFN);
	boot_info.console_ring = arch_pfn_to_virt(pvh_console_pfn);
	boot_info.console_evtchn = hvm_param(HVM_PARAM_CONSOLE_EVTCHN);
	boot_info.store_ring = arch_pfn_to_virt(pvh_store_pfn);
	boot_info.store_evtchn = hvm_param(HVM_PARAM_STORE_EVTCHN);
	boot_info.boot_protocol = "pvh";

	if (pvh_read_start_info(start_info_pa, boot_phys, sizeof(cmdline), &pvh_boot, &why))
		pvh_boot.cmdline = NULL; /* reported by pvh_mm_init, once printk works */
	else if (pvh_boot.cmdline)
		strlcpy(cmdline, pvh_boot.cmdline, sizeof(cmdline));
	boot_info.cmdline = cmdline;
	if (!pvh_boot.have_map)
		memory_map_from_xen(&pvh_boot.mem);
	pvh_memory_use(&pvh_boot.mem, (unsigned long)_text - PVH_VIRT_BASE,
		       (unsigned long)_end - PVH_VIRT_BASE);
	boot_info.nr_pages = pvh_ram_pages(&pvh_boot.mem);
	if (pvh_boot.module_size) {
		boot_info.module = arch_pfn_to_virt(0) + pvh_boot.module_pa;
		boot_info.module_size = pvh_boot.module_size;
	}
	pvh_start_error = why;

	kernel_main();
}
