/* Kernel events: a second NETLINK_XFRM socket joined to XFRMNLGRP_EXPIRE
 * and XFRMNLGRP_ACQUIRE, read on its own thread.  Every well-formed
 * event goes to the callbacks, which decide by ownership what to publish
 * ("kernel.expire" / "kernel.acquire"). */
#ifndef CYGNET_KERNEL_MONITOR_H
#define CYGNET_KERNEL_MONITOR_H

#include "netlink.h"
#include "parse.h"

struct monitor;

struct monitor_ops {
	void (*expire)(void *arg, const struct knl_expire *ev);
	void (*acquire)(void *arg, const struct knl_acquire *ev);
	void *arg;
};

/* Returns NULL with err set when the socket cannot be opened. */
struct monitor *monitor_start(const struct monitor_ops *ops,
			      struct nl_error *err);
void monitor_stop(struct monitor *m);

/* Decodes one datagram of events and dispatches the owned ones; returns
 * how many messages were malformed.  Used by the thread and the fuzzer. */
unsigned monitor_dispatch(const struct monitor_ops *ops, const void *buf,
			  size_t len);

#endif
