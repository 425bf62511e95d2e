/*
 * For the entry stubs (pv_entry.S, pvh_entry.S): save and restore every general
 * register in the order of struct cpu_regs (arch.h), r15 at the lowest address.
 */
#ifndef ARCH_X86_64_SAVE_REGS_H
#define ARCH_X86_64_SAVE_REGS_H

#define SAVE_ALL	\
	pushq %rdi;	\
	pushq %rsi;	\
	pushq %rdx;	\
	pushq %rcx;	\
	pushq %rax;	\
	pushq %r8;	\
	pushq %r9;	\
	pushq %r10;	\
	pushq %r11;	\
	pushq %rbx;	\
	pushq %rbp;	\
	pushq %r12;	\
	pushq %r13;	\
	pushq %r14;	\
	pushq %r15

#define RESTORE_ALL	\
	popq %r15;	\
	popq %r14;	\
	popq %r13;	\
	popq %r12;	\
	popq %rbp;	\
	popq %rbx;	\
	popq %r11;	\
	popq %r10;	\
	popq %r9;	\
	popq %r8;	\
	popq %rax;	\
	popq %rcx;	\
	popq %rdx;	\
	popq %rsi;	\
	popq %rdi

#endif
