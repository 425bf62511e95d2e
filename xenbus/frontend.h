/*
 * The lifecycle every split-driver frontend shares (blkfront, netfront, and the ones to
 * come). Only the middle differs between drivers; they fill in struct frontend_ops and
 * this file walks the xenbus states (xen/io/xenbus.h) for them:
 *
 *   frontend_open       Initialising; wait for the backend's InitWait
 *     ops->alloc          grant the ring(s); the event channel (or two:
 *                         ops->split_events) is allocated here
 *     ops->write_nodes    ring-ref etc., in one transaction with event-channel and
 *                         our next state (ops->publish_state)
 *                       wait for the backend's Connected
 *     ops->connected      read the backend's nodes (sectors, features...)
 *                       Connected; the device's own thread starts
 *   (running)           the thread serves the event channel (ops->process), notices
 *                       the backend leaving (a hot-unplug), a request too old
 *                       (ops->check_timeouts), and a close asked by another thread
 *   frontend_break      one log line; ops->fail_all; events masked; new requests fail;
 *                       then, in the device's thread, ops->broken (link down)
 *   disconnect          (close, backend leaving, or an open that failed half-way)
 *     ops->closing        wake waiters, link down
 *                       keep reaping answers until none is in flight (bounded)
 *     ops->fail_all       fail what is still outstanding with -EIO
 *                       Closing, wait; Closed, wait for the backend to let go
 *     ops->release        end every grant, free the rings; our nodes removed
 *
 * Every error path, detach, exit and close goes through the one disconnect, so grants
 * and pages come back in one place. A close while another thread is closing waits for
 * that close to end; it never returns early and never spins. The disconnect always runs
 * in the device's own thread once it exists, so no two threads ever race on a ring.
 */
#ifndef XENBUS_FRONTEND_H
#define XENBUS_FRONTEND_H

#include <stdbool.h>
#include <stdint.h>
#include <skiff/thread.h>
#include <skiff/xenstore.h>
#include <xen/xen.h>
#include <xen/event_channel.h>

#include "xenbus/event_throttle.h"
#include "xenbus/xenbus.h"

struct frontend;

struct frontend_ops {
	const char *driver; /* "blkfront": first word of every log line */
	const char *class;  /* "vbd": our node is device/<class>/<id> */
	/* Optional: read what is needed before the rings exist (netfront: its mac). */
	int (*probe)(struct frontend *fe);
	/* Optional: two event channels instead of one (netif.h's
	 * feature-split-event-channels): true to use them, read from the backend's nodes;
	 * split_event_nodes names the nodes they are published in (one event-channel
	 * otherwise). Channel 0 and 1 are the driver's to assign (netfront: TX and RX). */
	bool (*split_events)(struct frontend *fe);
	const char *split_event_nodes[2];
	/* Grant the ring(s). fe->ports[] are allocated and bound already. */
	int (*alloc)(struct frontend *fe);
	/* Write the ring nodes with frontend_write_node(), inside transaction t (it may
	 * run again if the transaction is retried). */
	int (*write_nodes)(struct frontend *fe, xs_transaction_t t);
	/* The state written with the nodes: Initialised (blkif) or Connected (netif). */
	XenbusState publish_state;
	/* The backend is Connected: read its nodes. An error refuses the device. */
	int (*connected)(struct frontend *fe);
	/* The event channel fired, or the device is draining: reap answers (in the device's
	 * thread). It may call frontend_break(). True if it found any answer: an event
	 * with none counts towards an event storm. */
	bool (*process)(struct frontend *fe);
	/* Requests the backend holds and has not answered. */
	unsigned int (*in_flight)(struct frontend *fe);
	/* Optional: the earliest deadline of a request in flight (0: none); when it
	 * passes, check_timeouts() runs and breaks the device if one is overdue. */
	uint64_t (*next_deadline)(struct frontend *fe);
	void (*check_timeouts)(struct frontend *fe, uint64_t now);
	/* Optional: the device is closing: wake whoever waits for ring space (they fail),
	 * take the link down. No request is failed yet. */
	void (*closing)(struct frontend *fe);
	/* Fail every request still outstanding with -EIO (broken, or closing). */
	void (*fail_all)(struct frontend *fe);
	/* Optional: the device broke (frontend_break, from any thread). Runs once, later,
	 * in the device's own thread, where no lock of the app's is held: netfront takes
	 * lwIP's link down here. */
	void (*broken)(struct frontend *fe);
	/* The backend has let go (or never had it): end every grant, free the rings.
	 * Also after a failed alloc, so it copes with half-made rings. */
	void (*release)(struct frontend *fe);
	/* Free the driver's struct (it embeds the frontend): nothing refers to it now. */
	void (*free)(struct frontend *fe);
};

