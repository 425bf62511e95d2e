/*
 * shadow: an app may name its functions as it likes. It defines four names the library
 * uses too: printk and gnttab_grant_page are internal to Skiff (hidden from apps), and
 * thread_create and xs_read are public, which an app's own definition overrides for the
 * app's calls only. It links (no duplicate symbols), its calls reach its own functions,
 * and the library still calls its own: Skiff prints its boot line with its printk, starts
 * main with its thread_create, and skiff_domain_info() reads the domain's name from
 * xenstore with its xs_read.
 *
 * This app includes neither <skiff/thread.h> nor <skiff/xenstore.h>: their prototypes
 * are not the ones below.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <skiff/time.h>
#include <skiff/xen.h>

static int ran; /* one bit per function of ours that ran */

/* noipa: each call below stays a call, which the linker binds to a definition. */
__attribute__((noipa)) int printk(const char *what)
{
	printf("shadow: my printk(\"%s\")\n", what);
	ran |= 1;
	return 0;
}

__attribute__((noipa)) int thread_create(int n)
{
	printf("shadow: my thread_create(%d)\n", n);
	ran |= 2;
	return n + 1;
}

__attribute__((noipa)) const char *xs_read(const char *key)
{
	printf("shadow: my xs_read(\"%s\")\n", key);
	ran |= 4;
	return "not-from-xenstore";
}

__attribute__((noipa)) long gnttab_grant_page(long page)
{
	printf("shadow: my gnttab_grant_page(%ld)\n", page);
	ran |= 8;
	return -page;
}

int main(void)
{
	struct skiff_domain_info info;
	uint64_t t0 = monotonic_ns();
	bool ours;

	printk("hello");
	ours = thread_create(41) == 42 && strcmp(xs_read("name"), "not-from-xenstore") == 0 &&
	       gnttab_grant_page(7) == -7;
	/* The library's own calls: a sleep on its timer, the name through its xs_read. */
	msleep(10);
	skiff_domain_info(&info);
	printf("shadow: domain %u (%s), slept %llu ms\n", info.domid, info.name,
	       (unsigned long long)((monotonic_ns() - t0) / NSEC_PER_MSEC));
	if (!ours || ran != 15 || !info.name || strcmp(info.name, "shadow") != 0) {
		printf("shadow: FAILED (ours %d, ran %#x)\n", ours, ran);
		return 1;
	}
	printf("shadow: ok, own functions ran and the library kept its own\n");
	return 0;
}
