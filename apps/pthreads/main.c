/*
 * pthreads: POSIX threads seen from a program that knows nothing of Skiff. Each check
 * prints "pthreads: NAME ok" or "pthreads: NAME FAILED: why"; tests/xen/areas/posix.sh
 * reads them. The last check is the program's end: main() calls pthread_exit() while a
 * detached thread still runs, which must print the summary ("pthreads: 0 failed")
 * before the program ends with exit(0).
 */
#include <errno.h>
#include <fcntl.h>
#include <fenv.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int failures;

static void check(const char *name, int ok, const char *why)
{
	if (ok) {
		printf("pthreads: %s ok\n", name);
	} else {
		printf("pthreads: %s FAILED: %s\n", name, why);
		failures++;
	}
}

static int64_t now_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* clock's time ms from now, as a timed wait's abstime. */
static struct timespec in_ms(clockid_t clock, long ms)
{
	int64_t at = now_ns(clock) + (int64_t)ms * 1000000;

	return (struct timespec){.tv_sec = at / 1000000000, .tv_nsec = at % 1000000000};
}

static int passed(clockid_t clock, const struct timespec *at)
{
	return now_ns(clock) >= (int64_t)at->tv_sec * 1000000000 + at->tv_nsec;
}

/* Run fn(arg) in a thread of its own and return what it returned. */
static intptr_t in_thread(void *(*fn)(void *), void *arg)
{
	pthread_t t;
	void *ret = (void *)-1;

	if (pthread_create(&t, NULL, fn, arg) || pthread_join(t, &ret))
		return -1;
	return (intptr_t)ret;
}

/* ---- create, join, exit, detach ---------------------------------------------------- */

struct started {
	intptr_t n;
	pthread_t self;
};

static void *times_ten(void *arg)
{
	struct started *s = arg;

	s->self = pthread_self();
	sched_yield();
	return (void *)(s->n * 10);
}

static int after_exit;

static void leave_with_42(void)
{
	pthread_exit((void *)42);
}

static void *exits_half_way(void *arg)
{
	leave_with_42();
	after_exit = 1;
	return NULL;
}

static void *join_myself(void *arg)
{
	return (void *)(intptr_t)pthread_join(pthread_self(), NULL);
}

static void check_create_join(void)
{
	struct started s[4];
	pthread_t t[4];
	void *ret;
	int ok = 1, selves = 1;

	for (int i = 0; i < 4; i++) {
		s[i] = (struct started){.n = i + 1};
		ok &= pthread_create(&t[i], NULL, times_ten, &s[i]) == 0;
	}
	for (int i = 0; i < 4 && ok; i++) {
		ok &= pthread_join(t[i], &ret) == 0 && (intptr_t)ret == (i + 1) * 10;
		selves &= pthread_equal(s[i].self, t[i]) && !pthread_equal(t[i], pthread_self());
	}
	check("create_join", ok, "four threads' return values through pthread_join");
	check("self_equal", ok && selves && pthread_equal(pthread_self(), pthread_self()),
	      "pthread_self() in a thread is the id pthread_create() gave");
	check("join_twice_esrch", ok && pthread_join(t[0], NULL) == ESRCH,
	      "a joined thread is gone");

	check("exit_value", in_thread(exits_half_way, NULL) == 42 && !after_exit,
	      "pthread_exit(42) from a nested call, nothing after it ran");
	check("join_self_edeadlk",
	      in_thread(join_myself, NULL) == EDEADLK &&
		      pthread_join(pthread_self(), NULL) == EDEADLK,
	      "a thread joining itself, and the main thread");
}

static volatile int detached_done[3];

static void *sleep_then_mark(void *arg)
{
	intptr_t i = (intptr_t)arg;

	usleep(10000);
	detached_done[i] = 1;
	return NULL;
}

static void *mark(void *arg)
{
	detached_done[(intptr_t)arg] = 1;
	return NULL;
}

static int wait_for(volatile int *flag)
{
	for (int i = 0; i < 1000 && !*flag; i++)
		usleep(1000);
	sched_yield(); /* it ends right after setting the flag */
	return *flag;
}

