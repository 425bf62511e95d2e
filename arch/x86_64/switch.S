/*
 * Cooperative context switch. A switch happens only at a call, so only what the
 * System V ABI says a call preserves needs saving: the callee-saved registers, and
 * the control bits of MXCSR and the x87 control word (rounding, precision, exception
 * masks: a thread that sets a rounding mode keeps it). The vector and x87 data
 * registers are the caller's to save around any call, so they are dead here.
 *
 *	void arch_switch_to(struct arch_context *prev, struct arch_context *next)
 *
 * The stack of a switched-out thread, from its saved %rsp up:
 *	MXCSR (4 bytes), x87 control word (2), padding (2), r15 r14 r13 r12 rbx rbp, return
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
	subq	$8, %rsp
	stmxcsr	(%rsp)
	fnstcw	4(%rsp)
	movq	%rsp, (%rdi)	/* prev->rsp */
	movq	(%rsi), %rsp	/* next->rsp */
	ldmxcsr	(%rsp)
	fldcw	4(%rsp)
	addq	$8, %rsp
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
