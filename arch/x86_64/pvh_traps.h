/* Between pvh_entry.S and pvh_traps.c. */
#ifndef ARCH_PVH_TRAPS_H
#define ARCH_PVH_TRAPS_H

/* The bytes between two exception stubs of pvh_entry.S (each fits in 9). */
#define TRAP_STUB_SIZE 16

#endif
