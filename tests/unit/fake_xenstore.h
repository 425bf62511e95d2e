/*
 * Xenstore for the driver tests, below the real xenbus/xenbus.c and xenbus/frontend.c:
 * a table of nodes by full path, transactions (a state written in one reaches the
 * backend at the commit; an aborted one writes nothing), xs_rm of a node and all below
 * it, the one notify-only watch on the backend's state, and the strict readers
 * (xen/xs_wire.c's parsers, as xenbus/xenstore.c uses them).
 *
 * The test defines FRONT ("device/vif/0"), BACK (the backend's directory) and
 * backend_follows(state), which the fake backend runs when our state node changes.
 * Included once by a test, after fake_threads.h.
 */
#ifndef TESTS_UNIT_FAKE_XENSTORE_H
#define TESTS_UNIT_FAKE_XENSTORE_H

#define MAX_NODES 64
#define TXN	  5

static struct node {
	char path[96];
	char value[80];
} nodes[MAX_NODES];

static void (*watch_notify)(void *arg);
static void *watch_arg;
static char watch_token;
static unsigned int watches, unwatches, transactions, removals;
static int front_states[32]; /* every state we wrote, in order */
static unsigned int nr_front_states;
static int txn_state; /* a state written in the open transaction, or -1 */

static void backend_follows(int front_state);

static struct node *find_node(const char *path)
{
	for (unsigned int i = 0; i < MAX_NODES; i++)
		if (nodes[i].path[0] && strcmp(nodes[i].path, path) == 0)
			return &nodes[i];
	return NULL;
}

/* value NULL removes the node. */
static void set_node(const char *path, const char *value)
{
	struct node *n = find_node(path);

	for (unsigned int i = 0; !n && i < MAX_NODES; i++)
		if (!nodes[i].path[0])
			n = &nodes[i];
	assert_non_null(n);
	if (!value) {
		n->path[0] = '\0';
		return;
	}
	assert_true(strlen(path) < sizeof(n->path) && strlen(value) < sizeof(n->value));
	strlcpy(n->path, path, sizeof(n->path));
	strlcpy(n->value, value, sizeof(n->value));
}

static const char *front_node(const char *name)
{
	char path[128];
	struct node *n;

	snprintf(path, sizeof(path), FRONT "/%s", name);
	n = find_node(path);
	return n ? n->value : NULL;
}

/* A number the frontend must have written (ring-ref, event-channel, ...), as a backend
 * reads it: a missing or malformed one fails the test. */
static unsigned long front_uint(const char *name)
{
	const char *v = front_node(name);
	char *end;
	unsigned long n;

	if (!v)
		fail_msg("the frontend did not write %s", name);
	n = strtoul(v, &end, 10);
	if (end == v || *end)
		fail_msg("%s = '%s' is not a number", name, v);
	return n;
}

static void set_backend(const char *name, const char *value)
{
	char path[128];

	snprintf(path, sizeof(path), BACK "/%s", name);
	set_node(path, value);
}

static const char *backend_node(const char *name)
{
	char path[128];
	struct node *n;

	snprintf(path, sizeof(path), BACK "/%s", name);
	n = find_node(path);
	return n ? n->value : NULL;
}

static int state_value(const char *value)
{
	assert_non_null(value);
	return (int)strtol(value, NULL, 10);
}

static __attribute__((unused)) int backend_state(void)
{
	const char *v = backend_node("state");

	return v ? state_value(v) : XenbusStateUnknown;
}

/* The backend writes its state: the watch fires (in the reader thread: it only wakes). */
static void set_backend_state(int state)
{
	char value[8];

	snprintf(value, sizeof(value), "%d", state);
	set_backend("state", value);
	if (watch_notify)
		watch_notify(watch_arg);
}

int xs_read(xs_transaction_t t, const char *path, char **value)
{
	struct node *n = find_node(path);

	assert_true(t == XS_NO_TRANSACTION || t == TXN);
	if (!n)
		return -ENOENT;
	*value = strdup(n->value);
	return *value ? 0 : -ENOMEM;
}

static void front_state_written(int state)
{
	assert_true(nr_front_states < 32);
	front_states[nr_front_states++] = state;
	backend_follows(state);
}