static void check_detach(void)
{
	pthread_attr_t attr;
	pthread_t a, b, c;
	int ok;

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	ok = pthread_create(&a, &attr, sleep_then_mark, (void *)0) == 0;
	ok &= pthread_join(a, NULL) == EINVAL; /* still running, and nobody's to join */
	ok &= wait_for(&detached_done[0]) && pthread_join(a, NULL) == ESRCH;
	pthread_attr_destroy(&attr);
	check("detached_attr", ok,
	      "a thread created detached runs, cannot be joined, is gone at its end");

	ok = pthread_create(&b, NULL, sleep_then_mark, (void *)1) == 0;
	ok &= pthread_detach(b) == 0 && pthread_detach(b) == EINVAL &&
	      pthread_join(b, NULL) == EINVAL;
	ok &= wait_for(&detached_done[1]);
	check("detach_running", ok, "pthread_detach of a running thread; again is EINVAL");

	ok = pthread_create(&c, NULL, mark, (void *)2) == 0;
	sched_yield(); /* it runs and ends, unjoined */
	ok &= detached_done[2] && pthread_detach(c) == 0 && pthread_join(c, NULL) == ESRCH;
	check("detach_ended", ok, "pthread_detach of a thread that has ended frees it");
}

/* ---- mutexes ----------------------------------------------------------------------- */

#define COUNTERS   8
#define INCREMENTS 100
static pthread_mutex_t counter_lock = PTHREAD_MUTEX_INITIALIZER;
static int counter, inside, most_inside, lock_errors;

/* Read, give way (a yield, or a sleep), write: without the mutex, updates get lost. */
static void *count_up(void *arg)
{
	intptr_t id = (intptr_t)arg;

	for (int i = 0; i < INCREMENTS; i++) {
		int v;

		lock_errors += pthread_mutex_lock(&counter_lock) != 0;
		if (++inside > most_inside)
			most_inside = inside;
		v = counter;
		if ((i + id) % 3 == 0)
			usleep(100);
		else
			sched_yield();
		counter = v + 1;
		inside--;
		lock_errors += pthread_mutex_unlock(&counter_lock) != 0;
	}
	return NULL;
}

static void check_mutex_counter(void)
{
	pthread_t t[COUNTERS];
	char why[96];
	int ok = 1;

	for (intptr_t i = 0; i < COUNTERS; i++)
		ok &= pthread_create(&t[i], NULL, count_up, (void *)i) == 0;
	for (int i = 0; i < COUNTERS; i++)
		ok &= pthread_join(t[i], NULL) == 0;
	snprintf(why, sizeof(why), "counter %d of %d, at most %d inside at once, %d errors",
		 counter, COUNTERS * INCREMENTS, most_inside, lock_errors);
	check("mutex_counter",
	      ok && counter == COUNTERS * INCREMENTS && most_inside == 1 && !lock_errors, why);
}

static void *trylock_and_unlock(void *m)
{
	int rc = pthread_mutex_trylock(m);

	if (!rc)
		pthread_mutex_unlock(m);
	return (void *)(intptr_t)rc;
}

static void *unlock_it(void *m)
{
	return (void *)(intptr_t)pthread_mutex_unlock(m);
}

static int mutex_of_type(pthread_mutex_t *m, int type)
{
	pthread_mutexattr_t attr;
	int got = -1, rc;

	pthread_mutexattr_init(&attr);
	rc = pthread_mutexattr_settype(&attr, type) || pthread_mutexattr_gettype(&attr, &got) ||
	     got != type || pthread_mutex_init(m, &attr);
	pthread_mutexattr_destroy(&attr);
	return !rc;
}

