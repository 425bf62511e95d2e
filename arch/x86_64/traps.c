/*
 * Exceptions, in both boot modes: the entry stubs (pv_entry.S, pvh_entry.S) save the
 * registers as a struct cpu_regs and call do_trap(). Apart from the lazy-FPU trap,
 * every exception is fatal: dump the registers and a symbolised backtrace, then crash
 * the domain so that `xl` reports it as crashed.
 */
#include <stdint.h>

#include <arch.h>
#include "arch/upcalls.h"
#include "libc/printk.h"
#include "mode.h"

static const char *const trap_names[] = {
	"divide error",
	"debug",
	"NMI",
	"int3",
	"overflow",
	"bounds",
	"invalid opcode",
	"device not available",
	"double fault",
	"coprocessor segment overrun",
	"invalid TSS",
	"segment not present",
	"stack segment",
	"general protection",
	"page fault",
	"spurious interrupt",
	"x87 FPU error",
	"alignment check",
	"machine check",
	"SIMD error",
};

static void print_address(const char *label, unsigned long addr)
{
	unsigned long offset;
	const char *name = symbol_lookup(addr, &offset);

	if (name)
		printk("%s%016lx <%s+0x%lx>\n", label, addr, name, offset);
	else
		printk("%s%016lx\n", label, addr);
}

/* Is [addr, addr + 16) an 8-aligned piece of mapped RAM that may hold a frame? */
static bool frame_readable(unsigned long addr)
{
	return !(addr & 7) && addr >= VIRT_BASE &&
	       addr + 16 <= VIRT_BASE + boot_info.nr_pages * PAGE_SIZE;
}

static void backtrace_from(unsigned long rbp, unsigned long rip, unsigned long rsp)
{
	unsigned long offset;

	printk("Backtrace:\n");
	print_address("  ", rip);
	/*
	 * Where the faulting function has not pushed a frame, its return address is on
	 * top of the stack and %rbp is still its caller's: on its first instruction, or
	 * anywhere in a leaf that gcc built without a frame (one that uses no stack and
	 * so does not start with `push %rbp`, opcode 0x55).
	 */
	if (rsp && symbol_lookup(rip, &offset) &&
	    (offset == 0 || *(const unsigned char *)(rip - offset) != 0x55) && frame_readable(rsp))
		print_address("  ", *(unsigned long *)rsp);
	/* Each frame (-fno-omit-frame-pointer): [rbp] = caller's rbp, [rbp+8] = return address. */
	for (int depth = 0; depth < 32 && frame_readable(rbp); depth++) {
		unsigned long next = ((unsigned long *)rbp)[0];
		unsigned long ret = ((unsigned long *)rbp)[1];

		if (!ret)
			break;
		print_address("  ", ret);
		if (next <= rbp) /* frames grow upwards; anything else is a corrupt chain */
			break;
		rbp = next;
	}
}

void arch_backtrace(unsigned long rbp, unsigned long rip)
{
	backtrace_from(rbp, rip, 0);
}

void arch_dump_regs(const struct cpu_regs *r)
{
	print_address("RIP: ", r->rip);
	printk("RSP: %016lx RFLAGS: %08lx CS: %04lx SS: %04lx\n", r->rsp, r->rflags, r->cs, r->ss);
	printk("RAX: %016lx RBX: %016lx RCX: %016lx\n", r->rax, r->rbx, r->rcx);
	printk("RDX: %016lx RSI: %016lx RDI: %016lx\n", r->rdx, r->rsi, r->rdi);
	printk("RBP: %016lx R8:  %016lx R9:  %016lx\n", r->rbp, r->r8, r->r9);
	printk("R10: %016lx R11: %016lx R12: %016lx\n", r->r10, r->r11, r->r12);
	printk("R13: %016lx R14: %016lx R15: %016lx\n", r->r13, r->r14, r->r15);
}

void do_trap(struct cpu_regs *regs);
void do_trap(struct cpu_regs *regs)
{
	const char *name;

	if (regs->vector == 7) {
		arch_mode->fpu_restore(); /* device not available: CR0.TS was set */
		return;
	}

	if (regs->vector == (uint64_t)-2)
		name = "failsafe callback (Xen could not restore segment registers)";
	else if (regs->vector == (uint64_t)-3)
		name = "unexpected interrupt (a vector nothing was bound to)";
	else if (regs->vector < sizeof(trap_names) / sizeof(trap_names[0]))
		name = trap_names[regs->vector];
	else
		name = "unknown trap";

	printk("\n*** Fatal exception %ld: %s, error code 0x%lx\n", (long)regs->vector, name,
	       regs->error_code);
	if (regs->vector == 14)
		printk("Faulting address: %016lx (%s, %s)\n", arch_mode->fault_address(),
		       regs->error_code & 16  ? "instruction fetch"
		       : regs->error_code & 2 ? "write"
					      : "read",
		       regs->error_code & 1 ? "protection violation" : "not mapped");
	arch_dump_regs(regs);
	backtrace_from(regs->rbp, regs->rip, regs->rsp);
	panic_crash();
}
