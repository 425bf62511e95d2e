/*
 * Internal to arch/x86_64: everything that differs between the two boot modes, in one
 * table. The entry point Xen chose (pv_setup.c or pvh_setup.c) sets arch_mode before
 * anything else runs; the functions of arch.h forward to it (setup.c).
 */
#ifndef ARCH_X86_64_MODE_H
#define ARCH_X86_64_MODE_H

#include <stdint.h>

struct arch_mode {
	void (*traps_init)(void);
	void (*mm_init)(void);
	unsigned long (*virt_to_frame)(const void *va);
	int (*page_guard)(void *va);
	int (*page_unguard)(void *va);
	void *(*grant_frame)(unsigned int index);
	unsigned long (*events_save_disable)(void);
	void (*events_restore)(unsigned long flags);
	void (*events_wait)(void);
	/* The address a page fault was taken on (%cr2, which a PV guest cannot read). */
	unsigned long (*fault_address)(void);
	/* Called for #NM (device not available); returns once the FPU is usable again. */
	void (*fpu_restore)(void);
};

extern const struct arch_mode *arch_mode;
extern const struct arch_mode pv_mode, pvh_mode;

#endif