static void check_mutex_types(void)
{
	pthread_mutex_t m;
	pthread_mutexattr_t attr;
	int ok;

	ok = mutex_of_type(&m, PTHREAD_MUTEX_RECURSIVE);
	ok &= !pthread_mutex_lock(&m) && !pthread_mutex_lock(&m) && !pthread_mutex_trylock(&m);
	ok &= in_thread(trylock_and_unlock, &m) == EBUSY;
	ok &= !pthread_mutex_unlock(&m) && !pthread_mutex_unlock(&m);
	ok &= in_thread(trylock_and_unlock, &m) == EBUSY; /* locked once still */
	ok &= !pthread_mutex_unlock(&m) && pthread_mutex_unlock(&m) == EPERM;
	ok &= in_thread(trylock_and_unlock, &m) == 0 && !pthread_mutex_destroy(&m);
	check("mutex_recursive", ok, "three locks, three unlocks, then free for another thread");

	ok = mutex_of_type(&m, PTHREAD_MUTEX_ERRORCHECK);
	ok &= !pthread_mutex_lock(&m) && pthread_mutex_lock(&m) == EDEADLK;
	ok &= in_thread(unlock_it, &m) == EPERM;
	ok &= pthread_mutex_destroy(&m) == EBUSY;
	ok &= !pthread_mutex_unlock(&m) && pthread_mutex_unlock(&m) == EPERM;
	ok &= !pthread_mutex_destroy(&m);
	check("mutex_errorcheck", ok, "relock EDEADLK, unlock by another or unlocked EPERM");

	pthread_mutexattr_init(&attr);
	ok = pthread_mutexattr_settype(&attr, 12345) == EINVAL;
	pthread_mutexattr_destroy(&attr);
	check("mutexattr_bad_type", ok, "EINVAL");
}

static pthread_mutex_t held = PTHREAD_MUTEX_INITIALIZER;

static void *hold_for(void *arg)
{
	pthread_mutex_lock(&held);
	usleep((useconds_t)(intptr_t)arg * 1000);
	pthread_mutex_unlock(&held);
	return NULL;
}

static void check_trylock_timedlock(void)
{
	pthread_t t;
	struct timespec at;
	int64_t t0;
	int ok, rc;

	ok = pthread_create(&t, NULL, hold_for, (void *)20) == 0;
	sched_yield(); /* it takes the mutex and sleeps */
	ok &= pthread_mutex_trylock(&held) == EBUSY;
	ok &= pthread_join(t, NULL) == 0;
	ok &= pthread_mutex_trylock(&held) == 0 && pthread_mutex_unlock(&held) == 0;
	check("mutex_trylock", ok, "EBUSY while another thread holds it, 0 once it is free");

	ok = pthread_create(&t, NULL, hold_for, (void *)300) == 0;
	sched_yield();
	t0 = now_ns(CLOCK_MONOTONIC);
	at = in_ms(CLOCK_REALTIME, 50);
	rc = pthread_mutex_timedlock(&held, &at);
	ok &= rc == ETIMEDOUT && passed(CLOCK_REALTIME, &at) &&
	      now_ns(CLOCK_MONOTONIC) - t0 >= 50000000;
	at = in_ms(CLOCK_REALTIME, 10000);
	ok &= pthread_mutex_timedlock(&held, &at) == 0 && !passed(CLOCK_REALTIME, &at);
	ok &= pthread_mutex_unlock(&held) == 0 && pthread_join(t, NULL) == 0;
	check("mutex_timedlock", ok, "ETIMEDOUT after 50 ms, then the lock once it is free");
}

/* ---- condition variables ----------------------------------------------------------- */

#define QSIZE 8
#define ITEMS 1000
static int queue[QSIZE], qhead, qcount;
static pthread_mutex_t qlock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t not_empty = PTHREAD_COND_INITIALIZER, not_full = PTHREAD_COND_INITIALIZER;
static int producer_waits, consumer_waits, out_of_order, consumed, qerrors;

static void *produce(void *arg)
{
	for (int i = 0; i < ITEMS; i++) {
		qerrors += pthread_mutex_lock(&qlock) != 0;
		while (qcount == QSIZE) {
			producer_waits++;
			qerrors += pthread_cond_wait(&not_full, &qlock) != 0;
		}
		queue[(qhead + qcount) % QSIZE] = i * 3 + 1;
		qcount++;
		qerrors += pthread_cond_signal(&not_empty) != 0;
		qerrors += pthread_mutex_unlock(&qlock) != 0;
		if (i % 100 == 50)
			usleep(2000); /* the consumer empties the queue and waits */
	}
	return NULL;
}

