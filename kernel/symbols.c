#include <stddef.h>
#include <stdint.h>

#include "arch/upcalls.h"

/* tools/mksyms.sh: offsets of each symbol from _text, of each name from the names. */
extern const uint32_t skiff_syms_count;
extern const uint32_t skiff_syms_addr[];
extern const uint32_t skiff_syms_name[];
extern const char skiff_syms_names[];
extern char _text[], _etext[];

const char *symbol_lookup(unsigned long addr, unsigned long *offset)
{
	uint32_t lo = 0, hi = skiff_syms_count;
	unsigned long at = addr - (unsigned long)_text;

	if (!hi || addr < (unsigned long)_text || addr >= (unsigned long)_etext ||
	    at < skiff_syms_addr[0])
		return NULL;
	/* The table is sorted: find the last symbol at or below addr. */
	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (skiff_syms_addr[mid] <= at)
			lo = mid;
		else
			hi = mid;
	}
	*offset = at - skiff_syms_addr[lo];
	return skiff_syms_names + skiff_syms_name[lo];
}
