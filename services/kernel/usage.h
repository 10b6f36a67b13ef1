/* An SA's usage for swanctl --list-sas ("28317 bytes, 188 packets, 3s
 * ago").  The kernel counts bytes and packets on the SA, but its
 * use_time is the first use; the last use is XFRMA_LASTUSED where the
 * kernel reports it, else (as strongSwan does) the latest use of the
 * policies that point at the SA. */
#ifndef CYGNET_KERNEL_USAGE_H
#define CYGNET_KERNEL_USAGE_H

#include "adopt.h"
#include "knl.h"
#include "netlink.h"

int usage_query(struct nl_sock *nl, const struct owner *o,
		const struct knl_sa_id *id, struct knl_usage *out,
		struct nl_error *err);

#endif