static void *consume(void *arg)
{
	for (int n = 0; n < ITEMS; n++) {
		int v;

		qerrors += pthread_mutex_lock(&qlock) != 0;
		while (qcount == 0) {
			consumer_waits++;
			qerrors += pthread_cond_wait(&not_empty, &qlock) != 0;
		}
		v = queue[qhead];
		qhead = (qhead + 1) % QSIZE;
		qcount--;
		qerrors += pthread_cond_signal(&not_full) != 0;
		qerrors += pthread_mutex_unlock(&qlock) != 0;
		out_of_order += v != n * 3 + 1;
		consumed++;
		if (n % 100 == 0)
			usleep(2000); /* the producer fills the queue and waits */
	}
	return NULL;
}

static void check_cond_queue(void)
{
	pthread_t p, c;
	char why[128];
	int ok;

	ok = pthread_create(&c, NULL, consume, NULL) == 0;
	ok &= pthread_create(&p, NULL, produce, NULL) == 0;
	ok &= pthread_join(p, NULL) == 0 && pthread_join(c, NULL) == 0;
	snprintf(why, sizeof(why), "%d consumed, %d out of order, waits %d/%d, %d errors", consumed,
		 out_of_order, producer_waits, consumer_waits, qerrors);
	check("cond_queue",
	      ok && consumed == ITEMS && !out_of_order && qcount == 0 && producer_waits &&
		      consumer_waits && !qerrors,
	      why);
}

static pthread_mutex_t gate_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate = PTHREAD_COND_INITIALIZER;
static int tokens, through, wakeups;

static void *pass_gate(void *arg)
{
	pthread_mutex_lock(&gate_lock);
	while (!tokens) {
		pthread_cond_wait(&gate, &gate_lock);
		wakeups++; /* a signal wakes one waiter here, not all (none spuriously) */
	}
	tokens--;
	through++;
	pthread_mutex_unlock(&gate_lock);
	return NULL;
}

static void check_cond_signal_broadcast(void)
{
	pthread_t t[3];
	int ok = 1, after_signal;

	for (int i = 0; i < 3; i++)
		ok &= pthread_create(&t[i], NULL, pass_gate, NULL) == 0;
	usleep(10000); /* all three wait */
	pthread_mutex_lock(&gate_lock);
	tokens = 1;
	pthread_cond_signal(&gate);
	pthread_mutex_unlock(&gate_lock);
	usleep(10000);
	after_signal = through == 1 && wakeups == 1;
	pthread_mutex_lock(&gate_lock);
	tokens = 2;
	pthread_cond_broadcast(&gate);
	pthread_mutex_unlock(&gate_lock);
	for (int i = 0; i < 3; i++)
		ok &= pthread_join(t[i], NULL) == 0;
	check("cond_signal_wakes_one", ok && after_signal,
	      "one of three waiters woken, and through");
	check("cond_broadcast_wakes_all", ok && through == 3 && tokens == 0,
	      "the other two through");
}

static pthread_cond_t lonely = PTHREAD_COND_INITIALIZER;

static void *signal_after_20_ms(void *c)
{
	usleep(20000);
	pthread_mutex_lock(&held);
	pthread_cond_signal(c);
	pthread_mutex_unlock(&held);
	return NULL;
}

