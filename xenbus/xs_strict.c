/*
 * The strict readers of <skiff/xenstore.h>: a value another domain wrote, parsed by
 * xen/xs_wire.c's checks, with one log line naming the node when it is garbage. Apart
 * from xenstore.c so that the driver unit tests run these very functions over their
 * fake xs_read().
 */
#include <stdint.h>
#include <stdlib.h>
#include <skiff/xenstore.h>

#include "libc/printk.h"
#include "xen/xs_wire.h"

int xs_read_uint(xs_transaction_t t, const char *path, unsigned long long max,
		 unsigned long long *out)
{
	char *value;
	int rc = xs_read(t, path, &value);

	if (rc)
		return rc;
	rc = xs_parse_uint(value, max, out);
	if (rc)
		printk("xenstore: %s = '%s' is not a number from 0 to %llu\n", path, value, max);
	free(value);
	return rc;
}

int xs_read_mac(xs_transaction_t t, const char *path, uint8_t mac[6])
{
	char *value;
	int rc = xs_read(t, path, &value);

	if (rc)
		return rc;
	rc = xs_parse_mac(value, mac);
	if (rc)
		printk("xenstore: %s = '%s' is not a MAC address (xx:xx:xx:xx:xx:xx)\n", path,
		       value);
	free(value);
	return rc;
}
