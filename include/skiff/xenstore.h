/*
 * Xenstore: the hierarchical key-value store every domain shares with the toolstack
 * and the backends. Relative paths ("name", "device/vbd") start at this domain's home,
 * /local/domain/<domid>. Every call blocks the calling thread until xenstored answers
 * and returns 0 or a negative errno (-ENOENT, -EACCES, -EAGAIN, ...).
 */
#ifndef SKIFF_XENSTORE_H
#define SKIFF_XENSTORE_H

#include <stdbool.h>
#include <stdint.h>

typedef uint32_t xs_transaction_t;
#define XS_NO_TRANSACTION 0

/* *value: a malloc'd, NUL-terminated copy; free() it. */
int xs_read(xs_transaction_t t, const char *path, char **value);
int xs_write(xs_transaction_t t, const char *path, const char *value);
int xs_printf(xs_transaction_t t, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int xs_mkdir(xs_transaction_t t, const char *path);
int xs_rm(xs_transaction_t t, const char *path);
/* *names: malloc'd array of *count names (one block: free(*names) frees all). */
int xs_directory(xs_transaction_t t, const char *path, char ***names, unsigned int *count);

/* Permissions: the first entry is the owner (and what others get by default). */
struct xs_perm {
	char access; /* 'n' none, 'r' read, 'w' write, 'b' both */
	uint16_t domid;
};
int xs_get_perms(xs_transaction_t t, const char *path, struct xs_perm *perms, unsigned int max,
		 unsigned int *count);
int xs_set_perms(xs_transaction_t t, const char *path, const struct xs_perm *perms,
		 unsigned int count);

/* Strict readers of values another domain wrote: a clear error instead of a guess. */
int xs_read_uint(xs_transaction_t t, const char *path, unsigned long long max,
		 unsigned long long *out);
int xs_read_mac(xs_transaction_t t, const char *path, uint8_t mac[6]);

int xs_transaction_start(xs_transaction_t *t);
int xs_transaction_end(xs_transaction_t t, bool abort);
/* Run fn in a transaction, again from the start while the commit fails with -EAGAIN. */
int xs_transact(int (*fn)(xs_transaction_t t, void *arg), void *arg);

/*
 * Watches: fn(path, arg) runs in the xenstore watch thread (so it may call xenstore)
 * whenever path or anything below it changes, and once right after xs_watch(). 0 and
 * *watch, the handle for xs_unwatch(); or a negative errno (-ENOMEM, or xenstored's
 * refusal) and *watch NULL.
 */
struct xs_watch;
int xs_watch(const char *path, void (*fn)(const char *path, void *arg), void *arg,
	     struct xs_watch **watch);
/*
 * The same, but notify(arg) runs in the xenstore reader thread as soon as the event
 * arrives, whatever the watch thread is doing: it must only wake a thread (no waiting,
 * no xenstore calls). Each device's state watch uses it, so its own thread reacts.
 */
int xs_watch_notify(const char *path, void (*notify)(void *arg), void *arg,
		    struct xs_watch **watch);
int xs_unwatch(struct xs_watch *w);

/* This domain's id and name, read from xenstore at start. */
unsigned int xs_domid(void);
const char *xs_domain_name(void);

#endif
