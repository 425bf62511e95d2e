#include <stddef.h>
#include <stdint.h>

#include "arch/upcalls.h"

extern const uint64_t skiff_syms_count;
extern const uint64_t skiff_syms_addr[];
extern const char *const skiff_syms_name[];
extern char _etext[];

const char *symbol_lookup(unsigned long addr, unsigned long *offset)
{
	uint64_t lo = 0, hi = skiff_syms_count;

	if (!hi || addr < skiff_syms_addr[0] || addr >= (unsigned long)_etext)
		return NULL;
	/* The table is sorted: find the last symbol at or below addr. */
	while (hi - lo > 1) {
		uint64_t mid = lo + (hi - lo) / 2;

		if (skiff_syms_addr[mid] <= addr)
			lo = mid;
		else
			hi = mid;
	}
	*offset = addr - skiff_syms_addr[lo];
	return skiff_syms_name[lo];
}