static void check_cond_timedwait(void)
{
	pthread_mutex_t m;
	pthread_condattr_t attr;
	pthread_cond_t mono;
	clockid_t clock = 0;
	struct timespec at, bad = {.tv_sec = 0, .tv_nsec = 1000000000};
	pthread_t t;
	int64_t t0;
	int ok, rc;

	/* errorcheck: its unlock says whether the wait gave the mutex back. */
	ok = mutex_of_type(&m, PTHREAD_MUTEX_ERRORCHECK) && !pthread_mutex_lock(&m);
	t0 = now_ns(CLOCK_MONOTONIC);
	at = in_ms(CLOCK_REALTIME, 100);
	rc = pthread_cond_timedwait(&lonely, &m, &at);
	ok &= rc == ETIMEDOUT && passed(CLOCK_REALTIME, &at) &&
	      now_ns(CLOCK_MONOTONIC) - t0 >= 100000000;
	ok &= pthread_mutex_unlock(&m) == 0;
	check("cond_timedwait_realtime", ok,
	      "ETIMEDOUT after 100 ms of CLOCK_REALTIME, mutex held");

	ok = !pthread_mutex_lock(&m);
	at = in_ms(CLOCK_REALTIME, -1000);
	ok &= pthread_cond_timedwait(&lonely, &m, &at) == ETIMEDOUT;
	ok &= pthread_cond_timedwait(&lonely, &m, &bad) == EINVAL;
	ok &= pthread_mutex_unlock(&m) == 0;
	ok &= pthread_cond_wait(&lonely, &m) == EPERM; /* not locked */
	check("cond_timedwait_edges", ok,
	      "a past time ETIMEDOUT, a bad one EINVAL, unlocked EPERM");

	pthread_condattr_init(&attr);
	ok = !pthread_condattr_setclock(&attr, CLOCK_MONOTONIC) &&
	     !pthread_condattr_getclock(&attr, &clock) && clock == CLOCK_MONOTONIC &&
	     !pthread_cond_init(&mono, &attr) && !pthread_mutex_lock(&m);
	ok &= pthread_condattr_setclock(&attr, (clockid_t)99) == EINVAL;
	pthread_condattr_destroy(&attr);
	t0 = now_ns(CLOCK_MONOTONIC);
	at = in_ms(CLOCK_MONOTONIC, 100);
	rc = pthread_cond_timedwait(&mono, &m, &at);
	ok &= rc == ETIMEDOUT && passed(CLOCK_MONOTONIC, &at) &&
	      now_ns(CLOCK_MONOTONIC) - t0 >= 100000000;
	ok &= pthread_mutex_unlock(&m) == 0 && !pthread_cond_destroy(&mono);
	check("cond_timedwait_monotonic", ok, "ETIMEDOUT after 100 ms of CLOCK_MONOTONIC");

	ok = pthread_create(&t, NULL, signal_after_20_ms, &lonely) == 0;
	pthread_mutex_lock(&held);
	at = in_ms(CLOCK_REALTIME, 10000);
	ok &= pthread_cond_timedwait(&lonely, &held, &at) == 0 && !passed(CLOCK_REALTIME, &at);
	pthread_mutex_unlock(&held);
	ok &= pthread_join(t, NULL) == 0 && !pthread_mutex_destroy(&m);
	check("cond_timedwait_signalled", ok, "0 when signalled before the time");
}

/* ---- once, keys, cleanup ----------------------------------------------------------- */

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int once_runs, once_done;

static void init_once(void)
{
	usleep(10000); /* the others call pthread_once meanwhile */
	once_runs++;
	once_done = 1;
}

static void *call_once(void *arg)
{
	return (void *)(intptr_t)(pthread_once(&once, init_once) == 0 && once_done);
}

static void check_once(void)
{
	pthread_t t[4];
	void *ret;
	int ok = 1;

	for (int i = 0; i < 4; i++)
		ok &= pthread_create(&t[i], NULL, call_once, NULL) == 0;
	ok &= (intptr_t)call_once(NULL);
	for (int i = 0; i < 4; i++)
		ok &= pthread_join(t[i], &ret) == 0 && (intptr_t)ret == 1;
	check("once", ok && once_runs == 1, "init ran once; every caller returned after it");
}

static pthread_key_t key, again_key;
static int destroyed, destroyed_sum, again_rounds;

static void destroy_value(void *v)
{
	char text[32];

	/* In the ending thread, which still has its newlib state: stdio works here. */
	snprintf(text, sizeof(text), "%d", *(int *)v);
	destroyed++;
	destroyed_sum += atoi(text);
	free(v);
}

static void set_again(void *v)
{
	if (++again_rounds < 3)
		pthread_setspecific(again_key, v);
}

static void *keep_a_value(void *arg)
{
	int *v = malloc(sizeof(*v));

	*v = (int)(intptr_t)arg;
	if (pthread_setspecific(key, v) || pthread_setspecific(again_key, "x"))
		return NULL;
	sched_yield();
	usleep(1000);
	if (*v == 3) { /* one sets NULL at the end: no destructor for it */
		pthread_setspecific(key, NULL);
		free(v);
		v = NULL;
	}
	return (void *)(intptr_t)(pthread_getspecific(key) == v);
}

