/* Fatal errors in Skiff's own code (never for data from another domain). */
#ifndef LIB_PANIC_H
#define LIB_PANIC_H

/* Print the message and a backtrace, then crash the domain. */
void panic(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
/* Flush the console and crash the domain (after a fault dump has been printed). */
void panic_crash(void) __attribute__((noreturn));

#endif
