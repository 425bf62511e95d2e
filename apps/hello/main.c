/*
 * hello: the first Skiff appliance. It shows what a guest learns from Xen (version,
 * memory, vCPUs), sleeps on Xen's one-shot timer, and has two threads play ping-pong
 * through a wait queue. Returning from main powers the domain off.
 */
#include <errno.h>
#include <stdio.h>
#include <skiff/console.h>
#include <skiff/thread.h>
#include <skiff/time.h>
#include <skiff/xen.h>

#define ROUNDS 5

static struct wait_queue table = WAIT_QUEUE_INIT;
static int ball; /* how many times the ball was hit; even: ping's turn, odd: pong's */

static int player(void *arg)
{
	int parity = (int)(long)arg;

	for (int i = 0; i < ROUNDS; i++) {
		wait_event(&table, ball % 2 == parity);
		printf("%s %d\n", parity ? "pong" : "ping", i + 1);
		ball++;
		wait_queue_wake_all(&table);
	}
	return 0;
}

static int idle(void *arg)
{
	return 0;
}

int main(void)
{
	struct skiff_domain_info info;
	struct thread *ping, *pong;
	uint64_t t0, slept;

	skiff_domain_info(&info);
	printf("Hello from Skiff on Xen %u.%u%s!\n", info.xen_major, info.xen_minor,
	       info.xen_extra);
	printf("memory: %lu KiB, vCPUs: %u\n", info.memory_kib, info.nr_vcpus);
	printf("domain: %u (%s)\n", info.domid, info.name);

	/* dom0 times this sleep too, from the line above to the next one: let xenconsoled
	 * take the line first, so that its time there is the sleep's start. */
	console_flush();
	t0 = monotonic_ns();
	sleep(1);
	slept = monotonic_ns() - t0;
	printf("slept 1 s: measured %llu.%06llu s\n", (unsigned long long)(slept / NSEC_PER_SEC),
	       (unsigned long long)(slept % NSEC_PER_SEC / 1000));

	ping = thread_create("ping", player, (void *)0L);
	pong = thread_create("pong", player, (void *)1L);
	if (!ping || !pong) {
		printf("hello: cannot create threads\n");
		return 1;
	}
	thread_join(ping, NULL);
	thread_join(pong, NULL);
	printf("ping-pong done after %d hits\n", ball);

	/* A call that fails says why, as a negative errno (include/README.md, "Errors"). */
	printf("hello: thread_join of itself: %s\n",
	       strerror_name(thread_join(thread_self(), NULL)));
	ping = thread_create("detached", idle, NULL);
	if (!ping || thread_detach(ping)) {
		printf("hello: cannot create a detached thread\n");
		return 1;
	}
	/* It has not run yet (threads are cooperative), so ping is still valid here. */
	printf("hello: thread_join of a detached thread: %s\n",
	       strerror_name(thread_join(ping, NULL)));
	return 0;
}