static void *key_delete_and_reuse(void *arg)
{
	pthread_key_t k1, k2;
	int ok;

	ok = !pthread_key_create(&k1, destroy_value) && !pthread_setspecific(k1, "old");
	ok &= !pthread_key_delete(k1) && pthread_setspecific(k1, "x") == EINVAL;
	/* A new key in the old one's place has no value in this thread. */
	ok &= !pthread_key_create(&k2, NULL) && pthread_getspecific(k2) == NULL;
	ok &= !pthread_key_delete(k2);
	return (void *)(intptr_t)ok;
}

static void check_keys(void)
{
	pthread_t t[5];
	void *ret;
	int ok;

	ok = !pthread_key_create(&key, destroy_value) && !pthread_key_create(&again_key, set_again);
	for (intptr_t i = 0; i < 5; i++)
		ok &= pthread_create(&t[i], NULL, keep_a_value, (void *)(i + 1)) == 0;
	for (int i = 0; i < 5; i++)
		ok &= pthread_join(t[i], &ret) == 0 && (intptr_t)ret == 1;
	ok &= pthread_getspecific(key) == NULL; /* the main thread set none */
	check("keys", ok && destroyed == 4 && destroyed_sum == 1 + 2 + 4 + 5,
	      "each thread its own value; the destructor ran for each non-NULL one at its end");
	/* The first thread to end: set_again sets its value again twice, three rounds; the
	 * other four end with again_rounds at 3 or more, one round each. */
	check("key_destructor_rounds", again_rounds == 3 + 4, "a value set again in a destructor");
	check("key_delete", in_thread(key_delete_and_reuse, NULL) == 1 && !pthread_key_delete(key),
	      "a deleted key refuses values; a new one starts empty");
}

static char cleanup_order[8];

static void note(void *c)
{
	strncat(cleanup_order, c, 1);
}

static void *with_cleanup(void *arg)
{
	pthread_cleanup_push(note, "a");
	pthread_cleanup_push(note, "b");
	pthread_cleanup_push(note, "x");
	pthread_cleanup_pop(0);
	pthread_cleanup_push(note, "c");
	pthread_cleanup_pop(1);
	pthread_exit((void *)7);
	pthread_cleanup_pop(0);
	pthread_cleanup_pop(0);
	return NULL;
}

static void check_cleanup(void)
{
	check("cleanup", in_thread(with_cleanup, NULL) == 7 && !strcmp(cleanup_order, "cba"),
	      cleanup_order);
}

/* ---- read-write locks -------------------------------------------------------------- */

static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
static int readers_in, most_readers, writers_in, overlaps, rw_errors;

static void *reader(void *arg)
{
	rw_errors += pthread_rwlock_rdlock(&rw) != 0;
	if (++readers_in > most_readers)
		most_readers = readers_in;
	overlaps += writers_in != 0;
	usleep(20000);
	overlaps += writers_in != 0;
	readers_in--;
	rw_errors += pthread_rwlock_unlock(&rw) != 0;
	return NULL;
}

static void *writer(void *arg)
{
	rw_errors += pthread_rwlock_wrlock(&rw) != 0;
	writers_in++;
	overlaps += readers_in != 0 || writers_in != 1;
	usleep(10000);
	overlaps += readers_in != 0 || writers_in != 1;
	writers_in--;
	rw_errors += pthread_rwlock_unlock(&rw) != 0;
	return NULL;
}

static void *try_read(void *l)
{
	int rc = pthread_rwlock_tryrdlock(l);

	if (!rc)
		pthread_rwlock_unlock(l);
	return (void *)(intptr_t)rc;
}

static void *read_for_300_ms(void *l)
{
	pthread_rwlock_rdlock(l);
	usleep(300000);
	pthread_rwlock_unlock(l);
	return NULL;
}