enum frontend_state {
	FRONTEND_CONNECTING, /* frontend_open() is at work */
	FRONTEND_CONNECTED,
	FRONTEND_CLOSING, /* the disconnect is running */
	FRONTEND_CLOSED,  /* everything but the driver's struct given back */
};

#define FRONTEND_MAX_NODES 12

struct frontend {
	const struct frontend_ops *ops;
	struct xenbus_device xb;
	unsigned int id; /* device number: device/<class>/<id> */
	char name[16];	 /* for log lines: "xvda", "vif0" */
	enum frontend_state state;
	bool broken;		  /* frontend_break(): requests fail, events masked */
	bool broken_told;	  /* ops->broken has run (or there is none to run) */
	evtchn_port_t ports[2];	  /* the event channel, or two (ops->split_events) */
	unsigned int nr_ports;	  /* open: the disconnect closes them */
	bool event_pending;	  /* set by the event handler, cleared by the thread */
	bool close_asked;	  /* another thread wants the device closed */
	bool app_closed;	  /* frontend_close() was called: free when closed */
	struct wait_queue kick;	  /* the device's thread waits here */
	struct wait_queue closed; /* closers wait here for FRONTEND_CLOSED */
	struct event_throttle throttle;
	struct thread *thread;
	char nodes[FRONTEND_MAX_NODES][24]; /* what write_nodes published, removed at close */
	unsigned int nr_nodes;
	struct frontend *next_open;
};

/* The device numbers of a class, as xenbus_list_devices(). */
int frontend_list(const char *class, unsigned int *ids, unsigned int max, unsigned int *count);

/*
 * Connect fe (zeroed by the caller but for what its driver needs) to device
 * device/<ops->class>/<id>. 0, or a negative errno with one log line saying why, and
 * everything given back (fe itself is the caller's to free then).
 */
int frontend_open(struct frontend *fe, const struct frontend_ops *ops, unsigned int id);

/* A frontend of this class and id is open already. */
bool frontend_is_open(const char *class, unsigned int id);

/*
 * The backend broke the protocol (or stopped answering): log why, once; stop listening
 * to its event channel; fail everything outstanding (ops->fail_all). The device stays
 * unusable until closed. Call from the device's thread (or where it cannot run).
 */
void frontend_break(struct frontend *fe, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Requests may be put on the ring: connected and not broken. */
static inline bool frontend_usable(const struct frontend *fe)
{
	return fe->state == FRONTEND_CONNECTED && !fe->broken;
}

/* In ops->write_nodes: write <our node>/<node> = value, and remember to remove it. */
int frontend_write_node(struct frontend *fe, xs_transaction_t t, const char *node, const char *fmt,
			...) __attribute__((format(printf, 4, 5)));

/* Tell the backend there are new requests (after RING_PUSH_REQUESTS_AND_CHECK_NOTIFY):
 * on channel which (0 or 1) when the events are split, else on the one channel. */
void frontend_notify_on(struct frontend *fe, unsigned int which);
static inline void frontend_notify(struct frontend *fe)
{
	frontend_notify_on(fe, 0);
}

/*
 * Disconnect (if still connected), wait until that is done, and free the driver's
 * struct (ops->free). From the device's own thread (a completion callback), the
 * disconnect runs right there, reaping answers (their callbacks run nested) for up to
 * 5 s like any close, and the struct is freed once the callback has returned.
 */
void frontend_close(struct frontend *fe);

#endif
