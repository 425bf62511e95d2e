/*
 * Hypercalls on x86_64. Each one calls its 32-byte stub in the hypercall page, which Xen
 * fills: at load time for PV (XEN_ELFNOTE_HYPERCALL_PAGE, stubs using `syscall`), when
 * the PVH entry writes the page's address to Xen's MSR (pvh_setup.c; stubs using
 * `vmcall` or `vmmcall`, whichever this CPU has). ABI (docs/guest-guide/x86/
 * hypercall-abi.rst): %rax = number and result; arguments in %rdi %rsi %rdx %r10 %r8;
 * Xen may clobber the argument registers, and the PV stub's `syscall` clobbers %rcx
 * and %r11.
 */
#ifndef ARCH_X86_64_HYPERCALL_H
#define ARCH_X86_64_HYPERCALL_H

#include <stdint.h>
#include <xen/xen.h>

extern char hypercall_page[4096];

static inline long hypercall5(unsigned int nr, unsigned long a1, unsigned long a2, unsigned long a3,
			      unsigned long a4, unsigned long a5)
{
	register unsigned long rdi asm("rdi") = a1;
	register unsigned long rsi asm("rsi") = a2;
	register unsigned long rdx asm("rdx") = a3;
	register unsigned long r10 asm("r10") = a4;
	register unsigned long r8 asm("r8") = a5;
	long ret;

	asm volatile("call *%[stub]"
		     : "=a"(ret), "+r"(rdi), "+r"(rsi), "+r"(rdx), "+r"(r10), "+r"(r8)
		     : [stub] "r"(hypercall_page + nr * 32)
		     : "rcx", "r11", "memory");
	return ret;
}

#define hypercall1(nr, a1)     hypercall5(nr, (unsigned long)(a1), 0, 0, 0, 0)
#define hypercall2(nr, a1, a2) hypercall5(nr, (unsigned long)(a1), (unsigned long)(a2), 0, 0, 0)
#define hypercall3(nr, a1, a2, a3)                                                                 \
	hypercall5(nr, (unsigned long)(a1), (unsigned long)(a2), (unsigned long)(a3), 0, 0)
#define hypercall4(nr, a1, a2, a3, a4)                                                             \
	hypercall5(nr, (unsigned long)(a1), (unsigned long)(a2), (unsigned long)(a3),              \
		   (unsigned long)(a4), 0)

static inline long HYPERVISOR_console_io(int cmd, int count, const char *buf)
{
	return hypercall3(__HYPERVISOR_console_io, cmd, count, buf);
}

static inline long HYPERVISOR_sched_op(int cmd, void *arg)
{
	return hypercall2(__HYPERVISOR_sched_op, cmd, arg);
}

static inline long HYPERVISOR_event_channel_op(int cmd, void *arg)
{
	return hypercall2(__HYPERVISOR_event_channel_op, cmd, arg);
}

static inline long HYPERVISOR_xen_version(int cmd, void *arg)
{
	return hypercall2(__HYPERVISOR_xen_version, cmd, arg);
}

static inline long HYPERVISOR_vcpu_op(int cmd, unsigned int vcpu, void *arg)
{
	return hypercall3(__HYPERVISOR_vcpu_op, cmd, vcpu, arg);
}

static inline long HYPERVISOR_memory_op(unsigned int cmd, void *arg)
{
	return hypercall2(__HYPERVISOR_memory_op, cmd, arg);
}

static inline long HYPERVISOR_grant_table_op(unsigned int cmd, void *uop, unsigned int count)
{
	return hypercall3(__HYPERVISOR_grant_table_op, cmd, uop, count);
}

/* HVM and PVH only: parameters the toolstack set (hvm/params.h), event delivery. */
static inline long HYPERVISOR_hvm_op(int op, void *arg)
{
	return hypercall2(__HYPERVISOR_hvm_op, op, arg);
}

/* PV only: these three exist because a PV guest cannot touch its page tables or IDT. */
static inline long HYPERVISOR_mmu_update(mmu_update_t *req, unsigned int count, unsigned int *done,
					 domid_t dom)
{
	return hypercall4(__HYPERVISOR_mmu_update, req, count, done, dom);
}

static inline long HYPERVISOR_update_va_mapping(unsigned long va, uint64_t pte, unsigned long flags)
{
	return hypercall3(__HYPERVISOR_update_va_mapping, va, pte, flags);
}

static inline long HYPERVISOR_mmuext_op(struct mmuext_op *op, unsigned int count,
					unsigned int *done, domid_t dom)
{
	return hypercall4(__HYPERVISOR_mmuext_op, op, count, done, dom);
}

static inline long HYPERVISOR_set_trap_table(const struct trap_info *table)
{
	return hypercall1(__HYPERVISOR_set_trap_table, table);
}

static inline long HYPERVISOR_callback_op(int cmd, const void *arg)
{
	return hypercall2(__HYPERVISOR_callback_op, cmd, arg);
}

static inline long HYPERVISOR_fpu_taskswitch(int set)
{
	return hypercall1(__HYPERVISOR_fpu_taskswitch, set);
}

#endif