static void check_rwlock(void)
{
	void *(*who[8])(void *) = {reader, reader, reader, reader, writer, writer, reader, reader};
	pthread_t t[8];
	pthread_rwlock_t l;
	struct timespec at;
	char why[96];
	int ok = 1;

	for (int i = 0; i < 8; i++)
		ok &= pthread_create(&t[i], NULL, who[i], NULL) == 0;
	for (int i = 0; i < 8; i++)
		ok &= pthread_join(t[i], NULL) == 0;
	snprintf(why, sizeof(why), "%d readers at once, %d overlaps, %d errors", most_readers,
		 overlaps, rw_errors);
	check("rwlock", ok && most_readers >= 4 && !overlaps && !rw_errors,
	      why); /* readers together, each writer alone */

	ok = !pthread_rwlock_init(&l, NULL) && !pthread_rwlock_rdlock(&l);
	ok &= pthread_rwlock_trywrlock(&l) == EBUSY && in_thread(try_read, &l) == 0;
	ok &= !pthread_rwlock_unlock(&l) && !pthread_rwlock_wrlock(&l);
	ok &= in_thread(try_read, &l) == EBUSY && pthread_rwlock_wrlock(&l) == EDEADLK &&
	      pthread_rwlock_rdlock(&l) == EDEADLK && pthread_rwlock_destroy(&l) == EBUSY;
	ok &= !pthread_rwlock_unlock(&l) && pthread_rwlock_unlock(&l) == EPERM;
	check("rwlock_try", ok, "trywrlock EBUSY under a reader, tryrdlock EBUSY under a writer");

	ok = pthread_create(&t[0], NULL, read_for_300_ms, &l) == 0;
	sched_yield();
	at = in_ms(CLOCK_REALTIME, 50);
	ok &= pthread_rwlock_timedwrlock(&l, &at) == ETIMEDOUT && passed(CLOCK_REALTIME, &at);
	at = in_ms(CLOCK_REALTIME, 10000);
	ok &= pthread_rwlock_timedrdlock(&l, &at) == 0 && !pthread_rwlock_unlock(&l);
	ok &= pthread_rwlock_timedwrlock(&l, &at) == 0 && !pthread_rwlock_unlock(&l);
	ok &= pthread_join(t[0], NULL) == 0 && !pthread_rwlock_destroy(&l);
	check("rwlock_timed", ok,
	      "timedwrlock ETIMEDOUT under a reader; the locks once it is free");
}

/* ---- each thread's own: errno, floating point, stack ------------------------------- */

static void *own_errno(void *arg)
{
	intptr_t want = (intptr_t)arg;

	if (want == ENOENT)
		open("/no/such/file", O_RDONLY);
	else
		close(-1); /* EBADF */
	for (int i = 0; i < 5; i++) {
		sched_yield();
		usleep(1000);
		if (errno != want)
			return NULL;
	}
	return (void *)&errno;
}

static void check_errno(void)
{
	pthread_t a, b;
	void *ea = NULL, *eb = NULL;
	int ok;

	errno = EINTR;
	ok = pthread_create(&a, NULL, own_errno, (void *)ENOENT) == 0 &&
	     pthread_create(&b, NULL, own_errno, (void *)EBADF) == 0;
	ok &= pthread_join(a, &ea) == 0 && pthread_join(b, &eb) == 0;
	check("errno_per_thread", ok && ea && eb && ea != eb && ea != &errno && errno == EINTR,
	      "ENOENT in one thread, EBADF in the other, EINTR in main, across yields");
}

static volatile double one = 1.0;

/* Sums that round differently under each rounding mode; yields every 10 steps. */
static __attribute__((noinline)) double series(int yield)
{
	double x = 0;

	for (int i = 1; i <= 2000; i++) {
		x += one / (double)i;
		x *= 1.0000001;
		if (yield && i % 10 == 0)
			sched_yield();
	}
	return x;
}

struct fp {
	int upward;
	double result;
	int mode; /* fegetround() at the end */
};

static void *fp_work(void *arg)
{
	struct fp *f = arg;

	if (f->upward)
		fesetround(FE_UPWARD);
	f->result = series(1);
	f->mode = fegetround();
	return NULL;
}

static void check_float(void)
{
	struct fp up = {.upward = 1}, near = {.upward = 0};
	double ref_near, ref_up;
	pthread_t a, b;
	int ok;

	ref_near = series(0);
	fesetround(FE_UPWARD);
	ref_up = series(0);
	fesetround(FE_TONEAREST);
	ok = pthread_create(&a, NULL, fp_work, &up) == 0 &&
	     pthread_create(&b, NULL, fp_work, &near) == 0;
	ok &= pthread_join(a, NULL) == 0 && pthread_join(b, NULL) == 0;
	check("float_across_yields",
	      ok && ref_up != ref_near && up.result == ref_up && near.result == ref_near &&
		      up.mode == FE_UPWARD && near.mode == FE_TONEAREST &&
		      fegetround() == FE_TONEAREST,
	      "two threads' sums, each in its own rounding mode, equal to main's");
}

