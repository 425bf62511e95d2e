/*
 * Cooperative context switch. A switch happens only at a call, so only the
 * callee-saved registers of the System V ABI need saving; the rest are dead.
 *
 *	void arch_switch_to(struct arch_context *prev, struct arch_context *next)
 */
	.text
	.globl arch_switch_to
arch_switch_to:
	pushq	%rbp
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	movq	%rsp, (%rdi)	/* prev->rsp */
	movq	(%rsi), %rsp	/* next->rsp */
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	popq	%rbp
	ret

/*
 * First code of a new thread: arch_context_init() left the entry function in %r12
 * and its argument in %r13. %rbp is 0 so a backtrace stops here.
 */
	.globl arch_thread_start
arch_thread_start:
	movq	%r13, %rdi
	call	*%r12
	ud2			/* entry functions never return */
