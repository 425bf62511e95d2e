/*
 * pthreads over Skiff's cooperative threads: threads, pthread_once, keys and cleanup
 * handlers (the mutexes, condition variables and rwlocks are pthread_sync.c's).
 *
 * Each pthread is a Skiff thread (kernel/thread.c): one vCPU, no preemption, so a
 * thread runs until it blocks, sleeps, yields or exits, and nothing here needs an
 * atomic operation: no other thread runs between two of its statements.
 *
 * newlib's pthread_t, pthread_key_t, pthread_mutex_t... are 32-bit integers, not
 * structures, so each object lives in a table of its kind and the integer is its
 * number there (struct newlib_ids). A thread has a record (struct newlib_pthread) from
 * pthread_create() until it is joined, or until it ends if detached; a thread not made
 * by pthread_create() (the program's main thread, a thread of Skiff's own API) gets one
 * when it first asks for pthread_self(), kept until it ends. The per-thread state (key
 * values, cleanup handlers) hangs off the glue's struct newlib_thread (reent.c).
 *
 * Errors are returned as newlib's errno numbers, not set in errno, as POSIX has it.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <skiff/thread.h>

#include "libc/printk.h"
#include "posix/newlib/glue.h"
#include "posix/sys.h"

/* ---- the tables of numbered objects ----------------------------------------------- */

/*
 * A number is (generation << SLOT_BITS) | (slot + 1). slot + 1 never reaches
 * SLOT_MASK, so no number is 0 or 0xFFFFFFFF, the values newlib's static initializers
 * (and zeroed memory) give an object not made yet. Each reuse of a slot bumps its
 * generation: an old number then names nothing (ESRCH, EINVAL) rather than the new
 * object, until 4096 reuses later.
 */
#define SLOT_BITS 20
#define SLOT_MASK ((1u << SLOT_BITS) - 1)
#define SLOT_MAX  (SLOT_MASK - 1) /* slots per table: 1,048,574 */

struct newlib_id_slot {
	void *obj;	    /* NULL while free */
	uint32_t next_free; /* the next free slot + 1, while free */
	uint32_t gen;	    /* of SLOT_BITS' complement's width */
};

static uint32_t id_of(uint32_t slot, uint32_t gen)
{
	return (gen << SLOT_BITS) | (slot + 1);
}

uint32_t newlib_id_add(struct newlib_ids *ids, void *obj)
{
	uint32_t slot;

	if (ids->free) {
		slot = ids->free - 1;
		ids->free = ids->slot[slot].next_free;
	} else {
		if (ids->used == ids->cap) {
			uint32_t cap = ids->cap ? ids->cap * 2 : 16;
			struct newlib_id_slot *s;

			if (cap > SLOT_MAX)
				cap = SLOT_MAX;
			if (cap == ids->cap)
				return 0; /* full */
			s = realloc(ids->slot, cap * sizeof(*s));
			if (!s)
				return 0;
			ids->slot = s;
			ids->cap = cap;
		}
		slot = ids->used++;
		ids->slot[slot].gen = 0;
	}
	ids->slot[slot].obj = obj;
	return id_of(slot, ids->slot[slot].gen);
}

void *newlib_id_get(const struct newlib_ids *ids, uint32_t id)
{
	uint32_t slot = (id & SLOT_MASK) - 1; /* a wrapping 0 - 1 is out of range too */

	if (slot >= ids->used || !ids->slot[slot].obj || id_of(slot, ids->slot[slot].gen) != id)
		return NULL;
	return ids->slot[slot].obj;
}

void newlib_id_remove(struct newlib_ids *ids, uint32_t id)
{
	uint32_t slot = (id & SLOT_MASK) - 1;

	if (!newlib_id_get(ids, id))
		return;
	ids->slot[slot].obj = NULL;
	ids->slot[slot].gen = (ids->slot[slot].gen + 1) & (0xFFFFFFFFu >> SLOT_BITS);
	ids->slot[slot].next_free = ids->free;
	ids->free = slot + 1;
}

/* ---- threads ---------------------------------------------------------------------- */

