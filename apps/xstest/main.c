/*
 * xstest: a test appliance for the xenstore client and shutdown control. It checks
 * each xenstore operation against xenstored (printing one "ok"/"FAILED" line each),
 * reports the changes dom0 makes under data/test through a watch, then waits for the
 * toolstack to ask it to stop (`xl shutdown` or `xl reboot`).
 *
 * With "stall" on its command line it checks instead that a xenstored which stops
 * answering (dom0 freezes it with SIGSTOP) costs a request -ETIMEDOUT, not a hang, and
 * that the client works again once xenstored does.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <skiff/thread.h>
#include <skiff/time.h>
#include <skiff/xen.h>
#include <skiff/xenstore.h>

static int failures;

static void check(const char *what, int ok)
{
	printf("xstest: %s %s\n", what, ok ? "ok" : "FAILED");
	failures += !ok;
}

static int bump_counter(xs_transaction_t t, void *arg)
{
	unsigned long long v;
	int rc = xs_read_uint(t, "data/counter", 1000000, &v);

	if (rc)
		return rc;
	return xs_printf(t, "data/counter", "%llu", v + 1);
}

static void test_operations(void)
{
	char *value = NULL, **names, big[1500];
	unsigned int n;
	unsigned long long num;
	uint8_t mac[6];
	struct xs_perm perms[4];
	int rc;

	check("write+read", xs_write(0, "data/a", "1") == 0 && xs_read(0, "data/a", &value) == 0 &&
				    !strcmp(value, "1"));
	free(value);
	value = NULL;
	check("read of a missing node is ENOENT", xs_read(0, "data/nope", &value) == -ENOENT);
	check("write outside our home is EACCES", xs_write(0, "/local/domain/0/x", "1") == -EACCES);
	check("mkdir+directory", xs_mkdir(0, "data/dir") == 0 &&
					 xs_write(0, "data/dir/x", "") == 0 &&
					 xs_write(0, "data/dir/y", "") == 0 &&
					 xs_directory(0, "data/dir", &names, &n) == 0 && n == 2);
	free(names);
	check("rm", xs_rm(0, "data/dir") == 0 && xs_read(0, "data/dir/x", &value) == -ENOENT);

	/* Longer than the 1 KiB rings (xenstored's default node quota is 2 KiB): written
	 * and read back in pieces. */
	for (unsigned int i = 0; i < sizeof(big) - 1; i++)
		big[i] = 'a' + i % 26;
	big[sizeof(big) - 1] = '\0';
	value = NULL;
	rc = xs_write(0, "data/big", big);
	check("1500-byte value through 1 KiB rings",
	      rc == 0 && xs_read(0, "data/big", &value) == 0 && !strcmp(value, big));
	free(value);

	check("integer parsing", xs_write(0, "data/n", "4096") == 0 &&
					 xs_read_uint(0, "data/n", 65535, &num) == 0 &&
					 num == 4096);
	check("integer out of range is ERANGE", xs_read_uint(0, "data/n", 100, &num) == -ERANGE);
	xs_write(0, "data/n", "12x");
	check("junk integer is EINVAL", xs_read_uint(0, "data/n", 100, &num) == -EINVAL);
	xs_write(0, "data/mac", "00:16:3e:0a:0b:0c");
	check("MAC parsing", xs_read_mac(0, "data/mac", mac) == 0 && mac[0] == 0 && mac[5] == 0x0c);
	xs_write(0, "data/mac", "00:16:3e:0a:0b");
	check("short MAC is EINVAL", xs_read_mac(0, "data/mac", mac) == -EINVAL);

	check("get_perms", xs_get_perms(0, "data/a", perms, 4, &n) == 0 && n >= 1 &&
				   perms[0].domid == xs_domid());
	perms[0].access = 'n';
	perms[1] = (struct xs_perm){.access = 'r', .domid = 0};
	check("set_perms", xs_set_perms(0, "data/a", perms, 2) == 0 &&
				   xs_get_perms(0, "data/a", perms, 4, &n) == 0 && n == 2 &&
				   perms[1].access == 'r');

	xs_write(0, "data/counter", "0");
	for (int i = 0; i < 5; i++)
		rc = xs_transact(bump_counter, NULL);
	check("transactions",
	      rc == 0 && xs_read_uint(0, "data/counter", 100, &num) == 0 && num == 5);
}

