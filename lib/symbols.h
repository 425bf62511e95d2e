/* Function names for addresses, from the table tools/mksyms.sh embeds at link time. */
#ifndef LIB_SYMBOLS_H
#define LIB_SYMBOLS_H

/* The function containing addr and the offset into it, or NULL if none does. */
const char *symbol_lookup(unsigned long addr, unsigned long *offset);

#endif