struct newlib_pthread {
	pthread_t id;
	struct thread *thread;
	struct newlib_thread *state; /* for the new thread to install as it starts */
	void *(*fn)(void *);
	void *arg;
	void *retval;  /* what fn returned, or pthread_exit()'s value */
	bool created;  /* by pthread_create(); else adopted, and no pthread joins it */
	bool detached; /* its record goes as it ends */
	bool joining;  /* a pthread_join() waits for it */
	bool ended;    /* its end has run: only the join (or a detach) is left */
};

static struct newlib_ids threads;
/* The threads pthread_create() made that have not ended: a pthread_exit() of the main
 * thread waits for none to be left. */
static unsigned int running;
static struct wait_queue all_ended = WAIT_QUEUE_INIT;

static void thread_end(struct newlib_thread *nt);

static void free_record(struct newlib_pthread *p)
{
	newlib_id_remove(&threads, p->id);
	free(p);
}

static int start(void *arg)
{
	struct newlib_pthread *p = arg;

	newlib_thread_install(p->state);
	pthread_exit(p->fn(p->arg));
}

int pthread_create(pthread_t *id, const pthread_attr_t *attr, void *(*fn)(void *), void *arg)
{
	size_t stack = SYS_MAIN_STACK;
	bool detached = false;
	struct newlib_pthread *p;

	if (attr) {
		if (!attr->is_initialized)
			return EINVAL;
		stack = (size_t)attr->stacksize;
		detached = attr->detachstate == PTHREAD_CREATE_DETACHED;
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		return EAGAIN;
	p->state = calloc(1, sizeof(*p->state));
	p->id = p->state ? newlib_id_add(&threads, p) : 0;
	if (p->id)
		p->thread = thread_create_stack("pthread", start, p, stack);
	if (!p->thread) {
		if (p->id)
			newlib_id_remove(&threads, p->id);
		free(p->state);
		free(p);
		return EAGAIN; /* no memory for its stack, or too many threads */
	}
	p->state->pthread = p;
	p->state->pthread_end = thread_end;
	p->fn = fn;
	p->arg = arg;
	p->created = true;
	/* It runs once this thread gives way: its number is the caller's before that. */
	if (detached) {
		thread_detach(p->thread);
		p->detached = true;
	}
	running++;
	*id = p->id;
	return 0;
}

pthread_t pthread_self(void)
{
	struct newlib_thread *nt = newlib_thread();
	struct newlib_pthread *p;

	if (!nt)
		return 0; /* no memory: a number that names no thread */
	if (nt->pthread)
		return nt->pthread->id;
	/* A thread of Skiff's own or the main thread: a record from now until it ends. */
	p = calloc(1, sizeof(*p));
	if (!p)
		return 0;
	p->id = newlib_id_add(&threads, p);
	if (!p->id) {
		free(p);
		return 0;
	}
	p->thread = thread_self();
	nt->pthread = p;
	nt->pthread_end = thread_end;
	return p->id;
}

int pthread_equal(pthread_t a, pthread_t b)
{
	return a == b;
}

int pthread_join(pthread_t id, void **retval)
{
	struct newlib_pthread *p = newlib_id_get(&threads, id);

	if (!p)
		return ESRCH;
	if (p->thread == thread_self())
		return EDEADLK;
	/* Adopted threads belong to whoever made them (the main thread: Skiff's start). */
	if (!p->created || p->detached || p->joining)
		return EINVAL;
	p->joining = true;
	if (thread_join(p->thread, NULL)) {
		p->joining = false; /* not for any of the reasons above: cannot happen */
		return EINVAL;
	}
	if (retval)
		*retval = p->retval;
	free_record(p);
	return 0;
}

int pthread_detach(pthread_t id)
{
	struct newlib_pthread *p = newlib_id_get(&threads, id);

	if (!p)
		return ESRCH;
	if (!p->created || p->detached || p->joining)
		return EINVAL;
	thread_detach(p->thread); /* frees it now if it ended, else as it ends */
	if (p->ended)
		free_record(p);
	else
		p->detached = true;
	return 0;
}

static void run_destructors(struct newlib_thread *nt);

void pthread_exit(void *retval)
{
	struct newlib_thread *nt = newlib_thread_peek();

	/* The cleanup handlers still pushed, innermost first; then the key destructors,
	 * as the thread ends (thread_end). */
	while (nt && nt->cleanup) {
		struct _pthread_cleanup_context *c = nt->cleanup;

		nt->cleanup = c->_previous;
		c->_routine(c->_arg);
	}
	if (nt && nt->pthread)
		nt->pthread->retval = retval;
	if (sys_in_main_thread()) {
		/* The program ends after its last thread, with status 0 (exit(0): atexit
		 * handlers, stdio flushed). */
		if (nt)
			run_destructors(nt);
		while (running)
			wait_queue_sleep(&all_ended);
		exit(0);
	}
	thread_exit(0);
}

int sched_yield(void)
{
	thread_yield();
	return 0;
}

void pthread_yield(void)
{
	thread_yield();
}

/* ---- thread attributes ------------------------------------------------------------ */

int pthread_attr_init(pthread_attr_t *attr)
{
	memset(attr, 0, sizeof(*attr));
	attr->is_initialized = 1;
	attr->stacksize = SYS_MAIN_STACK; /* the main thread's: ported code expects a big one */
	attr->contentionscope = PTHREAD_SCOPE_SYSTEM;
	attr->inheritsched = PTHREAD_INHERIT_SCHED;
	attr->detachstate = PTHREAD_CREATE_JOINABLE;
	return 0;
}

int pthread_attr_destroy(pthread_attr_t *attr)
{
	if (!attr->is_initialized)
		return EINVAL;
	attr->is_initialized = 0;
	return 0;
}

int pthread_attr_setdetachstate(pthread_attr_t *attr, int state)
{
	if (!attr->is_initialized ||
	    (state != PTHREAD_CREATE_JOINABLE && state != PTHREAD_CREATE_DETACHED))
		return EINVAL;
	attr->detachstate = state;
	return 0;
}

int pthread_attr_getdetachstate(const pthread_attr_t *attr, int *state)
{
	if (!attr->is_initialized)
		return EINVAL;
	*state = attr->detachstate;
	return 0;
}

/* Any size up to the kernel's most (THREAD_STACK_MAX): a small one becomes the
 * kernel's least (THREAD_STACK_SIZE, 16 KiB), each with a guard page below it. */
int pthread_attr_setstacksize(pthread_attr_t *attr, size_t size)
{
	if (!attr->is_initialized || !size || size > THREAD_STACK_MAX)
		return EINVAL;
	attr->stacksize = (int)size;
	return 0;
}

int pthread_attr_getstacksize(const pthread_attr_t *attr, size_t *size)
{
	if (!attr->is_initialized)
		return EINVAL;
	*size = (size_t)attr->stacksize;
	return 0;
}

/* ---- pthread_once ----------------------------------------------------------------- */

/* init_executed: 0 not run (PTHREAD_ONCE_INIT), 1 run, ONCE_RUNNING while it runs. */
#define ONCE_DONE    1
#define ONCE_RUNNING 2
static struct wait_queue once_waiters = WAIT_QUEUE_INIT;

int pthread_once(pthread_once_t *once, void (*init)(void))
{
	if (!once || !init)
		return EINVAL;
	/* Another thread's init() may block: the others wait for it to finish. */
	while (once->init_executed == ONCE_RUNNING)
		wait_queue_sleep(&once_waiters);
	if (once->init_executed == ONCE_DONE)
		return 0;
	once->init_executed = ONCE_RUNNING;
	init();
	once->init_executed = ONCE_DONE;
	wait_queue_wake_all(&once_waiters);
	return 0;
}

/* ---- keys ------------------------------------------------------------------------- */

/* How many rounds of destructors a thread's end runs while they set values again:
 * POSIX's PTHREAD_DESTRUCTOR_ITERATIONS, which newlib does not define. */
#define DESTRUCTOR_ROUNDS 4

struct key {
	void (*destructor)(void *value);
};

/* A thread's value of a key: kept with the key's number, so that the value of a
 * deleted key is not that of a new key in its slot. */
struct newlib_key_value {
	pthread_key_t key;
	void *value;
};

static struct newlib_ids keys;

int pthread_key_create(pthread_key_t *key, void (*destructor)(void *))
{
	struct key *k = malloc(sizeof(*k));

	if (!k)
		return ENOMEM;
	k->destructor = destructor;
	*key = newlib_id_add(&keys, k);
	if (!*key) {
		free(k);
		return EAGAIN;
	}
	return 0;
}

/* No destructor runs: POSIX leaves the values to the program. */
int pthread_key_delete(pthread_key_t key)
{
	struct key *k = newlib_id_get(&keys, key);

	if (!k)
		return EINVAL;
	newlib_id_remove(&keys, key);
	free(k);
	return 0;
}

static unsigned int key_slot(pthread_key_t key)
{
	return (key & SLOT_MASK) - 1;
}

int pthread_setspecific(pthread_key_t key, const void *value)
{
	struct newlib_thread *nt;
	unsigned int slot = key_slot(key);

	if (!newlib_id_get(&keys, key))
		return EINVAL;
	nt = newlib_thread();
	if (!nt)
		return ENOMEM;
	if (slot >= nt->nkeys) {
		unsigned int n = slot < 8 ? 8 : slot * 2;
		struct newlib_key_value *v = realloc(nt->keys, n * sizeof(*v));

		if (!v)
			return ENOMEM;
		memset(v + nt->nkeys, 0, (n - nt->nkeys) * sizeof(*v));
		nt->keys = v;
		nt->nkeys = n;
	}
	nt->keys[slot].key = key;
	nt->keys[slot].value = (void *)value;
	nt->pthread_end = thread_end;
	return 0;
}

void *pthread_getspecific(pthread_key_t key)
{
	struct newlib_thread *nt = newlib_thread_peek();
	unsigned int slot = key_slot(key);

	if (!nt || slot >= nt->nkeys || nt->keys[slot].key != key || !newlib_id_get(&keys, key))
		return NULL;
	return nt->keys[slot].value;
}

/* Each non-NULL value of a live key with a destructor: set to NULL, then destructor(value);
 * again while destructors set values, up to DESTRUCTOR_ROUNDS rounds. */
static void run_destructors(struct newlib_thread *nt)
{
	for (int round = 0; round < DESTRUCTOR_ROUNDS; round++) {
		bool ran = false;

		/* nt->keys may move as a destructor sets a value: indexed afresh each time. */
		for (unsigned int i = 0; i < nt->nkeys; i++) {
			struct key *k = newlib_id_get(&keys, nt->keys[i].key);
			void *value = nt->keys[i].value;

			if (!value || !k || !k->destructor)
				continue;
			nt->keys[i].value = NULL;
			k->destructor(value);
			ran = true;
		}
		if (!ran)
			break;
	}
}

/* ---- cleanup handlers (pthread_cleanup_push and _pop are newlib's macros) -------- */

void _pthread_cleanup_push(struct _pthread_cleanup_context *c, void (*routine)(void *), void *arg)
{
	struct newlib_thread *nt = newlib_thread();

	if (!nt) {
		/* The handler could not run when it should: better no program than that. */
		printk("posix: pthread_cleanup_push: no memory for the thread's state\n");
		abort();
	}
	c->_routine = routine;
	c->_arg = arg;
	c->_canceltype = 0;
	c->_previous = nt->cleanup;
	nt->cleanup = c;
}

void _pthread_cleanup_pop(struct _pthread_cleanup_context *c, int execute)
{
	struct newlib_thread *nt = newlib_thread_peek();

	if (nt)
		nt->cleanup = c->_previous;
	if (execute)
		c->_routine(c->_arg);
}

/* ---- a thread's end ----------------------------------------------------------------- */

/* In the ending thread (reent.c's free_thread), before its struct _reent goes. */
static void thread_end(struct newlib_thread *nt)
{
	struct newlib_pthread *p = nt->pthread;

	run_destructors(nt);
	free(nt->keys);
	nt->keys = NULL;
	nt->nkeys = 0;
	if (!p)
		return;
	nt->pthread = NULL;
	if (p->created) {
		running--;
		wait_queue_wake_all(&all_ended);
	}
	/* Nothing from here on may block: a pthread_detach() that sees ended frees the
	 * record, and the kernel's thread must have ended by then. */
	p->ended = true;
	if (p->detached || !p->created)
		free_record(p);
}
