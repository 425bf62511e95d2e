/*
 * fpstate: each thread keeps its own floating-point control state across thread
 * switches. Two threads divide 1 by 3 in turn, yielding between rounds: one rounds
 * upwards (MXCSR), the other to nearest with the x87 unit set to double precision
 * (its control word). Each checks, after every switch, that its own modes are still in
 * force and that the quotient's bits are the ones its rounding gives. Returns 0 if all
 * rounds of both agree, 1 otherwise (the domain then crashes).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <skiff/thread.h>

#define ROUNDS 5

struct mode {
	const char *name;
	uint32_t mxcsr;	 /* 0x1f80 | rounding control in bits 13-14 */
	uint16_t x87_cw; /* 0x037f | precision control in bits 8-9 */
	uint64_t third;	 /* the bits of 1.0 / 3.0 under that rounding */
	int bad;
};

static struct mode modes[2] = {
	{"upward", 0x1f80 | (2 << 13), 0x037f, 0x3fd5555555555556, 0},
	{"nearest", 0x1f80, 0x027f, 0x3fd5555555555555, 0},
};

static volatile double one = 1.0, three = 3.0;

/* MXCSR's control bits: its low 6 are exception flags, which division sets (inexact). */
static uint32_t get_mxcsr(void)
{
	uint32_t v;

	asm volatile("stmxcsr %0" : "=m"(v));
	return v & ~0x3fu;
}

static uint16_t get_x87_cw(void)
{
	uint16_t v;

	asm volatile("fnstcw %0" : "=m"(v));
	return v;
}

static int divider(void *arg)
{
	struct mode *m = arg;

	asm volatile("ldmxcsr %0" ::"m"(m->mxcsr));
	asm volatile("fldcw %0" ::"m"(m->x87_cw));
	for (int i = 0; i < ROUNDS; i++) {
		double q = one / three;
		uint64_t bits;

		memcpy(&bits, &q, sizeof(bits));
		if (bits != m->third || get_mxcsr() != m->mxcsr || get_x87_cw() != m->x87_cw) {
			printf("fpstate: %s, round %d: 1/3 = %#lx, MXCSR %#x, x87 CW %#x; expected "
			       "%#lx, "
			       "%#x, %#x\n",
			       m->name, i + 1, (unsigned long)bits, get_mxcsr(), get_x87_cw(),
			       (unsigned long)m->third, m->mxcsr, m->x87_cw);
			m->bad++;
		}
		thread_yield(); /* the other thread runs, with its own modes */
	}
	printf("fpstate: %s: %d rounds, %d wrong\n", m->name, ROUNDS, m->bad);
	return 0;
}

int main(void)
{
	struct thread *a = thread_create("upward", divider, &modes[0]);
	struct thread *b = thread_create("nearest", divider, &modes[1]);

	thread_join(a, NULL);
	thread_join(b, NULL);
	/* main's own thread never changed its modes: still the ABI's defaults. */
	if (get_mxcsr() != 0x1f80 || get_x87_cw() != 0x037f) {
		printf("fpstate: main's modes changed: MXCSR %#x, x87 CW %#x\n", get_mxcsr(),
		       get_x87_cw());
		return 1;
	}
	if (modes[0].bad || modes[1].bad)
		return 1;
	printf("fpstate: ok\n");
	return 0;
}