#define FRAME 1000
static uintptr_t deepest; /* the address of the deepest frame's buffer */

/* n frames of more than FRAME bytes each; the buffer is read after the call, so each
 * frame stays (no tail call, no loop). */
static __attribute__((noinline)) long recurse(int n)
{
	volatile char buf[FRAME];
	long below;

	buf[0] = (char)n;
	buf[FRAME - 1] = (char)n;
	if (n == 0) {
		deepest = (uintptr_t)buf;
		return 0;
	}
	below = recurse(n - 1);
	return below + (buf[0] == (char)n && buf[FRAME - 1] == (char)n);
}

static void *deep(void *arg)
{
	volatile char top;
	intptr_t frames = (intptr_t)arg;
	uintptr_t used;

	if (recurse((int)frames) != frames)
		return (void *)0;
	used = (uintptr_t)&top - deepest; /* bytes of stack the recursion took */
	return (void *)used;
}

static void check_stacks(void)
{
	pthread_attr_t attr;
	pthread_t t;
	size_t size = 0;
	void *used = NULL;
	char why[64];
	int ok;

	pthread_attr_init(&attr);
	ok = !pthread_attr_getstacksize(&attr, &size) && size == 256 * 1024;
	ok &= !pthread_attr_setstacksize(&attr, 1024 * 1024) &&
	      !pthread_attr_getstacksize(&attr, &size) && size == 1024 * 1024;
	ok &= pthread_create(&t, &attr, deep, (void *)800) == 0 && pthread_join(t, &used) == 0;
	pthread_attr_destroy(&attr);
	snprintf(why, sizeof(why), "%ld bytes of stack used", (long)(intptr_t)used);
	check("stack_1mib", ok && (intptr_t)used > 768 * 1024, why);

	/* The default: the main thread's 256 KiB, not the kernel's 16 KiB. */
	ok = pthread_create(&t, NULL, deep, (void *)200) == 0 && pthread_join(t, &used) == 0;
	snprintf(why, sizeof(why), "%ld bytes of stack used", (long)(intptr_t)used);
	check("stack_default_256kib", ok && (intptr_t)used > 192 * 1024, why);
}

static void check_attr(void)
{
	pthread_attr_t attr;
	int state = -1, ok;

	ok = !pthread_attr_init(&attr) && !pthread_attr_getdetachstate(&attr, &state) &&
	     state == PTHREAD_CREATE_JOINABLE;
	ok &= pthread_attr_setdetachstate(&attr, 99) == EINVAL;
	ok &= pthread_attr_setstacksize(&attr, 0) == EINVAL;
	ok &= pthread_attr_setstacksize(&attr, (size_t)64 << 20) == EINVAL; /* above 16 MiB */
	ok &= !pthread_attr_destroy(&attr);
	check("attr", ok, "defaults, and bad values refused");
}

/* ---- the end: main's pthread_exit waits for the last thread ------------------------ */

static void *last_thread(void *arg)
{
	usleep(100000); /* main has called pthread_exit() by now */
	check("main_pthread_exit_waits", 1, "");
	printf("pthreads: %d failed\n", failures);
	if (failures)
		exit(1);
	return NULL; /* the program ends now, with exit(0) */
}

int main(int argc, char **argv)
{
	pthread_attr_t attr;
	pthread_t t;

	check_create_join();
	check_detach();
	check_mutex_counter();
	check_mutex_types();
	check_trylock_timedlock();
	check_cond_queue();
	check_cond_signal_broadcast();
	check_cond_timedwait();
	check_once();
	check_keys();
	check_cleanup();
	check_rwlock();
	check_errno();
	check_float();
	check_stacks();
	check_attr();
	check("sched_yield", sched_yield() == 0, "0");

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&t, &attr, last_thread, NULL)) {
		printf("pthreads: no last thread\n");
		return 1;
	}
	pthread_exit(NULL);
}
