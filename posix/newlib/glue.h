/* Between the files of the newlib glue. */
#ifndef POSIX_NEWLIB_GLUE_H
#define POSIX_NEWLIB_GLUE_H

#include <reent.h>
#include <stdint.h>

/* newlib's errno for the POSIX layer's -errno rc (rc < 0). */
int newlib_errno(long rc);

/* An error the glue finds itself, in newlib's number (EAFNOSUPPORT is 106 here, 97 in
 * the layer's): errno set, -1. */
static inline long newlib_fail(struct _reent *r, int err)
{
	r->_errno = err;
	return -1;
}

/* rc if it is not an error; else errno (of r) set, -1. */
static inline long newlib_ret(struct _reent *r, long rc)
{
	if (rc >= 0)
		return rc;
	r->_errno = newlib_errno(rc);
	return -1;
}

/*
 * The glue's state of one thread (kernel/thread_libc.h's pointer): made on the first
 * call that needs it (or by pthread_create(), for the thread it makes) and freed in the
 * thread as it exits.
 */
struct newlib_pthread;
struct newlib_key_value;
struct _pthread_cleanup_context;
struct newlib_thread {
	struct _reent *reent;		/* newlib's (errno, strtok's place...), made on first use */
	struct newlib_pthread *pthread; /* its pthread_t's record, once it has one */
	struct newlib_key_value *keys;	/* pthread_setspecific()'s values, by key slot */
	unsigned int nkeys;
	struct _pthread_cleanup_context *cleanup; /* pthread_cleanup_push()'s, innermost first */
	/* Set by pthread.c once the thread has any of the above: run at the thread's end,
	 * before its struct _reent goes (key destructors may use newlib). */
	void (*pthread_end)(struct newlib_thread *nt);
};

/* The calling thread's state, made if it has none; NULL if memory ran out. */
struct newlib_thread *newlib_thread(void);
/* The calling thread's state if it has one, else NULL. */
struct newlib_thread *newlib_thread_peek(void);
/* Make nt (calloc()ed, by the thread that created this one) the calling thread's. */
void newlib_thread_install(struct newlib_thread *nt);

/*
 * The numbers pthread objects are known by (pthread_t, pthread_mutex_t... are 32-bit
 * integers in newlib): an index into a table of the objects and a generation, so that
 * a number stays wrong once its object is gone. Never 0 or 0xFFFFFFFF (the static
 * initializers). 0 from newlib_id_add: no memory, or the table is full.
 */
struct newlib_id_slot;
struct newlib_ids {
	struct newlib_id_slot *slot;
	uint32_t used, cap; /* slots handed out at least once; slots allocated */
	uint32_t free;	    /* a free slot + 1, 0 if none: the list of them */
};
uint32_t newlib_id_add(struct newlib_ids *ids, void *obj);
void *newlib_id_get(const struct newlib_ids *ids, uint32_t id);
void newlib_id_remove(struct newlib_ids *ids, uint32_t id);

#endif
