/*
 * What the layers above may ask of the CPU and of the boot protocol. The same image
 * boots as a PV or a PVH guest; everything that differs (start_info or hvm_start_info,
 * mmu_update or our own page tables, a trap table or an IDT, how events are masked)
 * stays behind this header, and nothing above arch/ asks which mode it runs in.
 */
#ifndef ARCH_X86_64_ARCH_H
#define ARCH_X86_64_ARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PAGE_SHIFT 12
#define PAGE_SIZE  (1UL << PAGE_SHIFT)
#define PAGE_MASK  (~(PAGE_SIZE - 1))

/*
 * All RAM is mapped at one offset: pseudo-physical page frame number (pfn) p is at
 * virtual address VIRT_BASE + p * PAGE_SIZE. The offset depends on the boot mode and is
 * set once at entry (layout.h says why the two differ); the image is at 3 MiB in both.
 */
extern unsigned long arch_virt_base;
#define VIRT_BASE arch_virt_base

static inline void *arch_pfn_to_virt(unsigned long pfn)
{
	return (void *)(VIRT_BASE + (pfn << PAGE_SHIFT));
}

static inline unsigned long arch_virt_to_pfn(const void *va)
{
	return ((unsigned long)va - VIRT_BASE) >> PAGE_SHIFT;
}

/* What the boot protocol told us, in the terms the rest of Skiff uses. */
#define BOOT_MAX_RESERVED 16
struct boot_info {
	unsigned long nr_pages; /* pages of RAM the domain started with */
	void *free_mem;		/* free_pages pages from here are free for the allocator */
	unsigned long free_pages;
	/* Pages inside that region that are not free after all (PVH: the image, the
	 * start info, which Xen loaded in the middle of RAM). */
	struct {
		void *start;
		unsigned long pages;
	} reserved[BOOT_MAX_RESERVED];
	unsigned int nr_reserved;
	void *shared_info;  /* mapped shared_info page */
	void *console_ring; /* mapped console ring page (io/console.h) */
	uint32_t console_evtchn;
	void *store_ring; /* mapped xenstore ring page (io/xs_wire.h) */
	uint32_t store_evtchn;
	const char *cmdline;	   /* the `extra=` of the xl config */
	const char *boot_protocol; /* "pv" or "pvh" */
	bool nx;		   /* data pages are mapped non-executable */
	const void *module;	   /* the xl `ramdisk=`, mapped, or NULL */
	unsigned long module_size;
};

extern struct boot_info boot_info;

/* Registers saved on a trap or an event upcall (arch/x86_64/entry.S lays them out). */
struct cpu_regs {
	uint64_t r15, r14, r13, r12, rbp, rbx, r11, r10, r9, r8, rax, rcx, rdx, rsi, rdi;
	uint64_t vector, error_code;
	uint64_t rip, cs, rflags, rsp, ss;
};

/* Barriers for memory shared with Xen and other domains (x86 is TSO). */
#define barrier()	   asm volatile("" ::: "memory")
#define virt_mb()	   asm volatile("mfence" ::: "memory")
#define virt_rmb()	   barrier() /* loads are not reordered with other loads on x86 */
#define virt_wmb()	   barrier() /* stores are not reordered with other stores on x86 */
#define READ_ONCE(x)	   (*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, val) (*(volatile __typeof__(x) *)&(x) = (val))

/*
 * The TSC, read in program order: rdtsc alone may execute before earlier loads (the
 * pvclock fields it is paired with). lfence waits for them (on AMD, once the OS makes
 * lfence dispatch-serialising, as Xen does). Not rdtscp: QEMU's TCG lacks it for PVH.
 */
static inline uint64_t arch_rdtsc(void)
{
	uint32_t lo, hi;

	asm volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi)::"memory");
	return ((uint64_t)hi << 32) | lo;
}

static inline void arch_cpu_relax(void)
{
	asm volatile("pause" ::: "memory");
}

/* Cooperative context switch (arch/x86_64/switch.S). */
struct arch_context {
	unsigned long rsp;
};
void arch_switch_to(struct arch_context *prev, struct arch_context *next);
/* Prepare ctx so that switching to it calls entry(arg) on the stack ending at stack_top. */
void arch_context_init(struct arch_context *ctx, void *stack_top, void (*entry)(void *), void *arg);

/*
 * Memory (pv_mm.c, pvh_mm.c). A frame number is what Xen and other domains call a page:
 * the machine frame of a PV guest, the guest-physical frame of a PVH one.
 */
unsigned long arch_virt_to_mfn(const void *va);
/* Unmap a page so any access faults (stack guard pages), and map it back. */
int arch_page_guard(void *va);
int arch_page_unguard(void *va);
/* Frame `index` of this domain's grant table (growing Xen's table to index + 1
 * frames), mapped read-write; NULL if Xen refuses. */
void *arch_grant_frame(unsigned int index);

/* Map all RAM, protect the image, unmap guard pages; kernel_main calls it. */
void arch_mm_init(void);

/*
 * Event delivery on this vCPU, the guest's "interrupts enabled" flag (pv_events.c,
 * pvh_events.c). save_disable returns the previous state for restore; wait is called
 * with events disabled, enables them, sleeps until one has been delivered and returns
 * with them disabled again, with no window for an event to be missed.
 */
unsigned long arch_events_save_disable(void);
void arch_events_restore(unsigned long flags);
void arch_events_wait(void);

/* Faults (traps.c, pv_traps.c, pvh_traps.c). */
void arch_traps_init(void);
void arch_backtrace(unsigned long rbp, unsigned long rip);
void arch_dump_regs(const struct cpu_regs *regs);
/* The address of the caller's frame, for a backtrace from C. */
#define arch_current_frame() ((unsigned long)__builtin_frame_address(0))

#endif