/* We write only our own nodes. */
int xs_write(xs_transaction_t t, const char *path, const char *value)
{
	assert_true(t == XS_NO_TRANSACTION || t == TXN);
	if (strncmp(path, FRONT "/", strlen(FRONT "/")) != 0)
		fail_msg("write of %s, not one of our nodes", path);
	set_node(path, value);
	if (strcmp(path, FRONT "/state") == 0) {
		if (t == TXN)
			txn_state = state_value(value);
		else
			front_state_written(state_value(value));
	}
	return 0;
}

int xs_printf(xs_transaction_t t, const char *path, const char *fmt, ...)
{
	char value[80];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(value, sizeof(value), fmt, ap);
	va_end(ap);
	return xs_write(t, path, value);
}

int xs_rm(xs_transaction_t t, const char *path)
{
	size_t len = strlen(path);
	bool found = false;

	assert_int_equal(t, XS_NO_TRANSACTION);
	if (strncmp(path, FRONT "/", strlen(FRONT "/")) != 0)
		fail_msg("removal of %s, not one of our nodes", path);
	for (unsigned int i = 0; i < MAX_NODES; i++) {
		if (nodes[i].path[0] && strncmp(nodes[i].path, path, len) == 0 &&
		    (nodes[i].path[len] == '\0' || nodes[i].path[len] == '/')) {
			nodes[i].path[0] = '\0';
			found = true;
		}
	}
	removals++;
	return found ? 0 : -ENOENT;
}

/* The names below path, once each, in one block (free(*names) frees all). */
int xs_directory(xs_transaction_t t, const char *path, char ***names, unsigned int *count)
{
	char found[MAX_NODES][32], **v, *s;
	size_t plen = strlen(path);
	unsigned int n = 0;

	for (unsigned int i = 0; i < MAX_NODES; i++) {
		const char *p = nodes[i].path, *name = p + plen + 1;
		size_t len;
		bool seen = false;

		if (strncmp(p, path, plen) != 0 || p[plen] != '/')
			continue;
		len = strchr(name, '/') ? (size_t)(strchr(name, '/') - name) : strlen(name);
		assert_true(len < sizeof(found[0]));
		for (unsigned int j = 0; j < n; j++)
			seen |= strlen(found[j]) == len && memcmp(found[j], name, len) == 0;
		if (seen)
			continue;
		memcpy(found[n], name, len);
		found[n++][len] = '\0';
	}
	if (!n)
		return -ENOENT;
	v = malloc(n * (sizeof(char *) + sizeof(found[0])));
	assert_non_null(v);
	s = (char *)(v + n);
	for (unsigned int i = 0; i < n; i++, s += sizeof(found[0])) {
		strlcpy(s, found[i], sizeof(found[0]));
		v[i] = s;
	}
	*names = v;
	*count = n;
	return 0;
}

/* The two strict readers, the real ones (the parsers are xs_wire.c's). */
#include "xenbus/xs_strict.c"

/* One try, committed unless fn failed; an aborted transaction leaves no trace. */
int xs_transact(int (*fn)(xs_transaction_t t, void *arg), void *arg)
{
	static struct node before[MAX_NODES];
	int rc;

	transactions++;
	memcpy(before, nodes, sizeof(nodes));
	txn_state = -1;
	rc = fn(TXN, arg);
	if (rc) {
		memcpy(nodes, before, sizeof(nodes));
		return rc;
	}
	if (txn_state >= 0)
		front_state_written(txn_state);
	return 0;
}

/* xenstored fires a new watch once; the notify only wakes whoever waits. */
int xs_watch_notify(const char *path, void (*notify)(void *arg), void *arg, struct xs_watch **watch)
{
	assert_string_equal(path, BACK "/state");
	assert_null(watch_notify);
	watch_notify = notify;
	watch_arg = arg;
	watches++;
	notify(arg);
	*watch = (struct xs_watch *)&watch_token;
	return 0;
}

int xs_unwatch(struct xs_watch *w)
{
	assert_ptr_equal(w, &watch_token);
	assert_non_null(watch_notify);
	watch_notify = NULL;
	unwatches++;
	return 0;
}

static void reset_xenstore(void)
{
	memset(nodes, 0, sizeof(nodes));
	watch_notify = NULL;
	watch_arg = NULL;
	watches = unwatches = transactions = removals = 0;
	nr_front_states = 0;
	txn_state = -1;
}

#endif