/*
 * A transaction dom0 gets in the way of (cmdline "contend"): we read data/txn inside it
 * and say so; dom0 then writes data/txn itself and pokes data/txn-poke. Our commit must
 * fail with EAGAIN, and xs_transact run the function again, now on dom0's value: the
 * node ends one above what dom0 wrote, and we count two attempts.
 */
static struct wait_queue poked = WAIT_QUEUE_INIT;
static int poke_seen, attempts;

static void on_poke(const char *path, void *arg)
{
	char *value;

	if (xs_read(0, path, &value) == 0) {
		if (!strcmp(value, "written")) {
			poke_seen = 1;
			wait_queue_wake_all(&poked);
		}
		free(value);
	}
}

static int bump_while_dom0_writes(xs_transaction_t t, void *arg)
{
	unsigned long long v;
	int rc = xs_read_uint(t, "data/txn", 1000000, &v);

	if (rc)
		return rc;
	if (++attempts == 1) {
		printf("xstest: in a transaction, data/txn = %llu\n", v);
		wait_event(&poked, poke_seen); /* dom0 writes the node meanwhile */
	}
	return xs_printf(t, "data/txn", "%llu", v + 1);
}

static void contended_transaction(void)
{
	struct xs_watch *w;
	unsigned long long v = 0;
	int rc;

	xs_write(0, "data/txn", "0");
	xs_write(0, "data/txn-poke", "");
	if (xs_watch("data/txn-poke", on_poke, NULL, &w)) {
		check("contended transaction (watch)", 0);
		return;
	}
	rc = xs_transact(bump_while_dom0_writes, NULL);
	xs_unwatch(w);
	xs_read_uint(0, "data/txn", 1000000, &v);
	printf("xstest: contended transaction: %s after %d attempts, data/txn = %llu\n",
	       rc ? strerror_name(rc) : "committed", attempts, v);
}

static struct wait_queue changed = WAIT_QUEUE_INIT;
static int seen_done;

static void on_test_node(const char *path, void *arg)
{
	char *value;

	if (xs_read(0, "data/test", &value))
		return; /* not there yet: the first event fires when the watch is set */
	printf("xstest: watch: %s changed to %s\n", path, value);
	if (!strcmp(value, "done"))
		seen_done = 1;
	free(value);
	wait_queue_wake_all(&changed);
}

static int stalled_xenstored(void)
{
	char *value = NULL;
	uint64_t start;
	int rc;

	printf("xstest: ready for a stalled xenstored\n");
	sleep(3); /* dom0 freezes xenstored meanwhile */
	start = monotonic_ns();
	rc = xs_read(XS_NO_TRANSACTION, "name", &value);
	printf("xstest: read with xenstored stopped: %s after %llu s\n", strerror_name(-rc),
	       (unsigned long long)((monotonic_ns() - start) / NSEC_PER_SEC));
	free(value);
	if (rc != -ETIMEDOUT)
		return 1;
	/* dom0 lets xenstored run again once it has seen the line above. */
	for (int i = 0; i < 60; i++) {
		value = NULL;
		rc = xs_read(XS_NO_TRANSACTION, "name", &value);
		if (rc == 0) {
			printf("xstest: xenstore answers again: name = %s\n", value);
			free(value);
			return 0;
		}
		sleep(1);
	}
	return 1;
}

int main(void)
{
	struct skiff_domain_info d;
	struct xs_watch *w;

	skiff_domain_info(&d);
	if (d.cmdline && strstr(d.cmdline, "stall"))
		return stalled_xenstored();

	printf("xstest: domain %u (%s)\n", xs_domid(), xs_domain_name());
	test_operations();
	printf("xstest: %d failures\n", failures);
	if (d.cmdline && strstr(d.cmdline, "contend"))
		contended_transaction();

	check("watch set", xs_watch("data/test", on_test_node, NULL, &w) == 0);
	printf("xstest: watching data/test\n");
	wait_event(&changed, seen_done);
	xs_unwatch(w);

	printf("xstest: waiting for a shutdown request\n");
	for (;;)
		sleep(3600);
}
